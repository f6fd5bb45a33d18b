import ArgumentParser
import ApproxRates
import Foundation

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a sweep plan: every (experiment, W) point, appended to a JSON-lines file as it finishes; resumable and shardable.",
        discussion: """
        PLAN is a JSON file {"name": …, "experiments": [{"target": "lacunary", "smoothness": 1, \
        "construction": "deep", "alpha": 1, "weights": "1e2...1e4", "points": 5, "draws": 1}, …]} \
        (fields: name, target, smoothness, dimension, construction, activation, alpha, degree, \
        weights, points, draws, seed, grid, log_power, certify, digit_order, fine_ratio, \
        digit_bound; docs/rates.md says what each means). Finished points go to OUT/points.jsonl \
        (OUT/points-shard-I-of-N.jsonl for a shard), one fsynced line each; a rerun skips them. \
        When the whole plan is done, OUT gets rates.{csv,json,md,tex}, phase-diagram.svg and \
        plots/*.svg (PNG beside each when rsvg-convert is installed). \
        --shard I/N (1-based), or SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT when set, runs \
        a deterministic part of the plan; `approx-cli merge` joins the parts.

        Examples:
          approx-cli sweep data/plans/default.json --out out
          approx-cli sweep plan.json --out results --shard 3/8 --jobs 4
          approx-cli merge --plan plan.json --out results results/points-shard-*.jsonl
        """
    )

    @Argument(help: ArgumentHelp("The plan (JSON).", valueName: "plan"))
    var plan: String

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "out"

    @Option(name: .long, help: ArgumentHelp("Run shard I of N (1-based); default: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set, else the whole plan.", valueName: "I/N"))
    var shard: String?

    @Option(name: .customLong("jobs"), help: ArgumentHelp("Measurements run at the same time, costliest first (default: the number of cores, or SLURM_CPUS_PER_TASK).", valueName: "K"))
    var jobCount: Int?

    @Option(name: .long, help: "Threads per measurement (default: cores / jobs, at least 1).")
    var threads: Int?

    @Option(name: .customLong("cost-model"), help: ArgumentHelp("Cost model for the time estimate (skipped when the default file is absent).", valueName: "file"))
    var costModel: String = "data/cost-model.json"

    func validate() throws {
        try checkThreads(threads)
        try checkThreads(jobCount, "--jobs")
    }

    func run() throws {
        let plan = try loadPlan(self.plan)
        let shard = try resolveShard(self.shard)
        try makeFolder(out)
        let file = shard.count == 1 ? "\(out)/points.jsonl" : String(format: "%@/points-shard-%04d-of-%04d.jsonl", out, shard.index, shard.count)
        let command = commandLine()
        let cores = ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"].flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount
        let workers = jobCount ?? Swift.max(1, cores / (threads ?? 1))
        var runner = SweepRunner(plan: plan, shard: shard, journal: PointJournal(path: file), threads: threads ?? Swift.max(1, cores / workers),
                                 tool: ToolVersion.text, host: ProcessInfo.processInfo.hostName, command: command)
        runner.workers = workers
        let (jobs, done) = try wrap { try runner.status() }
        // Predicted seconds per job from the cost model (docs/performance.md), for the estimate
        // and the progress bar; the shards and the order of work do not depend on it.
        let model = try loadCostModel(costModel)
        let predicted = Dictionary(try wrap { try plan.jobs(costModel: model) }.map { ($0.id, $0.cost) }, uniquingKeysWith: { a, _ in a })
        let cost = Dictionary(jobs.map { ($0.id, predicted[$0.id] ?? $0.cost) }, uniquingKeysWith: { a, _ in a })
        let bar = ProgressBar(costTotal: jobs.map { cost[$0.id]! }.reduce(0, +), costDone: jobs.filter { done.contains($0.id) }.map { cost[$0.id]! }.reduce(0, +))
        printError("plan '\(plan.name)': \(jobs.count) points in shard \(shard), \(done.count) already in \(file); \(workers) at a time, \(runner.threads ?? 1) thread(s) each")
        if let model {
            let left = jobs.filter { !done.contains($0.id) }.map { cost[$0.id]! }.reduce(0, +)
            let fitted = Set(model.entries.map(\.key))
            let unfitted = Set(jobs.map { CostModel.key(plan.experiments[$0.experiment]) }).subtracting(fitted)
            printError(String(format: "estimate: %.0f s of measurement left, about %.0f s with %d at a time (cost model %@%@)", left, left / Double(workers), workers,
                              costModel, unfitted.isEmpty ? "" : "; not fitted, guessed: " + unfitted.sorted().joined(separator: ", ")))
        }
        let points = try wrap {
            try runner.run { event in
                switch event {
                case .planning(let name): bar.update(done: 0, total: jobs.count, note: "planning \(name)…")
                case .started(let job, let d, let total): bar.update(done: d, total: total, note: job.id)
                case .finished(let p, let reused, let d, let total):
                    bar.finished(cost: cost[p.id] ?? 0, measured: !reused,
                                 line: "[\(d)/\(total)] \(p.id): error \(p.row.error) (N = \(p.row.cells), \(String(format: "%.1f", p.row.seconds)) s\(reused ? ", same N as an earlier point" : ""))")
                    bar.update(done: d, total: total, note: p.id)
                }
            }
        }
        bar.end()
        printError("wrote \(file) (\(points.count) points)")
        guard shard.count == 1 else {
            printError("shard \(shard) done; join the shards with: approx-cli merge --plan \(self.plan) --out DIR <points files>")
            return
        }
        try report(points, folder: out, command: command)
    }
}

