import ApproxRates
import ArgumentParser
import Foundation

extension GrokkingLoss: ExpressibleByArgument {}

struct DynamicsGrokking: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grokking",
        abstract: "Grokking phases of the toy addition task and the effective theory (Liu, Kitouni, Nolte, Michaud, Tegmark, Williams 2022).",
        discussion: """
        Learnable embeddings E_0 … E_{p−1}; the decoder MLP reads E_a + E_b and answers a + b \
        (regression on random templates, or classification). Two AdamW optimisers: the embeddings' \
        (η_E, its weight decay) and the decoder's (η_D, weight decay). A run's phase comes from the \
        first steps at which training and validation accuracy reach the threshold: comprehension, \
        grokking (validation more than --lag steps later), memorization, confusion, or slow \
        (validation only). docs/dynamics-grokking.md has the mathematics.
        """,
        subcommands: [DynamicsGrokkingMap.self, DynamicsGrokkingRun.self, DynamicsGrokkingFraction.self],
        defaultSubcommand: DynamicsGrokkingMap.self
    )
}

/// The settings shared by every grokking command (the authors' defaults).
struct GrokkingOptions: ParsableArguments {
    @Option(name: .customLong("p"), help: "Numbers 0 … p−1 (the task has p(p+1)/2 examples).")
    var p: Int = 10

    @Option(name: .customLong("embedding-dim"), help: "Embedding dimension.")
    var embeddingDimension: Int = 1

    @Option(name: .long, help: "Decoder hidden width (two tanh layers).")
    var width: Int = 200

    @Option(name: .long, help: "mse (regression on 30-d Gaussian templates) or ce (classification into the 2p−1 sums).")
    var loss: GrokkingLoss = .mse

    @Option(name: .long, help: "Optimiser steps per run.")
    var steps: Int = 10_000

    @Option(name: .long, help: "Examples per step (0: the whole training set).")
    var batch: Int = 0

    @Option(name: .customLong("embedding-learning-rate"), help: "η_E, the embeddings' AdamW learning rate.")
    var embeddingLearningRate: Double = 1e-3

    @Option(name: .customLong("embedding-weight-decay"), help: "The embeddings' AdamW weight decay.")
    var embeddingWeightDecay: Double = 0

    @Option(name: .customLong("init-scale"), help: "Scale of the embeddings' U(−½, ½) initialisation.")
    var embeddingScale: Double = 1

    @Option(name: .customLong("decoder-init-scale"), help: "Factor on the decoder's PyTorch-default initialisation.")
    var decoderScale: Double = 1

    @Option(name: .long, help: "Accuracy threshold of 'reached' (training and validation).")
    var threshold: Double = 0.9

    @Option(name: .long, help: "Steps of validation lag beyond which a run is grokking, not comprehension.")
    var lag: Int = 1000

    @Option(name: .customLong("log-every"), help: "Steps between logged points of the curves.")
    var logEvery: Int = 100

    @Option(name: .customLong("rqi-tolerance"), help: "δ of the RQI: a parallelogram is realised when the mean squared defect of the standardised embeddings is below it.")
    var rqiTolerance: Double = 0.01

    @Option(name: .customLong("split-seed"), help: ArgumentHelp("The training set: auto (the first seed whose split has ideal validation accuracy 1, shared by every run) or a seed N (shared by every run).", valueName: "auto|N"))
    var splitSeed: String = "auto"

    /// The split of `--split-seed`.
    func split() throws -> GrokkingSplit {
        if splitSeed == "auto" { return .firstIdeal }
        guard let s = UInt64(splitSeed) else { throw ValidationError("--split-seed \(splitSeed.prefix(40)): give auto or a seed 0…\(UInt64.max)") }
        return .fixed(s)
    }

