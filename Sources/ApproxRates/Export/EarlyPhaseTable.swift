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

    /// A table.
    public init(summaries: [EarlyPhaseSummary], plan: EarlyPhaseDiagramPlan, command: String) {
        self.summaries = summaries; self.plan = plan; self.command = command
    }

    static let columns = ["depth", "width", "d_over_w", "seeds", "sharpness0", "c_loss", "c_loss_min", "c_loss_max",
                          "c_sharp", "c_sharp_min", "c_sharp_max", "c_max", "c_max_min", "c_max_max", "ordered"]

    /// RFC 4180 CSV.
    public func csv() -> String {
        func n(_ x: Double?) -> String { x.map(\.description) ?? "" }
        var lines = [EarlyPhaseTable.columns.joined(separator: ",")]
        for s in summaries {
            lines.append([String(s.depth), String(s.width), s.ratio.description, String(s.seeds), s.sharpness0.description,
                          n(s.cLoss?.median), n(s.cLoss?.min), n(s.cLoss?.max), n(s.cSharp?.median), n(s.cSharp?.min), n(s.cSharp?.max),
                          n(s.cMax?.median), n(s.cMax?.min), n(s.cMax?.max), s.ordered ? "true" : "false"].map(CSV.quote).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    struct Document: Codable {
        let schemaVersion: Int
        let plan: EarlyPhaseDiagramPlan
        let summaries: [EarlyPhaseSummary]
        let command: String
    }

    /// JSON: `{"schema_version": 1, "plan": …, "summaries": […], "command": …}`.
    public func json() throws -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try e.encode(Document(schemaVersion: 1, plan: plan, summaries: summaries, command: command)), as: UTF8.self) + "\n"
    }

    static func cell(_ s: EarlyPhaseSummary.Spread?, latex: Bool) -> String {
        guard let s else { return "—" }
        let dash = latex ? "--" : "–"
        return String(format: "%.3g [%.3g%@%.3g]", s.median, s.min, dash, s.max)
    }

    var headers: [String] { ["d", "w", "d/w", "seeds", "λ₀", "c_loss", "c_sharp", "c_max", "ordered"] }

    /// The reader's cells of one summary (median [min–max] for each critical c).
    public func row(_ s: EarlyPhaseSummary, latex: Bool) -> [String] {
        [String(s.depth), String(s.width), String(format: "%.4g", s.ratio), String(s.seeds), String(format: "%.4g", s.sharpness0),
         EarlyPhaseTable.cell(s.cLoss, latex: latex), EarlyPhaseTable.cell(s.cSharp, latex: latex), EarlyPhaseTable.cell(s.cMax, latex: latex),
         s.ordered ? "yes" : "no"]
    }

    /// The window, tolerances, grid and data, one sentence each.
    public var notes: [String] {
        let s = plan.settings
        return [
            "Model: \(plan.model == "uv" ? "uv model (f = v·u x/√n, one example)" : "\(plan.activation.rawValue) FCN, \(plan.parameterisation.rawValue) parameterisation, no biases"); MSE ½·mean over examples and outputs.",
            "Data: \(plan.data().summary).",
            "Window: \(s.steps) steps of \(s.batchSize <= 0 ? "full-batch GD" : "SGD with batch \(s.batchSize)"), η = c/λ₀; loss on the whole training set, sharpness λ_t on the first \(Swift.min(s.measurementSize, plan.data().count)) examples (the same set as λ₀), every \(s.sharpnessEvery) step(s), Lanczos (\(s.initialLanczosSteps) products cold, \(s.warmLanczosSteps) warm).",
            "Critical c: c_loss = smallest c with L_t > (1 + \(String(format: "%g", s.lossTolerance))) L₀; c_sharp = smallest c with λ_t > (1 + \(String(format: "%g", s.sharpnessTolerance))) λ₀; c_max = largest c without divergence (L_t > \(String(format: "%g", s.divergenceCap)) L₀ or not finite); a diverged run counts as a catapult.",
            "Grid: log₂ c from \(plan.scanFrom) to \(plan.scanTo) in steps of \(plan.scanStep) up to the first divergence, then \(plan.refinements) bisections per bracket (resolution \(plan.scanStep / Foundation.pow(2, Double(plan.refinements))) in log₂ c). Median [min–max] over seeds 1…\(plan.seeds).",
            "Command: \(command)",
        ]
    }

    /// A GFM table with the notes below it.
    public func markdown() -> String {
        TableText.markdown(headers: headers, rows: summaries.map { row($0, latex: false) }, notes: notes)
    }

    /// A booktabs table with the notes as caption.
    public func latex() -> String {
        TableText.latex(what: "Early-training phase table", command: command,
                        heads: ["$d$", "$w$", "$d/w$", "seeds", "$\\lambda_0$", "$c_\\mathrm{loss}$", "$c_\\mathrm{sharp}$", "$c_\\mathrm{max}$", "ordered"],
                        rows: summaries.map { row($0, latex: true).map(LaTeX.escape) }, lead: "Critical learning rates $c = \\eta\\lambda_0$ of early training.", notes: notes.map(LaTeX.escape))
    }
}
