import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// The settings every grokking table records with its numbers (boundaries move with them).
struct GrokkingSettingsDocument: Encodable {
    let p: Int, embeddingDimension: Int, width: Int, loss: String, steps: Int, batch: Int, embeddingLearningRate: Double, embeddingWeightDecay: Double
    let threshold: Double, lag: Int, rqiTolerance: Double, rqiThreshold: Double, stoppedWhenDecided: Bool, split: String
    init(_ s: GrokkingSettings) {
        p = s.p; embeddingDimension = s.embeddingDimension; width = s.width; loss = s.loss.rawValue; steps = s.steps; batch = s.batch
        embeddingLearningRate = s.embeddingLearningRate; embeddingWeightDecay = s.embeddingWeightDecay; threshold = s.threshold; lag = s.lag
        rqiTolerance = s.rqiTolerance; rqiThreshold = s.rqiThreshold; stoppedWhenDecided = s.stopWhenDecided
        switch s.split {
        case .perSeed: split = "per-seed"
        case .fixed(let seed): split = "seed \(seed)"
        case .firstIdeal: split = "first-ideal"
        }
    }
    /// One line for captions.
    static func line(_ s: GrokkingSettings) -> String { s.captionLine }
}

extension GrokkingSettings {
    /// The settings in one line, for captions (boundaries move with them, so every picture says them).
    public var captionLine: String {
        let s = self
        let split: String
        switch s.split {
        case .perSeed: split = "split drawn by each run's seed"
        case .fixed(let seed): split = "split drawn by seed \(seed)"
        case .firstIdeal: split = "one split for all runs (the first seed whose split has ideal validation accuracy 1)"
        }
        return String(format: "p = %d, %@ loss, %d-wide decoder, %d-d embeddings (η_E = %g, weight decay %g), %@, budget %d steps, threshold %g, lag %d, %@",
                      s.p, s.loss.rawValue.uppercased(), s.width, s.embeddingDimension, s.embeddingLearningRate, s.embeddingWeightDecay,
                      s.batch == 0 ? "full batch" : "batch \(s.batch)", s.steps, s.threshold, s.lag, split)
    }
}

/// The report of `dynamics grokking run`.
public struct GrokkingRunReport: Sendable {
    /// The run's spec and result, and its wall-clock seconds.
    public let spec: GrokkingRunSpec, run: GrokkingRun, seconds: Double

    /// A report.
    public init(spec: GrokkingRunSpec, run: GrokkingRun, seconds: Double) { self.spec = spec; self.run = run; self.seconds = seconds }

    struct Document: Encodable {
        let learningRate: Double, weightDecay: Double, fraction: Double, trainCount: Int, seed: UInt64, splitSeed: UInt64
        let trainStep: JSONNullable<Int>, validationStep: JSONNullable<Int>, rqiStep: JSONNullable<Int>, phase: String, lagSteps: JSONNullable<Int>, stepsTaken: Int
        let steps: [Int], trainAccuracy: [Double], validationAccuracy: [Double], rqi: [Double], trainLoss: [Double?], validationLoss: [Double?]
        let finalTrainAccuracy: Double, finalValidationAccuracy: Double, finalRqi: Double, predictedAccuracy: Double, idealAccuracy: Double
        let nullity: Int, lambda3: Double, predictedStepsToStructure: JSONNullable<Double>, effectiveStepsToStructure: JSONNullable<Double>
        let snapshots: [GrokkingRun.Snapshot]
        let settings: GrokkingSettingsDocument, seconds: Double
    }

