import Foundation
import PrecisionModule
import FileIOModule

/// What `dynamics two-layer` runs: points of the (γ, γ′) plane (or named parameterisations) ×
/// widths × seeds on one regression set.
public struct TwoLayerPlan: Sendable, Codable, Hashable {
    /// The points, in order.
    public var points: [Point]
    /// Widths m (even with the antisymmetric start).
    public var widths: [Int]
    /// Seeds 1…seeds.
    public var seeds: Int
    /// The data: a name of ``RegressionSets/builtIn`` or a CSV path.
    public var data: String
    /// A fingerprint of the data's numbers (so a changed CSV file is not mistaken for the old one).
    public var dataHash: String
    /// Training and measurement.
    public var settings: TwoLayerTrainingSettings
    /// Half-width of the slope band read as critical (``TwoLayerRegime/measured(low:high:band:)``).
    public var band: Double = 0.1
    /// Bootstrap resamples of the slope interval.
    public var resamples: Int = 2000

    /// One point: exponents (γ, γ′), or a named parameterisation whose exponents are computed
    /// from its scales.
    public struct Point: Sendable, Codable, Hashable {
        /// γ (for a named point: its exponent over the plan's widths).
        public var gamma: Double
        /// γ′.
        public var gammaPrime: Double
        /// The parameterisation, nil for a grid point.
        public var parameterisation: TwoLayerParameterisation?
        /// A grid point.
        public init(gamma: Double, gammaPrime: Double) { self.gamma = gamma; self.gammaPrime = gammaPrime; parameterisation = nil }
        /// A named point placed by its scales over `widths` for inputs of dimension d.
        public init(_ named: TwoLayerParameterisation, widths: [Int], inputDimension d: Int) {
            let e = TwoLayerScaling.exponents(widths: widths) { named.scaling(width: $0, inputDimension: d) }
            gamma = e.gamma; gammaPrime = e.gammaPrime; parameterisation = named
        }
        /// The scales at width m.
        public func scaling(width: Int, inputDimension d: Int) -> TwoLayerScaling {
            parameterisation?.scaling(width: width, inputDimension: d) ?? TwoLayerScaling(gamma: gamma, gammaPrime: gammaPrime, width: width)
        }
        /// "γ=1.25,γ′=-0.5" or the parameterisation's name.
        public var id: String { parameterisation?.rawValue ?? "g=\(gamma),gp=\(gammaPrime)" }
    }

    /// A plan.
    public init(points: [Point], widths: [Int], seeds: Int, data: String, dataHash: String, settings: TwoLayerTrainingSettings) {
        self.points = points; self.widths = widths; self.seeds = seeds; self.data = data; self.dataHash = dataHash; self.settings = settings
    }

    /// A fingerprint of everything that changes one run's result (the data, the settings); runs
    /// of the journal made under another are ignored. Points, widths and seeds are not in it, so a
    /// plan that adds some reuses the runs it shares.
    public var fingerprint: String {
        var copy = self
        copy.points = []; copy.widths = []; copy.seeds = 0; copy.band = 0; copy.resamples = 0
        return Fingerprint.of(copy)
    }

    /// The fingerprint of a set's numbers.
    public static func hash(of data: TrainingData) -> String {
        var bytes: [UInt8] = []
        for value in data.inputs + data.targets { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        return Fingerprint.of(bytes: bytes)
    }

    /// One run of the plan.
    public struct Job: Sendable, Hashable {
        /// Index into ``points``.
        public let point: Int
        /// Width m.
        public let width: Int
        /// Seed.
        public let seed: UInt64
        /// Journal key (point id, width, seed).
        public let key: String
    }

    /// Every (point, width, seed).
    public var jobs: [Job] {
        points.indices.flatMap { i in widths.flatMap { m in (1...UInt64(Swift.max(1, seeds))).map { s in
            Job(point: i, width: m, seed: s, key: "\(points[i].id)|m=\(m)|seed=\(s)")
        } } }
    }
}

/// One finished run: a line of the journal.
public struct TwoLayerRecord: Sendable, Codable {
    /// ``TwoLayerPlan/fingerprint`` of the plan that made it.
    public let plan: String
    /// ``TwoLayerPlan/Job/key``.
    public let key: String
    /// γ and γ′ of the point.
    public let gamma: Double, gammaPrime: Double
    /// The parameterisation, nil for a grid point.
    public let parameterisation: TwoLayerParameterisation?
    /// Width m and seed.
    public let width: Int, seed: UInt64
    /// α, β₁, β₂ used.
    public let scaling: TwoLayerScaling
    /// The run.
    public let run: TwoLayerRun
    /// Wall-clock seconds.
    public let seconds: Double

