import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// Finite values, nil for NaN and infinities (JSON null: the tables never print "nan").
func finite(_ values: [Double]) -> [Double?] { values.map { $0.isFinite ? $0 : nil } }

/// `value` in `format`, or "—" when it is not finite.
func shown(_ value: Double, _ format: String) -> String { value.isFinite ? String(format: format, value) : "—" }

/// The report of `dynamics sgd compare`: ODE against SGD at the requested times, in JSON (one
/// object), CSV (every recorded time of every d), Markdown and LaTeX (the requested times).
public struct SGDCompareReport: Sendable {
    /// The plan.
    public let plan: SGDComparePlan
    /// One curve per dimension, increasing d.
    public let curves: [SGDCompareCurve]
    /// The ODE integration behind each curve.
    public let odes: [SGDODECurve]
    /// The command line.
    public let command: String

    /// A report.
    public init(plan: SGDComparePlan, curves: [SGDCompareCurve], odes: [SGDODECurve], command: String) {
        self.plan = plan; self.curves = curves; self.odes = odes; self.command = command
    }

    struct CurveDocument: Encodable {
        let dimension: Int, width: Int, learningRate: Double, stepsPerUnitTime: Double, seeds: Int
        let times: [Double], sgdRisk: [Double?], sgdStderr: [Double?], odeRisk: [Double?], selfOverlapMean: [Double?], selfOverlapSd: [Double?]
        let ode: ODEDocument
    }
    struct ODEDocument: Encodable {
        let mode: String, drift: Double, noise: Double, acceptedSteps: Int, rejectedSteps: Int, evaluations: Int
        let relativeTolerance: Double, absoluteTolerance: Double
    }
    struct Document: Encodable {
        let schemaVersion: Int
        let d: Int, p: Int, k: Int, delta: Double, kappa: Double, theta: Double, gamma0: Double, learningRate: Double, labelNoise: Double, seeds: Int
        let regionScaling: String, regionCode: String
        let times: [Double], odeRisk: [Double?], sgdRisk: [Double?], sgdStderr: [Double?], relativeDifference: [Double?], standardErrors: [Double?]
        let maxRelativeDifference: Double?, maxStandardErrors: Double?
        let curves: [CurveDocument]
        let notes: [String]
        let command: String
    }

    /// The largest |SGD − ODE|/ODE and |SGD − ODE|/s.e. over every recorded time of curve `c`
    /// between the first and the last requested time (NaN when a value is undefined).
    public func worst(_ c: SGDCompareCurve) -> (relative: Double, standardErrors: Double) {
        let low = plan.requestedTimes.first ?? 0, high = plan.requestedTimes.last ?? 0
        var relative = 0.0, z = 0.0
        for i in c.times.indices where c.times[i] >= low * (1 - 1e-9) && c.times[i] <= high * (1 + 1e-9) {
            let r = Swift.abs(c.sgdRisk[i] - c.odeRisk[i]) / c.odeRisk[i], e = Swift.abs(c.sgdRisk[i] - c.odeRisk[i]) / c.sgdStandardError[i]
            relative = r.isNaN ? .nan : Swift.max(relative, r); z = e.isNaN ? .nan : Swift.max(z, e)
        }
        return (relative, z)
    }

    /// The values at the requested times for curve `c`: (t, ODE, SGD, s.e.).
    public func requested(_ c: SGDCompareCurve) -> [(t: Double, ode: Double, sgd: Double, se: Double)] {
        plan.requestedTimes.map { t in let i = c.index(of: t); return (c.times[i], c.odeRisk[i], c.sgdRisk[i], c.sgdStandardError[i]) }
    }

