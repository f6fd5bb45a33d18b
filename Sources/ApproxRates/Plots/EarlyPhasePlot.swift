import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule

/// The early-training phase diagram (Kalra & Barkeshli 2023, Fig. 1 style): c = ηλ₀ across, d/w up,
/// both logarithmic; for each (d, w) the median c_loss, c_sharp and c_max over seeds with a bar
/// from the smallest to the largest seed (networks of equal d/w side by side), the medians joined
/// into curves (through the median over the networks of a row), dashed lines at c = 2
/// and c = 4, and the regions between the curves named.
public struct EarlyPhasePlot: Sendable {
    /// One row per (d, w).
    public let summaries: [EarlyPhaseSummary]
    /// The caption: window, tolerances, grid.
    public let caption: String

    /// A plot of `summaries`.
    public init(summaries: [EarlyPhaseSummary], caption: String) { self.summaries = summaries; self.caption = caption }

    struct Kind: Sendable {
        let name: String, color: String, marker: SVGCanvas.Marker
        let value: @Sendable (EarlyPhaseSummary) -> EarlyPhaseSummary.Spread?
    }
    static let kinds: [Kind] = [
        Kind(name: "$c$_{loss}", color: "#0072B2", marker: .circle, value: { $0.cLoss }),
        Kind(name: "$c$_{sharp}", color: "#009E73", marker: .square, value: { $0.cSharp }),
        Kind(name: "$c$_{max}", color: "#D55E00", marker: .triangle, value: { $0.cMax }),
    ]

    /// The SVG document. The legend takes a corner (or the middle of the lower or upper edge) of
    /// the plot that covers no data; when every place is taken, the d/w axis is extended
    /// downwards (×1.6 of room below the lowest row, then ×4, then ×10) to make one free.
    public func svg() -> String {
        var drawing = render(roomBelow: 1.6)
        for room in [4.0, 10] where !drawing.legendIsFree { drawing = render(roomBelow: room) }
        return drawing.svg
    }

    /// The drawing with `roomBelow` × (smallest d/w) of axis below the lowest row, and whether
    /// the legend found a free corner.
    func render(roomBelow: Double) -> (svg: String, legendIsFree: Bool) {
        var c = SVGCanvas(width: 300, height: 222)
        var values: [Double] = [1, 4]
        for s in summaries { for kind in EarlyPhasePlot.kinds { if let v = kind.value(s) { values += [v.min, v.max] } } }
        let ratios = summaries.map(\.ratio)
        let x = PlotAxis(Swift.max(0.5, (values.min() ?? 1) / 1.3), (values.max() ?? 8) * 1.3, from: 46, to: 288, logarithmic: true)
        let y = PlotAxis((ratios.min() ?? 0.01) / roomBelow, (ratios.max() ?? 0.1) * 1.6, from: 160, to: 10, logarithmic: true)
        c.clip("plot", x: x, y: y)
        c.frame(x: x, y: y, xLabel: "$c$ = $η λ$_{0}", yLabel: "depth / width  $d$/$w$")
        for v in [2.0, 4.0] {
            c.line(x.map(v), y.start, x.map(v), y.end, stroke: "#555", width: 0.7, dash: "3,2", clip: "plot")
            c.text("$c$ = \(Int(v))", x.map(v) + 2, y.start - 4, size: 6.5, color: "#555")
        }
        // Networks with equal d/w share a row: their bars are spread 3.5 pt apart around it, and
        // the curve joins, row by row, the median of their medians (so a collapse run with
        // several networks per d/w draws one curve, not a zigzag through them).
        let rows = Dictionary(grouping: summaries.indices) { summaries[$0].ratio }.sorted { $0.key < $1.key }
        var drawn: [(Double, Double)] = []
        for kind in EarlyPhasePlot.kinds {
            var previous: (Double, Double)? = nil
            for (ratio, members) in rows {
                let present = members.filter { kind.value(summaries[$0]) != nil }
                guard !present.isEmpty else { previous = nil; continue }
                let rowY = y.map(ratio)
                for (j, i) in present.enumerated() {
                    let s = summaries[i], v = kind.value(s)!
                    let py = rowY + (Double(j) - Double(present.count - 1) / 2) * 3.5
                    c.line(x.map(v.min), py, x.map(v.max), py, stroke: kind.color, width: 0.9, clip: "plot")
                    c.line(x.map(v.min), py - 2, x.map(v.min), py + 2, stroke: kind.color, width: 0.9, clip: "plot")
                    c.line(x.map(v.max), py - 2, x.map(v.max), py + 2, stroke: kind.color, width: 0.9, clip: "plot")
                    // c_max is hollow where some seed never diverged: the top of the scan, a lower bound.
                    let lowerBound = kind.marker == .triangle && s.divergenceSeeds < s.seeds
                    c.marker(kind.marker, x.map(v.median), py, size: 4.2, color: kind.color, filled: !lowerBound)
                    drawn += stride(from: x.map(v.min), through: x.map(v.max), by: 2).map { ($0, py) } + [(x.map(v.max), py)]
                }
                let medians = present.map { kind.value(summaries[$0])!.median }.sorted()
                let n = medians.count
                let rowMedian = n % 2 == 1 ? medians[n / 2] : Foundation.sqrt(medians[n / 2 - 1] * medians[n / 2])
                let point = (x.map(rowMedian), rowY)
                if let p = previous {
                    c.line(p.0, p.1, point.0, point.1, stroke: kind.color, width: 0.8, clip: "plot")
                    drawn += (0...20).map { k in let f = Double(k) / 20; return (p.0 + f * (point.0 - p.0), p.1 + f * (point.1 - p.1)) }
                }
                previous = point
            }
        }
        // The legend goes in the first place (lower right, upper left, lower left, upper right,
        // then the middle of the lower and of the upper edge) whose box covers no marker, bar or
        // curve.
        let lines = EarlyPhasePlot.kinds.map(\.name) + ["$c$_{max} ≥ the scan's top"]
        let width = (lines.map { c.textWidth($0, size: 6.5) }.max() ?? 100) + 14, height = 9.5 * Double(lines.count) + 4
        let middle = (x.start + x.end - width) / 2
        let corners = [(x.end - width - 4, y.start - height - 14), (x.start + 4, y.end + 4), (x.start + 4, y.start - height - 14), (x.end - width - 4, y.end + 4),
                       (middle, y.start - height - 14), (middle, y.end + 4)]
        let free: (Double, Double)? = corners.first { corner in
            !drawn.contains { $0.0 >= corner.0 - 3 && $0.0 <= corner.0 + width + 3 && $0.1 >= corner.1 - 3 && $0.1 <= corner.1 + height + 3 }
        }
        let placed = free ?? corners[0]
        // A white ground, so that the dashed c = 2 and 4 lines do not run through the text.
        c.rect(placed.0, placed.1, width, height, fill: "#fff", stroke: "none", width: 0)
        var ly = placed.1 + 8
        for (k, line) in lines.enumerated() {
            if k < EarlyPhasePlot.kinds.count {
                let kind = EarlyPhasePlot.kinds[k]
                c.marker(kind.marker, placed.0 + 4, ly - 2.5, size: 4.2, color: kind.color)
            } else {
                c.marker(.triangle, placed.0 + 4, ly - 2.5, size: 4.2, color: EarlyPhasePlot.kinds[2].color, filled: false)
            }
            c.text(line, placed.0 + 11, ly, size: 6.5)
            ly += 9.5
        }
        c.caption(caption, 8, 204)
        return (c.render(title: "Early-training phase diagram"), free != nil)
    }
}

