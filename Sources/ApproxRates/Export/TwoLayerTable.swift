import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// The slope table of `dynamics two-layer` in the four formats of the rate tables: CSV (RFC 4180,
/// one line per point, RD by width, shortest round-trip numbers, empty when missing), JSON
/// (schema_version 1: the plan, the points, the notes, the command), Markdown and LaTeX
/// (booktabs) with the training and measurement settings in the notes.
public struct TwoLayerTable: Sendable {
    /// One summary per point.
    public let summaries: [TwoLayerSummary]
    /// The plan that made them.
    public let plan: TwoLayerPlan
    /// Where the data came from (one line).
    public let dataSummary: String
    /// The command line.
    public let command: String

    /// A table.
    public init(summaries: [TwoLayerSummary], plan: TwoLayerPlan, dataSummary: String, command: String) {
        self.summaries = summaries; self.plan = plan; self.dataSummary = dataSummary; self.command = command
    }

    var widths: [Int] { plan.widths.sorted() }

    /// RFC 4180 CSV: the point, the regimes, the slope and its interval, the heuristic slope, RD
    /// (geometric mean over seeds) at each width, and the runs that did not converge.
    public func csv() -> String {
        func n(_ x: Double?) -> String { x.map(\.description) ?? "" }
        let header = ["gamma", "gamma_prime", "parameterisation", "theory_regime", "distance_from_boundary", "slope", "slope_low", "slope_high",
                      "regime", "heuristic_slope", "seeds", "unconverged"] + widths.map { "rd_m\($0)" }
        var lines = [header.joined(separator: ",")]
        for s in summaries {
            let cells = [s.gamma.description, s.gammaPrime.description, s.parameterisation?.rawValue ?? "", s.theoryRegime.rawValue,
                         s.distanceFromBoundary.description, n(s.slope), n(s.slopeLow), n(s.slopeHigh), s.regime?.rawValue ?? "",
                         s.heuristicSlope.description, String(s.seeds), String(s.unconverged)] + s.distances.map { $0.isNaN ? "" : $0.description }
            lines.append(cells.map(CSV.quote).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    struct Document: Encodable {
        let schemaVersion: Int
        let plan: TwoLayerPlan
        let data: String
        let points: [TwoLayerSummary]
        let notes: [String]
        let command: String
    }

    /// JSON: `{"schema_version": 1, "plan": …, "data": …, "points": [{"gamma", "gamma_prime",
    /// "slope", "slope_low", "slope_high", "regime", "theory_regime", …}], "notes": […], "command": …}`.
    public func json() throws -> String {
        try TableText.json(Document(schemaVersion: 1, plan: plan, data: dataSummary, points: summaries, notes: notes, command: command))
    }

    /// Column names of the reader's table.
    public static let readerHeaders = ["γ", "γ′", "theory", "slope [95% CI]", "measured", "heuristic", "RD (smallest m)", "RD (largest m)", "unconv."]

    /// The reader's cells of one summary.
    public func row(_ s: TwoLayerSummary) -> [String] {
        let name = s.parameterisation.map { " (\($0.rawValue))" } ?? ""
        let slope = s.slope.map { String(format: "%+.3f [%+.3f, %+.3f]", $0, s.slopeLow!, s.slopeHigh!) } ?? "—"
        return [String(format: "%.4g", s.gamma) + name, String(format: "%.4g", s.gammaPrime), s.theoryRegime.rawValue, slope,
                s.regime?.rawValue ?? "—", String(format: "%+.3g", s.heuristicSlope),
                String(format: "%.4g", s.distances.first ?? .nan), String(format: "%.4g", s.distances.last ?? .nan), String(s.unconverged)]
    }

    /// The model, data, training, measurement and reading rules, one sentence each.
    public var notes: [String] {
        let t = plan.settings
        return [
            "Model: f(x) = (1/α) Σ_k a_k ReLU(w_k·x + b_k), a_k ~ N(0, β₁²), (w_k, b_k) ~ N(0, β₂²); grid points use β₂ = 1, β₁ = m^(−γ′), α = β₁β₂ m^γ; named ones their own scales, placed at the exponents of those scales over the widths\(t.antisymmetric ? "; antisymmetric start (mirrored pairs, f ≡ 0)" : "; independent neurons").",
            "Data: \(dataSummary).",
            "Training: gradient descent on L = 1/(2n) Σ (f − y)² with η = \(String(format: "%g", t.stepFactor))/λ_GN (top Gauss–Newton eigenvalue, every step; a step that \(t.halveOnAnyIncrease ? "raises" : "more than doubles") L is undone and the factor halved), until L < \(String(format: "%g", t.tolerance)) or \(t.maximumSteps) steps.",
            "Order parameter: RD = ‖θ_w(T) − θ_w(0)‖/‖θ_w(0)‖ over the input weights\(t.biasInDistance ? " and biases" : " (biases excluded)") at the end of training; geometric mean over seeds 1…\(plan.seeds) at each width m ∈ {\(widths.map(String.init).joined(separator: ", "))}.",
            "Slope: least-squares slope of mean log RD against log m; 95% interval from \(plan.resamples) bootstrap resamples of the seeds within each width. Measured regime: linear if the interval is below −\(String(format: "%g", plan.band)), condensed if above +\(String(format: "%g", plan.band)), critical otherwise.",
            "Theory: linear for γ < 1 (γ′ ≤ 0) or γ < 1 + γ′ (γ′ ≥ 0), condensed above, critical on the boundary; heuristic slope: γ − 1 for γ′ ≤ 0 (compared), the notes' γ′ > 0 forms otherwise (shown only).",
            "Command: \(command)",
        ]
    }

    /// A one-paragraph caption for the map.
    public var caption: String {
        let t = plan.settings
        return "Data: \(plan.data). GD with η = \(String(format: "%g", t.stepFactor))/λ_GN to L < \(String(format: "%g", t.tolerance)); RD\(t.biasInDistance ? " with biases" : ", weights only"); m = \(widths.first!)…\(widths.last!), \(plan.seeds) seed(s)."
    }

    /// A GFM table with the notes below it.
    public func markdown() -> String {
        TableText.markdown(headers: TwoLayerTable.readerHeaders, rows: summaries.map { row($0) }, notes: notes)
    }

    /// A booktabs table with the notes as caption.
    public func latex() -> String {
        TableText.latex(what: "Two-layer phase table", command: command,
                        heads: ["$\\gamma$", "$\\gamma'$", "theory", "slope [95\\% CI]", "measured", "heuristic", "RD (smallest $m$)", "RD (largest $m$)", "unconv."],
                        rows: summaries.map { row($0).map(LaTeX.escape) },
                        lead: "Slope of the relative distance RD of the input weights against the width $m$.", notes: notes.map(LaTeX.escape))
    }
}
