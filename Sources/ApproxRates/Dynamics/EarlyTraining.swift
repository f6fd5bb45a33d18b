import Foundation
import PrecisionModule
import FileIOModule

/// The settings of one early-training run (Kalra & Barkeshli 2023, section 2 of the team's notes):
/// SGD with constant η = c/λ₀ from a seeded initialisation, the loss on the whole training set and
/// the sharpness λ_t on a fixed measurement set recorded every ``sharpnessEvery`` steps.
public struct EarlyTrainingSettings: Sendable, Codable, Hashable {
    /// Steps in the window t = 1…T in which catapults are looked for.
    public var steps: Int = 10
    /// Examples per SGD step; 0 means full batch (gradient descent).
    public var batchSize: Int = 0
    /// Examples of the fixed set on which λ₀ and every λ_t are measured (the first ones).
    public var measurementSize: Int = 512
    /// λ_t is measured at t = k, 2k, … (and at the end).
    public var sharpnessEvery: Int = 1
    /// Lanczos products for λ₀ (cold start).
    public var initialLanczosSteps: Int = 20
    /// Lanczos products for λ_t, warm-started from the previous Ritz vector.
    public var warmLanczosSteps: Int = 8
    /// Lanczos stops early once its residual bound is below this.
    public var lanczosTolerance: Double = 1e-4
    /// A sharpness catapult is λ_t/λ₀ > 1 + this (the estimate moves by O(1/width) at small c).
    public var sharpnessTolerance: Double = 0.02
    /// A loss catapult is L_t/L₀ > 1 + this.
    public var lossTolerance: Double = 0
    /// Divergence: L_t > this · L₀, or a non-finite loss (a relative cap).
    public var divergenceCap: Double = 1e5
    /// The loss trained and measured (MSE, as in the paper, or cross-entropy).
    public var loss: TrainingLoss = .mse
    /// Stop measuring λ_t in a run once its sharpness catapult has been seen (λ_t > (1 + tol) λ₀):
    /// the run's c_sharp verdict is then settled, and the Lanczos products are most of a run's cost.
    public var stopSharpnessAfterCatapult: Bool = true

    /// The defaults.
    public init() {}
}

/// What one run at one c did.
public struct EarlyTrainingRun: Sendable, Codable {
    /// c = η λ₀.
    public let c: Double
    /// η.
    public let learningRate: Double
    /// λ₀ (on the measurement set).
    public let sharpness0: Double
    /// L₀ (whole training set).
    public let loss0: Double
    /// L_t for t = 1… (stops at divergence; a non-finite L_t is stored as the largest double).
    public let losses: [Double]
    /// (t, λ_t, Lanczos residual) where measured.
    public let sharpness: [SharpnessSample]
    /// L_t exceeded the cap or was not finite.
    public let diverged: Bool

    /// max_t L_t / L₀ > 1 + tolerance, or diverged.
    public func lossCatapult(_ s: EarlyTrainingSettings) -> Bool {
        diverged || losses.contains { $0 > loss0 * (1 + s.lossTolerance) }
    }
    /// max_t λ_t / λ₀ > 1 + tolerance, or diverged.
    public func sharpnessCatapult(_ s: EarlyTrainingSettings) -> Bool {
        diverged || sharpness.contains { $0.value > sharpness0 * (1 + s.sharpnessTolerance) }
    }
    /// The early regime, in Kalra & Barkeshli's names.
    public func regime(_ s: EarlyTrainingSettings) -> String {
        if diverged { return "divergence" }
        if sharpnessCatapult(s) { return "sharpness catapult" }
        if lossCatapult(s) { return "loss catapult" }
        if let last = sharpness.last, last.value < sharpness0 * (1 - s.sharpnessTolerance) { return "sharpness reduction" }
        return "lazy"
    }
}

/// One sharpness measurement.
public struct SharpnessSample: Sendable, Codable {
    /// The step t (0 = initialisation).
    public let step: Int
    /// λ_t.
    public let value: Double
    /// ‖Hy − λy‖/|λ| of the Ritz vector.
    public let residual: Double
}

/// The sharpness in the intermediate saturation regime of one run: λ_τ at the step τ = ⌈K/c⌉,
/// the same learning-rate-scaled time cτ ≈ K for every c (Kalra & Barkeshli's "cτ = K").
public struct SaturationSample: Sendable, Codable, Hashable {
    /// c = ηλ₀.
    public let c: Double
    /// K of cτ = K.
    public let k: Double
    /// τ = ⌈K/c⌉.
    public let step: Int
    /// λ_τ (nil when the run diverged before τ).
    public let sharpness: Double?
    /// λ_τ/λ₀.
    public let ratio: Double?
    /// Lanczos residual of λ_τ.
    public let residual: Double?
    /// L_τ/L₀.
    public let lossRatio: Double?
    /// Whether the run diverged before τ.
    public let diverged: Bool
}

