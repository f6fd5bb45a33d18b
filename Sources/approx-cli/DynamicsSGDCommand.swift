import ApproxRates
import ArgumentParser
import Foundation

extension SGDODEMode: ExpressibleByArgument {}

struct DynamicsSGD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgd",
        abstract: "The SGD phase diagram of high-dimensional two-layer networks (Veiga, Stephan, Loureiro, Krzakala, Zdeborová 2022).",
        discussion: """
        Online SGD of a soft committee student (p erf units, second layer 1/p) on a soft committee \
        teacher (k units), Gaussian inputs in d dimensions, label noise Δ, learning rate γ = γ₀ d^−δ, \
        width p = p₀ d^κ, against the Saad–Solla ODEs for the overlaps (Q, M, P) on the rescaled \
        time t = ν/d^(1+ϑ). docs/dynamics-sgd.md has the mathematics.
        """,
        subcommands: [DynamicsSGDCompare.self, DynamicsSGDMap.self, DynamicsSGDPlateau.self, DynamicsSGDBench.self]
    )
}

/// The options of a journaled dynamics sweep: parallel runs, the shard, JSON output.
struct DynamicsJobOptions: ParsableArguments {
    @Option(name: .customLong("jobs"), help: "Runs at a time (default: the cores).")
    var jobCount: Int?

    @Option(name: .long, help: ArgumentHelp("Run shard I of N (1-based) of the runs; default: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set, else all.", valueName: "I/N"))
    var shard: String?

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false
}

extension DynamicsJobOptions {
    /// Runs the SGD jobs of `plan` that OUT's journal for this shard does not have, then returns every
    /// record of the plan in OUT's journals, or nil (after saying so) while some are missing.
    func run(_ jobs: [SGDRunSpec], plan: String, out: String, command: String) throws -> [SGDRunRecord]? {
        let sweep = JournaledSweep<SGDRunSpec, SGDRunRecord>(
            recordName: "SGD run", estimate: "about", rate: 5e9, rateText: "5·10⁹", cost: \.cost, specKey: \.key, recordKey: \.key,
            records: { try SGDRunner.records(plan: plan, in: $0) },
            execute: { try SGDRunner.run($0, plan: plan, workers: $1, finished: $2, total: $3, journal: $4, onRecord: $5) },
            line: { record, finished, count in
                String(format: "[%d/%d] %@: d=%d p=%d, %d steps, R(T) = %.4g (%.1f s)", finished, count, record.key, record.dimension, record.width,
                       record.steps.last ?? 0, record.risks.last ?? .nan, record.seconds)
            })
        return try run(jobs, sweep: sweep, out: out, command: command)
    }
}

/// Checks that every run of `jobs` fits the caps (steps) and the memory, `parallel` at a time.
func checkSGDRuns(_ jobs: [SGDRunSpec], parallel: Int) throws {
    for spec in jobs {
        let steps = Double(spec.times.last ?? 0) * spec.scaling.stepsPerUnitTime(dimension: spec.dimension)
        _ = try ResourceLimits.check(Swift.max(1, steps), "t = \(spec.times.last ?? 0) at d = \(spec.dimension) (δ = \(spec.scaling.delta), κ = \(spec.scaling.kappa)) needs",
                                     against: ResourceLimits.sgdSteps)
        guard steps >= 1 else {
            throw CLIError(String(format: "t = %g at d = %d (δ = %g, κ = %g) is %.3g SGD steps (d^(1+ϑ) = %.3g per unit of t): give a horizon of at least one step",
                                  spec.times.last ?? 0, spec.dimension, spec.scaling.delta, spec.scaling.kappa, steps, spec.scaling.stepsPerUnitTime(dimension: spec.dimension)))
        }
        guard spec.width <= 65_536 else {
            throw CLIError("p = round(p₀ d^κ) = \(spec.width) at d = \(spec.dimension) (κ = \(spec.scaling.kappa)): give p₀, κ and d with p <= 65536")
        }
    }
    let widest = jobs.map { Double($0.width + $0.k) * Double($0.dimension) }.max() ?? 0
    try ResourceLimits.checkMemory(Double(Swift.max(1, parallel)) * widest * 16, for: "(p + k) × d weights of \(Int(widest)) numbers, \(parallel) runs at once,")
}