    /// JSON: `train_step`, `validation_step`, `rqi_step` (null if never), `phase`, `steps` (the logged
    /// steps) with `train_accuracy`, `validation_accuracy`, `rqi`, `train_loss` and `validation_loss`
    /// over them, the final values, the effective theory's numbers and the settings.
    public func json() throws -> String {
        let r = run
        let lag = r.trainStep.flatMap { t in r.validationStep.map { $0 - t } }
        return try TableText.json(Document(
            learningRate: spec.learningRate, weightDecay: spec.weightDecay, fraction: spec.fraction, trainCount: r.trainCount, seed: spec.seed, splitSeed: r.splitSeed,
            trainStep: .init(r.trainStep), validationStep: .init(r.validationStep), rqiStep: .init(r.rqiStep), phase: r.phase.rawValue, lagSteps: .init(lag),
            stepsTaken: r.stepsTaken,
            steps: r.loggedSteps, trainAccuracy: r.trainAccuracy, validationAccuracy: r.validationAccuracy, rqi: r.rqi,
            trainLoss: finite(r.trainLoss), validationLoss: finite(r.validationLoss),
            finalTrainAccuracy: r.finalTrainAccuracy, finalValidationAccuracy: r.finalValidationAccuracy, finalRqi: r.finalRQI,
            predictedAccuracy: r.predictedAccuracy, idealAccuracy: r.idealAccuracy, nullity: r.nullity, lambda3: r.lambda3,
            predictedStepsToStructure: .init(r.predictedStepsToStructure), effectiveStepsToStructure: .init(r.effectiveStepsToStructure),
            snapshots: r.snapshots, settings: GrokkingSettingsDocument(spec.settings), seconds: seconds))
    }

