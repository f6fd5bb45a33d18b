import CBLAS
import Foundation
import PrecisionModule
import FileIOModule

/// What `dynamics early` runs: networks (d, w), seeds, data, the training window and the c scan.
public struct EarlyPhaseDiagramPlan: Sendable, Codable, Hashable {
    /// The model: "fcn" (fully connected), "cnn" (Myrtle-style convolutional, on the digits) or
    /// "uv" (the uv model, width w, depth 2).
    public var model: String = "fcn"
    /// The data: "digits" (the shipped 8×8 handwritten digits) or "teacher" (Gaussian inputs
    /// labelled by a random linear teacher). Ignored by the uv model.
    public var data: String = "digits"
    /// Where the digits file is (nil: data/digits/digits.csv); not part of the fingerprint.
    public var dataFile: String? = nil
    /// The (depth, width) pairs.
    public var networks: [Shape] = EarlyPhaseDiagramPlan.defaultNetworks(model: "fcn", data: "digits")
    /// Seeds of the initialisation and SGD order: 1…seeds.
    public var seeds: Int = 5
    /// Hidden activation.
    public var activation: HiddenActivation = .relu
    /// Parameterisation (fcn).
    public var parameterisation: Parameterisation = .standard
    /// Training examples (the first ones of the digits; the teacher's count).
    public var samples: Int = TrainingData.digitsCount
    /// Input dimension of the teacher data.
    public var inputDimension: Int = 32
    /// Classes of the teacher data.
    public var classes: Int = 10
    /// Labels drawn uniformly at random instead of the true ones (the harder, memorisation task).
    public var randomLabels: Bool = false
    /// Seed of the teacher data and of random labels (fixed across networks and seeds).
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
    /// K of the intermediate-saturation measurement λ_τ at cτ = K (nil: not measured).
    public var saturationK: Double? = nil
    /// The c at which λ_τ/λ₀ is measured.
    public var saturationC: [Double] = []

    /// One (depth, width) of the plan (not a ``Network`` of the approximation side).
    public struct Shape: Sendable, Codable, Hashable {
        /// Layers with weights d.
        public var depth: Int
        /// Hidden width (channels for the CNN) w.
        public var width: Int
        /// A pair.
        public init(depth: Int, width: Int) { self.depth = depth; self.width = width }
    }

    /// The defaults: five fully connected networks from d/w = 1/256 to 1/8 on the digits, 5 seeds,
    /// 10 steps of SGD with batch 512 (the paper's batch).
    public init() { settings.batchSize = 512 }

    /// The networks run when none are named.
    /// - fcn on the digits: 2x512, 2x128, 4x128, 4x64, 8x64 (d/w = 1/256, 1/64, 1/32, 1/16, 1/8);
    /// - fcn on the teacher data: 2x512, 4x256, 4x64, 8x64;
    /// - cnn: 2x512, 2x128, 3x48, 3x24, 5x20 (d/w = 1/256, 1/64, 1/16, 1/8, 1/4; d = 2 is one
    ///   convolution and the head, the family's wide shallow end);
    /// - uv: 2x16, 2x64, 2x256, 2x1024.
    public static func defaultNetworks(model: String, data: String) -> [Shape] {
        let pairs: [(Int, Int)]
        switch (model, data) {
        case ("uv", _): pairs = [(2, 16), (2, 64), (2, 256), (2, 1024)]
        case ("cnn", _): pairs = [(2, 512), (2, 128), (3, 48), (3, 24), (5, 20)]
        case (_, "teacher"): pairs = [(2, 512), (4, 256), (4, 64), (8, 64)]
        default: pairs = [(2, 512), (2, 128), (4, 128), (4, 64), (8, 64)]
        }
        return pairs.map { Shape(depth: $0.0, width: $0.1) }
    }

    /// The scan grid of log₂ c.
    public var scan: [Double] { Array(stride(from: scanFrom, through: scanTo + 1e-12, by: scanStep)) }

    /// The shipped digits file, relative to the working directory.
    public static let defaultDigitsFile = "data/digits/digits.csv"

    /// Numbers per input example.
    public var inputs: Int { model == "uv" ? 1 : data == "digits" ? 64 : inputDimension }
    /// Outputs K.
    public var outputs: Int { model == "uv" ? 1 : data == "digits" ? 10 : classes }

    /// The training set (reads the digits file).
    public func trainingData() throws -> TrainingData {
        if model == "uv" { return UVModel.data(target: 1) }
        if data == "digits" {
            return try TrainingData.digits(contentsOf: dataFile ?? EarlyPhaseDiagramPlan.defaultDigitsFile, samples: samples,
                                           randomLabels: randomLabels, seed: dataSeed)
        }
        return TrainingData.teacher(samples: samples, inputDimension: inputDimension, classes: classes, seed: dataSeed, randomLabels: randomLabels)
    }

    /// Examples in the training set.
    public var exampleCount: Int { model == "uv" ? 1 : samples }

    /// The network of `shape`.
    public func network(_ shape: Shape) -> any TrainableModel {
        switch model {
        case "uv": return UVModel.architecture(width: shape.width)
        case "cnn": return ConvNetArchitecture(side: 8, channels: 1, width: shape.width, depth: shape.depth, outputs: outputs, activation: activation)
        default:
            return MLPArchitecture(inputs: inputs, width: shape.width, depth: shape.depth, outputs: outputs,
                                   activation: activation, parameterisation: parameterisation)
        }
    }