/// Loss and sharpness trajectories of one (d, w) and seed, one line per c (colour from dark blue,
/// small c, to yellow, large c): L_t/L₀ on a log axis on the left, λ_t/λ₀ on the right.
public struct SharpnessTrajectoryPlot: Sendable {
    /// The runs (any order; drawn by increasing c).
    public let runs: [EarlyTrainingRun]
    /// Title line: network and seed.
    public let title: String

    /// A plot of `runs`.
    public init(runs: [EarlyTrainingRun], title: String) { self.runs = runs.sorted { $0.c < $1.c }; self.title = title }

    /// Viridis at five stops, interpolated linearly.
    static func color(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let u = Swift.min(1, Swift.max(0, t)) * Double(stops.count - 1)
        let i = Swift.min(stops.count - 2, Int(u)), f = u - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return String(format: "#%02X%02X%02X", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// The SVG document.
    public func svg() -> String {
        var c = SVGCanvas(width: 420, height: 190)
        let steps = Double(runs.map { Swift.max($0.losses.count, $0.sharpness.last?.step ?? 0) }.max() ?? 1)
        // Axis ranges from the runs that did not diverge (diverging lines leave through the top).
        let stable = runs.filter { !$0.diverged }
        let ratios = stable.flatMap { r in r.losses.map { $0 / r.loss0 } }.filter { $0.isFinite && $0 > 0 } + [1]
        let sharp = stable.flatMap { r in r.sharpness.map { $0.value / r.sharpness0 } }.filter(\.isFinite) + [1]
        let (cmin, cmax) = (log(runs.first?.c ?? 1), log(runs.last?.c ?? 2))
        func tint(_ r: EarlyTrainingRun) -> String { SharpnessTrajectoryPlot.color(cmax > cmin ? (log(r.c) - cmin) / (cmax - cmin) : 0) }
        let xl = PlotAxis(0, steps, from: 44, to: 200)
        let yl = PlotAxis(Swift.max(1e-3, ratios.min()! / 1.5), Swift.min(1e6, ratios.max()! * 1.5), from: 150, to: 10, logarithmic: true)
        c.clip("left", x: xl, y: yl)
        c.frame(x: xl, y: yl, xLabel: "step $t$", yLabel: "$L$_{$t$} / $L$_{0}")
        let xr = PlotAxis(0, steps, from: 256, to: 412)
        let yr = PlotAxis(Swift.max(0, sharp.min()! - 0.1), Swift.min(50, sharp.max()! + 0.1), from: 150, to: 10)
        c.clip("right", x: xr, y: yr)
        c.frame(x: xr, y: yr, xLabel: "step $t$", yLabel: "$λ$_{$t$} / $λ$_{0}")
        for r in runs {
            let color = tint(r)
            var p = (xl.map(0), yl.map(1))
            for (t, l) in r.losses.enumerated() {
                let q = (xl.map(Double(t + 1)), yl.map(Swift.max(yl.lower, Swift.min(yl.upper, l / r.loss0))))
                c.line(p.0, p.1, q.0, q.1, stroke: color, width: 0.8, clip: "left"); p = q
            }
            for (a, b) in zip(r.sharpness, r.sharpness.dropFirst()) {
                c.line(xr.map(Double(a.step)), yr.map(a.value / r.sharpness0), xr.map(Double(b.step)), yr.map(b.value / r.sharpness0),
                       stroke: color, width: 0.8, clip: "right")
            }
        }
        c.line(xr.start, yr.map(1), xr.end, yr.map(1), stroke: "#555", width: 0.5, dash: "2,2", clip: "right")
        c.text(title + String(format: "; colour: c from %.3g (dark) to %.3g (yellow)", runs.first?.c ?? 0, runs.last?.c ?? 0), 8, 186, size: 6.5)
        return c.render(title: "Loss and sharpness trajectories: " + title)
    }
}