    /// A record.
    public init(plan: String, key: String, gamma: Double, gammaPrime: Double, parameterisation: TwoLayerParameterisation?, width: Int, seed: UInt64,
                scaling: TwoLayerScaling, run: TwoLayerRun, seconds: Double) {
        self.plan = plan; self.key = key; self.gamma = gamma; self.gammaPrime = gammaPrime; self.parameterisation = parameterisation
        self.width = width; self.seed = seed; self.scaling = scaling; self.run = run; self.seconds = seconds
    }
}

/// Runs one job of a plan: the engine, the seeded start, gradient descent.
public enum TwoLayerJob {
    /// The record of `job`, with θ(0) and θ(T) when `keepParameters`.
    public static func run(_ job: TwoLayerPlan.Job, plan: TwoLayerPlan, data: TrainingData, keepParameters: Bool = false,
                           progress: ((Int, Double) -> Void)? = nil) -> (record: TwoLayerRecord, initial: [Double], final: [Double]) {
        let start = Date()
        let point = plan.points[job.point]
        let scaling = point.scaling(width: job.width, inputDimension: data.inputDimension)
        let engine = TwoLayerReLU(data: data, width: job.width)
        let initial = TwoLayerTraining.initialParameters(engine: engine, scaling: scaling, antisymmetric: plan.settings.antisymmetric, seed: job.seed)
        let (run, final) = TwoLayerTraining.train(engine: engine, scaling: scaling, settings: plan.settings, initial: initial, progress: progress)
        let record = TwoLayerRecord(plan: plan.fingerprint, key: job.key, gamma: point.gamma, gammaPrime: point.gammaPrime,
                                    parameterisation: point.parameterisation, width: job.width, seed: job.seed, scaling: scaling, run: run,
                                    seconds: Date().timeIntervalSince(start))
        return (record, keepParameters ? initial : [], keepParameters ? final : [])
    }
}

/// The slope of log RD against log m at one point, with its bootstrap interval and regimes.
public struct TwoLayerSummary: Sendable, Codable {
    /// γ, γ′.
    public let gamma: Double, gammaPrime: Double
    /// The parameterisation, nil for a grid point.
    public let parameterisation: TwoLayerParameterisation?
    /// Widths, increasing.
    public let widths: [Int]
    /// Geometric mean of RD over the seeds, by width.
    public let distances: [Double]
    /// Seeds per width.
    public let seeds: Int
    /// Least-squares slope of the mean log RD against log m (nil: fewer than two widths).
    public let slope: Double?
    /// 2.5 % and 97.5 % points of the bootstrap slopes (seeds resampled with replacement within each width).
    public let slopeLow: Double?, slopeHigh: Double?
    /// The regime read from the interval (nil without a slope).
    public let regime: TwoLayerRegime?
    /// The theorem's regime at (γ, γ′).
    public let theoryRegime: TwoLayerRegime
    /// γ minus the boundary's γ (negative: linear side).
    public let distanceFromBoundary: Double
    /// The heuristic slope (``TwoLayerRegime/heuristicSlope(gamma:gammaPrime:)``).
    public let heuristicSlope: Double
    /// Runs that hit the step budget or stalled before the tolerance.
    public let unconverged: Int
    /// Median accepted steps per run, by width.
    public let medianSteps: [Int]

    /// One summary per point of `plan`, in plan order, from the records of its runs (records of
    /// other widths or seeds, from an earlier plan in the same journal, are left out; points with
    /// no records get NaN distances and no slope).
    public static func all(plan: TwoLayerPlan, records: [TwoLayerRecord]) -> [TwoLayerSummary] {
        let keys = Set(plan.jobs.map(\.key))
        let mine = records.filter { keys.contains($0.key) }
        return plan.points.map { p in
            TwoLayerSummary(point: p, records: mine.filter { $0.key.hasPrefix(p.id + "|") }, widths: plan.widths, plan: plan)
        }
    }