struct DynamicsSGDCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "ODE against online SGD: risk curves at one scaling over several d, on the rescaled time axis.",
        discussion: """
        Runs online SGD at each d for seeds 1…S (at κ = 0 all d start from the same overlaps, drawn \
        as a random start at the largest d with --init-seed), records the exact risk R(Q, M, P) on a \
        log grid of t = ν/d^(1+ϑ) and at --times, and integrates the ODE from the same start \
        (Dormand–Prince 5(4)). Runs go to OUT/runs.jsonl as they finish (a rerun skips them); \
        then writes OUT/compare.{json,csv,md,tex} and OUT/curves.svg (PNG beside it when \
        rsvg-convert is installed).

        Examples:
          approx-cli dynamics sgd compare --d 1000 --p 8 --k 4 --delta 0 --kappa 0 --times 5,20,100 --seeds 5 --json
          approx-cli dynamics sgd compare --d 100,300,1000 --delta 0.5 --times 1,10,100 --seeds 5
          approx-cli dynamics sgd compare --d 500 --p 2 --k 2 --times 1,5,20,100 --seeds 5
        """
    )

    @Option(name: .customLong("d"), help: ArgumentHelp("Input dimensions, comma separated.", valueName: "d,..."))
    var dimensions: String = "1000"

    @Option(name: .customLong("p"), help: "p₀: student units at κ = 0 (p = round(p₀ d^κ)).")
    var width0: Double = 8

    @Option(name: .long, help: "Teacher units k.")
    var k: Int = 4

    @Option(name: .long, parsing: .unconditional, help: "δ: the learning rate is γ₀ d^−δ.")
    var delta: Double = 0

    @Option(name: .long, parsing: .unconditional, help: "κ: the width is p₀ d^κ.")
    var kappa: Double = 0

    @Option(name: .long, help: "γ₀ (default: p₀, as in the authors' notebooks).")
    var gamma0: Double?

    @Option(name: .long, help: "Label-noise variance Δ.")
    var noise: Double = 1e-3

    @Option(name: .long, help: ArgumentHelp("Rescaled times to report, comma separated.", valueName: "t,..."))
    var times: String = "5,20,100"

    @Option(name: .long, help: "Sample seeds 1…S per d.")
    var seeds: Int = 5

    @Option(name: .customLong("init-seed"), help: "Seed of the initial weights.")
    var initialSeed: Int = 1

    @Option(name: .customLong("per-decade"), help: "Curve points per decade of t.")
    var perDecade: Int = 10

    @Option(name: .long, help: "limit: the paper's limit equations (the vanishing term off); finite: both terms with the coefficients at each d.")
    var ode: SGDODEMode = .limit

    @Option(name: .long, help: "Relative tolerance of the ODE integrator.")
    var rtol: Double = 1e-8

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "dynamics-sgd-compare"

    @OptionGroup var runner: DynamicsJobOptions

    func plan() throws -> SGDComparePlan {
        let ds = try integerList(dimensions, "--d", range: 2...1_000_000)
        guard Set(ds).count == ds.count else { throw ValidationError("--d \(dimensions): give each dimension once") }
        guard width0 > 0, width0.isFinite, width0 <= 65_536 else { throw ValidationError("--p \(width0): give 0 < p₀ <= 65536") }
        guard (1...256).contains(k) else { throw ValidationError("--k \(k): give 1…256 teacher units") }
        guard (-4...4).contains(delta) else { throw ValidationError("--delta \(delta): give −4…4") }
        guard (-1...2).contains(kappa) else { throw ValidationError("--kappa \(kappa): give −1…2") }
        if let g = gamma0 { guard g > 0, g.isFinite, g <= 1e6 else { throw ValidationError("--gamma0 \(g): give 0 < γ₀ <= 1e6") } }
        guard noise >= 0, noise.isFinite, noise <= 1e6 else { throw ValidationError("--noise \(noise): give 0 <= Δ <= 1e6") }
        let ts = try numberList(times, "--times", range: 1e-9...1e9)
        guard ts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--times \(times): give positive times") }
        guard (1...1000).contains(seeds) else { throw ValidationError("--seeds \(seeds): give 1…1000") }
        guard initialSeed >= 0 else { throw ValidationError("--init-seed \(initialSeed): give a seed >= 0") }
        guard (1...100).contains(perDecade) else { throw ValidationError("--per-decade \(perDecade): give 1…100") }
        guard rtol >= 1e-13, rtol <= 1e-2 else { throw ValidationError("--rtol \(rtol): give 1e-13…1e-2") }
        let scaling = SGDScaling(delta: delta, kappa: kappa, width0: width0, gamma0: gamma0)
        for d in ds {
            let p = scaling.width(dimension: d)
            guard k <= d else { throw ValidationError("--k \(k) is larger than d = \(d): the teacher rows are orthogonal, so give k <= d") }
            guard p <= 64 else {
                throw ValidationError("p = round(p₀ d^κ) = \(p) at d = \(d): the ODE costs about p²(p + k)²/4 arcsines per evaluation, so compare allows p <= 64")
            }
        }
        var settings = DormandPrince45.Settings()
        settings.relativeTolerance = rtol
        let plan = SGDComparePlan(scaling: scaling, k: k, labelNoise: noise, dimensions: ds, seeds: seeds, initialSeed: UInt64(initialSeed),
                                  requestedTimes: ts, perDecade: perDecade, ode: ode, integrator: settings)
        if plan.sharedStart {
            let p = scaling.width(dimension: ds.max()!)
            guard p + k <= ds.min()! else {
                throw ValidationError("--d \(dimensions): every d must be at least p + k = \(p + k) (all d start from the same overlaps, realised on p + k orthonormal directions)")
            }
        }
        try checkSGDRuns(plan.jobs, parallel: runner.jobCount ?? ProcessInfo.processInfo.activeProcessorCount)
        return plan
    }

    func run() throws {
        let plan = try self.plan()
        guard let records = try runner.run(plan.jobs, plan: plan.fingerprint, out: out, command: "dynamics sgd compare") else { return }
        var odes: [SGDODECurve] = [], curves: [SGDCompareCurve] = []
        var cache: [String: SGDODECurve] = [:]
        for d in plan.dimensions {
            let start = plan.initialOverlaps(dimension: d), (a, b) = plan.scaling.coefficients(dimension: d, limit: plan.ode == .limit)
            let key = Fingerprint.of(start) + "|\(a)|\(b)|" + Fingerprint.of(plan.recordedTimes(dimension: d))
            let ode: SGDODECurve
            if let cached = cache[key] { ode = cached } else {
                ode = try wrap { try plan.odeCurve(dimension: d) }
                cache[key] = ode
                printError(String(format: "ODE (p = %d, k = %d, A = %.4g, B = %.4g) to t = %g: %d steps (%d rejected), %d evaluations, %.2f s",
                                  start.p, start.k, a, b, plan.times.last!, ode.acceptedSteps, ode.rejectedSteps, ode.evaluations, ode.seconds))
            }
            odes.append(ode)
            curves.append(SGDCompareCurve(dimension: d, records: records.filter { $0.dimension == d }, times: plan.times, ode: ode))
        }
        let report = SGDCompareReport(plan: plan, curves: curves, odes: odes, command: commandLine())
        let s = plan.scaling
        let title = String(format: "Online SGD against the ODE: δ = %g, κ = %g, p₀ = %g, k = %d, Δ = %g", s.delta, s.kappa, s.width0, plan.k, plan.labelNoise)
        let caption = String(format: "t = ν/d^(1+ϑ), ϑ = %g. SGD: mean of %d seeds, whiskers ±2 s.e.; ODE: %@ equations from the same start (Dormand–Prince 5(4), rtol %g).",
                             s.theta, plan.seeds, plan.ode == .limit ? "limit" : "finite-d", plan.integrator.relativeTolerance)
        try wrap {
            try AtomicFile.write(try report.json(), to: "\(out)/compare.json")
            try AtomicFile.write(report.csv(), to: "\(out)/compare.csv")
            try AtomicFile.write(report.markdown(), to: "\(out)/compare.md")
            try AtomicFile.write(report.latex(), to: "\(out)/compare.tex")
            try AtomicFile.write(SGDCurvesPlot(curves: curves, title: title, caption: caption).svg(), to: "\(out)/curves.svg")
            _ = try Rasterizer.png(from: "\(out)/curves.svg", to: "\(out)/curves.png")
        }
        printError("wrote \(out)/compare.{json,csv,md,tex}, \(out)/curves.svg")
        if runner.json { print(try wrap { try report.json() }, terminator: ""); return }
        var text = TextTable(header: SGDCompareReport.headers)
        for row in report.rows { text.append(row) }
        print(text.render(), terminator: "")
    }
}

