import Foundation
import PrecisionModule
import FileIOModule

/// How a two-layer network is trained and what is measured at the end.
public struct TwoLayerTrainingSettings: Sendable, Codable, Hashable {
    /// Training stops when L = 1/(2n) Σ (f − y)² falls below this.
    public var tolerance: Double = 1e-6
    /// …or after this many accepted steps (the run is then marked not converged).
    public var maximumSteps: Int = 200_000
    /// c in η_t = c / λ_t, with λ_t the top eigenvalue of the Gauss–Newton matrix Jᵀ J / n at the
    /// current θ (recomputed every step). 1 takes the full Newton step along the top direction of
    /// the linearised model; 2 is its stability edge. A step that more than doubles the loss is
    /// undone and c halved (c doubles back, up to this value, after 100 accepted steps); smaller
    /// increases are accepted and counted, because halving on every increase stalls gradient
    /// descent at the kinks of the ReLU loss (c → 0 with the loss stuck near 1e-2 in the
    /// condensed regime; docs/dynamics-two-layer.md).
    public var stepFactor: Double = 1
    /// Undo and halve on every increase of the loss instead of only on a doubling (the strict
    /// rule; it stalls at the ReLU kinks, see ``stepFactor``; kept to show that).
    public var halveOnAnyIncrease: Bool = false
    /// Start from two mirrored copies of m/2 neurons (a, w, b) and (−a, w, b), so f ≡ 0 at
    /// initialisation (Luo et al.'s ASI; m must be even).
    public var antisymmetric: Bool = true
    /// Whether RD counts the biases b_k with the input weights w_k (Luo et al.'s θ_w does).
    public var biasInDistance: Bool = true

    /// The defaults: tolerance 1e-6, at most 200,000 steps, c = 1, antisymmetric, bias counted.
    public init() {}
}

/// The end of one training run of a two-layer network.
public struct TwoLayerRun: Sendable, Codable, Hashable {
    /// Accepted gradient steps.
    public let steps: Int
    /// Steps undone because the loss more than doubled or was not finite (each halves c; c
    /// doubles back after 100 accepted steps).
    public let rejected: Int
    /// Accepted steps that raised the loss (by less than a factor 2): GD zigzagging across the
    /// kinks of the ReLU loss surface.
    public let increases: Int
    /// Whether the loss fell below the tolerance.
    public let converged: Bool
    /// L at initialisation.
    public let loss0: Double
    /// L at the end.
    public let loss: Double
    /// Top Gauss–Newton eigenvalue λ = λ_max(K)/n at initialisation.
    public let sharpness0: Double
    /// …and at the end.
    public let sharpness: Double
    /// RD = ‖θ_w(T) − θ_w(0)‖/‖θ_w(0)‖ with θ_w = the input weights and, when the settings say
    /// so, the biases (the order parameter).
    public let relativeDistance: Double
    /// The same over the input weights w_k only.
    public let relativeDistanceWeights: Double
    /// The same over all parameters (a, w, b).
    public let relativeDistanceAll: Double

    /// A run's end as measured.
    public init(steps: Int, rejected: Int, increases: Int, converged: Bool, loss0: Double, loss: Double, sharpness0: Double, sharpness: Double,
                relativeDistance: Double, relativeDistanceWeights: Double, relativeDistanceAll: Double) {
        self.steps = steps; self.rejected = rejected; self.increases = increases; self.converged = converged
        self.loss0 = loss0; self.loss = loss; self.sharpness0 = sharpness0; self.sharpness = sharpness
        self.relativeDistance = relativeDistance; self.relativeDistanceWeights = relativeDistanceWeights; self.relativeDistanceAll = relativeDistanceAll
    }
}

/// Initialisation and gradient descent for ``TwoLayerReLU``.
public enum TwoLayerTraining {
    /// θ at initialisation: a_k ~ N(0, β₁²), each of (w_k, b_k) ~ N(0, β₂²), from SplitMix64(seed)
    /// through Box–Muller; with `antisymmetric`, neurons 2j and 2j + 1 share (w, b) and have output
    /// weights a and −a (m must be even).
    public static func initialParameters(engine: TwoLayerReLU, scaling: TwoLayerScaling, antisymmetric: Bool, seed: UInt64) -> [Double] {
        let m = engine.width, p = engine.inputDimension + 1
        precondition(!antisymmetric || m % 2 == 0, "an antisymmetric start needs an even width")
        var rng = SplitMix64(seed: seed)
        var gauss = GaussianSampler()
        var theta = [Double](repeating: 0, count: engine.parameterCount)
        let drawn = antisymmetric ? m / 2 : m
        for j in 0..<drawn {
            let k = antisymmetric ? 2 * j : j
            theta[k] = scaling.beta1 * gauss.next(using: &rng)
            for c in 0..<p { theta[m + k * p + c] = scaling.beta2 * gauss.next(using: &rng) }
            if antisymmetric {
                theta[k + 1] = -theta[k]
                for c in 0..<p { theta[m + (k + 1) * p + c] = theta[m + k * p + c] }
            }
        }
        return theta
    }