    /// JSON: `times`, `ode_risk`, `sgd_risk`, `sgd_stderr` (one entry per requested time, for the
    /// largest d; null where undefined, e.g. the standard error of one seed),
    /// `max_relative_difference` and `max_standard_errors` over every recorded time between the
    /// first and last requested time, `relative_difference` ((SGD − ODE)/ODE) and `standard_errors` ((SGD − ODE)/s.e.),
    /// the settings, and `curves` (every d, every recorded time).
    public func json() throws -> String {
        let top = curves.last!
        let at = requested(top)
        let s = plan.scaling
        let doc = Document(
            schemaVersion: 1, d: top.dimension, p: top.width, k: plan.k, delta: s.delta, kappa: s.kappa, theta: s.theta, gamma0: s.gamma0,
            learningRate: top.learningRate, labelNoise: plan.labelNoise, seeds: plan.seeds,
            regionScaling: s.region(boundary: .scaling).rawValue, regionCode: s.region(boundary: .code).rawValue,
            times: plan.requestedTimes, odeRisk: finite(at.map(\.ode)), sgdRisk: finite(at.map(\.sgd)), sgdStderr: finite(at.map(\.se)),
            relativeDifference: finite(at.map { ($0.sgd - $0.ode) / $0.ode }), standardErrors: finite(at.map { ($0.sgd - $0.ode) / $0.se }),
            maxRelativeDifference: finite([worst(top).relative])[0], maxStandardErrors: finite([worst(top).standardErrors])[0],
            curves: zip(curves, odes).map { c, o in
                CurveDocument(dimension: c.dimension, width: c.width, learningRate: c.learningRate, stepsPerUnitTime: c.stepsPerUnitTime, seeds: c.seeds,
                              times: c.times, sgdRisk: finite(c.sgdRisk), sgdStderr: finite(c.sgdStandardError), odeRisk: finite(c.odeRisk),
                              selfOverlapMean: finite(c.selfOverlapMean), selfOverlapSd: finite(c.selfOverlapDeviation),
                              ode: ODEDocument(mode: plan.ode.rawValue, drift: o.drift, noise: o.noise, acceptedSteps: o.acceptedSteps,
                                               rejectedSteps: o.rejectedSteps, evaluations: o.evaluations,
                                               relativeTolerance: plan.integrator.relativeTolerance, absoluteTolerance: plan.integrator.absoluteTolerance))
            },
            notes: notes, command: command)
        return try TableText.json(doc)
    }

