import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule

/// The critical learning rates of `dynamics early` in the four formats of the rate tables: CSV
/// (RFC 4180, one line per (d, w), shortest round-trip numbers, empty when not found), JSON
/// (schema_version 1: the plan, the summaries and the command), Markdown and LaTeX (booktabs) with
/// the window, tolerances and grid in the notes.
public struct EarlyPhaseTable: Sendable {
    /// One row per (d, w).
    public let summaries: [EarlyPhaseSummary]
    /// The plan that made them.
    public let plan: EarlyPhaseDiagramPlan
    /// The command line.
    public let command: String
    /// One line saying what the training set is (``TrainingData/summary``).
    public let dataSummary: String
    /// Whether c_loss collapses onto d/w, 1/w or d (over the networks where it was found).
    public let collapse: ScalingCollapse

    /// A table.
    public init(summaries: [EarlyPhaseSummary], plan: EarlyPhaseDiagramPlan, command: String, dataSummary: String) {
        self.summaries = summaries; self.plan = plan; self.command = command; self.dataSummary = dataSummary
        collapse = ScalingCollapse(quantity: "c_loss", samples: summaries.map { ($0.depth, $0.width, $0.cLossValues) })
    }

    static let columns = ["depth", "width", "d_over_w", "seeds", "sharpness0", "c_loss", "c_loss_min", "c_loss_max",
                          "c_sharp", "c_sharp_min", "c_sharp_max", "c_max", "c_max_min", "c_max_max", "ordered", "ordered_seeds"]

    /// The saturation c's of the plan (a column each).
    var saturationCs: [Double] { plan.saturationK == nil ? [] : plan.saturationC }

