import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// Exact gadgets of ReLU^k networks (σ_k(t) = max(0, t)^k, k ≥ 2; reference notes section 3.7).
/// Unlike ReLU, a power unit multiplies: squares and products are exact identities, so a ReLU^k
/// network computes polynomials and splines with no approximation error at all, and the Taylor
/// construction of the shallow phase loses no log factor. Every weight and bias written here is a
/// dyadic rational with a few bits for k = 2 (exact at any precision ≥ 64, so the only rounding
/// is that of the evaluation: relative 2^-P per operation, large only where big terms cancel);
/// for k ≥ 3 the factors 1/k! are rounded once to the builder's precision.
extension CircuitBuilder {
    /// σ_k(form): one unit (k = 1 is a ReLU).
    public func reluPower(_ k: Int, _ form: Form) -> Form {
        precondition(k >= 1)
        return unit(k == 1 ? .relu : .reluPower(k), form)
    }

    /// u^k = σ_k(u) + (−1)^k σ_k(−u), exact for every u: 2 units, one layer.
    public func monomial(_ u: Form, power k: Int) -> Form {
        precondition(k >= 2)
        return combine([(1.0, reluPower(k, u)), (k % 2 == 0 ? 1.0 : -1.0, reluPower(k, combine([(-1.0, u)])))])
    }

    /// u², exact for every u, from σ_k units: the central (k − 2)-th difference of v ↦ v^k,
    ///
    ///   D(u) = Σ_{j=0}^{k−2} (−1)^j C(k−2, j) (u + (k − 2)/2 − j)^k = (k!/2) u² + D(0),
    ///
    /// (the odd powers of u cancel by symmetry), so u² = (D(u) − D(0))·2/k!. k = 2 is
    /// σ₂(u) + σ₂(−u): 2 units; in general 2(k − 1) units, one layer. The shifts are multiples
    /// of ½ and D(0) is dyadic; 2/k! is rounded once to the builder's precision for k ≥ 3
    /// (k! has the factor 3), so the identity is exact for k = 2 and within 2^-P relative above.
    public func square(_ u: Form, power k: Int) -> Form {
        precondition((2...8).contains(k))
        if k == 2 { return monomial(u, power: 2) }
        var parts: [(Double, Form)] = []
        var offset = 0.0
        for j in 0...(k - 2) {
            let shift = Double(k - 2) / 2 - Double(j)
            let c = Double(binomial(k - 2, j)) * (j % 2 == 0 ? 1 : -1)
            parts.append((c, monomial(combine([(1.0, u)], constant: shift), power: k)))
            offset += c * pow(shift, Double(k))
        }
        let s = BigFloat(2, precision: precision).divided(by: BigFloat(factorial(k), precision: precision), precision: precision)
        return combine(parts.map { (s.multiplied(by: number($0.0), precision: precision), $0.1) },
                       constant: s.multiplied(by: number(-offset), precision: precision))
    }

    /// x·y = ((x + y)² − (x − y)²)/4, exact for every x, y: 4(k − 1) units, one layer.
    public func product(_ x: Form, _ y: Form, power k: Int) -> Form {
        let plus = square(combine([(1.0, x), (1.0, y)]), power: k)
        let minus = square(combine([(1.0, x), (-1.0, y)]), power: k)
        return combine([(0.25, plus), (-0.25, minus)])
    }

    /// The centred cardinal B-spline of degree k,
    ///
    ///   B_k(t) = (1/k!) Σ_{j=0}^{k+1} (−1)^j C(k+1, j) σ_k(t + (k + 1)/2 − j),
    ///
    /// supported on |t| ≤ (k + 1)/2, with Σ_m B_k(t − m) = 1 for every t (the partition of
    /// unity): k + 2 units, one layer. Off its support it is 0 by cancellation (a polynomial
    /// identity), so the evaluation leaves a rounding residue of relative size 2^-P there. The
    /// coefficients C(k+1, j)/k! are dyadic for k = 2 and rounded once to the builder's
    /// precision above.
    public func bSpline(_ t: Form, power k: Int) -> Form {
        precondition((2...8).contains(k))
        let half = Double(k + 1) / 2
        let parts: [(BigFloat, Form)] = (0...(k + 1)).map { j in
            let c = BigFloat(binomial(k + 1, j) * (j % 2 == 0 ? 1 : -1), precision: precision)
                .divided(by: BigFloat(factorial(k), precision: precision), precision: precision)
            return (c, reluPower(k, combine([(1.0, t)], constant: half - Double(j))))
        }
        return combine(parts)
    }
}

func binomial(_ n: Int, _ k: Int) -> Int {
    guard k >= 0, k <= n else { return 0 }
    var r = 1
    for i in 0..<k { r = r * (n - i) / (i + 1) }
    return r
}

func factorial(_ n: Int) -> Int { n <= 1 ? 1 : (2...n).reduce(1, *) }