    /// The settings, checked.
    func settings() throws -> GrokkingSettings {
        guard (2...AdditionTask.maximumP).contains(p) else { throw ValidationError("--p \(p): give 2…\(AdditionTask.maximumP)") }
        guard (1...64).contains(embeddingDimension) else { throw ValidationError("--embedding-dim \(embeddingDimension): give 1…64") }
        guard (1...4096).contains(width) else { throw ValidationError("--width \(width): give 1…4096") }
        try ResourceLimits.check(steps, "--steps", against: ResourceLimits.steps)
        guard steps >= 1 else { throw ValidationError("--steps \(steps): give at least 1") }
        let examples = p * (p + 1) / 2
        guard (0...examples).contains(batch) else { throw ValidationError("--batch \(batch): give 0 (full batch) … \(examples)") }
        for (value, flag) in [(embeddingLearningRate, "--embedding-learning-rate"), (embeddingScale, "--init-scale"), (decoderScale, "--decoder-init-scale")] {
            guard value.isFinite, value > 0, value <= 1e3 else { throw ValidationError("\(flag) \(value): give a number in (0, 1000]") }
        }
        guard embeddingWeightDecay.isFinite, (0...1e4).contains(embeddingWeightDecay) else {
            throw ValidationError("--embedding-weight-decay \(embeddingWeightDecay): give 0…10000")
        }
        guard threshold.isFinite, threshold > 0, threshold <= 1 else { throw ValidationError("--threshold \(threshold): give an accuracy in (0, 1]") }
        guard lag >= 0 else { throw ValidationError("--lag \(lag): give a number of steps >= 0") }
        guard logEvery >= 1 else { throw ValidationError("--log-every \(logEvery): give at least 1") }
        guard rqiTolerance.isFinite, rqiTolerance > 0, rqiTolerance <= 100 else { throw ValidationError("--rqi-tolerance \(rqiTolerance): give a number in (0, 100]") }
        var s = GrokkingSettings()
        s.p = p; s.embeddingDimension = embeddingDimension; s.width = width; s.loss = loss; s.steps = steps; s.batch = batch
        s.embeddingLearningRate = embeddingLearningRate; s.embeddingWeightDecay = embeddingWeightDecay
        s.embeddingScale = embeddingScale; s.decoderScale = decoderScale; s.threshold = threshold; s.lag = lag; s.logEvery = logEvery
        s.rqiTolerance = rqiTolerance
        s.split = try split()
        return s
    }
}

/// Checks a decoder learning rate and weight decay.
func checkGrokkingHyperparameters(learningRate: Double, weightDecay: Double, fraction: Double, p: Int) throws {
    guard learningRate.isFinite, learningRate > 0, learningRate <= 10 else { throw ValidationError("decoder learning rate \(learningRate): give a number in (0, 10]") }
    guard weightDecay.isFinite, (0...1e4).contains(weightDecay) else { throw ValidationError("weight decay \(weightDecay): give 0…10000") }
    guard learningRate * weightDecay < 1 else {
        throw ValidationError("decoder learning rate \(learningRate) × weight decay \(weightDecay) = \(learningRate * weightDecay): AdamW multiplies the weights by 1 − η·λ each step; give η·λ < 1")
    }
    let n = p * (p + 1) / 2
    guard fraction.isFinite, fraction > 0, fraction < 1 else { throw ValidationError("--fraction \(fraction): give a training fraction in (0, 1)") }
    let count = AdditionTask.trainCount(p: p, fraction: fraction)
    guard count >= 1, count < n else { throw ValidationError("--fraction \(fraction): \(count) of \(n) examples; give a fraction that leaves training and test examples") }
}

