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
    public func svg() -> String { drawn().svg }

    /// Where the legend went: the index of its place among the candidates (without a baseline:
    /// lower left, upper right, upper left, lower right of the frame; with one: the upper right
    /// beside the title, then the same four), and for each candidate how many markers and samples
    /// of the drawn lines its box (plus 3 pt) would cover. The first least covered place wins.
    public var legendPlacement: (place: Int, covered: [Int]) { let d = drawn(); return (d.place, d.covered) }

    private func drawn() -> (svg: String, place: Int, covered: [Int]) {
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
        // The legend's texts.
        let fitText = "fit $p$ = \(String(format: "%.2f", rate.p))\(interval)"
        let theoryText = "theory $p$ = \(String(format: "%.2f", rate.pTheory)) vs \(abscissa)"
        let certifiedText = rate.pCertified.map { "certified [L, U]; fit of U: $p$ = \(String(format: "%.2f", $0))" }
        let below = rate.pCertified == nil ? 0.0 : 10.0
        let baselineText = baseline.map { "interpolation $p$ = \(String(format: "%.2f", $0.rate.p))" }
        let ratioText = baseline == nil ? nil : rate.baselineRatio.map { String(format: "interp./deep at top $W$: %.2f", $0) }
        let excludedText = baseline == nil && points.contains(where: \.excluded) ? "excluded (flagged)" : nil
        // One box per row (its symbol and text), the rows 10 pt apart from y = 124 before any offset.
        var rows: [(text: String, y: Double)] = [(fitText, 124), (theoryText, 134)]
        if let t = certifiedText { rows.append((t, 144)) }
        if let t = baselineText { rows.append((t, 144 + below)) }
        if let t = ratioText { rows.append((t, 154 + below)) }
        if let t = excludedText { rows.append((t, 114)) }
        let boxes = rows.map { (left: 50.0, top: $0.y - 5, right: 65 + c.textWidth($0.text, size: 7), bottom: $0.y + 5) }
        let box = (left: 50.0, top: boxes.map(\.top).min()!, right: boxes.map(\.right).max()!, bottom: boxes.map(\.bottom).max()!)
        // Where it goes: the first place, in order, that covers no marker and no line. Without a
        // baseline the lower left, which a falling error leaves empty; with one, whose shallower
        // line runs through the lower left, the upper right; then the other corners of the frame.
        var drawn: [(Double, Double)] = []
        for p in points { drawn.append((x.map(p.weights), y.map(p.error))) }
        for b in brackets { drawn += [(x.map(b.weights) + 5, y.map(b.lower)), (x.map(b.weights) + 5, y.map(b.upper))] }
        func along(_ a: Double, _ b: Double, _ f: (Double) -> Double) {
            for k in 0...32 { let w = a * pow(b / a, Double(k) / 32); drawn.append((x.map(w), y.map(f(w)))) }
        }
        along(w0, w1, fitted); along(w0, w1, theory)
        if let b = baseline {
            for p in b.points { drawn.append((x.map(p.weights), y.map(p.error))) }
            along(b.points.map(\.weights).min()!, b.points.map(\.weights).max()!, b.fit.fitted)
        }
        let (right, upper) = (236 - 4 - box.right, 12 - box.top)
        let lower = 150 - 3 - box.bottom
        let places: [(Double, Double)] = baseline == nil ? [(0, 0), (right, upper), (0, upper), (right, lower)]
                                                         : [(66, -106), (right, upper), (0, lower), (0, upper), (right, lower)]
        func covered(_ place: (Double, Double)) -> Int {
            drawn.filter { p in
                boxes.contains { p.0 > $0.left + place.0 - 3 && p.0 < $0.right + place.0 + 3 && p.1 > $0.top + place.1 - 3 && p.1 < $0.bottom + place.1 + 3 }
            }.count
        }
        let counts = places.map(covered)
        let place = counts.firstIndex(of: counts.min()!)!
        let (dx, dy) = places[place]
        c.line(50 + dx, 124 + dy, 62 + dx, 124 + dy, stroke: "#0072B2", width: 1.0)
        c.text(fitText, 65 + dx, 126.5 + dy, size: 7)
        c.line(50 + dx, 134 + dy, 62 + dx, 134 + dy, stroke: "#D55E00", width: 0.9, dash: "3,2")
        c.text(theoryText, 65 + dx, 136.5 + dy, size: 7)
        if let t = certifiedText {
            c.line(56 + dx, 141 + dy, 56 + dx, 147 + dy, stroke: "#009E73", width: 1.6)
            c.text(t, 65 + dx, 146.5 + dy, size: 7)
        }
        if let t = baselineText {
            c.marker(.square, 56 + dx, 144 + dy + below, size: 3.4, color: "#888")
            c.text(t, 65 + dx, 146.5 + dy + below, size: 7)
            if let r = ratioText { c.text(r, 65 + dx, 156.5 + dy + below, size: 7) }
        }
        if points.contains(where: \.excluded) {
            if baseline == nil {
                c.marker(.circle, 56 + dx, 114 + dy, size: 3.8, color: "#000", filled: false); c.text("excluded (flagged)", 65 + dx, 116.5 + dy, size: 7)
            } else {
                // Beside the caption: inside the frame it would sit on the data.
                let x = 8 + c.textWidth(caption, size: 7) + 10
                c.marker(.circle, x, 187.5, size: 3.8, color: "#000", filled: false); c.text("excluded (flagged)", x + 5, 190, size: 7)
            }
        }
        return (c.render(title: "Error against W: \(rate.experiment)"), place, counts)
    }
}
