/// RFC 4180 fields: quoting on write, parsing on read.
public enum CSV {
    /// `field`, quoted when it holds a comma, a quote, CR or LF (quotes doubled).
    public static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The records of `text` (CRLF or LF line ends; quoted fields may hold line breaks). Throws on
    /// an unterminated quote.
    public static func parse(_ text: String) throws -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = ""
        var quoted = false, afterQuote = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? { if let p = pending { pending = nil; return p }; return iterator.next() }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let n = next() { if n == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; afterQuote = true; pending = n } }
                    else { quoted = false }
                } else { field.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !afterQuote: quoted = true
            case ",": record.append(field); field = ""; afterQuote = false
            case "\r": continue
            case "\n": record.append(field); records.append(record); record = []; field = ""; afterQuote = false
            default: field.unicodeScalars.append(c)
            }
        }
        if quoted { throw CSVError(description: "CSV: a quoted field is not closed") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}

/// A text that is not valid CSV (RFC 4180).
public struct CSVError: Error, CustomStringConvertible {
    /// What is wrong, in one line.
    public let description: String
}