struct DynamicsGrokkingRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "One training run: threshold steps, phase, accuracy and RQI curves, the effective theory's numbers.",
        discussion: """
        Examples:
          approx-cli dynamics grokking run --learning-rate 1e-4 --weight-decay 0 --fraction 0.8 --seed 1 --json
          approx-cli dynamics grokking run --learning-rate 1e-3 --weight-decay 0 --fraction 0.8 --seed 2 --batch 16
        """
    )

    @Option(name: .customLong("learning-rate"), help: "η_D, the decoder's AdamW learning rate.")
    var learningRate: Double = 1e-4

    @Option(name: .customLong("weight-decay"), help: "The decoder's AdamW weight decay.")
    var weightDecay: Double = 0

    @Option(name: .long, help: "Training fraction of the p(p+1)/2 examples.")
    var fraction: Double = 45.0 / 55

    @Option(name: .long, help: "Seed of the templates, initialisation and minibatches (the split: --split-seed).")
    var seed: UInt64 = 1

    @Option(name: .customLong("snapshots"), help: ArgumentHelp("Steps after which to record the embeddings (comma separated; shown with --json).", valueName: "t,..."))
    var snapshots: String?

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @OptionGroup var model: GrokkingOptions

    func run() throws {
        let settings = try model.settings()
        try checkGrokkingHyperparameters(learningRate: learningRate, weightDecay: weightDecay, fraction: fraction, p: settings.p)
        let snaps = try snapshots.map { try integerList($0, "--snapshots", range: 0...(settings.steps - 1)) } ?? []
        let spec = GrokkingRunSpec(settings: settings, learningRate: learningRate, weightDecay: weightDecay, fraction: fraction, seed: seed)
        BLASThreads.use(1)
        let start = Date()
        let bar = ProgressBar(costTotal: Double(settings.steps), costDone: 0)
        let run = GrokkingTraining.run(spec, snapshotSteps: Set(snaps)) { step, total in bar.update(done: step, total: total, note: "steps") }
        bar.end()
        let seconds = Date().timeIntervalSince(start)
        let report = GrokkingRunReport(spec: spec, run: run, seconds: seconds)
        if json { print(try wrap { try report.json() }, terminator: ""); return }
        print(report.text(), terminator: "")
    }
}

extension DynamicsJobOptions {
    /// Runs the grokking jobs of `plan` that OUT's journal for this shard does not have, then
    /// returns every record of the plan in OUT's journals, or nil (after saying so) while some are
    /// missing.
    func runGrokking(_ plan: GrokkingPlan, out: String, command: String) throws -> [GrokkingRecord]? {
        let sweep = JournaledSweep<GrokkingRunSpec, GrokkingRecord>(
            recordName: "grokking run", estimate: "at most", rate: 2.5e10, rateText: "2.5·10¹⁰ (a 10⁴-step run in 6 s)",
            cost: \.cost, specKey: \.key, recordKey: \.key,
            records: { try GrokkingRunner.records(plan: plan, in: $0) },
            execute: { try GrokkingRunner.run($0, plan: plan, workers: $1, finished: $2, total: $3, journal: $4, onRecord: $5) },
            line: { record, finished, count in
                let r = record.run
                func s(_ x: Int?) -> String { x.map(String.init) ?? "—" }
                return String(format: "[%d/%d] %@: %@ (train %@, validation %@, RQI %.2f; %d steps, %.1f s)", finished, count, record.key,
                              r.phase.rawValue, s(r.trainStep), s(r.validationStep), r.finalRQI, r.stepsTaken, record.seconds)
            })
        return try run(plan.jobs, sweep: sweep, out: out, command: command)
    }
}

/// Writes an SVG and, when rsvg-convert is installed, the PNG beside it.
func writePicture(_ svg: String, to path: String) throws {
    try wrap {
        try AtomicFile.write(svg, to: path)
        _ = try Rasterizer.png(from: path, to: String(path.dropLast(4)) + ".png")
    }
}

