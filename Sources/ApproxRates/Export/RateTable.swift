import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule

/// A rate table in four formats: CSV (RFC 4180, every field of ``MeasuredRate``, numbers in
/// shortest round-trip form), JSON (schema_version 1, every field), Markdown (GFM) and LaTeX
/// (booktabs) with the columns a reader needs and the provenance in the caption. CSV and JSON read
/// back to the same ``MeasuredRate`` values.
public struct RateTable: Sendable, Equatable {
    /// The rates, one per experiment.
    public var rates: [MeasuredRate]
    /// How the table was made (the command line that wrote it).
    public var command: String

    /// A table of `rates`.
    public init(rates: [MeasuredRate], command: String) { self.rates = rates; self.command = command }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }()

    /// The columns of the CSV, in the order of ``MeasuredRate``'s fields (snake_case).
    public static var csvColumns: [String] { columnLabels.map(snakeCase) }
    static let columnLabels: [String] = Mirror(reflecting: MeasuredRate.example).children.map { $0.label! }
    static let textColumns: Set<String> = ["experiment", "target", "targetSummary", "role", "activation", "construction", "against",
                                           "region", "verdict", "excluded", "tool", "command"]
    static let optionalTextColumns: Set<String> = ["baseline", "established"]
    static func snakeCase(_ s: String) -> String {
        s.reduce(into: "") { out, c in if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) } }
    }

    // MARK: CSV

    /// RFC 4180 CSV: a header of ``csvColumns`` and one line per rate.
    public func csv() -> String {
        var lines = [RateTable.csvColumns.joined(separator: ",")]
        for r in rates {
            lines.append(Mirror(reflecting: r).children.map { CSV.quote(RateTable.text(of: $0.value)) }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func text(of value: Any) -> String {
        switch value {
        case let d as Double: return d.description
        case let i as Int: return String(i)
        case let u as UInt64: return String(u)
        case let s as String: return s
        case let o as Optional<Double>: return o.map(\.description) ?? ""
        case let o as Optional<String>: return o ?? ""
        default: return "\(value)"
        }
    }

    /// Reads a table written by ``csv()``; throws naming the line and column of a bad cell.
    public static func read(csv text: String) throws -> [MeasuredRate] {
        let records: [[String]]
        do { records = try CSV.parse(text) } catch { throw RateError("\(error)") }
        guard let header = records.first, header == csvColumns else {
            throw RateError("not a rate table: the header must be \(csvColumns.joined(separator: ","))")
        }
        return try records.dropFirst().enumerated().map { (n, record) in
            guard record.count == header.count else { throw RateError("CSV line \(n + 2): \(record.count) fields, expected \(header.count)") }
            var object: [String: Any] = [:]
            for (label, cell) in zip(columnLabels, record) {
                if optionalTextColumns.contains(label) { if !cell.isEmpty { object[label] = cell }; continue }
                if textColumns.contains(label) { object[label] = cell; continue }
                if cell.isEmpty { continue }
                if let i = Int(cell) { object[label] = i } else if let u = UInt64(cell) { object[label] = u }
                else if let d = Double(cell) { object[label] = d }
                else { throw RateError("CSV line \(n + 2), column \(snakeCase(label)): '\(cell)' is not a number") }
            }
            return try JSONDecoder().decode(MeasuredRate.self, from: JSONSerialization.data(withJSONObject: object))
        }
    }

    // MARK: JSON

    /// {"schema_version": 1, "command": …, "rates": [ … ]} with snake_case keys.
    public func json() throws -> String {
        struct Document: Encodable { let schemaVersion = 1; let command: String; let rates: [MeasuredRate] }
        return String(decoding: try RateTable.encoder.encode(Document(command: command, rates: rates)), as: UTF8.self) + "\n"
    }

    /// Reads a table written by ``json()``.
    public static func read(json data: Data) throws -> RateTable {
        struct Document: Decodable { let schemaVersion: Int; let command: String; let rates: [MeasuredRate] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            let d = try decoder.decode(Document.self, from: data)
            guard d.schemaVersion == 1 else { throw RateError("schema_version \(d.schemaVersion) is not known: this tool reads 1") }
            return RateTable(rates: d.rates, command: d.command)
        } catch let e as RateError { throw e } catch { throw RateError("not a rate table (\(error))") }
    }

    // MARK: Markdown and LaTeX

    /// The columns shown to a reader, each as (Markdown header, LaTeX header, cell text).
    struct ReaderColumn: Sendable { let markdown: String; let latex: String; let cell: @Sendable (MeasuredRate, Bool) -> String }

    static func number(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
    static func interval(_ a: Double?, _ b: Double?, latex: Bool) -> String {
        guard let a, let b else { return latex ? "--" : "–" }
        return "[\(number(a)), \(number(b))]"
    }
    static let readerColumns: [ReaderColumn] = [
        ReaderColumn(markdown: "target", latex: "target", cell: { r, tex in tex ? LaTeX.escape(r.target) : r.target }),
        ReaderColumn(markdown: "r", latex: "$r$", cell: { r, _ in r.smoothness.formatted() }),
        ReaderColumn(markdown: "d", latex: "$d$", cell: { r, _ in String(r.dimension) }),
        ReaderColumn(markdown: "activation", latex: "activation", cell: { r, tex in tex ? LaTeX.escape(r.activation) : r.activation }),
        ReaderColumn(markdown: "construction", latex: "construction", cell: { r, tex in tex ? LaTeX.escape(r.construction) : r.construction }),
        ReaderColumn(markdown: "depth exp.", latex: "$\\alpha$", cell: { r, _ in r.depthExponent.formatted() }),
        ReaderColumn(markdown: "W range", latex: "$W$ range", cell: { r, tex in
            tex ? "\(r.weightsMin)--\(r.weightsMax)" : "\(r.weightsMin)–\(r.weightsMax)" }),
        ReaderColumn(markdown: "bits", latex: "bits", cell: { r, tex in
            let p = r.precisionMin == r.precisionMax ? "\(r.precisionMin)" : "\(r.precisionMin)\(tex ? "--" : "–")\(r.precisionMax)"
            return r.bitsPerWeight > 0 ? "\(p) (\(r.bitsPerWeight)/weight)" : p }),
        ReaderColumn(markdown: "draws", latex: "draws", cell: { r, _ in String(r.draws) }),
        ReaderColumn(markdown: "p", latex: "$\\hat p$", cell: { r, _ in number(r.p) }),
        ReaderColumn(markdown: "vs", latex: "vs", cell: { r, tex in tex ? (r.against == "W" ? "$W$" : "$W/\\ln W$") : r.against }),
        ReaderColumn(markdown: "95% t", latex: "95\\,\\% $t$", cell: { r, tex in interval(r.pLow, r.pHigh, latex: tex) }),
        ReaderColumn(markdown: "95% bootstrap", latex: "95\\,\\% bootstrap", cell: { r, tex in interval(r.bootstrapLow, r.bootstrapHigh, latex: tex) }),
        ReaderColumn(markdown: "theory p", latex: "theory $p$", cell: { r, _ in number(r.pTheory) }),
        ReaderColumn(markdown: "r/d", latex: "$r/d$", cell: { r, _ in number(r.pShallow) }),
        ReaderColumn(markdown: "2r/d", latex: "$2r/d$", cell: { r, _ in number(r.pMax) }),
        ReaderColumn(markdown: "region", latex: "region", cell: { r, tex in tex ? LaTeX.escape(r.region) : r.region }),
        ReaderColumn(markdown: "interp./deep at top W", latex: "interp./deep at top $W$", cell: { r, tex in
            r.baselineRatio.map { number($0, 2) } ?? (tex ? "--" : "–") }),
        ReaderColumn(markdown: "crossover W", latex: "crossover $W$", cell: { r, tex in
            guard r.baseline != nil else { return tex ? "--" : "–" }
            return r.crossoverWeights.map { String(format: "%.3g", $0) } ?? "none" }),
        ReaderColumn(markdown: "established", latex: "established", cell: { r, tex in r.established ?? (tex ? "--" : "–") }),
    ]

    /// The certified rate (the fit of the rigorous upper bounds) and its interval, shown after
    /// the bootstrap interval when some rate was certified.
    static let certifiedColumn = ReaderColumn(markdown: "certified p", latex: "certified $\\hat p$", cell: { r, tex in
        guard let p = r.pCertified else { return tex ? "--" : "–" }
        return number(p) + (r.pCertifiedLow == nil ? "" : " " + interval(r.pCertifiedLow, r.pCertifiedHigh, latex: tex))
    })

    /// The reader's columns of this table.
    var columns: [ReaderColumn] {
        guard rates.contains(where: { $0.pCertified != nil }), let k = RateTable.readerColumns.firstIndex(where: { $0.markdown == "95% bootstrap" }) else {
            return RateTable.readerColumns
        }
        var c = RateTable.readerColumns
        c.insert(RateTable.certifiedColumn, at: k + 1)
        return c
    }

    /// Notes under the table: provenance and every excluded point with its reason. For LaTeX, the
    /// same sentences through ``LaTeX/escape(_:)`` (every special character and the Unicode
    /// symbols), so that the caption compiles under pdflatex.
    func notes(latex: Bool) -> [String] {
        var notes: [String] = []
        if let first = rates.first { notes.append("Errors in MPFR at the precision shown; \(first.tool).") }
        notes.append("Fits: least squares of ln error on ln X, X = W or W/ln W as shown; 95% t and studentized residual-bootstrap intervals; draws D: the worst error over seeds s…s+D−1 at each W.")
        if rates.contains(where: { $0.baseline != nil }) {
            notes.append("Deep and fixed-width rows against their shallow baseline (interpolation on the same target, seeds and W range, its own row): interp./deep at top W is the baseline's error over the row's at the row's largest W (above 1 the deep network wins; the baseline's error there interpolated log-log between its points); crossover W is where the two fitted lines cross; established: the lower end of the 95% t interval is above r/d and the ratio is above 1.")
        }
        for r in rates where !r.excluded.isEmpty { notes.append("\(r.experiment): excluded \(r.excluded).") }
        for r in rates where r.verdictNoted { notes.append("\(r.experiment): \(r.verdict).") }
        if let gap = rates.compactMap(\.certifyGap).first {
            notes.append("Certified p: the fit of upper bounds proved in Arb ball arithmetic (branch and bound to a gap of \(String(format: "%g", 100 * gap)) %; every error lies between its bound and a proved lower bound); 95% t interval.")
            for r in rates where (r.certifiedGapMax ?? 0) > (r.certifyGap ?? .infinity) {
                notes.append("\(r.experiment): some points stopped at their box budget with a gap of \(String(format: "%.2g", 100 * r.certifiedGapMax!)) % (their bounds still hold).")
            }
        }
        let seeds = Set(rates.map { "\($0.seed)" }).sorted().joined(separator: ", ")
        notes.append("First seeds: \(seeds). Command: " + (latex ? command : "`\(command)`") + ".")
        return latex ? notes.map(LaTeX.escape) : notes
    }

    /// A GFM pipe table with the notes below it.
    public func markdown() -> String {
        let cols = columns
        var lines = ["| " + cols.map(\.markdown).joined(separator: " | ") + " |",
                     "|" + cols.map { _ in "---" }.joined(separator: "|") + "|"]
        for r in rates { lines.append("| " + cols.map { $0.cell(r, false).replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |") }
        lines.append("")
        lines += notes(latex: false).map { "- " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A booktabs table (needs \usepackage{booktabs}) in a table float with the notes as caption.
    public func latex() -> String {
        let cols = columns
        return TableText.latex(what: "Rate table", command: command, heads: cols.map(\.latex),
                               rows: rates.map { r in cols.map { $0.cell(r, true) } },
                               lead: "Measured approximation rates $p$ (error $\\approx C W^{-p}$).", notes: notes(latex: true))
    }
}
