import ApproxRates
import ArgumentParser
import Foundation

extension TwoLayerParameterisation: ExpressibleByArgument {}

struct DynamicsTwoLayer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "two-layer",
        abstract: "The linear / critical / condensed diagram of wide two-layer ReLU networks (Luo, Xu, Ma, Zhang 2021).",
        discussion: """
        For each point (γ, γ′), width m and seed, builds f(x) = (1/α) Σ a_k σ(w_k·x + b_k) with \
        a ~ N(0, β₁²), (w, b) ~ N(0, β₂²), β₂ = 1, β₁ = m^−γ′, α = β₁β₂ m^γ (antisymmetric start: \
        f ≡ 0), trains it by gradient descent on the MSE with η = c/λ_GN (λ_GN the top Gauss–Newton \
        eigenvalue, recomputed every step; a step that more than doubles the loss is undone and c halved) to \
        the loss tolerance, and measures RD = ‖θ_w(T) − θ_w(0)‖/‖θ_w(0)‖ (θ_w: input weights and \
        biases). The slope of log RD against log m, with a bootstrap interval over seeds, places \
        the point: negative = linear, about 0 = critical, positive = condensed. Finished runs go \
        to OUT/runs.jsonl (OUT/runs-shard-I-of-N.jsonl for a shard) as they finish; a rerun skips \
        them. With every run of the plan present in OUT's journals, writes OUT/two-layer.{csv,json,md,tex}, \
        OUT/map.svg and the condensation pictures OUT/condensation-{linear,critical,condensed}.svg \
        (PNG beside each when rsvg-convert is installed).

        Examples:
          approx-cli dynamics two-layer
          approx-cli dynamics two-layer --gammas 0.5,1,1.5 --gamma-primes -0.5,0,0.5 --widths 256,1024,4096 --seeds 3
          approx-cli dynamics two-layer --init ntk,mean-field,standard --widths 256,1024,4096
          approx-cli dynamics two-layer --data teacher --widths 256,1024,4096 --gamma-primes 0 --shard 1/2
        """
    )

    @Option(name: .long, help: ArgumentHelp("γ values, comma separated.", valueName: "g,..."))
    var gammas: String = "0.5,0.75,1,1.25,1.5"

    @Option(name: .customLong("gamma-primes"), parsing: .unconditional, help: ArgumentHelp("γ′ values, comma separated.", valueName: "g',..."))
    var gammaPrimes: String = "-0.5,0,0.5,1"

    @Option(name: .customLong("init"), help: ArgumentHelp("Named parameterisations (ntk, mean-field, standard), comma separated, instead of the grid.", valueName: "name,..."))
    var initialisation: String?

    @Option(name: .long, help: ArgumentHelp("Widths m, comma separated (even with the antisymmetric start).", valueName: "m,..."))
    var widths: String = "256,512,1024,2048,4096,8192"

    @Option(name: .long, help: "Seeds 1…S per (point, width).")
    var seeds: Int = 3

    @Option(name: .long, help: ArgumentHelp("points4, points3, teacher, or a CSV file (x1,...,xd,y per line).", valueName: "name|file.csv"))
    var data: String = "points4"

    @Option(name: .long, help: "Stop when the loss 1/(2n) Σ (f − y)² is below this (default: 1e-6 for 1-D data, 1e-4 otherwise).")
    var tolerance: Double?

    @Option(name: .customLong("max-steps"), help: "Step budget per run (a run that hits it is reported as not converged).")
    var maxSteps: Int = 200_000

    @Option(name: .customLong("step-factor"), help: "c in η = c/λ_GN (0 < c < 2).")
    var stepFactor: Double = 1

    @Flag(name: .customLong("halve-on-any-increase"), help: "Undo the step and halve c whenever the loss rises (default: only when it more than doubles; the strict rule stalls at ReLU kinks).")
    var halveOnAnyIncrease = false

    @Flag(name: .customLong("no-antisymmetric"), help: "Independent neurons instead of mirrored pairs (f is then not 0 at initialisation).")
    var independent = false

    @Flag(name: .customLong("weights-only"), help: "RD over the input weights only, without the biases.")
    var weightsOnly = false

    @Option(name: .long, help: "Slopes whose bootstrap interval meets [−band, band] are read as critical (finite-m crossovers put boundary slopes up to about 0.1 from 0).")
    var band: Double = 0.1

    @Option(name: .long, help: "Bootstrap resamples of the slope interval.")
    var resamples: Int = 2000

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "dynamics-two-layer"

    @OptionGroup var runner: DynamicsJobOptions

    /// The training set.
    func trainingData() throws -> TrainingData {
        if let set = RegressionSets.named(data) { return set }
        guard data.hasSuffix(".csv") || data.contains("/") else {
            throw ValidationError("--data \(data.prefix(60)): give \(RegressionSets.builtIn.map(\.name).joined(separator: ", ")) or a CSV file path")
        }
        let bytes = try wrap { try AtomicFile.read(data, registering: true) }
        return try wrap { try RegressionSets.csv(String(decoding: bytes, as: UTF8.self), source: data) }
    }

    func plan(_ set: TrainingData) throws -> TwoLayerPlan {
        let antisymmetric = !independent
        let widthList = try numberList(widths, "--widths", range: 2...1_048_576).map { v -> Int in
            guard v == v.rounded(), !antisymmetric || Int(v) % 2 == 0 else {
                throw ValidationError("--widths: \(v) is not \(antisymmetric ? "an even integer (the antisymmetric start pairs neurons; or give --no-antisymmetric)" : "an integer")")
            }
            return Int(v)
        }
        guard Set(widthList).count >= 2 else { throw ValidationError("--widths \(widths): give at least two different widths (the slope needs them)") }
        guard (1...1000).contains(seeds) else { throw ValidationError("--seeds \(seeds): give 1…1000") }
        var points: [TwoLayerPlan.Point]
        if let names = initialisation {
            points = try names.split(separator: ",").map { name in
                guard let p = TwoLayerParameterisation(rawValue: String(name)) else {
                    throw ValidationError("--init: '\(name.prefix(40))' is not one of \(TwoLayerParameterisation.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return TwoLayerPlan.Point(p, widths: widthList, inputDimension: set.inputDimension)
            }
            guard !points.isEmpty else { throw ValidationError("--init: give at least one of ntk, mean-field, standard") }
        } else {
            let g = try numberList(gammas, "--gammas", range: -4...8), gp = try numberList(gammaPrimes, "--gamma-primes", range: -4...4)
            points = g.flatMap { a in gp.map { TwoLayerPlan.Point(gamma: a, gammaPrime: $0) } }
        }
        try ResourceLimits.check(Double(points.count) * Double(widthList.count) * Double(seeds), "\(points.count) point(s) × \(widthList.count) widths × --seeds \(seeds) makes", against: ResourceLimits.runs)
        guard let tol = tolerance ?? Optional(set.inputDimension == 1 ? 1e-6 : 1e-4), tol > 0, tol.isFinite else {
            throw ValidationError("--tolerance \(tolerance ?? 0): give a positive number")
        }
        try ResourceLimits.check(maxSteps, "--max-steps", against: ResourceLimits.steps)
        guard maxSteps >= 1 else { throw ValidationError("--max-steps \(maxSteps): give at least 1") }
        guard stepFactor > 0, stepFactor < 2 else { throw ValidationError("--step-factor \(stepFactor): give 0 < c < 2 (2 is the stability edge of the linearised model)") }
        guard band >= 0, band.isFinite else { throw ValidationError("--band \(band): give a number >= 0") }
        guard (10...100_000).contains(resamples) else { throw ValidationError("--resamples \(resamples): give 10…100000") }
        try checkThreads(runner.jobCount, "--jobs")
        let widest = Double(widthList.max()!), n = Double(set.count), columns = Double(set.inputDimension + 1)
        let parallel = Double(min(runner.jobCount ?? ProcessInfo.processInfo.activeProcessorCount, points.count * widthList.count * seeds))
        try ResourceLimits.checkMemory(parallel * 8 * (3 * n * widest + 4 * widest * (columns + 1) + 3 * n * n),
                                       for: "--widths up to \(Int(widest)) with \(set.count) examples, \(Int(parallel)) runs at once,")
        var settings = TwoLayerTrainingSettings()
        settings.tolerance = tol; settings.maximumSteps = maxSteps; settings.stepFactor = stepFactor
        settings.antisymmetric = antisymmetric; settings.biasInDistance = !weightsOnly; settings.halveOnAnyIncrease = halveOnAnyIncrease
        var plan = TwoLayerPlan(points: points, widths: widthList, seeds: seeds, data: data, dataHash: TwoLayerPlan.hash(of: set), settings: settings)
        plan.band = band; plan.resamples = resamples
        return plan
    }

    func run() throws {
        let set = try trainingData()
        let plan = try self.plan(set)
        let part = try resolveShard(runner.shard)
        try makeFolder(out)
        let file = journalFile(in: out, shard: part)
        let journal = JSONLinesJournal<TwoLayerRecord>(path: file, recordName: "two-layer run")
        let runner = TwoLayerRunner(plan: plan, data: set, journal: journal, shard: part, jobs: runner.jobCount ?? ProcessInfo.processInfo.activeProcessorCount)
        let mine = runner.myJobs
        let done = try wrap { try runner.records(in: [journal]) }.filter { r in mine.contains { $0.key == r.key } }
        printError("dynamics two-layer: \(plan.points.count) point(s) × \(plan.widths.count) widths × \(plan.seeds) seeds = \(plan.jobs.count) runs; \(mine.count) in shard \(part), \(done.count) already in \(file)")
        let bar = ProgressBar(costTotal: Double(mine.count), costDone: Double(done.count))
        _ = try wrap {
            try runner.run { record, finished, total in
                let r = record.run
                bar.finished(cost: 1, measured: true,
                             line: String(format: "[%d/%d] %@ m=%d seed %llu: RD %.4g, %d steps%@ (%.1f s)", finished, total, record.key.components(separatedBy: "|")[0],
                                          record.width, record.seed, r.relativeDistance, r.steps, r.converged ? "" : ", NOT converged", record.seconds))
                bar.update(done: finished, total: total, note: "\(record.key)")
            }
        }
        bar.end()
        let journals = try journalFiles(in: out).map { JSONLinesJournal<TwoLayerRecord>(path: $0, recordName: "two-layer run") }
        let records = try wrap { try runner.records(in: journals) }
        let present = Set(records.map(\.key))
        let missing = plan.jobs.filter { !present.contains($0.key) }
        guard missing.isEmpty else {
            printError("shard \(part) done; \(missing.count) of \(plan.jobs.count) runs of the plan are not yet in \(out) (e.g. \(missing[0].key)); run the other shards into the same folder, then rerun any shard to write the tables")
            return
        }
        let summaries = runner.summaries(records)
        try writeOutputs(summaries: summaries, records: records, plan: plan, data: set)
    }

    func writeOutputs(summaries: [TwoLayerSummary], records: [TwoLayerRecord], plan: TwoLayerPlan, data set: TrainingData) throws {
        let table = TwoLayerTable(summaries: summaries, plan: plan, dataSummary: set.summary, command: commandLine())
        try wrap {
            try AtomicFile.write(table.csv(), to: "\(out)/two-layer.csv")
            try AtomicFile.write(table.json(), to: "\(out)/two-layer.json")
            try AtomicFile.write(table.markdown(), to: "\(out)/two-layer.md")
            try AtomicFile.write(table.latex(), to: "\(out)/two-layer.tex")
        }
        var files = ["\(out)/two-layer.{csv,json,md,tex}"]
        if plan.points.contains(where: { $0.parameterisation == nil }) {
            try wrap {
                try AtomicFile.write(TwoLayerMapPlot(summaries: summaries, caption: table.caption).svg(), to: "\(out)/map.svg")
                _ = try Rasterizer.png(from: "\(out)/map.svg", to: "\(out)/map.png")
            }
            files.append("\(out)/map.svg")
        }
        files += try writeCondensation(summaries: summaries, records: records, plan: plan, data: set)
        printError("wrote " + files.joined(separator: ", "))
        if Rasterizer.converter == nil { printError("no PNG: rsvg-convert is not installed (Debian: librsvg2-bin)") }
        if runner.json { print(try wrap { try table.json() }, terminator: ""); return }
        var text = TextTable(header: TwoLayerTable.readerHeaders)
        for s in summaries { text.append(table.row(s)) }
        print(text.render(), terminator: "")
        print("")
        for note in table.notes { print(note) }
    }

    /// For one linear, one critical and one condensed point of the theorem (the ones farthest
    /// from the boundary on each side, and the on-boundary one with the smallest |γ′|), reruns seed
    /// 1 at the largest width (the run is deterministic: its RD must equal the journal's) and draws
    /// its neurons at initialisation and after training.
    func writeCondensation(summaries: [TwoLayerSummary], records: [TwoLayerRecord], plan: TwoLayerPlan, data set: TrainingData) throws -> [String] {
        let m = plan.widths.max()!
        var written: [String] = []
        struct Picture: Encodable {
            let regime: String, gamma: Double, gammaPrime: Double, parameterisation: String?, width: Int, seed: Int
            let relativeDistance: Double, concentrationInitial: Double, concentrationTrained: Double, picture: String
        }
        var pictures: [Picture] = []
        for regime in TwoLayerRegime.allCases {
            let candidates = plan.points.indices.filter { TwoLayerRegime.theory(gamma: plan.points[$0].gamma, gammaPrime: plan.points[$0].gammaPrime) == regime }
            let score: (Int) -> Double = { i in
                let p = plan.points[i]
                let d = TwoLayerRegime.distance(gamma: p.gamma, gammaPrime: p.gammaPrime)
                return regime == .critical ? -Swift.abs(p.gammaPrime) : Swift.abs(d)
            }
            guard let best = candidates.max(by: { score($0) < score($1) }) else { continue }
            let job = plan.jobs.first { $0.point == best && $0.width == m && $0.seed == 1 }!
            let path = "\(out)/condensation-\(regime.rawValue).svg"
            BLASThreads.use(1)
            let (record, initial, final) = TwoLayerJob.run(job, plan: plan, data: set, keepParameters: true)
            if let logged = records.first(where: { $0.key == job.key }), logged.run.relativeDistance != record.run.relativeDistance {
                printError("warning: the rerun of \(job.key) gave RD \(record.run.relativeDistance), the journal has \(logged.run.relativeDistance)")
            }
            let d = set.inputDimension
            let reference = d > 1 ? TwoLayerNeurons.largest(theta: final, width: m, inputDimension: d) : nil
            let before = TwoLayerNeurons(theta: initial, width: m, inputDimension: d, reference: reference)
            let after = TwoLayerNeurons(theta: final, width: m, inputDimension: d, reference: reference)
            let point = plan.points[best]
            let title = String(format: "%@ point %@ (γ = %g, γ′ = %g), m = %d, seed 1: RD = %.3g", regime.rawValue, point.parameterisation?.rawValue ?? "",
                               point.gamma, point.gammaPrime, m, record.run.relativeDistance)
            try wrap {
                try AtomicFile.write(CondensationPlot(initial: before, trained: after, title: title).svg(), to: path)
                _ = try Rasterizer.png(from: path, to: String(path.dropLast(4)) + ".png")
            }
            printError(String(format: "%@: amplitude share within 0.1 rad of 4 main directions: %.3f at init, %.3f after training",
                              path, before.concentration, after.concentration))
            pictures.append(Picture(regime: regime.rawValue, gamma: point.gamma, gammaPrime: point.gammaPrime, parameterisation: point.parameterisation?.rawValue,
                                    width: m, seed: 1, relativeDistance: record.run.relativeDistance, concentrationInitial: before.concentration,
                                    concentrationTrained: after.concentration, picture: path))
            written.append(path)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        if !pictures.isEmpty {
            try wrap { try AtomicFile.write(try encoder.encode(pictures) + Data("\n".utf8), to: "\(out)/condensation.json") }
            written.append("\(out)/condensation.json")
        }
        return written
    }
}
