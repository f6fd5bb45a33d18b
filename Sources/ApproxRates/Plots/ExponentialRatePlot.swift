import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule

/// Error against W for a nearly exponential rate: log₁₀ ε against W^(1/2) (a straight line when
/// β = ½) and against W (a straight line when β = 1), side by side.
public struct ExponentialRatePlot: Sendable {
    /// (W, ε) rows.
    public let rows: [(weights: Double, error: Double)]
    /// Caption.
    public let title: String

    /// A plot of `rows`.
    public init(rows: [(weights: Double, error: Double)], title: String) { self.rows = rows; self.title = title }

    /// The SVG document.
    public func svg() -> String {
        var c = SVGCanvas(width: 420, height: 200)
        let logs = rows.map { log10($0.error) }
        let y0 = (logs.min() ?? -1).rounded(.down) - 1, y1 = Swift.min(0, (logs.max() ?? 0).rounded(.up)) + 0.5
        for (panel, (label, transform)) in [("$W$^{1/2}", { (w: Double) in w.squareRoot() }), ("$W$", { (w: Double) in w })].enumerated() {
            let xs = rows.map { transform($0.weights) }
            let left = 48 + Double(panel) * 198   // the right panel's last tick label inside the 420-unit canvas
            let x = PlotAxis(0, (xs.max() ?? 1) * 1.08, from: left, to: left + 160)
            let y = PlotAxis(y0, y1, from: 160, to: 12)
            let id = "panel\(panel)"
            c.clip(id, x: x, y: y)
            c.frame(x: x, y: y, xLabel: label, yLabel: panel == 0 ? "log$_{10}$ error" : "")
            for (a, b) in zip(zip(xs, logs), zip(xs, logs).dropFirst()) {
                c.line(x.map(a.0), y.map(a.1), x.map(b.0), y.map(b.1), stroke: "#0072B2", width: 0.8, clip: id)
            }
            for (u, v) in zip(xs, logs) { c.marker(.circle, x.map(u), y.map(v), color: "#0072B2") }
        }
        // A long caption (a target's formula, ten table sizes) is set smaller to fit the width.
        let room = c.width - 12, wide = c.textWidth(title, size: 6.5)
        c.text(title, 8, 194, size: wide > room ? 6.5 * room / wide : 6.5)
        return c.render(title: "Error against W: " + title)
    }
}