struct DynamicsSGDMap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "The (δ, κ) phase map: the long-time trend of the risk of online SGD at each point, read across d.",
        discussion: """
        For each (δ, κ) of the grid, each d and seeds 1…S (each seed its own random start), runs \
        online SGD with γ = γ₀ d^−δ and p = round(p₀ d^κ) to the rescaled time T and records the exact \
        risk. R_late (the mean risk over the recording times in [T/2, T]) is \
        compared across d: its slope against log d, with a bootstrap interval over seeds, reads \
        decay (the finite-d floor falls: R → 0), plateau, or rise (as does R_late above the \
        starting risk). Runs go to OUT/runs.jsonl (OUT/runs-shard-I-of-N.jsonl for a shard); a \
        rerun skips them. With every run present, writes OUT/map.{json,csv,md,tex} and OUT/map.svg \
        (PNG beside it when rsvg-convert is installed), which draws κ + δ = 0 and both candidate \
        no-ODE boundaries.

        Examples:
          approx-cli dynamics sgd map
          approx-cli dynamics sgd map --deltas=-0.75,-0.5,-0.25,0,0.25,0.5 --kappas 0,0.5 --d 64,256 --seeds 3 --json
          approx-cli dynamics sgd map --shard 1/4
        """
    )

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("δ values, comma separated.", valueName: "δ,..."))
    var deltas: String = "-0.75,-0.5,-0.25,0,0.25,0.5"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("κ values, comma separated.", valueName: "κ,..."))
    var kappas: String = "0,0.25,0.5"

    @Option(name: .customLong("d"), help: ArgumentHelp("Input dimensions (at least two), comma separated.", valueName: "d,..."))
    var dimensions: String = "64,256"

    @Option(name: .customLong("p"), help: "p₀: p = round(p₀ d^κ).")
    var width0: Double = 1

    @Option(name: .long, help: "Teacher units k (1: no specialisation plateau, so the floor is reached within T).")
    var k: Int = 1

    @Option(name: .long, help: "γ₀ (default: p₀).")
    var gamma0: Double?

    @Option(name: .long, help: "Label-noise variance Δ.")
    var noise: Double = 1e-3

    @Option(name: .long, help: "The horizon T in rescaled time.")
    var horizon: Double = 1000

    @Option(name: .long, help: "Seeds 1…S per (point, d).")
    var seeds: Int = 3

    @Option(name: .customLong("per-decade"), help: "Recording points per decade of t.")
    var perDecade: Int = 8

    @Option(name: .long, help: "Slopes of log R_late against log d whose interval meets [−band, band] read as a plateau.")
    var band: Double = 0.1

    @Option(name: .long, help: "Bootstrap resamples of the slope interval.")
    var resamples: Int = 2000

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "dynamics-sgd-map"

    @OptionGroup var runner: DynamicsJobOptions

    func plan() throws -> SGDMapPlan {
        let ds = try numberList(deltas, "--deltas", range: -4...4), ks = try numberList(kappas, "--kappas", range: -1...2)
        let dims = try integerList(dimensions, "--d", range: 2...1_000_000)
        guard Set(dims).count >= 2, Set(dims).count == dims.count else { throw ValidationError("--d \(dimensions): give at least two different dimensions, each once (the trend is read across d)") }
        guard width0 > 0, width0.isFinite, width0 <= 65_536 else { throw ValidationError("--p \(width0): give 0 < p₀ <= 65536") }
        guard (1...256).contains(k), k <= dims.min()! else { throw ValidationError("--k \(k): give 1…256 teacher units, at most the smallest d") }
        if let g = gamma0 { guard g > 0, g.isFinite, g <= 1e6 else { throw ValidationError("--gamma0 \(g): give 0 < γ₀ <= 1e6") } }
        guard noise >= 0, noise.isFinite, noise <= 1e6 else { throw ValidationError("--noise \(noise): give 0 <= Δ <= 1e6") }
        guard horizon > 0, horizon.isFinite, horizon <= 1e9 else { throw ValidationError("--horizon \(horizon): give 0 < T <= 1e9") }
        guard (1...1000).contains(seeds) else { throw ValidationError("--seeds \(seeds): give 1…1000") }
        guard (1...100).contains(perDecade) else { throw ValidationError("--per-decade \(perDecade): give 1…100") }
        guard band >= 0, band.isFinite else { throw ValidationError("--band \(band): give a number >= 0") }
        guard (10...100_000).contains(resamples) else { throw ValidationError("--resamples \(resamples): give 10…100000") }
        let points = ks.flatMap { kappa in ds.map { SGDMapPlan.Point(delta: $0, kappa: kappa) } }
        guard Set(points).count == points.count else { throw ValidationError("--deltas/--kappas: a point appears twice") }
        let plan = SGDMapPlan(points: points, dimensions: dims, seeds: seeds, width0: width0, gamma0: gamma0, k: k, labelNoise: noise, horizon: horizon,
                              perDecade: perDecade, band: band, resamples: resamples)
        _ = try ResourceLimits.check(Double(plan.jobs.count), "\(points.count) point(s) × \(dims.count) dimensions × --seeds \(seeds) makes", against: ResourceLimits.runs)
        try checkSGDRuns(plan.jobs, parallel: runner.jobCount ?? ProcessInfo.processInfo.activeProcessorCount)
        return plan
    }

    func run() throws {
        let plan = try self.plan()
        guard let records = try runner.run(plan.jobs, plan: plan.fingerprint, out: out, command: "dynamics sgd map") else { return }
        let summaries = SGDMapSummary.all(plan: plan, records: records)
        let table = SGDMapTable(summaries: summaries, plan: plan, command: commandLine())
        try wrap {
            try AtomicFile.write(try table.json(), to: "\(out)/map.json")
            try AtomicFile.write(table.csv(), to: "\(out)/map.csv")
            try AtomicFile.write(table.markdown(), to: "\(out)/map.md")
            try AtomicFile.write(table.latex(), to: "\(out)/map.tex")
            try AtomicFile.write(SGDMapPlot(summaries: summaries, caption: table.caption).svg(), to: "\(out)/map.svg")
            _ = try Rasterizer.png(from: "\(out)/map.svg", to: "\(out)/map.png")
        }
        printError("wrote \(out)/map.{json,csv,md,tex}, \(out)/map.svg")
        if runner.json { print(try wrap { try table.json() }, terminator: ""); return }
        var text = TextTable(header: table.headers)
        for row in table.rows { text.append(row) }
        print(text.render(), terminator: "")
        print("")
        for note in table.notes { print(note) }
    }
}

