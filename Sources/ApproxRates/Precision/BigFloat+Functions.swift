import CMPFR

/// The elementary functions that targets and activations need, each correctly rounded by MPFR
/// to the precision of its argument (or the one given) in the direction given.
extension BigFloat {
    private func unary(_ precision: Precision?, _ rounding: Rounding,
                       _ op: (mpfr_ptr?, mpfr_srcptr?, mpfr_rnd_t) -> Int32) -> BigFloat {
        BigFloat(precision: precision ?? self.precision, exactInputs: isExact) { r in withMPFR { op(r, $0, rounding.mpfr) } }
    }

    /// Square root (NaN for negative arguments).
    public func squareRoot(precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat { unary(precision, rounding, mpfr_sqrt) }
    /// Absolute value (exact at the argument's precision).
    public func magnitude(precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat { unary(precision, rounding, mpfr_abs) }
    /// Sine of an angle in radians.
    public func sin(precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat { unary(precision, rounding, mpfr_sin) }
    /// Cosine of an angle in radians.
    public func cos(precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat { unary(precision, rounding, mpfr_cos) }
    /// arcsin(self) in [−π/2, π/2], correctly rounded (NaN outside [−1, 1]).
    public func arcsin(precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat { unary(precision, rounding, mpfr_asin) }
    /// Natural exponential.
    public func exp(precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat { unary(precision, rounding, mpfr_exp) }
    /// Natural logarithm (NaN for negative arguments, -inf at 0).
    public func log(precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat { unary(precision, rounding, mpfr_log) }

    /// The largest integer not above the value. Uses `mpfr_rint_floor`, so the result is the
    /// floor correctly rounded to `precision` (exact at the argument's own precision, which is
    /// what bit extraction relies on); `mpfr_floor` would round a second time.
    public func floor(precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat { unary(precision, rounding, mpfr_rint_floor) }

    /// `self ^ exponent` for a real exponent (MPFR's `mpfr_pow` conventions for special cases).
    public func pow(_ exponent: BigFloat, precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat {
        let p = precision ?? Precision.max(self.precision, exponent.precision)
        return BigFloat(precision: p, exactInputs: isExact && exponent.isExact) { r in
            withMPFR { a in exponent.withMPFR { b in mpfr_pow(r, a, b, rounding.mpfr) } }
        }
    }

    /// `self ^ exponent` for an integer exponent.
    public func pow(_ exponent: Int, precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat {
        BigFloat(precision: precision ?? self.precision, exactInputs: isExact) { r in withMPFR { mpfr_pow_si(r, $0, exponent, rounding.mpfr) } }
    }

    /// The larger of two values (the non-NaN one if one is NaN).
    public func maximum(_ other: BigFloat, precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat {
        let p = precision ?? Precision.max(self.precision, other.precision)
        return BigFloat(precision: p, exactInputs: isExact && other.isExact) { r in
            withMPFR { a in other.withMPFR { b in mpfr_max(r, a, b, rounding.mpfr) } }
        }
    }

    /// The smaller of two values (the non-NaN one if one is NaN).
    public func minimum(_ other: BigFloat, precision: Precision? = nil, rounding: Rounding = .nearest) -> BigFloat {
        let p = precision ?? Precision.max(self.precision, other.precision)
        return BigFloat(precision: p, exactInputs: isExact && other.isExact) { r in
            withMPFR { a in other.withMPFR { b in mpfr_min(r, a, b, rounding.mpfr) } }
        }
    }
}
