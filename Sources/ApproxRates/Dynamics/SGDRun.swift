import Foundation
import PrecisionModule
import FileIOModule

/// One online SGD run of the soft-committee experiments: a scaling, a dimension, a seed, and the
/// rescaled times at which the exact risk is recorded.
public struct SGDRunSpec: Sendable, Codable, Hashable {
    /// δ, κ, γ₀, p₀.
    public var scaling: SGDScaling
    /// Teacher units k.
    public var k: Int
    /// Label-noise variance Δ.
    public var labelNoise: Double
    /// Input dimension d.
    public var dimension: Int
    /// The sample stream's seed.
    public var seed: UInt64
    /// The seed of the initial weights (with ``initialisation``).
    public var initialSeed: UInt64
    /// The start.
    public var initialisation: CommitteeInitialisation
    /// Rescaled times t = ν/d^(1+ϑ) at which to record, increasing, the first 0.
    public var times: [Double]

    /// A run.
    public init(scaling: SGDScaling, k: Int, labelNoise: Double, dimension: Int, seed: UInt64, initialSeed: UInt64,
                initialisation: CommitteeInitialisation, times: [Double]) {
        self.scaling = scaling; self.k = k; self.labelNoise = labelNoise; self.dimension = dimension; self.seed = seed
        self.initialSeed = initialSeed; self.initialisation = initialisation; self.times = times
    }

    /// Student width p at this d.
    public var width: Int { scaling.width(dimension: dimension) }

    /// "δ=…,κ=…|d=…|seed=…": unique within a plan.
    public var key: String { "\(SGDRunSpec.pointKey(scaling))|d=\(dimension)|seed=\(seed)" }

    /// The (δ, κ) part of a key.
    public static func pointKey(_ s: SGDScaling) -> String { "delta=\(s.delta),kappa=\(s.kappa)" }

    /// The SGD steps at which the run records (``steps(times:perUnitTime:)`` at this d).
    public var steps: [Int] { SGDRunSpec.steps(times: times, perUnitTime: scaling.stepsPerUnitTime(dimension: dimension)) }

    /// The SGD steps of rescaled `times` at `unit` steps per unit of t: round(t·unit), made
    /// non-decreasing (two times closer than one step record the same state).
    public static func steps(times: [Double], perUnitTime unit: Double) -> [Int] {
        var out: [Int] = [], last = 0
        for t in times {
            last = Swift.max(last, Int((t * unit).rounded()))
            out.append(last)
        }
        return out
    }

    /// A cost estimate in floating-point operations: steps × d × (3(p + k) + 8) (the product,
    /// the rank-one update and the Gaussian draws).
    public var cost: Double {
        Double(steps.last ?? 0) * Double(dimension) * (3 * Double(width + k) + 8)
    }
}

/// What one run measured.
public struct SGDRunRecord: Sendable, Codable {
    /// The fingerprint of the plan it belongs to.
    public let plan: String
    /// ``SGDRunSpec/key``.
    public let key: String
    /// δ, κ.
    public let delta: Double, kappa: Double
    /// d, p, the sample seed.
    public let dimension: Int, width: Int, seed: UInt64
    /// γ at this d, and d^(1+ϑ).
    public let learningRate: Double, stepsPerUnitTime: Double
    /// SGD steps at the recording points (the first is 0).
    public let steps: [Int]
    /// Rescaled times of those steps: steps/d^(1+ϑ).
    public let times: [Double]
    /// The exact risk R(Q, M, P) at each recording point.
    public let risks: [Double]
    /// Q₁₁ (student unit 1's squared norm over d) at each recording point: one order parameter, for
    /// the concentration test.
    public let selfOverlap: [Double]
    /// Seconds of wall time.
    public let seconds: Double

    /// A record (the runner makes them; tests and tools may build their own).
    public init(plan: String, key: String, delta: Double, kappa: Double, dimension: Int, width: Int, seed: UInt64, learningRate: Double,
                stepsPerUnitTime: Double, steps: [Int], times: [Double], risks: [Double], selfOverlap: [Double], seconds: Double) {
        self.plan = plan; self.key = key; self.delta = delta; self.kappa = kappa; self.dimension = dimension; self.width = width; self.seed = seed
        self.learningRate = learningRate; self.stepsPerUnitTime = stepsPerUnitTime; self.steps = steps; self.times = times; self.risks = risks
        self.selfOverlap = selfOverlap; self.seconds = seconds
    }
}