    /// The summary of `records` (one point) over `widths`, the band and resamples of `plan`.
    public init(point: TwoLayerPlan.Point, records: [TwoLayerRecord], widths: [Int], plan: TwoLayerPlan) {
        gamma = point.gamma; gammaPrime = point.gammaPrime; parameterisation = point.parameterisation
        let widths = widths.sorted()
        self.widths = widths
        let byWidth = widths.map { m in records.filter { $0.width == m }.sorted { $0.seed < $1.seed } }
        let logs = byWidth.map { $0.map { Foundation.log($0.run.relativeDistance) } }
        distances = logs.map { $0.isEmpty ? .nan : Foundation.exp($0.reduce(0, +) / Double($0.count)) }
        seeds = byWidth.map(\.count).min() ?? 0
        unconverged = records.filter { !$0.run.converged }.count
        medianSteps = byWidth.map { rs in let s = rs.map(\.run.steps).sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
        theoryRegime = TwoLayerRegime.theory(gamma: gamma, gammaPrime: gammaPrime)
        distanceFromBoundary = TwoLayerRegime.distance(gamma: gamma, gammaPrime: gammaPrime)
        heuristicSlope = TwoLayerRegime.heuristicSlope(gamma: gamma, gammaPrime: gammaPrime)
        let x = widths.map { Foundation.log(Double($0)) }
        guard widths.count >= 2, logs.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isFinite) }) else {
            slope = nil; slopeLow = nil; slopeHigh = nil; regime = nil; return
        }
        let fitted = LeastSquaresLine(x: x, y: logs.map { $0.reduce(0, +) / Double($0.count) }).slope
        let (low, high) = LeastSquaresLine.bootstrapSlopeInterval(x: x, groups: logs, resamples: plan.resamples, seed: DefaultSeed.measurement)
        slope = fitted; slopeLow = Swift.min(low, fitted); slopeHigh = Swift.max(high, fitted)
        regime = TwoLayerRegime.measured(low: slopeLow!, high: slopeHigh!, band: plan.band)
    }
}

/// Runs a plan's jobs (or one shard of them) `jobs` at a time, one OpenBLAS thread each, appending
/// each finished run to the journal.
public struct TwoLayerRunner: Sendable {
    /// The plan.
    public let plan: TwoLayerPlan
    /// The data.
    public let data: TrainingData
    /// This process's journal (one file per shard).
    public let journal: JSONLinesJournal<TwoLayerRecord>
    /// Which jobs this process runs.
    public let shard: Shard
    /// Jobs at a time.
    public let jobs: Int

    /// A runner.
    public init(plan: TwoLayerPlan, data: TrainingData, journal: JSONLinesJournal<TwoLayerRecord>, shard: Shard = .all, jobs: Int) {
        self.plan = plan; self.data = data; self.journal = journal; self.shard = shard; self.jobs = Swift.max(1, jobs)
    }

    /// This shard's jobs, costliest (widest) first.
    public var myJobs: [TwoLayerPlan.Job] {
        shard.select(plan.jobs, cost: { Double($0.width) }, id: \.key).sorted { $0.width > $1.width }
    }

    /// The records of this plan in `journals` (the shards' files), one per key (the first).
    public func records(in journals: [JSONLinesJournal<TwoLayerRecord>]) throws -> [TwoLayerRecord] {
        var seen = Set<String>(), out: [TwoLayerRecord] = []
        let fingerprint = plan.fingerprint
        for j in journals { for r in try j.read() where r.plan == fingerprint && !seen.contains(r.key) { seen.insert(r.key); out.append(r) } }
        return out
    }

    /// Runs this shard's jobs that are not in its journal; `onRecord` sees each new record with the
    /// number finished and the shard's total (from worker threads, one at a time). Returns all of
    /// this shard's records.
    public func run(onRecord: @escaping @Sendable (TwoLayerRecord, Int, Int) -> Void) throws -> [TwoLayerRecord] {
        let mine = myJobs
        let keys = Set(mine.map(\.key))
        let done = try records(in: [journal]).filter { keys.contains($0.key) }
        let have = Set(done.map(\.key))
        let todo = mine.filter { !have.contains($0.key) }
        BLASThreads.use(1)
        let plan = self.plan, data = self.data
        return try JournaledJobs.run(todo, workers: jobs, finished: done, total: mine.count, journal: journal,
                                     work: { TwoLayerJob.run($0, plan: plan, data: data).record }, onRecord: onRecord)
    }

    /// One summary per point, in plan order (``TwoLayerSummary/all(plan:records:)``).
    public func summaries(_ records: [TwoLayerRecord]) -> [TwoLayerSummary] { TwoLayerSummary.all(plan: plan, records: records) }
}