struct DynamicsSGDBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time one unit of SGD time and the ODE; write the problem for the numpy peer (scripts/bench-sgd.sh).",
        shouldDisplay: false
    )

    @Option(name: .customLong("d"), help: "Input dimension.") var dimension: Int = 1000
    @Option(name: .customLong("p"), help: "Student units.") var width: Int = 8
    @Option(name: .long, help: "Teacher units.") var k: Int = 4
    @Option(name: .long, help: "Label noise Δ.") var noise: Double = 1e-3
    @Option(name: .long, help: "Repetitions (the best time is kept).") var repeats: Int = 5
    @Option(name: .customLong("check-steps"), help: "Steps on shared samples for the agreement check.") var checkSteps: Int = 200
    @Option(name: .customLong("ode-horizon"), help: "Integrate the ODE (p, k of the problem) to this t.") var odeHorizon: Double = 1000
    @Option(help: "Folder for the shared problem.") var out: String = "Benchmarks/out/sgd"

    func run() throws {
        guard (2...100_000).contains(dimension), (1...1024).contains(width), (1...256).contains(k), k <= dimension, width + k <= dimension else {
            throw ValidationError("--d \(dimension), --p \(width), --k \(k): give 2 <= d <= 100000, 1 <= p <= 1024, 1 <= k <= 256, p + k <= d")
        }
        guard (1...100).contains(repeats), (1...100_000).contains(checkSteps), odeHorizon >= 0, odeHorizon.isFinite else {
            throw ValidationError("--repeats 1…100, --check-steps 1…100000, --ode-horizon >= 0")
        }
        try makeFolder(out)
        BLASThreads.use(1)
        let d = dimension, p = width
        let scaling = SGDScaling(delta: 0, kappa: 0, width0: Double(p))
        let gamma = scaling.learningRate(dimension: d)
        let (student, teacher) = CommitteeInitialisation.randomWeights(p: p, k: k, dimension: d, seed: 1)
        func bytes(_ v: [Double]) -> Data { v.withUnsafeBufferPointer { Data(buffer: $0) } }
        // Shared samples for the agreement check.
        var rng = SplitMix64(seed: 77)
        let normal = ZigguratNormal()
        let inputs = (0..<(checkSteps * d)).map { _ in normal.next(using: &rng) }
        let noises = (0..<checkSteps).map { _ in normal.next(using: &rng) }
        let check = OnlineSGD(student: student, teacher: teacher, p: p, k: k, dimension: d, learningRate: gamma, labelNoise: noise, seed: 1)
        check.run(inputs: inputs, noises: noises, count: checkSteps)
        try wrap {
            try AtomicFile.write(bytes(student), to: "\(out)/student.f64")
            try AtomicFile.write(bytes(teacher), to: "\(out)/teacher.f64")
            try AtomicFile.write(bytes(inputs), to: "\(out)/inputs.f64")
            try AtomicFile.write(bytes(noises), to: "\(out)/noises.f64")
            try AtomicFile.write(bytes(check.student), to: "\(out)/swift-final.f64")
        }
        // One unit of time at κ = δ = 0: d steps on fresh samples.
        let unit = Int(scaling.stepsPerUnitTime(dimension: d).rounded())
        var best = Double.infinity
        for r in 0..<repeats {
            let sgd = OnlineSGD(student: student, teacher: teacher, p: p, k: k, dimension: d, learningRate: gamma, labelNoise: noise, seed: UInt64(r + 1))
            let t0 = DispatchTime.now().uptimeNanoseconds
            sgd.run(steps: unit)
            best = Swift.min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        // Sampling alone, to split the step's cost.
        var sampling = Double.infinity
        var buffer = [Double](repeating: 0, count: d)
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            buffer.withUnsafeMutableBufferPointer { b in for _ in 0..<unit { normal.fill(b.baseAddress!, count: d, using: &rng) } }
            sampling = Swift.min(sampling, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        // The ODE of the same p, k from this start, to the horizon.
        let start = CommitteeInitialisation.overlaps(student: student, teacher: teacher, p: p, k: k, dimension: d)
        let (a, b) = scaling.coefficients(dimension: d, limit: true)
        let ode = try wrap { try SGDODECurve.integrate(from: start, drift: a, noise: b, labelNoise: noise, times: [0, odeHorizon]) }
        struct Line: Encodable {
            let tool: String, d: Int, p: Int, k: Int, learningRate: Double, labelNoise: Double, unitSteps: Int, unitSeconds: Double, samplingSeconds: Double
            let checkSteps: Int, odeHorizon: Double, odeSeconds: Double, odeSteps: Int, odeEvaluations: Int, odeFinalRisk: Double
        }
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        let line = Line(tool: "swift", d: d, p: p, k: k, learningRate: gamma, labelNoise: noise, unitSteps: unit, unitSeconds: best, samplingSeconds: sampling,
                        checkSteps: checkSteps, odeHorizon: odeHorizon, odeSeconds: ode.seconds, odeSteps: ode.acceptedSteps + ode.rejectedSteps,
                        odeEvaluations: ode.evaluations, odeFinalRisk: ode.risks.last ?? .nan)
        print(String(decoding: try e.encode(line), as: UTF8.self))
    }
}

struct DynamicsSGDPlateau: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plateau",
        abstract: "R∞ from the ODE with both terms: the plateau on κ + δ = 0, or the finite-d floor R∞(d) for δ > 0.",
        discussion: """
        Integrates the ODE at κ = 0 with both terms, A = γ₀/p and B = (γ₀/p)² d^−δ, from one random \
        start to A·t = T and reports R(T) with R(T/2) beside it: at δ = 0 the plateau R∞ of the line \
        κ + δ = 0, at δ > 0 the floor R∞(d) where SGD at dimension d stops. Writes \
        OUT/plateau.{json,csv,md}.

        Examples:
          approx-cli dynamics sgd plateau --gamma0s 2,4,8,16 --noises 0,1e-4,1e-3,1e-2
          approx-cli dynamics sgd plateau --delta 0.5 --d 100,300,1000,3000,10000 --gamma0s 8 --noises 1e-4,1e-3,1e-2
        """
    )

    @Option(name: .long, help: ArgumentHelp("γ₀ values, comma separated.", valueName: "g,...")) var gamma0s: String = "2,4,8,16"
    @Option(name: .long, help: ArgumentHelp("Label-noise variances Δ, comma separated.", valueName: "Δ,...")) var noises: String = "0,1e-4,1e-3,1e-2"
    @Option(name: .customLong("p"), help: "Student units p.") var width: Int = 8
    @Option(name: .long, help: "Teacher units k.") var k: Int = 4
    @Option(name: .long, help: "δ >= 0: B = (γ₀/p)² d^−δ (0: the line κ + δ = 0).") var delta: Double = 0
    @Option(name: .customLong("d"), help: ArgumentHelp("Dimensions d for δ > 0, comma separated.", valueName: "d,...")) var dimensions: String = "1000"
    @Option(name: .long, help: "The horizon T in units of the drift time p/γ₀ (t = T p/γ₀).") var horizon: Double = 20_000
    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir")) var out: String = "dynamics-sgd-plateau"
    @Flag(name: .long, help: "Print one JSON object instead of the table.") var json = false

    func run() throws {
        let gammas = try numberList(gamma0s, "--gamma0s", range: 1e-6...1e4), deltas = try numberList(noises, "--noises", range: 0...1e4)
        guard (1...64).contains(width) else { throw ValidationError("--p \(width): give 1…64 (the ODE costs about p²(p + k)²/4 arcsines per evaluation)") }
        guard (1...64).contains(k) else { throw ValidationError("--k \(k): give 1…64") }
        guard horizon > 0, horizon <= 1e7 else { throw ValidationError("--horizon \(horizon): give 0 < T <= 1e7") }
        guard (0...4).contains(delta) else { throw ValidationError("--delta \(delta): give 0…4 (below 0 the noise grows with d and there is no floor)") }
        let ds = delta == 0 ? [1000] : try integerList(dimensions, "--d", range: 2...1_000_000_000)
        try makeFolder(out)
        let start = CommitteeInitialisation.randomOverlaps(p: width, k: k, dimension: Swift.max(1000, width + k), seed: 1)
        var points: [SGDPlateauPoint] = []
        for g in gammas {
            for noise in deltas {
                for d in ds {
                    let point = try wrap { try SGDPlateauPoint(start: start, gamma0: g, labelNoise: noise, delta: delta, dimension: d, horizon: horizon) }
                    printError(String(format: "γ₀ = %g, Δ = %g, d = %d: R(T) = %.4e (R(T/2) = %.4e), %d steps", g, noise, d, point.risk, point.riskHalf, point.steps))
                    points.append(point)
                }
            }
        }
        let table = SGDPlateauTable(points: points, p: width, k: k, horizon: horizon, command: commandLine())
        try wrap {
            try AtomicFile.write(try table.json(), to: "\(out)/plateau.json")
            try AtomicFile.write(table.csv(), to: "\(out)/plateau.csv")
            try AtomicFile.write(table.markdown(), to: "\(out)/plateau.md")
        }
        if json { print(try wrap { try table.json() }, terminator: ""); return }
        var text = TextTable(header: SGDPlateauTable.headers)
        for row in table.rows { text.append(row) }
        print(text.render(), terminator: "")
    }
}