/// Runs an ``SGDRunSpec``.
public enum SGDRunner {
    /// Runs `spec` and records it under `plan`. Uses OpenBLAS with whatever thread count is set.
    public static func run(_ spec: SGDRunSpec, plan: String) throws -> SGDRunRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        let p = spec.width, d = spec.dimension
        let (student, teacher) = try spec.initialisation.weights(p: p, k: spec.k, dimension: d, seed: spec.initialSeed)
        let gamma = spec.scaling.learningRate(dimension: d)
        let sgd = OnlineSGD(student: student, teacher: teacher, p: p, k: spec.k, dimension: d, learningRate: gamma,
                            labelNoise: spec.labelNoise, seed: spec.seed)
        let steps = spec.steps
        var risks: [Double] = [], selfOverlap: [Double] = []
        for s in steps {
            sgd.run(steps: s - sgd.steps)
            let o = sgd.overlaps
            let risk = o.risk
            // A run whose weights overflowed ends here; its record is shorter than the grid, and the
            // summaries leave it out (they count complete seeds).
            guard risk.isFinite, o.q[0].isFinite else { break }
            risks.append(risk); selfOverlap.append(o.q[0])
        }
        let unit = spec.scaling.stepsPerUnitTime(dimension: d)
        let n = risks.count
        return SGDRunRecord(plan: plan, key: spec.key, delta: spec.scaling.delta, kappa: spec.scaling.kappa, dimension: d, width: p, seed: spec.seed,
                            learningRate: gamma, stepsPerUnitTime: unit, steps: Array(steps[0..<n]), times: steps[0..<n].map { Double($0) / unit },
                            risks: risks, selfOverlap: selfOverlap,
                            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Runs `todo` with `workers` threads (one OpenBLAS thread each), appending each record to
    /// `journal` as it finishes (``JournaledJobs``); `onRecord` sees each new record with the
    /// count finished (including `finished`) and `total`. A run that throws stops the batch.
    public static func run(_ todo: [SGDRunSpec], plan: String, workers: Int, finished: [SGDRunRecord], total: Int,
                           journal: JSONLinesJournal<SGDRunRecord>,
                           onRecord: @escaping @Sendable (SGDRunRecord, Int, Int) -> Void) throws -> [SGDRunRecord] {
        // Every spec is checked before the batch, so a run cannot fail halfway through it.
        for spec in todo { try spec.initialisation.validate(p: spec.width, k: spec.k, dimension: spec.dimension) }
        BLASThreads.use(1)
        return try JournaledJobs.run(todo, workers: workers, finished: finished, total: total, journal: journal,
                                     work: { spec in (try? SGDRunner.run(spec, plan: plan)) ?? SGDRunRecord.failed(spec, plan: plan) },
                                     onRecord: onRecord)
    }

    /// The records of `plan` in `journals`, one per key (the first).
    public static func records(plan: String, in journals: [JSONLinesJournal<SGDRunRecord>]) throws -> [SGDRunRecord] {
        var seen = Set<String>(), out: [SGDRunRecord] = []
        for j in journals { for r in try j.read() where r.plan == plan && !seen.contains(r.key) { seen.insert(r.key); out.append(r) } }
        return out
    }

    /// A logarithmic grid of rescaled times from `low` to `high` with `perDecade` points per
    /// decade, merged with `extra`, with 0 first; increasing, without duplicates.
    public static func timeGrid(low: Double, high: Double, perDecade: Int, extra: [Double] = []) -> [Double] {
        var grid: [Double] = [0]
        if high > 0, low > 0, low < high, perDecade > 0 {
            let n = Int((Foundation.log10(high / low) * Double(perDecade)).rounded(.up))
            for i in 0...n { grid.append(low * Foundation.pow(10, Double(i) / Double(perDecade))) }
            grid[grid.count - 1] = high
        } else if high > 0 { grid.append(high) }
        grid += extra.filter { $0 > 0 }
        return Array(Set(grid)).sorted()
    }
}

extension SGDRunRecord {
    /// The record of a run that could not be made (it has only the start).
    static func failed(_ spec: SGDRunSpec, plan: String) -> SGDRunRecord {
        SGDRunRecord(plan: plan, key: spec.key, delta: spec.scaling.delta, kappa: spec.scaling.kappa, dimension: spec.dimension, width: spec.width,
                     seed: spec.seed, learningRate: spec.scaling.learningRate(dimension: spec.dimension),
                     stepsPerUnitTime: spec.scaling.stepsPerUnitTime(dimension: spec.dimension), steps: [], times: [], risks: [], selfOverlap: [], seconds: 0)
    }
}
