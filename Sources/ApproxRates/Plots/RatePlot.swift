import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule

/// The log-log plot of one experiment: sup-norm error against W, the fitted line with its slope
/// and interval, the theory's slope drawn through the fit's centre, excluded points hollow.
public struct RatePlot: Sendable {
    /// The fitted rate (title, legend) and the points behind it.
    public let rate: MeasuredRate
    /// (W_all, error, excluded) for each point.
    public let points: [(weights: Double, error: Double, excluded: Bool)]
    /// The certified bracket [lower, upper] of each point, when it was certified (drawn as a bar).
    public let brackets: [(weights: Double, lower: Double, upper: Double)]
    /// The fitted line: ln error = logConstant − p ln X(W) + q ln ln W.
    public let fit: PowerLawFit
    /// The shallow baseline overlaid on a deep rate (interpolation on the same target, seeds and
    /// W range): its rate, (W_all, error) points and fit; nil for rates without one.
    public let baseline: (rate: MeasuredRate, points: [(weights: Double, error: Double)], fit: PowerLawFit)?

    /// A plot of `estimate` for `rate`, with its shallow `baseline` overlaid when given.
    public init(rate: MeasuredRate, estimate: RateEstimate, baseline: (rate: MeasuredRate, estimate: RateEstimate)? = nil) {
        self.rate = rate
        fit = estimate.fit
        self.baseline = baseline.map { b in (b.rate, b.estimate.rows.map { (Double($0.weightsAll), $0.errorValue) }, b.estimate.fit) }
        points = estimate.rows.enumerated().map { (Double($0.element.weightsAll), $0.element.errorValue, estimate.excluded.contains($0.offset)) }
        brackets = estimate.rows.compactMap { r in
            guard let u = r.certifiedValue, u.isFinite, let l = r.certifiedLower, l > 0 else { return nil }
            return (Double(r.weightsAll), l, u)
        }
    }

    func fitted(_ w: Double) -> Double { fit.fitted(w) }

