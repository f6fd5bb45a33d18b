import CMPFR

extension BigFloat {
    /// `self + other`, rounded once to `precision` (default: the larger of the two) in `rounding`.
    public func adding(_ other: BigFloat, precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat {
        binary(other, precision, mpfr_add, rounding)
    }

    /// `self - other`, rounded once to `precision` (default: the larger of the two) in `rounding`.
    public func subtracting(_ other: BigFloat, precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat {
        binary(other, precision, mpfr_sub, rounding)
    }

    /// `self * other`, rounded once to `precision` (default: the larger of the two) in `rounding`.
    public func multiplied(by other: BigFloat, precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat {
        binary(other, precision, mpfr_mul, rounding)
    }

    /// `self / other`, rounded once to `precision` (default: the larger of the two) in `rounding`.
    public func divided(by other: BigFloat, precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat {
        binary(other, precision, mpfr_div, rounding)
    }

    /// `self * 2^exponent`, exact unless it overflows the exponent range.
    public func scaled(byPowerOfTwo exponent: Int) -> BigFloat {
        BigFloat(precision: precision, exactInputs: isExact) { r in withMPFR { mpfr_mul_2si(r, $0, exponent, MPFR_RNDN) } }
    }

    /// `-self`, exact.
    public var negated: BigFloat {
        BigFloat(precision: precision, exactInputs: isExact) { r in withMPFR { mpfr_neg(r, $0, MPFR_RNDN) } }
    }

    private func binary(
        _ other: BigFloat, _ precision: Precision?,
        _ op: (mpfr_ptr?, mpfr_srcptr?, mpfr_srcptr?, mpfr_rnd_t) -> Int32, _ rounding: Rounding
    ) -> BigFloat {
        let p = precision ?? Precision.max(self.precision, other.precision)
        return BigFloat(precision: p, exactInputs: isExact && other.isExact) { r in
            withMPFR { a in other.withMPFR { b in op(r, a, b, rounding.mpfr) } }
        }
    }

    /// Sum at the larger precision, round-to-nearest.
    public static func + (a: BigFloat, b: BigFloat) -> BigFloat { a.adding(b) }
    /// Difference at the larger precision, round-to-nearest.
    public static func - (a: BigFloat, b: BigFloat) -> BigFloat { a.subtracting(b) }
    /// Product at the larger precision, round-to-nearest.
    public static func * (a: BigFloat, b: BigFloat) -> BigFloat { a.multiplied(by: b) }
    /// Quotient at the larger precision, round-to-nearest.
    public static func / (a: BigFloat, b: BigFloat) -> BigFloat { a.divided(by: b) }
    /// Negation, exact.
    public static prefix func - (a: BigFloat) -> BigFloat { a.negated }
}
