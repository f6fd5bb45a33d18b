import CBLAS
import Foundation
import PrecisionModule
import FileIOModule

/// What `dynamics early` runs: networks (d, w), seeds, data, the training window and the c scan.
public struct EarlyPhaseDiagramPlan: Sendable, Codable, Hashable {
    /// The model: "fcn" (a fully connected network on teacher data) or "uv" (the uv model, width w,
    /// depth 2).
    public var model: String = "fcn"
    /// The (depth, width) pairs.
    public var networks: [Shape] = [Shape(depth: 2, width: 512), Shape(depth: 4, width: 256),
                                    Shape(depth: 4, width: 64), Shape(depth: 8, width: 64)]
    /// Seeds of the initialisation and SGD order: 1…seeds.
    public var seeds: Int = 3
    /// Hidden activation.
    public var activation: HiddenActivation = .relu
    /// Parameterisation.
    public var parameterisation: Parameterisation = .standard
    /// Training examples (teacher data).
    public var samples: Int = 256
    /// Input dimension of the teacher data.
    public var inputDimension: Int = 32
    /// Classes of the teacher data.
    public var classes: Int = 10
    /// Seed of the teacher data (fixed across networks and seeds).
    public var dataSeed: UInt64 = DefaultSeed.trainingData
    /// The training window and the tolerances.
    public var settings = EarlyTrainingSettings()
    /// log₂ c from…
    public var scanFrom: Double = 0
    /// …to (inclusive) …
    public var scanTo: Double = 7
    /// …in steps of.
    public var scanStep: Double = 0.25
    /// Bisections per bracket.
    public var refinements: Int = 4

    /// One (depth, width) of the plan (not a ``Network`` of the approximation side).
    public struct Shape: Sendable, Codable, Hashable {
        /// Dense layers d.
        public var depth: Int
        /// Hidden width w.
        public var width: Int
        /// A pair.
        public init(depth: Int, width: Int) { self.depth = depth; self.width = width }
    }

    /// The defaults: four (d, w) from d/w = 1/256 to 1/8, 3 seeds, 10 steps of GD on 256 teacher examples.
    public init() {}

    /// The scan grid of log₂ c.
    public var scan: [Double] { Array(stride(from: scanFrom, through: scanTo + 1e-12, by: scanStep)) }

    /// The training set.
    public func data() -> TrainingData {
        model == "uv" ? UVModel.data(target: 1)
            : TrainingData.teacher(samples: samples, inputDimension: inputDimension, classes: classes, seed: dataSeed)
    }

    /// The architecture of `network`.
    public func architecture(_ network: Shape) -> MLPArchitecture {
        model == "uv" ? UVModel.architecture(width: network.width)
            : MLPArchitecture(inputs: inputDimension, width: network.width, depth: network.depth, outputs: classes,
                              activation: activation, parameterisation: parameterisation)
    }

    /// A short fingerprint of everything that changes a result (journal lines from another plan are ignored).
    public var fingerprint: String {
        var copy = self
        copy.networks = []; copy.seeds = 0
        return Fingerprint.of(copy)
    }
}

/// The result for one network and seed: the critical c's and every run behind them. One line of
/// the journal `critical.jsonl`.
public struct EarlyPhaseRecord: Sendable, Codable {
    /// ``EarlyPhaseDiagramPlan/fingerprint`` of the plan that made it.
    public let plan: String
    /// Depth d.
    public let depth: Int
    /// Width w.
    public let width: Int
    /// Seed.
    public let seed: UInt64
    /// The critical values.
    public let critical: CriticalLearningRates
    /// Wall-clock seconds.
    public let seconds: Double
}

/// Median and range over seeds of the critical c's of one (d, w).
public struct EarlyPhaseSummary: Sendable, Codable {
    /// Depth d.
    public let depth: Int
    /// Width w.
    public let width: Int
    /// Seeds summarised.
    public let seeds: Int
    /// Median, minimum and maximum of c_loss over the seeds where it was found (nil: none).
    public let cLoss: Spread?
    /// Same for c_sharp.
    public let cSharp: Spread?
    /// Same for c_max.
    public let cMax: Spread?
    /// Median λ₀.
    public let sharpness0: Double
    /// Whether c_loss ≤ c_sharp ≤ c_max held for every seed (each within its bisection resolution).
    public let ordered: Bool

    /// d/w.
    public var ratio: Double { Double(depth) / Double(width) }