    /// CSV: one line per (d, recorded time).
    public func csv() -> String {
        var lines = ["d,p,t,sgd_risk,sgd_stderr,ode_risk,q11_mean,q11_sd"]
        for c in curves {
            for i in c.times.indices {
                lines.append([String(c.dimension), String(c.width), c.times[i].description, c.sgdRisk[i].description, c.sgdStandardError[i].description,
                              c.odeRisk[i].description, c.selfOverlapMean[i].description, c.selfOverlapDeviation[i].description].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Column names of the reader's table.
    public static let headers = ["d", "p", "t", "ODE R", "SGD R ± s.e.", "(SGD − ODE)/ODE", "(SGD − ODE)/s.e."]

    /// The reader's rows: every d at the requested times.
    public var rows: [[String]] {
        curves.flatMap { c in
            requested(c).map { v in
                [String(c.dimension), String(c.width), String(format: "%g", v.t), shown(v.ode, "%.4e"),
                 shown(v.sgd, "%.4e") + " ± " + shown(v.se, "%.2e"), shown(100 * (v.sgd - v.ode) / v.ode, "%+.2f %%"),
                 shown((v.sgd - v.ode) / v.se, "%+.2f")]
            }
        }
    }

    /// The model, scaling and integration, one sentence each.
    public var notes: [String] {
        let s = plan.scaling
        return [
            "Model: teacher y = (1/k) Σ erf(ρ_r/√2) + √Δ ξ with k = \(plan.k) orthogonal units (P = I), student ŷ = (1/p) Σ erf(λ_j/√2), Gaussian inputs, Δ = \(String(format: "%g", plan.labelNoise)); online SGD w_j += (γ/(p√d))(y − ŷ) g′(λ_j) x.",
            "Scaling: γ = γ₀ d^−δ, p = p₀ d^κ with δ = \(String(format: "%g", s.delta)), κ = \(String(format: "%g", s.kappa)), γ₀ = \(String(format: "%g", s.gamma0)), p₀ = \(String(format: "%g", s.width0)); t = ν/d^(1+ϑ), ϑ = \(String(format: "%g", s.theta)).",
            "Start: \(plan.sharedStart ? "one set of overlaps (Q₀, M₀), a random start drawn at d = \(plan.dimensions.last!) with seed \(plan.initialSeed), realised exactly at every d" : "a random start per d (seed \(plan.initialSeed))"); samples from seeds 1…\(plan.seeds).",
            "Risk: exact R(Q, M, P) from the weights, never sampled; SGD: mean ± standard error over seeds.",
            "ODE: the \(plan.ode == .limit ? "paper's limit equations (the vanishing term off)" : "finite-d equations (both terms, the coefficients at each d)"), Dormand–Prince 5(4), rtol \(String(format: "%g", plan.integrator.relativeTolerance)), atol \(String(format: "%g", plan.integrator.absoluteTolerance)).",
            "Command: \(command)",
        ]
    }

    /// A GFM table with the notes below it.
    public func markdown() -> String { TableText.markdown(headers: SGDCompareReport.headers, rows: rows, notes: notes) }

    /// A booktabs table with the notes as caption.
    public func latex() -> String {
        TableText.latex(what: "SGD against ODE", command: command,
                        heads: ["$d$", "$p$", "$t$", "ODE $R$", "SGD $R$ $\\pm$ s.e.", "(SGD $-$ ODE)/ODE", "(SGD $-$ ODE)/s.e."],
                        rows: rows.map { $0.map(LaTeX.escape) },
                        lead: "Online SGD of a soft committee against the Saad--Solla ODE.", notes: notes.map(LaTeX.escape))
    }
}

/// The table of `dynamics sgd map`: one row per (δ, κ) with the regions, the measured trend, the
/// late risk by d and the slope, in the four formats.
public struct SGDMapTable: Sendable {
    /// One summary per point.
    public let summaries: [SGDMapSummary]
    /// The plan.
    public let plan: SGDMapPlan
    /// The command line.
    public let command: String

    /// A table.
    public init(summaries: [SGDMapSummary], plan: SGDMapPlan, command: String) {
        self.summaries = summaries; self.plan = plan; self.command = command
    }

    struct Point: Encodable {
        let delta: Double, kappa: Double, theta: Double
        let trend: String?, region: String, regionScaling: String, regionCode: String, predictedTrend: String?
        let slope: Double?, slopeLow: Double?, slopeHigh: Double?, spreadSlope: Double?, selfOverlapSpreadSlope: Double?, riseFactor: Double?
        let dimensions: [Int], widths: [Int], learningRates: [Double], seeds: [Int], diverged: [Int], initialRisk: [Double?], lateRisk: [Double?], lateRiskStderr: [Double?], finalSpread: [Double?]
    }
    struct Document: Encodable {
        let schemaVersion: Int
        let plan: SGDMapPlan
        let points: [Point]
        let notes: [String]
        let command: String
    }

    /// The region label of a summary: the settled region, or "unsettled" on the wedge.
    public static func regionLabel(_ s: SGDMapSummary) -> String { s.region?.rawValue ?? "unsettled (\(s.regionScaling.rawValue) by κ + δ = −½, \(s.regionCode.rawValue) by κ + 2δ + 1 = 0)" }

    /// JSON: `{"schema_version": 1, "plan", "points": [{"delta", "kappa", "trend", "region", …}], "notes", "command"}`.
    public func json() throws -> String {
        try TableText.json(Document(schemaVersion: 1, plan: plan, points: summaries.map { s in
            Point(delta: s.delta, kappa: s.kappa, theta: s.theta, trend: s.trend?.rawValue, region: s.region?.rawValue ?? "unsettled",
                  regionScaling: s.regionScaling.rawValue, regionCode: s.regionCode.rawValue, predictedTrend: s.predictedTrend?.rawValue,
                  slope: s.slope, slopeLow: s.slopeLow, slopeHigh: s.slopeHigh, spreadSlope: s.spreadSlope, selfOverlapSpreadSlope: s.selfOverlapSpreadSlope, riseFactor: finite([s.riseFactor])[0],
                  dimensions: s.dimensions, widths: s.widths, learningRates: s.learningRates, seeds: s.seeds, diverged: s.diverged, initialRisk: finite(s.initialRisk),
                  lateRisk: finite(s.lateRisk), lateRiskStderr: finite(s.lateRiskStandardError), finalSpread: finite(s.finalSpread))
        }, notes: notes, command: command))
    }

    /// CSV: one line per point, late risk by d.
    public func csv() -> String {
        func n(_ x: Double?) -> String { x.map(\.description) ?? "" }
        let header = ["delta", "kappa", "theta", "region", "region_scaling", "region_code", "predicted_trend", "trend", "slope", "slope_low", "slope_high",
                      "spread_slope", "q11_spread_slope", "rise_factor"] + plan.dimensions.map { "late_risk_d\($0)" }
        var lines = [header.joined(separator: ",")]
        for s in summaries {
            let cells = [s.delta.description, s.kappa.description, s.theta.description, s.region?.rawValue ?? "unsettled", s.regionScaling.rawValue,
                         s.regionCode.rawValue, s.predictedTrend?.rawValue ?? "", s.trend?.rawValue ?? "", n(s.slope), n(s.slopeLow), n(s.slopeHigh),
                         n(s.spreadSlope), n(s.selfOverlapSpreadSlope), n(finite([s.riseFactor])[0])] + s.lateRisk.map { n(finite([$0])[0]) }
            lines.append(cells.map(CSV.quote).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Column names of the reader's table.
    public var headers: [String] {
        ["δ", "κ", "region", "measured", "slope [95% CI]", "spread slope R, Q₁₁", "R_late/R₀"] + plan.dimensions.map { "R_late d=\($0)" }
    }

    /// The reader's cells of one summary.
    public func row(_ s: SGDMapSummary) -> [String] {
        let slope = s.slope.map { String(format: "%+.3f [%+.3f, %+.3f]", $0, s.slopeLow!, s.slopeHigh!) } ?? "—"
        let region = s.region?.rawValue ?? "unsettled"
        let mark = s.predictedTrend.map { $0 == s.trend ? "" : " *" } ?? ""
        return [String(format: "%g", s.delta), String(format: "%g", s.kappa), region, (s.trend?.rawValue ?? "—") + mark, slope,
                (s.spreadSlope.map { String(format: "%+.2f", $0) } ?? "—") + ", " + (s.selfOverlapSpreadSlope.map { String(format: "%+.2f", $0) } ?? "—"),
                shown(s.riseFactor, "%.3g")]
            + s.lateRisk.map { shown($0, "%.3e") }
    }

    /// The reader's rows, one per point.
    public var rows: [[String]] { summaries.map(row) }

    /// The model, scaling, measurement and reading rules, one sentence each.
    public var notes: [String] {
        let g0 = plan.gamma0 ?? plan.width0
        return [
            "Model: soft committees with erf units, k = \(plan.k) orthogonal teacher units, Δ = \(String(format: "%g", plan.labelNoise)), Gaussian inputs; online SGD with γ = \(String(format: "%g", g0)) d^−δ and p = round(\(String(format: "%g", plan.width0)) d^κ) student units, a random start per seed (‖w_j‖² = d).",
            "Time: t = ν/d^(1+ϑ), ϑ = κ + δ for κ + δ ≥ 0 and 2(κ + δ) below, up to T = \(String(format: "%g", plan.horizon)); d ∈ {\(plan.dimensions.map(String.init).joined(separator: ", "))}, seeds 1…\(plan.seeds).",
            "R_late: each run's mean exact risk over its recording times in [T/2, T] (\(plan.perDecade) per decade of t), averaged over seeds.",
            "Trend: rise if R_late > R₀ at the largest d, a run's weights overflowed, or the slope of log R_late against log d has its 95% bootstrap interval above +\(String(format: "%g", plan.band)); decay if below −\(String(format: "%g", plan.band)); plateau otherwise. * marks a trend other than the region's.",
            "Regions: perfect learning κ + δ > 0, plateau κ + δ = 0, bad learning below while an ODE exists; the no-ODE boundary is κ + δ = −½ by the scaling argument and κ + 2δ + 1 = 0 by the authors' code; they differ for κ > 0 (unsettled).",
            "Spread slopes: slopes of log(standard deviation over seeds at T) against log d, of R and of one order parameter Q₁₁; negative when runs concentrate (a deterministic limit).",
            "Command: \(command)",
        ]
    }

    /// A caption for the map picture.
    public var caption: String {
        "SGD to t = \(String(format: "%g", plan.horizon)) at d ∈ {\(plan.dimensions.map(String.init).joined(separator: ", "))}, \(plan.seeds) seeds, p = round(\(String(format: "%g", plan.width0)) d^κ), γ = \(String(format: "%g", plan.gamma0 ?? plan.width0)) d^−δ, k = \(plan.k), Δ = \(String(format: "%g", plan.labelNoise))."
    }

    /// A GFM table with the notes below it.
    public func markdown() -> String { TableText.markdown(headers: headers, rows: rows, notes: notes) }

    /// A booktabs table with the notes as caption.
    public func latex() -> String {
        TableText.latex(what: "SGD phase map", command: command,
                        heads: ["$\\delta$", "$\\kappa$", "region", "measured", "slope [95\\% CI]", "spread slope $R$, $Q_{11}$", "$R_{late}/R_0$"]
                            + plan.dimensions.map { "$R_{late}$, $d=\($0)$" },
                        rows: rows.map { $0.map(LaTeX.escape) },
                        lead: "Long-time trend of the risk of online SGD over the $(\\delta, \\kappa)$ plane.", notes: notes.map(LaTeX.escape))
    }
}

/// The table of `dynamics sgd plateau`: R∞ by γ₀, Δ and (for δ > 0) d.
public struct SGDPlateauTable: Sendable {
    /// The points, γ₀-major.
    public let points: [SGDPlateauPoint]
    /// p, k, T.
    public let p: Int, k: Int, horizon: Double
    /// The command line.
    public let command: String

    /// A table.
    public init(points: [SGDPlateauPoint], p: Int, k: Int, horizon: Double, command: String) {
        self.points = points; self.p = p; self.k = k; self.horizon = horizon; self.command = command
    }

    struct Document: Encodable { let schemaVersion: Int, p: Int, k: Int, horizon: Double, points: [SGDPlateauPoint], notes: [String], command: String }

    /// JSON: `{"schema_version": 1, "p", "k", "horizon", "points": [{"gamma0", "label_noise", "risk", "risk_half", "relative_change", "steps"}], …}`.
    public func json() throws -> String { try TableText.json(Document(schemaVersion: 1, p: p, k: k, horizon: horizon, points: points, notes: notes, command: command)) }

    /// CSV, one line per (γ₀, Δ).
    public func csv() -> String {
        (["gamma0,label_noise,delta,d,t,risk,risk_half,relative_change,steps"] + points.map {
            "\($0.gamma0),\($0.labelNoise),\($0.delta),\($0.dimension),\($0.time),\($0.risk),\($0.riskHalf),\($0.relativeChange),\($0.steps)"
        }).joined(separator: "\r\n") + "\r\n"
    }

    /// Column names of the reader's table.
    public static let headers = ["γ₀", "Δ", "δ", "d", "t at T", "R(T)", "R(T/2)", "change", "steps"]

    /// The reader's rows.
    public var rows: [[String]] {
        points.map { [String(format: "%g", $0.gamma0), String(format: "%g", $0.labelNoise), String(format: "%g", $0.delta), $0.delta == 0 ? "any" : String($0.dimension), String(format: "%g", $0.time), shown($0.risk, "%.4e"), shown($0.riskHalf, "%.4e"),
                      shown($0.relativeChange, "%+.1e"), String($0.steps)] }
    }

    /// The settings, one sentence each.
    public var notes: [String] {
        ["The ODE with both terms at κ = 0: A = γ₀/p, B = (γ₀/p)² d^−δ (δ = 0: the limit on κ + δ = 0; δ > 0: the finite-d mean flow, whose long-time value is SGD's floor R∞(d)), p = \(p), k = \(k) (orthogonal teacher), one random start (d = 1000, seed 1), integrated to A·t = T = \(String(format: "%g", horizon)) (t = T p/γ₀) by Dormand–Prince 5(4); change = (R(T) − R(T/2))/R(T).",
         "Command: \(command)"]
    }

    /// A GFM table with the notes below it.
    public func markdown() -> String { TableText.markdown(headers: SGDPlateauTable.headers, rows: rows, notes: notes) }
}