    /// The SVG document. The fitted line spans the points kept by the fit.
    public func svg() -> String {
        var c = SVGCanvas(width: 252, height: 196)
        let ws = points.map(\.weights) + (baseline?.points.map(\.weights) ?? [])
        let es = points.map(\.error) + brackets.flatMap { [$0.lower, $0.upper] } + (baseline?.points.map(\.error) ?? [])
        // The data's range with a margin of 12 % of its span (at least 0.15 decade) on each side.
        func range(_ v: [Double]) -> (Double, Double) {
            let (a, b) = (log10(v.min()!), log10(v.max()!))
            let margin = Swift.max(0.15, 0.12 * (b - a))
            return (pow(10, a - margin), pow(10, b + margin))
        }
        let (xa, xb) = range(ws), (ya, yb) = range(es)
        let x = PlotAxis(xa, xb, from: 44, to: 236, logarithmic: true)
        let y = PlotAxis(ya, yb, from: 150, to: 8, logarithmic: true)
        c.clip("plot", x: x, y: y)
        c.frame(x: x, y: y, xLabel: "weights $W$", yLabel: "sup-norm error")
        let kept = points.filter { !$0.excluded }.map(\.weights)
        let (w0, w1) = (kept.min() ?? ws.min()!, kept.max() ?? ws.max()!)
        c.line(x.map(w0), y.map(fitted(w0)), x.map(w1), y.map(fitted(w1)), stroke: "#0072B2", width: 1.0, clip: "plot")
        // Theory's slope through the fit at the geometric centre of the W range.
        let wc = (w0 * w1).squareRoot(), ec = fitted(wc)
        func theory(_ w: Double) -> Double { ec * pow(fit.against.value(w) / fit.against.value(wc), -rate.pTheory) }
        c.line(x.map(w0), y.map(theory(w0)), x.map(w1), y.map(theory(w1)), stroke: "#D55E00", width: 0.9, dash: "3,2", clip: "plot")
        // The certified bracket: a bar from the proved lower bound to the proved upper bound.
        for b in brackets {
            // Beside the marker (a bracket within 1 % would hide under it).
            let (xb, y0, y1) = (x.map(b.weights) + 5, y.map(b.lower), y.map(b.upper))
            c.line(xb, y0, xb, y1, stroke: "#009E73", width: 1.6, clip: "plot")
            c.line(xb - 3, y1, xb + 3, y1, stroke: "#009E73", width: 1.0, clip: "plot")
            c.line(xb - 3, y0, xb + 3, y0, stroke: "#009E73", width: 1.0, clip: "plot")
        }
        if let b = baseline {
            let bw = b.points.map(\.weights)
            let (b0, b1) = (bw.min()!, bw.max()!)
            c.line(x.map(b0), y.map(b.fit.fitted(b0)), x.map(b1), y.map(b.fit.fitted(b1)), stroke: "#888", width: 0.9, clip: "plot")
            for p in b.points { c.marker(.square, x.map(p.weights), y.map(p.error), size: 3.4, color: "#888") }
        }
        for p in points { c.marker(.circle, x.map(p.weights), y.map(p.error), size: 3.8, color: "#000", filled: !p.excluded) }
        let interval = rate.pLow.map { " [\(String(format: "%.2f", $0)), \(String(format: "%.2f", rate.pHigh!))]" } ?? ""
        let abscissa = fit.against == .weights ? "$W$" : "$W$/ln $W$"
        let caption = "\(rate.targetSummary.count > 44 ? rate.target : rate.targetSummary), $r$ = \(rate.smoothness.formatted()), $d$ = \(rate.dimension), \(rate.construction)\(rate.construction == "deep" ? " $α$ = \(rate.depthExponent.formatted())" : "")\(rate.activation == "relu" ? "" : ", \(rate.activation) units")"
        c.text(caption, 8, 190, size: 7)
        // Legend in the lower left, which a falling error leaves empty; with a baseline, whose
        // shallower line runs through the lower left, in the upper right, which both leave empty.
        // (dx, dy) moves every entry; rows are 10 pt apart.
        let (dx, dy) = baseline == nil ? (0.0, 0.0) : (66.0, -106.0)
        c.line(50 + dx, 124 + dy, 62 + dx, 124 + dy, stroke: "#0072B2", width: 1.0)
        c.text("fit $p$ = \(String(format: "%.2f", rate.p))\(interval)", 65 + dx, 126.5 + dy, size: 7)
        c.line(50 + dx, 134 + dy, 62 + dx, 134 + dy, stroke: "#D55E00", width: 0.9, dash: "3,2")
        c.text("theory $p$ = \(String(format: "%.2f", rate.pTheory)) vs \(abscissa)", 65 + dx, 136.5 + dy, size: 7)
        if let pc = rate.pCertified {
            c.line(56 + dx, 141 + dy, 56 + dx, 147 + dy, stroke: "#009E73", width: 1.6)
            c.text("certified [L, U]; fit of U: $p$ = \(String(format: "%.2f", pc))", 65 + dx, 146.5 + dy, size: 7)
        }
        if let b = baseline {
            let below = rate.pCertified == nil ? 0.0 : 10.0
            c.marker(.square, 56 + dx, 144 + dy + below, size: 3.4, color: "#888")
            c.text("interpolation $p$ = \(String(format: "%.2f", b.rate.p))", 65 + dx, 146.5 + dy + below, size: 7)
            if let ratio = rate.baselineRatio {
                c.text(String(format: "interp./deep at top $W$: %.2f", ratio), 65 + dx, 156.5 + dy + below, size: 7)
            }
        }
        if points.contains(where: \.excluded) {
            if baseline == nil {
                c.marker(.circle, 56, 114, size: 3.8, color: "#000", filled: false); c.text("excluded (flagged)", 65, 116.5, size: 7)
            } else {
                // Beside the caption: inside the frame it would sit on the data.
                let x = 8 + c.textWidth(caption, size: 7) + 10
                c.marker(.circle, x, 187.5, size: 3.8, color: "#000", filled: false); c.text("excluded (flagged)", x + 5, 190, size: 7)
            }
        }
        return c.render(title: "Error against W: \(rate.experiment)")
    }
}