/// One network and seed, ready to be trained at any c: θ₀, λ₀ and L₀ are computed once.
public final class EarlyTrainingProbe {
    /// The network.
    public let model: any TrainableModel
    /// The training set.
    public let data: TrainingData
    /// The measurement set (the first ``EarlyTrainingSettings/measurementSize`` examples).
    public let measurement: TrainingData
    /// The settings.
    public let settings: EarlyTrainingSettings
    /// The seed of the initialisation and of the SGD order.
    public let seed: UInt64
    /// θ₀.
    public let initial: [Double]
    /// λ₀ with its residual.
    public let sharpness0: TopEigenvalue
    /// L₀ on the training set.
    public let loss0: Double

    let engine: any TrainingEngine

    /// A fully connected network (or the uv model): ``init(model:data:settings:seed:)``.
    public convenience init(architecture: MLPArchitecture, data: TrainingData, settings: EarlyTrainingSettings, seed: UInt64) {
        self.init(model: architecture, data: data, settings: settings, seed: seed)
    }

    /// Initialises the network for `seed` and measures λ₀ and L₀.
    public init(model: any TrainableModel, data: TrainingData, settings: EarlyTrainingSettings, seed: UInt64) {
        precondition(data.inputDimension == model.inputs && data.outputDimension == model.outputs)
        self.model = model
        self.data = data
        self.settings = settings
        self.seed = seed
        measurement = data.prefix(settings.measurementSize)
        engine = model.makeEngine(capacity: data.count, loss: settings.loss)
        initial = model.initialParameters(seed: seed)
        var rng = SplitMix64(seed: seed ^ DefaultSeed.sharpnessProbe)
        let start = (0..<model.parameterCount).map { _ in Double.random(in: -1...1, using: &rng) }
        sharpness0 = EarlyTrainingProbe.sharpness(engine, initial, measurement, start: start, steps: settings.initialLanczosSteps, tolerance: settings.lanczosTolerance)
        loss0 = engine.loss(initial, inputs: data.inputs, targets: data.targets, count: data.count)
    }

    static func sharpness(_ engine: any TrainingEngine, _ theta: [Double], _ set: TrainingData, start: [Double], steps: Int, tolerance: Double) -> TopEigenvalue {
        Lanczos.top(dimension: theta.count, start: start, maximumSteps: steps, tolerance: tolerance) { v, out in
            engine.hessianVectorProduct(theta, inputs: set.inputs, targets: set.targets, count: set.count, vector: v, product: out)
        }
    }

    /// Trains from θ₀ with η = c/λ₀ for ``EarlyTrainingSettings/steps`` steps (stopping at
    /// divergence). Deterministic: the seed fixes θ₀, the Lanczos start and the SGD order.
    public func run(c: Double) -> EarlyTrainingRun {
        var state = start(c: c)
        advance(&state, until: settings.steps)
        return state.run
    }

    /// The state before step 1 of a run at `c`.
    public func start(c: Double) -> TrainingState {
        TrainingState(c: c, learningRate: c / sharpness0.value, step: 0, theta: initial,
                      losses: [], sharpness: [SharpnessSample(step: 0, value: sharpness0.value, residual: sharpness0.residual)],
                      warm: sharpness0.vector, order: Array(0..<data.count), rngState: SplitMix64(seed: seed ^ 0x0DE5_0DE5).state,
                      position: data.count, diverged: false, sharpness0: sharpness0.value, loss0: loss0)
    }

    /// The intermediate-saturation sharpness of a run at `c`: trains to τ = ⌈K/c⌉ steps (past the
    /// early window if need be) and measures λ_τ there only, warm-started from λ₀'s vector with
    /// the cold-start budget (the Ritz vector of λ₀ may be far from that of λ_τ).
    public func saturation(c: Double, k: Double) -> SaturationSample {
        let tau = Swift.max(1, Int((k / c).rounded(.up)))
        var state = start(c: c)
        advance(&state, until: tau, measuringAt: { _ in false })
        guard !state.diverged else {
            return SaturationSample(c: c, k: k, step: tau, sharpness: nil, ratio: nil, residual: nil, lossRatio: nil, diverged: true)
        }
        let e = EarlyTrainingProbe.sharpness(engine, state.theta, measurement, start: state.warm, steps: settings.initialLanczosSteps,
                                             tolerance: settings.lanczosTolerance)
        return SaturationSample(c: c, k: k, step: tau, sharpness: e.value, ratio: e.value / sharpness0.value, residual: e.residual,
                                lossRatio: (state.losses.last ?? loss0) / loss0, diverged: false)
    }

