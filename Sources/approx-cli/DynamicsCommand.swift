import ApproxRates
import ArgumentParser
import Foundation

struct Dynamics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Training-dynamics regime experiments.",
        subcommands: [DynamicsEarly.self, DynamicsLong.self, DynamicsTwoLayer.self, DynamicsSGD.self, DynamicsGrokking.self, DynamicsBench.self]
    )
}

extension HiddenActivation: ExpressibleByArgument {}
extension Parameterisation: ExpressibleByArgument {}
extension TrainingLoss: ExpressibleByArgument {}

struct DynamicsEarly: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "early",
        abstract: "The early-training phase diagram (Kalra & Barkeshli 2023): c_loss, c_sharp and c_max against depth and width.",
        discussion: """
        For each (depth d, width w) and seed, trains from the seeded initialisation with η = c/λ₀ \
        (λ₀ the top Hessian eigenvalue by Lanczos on exact Hessian-vector products, on a fixed \
        measurement set: the first --measurement examples) for --steps steps of SGD with batch \
        --batch, for c = 2^x on a grid and by bisection, and finds c_loss (the loss on the whole \
        training set rises above L₀), c_sharp (λ_t rises above (1 + tol) λ₀) and c_max (the largest \
        c that does not diverge). The data are the shipped 8×8 handwritten digits (data/digits) by \
        default; the networks are fully connected (fcn), Myrtle-style convolutional (cnn: d − 1 3×3 \
        convolutions with w channels, three average pools, a dense head) or the uv model. With \
        --saturation-k K, λ_τ/λ₀ is also measured at τ = ⌈K/c⌉ (cτ = K, the intermediate saturation \
        regime) for each --saturation-c. The table reports whether c_loss collapses onto d/w, 1/w \
        or d over the networks given, with a 95 % bootstrap interval (over seeds) for the ratio \
        of each pair of equal-valued networks' medians. Finished (d, w, seed) go to OUT/critical.jsonl as they finish \
        (a rerun skips them); at the end OUT gets trajectories.jsonl (one line per run: losses and \
        sharpness by step) and early.{csv,json,md,tex}.

        Examples:
          approx-cli dynamics early
          approx-cli dynamics early --batch 128 --saturation-k 200 --out early-b128
          approx-cli dynamics early --model cnn
          approx-cli dynamics early --networks 2x64,3x96,6x192,2x32,3x48,6x96 --seeds 3 --out collapse
          approx-cli dynamics early --data teacher --seeds 3
          approx-cli dynamics early --model uv --networks 2x16,2x64,2x256,2x1024 --steps 200 --seeds 5
        """
    )

    @Option(name: .long, help: "fcn (fully connected), cnn (Myrtle-style convolutional, on the digits) or uv (the uv model; networks 2xN).")
    var model: String = "fcn"

    @Option(name: .long, help: "digits (the shipped 8×8 handwritten digits) or teacher (Gaussian inputs, random linear teacher).")
    var data: String = "digits"

    @Option(name: .customLong("data-file"), help: ArgumentHelp("The digits file (default data/digits/digits.csv).", valueName: "path"))
    var dataFile: String?

    @Option(name: .long, help: ArgumentHelp("(depth)x(width) pairs, comma separated (default: five from d/w = 1/256 to 1/8 for fcn on the digits; see the docs for the others).", valueName: "dxw,..."))
    var networks: String?

    @Option(name: .long, help: "Seeds 1…S per network.")
    var seeds: Int = 5

    @Option(name: .long, help: "Hidden activation.")
    var activation: HiddenActivation = .relu

    @Option(name: .long, help: "standard or ntk (fcn).")
    var parameterisation: Parameterisation = .standard

    @Option(name: .long, help: "mse (½·mean squared error over examples and classes, the paper's) or xent (softmax cross-entropy).")
    var loss: TrainingLoss = .mse

    @Option(name: .long, help: "Training examples: the first N digits (default all 1,797), or the teacher's count (default 256).")
    var samples: Int?

    @Flag(name: .customLong("random-labels"), help: "Labels drawn uniformly at random (the harder, memorisation task).")
    var randomLabels = false

    @Option(name: .customLong("input-dim"), help: "Input dimension of the teacher data.")
    var inputDimension: Int = 32

    @Option(name: .long, help: "Classes (outputs) of the teacher data.")
    var classes: Int = 10

    @Option(name: .long, help: "Examples per SGD step; 0 = full batch (default 512, the paper's, on the digits; 0 on the teacher data).")
    var batch: Int?

    @Option(name: .long, help: "Steps in the early window.")
    var steps: Int = 10

    @Option(name: .long, help: "Size of the fixed set λ₀ and λ_t are measured on (the first examples; default 512, 256 for the CNN).")
    var measurement: Int?

    @Option(name: .customLong("sharpness-every"), help: "Measure λ_t every k steps.")
    var sharpnessEvery: Int = 1

    @Option(name: .customLong("sharpness-tolerance"), help: "A sharpness catapult is λ_t/λ₀ > 1 + tol.")
    var sharpnessTolerance: Double = 0.02

    @Option(name: .long, help: ArgumentHelp("Grid of log2 c: from:to:step (default 0:7:0.25; 0:7:0.5 for the CNN).", valueName: "a:b:h"))
    var scan: String?

    @Option(name: .long, help: "Bisections per bracket (default 4; 3 for the CNN, so the resolution is 0.0625 in log2 c either way).")
    var refinements: Int?

    @Option(name: .customLong("saturation-k"), help: ArgumentHelp("Also measure λ_τ/λ₀ at τ = ⌈K/c⌉ (cτ = K, the intermediate saturation regime).", valueName: "K"))
    var saturationK: Double?

    @Option(name: .customLong("saturation-c"), help: ArgumentHelp("The c's of the saturation measurement.", valueName: "c,..."))
    var saturationC: String = "0.5,1,1.5"

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "dynamics-early"

    @Option(name: .customLong("jobs"), help: "(network, seed) jobs at a time (default: the cores).")
    var jobCount: Int?

    @Flag(name: .long, help: "Print one JSON object (the summaries) instead of the table.")
    var json = false

    func plan() throws -> EarlyPhaseDiagramPlan {
        var plan = EarlyPhaseDiagramPlan()
        guard ["fcn", "cnn", "uv"].contains(model) else { throw ValidationError("--model \(model.prefix(40)): give fcn, cnn or uv") }
        guard ["digits", "teacher"].contains(data) else { throw ValidationError("--data \(data.prefix(40)): give digits or teacher") }
        if model == "cnn" && data != "digits" { throw ValidationError("--model cnn needs images: give --data digits (the teacher data are not images)") }
        plan.model = model
        plan.data = data
        if data == "digits" && model != "uv" { plan.dataFile = try digitsFile(dataFile) }
        let defaults = EarlyPhaseDiagramPlan.defaultNetworks(model: model, data: data).map { "\($0.depth)x\($0.width)" }.joined(separator: ",")
        plan.networks = try (networks ?? defaults).split(separator: ",", omittingEmptySubsequences: false).map { item in
            let parts = item.split(separator: "x", omittingEmptySubsequences: false)
            guard parts.count == 2, let d = Int(parts[0]), let w = Int(parts[1]), d >= 1, w >= 1 else {
                throw ValidationError("--networks: '\(item.prefix(40))' is not (depth)x(width) with both at least 1, e.g. 4x256")
            }
            if model == "uv" && d != 2 { throw ValidationError("--networks: '\(item)': the uv model has depth 2 (give 2x\(w))") }
            if model == "cnn" && d < 2 { throw ValidationError("--networks: '\(item)': a CNN has depth at least 2 (one convolution and the head)") }
            return .init(depth: d, width: w)
        }
        guard !plan.networks.isEmpty else { throw ValidationError("--networks: give at least one (depth)x(width)") }
        guard seeds >= 1 else { throw ValidationError("--seeds \(seeds): give at least 1") }
        try ResourceLimits.check(Double(plan.networks.count) * Double(seeds), "--seeds \(seeds) with \(plan.networks.count) network(s) makes", against: ResourceLimits.runs)
        let count = samples ?? (data == "digits" ? TrainingData.digitsCount : 256)
        if data == "digits" {
            guard count >= 1 && count <= TrainingData.digitsCount else {
                throw ValidationError("--samples \(count): the digits have \(TrainingData.digitsCount) examples; give 1…\(TrainingData.digitsCount)")
            }
        } else {
            guard count >= 1, inputDimension >= 2, classes >= 1 else {
                throw ValidationError("--samples \(count), --input-dim \(inputDimension), --classes \(classes): need at least 1, 2 and 1")
            }
        }
        let batchSize = batch ?? (data == "digits" ? 512 : 0)
        guard batchSize >= 0 else { throw ValidationError("--batch \(batchSize): give 0 (full batch) or a positive size") }
        try ResourceLimits.check(steps, "--steps", against: ResourceLimits.steps)
        let cnn = model == "cnn"
        let measurement = self.measurement ?? (cnn ? 256 : 512)
        let refinements = self.refinements ?? (cnn ? 3 : 4)
        let scan = self.scan ?? (cnn ? "0:7:0.5" : "0:7:0.25")
        guard measurement >= 1, sharpnessEvery >= 1 else { throw ValidationError("--measurement and --sharpness-every must be at least 1") }
        try checkThreads(jobCount, "--jobs")
        plan.samples = count; plan.inputDimension = inputDimension; plan.classes = classes
        let parallel = Double(min(jobCount ?? ProcessInfo.processInfo.activeProcessorCount, plan.networks.count * seeds))
        for n in plan.networks {
            try checkTrainingMemory(plan.network(n), samples: model == "uv" ? 1 : count, parallel: parallel,
                                    "--networks \(n.depth)x\(n.width) with --samples \(count)")
        }
        guard sharpnessTolerance >= 0, sharpnessTolerance.isFinite else { throw ValidationError("--sharpness-tolerance \(sharpnessTolerance): give a finite value >= 0") }
        guard refinements >= 0 && refinements <= 20 else { throw ValidationError("--refinements \(refinements): give 0…20") }
        let s = scan.split(separator: ":").map { Double($0) }
        guard s.count == 3, let a = s[0], let b = s[1], let h = s[2], a.isFinite, b.isFinite, h.isFinite, h > 0, a <= b, b - a <= 30 * h + 40,
              (b - a) / h <= 1000 else {
            throw ValidationError("--scan \(scan.prefix(60)): give from:to:step with finite from <= to, step > 0 and at most 1,000 steps, e.g. 0:7:0.25")
        }
        if let k = saturationK {
            guard k.isFinite, k >= 1, k <= 1e5 else { throw ValidationError("--saturation-k \(k): give K in 1…100000 (τ = ⌈K/c⌉ steps)") }
            plan.saturationC = try saturationC.split(separator: ",", omittingEmptySubsequences: false).map { item in
                guard let c = Double(item), c.isFinite, c > 0, k / c <= 1e6 else {
                    throw ValidationError("--saturation-c: '\(item.prefix(40))' is not a positive c with K/c ≤ 1,000,000 steps")
                }
                return c
            }
            plan.saturationK = k
        }
        plan.seeds = seeds; plan.activation = activation; plan.parameterisation = parameterisation
        plan.randomLabels = randomLabels
        plan.settings.batchSize = batchSize; plan.settings.steps = steps; plan.settings.measurementSize = measurement
        plan.settings.sharpnessEvery = sharpnessEvery; plan.settings.sharpnessTolerance = sharpnessTolerance
        plan.settings.loss = loss
        plan.scanFrom = a; plan.scanTo = b; plan.scanStep = h; plan.refinements = refinements
        return plan
    }

    func run() throws {
        let plan = try self.plan()
        try makeFolder(out)
        let journal = JSONLinesJournal<EarlyPhaseRecord>(path: "\(out)/critical.jsonl")
        let runner = EarlyPhaseDiagramRunner(plan: plan, journal: journal,
                                             jobs: jobCount ?? ProcessInfo.processInfo.activeProcessorCount)
        let dataSummary = try wrap { try plan.trainingData().summary }
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
        let table = EarlyPhaseTable(summaries: summaries, plan: plan, command: command, dataSummary: dataSummary)
        try wrap {
            try AtomicFile.write(trajectories(records, plan), to: "\(out)/trajectories.jsonl")
            try AtomicFile.write(table.csv(), to: "\(out)/early.csv")
            try AtomicFile.write(table.json(), to: "\(out)/early.json")
            try AtomicFile.write(table.markdown(), to: "\(out)/early.md")
            try AtomicFile.write(table.latex(), to: "\(out)/early.tex")
        }
        let plots = try wrap { try writePlots(records, summaries, plan, table) }
        printError("wrote \(out)/trajectories.jsonl, \(out)/early.{csv,json,md,tex}, \(plots.joined(separator: ", "))")
        if Rasterizer.converter == nil { printError("no PNG: rsvg-convert is not installed (Debian: librsvg2-bin)") }
        if json {
            print(try wrap { try table.json() }, terminator: "")
            return
        }
        var text = TextTable(header: table.headers.enumerated().map { $0.offset >= 5 && $0.offset <= 7 || $0.offset >= 9 ? $0.element + " [min–max]" : $0.element })
        for s in summaries { text.append(table.row(s, latex: false)) }
        print(text.render(), terminator: "")
        print("")
        for note in table.notes.dropLast() { print(note) }
    }

    /// The phase diagram and, for seed 1 of each network, the loss and sharpness trajectories (SVG,
    /// PNG beside each when rsvg-convert is installed). Returns the SVG paths.
    func writePlots(_ records: [EarlyPhaseRecord], _ summaries: [EarlyPhaseSummary], _ plan: EarlyPhaseDiagramPlan,
                    _ table: EarlyPhaseTable) throws -> [String] {
        let s = plan.settings
        let caption = "\(plan.model == "cnn" ? "CNN" : plan.model == "uv" ? "uv model" : "FCN") on \(plan.model == "uv" ? "one example" : plan.data); \(s.steps) steps of \(s.batchSize <= 0 || s.batchSize >= plan.exampleCount ? "GD" : "SGD, batch \(s.batchSize)"); sharpness tol \(s.sharpnessTolerance), divergence at \(String(format: "%g", s.divergenceCap)) L₀; log₂ c grid \(plan.scanFrom)…\(plan.scanTo) step \(plan.scanStep), \(plan.refinements) bisections; \(plan.seeds) seeds (markers: medians; bars: the range over seeds)"
        var files: [(String, String)] = [("\(out)/phase-diagram.svg", EarlyPhasePlot(summaries: summaries, caption: caption).svg())]
        try makeFolder("\(out)/plots")
        for r in records where r.seed == 1 {
            let kind = plan.model == "uv" ? "uv model" : plan.model == "cnn" ? "\(plan.activation.rawValue) CNN" : "\(plan.activation.rawValue) FCN"
            let title = "\(kind) d = \(r.depth), w = \(r.width), seed 1"
            files.append(("\(out)/plots/trajectories-d\(r.depth)-w\(r.width).svg", SharpnessTrajectoryPlot(runs: r.critical.runs, title: title).svg()))
        }
        for (path, svg) in files {
            try AtomicFile.write(svg, to: path)
            _ = try Rasterizer.png(from: path, to: String(path.dropLast(4)) + ".png")
        }
        return files.map(\.0)
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

struct DynamicsLong: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "long",
        abstract: "One long run at fixed c: the early transient, intermediate saturation, progressive sharpening and the edge of stability.",
        discussion: """
        Trains one network (fcn or cnn, on the digits or the teacher data) with η = c/λ₀ for \
        --steps steps (full-batch GD by default, SGD with --batch), measuring the sharpness λ_t of \
        the full training loss every --sharpness-every steps (Lanczos, warm-started), and reports \
        where each regime starts, how close λ_t η stays to 2 at the edge of stability, and the mean \
        of λ_t η over the last 20 % of the steps. Writes \
        OUT/long.jsonl (one line per sharpness sample: step, loss, λ_t, λ_t η, Lanczos residual), \
        OUT/long.json (the regimes) and OUT/long.svg (PNG beside it when rsvg-convert is installed). \
        The state is saved to OUT/state.json every --save-every steps; rerunning the same command \
        after an interruption resumes from it and gives the same result.

        Examples:
          approx-cli dynamics long
          approx-cli dynamics long --random-labels --samples 512 --depth 3 --width 128 --c 1.5 --steps 20000 --out eos
          approx-cli dynamics long --random-labels --samples 512 --depth 3 --width 128 --c 1.5 --steps 20000 --batch 32 --out eos-b32
        """
    )

    @Option(name: .long, help: "fcn (fully connected) or cnn (Myrtle-style convolutional, on the digits).") var model: String = "fcn"
    @Option(name: .long, help: "digits (the shipped 8×8 handwritten digits) or teacher (Gaussian inputs, random linear teacher).") var data: String = "digits"
    @Option(name: .customLong("data-file"), help: ArgumentHelp("The digits file (default data/digits/digits.csv).", valueName: "path")) var dataFile: String?
    @Option(name: .long, help: "Layers with weights d.") var depth: Int = 4
    @Option(name: .long, help: "Hidden width (channels for the CNN) w.") var width: Int = 128
    @Option(name: .long, help: "c = η λ₀.") var c: Double = 0.5
    @Option(name: .long, help: "Steps.") var steps: Int = 10000
    @Option(name: .customLong("sharpness-every"), help: "Measure λ_t every k steps.") var sharpnessEvery: Int = 20
    @Option(name: .long, help: "Examples per SGD step; 0 = full batch.") var batch: Int = 0
    @Option(name: .long, help: "Training examples: the first N digits (default all 1,797), or the teacher's count (default 1,024).") var samples: Int?
    @Option(name: .long, help: "Examples of the fixed set λ_t is measured on (the first ones; default all the training examples, so λ_t is the sharpness of the full training loss).") var measurement: Int?
    @Option(name: .customLong("input-dim"), help: "Input dimension (teacher data).") var inputDimension: Int = 32
    @Option(name: .long, help: "Classes (teacher data).") var classes: Int = 10
    @Option(name: .long, help: "Hidden activation.") var activation: HiddenActivation = .relu
    @Option(name: .long, help: "mse or xent.") var loss: TrainingLoss = .mse
    @Flag(name: .customLong("random-labels"), help: "Uniformly random labels (memorisation: the sharpness rises).") var randomLabels = false
    @Option(name: .long, help: "Seed.") var seed: UInt64 = 1
    @Option(name: .long, help: ArgumentHelp("Output folder.", valueName: "dir")) var out: String = "dynamics-long"
    @Option(name: .customLong("save-every"), help: "Save the run's state (OUT/state.json) every k steps; a rerun of the same command resumes from it.") var saveEvery: Int = 5000
    @Flag(name: .long, help: "Print the regimes as JSON.") var json = false

    var sampleCount: Int { samples ?? (data == "digits" ? TrainingData.digitsCount : 1024) }

    /// The data and the network as `dynamics early` makes them (one plan, so both commands build
    /// the same network on the same examples).
    func plan(dataFile: String? = nil) -> EarlyPhaseDiagramPlan {
        var plan = EarlyPhaseDiagramPlan()
        plan.model = model; plan.data = data; plan.dataFile = dataFile
        plan.samples = sampleCount; plan.inputDimension = inputDimension; plan.classes = classes
        plan.randomLabels = randomLabels; plan.activation = activation
        return plan
    }

    /// The network.
    func network() -> any TrainableModel { plan().network(.init(depth: depth, width: width)) }

    func validate() throws {
        guard ["fcn", "cnn"].contains(model) else { throw ValidationError("--model \(model.prefix(40)): give fcn or cnn") }
        guard ["digits", "teacher"].contains(data) else { throw ValidationError("--data \(data.prefix(40)): give digits or teacher") }
        if model == "cnn" && data != "digits" { throw ValidationError("--model cnn needs images: give --data digits") }
        guard depth >= (model == "cnn" ? 2 : 1), width >= 1 else {
            throw ValidationError("--depth \(depth) --width \(width): need depth ≥ \(model == "cnn" ? 2 : 1) and width ≥ 1")
        }
        guard c > 0, c.isFinite else { throw ValidationError("--c \(c): give a positive number") }
        try ResourceLimits.check(steps, "--steps", against: ResourceLimits.steps)
        guard sharpnessEvery >= 1 else { throw ValidationError("--sharpness-every \(sharpnessEvery): give at least 1") }
        guard batch >= 0 else { throw ValidationError("--batch \(batch): give 0 (full batch) or a positive size") }
        if data == "digits" {
            guard (1...TrainingData.digitsCount).contains(sampleCount) else {
                throw ValidationError("--samples \(sampleCount): the digits have \(TrainingData.digitsCount) examples; give 1…\(TrainingData.digitsCount)")
            }
        } else {
            guard sampleCount >= 1, inputDimension >= 2, classes >= 1 else { throw ValidationError("--samples, --input-dim, --classes: need at least 1, 2 and 1") }
        }
        if let m = measurement, m < 1 { throw ValidationError("--measurement \(m): give at least 1") }
        guard saveEvery >= 1 else { throw ValidationError("--save-every \(saveEvery): give at least 1") }
        try checkTrainingMemory(network(), samples: sampleCount, parallel: 1, "--depth \(depth) --width \(width) with --samples \(sampleCount)")
    }

    /// Everything that changes the run (a saved state from another configuration is ignored).
    var configuration: String {
        "model=\(model) data=\(data) d=\(depth) w=\(width) c=\(c) steps=\(steps) every=\(sharpnessEvery) batch=\(batch) samples=\(sampleCount) measurement=\(measurement ?? sampleCount) in=\(inputDimension) classes=\(classes) act=\(activation.rawValue) loss=\(loss.rawValue) random=\(randomLabels) seed=\(seed)"
    }

    func run() throws {
        try makeFolder(out)
        let data = try wrap { try plan(dataFile: self.data == "digits" ? try digitsFile(dataFile) : nil).trainingData() }
        let arch = network()
        var settings = EarlyTrainingSettings()
        settings.steps = steps; settings.sharpnessEvery = sharpnessEvery; settings.batchSize = batch
        settings.measurementSize = measurement ?? sampleCount
        settings.divergenceCap = 1e5
        settings.loss = loss
        settings.stopSharpnessAfterCatapult = false
        let start = Date()
        let probe = EarlyTrainingProbe(model: arch, data: data, settings: settings, seed: seed)
        guard probe.sharpness0.value > 0, probe.sharpness0.value.isFinite else {
            throw CLIError("λ₀ = \(probe.sharpness0.value) at initialisation (--depth \(depth) --width \(width)): the loss surface is flat or undefined there, so η = c/λ₀ is not a learning rate; give a shallower or wider network")
        }
        printError(String(format: "λ₀ = %.6g (residual %.1e), η = %.6g, 2/η = %.6g; %d steps…", probe.sharpness0.value, probe.sharpness0.residual,
                          c / probe.sharpness0.value, 2 * probe.sharpness0.value / c, steps))
        let saving = SavedTrainingRun(path: "\(out)/state.json", configuration: configuration, saveEvery: saveEvery)
        if let saved = saving.saved() { printError("resuming from \(saving.path) at step \(saved.step)") }
        let terminal = isatty(2) != 0
        let state = try wrap {
            try saving.run(probe, from: probe.start(c: c), steps: steps) { state in
                let last = state.sharpness.last.map { String(format: ", λ_t η = %.4f", $0.value * state.learningRate) } ?? ""
                let line = String(format: "step %d/%d: loss %.4g", state.step, steps, state.losses.last ?? state.loss0) + last
                FileOutput.standardError(terminal ? "\r\u{1B}[K" + line : line + "\n")
            }
        }
        if terminal { FileOutput.standardError("\r\u{1B}[K") }
        let run = state.run
        let regimes = TrainingRegimes(run)
        let seconds = Date().timeIntervalSince(start)
        struct Line: Encodable { let step: Int; let loss: Double; let sharpness: Double; let sharpnessTimesEta: Double; let residual: Double }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var lines = ""
        for s in run.sharpness {
            let loss = s.step == 0 ? run.loss0 : run.losses[s.step - 1]
            lines += String(decoding: try encoder.encode(Line(step: s.step, loss: loss, sharpness: s.value, sharpnessTimesEta: s.value * run.learningRate, residual: s.residual)), as: UTF8.self) + "\n"
        }
        struct Report: Encodable {
            let model: String, batch: Int, depth: Int, width: Int, c: Double, eta: Double, lambda0: Double, steps: Int, diverged: Bool, finalLoss: Double
            let regimes: TrainingRegimes, allFour: Bool, seconds: Double, data: String
        }
        let report = Report(model: model, batch: batch <= 0 || batch >= data.count ? 0 : batch, depth: depth, width: width, c: c, eta: run.learningRate, lambda0: run.sharpness0, steps: run.losses.count,
                            diverged: run.diverged, finalLoss: run.losses.last ?? run.loss0, regimes: regimes, allFour: regimes.allFour,
                            seconds: seconds, data: data.summary)
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let reportText = String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        let svg = LongRunPlot(run: run, regimes: regimes, title: "\(activation.rawValue) \(model == "cnn" ? "CNN" : "FCN") d = \(depth), w = \(width), c = \(c), \(batch <= 0 || batch >= data.count ? "GD" : "SGD batch \(batch)"), seed \(seed)").svg()
        try wrap {
            try AtomicFile.write(lines, to: "\(out)/long.jsonl")
            try AtomicFile.write(reportText, to: "\(out)/long.json")
            try AtomicFile.write(svg, to: "\(out)/long.svg")
            _ = try Rasterizer.png(from: "\(out)/long.svg", to: "\(out)/long.png")
        }
        printError("wrote \(out)/long.jsonl, \(out)/long.json, \(out)/long.svg (\(String(format: "%.1f", seconds)) s)")
        if json { print(reportText, terminator: ""); return }
        func step(_ s: Int?) -> String { s.map(String.init) ?? "never" }
        print(String(format: "λ₀ = %.5g, η = %.5g (c = %g), 2/η = %.5g", run.sharpness0, run.learningRate, c, 2 / run.learningRate))
        print("early transient         steps 1…\(regimes.transientSteps)")
        print("intermediate saturation from step \(regimes.transientSteps), λ_sat = \(regimes.saturatedSharpness.map { String(format: "%.5g (λ_sat η = %.3f)", $0, $0 * run.learningRate) } ?? "—")")
        print("progressive sharpening  from step \(step(regimes.sharpeningStart)) (λ_t > 1.1 λ_sat)")
        print("edge of stability       from step \(step(regimes.edgeStart)) (λ_t η ≥ 1.9)" + (regimes.edgeMean.map { m in
            String(format: "; λ_t η = %.3f ± %.3f over %d samples, range [%.3f, %.3f]", m, regimes.edgeSpread!, regimes.edgeSamples, regimes.edgeRange![0], regimes.edgeRange![1]) } ?? ""))
        print("last \(Int(regimes.finalFraction * 100)) % of steps    " + (regimes.finalMean.map { m in
            String(format: "λ_t η = %.3f ± %.3f over %d samples, range [%.3f, %.3f], fitted rise across the window %+.3f", m, regimes.finalSpread!, regimes.finalSamples, regimes.finalRange![0], regimes.finalRange![1], regimes.finalRise ?? 0) } ?? "no sharpness sample"))
        print("all four regimes in order: \(regimes.allFour ? "yes" : "no"); final loss \(String(format: "%.4g", run.losses.last ?? run.loss0))\(run.diverged ? " (diverged)" : "")")
    }
}