struct DynamicsGrokkingMap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "The phase diagram over decoder learning rate × weight decay (and training fraction), several seeds per cell.",
        discussion: """
        Trains every (η_D, weight decay, fraction) cell for seeds 1…S (templates, initialisation \
        and minibatches from the seed) on one training set per fraction, the first whose ideal \
        validation accuracy is 1 (--split-seed auto; or --split-seed N). A run stops once both accuracies have \
        reached the threshold (its phase is then fixed; --full-budget runs every run to the end). \
        Finished runs go to OUT/runs.jsonl (OUT/runs-shard-I-of-N.jsonl for a shard) as they finish; \
        a rerun skips them. With every run present, writes OUT/grokking.{csv,json,md,tex}, the \
        diagram OUT/map.svg (OUT/map-f<F>.svg per fraction when there are several), one run per \
        phase present as OUT/curves.svg (rerun to the full budget), the embeddings of one grokking \
        run (else comprehension) at several steps as OUT/embeddings.svg, and OUT/examples.json; PNGs \
        beside the SVGs when rsvg-convert is installed.

        Examples:
          approx-cli dynamics grokking
          approx-cli dynamics grokking --learning-rates 1e-5:1e-2:12 --weight-decays 0:11:12 --fraction 0.8 --seeds 3
          approx-cli dynamics grokking --learning-rates 1e-4,1e-3 --weight-decays 0,5 --seeds 3 --steps 5000 --json
          approx-cli dynamics grokking --batch 16 --shard 1/4 --out grokking-minibatch
        """
    )

    @Option(name: .customLong("learning-rates"), help: ArgumentHelp("Decoder learning rates η_D: A:B:n (log-spaced) or a list.", valueName: "A:B:n"))
    var learningRates: String = "1e-5:1e-2:12"

    @Option(name: .customLong("weight-decays"), help: ArgumentHelp("Decoder weight decays: A:B:n (evenly spaced) or a list.", valueName: "A:B:n"))
    var weightDecays: String = "0:11:12"

    @Option(name: .long, help: ArgumentHelp("Training fraction(s) of the p(p+1)/2 examples, comma separated.", valueName: "F,..."))
    var fraction: String = "0.8"

    @Option(name: .long, help: "Seeds 1…S per cell.")
    var seeds: Int = 3

    @Flag(name: .customLong("full-budget"), help: "Run every run to the step budget (default: stop once both accuracies have reached the threshold).")
    var fullBudget = false

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "dynamics-grokking"

    @OptionGroup var model: GrokkingOptions
    @OptionGroup var runner: DynamicsJobOptions

    func plan() throws -> GrokkingPlan {
        var settings = try model.settings()
        settings.stopWhenDecided = !fullBudget
        let lrs = try gridList(learningRates, "--learning-rates", logarithmic: true, range: 1e-12...10)
        let wds = try gridList(weightDecays, "--weight-decays", logarithmic: false, range: 0...1e4)
        let fs = try numberList(fraction, "--fraction", range: 0...1)
        for f in fs { for lr in lrs { for wd in wds { try checkGrokkingHyperparameters(learningRate: lr, weightDecay: wd, fraction: f, p: settings.p) } } }
        for (list, flag) in [(lrs, "--learning-rates"), (wds, "--weight-decays"), (fs, "--fraction")] where Set(list).count != list.count {
            throw ValidationError("\(flag): a value is repeated")
        }
        guard (1...1000).contains(seeds) else { throw ValidationError("--seeds \(seeds): give 1…1000") }
        try ResourceLimits.check(Double(lrs.count * wds.count * fs.count) * Double(seeds),
                                 "\(lrs.count) × \(wds.count) × \(fs.count) cells × --seeds \(seeds) makes", against: ResourceLimits.runs)
        return GrokkingPlan(settings: settings, learningRates: lrs, weightDecays: wds, fractions: fs, seeds: seeds)
    }

    func run() throws {
        let plan = try self.plan()
        guard let records = try runner.runGrokking(plan, out: out, command: "dynamics grokking") else { return }
        let summaries = GrokkingCellSummary.all(plan: plan, records: records)
        let table = GrokkingMapTable(summaries: summaries, plan: plan, command: commandLine())
        try wrap {
            try AtomicFile.write(table.csv(), to: "\(out)/grokking.csv")
            try AtomicFile.write(table.json(), to: "\(out)/grokking.json")
            try AtomicFile.write(table.markdown(), to: "\(out)/grokking.md")
            try AtomicFile.write(table.latex(), to: "\(out)/grokking.tex")
        }
        var files = ["\(out)/grokking.{csv,json,md,tex}"]
        for f in plan.fractions {
            let path = plan.fractions.count == 1 ? "\(out)/map.svg" : "\(out)/map-f\(f).svg"
            let title = String(format: "Grokking phases, training fraction %g (%d of %d examples)", f, AdditionTask.trainCount(p: plan.settings.p, fraction: f),
                               plan.settings.p * (plan.settings.p + 1) / 2)
            try writePicture(GrokkingMapPlot(summaries: summaries, fraction: f, title: title, caption: table.caption).svg(), to: path)
            files.append(path)
        }
        files += try writeExamples(plan: plan, records: records)
        printError("wrote " + files.joined(separator: ", "))
        if Rasterizer.converter == nil { printError("no PNG: rsvg-convert is not installed (Debian: librsvg2-bin)") }
        if runner.json { print(try wrap { try table.json() }, terminator: ""); return }
        var text = TextTable(header: GrokkingMapTable.headers)
        for s in summaries { text.append(table.row(s)) }
        print(text.render(), terminator: "")
        print("")
        for f in plan.fractions {
            if plan.fractions.count > 1 { print("fraction \(f):") }
            print(table.letterGrids(fraction: f))
        }
        print(table.caption)
        for note in table.notes { print(note) }
    }

    /// One run per phase present (of the first fraction): from the cell with the most seeds in that
    /// phase (ties: the smaller η_D, then weight decay), its first seed in that phase; rerun to the
    /// full budget (deterministic: its threshold steps must equal the journal's) for the accuracy
    /// curves, and the grokking one (else comprehension) with embedding snapshots.
    func writeExamples(plan: GrokkingPlan, records: [GrokkingRecord]) throws -> [String] {
        let f = plan.fractions[0]
        var chosen: [(GrokkingPhase, GrokkingRecord)] = []
        for phase in GrokkingPhase.allCases {
            let candidates = records.filter { $0.fraction == f && $0.run.phase == phase }
            guard !candidates.isEmpty else { continue }
            let byCell = Dictionary(grouping: candidates) { GrokkingPlan.Cell(learningRate: $0.learningRate, weightDecay: $0.weightDecay, fraction: f) }
            func before(_ a: (key: GrokkingPlan.Cell, value: [GrokkingRecord]), _ b: (key: GrokkingPlan.Cell, value: [GrokkingRecord])) -> Bool {
                if a.value.count != b.value.count { return a.value.count < b.value.count }
                if a.key.learningRate != b.key.learningRate { return a.key.learningRate > b.key.learningRate }
                return a.key.weightDecay > b.key.weightDecay
            }
            let best = byCell.max(by: before)!
            chosen.append((phase, best.value.min { $0.seed < $1.seed }!))
        }
        guard !chosen.isEmpty else { return [] }
        var settings = plan.settings
        settings.stopWhenDecided = false
        let pictured = chosen.first { $0.0 == .grokking } ?? chosen.first { $0.0 == .comprehension }
        var panels: [GrokkingCurvesPlot.Panel] = []
        struct Example: Encodable {
            let phase: String, learningRate: Double, weightDecay: Double, fraction: Double, seed: UInt64
            let trainStep: Int?, validationStep: Int?, rqiStep: Int?, lagSteps: Int?, finalRqi: Double, snapshotSteps: [Int]
        }
        var examples: [Example] = []
        var embeddingPicture: EmbeddingPlot? = nil
        BLASThreads.use(1)
        // The reruns are independent: at most one per core at a time.
        let specs = chosen.map { phase, record -> (GrokkingRunSpec, [Int]) in
            let spec = GrokkingRunSpec(settings: settings, learningRate: record.learningRate, weightDecay: record.weightDecay, fraction: f, seed: record.seed)
            var snaps: [Int] = []
            if let p = pictured, p.1.key == record.key {
                let t = record.run.trainStep ?? 0, v = record.run.validationStep ?? settings.steps - 1, q = record.run.rqiStep ?? v
                snaps = Array(Set([0, Swift.min(q, t) / 2, t, (t + v) / 2, v, settings.steps - 1].map { Swift.min(Swift.max(0, $0), settings.steps - 1) })).sorted()
            }
            return (spec, snaps)
        }
        final class Results: @unchecked Sendable { var runs: [GrokkingRun?]; init(_ n: Int) { runs = Array(repeating: nil, count: n) } }
        let results = Results(specs.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: specs.count) { i in
            let run = GrokkingTraining.run(specs[i].0, snapshotSteps: Set(specs[i].1))
            lock.lock(); results.runs[i] = run; lock.unlock()
        }
        for (i, (phase, record)) in chosen.enumerated() {
            let run = results.runs[i]!, snaps = specs[i].1
            if run.trainStep != record.run.trainStep || run.validationStep != record.run.validationStep {
                printError("warning: the rerun of \(record.key) reached the thresholds at \(run.trainStep.map(String.init) ?? "never")/\(run.validationStep.map(String.init) ?? "never"), the journal has \(record.run.trainStep.map(String.init) ?? "never")/\(record.run.validationStep.map(String.init) ?? "never")")
            }
            let lag = run.trainStep.flatMap { t in run.validationStep.map { $0 - t } }
            panels.append(.init(label: phase.rawValue, detail: String(format: "η_D = %.2g, weight decay %g, seed %llu", record.learningRate, record.weightDecay, record.seed), run: run))
            examples.append(Example(phase: phase.rawValue, learningRate: record.learningRate, weightDecay: record.weightDecay, fraction: f, seed: record.seed,
                                    trainStep: run.trainStep, validationStep: run.validationStep, rqiStep: run.rqiStep, lagSteps: lag, finalRqi: run.finalRQI,
                                    snapshotSteps: snaps))
            if !snaps.isEmpty {
                let quality = RepresentationQuality(p: settings.p, dimension: settings.embeddingDimension, tolerance: settings.rqiTolerance)
                let rqis = run.snapshots.map { quality.index($0.embeddings) }
                let title = String(format: "Embeddings of a %@ run (η_D = %.2g, weight decay %g, seed %llu)", phase.rawValue, record.learningRate, record.weightDecay, record.seed)
                let caption = "Steps: 0, half the first of RQI > \(settings.rqiThreshold) (\(run.rqiStep.map(String.init) ?? "never")) and training accuracy reached (\(run.trainStep.map(String.init) ?? "never")), the latter, halfway to validation accuracy reached (\(run.validationStep.map(String.init) ?? "never")), the latter, the end. "
                    + settings.captionLine + "."
                embeddingPicture = EmbeddingPlot(p: settings.p, dimension: settings.embeddingDimension, snapshots: run.snapshots, rqi: rqis, title: title, caption: caption)
            }
        }
        var files: [String] = []
        let caption = "One run per phase, rerun to the full budget; dotted verticals mark the first steps at which training (blue) and validation (vermillion) accuracy reach \(settings.threshold). " + settings.captionLine + "."
        try writePicture(GrokkingCurvesPlot(panels: panels, title: "Accuracy and RQI, one run per phase", caption: caption).svg(), to: "\(out)/curves.svg")
        files.append("\(out)/curves.svg")
        if let e = embeddingPicture { try writePicture(e.svg(), to: "\(out)/embeddings.svg"); files.append("\(out)/embeddings.svg") }
        try wrap { try AtomicFile.write(try TableText.json(examples), to: "\(out)/examples.json") }
        files.append("\(out)/examples.json")
        return files
    }
}