    /// Trains from `initial` by gradient descent with η_t = c/λ_t (see
    /// ``TwoLayerTrainingSettings/stepFactor``): a step that more than doubles the loss (or makes
    /// it non-finite) is undone and c halved; after 100 accepted steps c doubles, up to its
    /// setting. Stops at the tolerance, after the step budget, or when c falls below 1e-12 (not
    /// converged). `progress` is called every 1,000 steps with (step, loss). Returns the run and θ(T).
    public static func train(engine: TwoLayerReLU, scaling: TwoLayerScaling, settings: TwoLayerTrainingSettings, initial: [Double],
                             progress: ((Int, Double) -> Void)? = nil) -> (run: TwoLayerRun, final: [Double]) {
        let count = engine.parameterCount
        var theta = initial
        var trial = initial
        var gradient = [Double](repeating: 0, count: count)
        let alpha = scaling.alpha
        let n = Double(engine.count)
        var loss = theta.withUnsafeBufferPointer { engine.loss($0.baseAddress!, alpha: alpha) }
        let loss0 = loss
        let sharpness0 = theta.withUnsafeBufferPointer { engine.topKernelEigenvalue($0.baseAddress!, alpha: alpha) } / n
        var sharpness = sharpness0
        var c = settings.stepFactor
        var steps = 0, rejected = 0, increases = 0, streak = 0
        var converged = loss < settings.tolerance
        while !converged && steps < settings.maximumSteps && c >= 1e-12 && loss.isFinite {
            theta.withUnsafeBufferPointer { t in
                engine.gradient(t.baseAddress!, alpha: alpha, into: &gradient)
                sharpness = engine.topKernelEigenvalue(t.baseAddress!, alpha: alpha) / n
            }
            guard sharpness > 0, sharpness.isFinite else { break }
            let eta = c / sharpness
            for i in 0..<count { trial[i] = theta[i] - eta * gradient[i] }
            let next = trial.withUnsafeBufferPointer { engine.loss($0.baseAddress!, alpha: alpha) }
            if next.isFinite && next <= (settings.halveOnAnyIncrease ? loss : 2 * loss) {
                if next > loss { increases += 1 }; streak += 1
                swap(&theta, &trial)
                loss = next
                steps += 1
                if streak >= 100 && c < settings.stepFactor { c = Swift.min(settings.stepFactor, 2 * c); streak = 0 }
                converged = loss < settings.tolerance
                if steps % 1000 == 0 { progress?(steps, loss) }
            } else {
                rejected += 1; streak = 0
                c /= 2
                theta.withUnsafeBufferPointer { _ = engine.loss($0.baseAddress!, alpha: alpha) }   // restore the state at θ
            }
        }
        if converged { sharpness = theta.withUnsafeBufferPointer { engine.topKernelEigenvalue($0.baseAddress!, alpha: alpha) } / n }
        let m = engine.width, p = engine.inputDimension + 1
        func distance(_ include: (Int) -> Bool) -> Double {
            var moved = 0.0, start = 0.0
            for i in 0..<count where include(i) {
                let d = theta[i] - initial[i]
                moved += d * d; start += initial[i] * initial[i]
            }
            return (moved / start).squareRoot()
        }
        let withBias = distance { $0 >= m }
        let weights = distance { $0 >= m && ($0 - m) % p != p - 1 }
        let run = TwoLayerRun(steps: steps, rejected: rejected, increases: increases, converged: converged, loss0: loss0, loss: loss,
                              sharpness0: sharpness0, sharpness: sharpness,
                              relativeDistance: settings.biasInDistance ? withBias : weights, relativeDistanceWeights: weights,
                              relativeDistanceAll: distance { _ in true })
        return (run, theta)
    }
}
