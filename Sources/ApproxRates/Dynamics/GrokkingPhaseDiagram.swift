import Foundation
import PrecisionModule
import FileIOModule

/// What `dynamics grokking` runs: decoder learning rates × decoder weight decays × training
/// fractions × seeds, under one ``GrokkingSettings``.
public struct GrokkingPlan: Sendable, Codable, Hashable {
    /// The fixed settings (step budget, threshold, lag, …).
    public var settings: GrokkingSettings
    /// Decoder learning rates η_D (the diagram's x axis).
    public var learningRates: [Double]
    /// Decoder weight decays (the y axis).
    public var weightDecays: [Double]
    /// Training fractions (one diagram each).
    public var fractions: [Double]
    /// Seeds 1 … seeds per cell.
    public var seeds: Int

    /// A plan.
    public init(settings: GrokkingSettings, learningRates: [Double], weightDecays: [Double], fractions: [Double], seeds: Int) {
        self.settings = settings; self.learningRates = learningRates; self.weightDecays = weightDecays; self.fractions = fractions; self.seeds = seeds
    }

    /// A fingerprint of what changes one run's result (the settings); runs journaled under other
    /// settings are ignored, and a plan with more cells or seeds reuses the runs it shares.
    public var fingerprint: String { Fingerprint.of(settings) }

    /// One cell of the diagram: (η_D, weight decay, fraction).
    public struct Cell: Sendable, Hashable, Codable {
        /// η_D, the decoder weight decay, the training fraction.
        public let learningRate: Double, weightDecay: Double, fraction: Double
        /// A cell.
        public init(learningRate: Double, weightDecay: Double, fraction: Double) {
            self.learningRate = learningRate; self.weightDecay = weightDecay; self.fraction = fraction
        }
        /// "lr=…,wd=…,f=…".
        public var key: String { "lr=\(learningRate),wd=\(weightDecay),f=\(fraction)" }
    }

    /// Every cell, fraction-major, then weight decay, then learning rate.
    public var cells: [Cell] {
        fractions.flatMap { f in weightDecays.flatMap { wd in learningRates.map { Cell(learningRate: $0, weightDecay: wd, fraction: f) } } }
    }

    /// Every run: each cell × seeds 1 … seeds.
    public var jobs: [GrokkingRunSpec] {
        cells.flatMap { c in (1...UInt64(Swift.max(1, seeds))).map {
            GrokkingRunSpec(settings: settings, learningRate: c.learningRate, weightDecay: c.weightDecay, fraction: c.fraction, seed: $0)
        } }
    }
}

extension GrokkingRunSpec {
    /// The cell of this run.
    public var cell: GrokkingPlan.Cell { .init(learningRate: learningRate, weightDecay: weightDecay, fraction: fraction) }
    /// "<cell key>|seed=…": unique within a plan.
    public var key: String { "\(cell.key)|seed=\(seed)" }
}

/// One finished run: a line of the journal.
public struct GrokkingRecord: Sendable, Codable {
    /// ``GrokkingPlan/fingerprint`` of the plan that made it.
    public let plan: String
    /// ``GrokkingRunSpec/key``.
    public let key: String
    /// η_D, weight decay, fraction, seed.
    public let learningRate: Double, weightDecay: Double, fraction: Double, seed: UInt64
    /// The run (its curves as logged).
    public let run: GrokkingRun
    /// Wall-clock seconds.
    public let seconds: Double

    /// The record of `spec`'s run.
    public init(plan: String, spec: GrokkingRunSpec, run: GrokkingRun, seconds: Double) {
        self.plan = plan; key = spec.key; learningRate = spec.learningRate; weightDecay = spec.weightDecay; fraction = spec.fraction
        seed = spec.seed; self.run = run; self.seconds = seconds
    }
}

/// The phases of one cell over its seeds.
public struct GrokkingCellSummary: Sendable, Codable {
    /// The cell.
    public let learningRate: Double, weightDecay: Double, fraction: Double
    /// Seeds present.
    public let seeds: Int
    /// Seeds in each phase (every phase present, 0 included).
    public let phases: [GrokkingPhase: Int]
    /// The phase of each seed, by increasing seed.
    public let seedPhases: [GrokkingPhase]
    /// The phase of the most seeds; nil when two or more phases tie for the most.
    public let majority: GrokkingPhase?
    /// Median first steps of training and validation accuracy over the seeds that reached them (nil if none).
    public let medianTrainStep: Int?, medianValidationStep: Int?
    /// Median first step of RQI above its threshold over the seeds that got there (nil if none).
    public let medianRQIStep: Int?
    /// Mean final RQI over the seeds.
    public let meanFinalRQI: Double

