import ArgumentParser
import ApproxRates
import Foundation

struct Rate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grow a construction over a range of W, measure sup-norm errors in MPFR, fit the rate.",
        discussion: """
        For each W (log-uniform from A to B), the construction is built with the grid \
        size whose W_all is closest, its sup-norm error on [0,1]^d is searched for and \
        computed in MPFR at a precision chosen from the construction, and a guard \
        repeats the best candidates at twice the precision. The fitted p (error ~ X^-p, \
        X = W for interpolation and deep, W/ln W for taylor) is printed with a 95% interval \
        beside the theory: p_shallow = r/d, p_max = 2r/d.

        Examples:
          approx-cli rate --target power --smoothness 0.5
          approx-cli rate --target power --smoothness 1 --dim 2
          approx-cli rate --target smooth-sine --construction taylor --json
          approx-cli rate --target lacunary --smoothness 0.5 --draws 20
          approx-cli rate --target "abs(x-1/3)^0.75" --smoothness 0.75
          approx-cli rate --target smooth-sine --dim 2 --construction taylor
          approx-cli rate --target power --smoothness 1.5 --checkpoint rows.jsonl
          approx-cli rate --target lacunary --smoothness 1 --construction deep --weights 1e2...1e4 --draws 10
          approx-cli rate --target lacunary --smoothness 1 --construction deep --alpha 0.5
          approx-cli rate --target lacunary --smoothness 1 --construction deep --compare-precision
        """
    )

    @OptionGroup var targetOptions: TargetOptions

    @Option(name: .long, help: ArgumentHelp("Construction: \(ConstructionRegistry.names.joined(separator: ", ")).", valueName: "name"))
    var construction: String = "interpolation"

    @Option(name: .long, help: "Polynomial degree of the taylor construction (default ceil(r) - 1).")
    var degree: Int?

    @Option(name: .long, help: ArgumentHelp("Unit of the construction: relu, or relu^k (k = 2...8) for taylor (exact products) and deep (every ReLU as k relu^k units).", valueName: "name"))
    var activation: String = "relu"

    @Option(name: .long, help: ArgumentHelp("Depth exponent of the deep construction: M = N^alpha fine cells, L ~ W^alpha (0 < alpha <= 1, default 1).", valueName: "alpha"))
    var alpha: Double?

    @Option(name: .customLong("digit-order"), help: ArgumentHelp("Digit order of the 1-D deep construction: 1, 2 or 3 (differences of that order; default floor(r) + 1, at most 3; order 1 at r <= 1 and 2 above were the first wave's encodings).", valueName: "k"))
    var digitOrder: Int?

    @Option(name: .customLong("fine-ratio"), help: ArgumentHelp("c in M = c N^alpha of the deep construction (default: the balanced ratio for alpha = 1 in 1-D, 0.35/0.29/0.18 for digit orders 1/2/3; 1 otherwise).", valueName: "c"))
    var fineRatio: Double?
    @Option(name: .customLong("digit-bound"), help: ArgumentHelp("K of the deep construction's digits. 2-D: the largest first-difference digit, quantum = (largest first difference of the residual)/K (default 3; 1 is the first wave's snake). 1-D, digits of order 2 or 3: quantum = (largest k-th difference)/K (default 1), digits up to K + 2^k/2.", valueName: "K"))
    var digitBound: Int?

    @Option(name: .long, help: ArgumentHelp("Range of W_all, log-uniform: A...B (e.g. 1e2...1e5).", valueName: "A...B"))
    var weights: String = "1e2...1e5"

    @Option(name: .long, help: "Number of W values in the range.")
    var points: Int = 8

    @Option(name: .long, help: ArgumentHelp("Draws of the lacunary target (seeds seed, seed+1, ...): each row is the worst error over them.", valueName: "D"))
    var draws: Int = 1

    @Option(name: .long, help: "Grid sizes: dyadic (N = 2^k, the default), any N, or exact-ratio (deep, alpha 1: N a multiple of the least N0 with c*N0 whole, so that M = c*N is not rounded; needs --fine-ratio a/b such as 0.2857142857142857 = 2/7).")
    var grid: GridFamily = .dyadic

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false

    @Flag(name: .long, help: "Print the rows as CSV instead of the table.")
    var csv = false

    @Option(name: [.short, .long], help: ArgumentHelp("Also write the report (table, or JSON/CSV with --json/--csv) to this file, atomically; the table still goes to the terminal.", valueName: "file"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Append each finished row to this JSON-lines file and reuse the rows it already holds for the same experiment and grid size N, whatever W picked it (resume after an interruption, or extend or trim the range).", valueName: "file"))
    var checkpoint: String?

    @Option(name: .long, help: ArgumentHelp("Most grid points of the adaptive sampling search (used when there are no exact pieces: d >= 2, or more than 2e6 pieces).", valueName: "K"))
    var searchPoints: Int = 1 << 18

    @Option(name: .long, help: ArgumentHelp("Measure every network with its weights rounded to B bits and evaluated at B bits (53: what float64 shows) instead of the construction's precision.", valueName: "B"))
    var precision: Int?

    @Flag(name: .long, help: "Also measure every network at 53 bits (weights rounded, arithmetic at 53 bits) and print that error beside the full-precision one (JSON: error_53).")
    var comparePrecision = false

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    @OptionGroup var certify: CertifyOptions

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv exclude each other: give one") }
        try checkThreads(threads)
        if !(1...1000).contains(draws) { throw ValidationError("--draws \(draws) is not allowed: use 1 to 1000") }
        if let b = precision, !(16...100_000).contains(b) { throw ValidationError("--precision \(b) is not allowed: use 16 to 100000 bits") }
        try checkSearchPoints(searchPoints, dimension: targetOptions.dim ?? 1, bits: precision)
        try ResourceLimits.check(points, "--points", against: ResourceLimits.ratePoints)
        if precision != nil && comparePrecision { throw ValidationError("--precision and --compare-precision exclude each other: give one") }
        try certify.check()
    }

    func run() throws {
        // Files first: the report is written after the whole run, so a destination it cannot
        // take is refused now, not hours later.
        if let path = checkpoint { AtomicFile.registerInput(path); try AtomicFile.checkRegularOrMissing(path) }
        if let path = output { try AtomicFile.checkDestination(path) }
        let target = try targetOptions.make()
        let kind: any Construction
        let unit: Activation
        do { unit = try Activation(name: activation) } catch { throw CLIError("--activation \(activation): unknown: use relu or relu^k (k = 2...8)") }
        do { kind = try ConstructionRegistry.named(construction, degree: degree, smoothness: target.smoothness, alpha: alpha, activation: unit, digitOrder: digitOrder, fineRatio: fineRatio, digitBound: digitBound) }
        catch { throw CLIError("--construction: \(flagged(error))") }
        let grid: [Int]
        do { grid = try RateExperiment.weightGrid(weights, points: points) }
        catch { throw CLIError("--weights \(weights.prefix(60)): \(error)") }
        var experiment: RateExperiment
        do { experiment = try RateExperiment(target: target, construction: kind, requestedWeights: grid, threads: threads,
                                            dyadic: self.grid == .dyadic) }
        catch { throw CLIError("--construction \(kind.name): \(error)") }
        if self.grid == .exactRatio {
            do { experiment.gridPeriod = try RateExperiment.exactRatioPeriod(construction: kind, dimension: target.dimension, smoothness: target.smoothness) }
            catch { throw CLIError("--grid: \(error)") }
        }
        experiment.searchPoints = searchPoints
        experiment.precisionOverride = try precision.map { try Precision(bits: $0) }
        experiment.comparePrecision = comparePrecision ? .double : nil
        experiment.certification = certify.options(threads: threads)
        if draws > 1 {
            guard target.name == "lacunary" else { throw CLIError("--draws \(draws): only the lacunary target is random; '\(target.name)' has one draw") }
            experiment.draws = try (1..<draws).map { try targetOptions.make(seedOffset: UInt64($0)) }
        }
        let plan: [(requested: Int, cells: Int)]
        let planning = Progress(total: 1)
        planning.note("planning: building N = 1, 2, 4, … up to W = \(grid.max() ?? 0) to choose the grid sizes…")
        do { plan = try experiment.plannedCells() } catch { planning.finish(); throw CLIError("\(error)") }

        // Each draw is checkpointed on its own (its key names its target, seed included), so a
        // long multi-draw run keeps every finished draw; a row is the worst of its draws.
        func key(_ f: Target) -> String {
            "approx-cli \(ToolVersion.number)|\(f.summary)|d=\(target.dimension)|r=\(target.smoothness)|\(kind)\((kind as? DeepConstruction)?.checkpointTag(dimension: target.dimension) ?? "")|\(self.grid.rawValue)|search=\(searchPoints)|precision=\(precision.map(String.init) ?? "auto")|compare=\(comparePrecision)" + (certify.certify ? "|certify=\(certify.gap),\(certify.certifyBoxes)" : "")
        }
        let keys = experiment.drawnTargets.map(key)
        let progress = Progress(total: plan.count)
        func label(_ i: Int, _ k: Int) -> String {
            "[\(i + 1)/\(plan.count)] W≈\(plan[i].requested)\(keys.count > 1 ? " draw \(k + 1)/\(keys.count)" : "")"
        }
        let rows: [RateRow]
        do {
            rows = try experiment.run(plan: plan, checkpoint: checkpoint.map(RateCheckpoint.init(path:)), keys: keys) { event in
                switch event {
                case .resumed(let i, let k): progress.note("\(label(i, k)): from checkpoint")
                case .started(let i, let k, let n): progress.note("\(label(i, k)) (N = \(n)): building and measuring…")
                case .finished(let i, let k, let row): progress.note("\(label(i, k)): error \(row.error) in \(String(format: "%.1f", row.seconds)) s")
                }
            }
        } catch let e as FileError {
            progress.finish(); throw CLIError("--checkpoint \(e)")
        } catch {
            progress.finish(); throw CLIError("\(error)")
        }
        progress.finish()
        let theory = experiment.theory
        // One fit of all rows (the estimate's fitAll, the same as experiment.fit) and one bootstrap.
        let estimate = try? RateEstimate(rows: rows, against: theory.against, smoothness: target.smoothness, dimension: target.dimension)
        let fit = estimate?.fitAll
        let bootstrap = fit?.bootstrapInterval()
        let consistency = fit.flatMap { experiment.consistency(rows, $0) }
        var report = humanReport(target, kind, rows, plannedCount: plan.count, requestedCount: grid.count, fit, theory, consistency: consistency)
        if let estimate { report += estimateReport(estimate, bootstrap: bootstrap, role: target.role) }
        let machine = json ? try jsonReport(experiment, rows, fit, theory, consistency, estimate, bootstrap) + "\n" : csv ? table(rows).csv() : nil
        if let path = output {
            // Written whole or not at all; the terminal still gets the readable table.
            try AtomicFile.write(machine ?? report, to: path)
            print(report, terminator: "")
            printError("wrote \(path)")
        } else {
            print(machine ?? report, terminator: "")
        }
    }

    func humanReport(_ target: Target, _ kind: any Construction, _ rows: [RateRow], plannedCount: Int, requestedCount: Int,
                     _ fit: PowerLawFit?, _ theory: RateExperiment.Theory, consistency: ConsistencyCheck? = nil) -> String {
        var lines: [String] = []
        lines.append("target        \(target.summary)  (d = \(target.dimension), r = \(format(target.smoothness)), \(roleText(target.role)))")
        lines.append("construction  \(kind.summary); errors in MPFR, guard at twice the precision")
        if let first = rows.first, first.draws > 1 {
            lines.append("draws         \(first.draws) seeds from \(targetOptions.seed); each error is the worst over them")
        }
        if let first = rows.first {
            // Rows from checkpoints written before the typed fields show their whole description.
            let method = first.search?.rawValue ?? first.method
            let locator = first.rankedInFloat64.map { $0 ? "float64" : (first.locator.hasPrefix("fixed point") ? "certified fixed point" : "MPFR") } ?? first.locator
            lines.append("search        \(method); ranking by \(locator); digits = agreeing at twice the precision; resolved = finest spacing searched")
        }
        lines.append("")
        lines.append(table(rows).render())
        if plannedCount < requestedCount {
            lines.append("(\(requestedCount - plannedCount) of the \(requestedCount) requested W fell on a grid size already measured and were merged)")
        }
        if let fit {
            let interval = fit.pLow.map { " [\(format($0)), \(format(fit.pHigh!))]" } ?? " (no interval with 2 points)"
            lines.append("fit           p = \(format(fit.p))\(interval) against \(fit.against.rawValue)  (95% interval, \(fit.count) points)")
            lines.append("local slopes  \(fit.localSlopes.map { String(format: "%.3f", $0) }.joined(separator: " "))  (between consecutive rows)")
        } else {
            lines.append("fit           none: fewer than 2 distinct grid sizes in the range")
        }
        if let c = RateRow.certifiedFit(rows, against: theory.against) {
            let interval = c.pLow.map { " [\(format($0)), \(format(c.pHigh!))]" } ?? ""
            lines.append("certified fit p = \(format(c.p))\(interval) from the certified upper bounds (every error at most its bound)")
        }
        let open = rows.filter { $0.withinGap == false }
        if !open.isEmpty {
            lines.append("certify       \(open.count) row(s) did not reach the gap: W_all \(open.map { String($0.weightsAll) }.joined(separator: ", ")) (their bounds still hold)")
        }
        lines.append("theory        p_shallow = r/d = \(format(theory.pShallow)), p_max = 2r/d = \(format(theory.pMax)); \(kind.name) by its own bound: \(format(theory.pExpected))")
        if let c = consistency {
            let verdict = { (holds: Bool) in holds ? "consistent" : "VIOLATED (a bug, or a target easier than the class)" }
            if let needed = c.neededDepthExponent {
                lines.append("depth law     L ~ W^\(format(c.depthExponent)); the fitted p needs >= W^\(format(needed))/ln W: \(verdict(c.depthLawHolds))")
            } else {
                lines.append("depth law     L ~ W^\(format(c.depthExponent)); none for \(c.family.formula) units")
            }
            if let vc = c.vcExponent {
                lines.append("VC bound      shattering ~ W^\(format(c.shatteringExponent)) vs \(c.family.formula) ~ W^\(format(vc)): \(verdict(c.vcBoundHolds))  (slack 1/ln W = \(format(c.slack)))")
            } else {
                lines.append("VC bound      shattering ~ W^\(format(c.shatteringExponent)); no finite VC bound for these units: nothing is ruled out")
            }
        }
        let unstable = rows.filter { !$0.stable }
        if !unstable.isEmpty {
            lines.append("warning       \(unstable.count) row(s) kept fewer than 6 digits at twice the precision: W_all \(unstable.map { String($0.weightsAll) }.joined(separator: ", "))")
        }
        if target.role == .trap {
            lines.append("note          \(target.name) is a trap: Hölder-\(format(target.smoothness)) but easy for deep networks; its rate says nothing about the class")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bootstrap interval, the flagged points with the fit without them, and the region.
    func estimateReport(_ e: RateEstimate, bootstrap: (low: Double, high: Double)?, role: Target.Role) -> String {
        var lines: [String] = []
        let all = bootstrap.map { "[\(format($0.low)), \(format($0.high))]" } ?? "none (fewer than 4 points)"
        lines.append("bootstrap     \(all)  (95% studentized residual bootstrap, all points)")
        for f in e.flags { lines.append("flagged       W_all = \(f.weights): \(f.kind.rawValue), \(f.detail)") }
        if !e.excluded.isEmpty {
            let interval = e.fit.pLow.map { " [\(format($0)), \(format(e.fit.pHigh!))]" } ?? ""
            lines.append("without them  p = \(format(e.fit.p))\(interval) on \(e.fit.count) points (the sweep tables use this fit)")
        }
        lines.append("region        \(e.region.verdict(for: role, constantDepth: e.constantDepth))  (judged by the interval's lower end)")
        return lines.joined(separator: "\n") + "\n"
    }

    func table(_ rows: [RateRow]) -> TextTable {
        let packed = rows.contains { $0.bitsPerWeight != nil }, compared = rows.contains { $0.comparedError != nil }
        let certified = rows.contains { $0.withinGap != nil }
        var header = ["W_all", "W_nz", "depth", "width", "N", "precision"]
        if packed { header.append("bits/weight") }
        header.append("error")
        if compared { header.append("error_53") }
        if certified { header += ["certified ≤", "gap"] }
        header += ["argmax", "digits", "resolved", "seconds"]
        var t = TextTable(header: header)
        for r in rows {
            var cells = [String(r.weightsAll), String(r.weightsNonzero), String(r.depth), String(r.width), String(r.cells), String(r.precision)]
            if packed { cells.append(r.bitsPerWeight.map(String.init) ?? "-") }
            cells.append(r.error)
            if compared { cells.append(r.comparedError ?? "-") }
            if certified {
                cells.append(r.certified ?? "-")
                cells.append(r.gap.map { String(format: "%.2f%%", 100 * $0) + (r.withinGap == true ? "" : " (open)") } ?? "-")
            }
            cells += [r.argmax.map { String(format: "%.6g", $0) }.joined(separator: ","),
                      String(r.guardDigits), String(format: "%.1e", r.spacing), String(format: "%.2f", r.seconds)]
            t.append(cells)
        }
        return t
    }

    func roleText(_ role: Target.Role) -> String {
        switch role {
        case .classHard: "class-hard stand-in"
        case .singleFunction: "single smooth function, not class-hard"
        case .trap: "trap: not hard for the class"
        case .formula: "formula; smoothness as claimed"
        }
    }

    func format(_ x: Double) -> String { String(format: "%.4g", x) }

    func jsonReport(_ e: RateExperiment, _ rows: [RateRow], _ fit: PowerLawFit?, _ theory: RateExperiment.Theory,
                    _ consistency: ConsistencyCheck?, _ estimate: RateEstimate?,
                    _ boot: (low: Double, high: Double)?) throws -> String {
        try RateReport(e, rows: rows, role: roleText(e.target.role), fit: fit, bootstrap: boot, estimate: estimate,
                       theory: theory, consistency: consistency).json()
    }
}

/// Grid-size families of `rate`.
enum GridFamily: String, ExpressibleByArgument, CaseIterable {
    case dyadic, any
    /// Deep with α = 1: N a multiple of N₀ such that M = c·N is whole (c = 2/7: N = 7, 14, …).
    case exactRatio = "exact-ratio"
}

/// Progress lines on standard error, only when it is a terminal.
final class Progress {
    let total: Int
    let enabled = isatty(2) != 0
    init(total: Int) { self.total = total }
    func note(_ text: String) {
        guard enabled else { return }
        FileOutput.standardError("\r\u{1B}[K" + text)
    }
    func finish() { if enabled { FileOutput.standardError("\r\u{1B}[K") } }
}
