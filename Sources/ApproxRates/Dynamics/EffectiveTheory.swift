import Foundation
import PrecisionModule
import FileIOModule

/// The effective theory of representation learning (Liu et al. 2022, section 4): gradient flow of
/// the effective loss on the embeddings alone,
///
///   ℓ_eff(E) = ℓ₀(E)/Z₀(E),  ℓ₀ = (1/|P|) Σ_{(a,b,c,d) ∈ P} ‖E_a + E_b − E_c − E_d‖²,  Z₀ = Σ_k ‖E_k‖²,
///
/// with P the training set's parallelograms P₀(D) (the paper's; ``Variant/training``) or all
/// parallelograms of the full set without the 1/|P| (the released code's; ``Variant/all``).
///
/// Write ℓ₀ = Σ_columns Eᵀ M E with M = AᵀA/|P| (A the equations' matrix). Along the flow
/// dE/dt = −∇ℓ_eff = −(2/Z₀)(M − ℓ_eff)E the norm Z₀ and the mean are conserved, and the
/// direction of E follows the linear flow exactly: E(t) ∝ exp(−2Mt/Z₀) E(0). Since the RQI
/// standardises, it is read from exp(−2Mt/Z₀)E(0) directly, at any t, with no time stepping: this
/// type diagonalises M once (Jacobi) and evaluates that closed form. One step of η on the network's
/// embeddings corresponds to t = η (the released code steps E ← E − η∇ℓ_eff).
public struct EffectiveTheory: Sendable {
    /// Which parallelograms enter ℓ₀.
    public enum Variant: String, Sendable, Codable, CaseIterable {
        /// P₀(D), divided by |P₀(D)| (the paper).
        case training
        /// All parallelograms of the full set, not divided (the released code's Task 3).
        case all
    }

    /// p and the variant.
    public let p: Int, variant: Variant
    /// Eigenvalues of M, increasing (the first two are 0 up to rounding: translation and scale).
    public let eigenvalues: [Double]
    /// Unit eigenvectors, in the same order.
    public let eigenvectors: [[Double]]
    /// Number of parallelograms in ℓ₀.
    public let equationCount: Int

    /// The theory of `task`'s training set.
    public init(task: AdditionTask, variant: Variant = .training) {
        p = task.p; self.variant = variant
        let pairs = variant == .training ? task.trainingParallelograms : task.examplePairsWithEqualSums
        equationCount = pairs.count
        var m = [[Double]](repeating: [Double](repeating: 0, count: task.p), count: task.p)
        let norm = variant == .training ? 1 / Double(Swift.max(1, pairs.count)) : 1
        for (k, l) in pairs {
            let row = task.equation(k, l)
            for i in 0..<task.p where row[i] != 0 { for j in 0..<task.p where row[j] != 0 { m[i][j] += Double(row[i] * row[j]) * norm } }
        }
        let eigen = SymmetricEigen(m)
        eigenvalues = eigen.values.reversed()
        eigenvectors = eigen.vectors.reversed()
    }

    /// The third-smallest eigenvalue λ₃ of M: the slowest non-trivial mode (0 when the training set
    /// leaves more than translation and scale free).
    public var lambda3: Double { eigenvalues.count > 2 ? Swift.max(0, eigenvalues[2]) : 0 }

    /// The Hessian of ℓ_eff on standardised embeddings (Z₀ = p − 1 per dimension) along the slowest
    /// mode, 2λ₃/(p − 1), and the predicted number of steps to structure at embedding learning rate
    /// η: 1/(η · 2λ₃/(p − 1)) (infinite when λ₃ = 0).
    public func stepsToStructure(learningRate eta: Double) -> Double {
        let h = 2 * lambda3 / Double(p - 1)
        return h > 0 ? 1 / (eta * h) : .infinity
    }

    /// exp(−2Mt/Z₀) E₀ for embeddings E₀ (p × e row-major): the direction of the flow at time t
    /// (the flow's own E(t) is this rescaled to E₀'s norm about its mean, which RQI cannot see).
    public func evolve(_ e0: [Double], dimension e: Int, time t: Double) -> [Double] {
        var z0 = 0.0
        for c in 0..<e {
            var mean = 0.0
            for k in 0..<p { mean += e0[k * e + c] }
            mean /= Double(p)
            for k in 0..<p { z0 += (e0[k * e + c] - mean) * (e0[k * e + c] - mean) }
        }
        var out = [Double](repeating: 0, count: p * e)
        guard z0 > 0 else { return e0 }
        for (lambda, v) in zip(eigenvalues, eigenvectors) {
            let decay = Foundation.exp(-2 * Swift.max(0, lambda) * t / z0)
            for c in 0..<e {
                var proj = 0.0
                for k in 0..<p { proj += v[k] * e0[k * e + c] }
                for k in 0..<p { out[k * e + c] += decay * proj * v[k] }
            }
        }
        return out
    }

    /// The first time at which the RQI of the flow from `e0` exceeds `threshold`, found on a grid
    /// of 40 points per decade from 10⁻² to `horizon` and refined by bisection to 0.1 %; nil if it
    /// does not within `horizon`. Also returns the RQI at `horizon`.
    public func timeToQuality(from e0: [Double], dimension e: Int, quality: RepresentationQuality, threshold: Double,
                              horizon: Double) -> (time: Double?, final: Double) {
        let rqi: (Double) -> Double = { quality.index(evolve(e0, dimension: e, time: $0)) }
        if rqi(0) > threshold { return (0, rqi(horizon)) }
        var previous = 0.0, t = 1e-2
        while t <= horizon * (1 + 1e-12) {
            if rqi(t) > threshold {
                var lo = previous, hi = t
                while hi - lo > 1e-3 * hi { let mid = (lo + hi) / 2; if rqi(mid) > threshold { hi = mid } else { lo = mid } }
                return (hi, rqi(horizon))
            }
            previous = t
            t = t == horizon ? .infinity : Swift.min(horizon, t * Foundation.pow(10, 1.0 / 40))
        }
        return (nil, rqi(horizon))
    }
}