struct DynamicsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time one sharpness estimate and one training step; write the problem for the JAX peer (scripts/bench-dynamics.sh).",
        discussion: """
        Builds the ReLU FCN (standard parameterisation, no biases) of --depth and --width on \
        --samples teacher examples, and times (median of --repeats, after one warm-up) (a) one \
        top-eigenvalue estimate: Lanczos with exactly --lanczos Hessian-vector products from a \
        fixed start vector, plus the one that measures its residual, and (b) one full-batch \
        gradient step. Writes OUT/problem.json and OUT/{theta,x,y,start}.f64 (raw little-endian \
        float64) so that Benchmarks/python/jax_sharpness.py computes the same quantities, and \
        prints one JSON line.
        """
    )

    @Option(name: .long, help: "fcn (a ReLU MLP on teacher data) or cnn (the Myrtle-style ReLU CNN on the digits).") var model: String = "fcn"
    @Option(name: .long, help: "Layers with weights d.") var depth: Int = 4
    @Option(name: .long, help: "Hidden width w (channels for the CNN).") var width: Int = 256
    @Option(name: .long, help: "Examples (teacher data for fcn, the first digits for cnn).") var samples: Int = 512
    @Option(name: .customLong("data-file"), help: ArgumentHelp("The digits file (default data/digits/digits.csv).", valueName: "path")) var dataFile: String?
    @Option(name: .long, help: "Lanczos products.") var lanczos: Int = 20
    @Option(name: .long, help: "Timed repeats.") var repeats: Int = 5
    @Option(name: .long, help: "BLAS threads (default: the cores).") var threads: Int?
    @Option(name: .long, help: ArgumentHelp("Output folder.", valueName: "dir")) var out: String = "Benchmarks/out/dynamics"

    /// The problem as `dynamics early` builds it: the ReLU MLP on 32-dimensional teacher data, or
    /// the CNN on the digits.
    func plan(dataFile: String? = nil) -> EarlyPhaseDiagramPlan {
        var plan = EarlyPhaseDiagramPlan()
        plan.model = model; plan.data = model == "cnn" ? "digits" : "teacher"; plan.dataFile = dataFile
        plan.samples = samples; plan.inputDimension = 32; plan.classes = 10
        return plan
    }

    func network() -> any TrainableModel { plan().network(.init(depth: depth, width: width)) }

    func validate() throws {
        guard ["fcn", "cnn"].contains(model) else { throw ValidationError("--model \(model.prefix(40)): give fcn or cnn") }
        guard depth >= (model == "cnn" ? 2 : 1), width >= 1, samples >= 1, lanczos >= 1, repeats >= 1 else {
            throw ValidationError("--depth (at least \(model == "cnn" ? 2 : 1)), --width, --samples, --lanczos and --repeats must be at least 1")
        }
        if model == "cnn" && samples > TrainingData.digitsCount {
            throw ValidationError("--samples \(samples): the digits have \(TrainingData.digitsCount) examples")
        }
        guard lanczos <= 1000, repeats <= 1000 else { throw ValidationError("--lanczos \(lanczos), --repeats \(repeats): at most 1,000 each") }
        try checkThreads(threads)
        try checkTrainingMemory(network(), samples: samples, parallel: 1, "--depth \(depth) --width \(width) with --samples \(samples)")
    }

    func run() throws {
        try makeFolder(out)
        BLASThreads.use(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let data = try wrap { try plan(dataFile: model == "cnn" ? try digitsFile(dataFile) : nil).trainingData() }
        let arch = network()
        let theta = arch.initialParameters(seed: 1)
        var rng = SplitMix64(seed: 7)
        let start = (0..<arch.parameterCount).map { _ in Double.random(in: -1...1, using: &rng) }
        let engine = arch.makeEngine(capacity: samples, loss: .mse)
        func time(_ body: () -> Void) -> Double {
            body()
            var t: [Double] = []
            for _ in 0..<repeats { let s = Date(); body(); t.append(Date().timeIntervalSince(s)) }
            return t.sorted()[t.count / 2]
        }
        var top: TopEigenvalue? = nil
        let sharpnessSeconds = time {
            top = Lanczos.top(dimension: theta.count, start: start, maximumSteps: lanczos, tolerance: 0) { v, o in
                engine.hessianVectorProduct(theta, inputs: data.inputs, targets: data.targets, count: samples, vector: v, product: o)
            }
        }
        var gradient = [Double](repeating: 0, count: theta.count)
        var stepped = theta
        let eta = 1 / top!.value
        let stepSeconds = time {
            stepped = theta
            engine.lossAndGradient(stepped, inputs: data.inputs, targets: data.targets, count: samples, gradient: &gradient)
            for i in 0..<stepped.count { stepped[i] -= eta * gradient[i] }
        }
        let loss1 = engine.loss(stepped, inputs: data.inputs, targets: data.targets, count: samples)
        func raw(_ values: [Double], _ name: String) throws {
            try values.withUnsafeBytes { try AtomicFile.write(Data($0), to: "\(out)/\(name).f64") }
        }
        try wrap {
            try raw(theta, "theta"); try raw(data.inputs, "x"); try raw(data.targets, "y"); try raw(start, "start")
            var problem: [String: Any] = ["model": model, "depth": depth, "width": width, "inputs": arch.inputs, "outputs": 10, "samples": samples,
                                          "lanczos": lanczos, "repeats": repeats, "eta": eta]
            if let mlp = arch as? MLPArchitecture { problem["sizes"] = mlp.sizes }
            if let cnn = arch as? ConvNetArchitecture {
                problem["side"] = cnn.side; problem["channels"] = cnn.channels; problem["offsets"] = cnn.offsets
                problem["operations"] = cnn.operations.map { op -> [String: Int] in
                    switch op {
                    case .convolution(let index, let side, let cin): return ["convolution": index, "side": side, "input_channels": cin]
                    case .pool(let side): return ["pool": side]
                    }
                }
            }
            try AtomicFile.write(try JSONSerialization.data(withJSONObject: problem, options: [.sortedKeys]), to: "\(out)/problem.json")
        }
        let line: [String: Any] = ["tool": "swift", "sharpness": top!.value, "residual": top!.residual, "products": top!.products,
                                   "sharpness_seconds": sharpnessSeconds, "step_seconds": stepSeconds, "loss_after_step": loss1,
                                   "parameters": arch.parameterCount, "threads": threads ?? ProcessInfo.processInfo.activeProcessorCount]
        print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
    }
}
