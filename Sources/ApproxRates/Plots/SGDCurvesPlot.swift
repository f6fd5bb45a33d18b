import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// Risk curves of `dynamics sgd compare` on log–log axes: R against the rescaled time
/// t = ν/d^(1+ϑ), the ODE as a black line (one per distinct curve), SGD's mean over seeds at each
/// d as coloured markers joined by thin lines, with ±2 standard errors as whiskers where they
/// are resolved. Collapse onto the ODE is what the picture shows or fails to show.
public struct SGDCurvesPlot: Sendable {
    /// The curves, one per d.
    public let curves: [SGDCompareCurve]
    /// Title and caption.
    public let title: String, caption: String

    /// A plot.
    public init(curves: [SGDCompareCurve], title: String, caption: String) { self.curves = curves; self.title = title; self.caption = caption }

    /// Colour-blind-safe colours for successive d (Okabe–Ito).
    public static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]

    /// The SVG document.
    public func svg() -> String {
        var c = SVGCanvas(width: 320, height: 250)
        let positive = curves.flatMap { c in c.times.indices.filter { c.times[$0] > 0 }.flatMap { [c.sgdRisk[$0], c.odeRisk[$0]] } }.filter { $0 > 0 && $0.isFinite }
        let ts = curves.flatMap(\.times).filter { $0 > 0 }
        let x = PlotAxis((ts.min() ?? 1e-2) / 1.3, (ts.max() ?? 1) * 1.3, from: 48, to: 300, logarithmic: true)
        let y = PlotAxis((positive.min() ?? 1e-6) / 2, (positive.max() ?? 1) * 2, from: 190, to: 12, logarithmic: true)
        c.clip("curves", x: x, y: y)
        c.frame(x: x, y: y, xLabel: "$t$ = $ν$ / $d$^{1+$ϑ$}", yLabel: "risk $R$")
        // The ODE lines (drawn once per distinct curve).
        var drawn: [[Double]] = []
        for curve in curves where !drawn.contains(curve.odeRisk) {
            drawn.append(curve.odeRisk)
            let pts = curve.times.indices.filter { curve.times[$0] > 0 && curve.odeRisk[$0] > 0 }
            for (a, b) in zip(pts, pts.dropFirst()) {
                c.line(x.map(curve.times[a]), y.map(curve.odeRisk[a]), x.map(curve.times[b]), y.map(curve.odeRisk[b]), stroke: "#000", width: 1.1, clip: "curves")
            }
        }
        for (n, curve) in curves.enumerated() {
            let color = SGDCurvesPlot.colors[n % SGDCurvesPlot.colors.count]
            let pts = curve.times.indices.filter { curve.times[$0] > 0 && curve.sgdRisk[$0] > 0 && curve.sgdRisk[$0].isFinite }
            for (a, b) in zip(pts, pts.dropFirst()) {
                c.line(x.map(curve.times[a]), y.map(curve.sgdRisk[a]), x.map(curve.times[b]), y.map(curve.sgdRisk[b]), stroke: color, width: 0.5, clip: "curves")
            }
            for i in pts {
                let px = x.map(curve.times[i]), se = curve.sgdStandardError[i]
                if se.isFinite, se > 0, curve.sgdRisk[i] - 2 * se > 0 {
                    c.line(px, y.map(curve.sgdRisk[i] - 2 * se), px, y.map(curve.sgdRisk[i] + 2 * se), stroke: color, width: 0.5, clip: "curves")
                }
                c.marker(SVGCanvas.Marker.allCases[n % 4], px, y.map(curve.sgdRisk[i]), size: 2.6, color: color, filled: n % 2 == 0)
            }
            // Legend in the lower left, where risk curves (falling from the upper left) do not go.
            let ly = 184 - 9 * Double(curves.count - n)
            c.marker(SVGCanvas.Marker.allCases[n % 4], 60, ly - 2.5, size: 3.2, color: color, filled: n % 2 == 0)
            c.text("SGD d = \(curve.dimension) (p = \(curve.width))", 66, ly, size: 6.5)
        }
        c.line(54, 181.5, 64, 181.5, stroke: "#000", width: 1.1)
        c.text("ODE", 66, 184, size: 6.5)
        c.caption(caption, 8, 222, characters: 100, lines: 3)
        return c.render(title: title)
    }
}
