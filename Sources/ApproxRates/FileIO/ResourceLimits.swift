#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A documented cap on one size a run may ask for (bits of precision, points, steps, …).
///
/// Every cap has a default and an environment variable that raises (or lowers) it, so that a
/// typing slip such as `--steps 1000000000` is a one-line error naming the value, the cap and the
/// variable, while a user who means it can say so. The table of caps is in docs/cli.md ("Limits").
public struct ResourceCap: Sendable, Hashable {
    /// What is capped, as the error names it ("precision").
    public let name: String
    /// The unit of the value ("bits", "points").
    public let unit: String
    /// The cap when the environment variable is unset.
    public let defaultValue: Int
    /// The environment variable that sets the cap (a whole number; `1e9` and `_` separators are
    /// accepted).
    public let environmentVariable: String

    /// A cap named `name` in `unit`, `defaultValue` unless `environmentVariable` says otherwise.
    public init(_ name: String, unit: String, defaultValue: Int, environmentVariable: String) {
        self.name = name; self.unit = unit; self.defaultValue = defaultValue; self.environmentVariable = environmentVariable
    }

    /// The cap in force: the environment variable's value if set, otherwise ``defaultValue``.
    /// Throws a ``LimitError`` naming the variable when its value is not a whole number ≥ 1.
    public func value() throws -> Int {
        guard let raw = getenv(environmentVariable) else { return defaultValue }
        let text = String(cString: raw)
        let parsed = unit == "bytes" ? ResourceLimits.parseBytes(text).flatMap { $0 < 9e18 ? Int($0) : nil } : ResourceLimits.parseCount(text)
        guard let v = parsed, v >= 1 else {
            throw LimitError("\(environmentVariable)='\(text.prefix(40))' is not a whole number of \(unit) >= 1; unset it for the default \(ResourceLimits.grouped(defaultValue))")
        }
        return v
    }
}

/// A size or precision refused before anything was allocated: the message names the value, the
/// limit and how to raise it.
public struct LimitError: Error, CustomStringConvertible, Sendable {
    /// The whole message.
    public let description: String
    /// An error with this message.
    public init(_ message: String) { description = message }
}

/// The one place where sizes and precisions are checked against documented caps and against the
/// memory this run may use, before anything is allocated.
///
/// Callers state what they ask for (`what`: the flag or field as the user wrote it) and, for
/// memory, an estimate in bytes. Estimates are deliberately simple upper bounds of the big buffers
/// (numbers held at once × bytes per number); they decide refusals of requests that would need
/// more than the machine has, not a tight fit.
public enum ResourceLimits {
    /// Bits of MPFR precision a user may ask for: 2²⁴ = 16,777,216 (about 5 million decimal digits).
    public static let precision = ResourceCap("precision", unit: "bits", defaultValue: 1 << 24, environmentVariable: "APPROX_MAX_PRECISION")
    /// Significant decimal digits printed per number: 1,000,000.
    public static let digits = ResourceCap("digits", unit: "digits", defaultValue: 1_000_000, environmentVariable: "APPROX_MAX_DIGITS")
    /// Points evaluated by one `eval`: 1,000,000.
    public static let evaluationPoints = ResourceCap("evaluation points", unit: "points", defaultValue: 1_000_000, environmentVariable: "APPROX_MAX_POINTS")
    /// Grid points of one adaptive sup-norm search: 2²⁴ = 16,777,216.
    public static let searchPoints = ResourceCap("search points", unit: "points", defaultValue: 1 << 24, environmentVariable: "APPROX_MAX_SEARCH_POINTS")
    /// Weights of one built network (and the top of a rate's W range): 10⁸.
    public static let weights = ResourceCap("weights", unit: "weights", defaultValue: 100_000_000, environmentVariable: "APPROX_MAX_WEIGHTS")
    /// W values of one rate experiment: 1,000.
    public static let ratePoints = ResourceCap("rate points", unit: "points", defaultValue: 1_000, environmentVariable: "APPROX_MAX_RATE_POINTS")
    /// Training steps of one run: 10⁶.
    public static let steps = ResourceCap("training steps", unit: "steps", defaultValue: 1_000_000, environmentVariable: "APPROX_MAX_STEPS")
    /// Online SGD steps of one soft-committee run (`dynamics sgd`): 10¹⁰.
    public static let sgdSteps = ResourceCap("SGD steps", unit: "steps", defaultValue: 10_000_000_000, environmentVariable: "APPROX_MAX_SGD_STEPS")
    /// Training runs (networks × seeds) of one command: 100,000.
    public static let runs = ResourceCap("training runs", unit: "runs", defaultValue: 100_000, environmentVariable: "APPROX_MAX_RUNS")
    /// Worker threads or parallel jobs: 1,024.
    public static let threads = ResourceCap("threads", unit: "threads", defaultValue: 1_024, environmentVariable: "APPROX_MAX_THREADS")
    /// Boxes one certification may enclose: 10⁸.
    public static let boxes = ResourceCap("certification boxes", unit: "boxes", defaultValue: 100_000_000, environmentVariable: "APPROX_MAX_BOXES")

    /// Bytes of one input file (a network, a plan, a points file, a checkpoint): 1 GiB.
    public static let inputFile = ResourceCap("input file size", unit: "bytes", defaultValue: 1 << 30, environmentVariable: "APPROX_MAX_INPUT")
    /// Levels of nesting of `[` and `{` in a JSON input: 64 (the formats nest at most 5 deep).
    /// Fixed: a deeper file is malformed, not large.
    public static let jsonNesting = 64

    /// Every cap, in the order of docs/cli.md's table.
    public static let all: [ResourceCap] = [precision, digits, evaluationPoints, searchPoints, weights, ratePoints, steps, sgdSteps, runs, threads, boxes, inputFile]

