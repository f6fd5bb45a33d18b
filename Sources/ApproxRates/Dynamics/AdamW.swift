import CKernels
import Foundation
import PrecisionModule
import FileIOModule

/// Adam with decoupled weight decay (Loshchilov & Hutter), in PyTorch's order: each step first
/// decays, θ ← θ(1 − η·λ), then takes the Adam step
///
///   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
///   θ ← θ − (η/(1 − β₁ᵗ)) · m / (√v/√(1 − β₂ᵗ) + ε).
///
/// The moments are allocated once for `count` parameters; ``step(_:gradient:)`` works in place,
/// in the C loop of Sources/CKernels (vectorised, contraction off: the same bits on every machine).
/// Not thread-safe.
public final class AdamW {
    /// Learning rate η.
    public let learningRate: Double
    /// Decoupled weight decay λ (per unit of η: the decay factor per step is 1 − η·λ).
    public let weightDecay: Double
    /// β₁, β₂, ε.
    public let beta1: Double, beta2: Double, epsilon: Double
    /// Number of parameters.
    public let count: Int
    /// Steps taken.
    public private(set) var steps = 0
    let m: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Double>

    /// An optimiser with zero moments (PyTorch's defaults β = (0.9, 0.999), ε = 1e-8).
    public init(count: Int, learningRate: Double, weightDecay: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.count = count; self.learningRate = learningRate; self.weightDecay = weightDecay
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        m = .allocate(capacity: Swift.max(1, count)); v = .allocate(capacity: Swift.max(1, count))
        m.initialize(repeating: 0, count: Swift.max(1, count)); v.initialize(repeating: 0, count: Swift.max(1, count))
    }

    deinit { m.deallocate(); v.deallocate() }

    /// One step on `theta` with `gradient` (both `count` long).
    public func step(_ theta: UnsafeMutablePointer<Double>, gradient g: UnsafePointer<Double>) {
        steps += 1
        let t = Double(steps)
        let stepSize = learningRate / (1 - Foundation.pow(beta1, t))
        let inverseRoot2 = 1 / (1 - Foundation.pow(beta2, t)).squareRoot()
        let decay = 1 - learningRate * weightDecay
        ck_adamw(theta, m, v, g, count, decay, beta1, beta2, stepSize, inverseRoot2, epsilon)
    }
}
