import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// The (δ, κ) map of `dynamics sgd map`: δ across, κ up; the regions shaded as in the paper's
/// Fig. 1 (green κ + δ > 0, orange below it down to the no-ODE boundary, red beyond), the line
/// κ + δ = 0 (blue) and both candidate no-ODE boundaries (κ + δ = −½ solid red, κ + 2δ + 1 = 0
/// dashed red; the wedge between them is hatched grey). Each measured point is a marker coloured
/// by its measured trend (decay green, plateau blue, rise orange), with its slope written beside
/// it; a black ring marks a trend other than the settled region's.
public struct SGDMapPlot: Sendable {
    /// One summary per point.
    public let summaries: [SGDMapSummary]
    /// The caption.
    public let caption: String

    /// A map.
    public init(summaries: [SGDMapSummary], caption: String) { self.summaries = summaries; self.caption = caption }

    /// The marker colour of a trend.
    public static func color(_ trend: SGDTrend?) -> String {
        switch trend {
        case .decay: return "#1B9E3A"
        case .plateau: return "#1F5FBF"
        case .rise: return "#E07B00"
        case nil: return "#999999"
        }
    }

    /// The SVG document.
    public func svg() -> String {
        var c = SVGCanvas(width: 330, height: 300)
        let ds = summaries.map(\.delta), ks = summaries.map(\.kappa)
        let x = PlotAxis(Swift.min(-1.6, (ds.min() ?? -1) - 0.15), Swift.max(0.8, (ds.max() ?? 0.5) + 0.15), from: 46, to: 312)
        let y = PlotAxis(Swift.min(-0.1, (ks.min() ?? 0) - 0.1), Swift.max(1.3, (ks.max() ?? 1) + 0.15), from: 214, to: 12)
        c.clip("map", x: x, y: y)
        let x0 = x.lower, x1 = x.upper, y0 = y.lower, y1 = y.upper
        func poly(_ pts: [(Double, Double)], _ fill: String) { c.polygon(pts.map { (x.map($0.0), y.map($0.1)) }, fill: fill, clip: "map") }
        // κ as a function of δ on each line, extended past the frame.
        let big = 10.0
        let green = [(x0 - big, -(x0 - big)), (x1 + big, -(x1 + big)), (x1 + big, y1 + big), (x0 - big, y1 + big)]
        poly(green, "#DDF2DD")
        // Orange: between κ = −δ and the scaling boundary κ = −½ − δ; the wedge to the code's κ = −1 − 2δ shaded apart.
        let orange = [(x0 - big, -(x0 - big)), (x1 + big, -(x1 + big)), (x1 + big, -0.5 - (x1 + big)), (x0 - big, -0.5 - (x0 - big))]
        poly(orange, "#FBE3C4")
        let red = [(x0 - big, -0.5 - (x0 - big)), (x1 + big, -0.5 - (x1 + big)), (x1 + big, y0 - big), (x0 - big, y0 - big)]
        poly(red, "#F6D0D0")
        // Wedge: between κ = −½ − δ and κ = −1 − 2δ for κ > 0 (above δ = −½) — where only the code says "no ODE".
        let wedge = [(-0.5, 0.0), (x0 - big, -0.5 - (x0 - big)), (x0 - big, -1 - 2 * (x0 - big))]
        poly(wedge, "#E4E4E4")
        poly([(-0.5, 0.0), (x1 + big, -0.5 - (x1 + big)), (x1 + big, -1 - 2 * (x1 + big))], "#E4E4E4")
        c.frame(x: x, y: y, xLabel: "$δ$  ($γ$ = $γ$_{0} $d$^{−$δ$})", yLabel: "$κ$  ($p$ = $p$_{0} $d$^{$κ$})")
        func line(_ f: (Double) -> Double, _ color: String, _ width: Double, _ dash: String?) {
            c.line(x.map(x0 - big), y.map(f(x0 - big)), x.map(x1 + big), y.map(f(x1 + big)), stroke: color, width: width, dash: dash, clip: "map")
        }
        line({ -$0 }, "#1F5FBF", 1.4, nil)
        line({ -0.5 - $0 }, "#C0392B", 1.1, nil)
        line({ -1 - 2 * $0 }, "#C0392B", 1.1, "4,2")
        c.line(x.map(x0), y.map(0), x.map(x1), y.map(0), stroke: "#888", width: 0.4, dash: "1,2", clip: "map")
        for s in summaries {
            let px = x.map(s.delta), py = y.map(s.kappa)
            if let predicted = s.predictedTrend, let measured = s.trend, predicted != measured { c.marker(.circle, px, py, size: 9.5, color: "#000", filled: false) }
            c.marker(.circle, px, py, size: 6.5, color: SGDMapPlot.color(s.trend))
            c.text(s.slope.map { String(format: "%+.2f", $0) } ?? "", px + 5, py - 3, size: 5.5)
        }
        // Legend.
        let lx = 54.0
        var ly = 22.0
        c.rect(lx - 8, 14, 132, 58, fill: "#FFFFFF", stroke: "#999999", width: 0.4)
        for (label, trend) in [("R decays (floor falls with d)", SGDTrend.decay), ("plateau (level flat in d)", .plateau), ("R rises", .rise)] {
            c.marker(.circle, lx, ly - 2.5, size: 5, color: SGDMapPlot.color(trend)); c.text(label, lx + 6, ly, size: 6); ly += 9
        }
        c.line(lx - 5, ly - 2.5, lx + 4, ly - 2.5, stroke: "#1F5FBF", width: 1.4); c.text("κ + δ = 0", lx + 6, ly, size: 6); ly += 9
        c.line(lx - 5, ly - 2.5, lx + 4, ly - 2.5, stroke: "#C0392B", width: 1.1); c.text("κ + δ = −½ (scaling argument)", lx + 6, ly, size: 6); ly += 9
        c.line(lx - 5, ly - 2.5, lx + 4, ly - 2.5, stroke: "#C0392B", width: 1.1, dash: "4,2"); c.text("κ + 2δ + 1 = 0 (authors' code)", lx + 6, ly, size: 6)
        c.caption("Shading: green perfect learning, orange bad learning, red no ODE, grey the wedge where the two no-ODE boundaries disagree. Number: slope of log R_late against log d; ring: trend other than the region's. " + caption,
                  8, 252, characters: 100, lines: 5)
        return c.render(title: "SGD phase diagram of soft committees (Veiga et al. 2022)")
    }
}