/// The cost model at `path`; nil when it is the default path and absent (a sweep run outside the
/// repository), an error for a named file that is missing or not a model.
func loadCostModel(_ path: String) throws -> CostModel? {
    guard FileManager.default.fileExists(atPath: path) else {
        if path == "data/cost-model.json" { return nil }
        throw CLIError("--cost-model \(path): no such file")
    }
    return try wrap { try CostModel.read(json: try Data(contentsOf: URL(fileURLWithPath: path)), source: path) }
}

/// Fits the cost model on measured sweep points (docs/performance.md, "Cost model").
struct CostModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-model",
        abstract: "Fit seconds per draw against the grid sizes for each construction on measured sweep points; write the model sweep reads.",
        discussion: """
        Example:
          approx-cli cost-model out/points.jsonl data/cost/d2-deep/points.jsonl -o data/cost-model.json
        """
    )

    @Argument(help: ArgumentHelp("Points files (JSON lines) with measured seconds.", valueName: "points"))
    var files: [String]

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the model.", valueName: "file"))
    var output: String = "data/cost-model.json"

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one points file") }
    }

    func run() throws {
        var points: [SweepPoint] = []
        var sources: [String] = []
        for path in files {
            guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(path): no such points file") }
            let read = try wrap { try PointJournal(path: path).read() }
            points += read
            sources += Set(read.map(\.provenance.command)).sorted().map { "\(path): \($0)" }
        }
        let model = CostModel.fit(points, sources: sources)
        guard !model.entries.isEmpty else { throw CLIError("no measured points with seconds in \(files.joined(separator: ", "))") }
        try AtomicFile.write(String(decoding: try model.encoded(), as: UTF8.self) + "\n", to: output)
        print("class | points | W range | seconds per draw | worst factor")
        for e in model.entries {
            let size = e.size == "G*W" ? "((2NM+1)^d W)" : "W"
            print(String(format: "%@ | %d | %d–%d | %.3g · %@^%.2f | %.2f", e.key, e.points, e.smallestW, e.largestW, e.coefficient, size, e.exponent, e.worstFactor))
        }
        printError("wrote \(output)")
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the points files of a sharded sweep; with the whole plan present, write the tables and plots.",
        discussion: """
        Points are joined by job id; the same id in two files must carry the same measurement. \
        With --plan, the points come in plan order and missing points are listed (exit status 1, \
        OUT/missing.txt); the complete set also gets rates.{csv,json,md,tex} and the plots.

        Example:
          approx-cli merge --plan plan.json --out results results/points-shard-*.jsonl
        """
    )

    @Argument(help: ArgumentHelp("Points files (JSON lines) to join.", valueName: "points"))
    var files: [String]

    @Option(name: .long, help: ArgumentHelp("The plan the points belong to.", valueName: "plan"))
    var plan: String?

    @Option(name: .long, help: ArgumentHelp("Output folder: points.jsonl and, when complete, the tables and plots.", valueName: "dir"))
    var out: String = "out"

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one points file to merge") }
    }

    func run() throws {
        let plan = try self.plan.map(loadPlan)
        let inputs = try files.map { path -> (String, [SweepPoint]) in
            guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(path): no such points file") }
            return (path, try wrap { try PointJournal(path: path).read() })
        }
        let (points, missing) = try wrap { try SweepMerge.merge(inputs, plan: plan) }
        try makeFolder(out)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = try points.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
        let merged = "\(out)/points.jsonl"
        if inputs.contains(where: { URL(fileURLWithPath: $0.0).standardized == URL(fileURLWithPath: merged).standardized }) {
            throw CLIError("--out \(out): \(merged) is one of the inputs; write the merge to another folder")
        }
        try AtomicFile.write(text, to: merged)
        printError("wrote \(merged): \(points.count) points from \(inputs.count) files")
        if !missing.isEmpty {
            try AtomicFile.write(missing.joined(separator: "\n") + "\n", to: "\(out)/missing.txt")
            throw CLIError("\(missing.count) points of the plan are missing (listed in \(out)/missing.txt), e.g. \(missing[0]); run the shards that hold them")
        }
        try report(points, folder: out, command: commandLine())
    }
}