    /// RFC 4180 CSV.
    public func csv() -> String {
        func n(_ x: Double?) -> String { x.map(\.description) ?? "" }
        let saturation = saturationCs.map { "saturation_ratio_c\($0)" }
        var lines = [(EarlyPhaseTable.columns + saturation).joined(separator: ",")]
        for s in summaries {
            let ratios = saturationCs.map { c in n(s.saturation.first { $0.c == c }?.ratio?.median) }
            lines.append(([String(s.depth), String(s.width), s.ratio.description, String(s.seeds), s.sharpness0.description,
                           n(s.cLoss?.median), n(s.cLoss?.min), n(s.cLoss?.max), n(s.cSharp?.median), n(s.cSharp?.min), n(s.cSharp?.max),
                           n(s.cMax?.median), n(s.cMax?.min), n(s.cMax?.max), s.ordered ? "true" : "false", String(s.orderedSeeds)] + ratios)
                          .map(CSV.quote).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    struct Document: Codable {
        let schemaVersion: Int
        let plan: EarlyPhaseDiagramPlan
        let summaries: [EarlyPhaseSummary]
        let collapse: ScalingCollapse
        let data: String
        let command: String
    }

    /// JSON: `{"schema_version": 1, "plan": …, "summaries": […], "collapse": …, "data": …, "command": …}`.
    public func json() throws -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try e.encode(Document(schemaVersion: 1, plan: plan, summaries: summaries, collapse: collapse, data: dataSummary, command: command)), as: UTF8.self) + "\n"
    }

    static func cell(_ s: EarlyPhaseSummary.Spread?, latex: Bool, atLeast: Bool = false) -> String {
        guard let s else { return "—" }
        let dash = latex ? "--" : "–"
        return (atLeast ? "≥" : "") + String(format: "%.3g [%.3g%@%.3g]", s.median, s.min, dash, s.max)
    }

    /// The column heads of the reader's table.
    public var headers: [String] {
        ["d", "w", "d/w", "seeds", "λ₀", "c_loss", "c_sharp", "c_max", "ordered"] + saturationCs.map { String(format: "λ_τ/λ₀ c=%g", $0) }
    }

    /// The reader's cells of one summary (median [min–max] for each critical c; ordered seeds of all).
    public func row(_ s: EarlyPhaseSummary, latex: Bool) -> [String] {
        [String(s.depth), String(s.width), String(format: "%.4g", s.ratio), String(s.seeds), String(format: "%.4g", s.sharpness0),
         EarlyPhaseTable.cell(s.cLoss, latex: latex), EarlyPhaseTable.cell(s.cSharp, latex: latex), EarlyPhaseTable.cell(s.cMax, latex: latex, atLeast: s.divergenceSeeds < s.seeds),
         "\(s.orderedSeeds)/\(s.seeds)"] + saturationCs.map { c in EarlyPhaseTable.cell(s.saturation.first { $0.c == c }?.ratio, latex: latex) }
    }

    /// One sentence per variable: how well c_loss collapses onto it.
    public var collapseNotes: [String] {
        collapse.groupings.compactMap { g in
            guard g.worstSpread != nil || g.curveFactor != nil else { return nil }
            let curve = g.curveFactor.map { String(format: "scatter about a quadratic in log %@: ×%.2f", g.variable.rawValue, $0) }
            let groups = g.worstSpread.map { worst in
                String(format: "equal-value groups: worst spread ×%.2f, mean ×%.2f: ", worst, g.meanSpread!)
                    + g.groups.map { "\(g.variable.rawValue) = \($0.value): \($0.networks.joined(separator: ", ")) → \($0.medians.map { String(format: "%.3g", $0) }.joined(separator: ", ")) (×\(String(format: "%.2f", $0.spread))\(EarlyPhaseTable.intervals($0, band: collapse.band)))" }.joined(separator: "; ")
            }
            return "Collapse of c_loss onto \(g.variable.rawValue): " + [curve, groups].compactMap { $0 }.joined(separator: "; ") + "."
        } + (collapse.best.map { ["Smallest scatter about a curve: \($0.rawValue)."] } ?? [])
    }

    /// The pairs' bootstrap intervals and the verdict of one group: "; 95 % bootstrap intervals
    /// 3x96/2x64 ×1.13 [0.84–1.60], …: unresolved at ×1.25" (empty without intervals).
    static func intervals(_ group: ScalingCollapse.Group, band: Double) -> String {
        guard group.verdict != .noInterval else { return "" }
        let pairs = group.pairs.map { p in String(format: "%@/%@ ×%.2f [%.2f–%.2f]", p.networks[0], p.networks[1], p.ratio, p.low!, p.high!) }
        let verdict: String
        switch group.verdict {
        case .agree: verdict = String(format: "agree within ×%.2f", band)
        case .differ: verdict = String(format: "differ by more than ×%.2f", band)
        default: verdict = String(format: "unresolved at ×%.2f", band)
        }
        return "; 95 % bootstrap intervals " + pairs.joined(separator: ", ") + ": " + verdict
    }

    /// The window, tolerances, grid and data, one sentence each.
    public var notes: [String] {
        let s = plan.settings
        let model: String
        switch plan.model {
        case "uv": model = "uv model (f = v·u x/√n, one example)"
        case "cnn": model = "\(plan.activation.rawValue) Myrtle-style CNN (d − 1 3×3 convolutions with w channels, three 2×2 average pools, a dense head), standard parameterisation, no biases"
        default: model = "\(plan.activation.rawValue) FCN, \(plan.parameterisation.rawValue) parameterisation, no biases"
        }
        let loss = s.loss == .mse ? "MSE ½·mean over examples and outputs" : "softmax cross-entropy, mean over examples"
        let saturation = plan.saturationK.map { k in
            ["Intermediate saturation: λ_τ/λ₀ at τ = ⌈K/c⌉ steps with K = \(String(format: "%g", k)) (cτ = K), λ_τ by Lanczos with \(s.initialLanczosSteps) products on the measurement set; median [min–max] over the seeds that did not diverge."]
        } ?? []
        return [
            "Model: \(model); \(loss).",
            "Data: \(dataSummary).",
            "Window: \(s.steps) steps of \(s.batchSize <= 0 || s.batchSize >= plan.exampleCount ? "full-batch GD" : "SGD with batch \(s.batchSize) (examples reshuffled each epoch, the last partial batch dropped)"), η = c/λ₀; loss on the whole training set, sharpness λ_t on the first \(Swift.min(s.measurementSize, plan.exampleCount)) examples (the same set as λ₀), every \(s.sharpnessEvery) step(s), Lanczos (\(s.initialLanczosSteps) products cold, \(s.warmLanczosSteps) warm).",
            "Critical c: c_loss = smallest c with L_t > (1 + \(String(format: "%g", s.lossTolerance))) L₀; c_sharp = smallest c with λ_t > (1 + \(String(format: "%g", s.sharpnessTolerance))) λ₀; c_max = largest c without divergence (L_t > \(String(format: "%g", s.divergenceCap)) L₀ or not finite), marked ≥ when some seed never diverged up to the top of the scan; a diverged run counts as a catapult.",
            "Grid: log₂ c from \(plan.scanFrom) to \(plan.scanTo) in steps of \(plan.scanStep) up to the first divergence, then \(plan.refinements) bisections per bracket (resolution \(plan.scanStep / Foundation.pow(2, Double(plan.refinements))) in log₂ c). Median [min–max] over seeds 1…\(plan.seeds).",
        ] + saturation + collapseNotes + ["Command: \(command)"]
    }

    /// A GFM table with the notes below it.
    public func markdown() -> String {
        TableText.markdown(headers: headers, rows: summaries.map { row($0, latex: false) }, notes: notes)
    }

    /// A booktabs table with the notes as caption.
    public func latex() -> String {
        TableText.latex(what: "Early-training phase table", command: command,
                        heads: ["$d$", "$w$", "$d/w$", "seeds", "$\\lambda_0$", "$c_\\mathrm{loss}$", "$c_\\mathrm{sharp}$", "$c_\\mathrm{max}$", "ordered"]
                            + saturationCs.map { String(format: "$\\lambda_\\tau/\\lambda_0$, $c=%g$", $0) },
                        rows: summaries.map { row($0, latex: true).map(LaTeX.escape) }, lead: "Critical learning rates $c = \\eta\\lambda_0$ of early training.", notes: notes.map(LaTeX.escape))
    }
}
