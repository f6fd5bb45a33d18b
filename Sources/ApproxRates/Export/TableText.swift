import Foundation
import PrecisionModule
import FileIOModule

/// The Markdown and LaTeX renderings shared by the tables: a GFM table with its notes as a list
/// below, and a booktabs table float with its notes as the caption.
public enum TableText {
    /// A GFM table of `rows` under `headers`, then one "- note" line per note.
    public static func markdown(headers: [String], rows: [[String]], notes: [String]) -> String {
        var lines = ["| " + headers.joined(separator: " | ") + " |", "|" + headers.map { _ in "---" }.joined(separator: "|") + "|"]
        for row in rows { lines.append("| " + row.joined(separator: " | ") + " |") }
        lines.append("")
        lines += notes.map { "- " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A booktabs table float (needs \usepackage{booktabs}): a comment line naming `what` and the
    /// command (escaped), `heads` and `rows` (LaTeX already: pass text cells through
    /// ``LaTeX/escape(_:)``), and the caption `lead` followed by `notes` (both LaTeX already).
    /// Every table the project writes in LaTeX goes through here.
    public static func latex(what: String, command: String, heads: [String], rows: [[String]], lead: String, notes: [String]) -> String {
        var lines = ["% \(what) written by \(LaTeX.escape(command)); needs \\usepackage{booktabs}",
                     "\\begin{table}[t]", "\\centering", "\\small", "\\begin{tabular}{" + heads.map { _ in "l" }.joined() + "}", "\\toprule",
                     heads.joined(separator: " & ") + " \\\\", "\\midrule"]
        for row in rows { lines.append(row.joined(separator: " & ") + " \\\\") }
        lines += ["\\bottomrule", "\\end{tabular}", "\\caption{" + lead + " " + notes.joined(separator: " ") + "}", "\\end{table}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pretty-printed JSON with sorted, snake_case keys and non-finite numbers as the strings
    /// "nan", "inf" and "-inf", ending in a newline: the JSON form of every table.
    public static func json<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(value), as: UTF8.self) + "\n"
    }
}

/// An optional that JSON writes as `null` when absent (a synthesized `Encodable` leaves absent
/// optionals out; a reader then cannot tell "never reached" from "not reported").
public struct JSONNullable<Wrapped: Encodable & Sendable>: Encodable, Sendable {
    /// The value, nil for null.
    public let value: Wrapped?
    /// Wraps `value`.
    public init(_ value: Wrapped?) { self.value = value }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let value { try c.encode(value) } else { try c.encodeNil() }
    }
}