struct Table: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the rates of a points file and write the rate table (CSV, JSON, Markdown, LaTeX) and the plots.",
        discussion: """
        Examples:
          approx-cli table out/points.jsonl --out out
          approx-cli table out/points.jsonl --format latex
        """
    )

    @Argument(help: ArgumentHelp("A points file written by sweep or merge.", valueName: "points"))
    var points: String

    @Option(name: .long, help: "Print one format to standard output instead of writing files: csv, json, markdown or latex.")
    var format: TableFormat?

    @Option(name: .long, help: ArgumentHelp("Folder for rates.* and the plots (when no --format is given).", valueName: "dir"))
    var out: String = "out"

    func run() throws {
        guard FileManager.default.fileExists(atPath: points) else { throw CLIError("\(points): no such points file") }
        let list = try wrap { try PointJournal(path: points).read() }
        guard !list.isEmpty else { throw CLIError("\(points): holds no points") }
        if let format {
            let table = RateTable(rates: MeasuredRate.table(list).rates, command: commandLine())
            switch format {
            case .csv: print(table.csv(), terminator: "")
            case .json: print(try table.json(), terminator: "")
            case .markdown: print(table.markdown(), terminator: "")
            case .latex: print(table.latex(), terminator: "")
            }
            return
        }
        try makeFolder(out)
        try report(list, folder: out, command: commandLine())
    }
}