    /// Takes steps until `state.step` reaches `last` (at most ``EarlyTrainingSettings/steps``) or
    /// the run diverges, measuring λ_t every ``EarlyTrainingSettings/sharpnessEvery`` steps and at
    /// the end of the window. A state saved between calls and resumed gives the same bits as one call.
    public func advance(_ state: inout TrainingState, until last: Int) {
        let s = settings
        let threshold = state.sharpness0 * (1 + s.sharpnessTolerance)
        var caught = s.stopSharpnessAfterCatapult && state.sharpness.contains { $0.value > threshold }
        advance(&state, until: Swift.min(last, s.steps), measuringAt: { t in !caught && (t % s.sharpnessEvery == 0 || t == s.steps) },
                measured: { sample in if s.stopSharpnessAfterCatapult && sample.value > threshold { caught = true } })
    }

    /// Takes steps until `state.step` reaches `last` or the run diverges, measuring λ_t after the
    /// steps t where `measuringAt(t)` holds.
    func advance(_ state: inout TrainingState, until last: Int, measuringAt: (Int) -> Bool, measured: (SharpnessSample) -> Void = { _ in }) {
        let s = settings, p = model.parameterCount
        let eta = state.learningRate
        var gradient = [Double](repeating: 0, count: p)
        let n = data.count, din = data.inputDimension, k = data.outputDimension
        let batch = s.batchSize <= 0 || s.batchSize >= n ? n : s.batchSize
        var rng = SplitMix64(seed: 0)
        rng.state = state.rngState
        var bx = [Double](repeating: 0, count: batch * din), by = [Double](repeating: 0, count: batch * k)
        while !state.diverged && state.step < last {
            let t = state.step + 1
            if batch == n {
                engine.lossAndGradient(state.theta, inputs: data.inputs, targets: data.targets, count: n, gradient: &gradient)
            } else {
                if state.position + batch > n { state.order.shuffle(using: &rng); state.position = 0 }
                for (r, i) in state.order[state.position..<(state.position + batch)].enumerated() {
                    for j in 0..<din { bx[r * din + j] = data.inputs[i * din + j] }
                    for j in 0..<k { by[r * k + j] = data.targets[i * k + j] }
                }
                state.position += batch
                engine.lossAndGradient(state.theta, inputs: bx, targets: by, count: batch, gradient: &gradient)
            }
            state.theta.withUnsafeMutableBufferPointer { th in for i in 0..<p { th[i] -= eta * gradient[i] } }
            state.step = t
            let loss = engine.loss(state.theta, inputs: data.inputs, targets: data.targets, count: n)
            // A non-finite loss is kept as the largest double, so that runs stay valid JSON.
            state.losses.append(loss.isFinite ? loss : .greatestFiniteMagnitude)
            if !loss.isFinite || loss > s.divergenceCap * loss0 { state.diverged = true; break }
            if measuringAt(t) {
                let e = EarlyTrainingProbe.sharpness(engine, state.theta, measurement, start: state.warm, steps: s.warmLanczosSteps, tolerance: s.lanczosTolerance)
                let sample = SharpnessSample(step: t, value: e.value, residual: e.residual)
                state.sharpness.append(sample)
                state.warm = e.vector
                measured(sample)
            }
        }
        state.rngState = rng.state
    }
}

/// Everything a run needs to go on from step ``step``: θ, the record so far, the warm-start
/// vector and the SGD order. Saved as JSON, it lets a long run be interrupted and resumed
/// (`approx-cli dynamics long --checkpoint`).
public struct TrainingState: Sendable, Codable {
    /// c = ηλ₀.
    public let c: Double
    /// η.
    public let learningRate: Double
    /// Steps taken.
    public var step: Int
    /// θ after ``step`` steps.
    public var theta: [Double]
    /// L_1 … L_step.
    public var losses: [Double]
    /// The sharpness samples so far (step 0 first).
    public var sharpness: [SharpnessSample]
    /// The last Ritz vector.
    public var warm: [Double]
    /// The current SGD permutation.
    public var order: [Int]
    /// The SGD generator's state.
    public var rngState: UInt64
    /// Position in ``order``.
    public var position: Int
    /// Whether the run diverged.
    public var diverged: Bool
    /// λ₀.
    public let sharpness0: Double
    /// L₀.
    public let loss0: Double

    /// The run so far.
    public var run: EarlyTrainingRun {
        EarlyTrainingRun(c: c, learningRate: learningRate, sharpness0: sharpness0, loss0: loss0, losses: losses,
                         sharpness: sharpness, diverged: diverged)
    }
}
