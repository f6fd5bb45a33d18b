import Foundation
import Testing
import ApproxRates

/// Every LaTeX table the project writes, compiled by a real TeX engine (pdflatex, installed by
/// scripts/ensure-deps.sh): the rate, early-phase, two-layer and SGD tables with every special
/// character and Unicode symbol in their cells, notes and command, and the tables shipped in
/// data/reference. Each is \input into a minimal article with booktabs; pdflatex must exit 0
/// with no error line in its log.
@Suite struct LaTeXCompileTests {
    /// The characters LaTeX treats specially, the Unicode the notes use, and line breaks.
    static let hostile = "approx-cli table 'a%b&c_d#e$f{g}h~i^j\\k' <x> |y| −1…2 γ′ ≤ β₁ ‖θ‖ η λ₀ ∈ × √ ∞ → — – line\n\nbreak"

    static func pdflatex() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/pdflatex"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Compiles `table` inside a minimal document; returns the log's error lines (empty: compiled).
    static func compile(_ table: String, name: String, engine: String, in dir: String) throws -> [String] {
        try table.write(toFile: "\(dir)/\(name)-table.tex", atomically: true, encoding: .utf8)
        let document = "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n\\input{\(name)-table.tex}\n\\end{document}\n"
        try document.write(toFile: "\(dir)/\(name).tex", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: engine)
        process.arguments = ["-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "\(name).tex"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let log = (try? String(contentsOfFile: "\(dir)/\(name).log", encoding: .utf8)) ?? ""
        var errors = log.split(separator: "\n").filter { $0.hasPrefix("!") }.map(String.init)
        if process.terminationStatus != 0 && errors.isEmpty { errors = ["pdflatex exited \(process.terminationStatus)"] }
        if !FileManager.default.fileExists(atPath: "\(dir)/\(name).pdf") && errors.isEmpty { errors = ["no PDF written"] }
        return errors
    }

    /// An early-phase table with saturation columns and collapse notes (×, →, λ_τ in the cells).
    static func earlyTableWithSaturationAndCollapse() throws -> EarlyPhaseTable {
        var plan = EarlyPhaseDiagramPlan()
        plan.saturationK = 200; plan.saturationC = [0.5, 1.5]
        func record(_ d: Int, _ w: Int, _ c: Double) throws -> EarlyPhaseRecord {
            let json = """
            {"plan": "x", "depth": \(d), "width": \(w), "seed": 1, "seconds": 1,
             "critical": {"cLoss": \(c), "cSharp": \(c * 1.2), "cMax": \(c * 2), "divergenceFound": true, "sharpness0": 3, "resolution": 0.01, "runs": []},
             "saturation": [{"c": 0.5, "k": 200, "step": 400, "sharpness": 1.5, "ratio": 0.5, "residual": 1e-5, "lossRatio": 0.2, "diverged": false},
                            {"c": 1.5, "k": 200, "step": 134, "diverged": true}]}
            """
            return try JSONDecoder().decode(EarlyPhaseRecord.self, from: Data(json.utf8))
        }
        let records = [try record(2, 64, 2.2), try record(4, 128, 2.5), try record(4, 64, 3)]
        return EarlyPhaseTable(summaries: records.map { EarlyPhaseSummary(depth: $0.depth, width: $0.width, records: [$0]) }, plan: plan,
                               command: hostile, dataSummary: hostile)
    }

    @Test func everyTableCompilesUnderPdflatex() throws {
        guard let engine = LaTeXCompileTests.pdflatex() else {
            Issue.record("pdflatex not found: scripts/ensure-deps.sh (run by scripts/test.sh) installs texlive-latex-base and texlive-latex-recommended")
            return
        }
        let dir = temporaryDirectory()
        var rates = TableTests.sample()
        rates[1].target = "x^2 % & _ # $ { } ~ \\ γ′ ≤ …"
        rates[1].experiment = "exp\nwith % and γ"
        rates[1].verdict = PhaseRegion.constantDepthVerdict; rates[1].region = PhaseRegion.constantDepthLabel
        var plan = TwoLayerPlan(points: [.init(gamma: 1.25, gammaPrime: -0.5)], widths: [256, 1024], seeds: 2, data: "points4", dataHash: "0",
                                settings: TwoLayerTrainingSettings())
        plan.band = 0.1
        var tables: [(String, String)] = [
            ("rates", RateTable(rates: rates, command: LaTeXCompileTests.hostile).latex()),
            ("early", EarlyPhaseTable(summaries: [EarlyPhaseSummary(depth: 2, width: 64, records: [])], plan: EarlyPhaseDiagramPlan(),
                                      command: LaTeXCompileTests.hostile, dataSummary: LaTeXCompileTests.hostile).latex()),
            ("earlysaturation", try LaTeXCompileTests.earlyTableWithSaturationAndCollapse().latex()),
            ("twolayer", TwoLayerTable(summaries: TwoLayerSummary.all(plan: plan, records: []), plan: plan, dataSummary: LaTeXCompileTests.hostile,
                                       command: LaTeXCompileTests.hostile).latex()),
        ]
        let sgdMap = SGDMapPlan(points: [.init(delta: -1.25, kappa: 1), .init(delta: 0.5, kappa: 0)], dimensions: [64, 256], seeds: 2, width0: 1, gamma0: nil,
                                k: 1, labelNoise: 1e-3, horizon: 10)
        tables.append(("sgdmap", SGDMapTable(summaries: SGDMapSummary.all(plan: sgdMap, records: []), plan: sgdMap, command: LaTeXCompileTests.hostile).latex()))
        let compare = SGDComparePlan(scaling: SGDScaling(delta: 0, kappa: 0, width0: 2), k: 1, labelNoise: 1e-3, dimensions: [64], seeds: 1, requestedTimes: [1])
        let ode = try compare.odeCurve(dimension: 64)
        tables.append(("sgdcompare", SGDCompareReport(plan: compare, curves: [SGDCompareCurve(dimension: 64, records: [], times: compare.times, ode: ode)],
                                                      odes: [ode], command: LaTeXCompileTests.hostile).latex()))
        // Grokking: a diagram with a tie and no records, and a fraction table, under the hostile command.
        let grokking = GrokkingPlan(settings: GrokkingSettings(), learningRates: [1e-4, 1e-3], weightDecays: [0], fractions: [0.8], seeds: 3)
        tables.append(("grokking", GrokkingMapTable(summaries: GrokkingCellSummary.all(plan: grokking, records: []), plan: grokking,
                                                     command: LaTeXCompileTests.hostile).latex()))
        tables.append(("grokkingfraction", GrokkingFractionTable(summary: GrokkingFractionSummary(records: [], theory: CriticalFraction(p: 10, trainCounts: [1, 2], samples: 10)), settings: GrokkingSettings(),
                                                                  learningRate: 1e-4, weightDecay: 0, command: LaTeXCompileTests.hostile).latex()))
        // The tables shipped with the project, as the CLI wrote them.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        for path in ["data/reference/rates.tex", "data/reference/deep-vs-shallow-d1/rates.tex", "data/reference/deep-d2/rates.tex",
                     "data/reference/deep-k4-d1/rates.tex", "data/reference/deep-exact-ratio-d1/rates.tex",
                     "data/reference/dynamics-early/early.tex", "data/reference/dynamics-early-collapse/early.tex",
                     "data/reference/dynamics-early-cnn-collapse/early.tex", "data/reference/dynamics-two-layer/two-layer.tex",
                     "data/reference/dynamics-two-layer-named/two-layer.tex", "data/reference/dynamics-two-layer-teacher/two-layer.tex",
                     "data/reference/dynamics-sgd/compare/compare.tex", "data/reference/dynamics-sgd/map/map.tex",
                     "data/reference/dynamics-grokking/map/grokking.tex", "data/reference/dynamics-grokking/fraction/fraction.tex"] {
            tables.append((path.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".tex", with: ""),
                           try String(contentsOfFile: root + "/" + path, encoding: .utf8)))
        }
        var compiled = 0
        for (name, table) in tables {
            let errors = try LaTeXCompileTests.compile(table, name: name, engine: engine, in: dir)
            #expect(errors.isEmpty, "\(name): \(errors.prefix(3))")
            if errors.isEmpty { compiled += 1 }
        }
        print("LaTeX compile test: \(engine) compiled \(compiled) of \(tables.count) tables")
    }
}