    /// A short fingerprint of everything that changes a result (journal lines from another plan are ignored).
    public var fingerprint: String {
        var copy = self
        copy.networks = []; copy.seeds = 0; copy.dataFile = nil
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
    /// λ_τ/λ₀ at cτ = K for the plan's saturation c's (nil when not measured).
    public let saturation: [SaturationSample]?
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
    /// c_loss of each seed where it was found, in seed order (what the collapse test resamples).
    public let cLossValues: [Double]
    /// Same for c_sharp.
    public let cSharp: Spread?
    /// Same for c_max.
    public let cMax: Spread?
    /// Median λ₀.
    public let sharpness0: Double
    /// Whether c_loss ≤ c_sharp ≤ c_max held for every seed (each within its bisection resolution).
    public let ordered: Bool
    /// Seeds for which c_loss ≤ c_sharp ≤ c_max held (within the resolution).
    public let orderedSeeds: Int
    /// Seeds whose scan reached a diverging c. For the others c_max is the top of the scan, only
    /// a lower bound (the loss never passed the divergence cap: a ReLU network whose units die in
    /// a catapult stops at a constant output instead of diverging).
    public let divergenceSeeds: Int
    /// Per saturation c: λ_τ/λ₀ at cτ = K, median and range over the seeds that did not diverge.
    public let saturation: [SaturationSpread]

    /// λ_τ/λ₀ of one c over seeds.
    public struct SaturationSpread: Sendable, Codable {
        /// c.
        public let c: Double
        /// K.
        public let k: Double
        /// τ = ⌈K/c⌉.
        public let step: Int
        /// Median and range of λ_τ/λ₀ (nil when every seed diverged).
        public let ratio: Spread?
        /// Seeds that diverged before τ.
        public let diverged: Int
    }

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
            median = s.medianOfSorted
            min = s[0]; max = s[s.count - 1]
        }
    }

    /// The summary of the records of one (d, w).
    public init(depth: Int, width: Int, records: [EarlyPhaseRecord]) {
        self.depth = depth; self.width = width; seeds = records.count
        cLossValues = records.sorted { $0.seed < $1.seed }.compactMap(\.critical.cLoss)
        cLoss = Spread(cLossValues)
        cSharp = Spread(records.compactMap(\.critical.cSharp))
        cMax = Spread(records.compactMap(\.critical.cMax))
        sharpness0 = Spread(records.map(\.critical.sharpness0))?.median ?? .nan
        let holds = records.filter { r in
            let slack = Foundation.pow(2, r.critical.resolution) * (1 + 1e-12)
            guard let l = r.critical.cLoss, let s = r.critical.cSharp, let m = r.critical.cMax else { return false }
            return l <= s * slack && s <= m * slack
        }
        orderedSeeds = holds.count
        divergenceSeeds = records.filter(\.critical.divergenceFound).count
        ordered = holds.count == records.count
        let samples = records.flatMap { $0.saturation ?? [] }
        saturation = Array(Set(samples.map(\.c))).sorted().map { c in
            let here = samples.filter { $0.c == c }
            return SaturationSpread(c: c, k: here[0].k, step: here[0].step, ratio: Spread(here.compactMap(\.ratio)),
                                    diverged: here.filter(\.diverged).count)
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
        return list.sorted { plan.network($0.network).parameterCount > plan.network($1.network).parameterCount }
    }

    /// The records of this plan already in the journal: its fingerprint, one of its networks and
    /// a seed in 1…seeds. (A journal can hold more: other networks, or more seeds from a larger
    /// run; those are kept in the file but left out of this run's tables.)
    public func finished() throws -> [EarlyPhaseRecord] {
        let shapes = Set(plan.networks.map { "\($0.depth)x\($0.width)" })
        return try journal.read().filter {
            $0.plan == plan.fingerprint && shapes.contains("\($0.depth)x\($0.width)") && $0.seed >= 1 && $0.seed <= UInt64(Swift.max(1, plan.seeds))
        }
    }

    /// Runs what is missing; `onRecord` sees each new record (from any worker thread, one at a time).
    /// `blasThreads` is OpenBLAS's thread count per product; nil gives each of the jobs running
    /// at once an equal share of the cores (OpenBLAS threads spin while they wait).
    public func run(blasThreads: Int? = nil, onRecord: @escaping @Sendable (EarlyPhaseRecord, Int, Int) -> Void) throws -> [EarlyPhaseRecord] {
        let done = try finished()
        let have = Set(done.map { "\($0.depth)x\($0.width)#\($0.seed)" })
        let todo = allJobs.filter { !have.contains("\($0.network.depth)x\($0.network.width)#\($0.seed)") }
        let data = try plan.trainingData()
        let total = allJobs.count
        let cores = ProcessInfo.processInfo.activeProcessorCount
        BLASThreads.use(blasThreads ?? Swift.max(1, cores / Swift.min(jobs, Swift.max(1, todo.count))))
        let plan = self.plan
        return try JournaledJobs.run(todo, workers: jobs, finished: done, total: total, journal: journal, work: { job in
            let start = Date()
            let probe = EarlyTrainingProbe(model: plan.network(job.network), data: data, settings: plan.settings, seed: job.seed)
            let critical = CriticalLearningRates.find(probe, scan: plan.scan, refinements: plan.refinements)
            var saturation: [SaturationSample]? = nil
            if let k = plan.saturationK, probe.sharpness0.value > 0, probe.sharpness0.value.isFinite {
                saturation = plan.saturationC.map { probe.saturation(c: $0, k: k) }
            }
            return EarlyPhaseRecord(plan: plan.fingerprint, depth: job.network.depth, width: job.network.width, seed: job.seed,
                                    critical: critical, saturation: saturation, seconds: Date().timeIntervalSince(start))
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
