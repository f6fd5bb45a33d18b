import CMPFR

/// A binary precision: the number of bits in the significand of an MPFR number.
///
/// `Precision` is validated on construction, so every value of this type is one that MPFR
/// accepts. Precision is always passed explicitly: MPFR's default precision is per thread and
/// does not follow a Swift task across `await`, so the library never reads or sets it.
public struct Precision: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Significand bits, in `Precision.validRange`.
    public let bits: Int

    /// IEEE 754 binary64: 53 significand bits.
    public static let double = Precision(uncheckedBits: 53)

    /// The smallest precision the toolkit accepts (2 bits; MPFR itself allows 1, which cannot
    /// hold the value 3 and is of no use for evaluation).
    public static let minimumBits = 2

    /// MPFR's largest precision on this platform (`MPFR_PREC_MAX`).
    public static var maximumBits: Int { Int(cmpfr_prec_max()) }

    /// Every accepted number of bits.
    public static var validRange: ClosedRange<Int> { minimumBits...maximumBits }

    /// A validated precision. Throws ``PrecisionError/outOfRange(_:)`` outside ``validRange``.
    public init(bits: Int) throws {
        guard Precision.validRange.contains(bits) else { throw PrecisionError.outOfRange(bits) }
        self.bits = bits
    }

    /// A precision the caller has already checked (internal constructions with known sizes).
    @usableFromInline
    package init(uncheckedBits bits: Int) {
        precondition(bits >= Precision.minimumBits, "precision \(bits) below 2 bits")
        self.bits = bits
    }

    /// The precision in MPFR's integer type.
    @inlinable
    var mpfr: mpfr_prec_t { mpfr_prec_t(bits) }

    /// Decimal digits that round-trip every number of this precision through decimal text
    /// under round-to-nearest (`1 + ceil(bits * log10(2))`, from `mpfr_get_str_ndigits`).
    public var roundTripDecimalDigits: Int { Int(mpfr_get_str_ndigits(10, mpfr)) }

    /// The larger of two precisions.
    public static func max(_ a: Precision, _ b: Precision) -> Precision { a.bits >= b.bits ? a : b }

    public static func < (a: Precision, b: Precision) -> Bool { a.bits < b.bits }

    public var description: String { "\(bits) bits" }
}

/// Why a precision was refused.
public enum PrecisionError: Error, Equatable, CustomStringConvertible {
    /// The number of bits is outside `Precision.validRange`.
    case outOfRange(Int)

    public var description: String {
        switch self {
        case .outOfRange(let bits):
            return "precision \(bits) bits is out of range: MPFR accepts \(Precision.minimumBits) to \(Precision.maximumBits) bits"
        }
    }
}