    /// The summary of `records` (one cell's runs).
    public init(cell: GrokkingPlan.Cell, records: [GrokkingRecord]) {
        learningRate = cell.learningRate; weightDecay = cell.weightDecay; fraction = cell.fraction
        let sorted = records.sorted { $0.seed < $1.seed }
        seeds = sorted.count
        seedPhases = sorted.map(\.run.phase)
        var counts: [GrokkingPhase: Int] = [:]
        for phase in GrokkingPhase.allCases { counts[phase] = 0 }
        for p in seedPhases { counts[p, default: 0] += 1 }
        phases = counts
        let top = counts.values.max() ?? 0
        let leaders = GrokkingPhase.allCases.filter { counts[$0] == top }
        majority = top > 0 && leaders.count == 1 ? leaders[0] : nil
        func median(_ xs: [Int]) -> Int? { xs.isEmpty ? nil : xs.sorted()[xs.count / 2] }
        medianTrainStep = median(sorted.compactMap(\.run.trainStep))
        medianValidationStep = median(sorted.compactMap(\.run.validationStep))
        medianRQIStep = median(sorted.compactMap(\.run.rqiStep))
        meanFinalRQI = sorted.isEmpty ? .nan : sorted.map(\.run.finalRQI).reduce(0, +) / Double(sorted.count)
    }

    /// One summary per cell of `plan`, in plan order, from the records of its runs (others ignored).
    public static func all(plan: GrokkingPlan, records: [GrokkingRecord]) -> [GrokkingCellSummary] {
        var byCell: [String: [GrokkingRecord]] = [:]
        let keys = Set(plan.jobs.map(\.key))
        for r in records where keys.contains(r.key) { byCell[GrokkingPlan.Cell(learningRate: r.learningRate, weightDecay: r.weightDecay, fraction: r.fraction).key, default: []].append(r) }
        return plan.cells.map { GrokkingCellSummary(cell: $0, records: byCell[$0.key] ?? []) }
    }
}

/// Runs a plan's jobs (or one shard of them) `jobs` at a time, one OpenBLAS thread each, appending
/// each finished run to the journal as it finishes.
public enum GrokkingRunner {
    /// The records of `plan` in `journals` (the shards' files), one per key (the first).
    public static func records(plan: GrokkingPlan, in journals: [JSONLinesJournal<GrokkingRecord>]) throws -> [GrokkingRecord] {
        var seen = Set<String>(), out: [GrokkingRecord] = []
        let fingerprint = plan.fingerprint
        for j in journals { for r in try j.read() where r.plan == fingerprint && !seen.contains(r.key) { seen.insert(r.key); out.append(r) } }
        return out
    }

    /// One run, timed, as a journal record.
    public static func record(_ spec: GrokkingRunSpec, plan: String) -> GrokkingRecord {
        let start = Date()
        let run = GrokkingTraining.run(spec)
        return GrokkingRecord(plan: plan, spec: spec, run: run, seconds: Date().timeIntervalSince(start))
    }

    /// Runs `todo` with `workers` threads, appending to `journal`; `onRecord` sees each new record
    /// with the number finished and `total`. Returns `finished` plus the new records.
    public static func run(_ todo: [GrokkingRunSpec], plan: GrokkingPlan, workers: Int, finished: [GrokkingRecord], total: Int,
                           journal: JSONLinesJournal<GrokkingRecord>,
                           onRecord: @escaping @Sendable (GrokkingRecord, Int, Int) -> Void) throws -> [GrokkingRecord] {
        BLASThreads.use(1)
        let fingerprint = plan.fingerprint
        return try JournaledJobs.run(todo, workers: workers, finished: finished, total: total, journal: journal,
                                     work: { GrokkingRunner.record($0, plan: fingerprint) }, onRecord: onRecord)
    }
}
