import CMPFR

/// A rounding direction for one MPFR operation. Round-to-nearest (ties to even) is the default
/// everywhere; the directed modes give rigorous one-sided bounds.
public enum Rounding: String, Sendable, CaseIterable {
    /// To nearest, ties to even (IEEE 754 roundTiesToEven): `MPFR_RNDN`.
    case nearest
    /// Toward minus infinity: `MPFR_RNDD`.
    case down
    /// Toward plus infinity: `MPFR_RNDU`.
    case up
    /// Toward zero: `MPFR_RNDZ`.
    case towardZero
    /// Away from zero: `MPFR_RNDA`.
    case awayFromZero

    /// The MPFR rounding constant.
    @inlinable
    public var mpfr: mpfr_rnd_t {
        switch self {
        case .nearest: return MPFR_RNDN
        case .down: return MPFR_RNDD
        case .up: return MPFR_RNDU
        case .towardZero: return MPFR_RNDZ
        case .awayFromZero: return MPFR_RNDA
        }
    }
}
