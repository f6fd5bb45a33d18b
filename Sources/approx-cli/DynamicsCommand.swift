import ApproxRates
import ArgumentParser
import Foundation

struct Dynamics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Training-dynamics regime experiments.",
        subcommands: [DynamicsEarly.self]
    )
}

extension HiddenActivation: ExpressibleByArgument {}
extension Parameterisation: ExpressibleByArgument {}

struct DynamicsEarly: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "early",
        abstract: "The early-training phase diagram (Kalra & Barkeshli 2023): c_loss, c_sharp and c_max against depth and width.",
        discussion: """
        For each (depth d, width w) and seed, trains from the seeded initialisation with η = c/λ₀ \
        (λ₀ the top Hessian eigenvalue by Lanczos on exact Hessian-vector products, on a fixed \
        measurement set) for --steps steps, for c = 2^x on a grid and by bisection, and finds \
        c_loss (the loss rises above L₀), c_sharp (λ_t rises above (1 + tol) λ₀) and c_max (the \
        largest c that does not diverge). Finished (d, w, seed) go to OUT/critical.jsonl as they \
        finish (a rerun skips them); at the end OUT gets trajectories.jsonl (one line per run: \
        losses and sharpness by step) and early.{csv,json,md,tex}.

        Examples:
          approx-cli dynamics early
          approx-cli dynamics early --networks 2x512,4x256,4x64,8x64 --seeds 3 --out early
          approx-cli dynamics early --model uv --networks 2x16,2x64,2x256,2x1024 --steps 200 --seeds 5
          approx-cli dynamics early --batch 64 --steps 20 --json
        """
    )

    @Option(name: .long, help: "fcn (a fully connected network on teacher data) or uv (the uv model; networks 2xN).")
    var model: String = "fcn"

    @Option(name: .long, help: ArgumentHelp("(depth)x(width) pairs, comma separated.", valueName: "dxw,..."))
    var networks: String = "2x512,4x256,4x64,8x64"

    @Option(name: .long, help: "Seeds 1…S per network.")
    var seeds: Int = 3

    @Option(name: .long, help: "Hidden activation (fcn).")
    var activation: HiddenActivation = .relu

    @Option(name: .long, help: "standard or ntk (fcn).")
    var parameterisation: Parameterisation = .standard

    @Option(name: .long, help: "Training examples of the teacher data.")
    var samples: Int = 256

    @Option(name: .customLong("input-dim"), help: "Input dimension of the teacher data.")
    var inputDimension: Int = 32

    @Option(name: .long, help: "Classes (outputs) of the teacher data.")
    var classes: Int = 10

    @Option(name: .long, help: "Examples per SGD step; 0 = full batch.")
    var batch: Int = 0

    @Option(name: .long, help: "Steps in the early window.")
    var steps: Int = 10

    @Option(name: .long, help: "Size of the fixed set λ₀ and λ_t are measured on (the first examples).")
    var measurement: Int = 512

    @Option(name: .customLong("sharpness-every"), help: "Measure λ_t every k steps.")
    var sharpnessEvery: Int = 1

    @Option(name: .customLong("sharpness-tolerance"), help: "A sharpness catapult is λ_t/λ₀ > 1 + tol.")
    var sharpnessTolerance: Double = 0.02

    @Option(name: .long, help: ArgumentHelp("Grid of log2 c: from:to:step.", valueName: "a:b:h"))
    var scan: String = "0:7:0.25"

    @Option(name: .long, help: "Bisections per bracket.")
    var refinements: Int = 4

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "dynamics-early"

    @Option(name: .customLong("jobs"), help: "(network, seed) jobs at a time (default: the cores).")
    var jobCount: Int?

    @Flag(name: .long, help: "Print one JSON object (the summaries) instead of the table.")
    var json = false

    func plan() throws -> EarlyPhaseDiagramPlan {
        var plan = EarlyPhaseDiagramPlan()
        guard model == "fcn" || model == "uv" else { throw ValidationError("--model \(model): give fcn or uv") }
        plan.model = model
        plan.networks = try networks.split(separator: ",").map { item in
            let parts = item.split(separator: "x")
            guard parts.count == 2, let d = Int(parts[0]), let w = Int(parts[1]), d >= 1, w >= 1 else {
                throw ValidationError("--networks: '\(item)' is not (depth)x(width) with both at least 1, e.g. 4x256")
            }
            if model == "uv" && d != 2 { throw ValidationError("--networks: '\(item)': the uv model has depth 2 (give 2x\(w))") }
            return .init(depth: d, width: w)
        }
        guard !plan.networks.isEmpty else { throw ValidationError("--networks: give at least one (depth)x(width)") }
        guard seeds >= 1 else { throw ValidationError("--seeds \(seeds): give at least 1") }
        guard samples >= 1, inputDimension >= 2, classes >= 1 else {
            throw ValidationError("--samples \(samples), --input-dim \(inputDimension), --classes \(classes): need at least 1, 2 and 1")
        }
        guard batch >= 0 else { throw ValidationError("--batch \(batch): give 0 (full batch) or a positive size") }
        guard steps >= 1 else { throw ValidationError("--steps \(steps): give at least 1") }
        guard measurement >= 1, sharpnessEvery >= 1 else { throw ValidationError("--measurement and --sharpness-every must be at least 1") }
        guard sharpnessTolerance >= 0 else { throw ValidationError("--sharpness-tolerance \(sharpnessTolerance): give a value >= 0") }
        guard refinements >= 0 && refinements <= 20 else { throw ValidationError("--refinements \(refinements): give 0…20") }
        let s = scan.split(separator: ":").map { Double($0) }
        guard s.count == 3, let a = s[0], let b = s[1], let h = s[2], h > 0, a <= b, b - a <= 30 * h + 40 else {
            throw ValidationError("--scan \(scan): give from:to:step with from <= to and step > 0, e.g. 0:7:0.25")
        }
        plan.seeds = seeds; plan.activation = activation; plan.parameterisation = parameterisation
        plan.samples = samples; plan.inputDimension = inputDimension; plan.classes = classes
        plan.settings.batchSize = batch; plan.settings.steps = steps; plan.settings.measurementSize = measurement
        plan.settings.sharpnessEvery = sharpnessEvery; plan.settings.sharpnessTolerance = sharpnessTolerance
        plan.scanFrom = a; plan.scanTo = b; plan.scanStep = h; plan.refinements = refinements
        return plan
    }

    func run() throws {
        let plan = try self.plan()
        if let j = jobCount, j < 1 { throw ValidationError("--jobs \(j): give at least 1") }
        try makeFolder(out)
        let journal = JSONLinesJournal<EarlyPhaseRecord>(path: "\(out)/critical.jsonl")
        let runner = EarlyPhaseDiagramRunner(plan: plan, journal: journal,
                                             jobs: jobCount ?? ProcessInfo.processInfo.activeProcessorCount)
        let done = try wrap { try runner.finished() }
        let total = runner.allJobs.count
        printError("dynamics early: \(total) (network, seed) jobs, \(done.count) already in \(journal.path)")
        let bar = ProgressBar(costTotal: Double(total), costDone: Double(done.count))
        let records = try wrap {
            try runner.run { record, finished, total in
                let c = record.critical
                func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "—" }
                bar.finished(cost: 1, measured: true,
                             line: "[\(finished)/\(total)] d=\(record.depth) w=\(record.width) seed \(record.seed): c_loss \(f(c.cLoss)) c_sharp \(f(c.cSharp)) c_max \(f(c.cMax)) (\(c.runs.count) runs, \(String(format: "%.1f", record.seconds)) s)")
                bar.update(done: finished, total: total, note: "d=\(record.depth) w=\(record.width) seed \(record.seed)")
            }
        }
        bar.end()
        let summaries = runner.summaries(records)
        let command = commandLine()
        let table = EarlyPhaseTable(summaries: summaries, plan: plan, command: command)
        try wrap {
            try AtomicFile.write(trajectories(records, plan), to: "\(out)/trajectories.jsonl")
            try AtomicFile.write(table.csv(), to: "\(out)/early.csv")
            try AtomicFile.write(table.json(), to: "\(out)/early.json")
            try AtomicFile.write(table.markdown(), to: "\(out)/early.md")
            try AtomicFile.write(table.latex(), to: "\(out)/early.tex")
        }
        printError("wrote \(out)/trajectories.jsonl, \(out)/early.{csv,json,md,tex}")
        if json {
            print(try wrap { try table.json() }, terminator: "")
            return
        }
        var text = TextTable(header: ["d", "w", "d/w", "seeds", "λ₀", "c_loss [min–max]", "c_sharp [min–max]", "c_max [min–max]", "ordered"])
        for s in summaries { text.append(table.row(s, latex: false)) }
        print(text.render(), terminator: "")
        print("")
        for note in table.notes.dropLast() { print(note) }
    }

    /// One JSON line per run: network, seed, c, η, λ₀, L₀, the losses, the sharpness samples, the regime.
    func trajectories(_ records: [EarlyPhaseRecord], _ plan: EarlyPhaseDiagramPlan) throws -> String {
        struct Line: Encodable {
            let depth: Int, width: Int, seed: UInt64, c: Double, eta: Double, lambda0: Double, loss0: Double
            let losses: [Double], sharpness: [SharpnessSample], diverged: Bool, regime: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var text = ""
        for r in records.sorted(by: { ($0.depth, $0.width, $0.seed) < ($1.depth, $1.width, $1.seed) }) {
            for run in r.critical.runs.sorted(by: { $0.c < $1.c }) {
                let line = Line(depth: r.depth, width: r.width, seed: r.seed, c: run.c, eta: run.learningRate, lambda0: run.sharpness0,
                                loss0: run.loss0, losses: run.losses, sharpness: run.sharpness,
                                diverged: run.diverged, regime: run.regime(plan.settings))
                text += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n"
            }
        }
        return text
    }
}