struct DynamicsGrokkingFraction: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fraction",
        abstract: "The critical training fraction: the effective theory's against the measured one.",
        discussion: """
        Theory (no training): the share of random training sets whose parallelogram equations fix \
        the representation up to translation and scale (nullity 2), for every training-set size, \
        --samples sets each; r_c is where it reaches ½. Measured: trains seeds 1…S at each \
        --fractions value (one η_D and weight decay, the whole budget) and reports the share of \
        seeds whose validation accuracy reaches the threshold and whose RQI exceeds 0.95, with the \
        predicted and ideal accuracies. Runs are journaled in OUT like the map's. Writes \
        OUT/fraction.{csv,json,md,tex}, OUT/theory.csv and OUT/fraction.svg (PNG beside it).

        Examples:
          approx-cli dynamics grokking fraction
          approx-cli dynamics grokking fraction --fractions 0.1:0.9:17 --seeds 5 --steps 5000
        """
    )

    @Option(name: .long, help: ArgumentHelp("Training fractions to train at: A:B:n (evenly spaced) or a list.", valueName: "A:B:n"))
    var fractions: String = "0.1:0.9:9"

    @Option(name: .customLong("learning-rate"), help: "η_D.")
    var learningRate: Double = 1e-4

    @Option(name: .customLong("weight-decay"), help: "Decoder weight decay.")
    var weightDecay: Double = 0

    @Option(name: .long, help: "Seeds 1…S per fraction.")
    var seeds: Int = 3

    @Option(name: .long, help: "Random training sets per size for the theory's probability.")
    var samples: Int = 1000

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "dynamics-grokking-fraction"

    @OptionGroup var model: GrokkingOptions
    @OptionGroup var runner: DynamicsJobOptions

    func run() throws {
        var settings = try model.settings()
        guard model.splitSeed == "auto" else { throw ValidationError("--split-seed \(model.splitSeed.prefix(40)): the fraction sweep draws a new split for every seed (the split is its random variable); leave --split-seed out") }
        settings.split = .perSeed
        let fs = try gridList(fractions, "--fractions", logarithmic: false, range: 0...1)
        for f in fs { try checkGrokkingHyperparameters(learningRate: learningRate, weightDecay: weightDecay, fraction: f, p: settings.p) }
        let counts = fs.map { AdditionTask.trainCount(p: settings.p, fraction: $0) }
        guard Set(counts).count == counts.count else {
            throw ValidationError("--fractions \(fractions): two fractions give the same training-set size (\(counts.map(String.init).joined(separator: ", ")) of \(settings.p * (settings.p + 1) / 2)); give distinct sizes")
        }
        guard (1...1000).contains(seeds) else { throw ValidationError("--seeds \(seeds): give 1…1000") }
        guard (10...100_000).contains(samples) else { throw ValidationError("--samples \(samples): give 10…100000") }
        let plan = GrokkingPlan(settings: settings, learningRates: [learningRate], weightDecays: [weightDecay], fractions: fs, seeds: seeds)
        guard let records = try runner.runGrokking(plan, out: out, command: "dynamics grokking fraction") else { return }
        let n = settings.p * (settings.p + 1) / 2
        let theory = CriticalFraction(p: settings.p, trainCounts: Array(1..<n), samples: samples)
        let summary = GrokkingFractionSummary(records: records, theory: theory)
        let table = GrokkingFractionTable(summary: summary, settings: settings, learningRate: learningRate, weightDecay: weightDecay, command: commandLine())
        var theoryCSV = ["train_count,fraction,samples,probability_nullity_two,mean_ideal_accuracy"]
        for p in theory.points { theoryCSV.append("\(p.trainCount),\(p.fraction),\(p.samples),\(p.probability),\(p.idealTestAccuracy)") }
        try wrap {
            try AtomicFile.write(table.csv(), to: "\(out)/fraction.csv")
            try AtomicFile.write(table.json(), to: "\(out)/fraction.json")
            try AtomicFile.write(table.markdown(), to: "\(out)/fraction.md")
            try AtomicFile.write(table.latex(), to: "\(out)/fraction.tex")
            try AtomicFile.write(theoryCSV.joined(separator: "\r\n") + "\r\n", to: "\(out)/theory.csv")
        }
        let title = String(format: "Critical training fraction, p = %d: theory r_c = %@", settings.p, theory.critical.map { String(format: "%.3f", $0) } ?? "none")
        try writePicture(GrokkingFractionPlot(theory: theory, summary: summary, title: title, caption: table.caption + " " + table.notes[0]).svg(), to: "\(out)/fraction.svg")
        printError("wrote \(out)/fraction.{csv,json,md,tex}, \(out)/theory.csv, \(out)/fraction.svg")
        if runner.json { print(try wrap { try table.json() }, terminator: ""); return }
        var text = TextTable(header: GrokkingFractionTable.headers)
        for p in summary.points { text.append(table.row(p)) }
        print(text.render(), terminator: "")
        print("")
        print(table.caption)
        for note in table.notes { print(note) }
    }
}
