import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// The (γ′, γ) map of `dynamics two-layer`: γ′ across, γ up; each grid point a cell coloured by
/// the measured slope of log RD against log m (blue negative = linear, white 0, red positive =
/// condensed; clamped at ±0.6), with the slope and the measured regime's initial written in it;
/// the theorem's boundary (γ = 1 for γ′ ≤ 0, γ = 1 + γ′ for γ′ ≥ 0) drawn over it; named
/// parameterisations as labelled diamonds.
public struct TwoLayerMapPlot: Sendable {
    /// One summary per point.
    public let summaries: [TwoLayerSummary]
    /// The caption (data, training, widths).
    public let caption: String

    /// A map of `summaries`.
    public init(summaries: [TwoLayerSummary], caption: String) { self.summaries = summaries; self.caption = caption }

    /// The colour of a slope: white at 0 to #2166AC at −0.6 and #B2182B at +0.6 (grey: no slope).
    public static func color(slope: Double?) -> String {
        guard let s = slope, s.isFinite else { return "#BBBBBB" }
        let t = Swift.min(1, Swift.abs(s) / 0.6)
        let end: (Double, Double, Double) = s < 0 ? (33, 102, 172) : (178, 24, 43)
        func mix(_ a: Double) -> Int { Int((255 + (a - 255) * t).rounded()) }
        return String(format: "#%02X%02X%02X", mix(end.0), mix(end.1), mix(end.2))
    }

    /// The SVG document.
    public func svg() -> String {
        var c = SVGCanvas(width: 330, height: 266)
        let grid = summaries.filter { $0.parameterisation == nil }
        let all = summaries
        func spacing(_ values: [Double]) -> Double {
            let u = Array(Set(values)).sorted()
            return zip(u, u.dropFirst()).map { $1 - $0 }.min() ?? 0.25
        }
        let dx = spacing(grid.map(\.gammaPrime)), dy = spacing(grid.map(\.gamma))
        let gps = all.map(\.gammaPrime), gs = all.map(\.gamma)
        let x = PlotAxis((gps.min() ?? -0.5) - 0.6 * dx, (gps.max() ?? 1) + 0.6 * dx, from: 48, to: 262)
        let y = PlotAxis((gs.min() ?? 0.5) - 0.6 * dy, (gs.max() ?? 1.5) + 0.6 * dy, from: 196, to: 10)
        c.clip("map", x: x, y: y)
        let w = Swift.abs(x.map(dx) - x.map(0)) * 0.96, h = Swift.abs(y.map(dy) - y.map(0)) * 0.96
        for s in grid {
            let px = x.map(s.gammaPrime), py = y.map(s.gamma)
            c.rect(px - w / 2, py - h / 2, w, h, fill: TwoLayerMapPlot.color(slope: s.slope), stroke: "#fff", width: 0.5)
        }
        c.frame(x: x, y: y, xLabel: "$γ$′ = −log($β$_{1}/$β$_{2}) / log $m$", yLabel: "$γ$ = −log($β$_{1}$β$_{2}/$α$) / log $m$")
        // The boundary, under the numbers.
        let left = x.lower, right = x.upper
        var path: [(Double, Double)] = [(left, 1)]
        if left < 0 && right > 0 { path.append((0, 1)) }
        if right > 0 { path.append((right, 1 + right)) }
        if left >= 0 { path = [(left, 1 + left), (right, 1 + right)] }
        for (a, b) in zip(path, path.dropFirst()) {
            c.line(x.map(a.0), y.map(a.1), x.map(b.0), y.map(b.1), stroke: "#000", width: 1.1, dash: "4,2", clip: "map")
        }
        for s in grid {
            let px = x.map(s.gammaPrime), py = y.map(s.gamma)
            let dark = (s.slope.map { Swift.abs($0) } ?? 0) > 0.35
            c.text(s.slope.map { String(format: "%+.2f", $0) } ?? "—", px, py - 3, anchor: "middle", size: 7, color: dark ? "#fff" : "#000", bold: true)
            let tag = s.regime?.rawValue ?? ""
            c.text(tag + (s.regime != s.theoryRegime ? "*" : ""), px, py + 9, anchor: "middle", size: 5.5, color: dark ? "#fff" : "#333")
        }
        for s in all where s.parameterisation != nil {
            let px = x.map(s.gammaPrime), py = y.map(s.gamma)
            c.marker(.diamond, px, py, size: 6, color: TwoLayerMapPlot.color(slope: s.slope))
            c.text(s.parameterisation!.rawValue, px + 5, py - 4, size: 6.5)
        }
        // Colour bar.
        let bx = 276.0, top = 20.0, bottom = 186.0
        for i in 0..<40 {
            let v = 0.6 - 1.2 * Double(i) / 39
            c.rect(bx, top + (bottom - top) * Double(i) / 40, 9, (bottom - top) / 40 + 0.3, fill: TwoLayerMapPlot.color(slope: v), stroke: "none", width: 0)
        }
        c.rect(bx, top, 9, bottom - top, width: 0.5)
        for v in [-0.6, -0.3, 0, 0.3, 0.6] {
            let py = top + (bottom - top) * (0.6 - v) / 1.2
            c.text(String(format: "%+.1f", v), bx + 11, py + 2, size: 6)
        }
        c.text("slope", bx - 2, top - 5, size: 6.5)
        c.caption("Dashed: the theorem's boundary (condensed above and to the left, linear below and to the right). In each cell: the slope of log RD against log m and the regime read from its interval (* = not the theorem's). " + caption,
                  8, 232, characters: 100, lines: 4)
        return c.render(title: "Two-layer ReLU phase diagram: slope of RD against width")
    }
}