    /// Checks that the JSON text `data` (from `source`) nests `[` and `{` at most
    /// ``jsonNesting`` levels deep, in one pass over the bytes (strings skipped), before a
    /// parser recurses into it.
    public static func checkJSONNesting(_ data: some Collection<UInt8>, source: String) throws {
        var depth = 0, inString = false, escaped = false, offset = 0
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                depth += 1
                if depth > jsonNesting {
                    throw LimitError("\(source): JSON nests deeper than \(jsonNesting) levels (at byte \(offset)); the file formats nest at most 5")
                }
            } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                depth -= 1
            }
            offset += 1
        }
    }

    /// The environment variable that sets the memory budget in bytes (suffixes K, M, G, T: powers
    /// of 1024).
    public static let memoryVariable = "APPROX_MAX_MEMORY"

    /// Bytes this run may plan to use: `APPROX_MAX_MEMORY` if set, otherwise three quarters of the
    /// smallest of the machine's physical memory and the process's address-space and data limits
    /// (`ulimit -v`, `ulimit -d`).
    public static func memoryBudget() throws -> Double {
        if let raw = getenv(memoryVariable) {
            let text = String(cString: raw)
            guard let bytes = parseBytes(text), bytes >= 1 else {
                throw LimitError("\(memoryVariable)='\(text.prefix(40))' is not a size in bytes (e.g. 8G, 512M, 1e9); unset it for the default")
            }
            return bytes
        }
        return 0.75 * machineMemory()
    }

    /// The smallest of physical memory, `RLIMIT_AS` and `RLIMIT_DATA`, in bytes.
    public static func machineMemory() -> Double {
        var smallest = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        if !(smallest > 0) { smallest = 4 * 1024 * 1024 * 1024 }
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var limit = rlimit()
            #if canImport(Glibc)
            let status = getrlimit(__rlimit_resource_t(resource.rawValue), &limit)
            #else
            let status = getrlimit(resource, &limit)
            #endif
            if status == 0, limit.rlim_cur != rlim_t.max { smallest = Swift.min(smallest, Double(limit.rlim_cur)) }
        }
        return smallest
    }

    /// Checks `value` (as `what`, e.g. "--steps") against `cap`: at least `minimum`, at most the
    /// cap in force. Returns the value.
    @discardableResult
    public static func check(_ value: Int, _ what: String, against cap: ResourceCap, minimum: Int = 1) throws -> Int {
        if value < minimum { throw LimitError("\(what) \(value): give at least \(grouped(minimum)) \(cap.unit)") }
        let limit = try cap.value()
        if value > limit {
            throw LimitError("\(what) \(value): at most \(grouped(limit)) \(cap.unit) (the \(cap.name) cap; set \(cap.environmentVariable) to raise it)")
        }
        return value
    }

    /// Checks a count given as a float (a parsed `1e30`), so that a value beyond `Int` is an error
    /// rather than a trap in the conversion.
    @discardableResult
    public static func check(_ value: Double, _ what: String, against cap: ResourceCap, minimum: Int = 1) throws -> Int {
        guard value.isFinite, value < 9.0e18 else {
            throw LimitError("\(what) \(value): at most \(grouped(try cap.value())) \(cap.unit) (the \(cap.name) cap; set \(cap.environmentVariable) to raise it)")
        }
        return try check(Int(value.rounded(.up)), what, against: cap, minimum: minimum)
    }

    /// Checks that `bytes` (an estimate of the largest buffers `what` needs) fit in
    /// ``memoryBudget()``.
    public static func checkMemory(_ bytes: Double, for what: String) throws {
        let budget = try memoryBudget()
        if !(bytes <= budget) {
            throw LimitError("\(what) needs about \(formatBytes(bytes)) of memory, more than the \(formatBytes(budget)) this run may use (3/4 of the machine's memory or of its ulimit; set \(memoryVariable), e.g. \(memoryVariable)=64G, to raise it)")
        }
    }

    /// Bytes of one MPFR number of `bits` bits: its limbs and its header, rounded up.
    public static func bytesPerNumber(bits: Int) -> Double { Double(bits) / 8 + 48 }

    /// Bytes as "1.5 GiB".
    public static func formatBytes(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "an unbounded amount" }
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = bytes, k = 0
        while v >= 1024 && k < units.count - 1 { v /= 1024; k += 1 }
        if v >= 1e4 { return "\(Int(v)) \(units[k])" }   // beyond EiB
        return k == 0 ? "\(Int(v)) bytes" : String(Int((v * 10).rounded()) / 10) + "." + String(Int((v * 10).rounded()) % 10) + " \(units[k])"
    }

    /// A whole number with thousands separators: 16,777,216.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A count written `1000000`, `1_000_000` or `1e6` (an exact whole number below 2⁶³).
    public static func parseCount(_ text: String) -> Int? {
        let t = text.replacingUnderscores()
        if let v = Int(t) { return v }
        guard let d = Double(t), d.isFinite, d.rounded() == d, abs(d) < 9.0e18 else { return nil }
        return Int(d)
    }

    /// A size in bytes: a number with an optional suffix K, M, G or T (powers of 1024).
    public static func parseBytes(_ text: String) -> Double? {
        var t = text.replacingUnderscores().uppercased()
        if t.hasSuffix("B") { t.removeLast() }
        if t.hasSuffix("I") { t.removeLast() }   // GiB
        var scale = 1.0
        if let last = t.last, let k = ["K": 1.0, "M": 2, "G": 3, "T": 4][String(last)] {
            scale = pow(1024, k); t.removeLast()
        }
        guard let v = Double(t), v.isFinite, v > 0 else { return nil }
        return v * scale
    }
}

private extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