    /// A few lines for the terminal.
    public func text() -> String {
        let r = run
        func step(_ s: Int?) -> String { s.map(String.init) ?? "never" }
        var lines = [
            String(format: "η_D = %g, weight decay %g, fraction %.4g (%d of %d examples, split seed %llu), seed %llu: %@",
                   spec.learningRate, spec.weightDecay, spec.fraction, r.trainCount, spec.settings.p * (spec.settings.p + 1) / 2, r.splitSeed, spec.seed, r.phase.rawValue),
            "  first step with training accuracy >= \(spec.settings.threshold): \(step(r.trainStep)); validation: \(step(r.validationStep)); RQI > \(spec.settings.rqiThreshold): \(step(r.rqiStep))",
        ]
        if let t = r.trainStep, let v = r.validationStep { lines.append("  validation lag: \(v - t) steps (grokking above \(spec.settings.lag))") }
        lines.append(String(format: "  final: training accuracy %.3f, validation %.3f, RQI %.3f; predicted %.3f, ideal %.3f",
                            r.finalTrainAccuracy, r.finalValidationAccuracy, r.finalRQI, r.predictedAccuracy, r.idealAccuracy))
        lines.append(String(format: "  effective theory: nullity %d, λ₃ = %.4g, 1/(η_E·2λ₃/(p−1)) = %@ steps; the flow from the initial embeddings reaches RQI > %g after %@ steps",
                            r.nullity, r.lambda3, r.predictedStepsToStructure.map { String(format: "%.4g", $0) } ?? "∞", spec.settings.rqiThreshold,
                            r.effectiveStepsToStructure.map { String(format: "%.4g", $0) } ?? "never (within 100 × the budget)"))
        lines.append(String(format: "  %d steps in %.1f s", r.stepsTaken, seconds))
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The phase diagram of `dynamics grokking`: one row per cell, in CSV, JSON, Markdown and LaTeX.
public struct GrokkingMapTable: Sendable {
    /// The cells, in plan order.
    public let summaries: [GrokkingCellSummary]
    /// The plan.
    public let plan: GrokkingPlan
    /// The command line.
    public let command: String

    /// A table.
    public init(summaries: [GrokkingCellSummary], plan: GrokkingPlan, command: String) { self.summaries = summaries; self.plan = plan; self.command = command }

    struct CellDocument: Encodable {
        let learningRate: Double, weightDecay: Double, fraction: Double, seeds: Int
        let phases: [String: Int], majority: JSONNullable<String>, seedPhases: [String]
        let medianTrainStep: JSONNullable<Int>, medianValidationStep: JSONNullable<Int>, medianRqiStep: JSONNullable<Int>, meanFinalRqi: JSONNullable<Double>
    }
    struct Document: Encodable {
        let schemaVersion: Int, seeds: Int, learningRates: [Double], weightDecays: [Double], fractions: [Double]
        let settings: GrokkingSettingsDocument, majorityCounts: [String: Int], cells: [CellDocument], notes: [String], command: String
    }

    /// Cells by majority phase (ties under "tie").
    public var majorityCounts: [String: Int] {
        var out: [String: Int] = ["tie": 0]
        for p in GrokkingPhase.allCases { out[p.rawValue] = 0 }
        for s in summaries { out[s.majority?.rawValue ?? "tie", default: 0] += 1 }
        return out
    }

    /// The caption: what was run, under which settings.
    public var caption: String {
        String(format: "Majority phase over %d seeds per cell; ", plan.seeds) + GrokkingSettingsDocument.line(plan.settings) + "."
    }

    /// Notes under the table.
    public var notes: [String] {
        let counts = majorityCounts
        var n = ["Cells by majority: " + (GrokkingPhase.allCases.map(\.rawValue) + ["tie"]).map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ") + "."]
        n.append("C/G/M/X/S: seeds in comprehension, grokking, memorization, confusion, slow; t_RQI: first step with RQI > \(plan.settings.rqiThreshold); RQI: mean final RQI over the seeds (runs stopped once decided report it at the stop).")
        n.append("A run's phase: first steps t_train, t_val at which training and validation accuracy reach \(plan.settings.threshold); comprehension if both and t_val − t_train ≤ \(plan.settings.lag), grokking if both and more, memorization if only training, confusion if neither, slow if only validation.")
        if plan.settings.stopWhenDecided { n.append("Runs stop once both accuracies have reached the threshold (the phase is then fixed); the others run the whole budget.") }
        return n
    }

    /// JSON: `cells` (one per cell: `learning_rate`, `weight_decay`, `fraction`, `phases` (seeds per
    /// phase), `majority` (null on a tie), `seed_phases`, median threshold steps, mean final RQI),
    /// the settings (budget, threshold, lag, …), the seeds and the notes.
    public func json() throws -> String {
        let cells = summaries.map { s in
            CellDocument(learningRate: s.learningRate, weightDecay: s.weightDecay, fraction: s.fraction, seeds: s.seeds,
                         phases: Dictionary(uniqueKeysWithValues: s.phases.map { ($0.key.rawValue, $0.value) }), majority: .init(s.majority?.rawValue),
                         seedPhases: s.seedPhases.map(\.rawValue), medianTrainStep: .init(s.medianTrainStep), medianValidationStep: .init(s.medianValidationStep),
                         medianRqiStep: .init(s.medianRQIStep), meanFinalRqi: .init(finite([s.meanFinalRQI])[0]))
        }
        return try TableText.json(Document(schemaVersion: 1, seeds: plan.seeds, learningRates: plan.learningRates, weightDecays: plan.weightDecays,
                                           fractions: plan.fractions, settings: GrokkingSettingsDocument(plan.settings), majorityCounts: majorityCounts,
                                           cells: cells, notes: notes, command: command))
    }

    /// CSV: one line per cell.
    public func csv() -> String {
        var lines = [(["learning_rate", "weight_decay", "fraction", "seeds", "majority"] + GrokkingPhase.allCases.map(\.rawValue)
                      + ["seed_phases", "median_train_step", "median_validation_step", "median_rqi_step", "mean_final_rqi"]).joined(separator: ",")]
        for s in summaries {
            var cells: [String] = [s.learningRate.description, s.weightDecay.description, s.fraction.description, String(s.seeds), s.majority?.rawValue ?? "tie"]
            cells += GrokkingPhase.allCases.map { String(s.phases[$0] ?? 0) }
            cells.append(s.seedPhases.map(\.rawValue).joined(separator: " "))
            cells.append(s.medianTrainStep.map(String.init) ?? "")
            cells.append(s.medianValidationStep.map(String.init) ?? "")
            cells.append(s.medianRQIStep.map(String.init) ?? "")
            cells.append(finite([s.meanFinalRQI])[0].map(\.description) ?? "")
            lines.append(cells.map(CSV.quote).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The diagram of `fraction` as two letter grids for the terminal, weight decay down the rows
    /// (largest first), η_D across: the majority phase (C, G, M, X, S; "·" on a tie) and the number
    /// of seeds that generalised (comprehension, grokking or slow: the Goldilocks zone).
    public func letterGrids(fraction: Double) -> String {
        let cells = summaries.filter { $0.fraction == fraction }
        let lrs = Array(Set(cells.map(\.learningRate))).sorted(), wds = Array(Set(cells.map(\.weightDecay))).sorted()
        func letter(_ p: GrokkingPhase?) -> String {
            switch p { case .comprehension: "C"; case .grokking: "G"; case .memorization: "M"; case .confusion: "X"; case .slow: "S"; case nil: "·" }
        }
        var lines = [String(format: "majority phase (left) and seeds in the Goldilocks zone C+G+S of %d (right); η_D from %.3g (left) to %.3g (right)",
                            plan.seeds, lrs.first ?? 0, lrs.last ?? 0)]
        for wd in wds.reversed() {
            var majority = "", goldilocks = ""
            for lr in lrs {
                let c = cells.first { $0.learningRate == lr && $0.weightDecay == wd }
                majority += letter(c?.majority)
                let n = c.map { ($0.phases[.comprehension] ?? 0) + ($0.phases[.grokking] ?? 0) + ($0.phases[.slow] ?? 0) } ?? 0
                goldilocks += n == 0 ? "." : String(n)
            }
            lines.append(String(format: "  wd %6g  %@   %@", wd, majority, goldilocks))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Column names of the reader's table.
    public static let headers = ["η_D", "weight decay", "fraction", "majority", "C/G/M/X/S", "median t_train", "median t_val", "median t_RQI", "RQI"]

    /// One reader's row.
    public func row(_ s: GrokkingCellSummary) -> [String] {
        [String(format: "%.3g", s.learningRate), String(format: "%g", s.weightDecay), String(format: "%.3g", s.fraction), s.majority?.rawValue ?? "tie",
         GrokkingPhase.allCases.map { String(s.phases[$0] ?? 0) }.joined(separator: "/"),
         s.medianTrainStep.map(String.init) ?? "—", s.medianValidationStep.map(String.init) ?? "—", s.medianRQIStep.map(String.init) ?? "—",
         shown(s.meanFinalRQI, "%.2f")]
    }

    /// Markdown.
    public func markdown() -> String {
        TableText.markdown(headers: GrokkingMapTable.headers, rows: summaries.map(row), notes: [caption] + notes)
    }

    /// LaTeX (booktabs).
    public func latex() -> String {
        TableText.latex(what: "grokking phase diagram", command: command, heads: GrokkingMapTable.headers.map(LaTeX.escape),
                        rows: summaries.map { row($0).map(LaTeX.escape) }, lead: LaTeX.escape(caption), notes: notes.map(LaTeX.escape))
    }
}

/// The critical-fraction comparison of `dynamics grokking fraction`.
public struct GrokkingFractionTable: Sendable {
    /// The summary.
    public let summary: GrokkingFractionSummary
    /// The settings and the decoder's η_D and weight decay.
    public let settings: GrokkingSettings, learningRate: Double, weightDecay: Double
    /// The command line.
    public let command: String

    /// A table.
    public init(summary: GrokkingFractionSummary, settings: GrokkingSettings, learningRate: Double, weightDecay: Double, command: String) {
        self.summary = summary; self.settings = settings; self.learningRate = learningRate; self.weightDecay = weightDecay; self.command = command
    }

    struct Document: Encodable {
        let schemaVersion: Int, learningRate: Double, weightDecay: Double, settings: GrokkingSettingsDocument, theorySamples: Int
        let theoryCritical: JSONNullable<Double>, generalisationCritical: JSONNullable<Double>, structureCritical: JSONNullable<Double>
        let points: [GrokkingFractionSummary.Point], notes: [String], command: String
    }

    /// The caption.
    public var caption: String {
        String(format: "Training fraction against generalisation at η_D = %g, weight decay %g; ", learningRate, weightDecay) + GrokkingSettingsDocument.line(settings) + "."
    }

    /// Notes: the three critical fractions.
    public var notes: [String] {
        func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "not reached" }
        return ["Critical fraction (share reaching ½, interpolated): theory P(nullity = 2) over \(summary.theorySamples) random training sets per size: \(f(summary.theoryCritical)); measured generalisation (validation accuracy ≥ \(settings.threshold)): \(f(summary.generalisationCritical)); measured structure (RQI > \(settings.rqiThreshold)): \(f(summary.structureCritical)).",
                "The predicted accuracy is the one the final embeddings' realised parallelograms allow (the paper's Acc^), the ideal accuracy the one the training set's implied parallelograms allow."]
    }

    /// JSON: the points, the three critical fractions, the settings.
    public func json() throws -> String {
        try TableText.json(Document(schemaVersion: 1, learningRate: learningRate, weightDecay: weightDecay, settings: GrokkingSettingsDocument(settings),
                                    theorySamples: summary.theorySamples, theoryCritical: .init(summary.theoryCritical),
                                    generalisationCritical: .init(summary.generalisationCritical), structureCritical: .init(summary.structureCritical),
                                    points: summary.points, notes: notes, command: command))
    }

    /// CSV: one line per fraction.
    public func csv() -> String {
        var lines = ["train_count,fraction,seeds,theory_probability,trained_nullity_two,generalised,structured,mean_validation_accuracy,mean_predicted_accuracy,mean_ideal_accuracy,median_rqi_step"]
        for p in summary.points {
            lines.append([String(p.trainCount), p.fraction.description, String(p.seeds), p.theoryProbability.description, p.trainedNullityTwo.description,
                          p.generalised.description, p.structured.description, p.meanValidationAccuracy.description, p.meanPredictedAccuracy.description,
                          p.meanIdealAccuracy.description, p.medianRQIStep.map(String.init) ?? ""].joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Column names of the reader's table.
    public static let headers = ["n", "fraction", "P(nullity 2)", "generalised", "RQI > thr.", "val. acc.", "predicted acc.", "ideal acc.", "median t_RQI"]

    /// One reader's row.
    public func row(_ p: GrokkingFractionSummary.Point) -> [String] {
        [String(p.trainCount), String(format: "%.3f", p.fraction), String(format: "%.3f", p.theoryProbability), String(format: "%.2f", p.generalised),
         String(format: "%.2f", p.structured), String(format: "%.3f", p.meanValidationAccuracy), String(format: "%.3f", p.meanPredictedAccuracy),
         String(format: "%.3f", p.meanIdealAccuracy), p.medianRQIStep.map(String.init) ?? "—"]
    }

    /// Markdown.
    public func markdown() -> String { TableText.markdown(headers: GrokkingFractionTable.headers, rows: summary.points.map(row), notes: [caption] + notes) }

    /// LaTeX (booktabs).
    public func latex() -> String {
        TableText.latex(what: "grokking critical fraction", command: command, heads: GrokkingFractionTable.headers.map(LaTeX.escape),
                        rows: summary.points.map { row($0).map(LaTeX.escape) }, lead: LaTeX.escape(caption), notes: notes.map(LaTeX.escape))
    }
}