    /// Median and range.
    public struct Spread: Sendable, Codable {
        /// Median over seeds.
        public let median: Double
        /// Smallest.
        public let min: Double
        /// Largest.
        public let max: Double
        /// Of these values (nil if empty).
        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let s = values.sorted()
            median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
            min = s[0]; max = s[s.count - 1]
        }
    }

    /// The summary of the records of one (d, w).
    public init(depth: Int, width: Int, records: [EarlyPhaseRecord]) {
        self.depth = depth; self.width = width; seeds = records.count
        cLoss = Spread(records.compactMap(\.critical.cLoss))
        cSharp = Spread(records.compactMap(\.critical.cSharp))
        cMax = Spread(records.compactMap(\.critical.cMax))
        sharpness0 = Spread(records.map(\.critical.sharpness0))?.median ?? .nan
        ordered = records.allSatisfy { r in
            let slack = Foundation.pow(2, r.critical.resolution) * (1 + 1e-12)
            guard let l = r.critical.cLoss, let s = r.critical.cSharp, let m = r.critical.cMax else { return false }
            return l <= s * slack && s <= m * slack
        }
    }
}

/// Runs a plan: every (network, seed) job not yet in the journal, `jobs` at a time (OpenBLAS on
/// cores/jobs threads each), appending each finished record to the journal.
public struct EarlyPhaseDiagramRunner: Sendable {
    /// The plan.
    public let plan: EarlyPhaseDiagramPlan
    /// The journal (`critical.jsonl`).
    public let journal: JSONLinesJournal<EarlyPhaseRecord>
    /// Jobs at a time.
    public var jobs: Int

    /// A runner.
    public init(plan: EarlyPhaseDiagramPlan, journal: JSONLinesJournal<EarlyPhaseRecord>, jobs: Int) {
        self.plan = plan; self.journal = journal; self.jobs = Swift.max(1, jobs)
    }

    /// (network, seed) of every job, costliest first.
    public var allJobs: [(network: EarlyPhaseDiagramPlan.Shape, seed: UInt64)] {
        let list = plan.networks.flatMap { n in (1...UInt64(Swift.max(1, plan.seeds))).map { (network: n, seed: $0) } }
        return list.sorted { plan.architecture($0.network).parameterCount > plan.architecture($1.network).parameterCount }
    }

    /// The records of this plan already in the journal.
    public func finished() throws -> [EarlyPhaseRecord] {
        try journal.read().filter { $0.plan == plan.fingerprint }
    }

    /// Runs what is missing; `onRecord` sees each new record (from any worker thread, one at a time).
    /// `blasThreads` is OpenBLAS's thread count per product; nil gives each of the jobs running
    /// at once an equal share of the cores (OpenBLAS threads spin while they wait).
    public func run(blasThreads: Int? = nil, onRecord: @escaping @Sendable (EarlyPhaseRecord, Int, Int) -> Void) throws -> [EarlyPhaseRecord] {
        let done = try finished()
        let have = Set(done.map { "\($0.depth)x\($0.width)#\($0.seed)" })
        let todo = allJobs.filter { !have.contains("\($0.network.depth)x\($0.network.width)#\($0.seed)") }
        let data = plan.data()
        let total = allJobs.count
        let cores = ProcessInfo.processInfo.activeProcessorCount
        BLASThreads.use(blasThreads ?? Swift.max(1, cores / Swift.min(jobs, Swift.max(1, todo.count))))
        let plan = self.plan
        return try JournaledJobs.run(todo, workers: jobs, finished: done, total: total, journal: journal, work: { job in
            let start = Date()
            let probe = EarlyTrainingProbe(architecture: plan.architecture(job.network), data: data, settings: plan.settings, seed: job.seed)
            let critical = CriticalLearningRates.find(probe, scan: plan.scan, refinements: plan.refinements)
            return EarlyPhaseRecord(plan: plan.fingerprint, depth: job.network.depth, width: job.network.width, seed: job.seed,
                                    critical: critical, seconds: Date().timeIntervalSince(start))
        }, onRecord: onRecord)
    }

    /// One summary per network, in plan order.
    public func summaries(_ records: [EarlyPhaseRecord]) -> [EarlyPhaseSummary] {
        plan.networks.map { n in
            EarlyPhaseSummary(depth: n.depth, width: n.width,
                              records: records.filter { $0.depth == n.depth && $0.width == n.width }.sorted { $0.seed < $1.seed })
        }
    }
}
