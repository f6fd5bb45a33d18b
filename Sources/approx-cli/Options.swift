import ArgumentParser
import Foundation
import ApproxRates

/// A precision given on the command line, in bits.
struct PrecisionArgument: ExpressibleByArgument {
    let precision: Precision
    init?(argument: String) {
        guard let bits = Int(argument), let p = try? Precision(bits: bits) else { return nil }
        precision = p
    }
    static var defaultValueDescription: String { "bits" }
}

/// How evaluation precision is chosen: `--precision P` (bits, 2 ... MPFR's maximum) or `--double`.
struct PrecisionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Working precision in bits (2 to the precision cap, 2^24 unless APPROX_MAX_PRECISION says otherwise). Default: the network's weight precision, at least 64.", valueName: "bits"))
    var precision: String?

    @Flag(name: .long, help: "Evaluate in IEEE float64 (BLAS for dense layers) instead of MPFR.")
    var double = false

    func validate() throws {
        if double, precision != nil { throw ValidationError("--double and --precision exclude each other: give one") }
        if let text = precision {
            guard let bits = Int(text) else {
                throw ValidationError("--precision '\(text.prefix(40))' is not a whole number of bits (allowed: \(Precision.minimumBits) to \(ResourceLimits.grouped((try? ResourceLimits.precision.value()) ?? 0)))")
            }
            _ = try checkedPrecision(bits)
        }
    }

    /// The chosen precision for `network`.
    func resolved(for network: Network) -> Precision {
        if let text = precision, let bits = Int(text), let p = try? Precision(bits: bits) { return p }
        return Precision.max(network.weightPrecision, try! Precision(bits: 64))
    }
}

/// Output formats for tables.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// A thrown error whose description is the whole message.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// An error's message with a construction's parameters spelt as this CLI's flags (`alpha` →
/// `--alpha`).
func flagged(_ error: Error) -> String {
    (error as? ConstructionError)?.described { "--" + $0 } ?? "\(error)"
}

/// Loads a network file, turning every failure into a one-line message.
func loadNetwork(_ path: String) throws -> Network {
    do {
        let net = try NetworkFile.load(path)
        try ConstructionRegistry.checkKind(of: net)
        return net
    } catch {
        throw CLIError("cannot load network: \(error)")
    }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileOutput.standardError(text + "\n")
}

/// Comma-separated finite numbers in `range` (1 to 100 of them), named in errors by `option`.
func numberList(_ text: String, _ option: String, range: ClosedRange<Double>) throws -> [Double] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false)
    guard !items.isEmpty, items.count <= 100 else { throw ValidationError("\(option) \(text.prefix(60)): give 1 to 100 comma-separated numbers") }
    return try items.map { item in
        guard let v = Double(item.trimmingCharacters(in: .whitespaces)), range.contains(v) else {
            throw ValidationError("\(option): '\(item.prefix(40))' is not a number in \(range.lowerBound)…\(range.upperBound)")
        }
        return v
    }
}

/// Comma-separated integers in `range`, named in errors by `option`.
func integerList(_ text: String, _ option: String, range: ClosedRange<Int>) throws -> [Int] {
    try numberList(text, option, range: Double(range.lowerBound)...Double(range.upperBound)).map { v in
        guard v == v.rounded() else { throw ValidationError("\(option): \(v) is not an integer") }
        return Int(v)
    }
}

/// A grid "A:B:n" (n values from A to B, geometrically spaced when `logarithmic`, else evenly; the
/// ends exact) or a comma-separated list, every value finite and in `range`, named in errors by
/// `option`. At most 100 values.
func gridList(_ text: String, _ option: String, logarithmic: Bool, range: ClosedRange<Double>) throws -> [Double] {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    let form = "give A:B:n (n values from A to B\(logarithmic ? ", log-spaced" : ""); 1 <= n <= 100) or a comma-separated list"
    guard parts.count == 3 else {
        if parts.count > 1 { throw ValidationError("\(option) \(text.prefix(60)): \(form)") }
        return try numberList(text, option, range: range)
    }
    guard let a = Double(parts[0].trimmingCharacters(in: .whitespaces)), let b = Double(parts[1].trimmingCharacters(in: .whitespaces)),
          let n = Int(parts[2].trimmingCharacters(in: .whitespaces)) else {
        throw ValidationError("\(option) \(text.prefix(60)): \(form)")
    }
    guard (1...100).contains(n) else { throw ValidationError("\(option) \(text.prefix(60)): n = \(n); \(form)") }
    for v in [a, b] where !(v.isFinite && range.contains(v)) {
        throw ValidationError("\(option): \(v) is not a number in \(range.lowerBound)…\(range.upperBound)")
    }
    if logarithmic, !(a > 0 && b > 0) { throw ValidationError("\(option) \(text.prefix(60)): a log-spaced grid needs A > 0 and B > 0") }
    guard n > 1 else {
        guard a == b else { throw ValidationError("\(option) \(text.prefix(60)): one value (n = 1) needs A = B") }
        return [a]
    }
    return (0..<n).map { i in
        if i == 0 { return a }
        if i == n - 1 { return b }
        let t = Double(i) / Double(n - 1)
        return logarithmic ? Foundation.pow(10, Foundation.log10(a) + t * (Foundation.log10(b) - Foundation.log10(a))) : a + t * (b - a)
    }
}