struct PhaseDiagram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase-diagram",
        abstract: "Draw the (r/d, p) phase diagram of measured rates (SVG; PNG too when rsvg-convert is installed).",
        discussion: """
        INPUT is a rate table (rates.json) or a points file (points.jsonl); several are drawn together.

        Examples:
          approx-cli phase-diagram out/rates.json -o phase-diagram.svg
          approx-cli phase-diagram shallow/rates.json deep/rates.json -o both.svg
        """
    )

    @Argument(help: ArgumentHelp("rates.json or points.jsonl files.", valueName: "input"))
    var inputs: [String]

    @Option(name: [.short, .long], help: ArgumentHelp("The SVG to write (a PNG is written beside it when possible).", valueName: "file"))
    var output: String = "phase-diagram.svg"

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one rates.json or points.jsonl") }
        if !output.hasSuffix(".svg") { throw ValidationError("-o \(output): the output must end in .svg") }
    }

    func run() throws {
        var rates: [MeasuredRate] = []
        for path in inputs {
            let data = try wrap { try AtomicFile.read(path) }
            if path.hasSuffix(".jsonl") { rates += MeasuredRate.table(try wrap { try PointJournal(path: path).read() }).rates }
            else { rates += try wrap { try RateTable.read(json: data).rates } }
        }
        guard !rates.isEmpty else { throw CLIError("no rates in \(inputs.joined(separator: ", ")): nothing to draw") }
        try AtomicFile.write(PhaseDiagramPlot(rates: rates).svg(), to: output)
        printError("wrote \(output) (\(rates.count) rates)")
        let png = String(output.dropLast(4)) + ".png"
        if try Rasterizer.png(from: output, to: png) { printError("wrote \(png)") }
        else { printError("no PNG: rsvg-convert is not installed (Debian: librsvg2-bin)") }
    }
}

/// Formats of `table --format`.
enum TableFormat: String, ExpressibleByArgument, CaseIterable { case csv, json, markdown, latex }

/// Reads and checks a plan file.
func loadPlan(_ path: String) throws -> SweepPlan {
    guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(path): no such plan file") }
    let plan = try wrap { try SweepPlan.read(json: AtomicFile.read(path), source: path) }
    for e in plan.experiments { _ = try wrap { try e.experiment(threads: 1) } }   // every target, construction and range is valid
    return plan
}

/// Writes the report files and prints the table.
func report(_ points: [SweepPoint], folder: String, command: String) throws {
    let (files, rates, skipped) = try SweepReport.write(points, to: folder, command: command)
    print(SweepReport.summary(rates), terminator: "")
    for s in skipped { printError("\(s): fewer than 2 distinct grid sizes, no rate") }
    printError("wrote \(files.joined(separator: ", "))")
    if Rasterizer.converter == nil { printError("no PNG: rsvg-convert is not installed (Debian: librsvg2-bin)") }
}

/// Creates the output folder `path` if missing, and removes the temporary files that a killed
/// earlier run left in it (a resume cleans its own leftovers).
/// The shard of `--shard` (or Slurm's array variables), saying so on stderr when Slurm chose it.
func resolveShard(_ option: String?) throws -> Shard {
    let (shard, fromSlurm) = try wrap { try Shard.resolve(option: option, environment: ProcessInfo.processInfo.environment) }
    if fromSlurm { printError("shard \(shard) from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT") }
    return shard
}

/// The journals in a dynamics command's folder: runs.jsonl and every shard's runs-shard-I-of-N.jsonl.
func journalFiles(in out: String) throws -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
    return names.filter { $0 == "runs.jsonl" || ($0.hasPrefix("runs-shard-") && $0.hasSuffix(".jsonl")) }.sorted().map { "\(out)/\($0)" }
}

/// This process's journal in `out` for shard `part`: runs.jsonl for the whole plan, runs-shard-I-of-N.jsonl otherwise.
func journalFile(in out: String, shard part: Shard) -> String {
    part.count == 1 ? "\(out)/runs.jsonl" : String(format: "%@/runs-shard-%04d-of-%04d.jsonl", out, part.index, part.count)
}

func makeFolder(_ path: String) throws {
    do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    catch { throw CLIError("--out \(path): cannot create the folder (\(error.localizedDescription))") }
    AtomicFile.removeLeftovers(inFolder: path)
}

func commandLine() -> String {
    (["approx-cli"] + CommandLine.arguments.dropFirst()).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
}

/// Runs `body`, turning library errors into one-line CLI errors.
func wrap<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CLIError { throw e } catch { throw CLIError("\(error)") }
}
