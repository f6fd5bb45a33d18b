import CMPFR

/// Why text could not be read as a number.
public struct NumberParseError: Error, Equatable, CustomStringConvertible {
    /// The text that was refused.
    public let text: String
    /// Why, in words.
    public let reason: String
    public var description: String { "'\(text)' is not a number: \(reason)" }
}

extension BigFloat {
    /// The exact value of `value` when `precision` has at least 53 bits (and always for
    /// small integers and dyadic fractions); otherwise `value` rounded in direction `rounding`.
    public init(_ value: Double, precision: Precision = .double, rounding: Rounding = .nearest) {
        self.init(precision: precision) { mpfr_set_d($0, value, rounding.mpfr) }
    }

    /// The integer `value`, exact when `precision` has at least 64 bits or the integer fits.
    public init(_ value: Int, precision: Precision = Precision(uncheckedBits: 64), rounding: Rounding = .nearest) {
        self.init(precision: precision) { mpfr_set_si($0, value, rounding.mpfr) }
    }

    /// `value` rounded to `precision` in direction `rounding` (exact when it fits).
    public init(_ value: BigFloat, precision: Precision, rounding: Rounding = .nearest) {
        self.init(precision: precision, exactInputs: value.isExact) { r in value.withMPFR { cmpfr_set(r, $0, rounding.mpfr) } }
    }

    /// Reads decimal (`-1.25e-3`, `0.1`) or C99 hexadecimal (`0x1.8p-3`) text, and `inf`,
    /// `-inf`, `nan`, correctly rounded to `precision` in direction `rounding`. Surrounding
    /// white space is allowed; anything else after the number is an error.
    /// The result is exact (``isExact``) when the decimal value is representable.
    public init(parsing text: String, precision: Precision, rounding: Rounding = .nearest) throws {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { throw NumberParseError(text: text, reason: "empty text") }
        var consumedAll = false
        self.init(precision: precision) { r in
            trimmed.withCString { c in
                var end: UnsafeMutablePointer<CChar>? = nil
                let t = mpfr_strtofr(r, c, &end, 0, rounding.mpfr)
                consumedAll = end != nil && end!.pointee == 0 && end! != UnsafeMutablePointer(mutating: c)
                return t
            }
        }
        guard consumedAll else {
            throw NumberParseError(text: text, reason: "expected a decimal like -1.5e-3 or a hex float like 0x1.8p-3")
        }
    }

    /// π rounded to `precision`.
    public static func pi(precision: Precision, rounding: Rounding = .nearest) -> BigFloat {
        BigFloat(precision: precision, exactInputs: false) { mpfr_const_pi($0, rounding.mpfr) }
    }

    /// The nearest (or directed) `Double`. Overflow gives an infinity.
    public func toDouble(rounding: Rounding = .nearest) -> Double {
        withMPFR { mpfr_get_d($0, rounding.mpfr) }
    }

    /// Decimal scientific notation with `significantDigits` digits, correctly rounded in
    /// direction `rounding` (MPFR's `%Re`), e.g. `1.4142135623730950488e+00`.
    public func formatted(significantDigits: Int, rounding: Rounding = .nearest) -> String {
        let digits = Swift.max(1, significantDigits)
        let mode: String
        switch rounding {
        case .nearest: mode = "N"
        case .down: mode = "D"
        case .up: mode = "U"
        case .towardZero: mode = "Z"
        case .awayFromZero: mode = "Y"
        }
        return printf("%.\(digits - 1)R\(mode)e")
    }

    /// The exact value as a C99 hexadecimal float (`%Ra`), e.g. `0x1.6a09e667f3bcdp+0`.
    public var hexString: String { printf("%Ra") }

    private func printf(_ format: String) -> String {
        withMPFR { x in
            let needed = Int(cmpfr_snprint(nil, 0, format, x))
            var buffer = [CChar](repeating: 0, count: needed + 1)
            _ = cmpfr_snprint(&buffer, needed + 1, format, x)
            return String(decoding: buffer.prefix(needed).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The shortest decimal text that this library writes for the value and that reads back to
    /// the identical bits at this precision under round-to-nearest: `precision.roundTripDecimalDigits`
    /// significant digits, trailing zeros removed, fixed notation for moderate exponents
    /// (`2`, `-0.375`, `1.0000000000000000000001e-30`), `inf`, `-inf`, `nan`.
    public var roundTripString: String {
        if isNaN { return "nan" }
        if isInfinite { return signum < 0 ? "-inf" : "inf" }
        if isZero { return withMPFR { cmpfr_signbit($0) != 0 } ? "-0" : "0" }
        let n = precision.roundTripDecimalDigits
        var exponent: mpfr_exp_t = 0
        let raw: String = withMPFR { x in
            let c = mpfr_get_str(nil, &exponent, 10, n, x, MPFR_RNDN)!
            defer { mpfr_free_str(c) }
            return String(cString: c)
        }
        // Trailing zeros cut on the ASCII bytes in one pass: linear in the digits (a Substring's
        // count is itself linear, and counting in a loop made 262,144 bits take minutes).
        let bytes = Array(raw.utf8)
        let negative = bytes.first == UInt8(ascii: "-")
        let start = negative ? 1 : 0
        var end = bytes.count
        while end - start > 1 && bytes[end - 1] == UInt8(ascii: "0") { end -= 1 }
        let digits = Substring(String(decoding: bytes[start..<end], as: UTF8.self))
        // value = 0.d1d2...dk * 10^exponent
        let k = end - start
        let e = Int(exponent)
        var body: String
        if e >= -5 && e <= 21 {
            if e <= 0 {
                body = "0." + String(repeating: "0", count: -e) + String(digits)
            } else if e >= k {
                body = String(digits) + String(repeating: "0", count: e - k)
            } else {
                body = String(digits.prefix(e)) + "." + String(digits.dropFirst(e))
            }
        } else {
            let mantissa = k == 1 ? String(digits) : String(digits.prefix(1)) + "." + String(digits.dropFirst())
            body = mantissa + "e" + String(e - 1)
        }
        return negative ? "-" + body : body
    }
}

extension BigFloat: CustomStringConvertible, CustomDebugStringConvertible {
    /// Round-trip decimal text (see ``roundTripString``).
    public var description: String { roundTripString }
    public var debugDescription: String { "BigFloat(\(roundTripString), \(precision.bits) bits\(isExact ? "" : ", inexact"))" }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}
