import Foundation

/// The Gaussian expectations of the soft-committee ODEs (Saad & Solla 1995; Veiga et al. 2022)
/// for the activation g(z) = erf(z/√2), with g′(z) = √(2/π) e^(−z²/2), in closed form.
///
/// Each takes the entries C_ij of the covariance of the Gaussian arguments (u₁, u₂, …), in the
/// order the formula names them. All are float64; the arcsine arguments are clamped to [−1, 1]
/// so that rounding cannot leave the domain (a covariance that is only positive semidefinite
/// up to rounding stays valid).
public enum ErfIntegrals {
    /// E[g(u₁) g(u₂)] = (2/π) arcsin(C12/√((1+C11)(1+C22))).
    @inline(__always)
    public static func i2(c11: Double, c12: Double, c22: Double) -> Double {
        (2 / Double.pi) * clampedArcsin(c12 / ((1 + c11) * (1 + c22)).squareRoot())
    }

    /// E[g′(u₁) u₂ g(u₃)] = (2/π) (C23(1+C11) − C12 C13) / ((1+C11) √Λ₃), with
    /// Λ₃ = (1+C11)(1+C33) − C13².
    @inline(__always)
    public static func i3(c11: Double, c12: Double, c13: Double, c23: Double, c33: Double) -> Double {
        let lambda3 = (1 + c11) * (1 + c33) - c13 * c13
        return (2 / Double.pi) * (c23 * (1 + c11) - c12 * c13) / ((1 + c11) * lambda3.squareRoot())
    }

    /// E[g′(u₁) g′(u₂) g(u₃) g(u₄)] = (4/(π²√Λ₄)) arcsin(Λ₀/√(Λ₁Λ₂)), with
    /// Λ₄ = (1+C11)(1+C22) − C12²,
    /// Λ₀ = Λ₄C34 − C23C24(1+C11) − C13C14(1+C22) + C12C13C24 + C12C14C23,
    /// Λ₁ = Λ₄(1+C33) − C23²(1+C11) − C13²(1+C22) + 2C12C13C23,
    /// Λ₂ = Λ₄(1+C44) − C24²(1+C11) − C14²(1+C22) + 2C12C14C24.
    @inline(__always)
    public static func i4(c11: Double, c12: Double, c22: Double, c13: Double, c14: Double, c23: Double, c24: Double,
                          c33: Double, c34: Double, c44: Double) -> Double {
        let lambda4 = (1 + c11) * (1 + c22) - c12 * c12
        let lambda1 = lambda4 * (1 + c33) - c23 * c23 * (1 + c11) - c13 * c13 * (1 + c22) + 2 * c12 * c13 * c23
        let lambda2 = lambda4 * (1 + c44) - c24 * c24 * (1 + c11) - c14 * c14 * (1 + c22) + 2 * c12 * c14 * c24
        let lambda0 = lambda4 * c34 - c23 * c24 * (1 + c11) - c13 * c14 * (1 + c22) + c12 * c13 * c24 + c12 * c14 * c23
        return 4 / (Double.pi * Double.pi * lambda4.squareRoot()) * clampedArcsin(lambda0 / (lambda1 * lambda2).squareRoot())
    }

    /// E[g′(u₁) g′(u₂)] = (2/π) (1 + C11 + C22 + C11C22 − C12²)^(−½).
    @inline(__always)
    public static func j2(c11: Double, c12: Double, c22: Double) -> Double {
        (2 / Double.pi) / (1 + c11 + c22 + c11 * c22 - c12 * c12).squareRoot()
    }

    /// arcsin(x) with x clamped to [−1, 1] (pitfall 1 of the reference notes: rounding can push the
    /// ratio just outside).
    @inline(__always)
    public static func clampedArcsin(_ x: Double) -> Double {
        Foundation.asin(Swift.max(-1, Swift.min(1, x)))
    }

    /// g(z) = erf(z/√2), the activation of teacher and student.
    @inline(__always)
    public static func g(_ z: Double) -> Double { Foundation.erf(z * 0.70710678118654752440) }

    /// g′(z) = √(2/π) e^(−z²/2).
    @inline(__always)
    public static func gPrime(_ z: Double) -> Double { 0.79788456080286535588 * Foundation.exp(-0.5 * z * z) }
}
