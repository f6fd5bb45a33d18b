import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// The critical training fraction: the effective theory's P(nullity = 2) against the fraction (a
/// line over every training-set size), and the measured shares of seeds that generalise and that
/// form a structured representation (markers at the trained fractions), with a vertical at each
/// curve's crossing of ½.
public struct GrokkingFractionPlot: Sendable {
    /// The theory over every size.
    public let theory: CriticalFraction
    /// The measured points.
    public let summary: GrokkingFractionSummary
    /// Title and caption.
    public let title: String, caption: String

    /// A plot.
    public init(theory: CriticalFraction, summary: GrokkingFractionSummary, title: String, caption: String) {
        self.theory = theory; self.summary = summary; self.title = title; self.caption = caption
    }

    /// The SVG document.
    public func svg() -> String {
        var c = SVGCanvas(width: 320, height: 268)
        let x = PlotAxis(0, 1, from: 48, to: 300), y = PlotAxis(-0.02, 1.04, from: 180, to: 14)
        c.frame(x: x, y: y, xLabel: "training fraction", yLabel: "share")
        let pts = theory.points
        for (a, b) in zip(pts, pts.dropFirst()) {
            c.line(x.map(a.fraction), y.map(a.probability), x.map(b.fraction), y.map(b.probability), stroke: "#000", width: 1.1)
        }
        let series: [(String, String, SVGCanvas.Marker, (GrokkingFractionSummary.Point) -> Double, Double?)] = [
            ("validation accuracy reached", "#D55E00", .circle, { $0.generalised }, summary.generalisationCritical),
            ("RQI above threshold", "#0072B2", .square, { $0.structured }, summary.structureCritical),
        ]
        for (_, color, marker, value, _) in series {
            for (a, b) in zip(summary.points, summary.points.dropFirst()) {
                c.line(x.map(a.fraction), y.map(value(a)), x.map(b.fraction), y.map(value(b)), stroke: color, width: 0.5)
            }
            for p in summary.points { c.marker(marker, x.map(p.fraction), y.map(value(p)), size: 3, color: color) }
        }
        for (critical, color) in [(theory.critical, "#000"), (summary.generalisationCritical, "#D55E00"), (summary.structureCritical, "#0072B2")] {
            if let r = critical { c.line(x.map(r), y.map(0), x.map(r), y.map(1), stroke: color, width: 0.5, dash: "2,2") }
        }
        c.line(x.map(0), y.map(0.5), x.map(1), y.map(0.5), stroke: "#999", width: 0.3, dash: "1,2")
        c.line(56, 22, 70, 22, stroke: "#000", width: 1.1)
        c.text("theory: P(nullity = 2)", 74, 24.5, size: 6.5)
        for (k, (name, color, marker, _, _)) in series.enumerated() {
            c.marker(marker, 63, 30.5 + 9 * Double(k), size: 3, color: color)
            c.text(name, 74, 33 + 9 * Double(k), size: 6.5)
        }
        c.caption(caption, 8, 212, characters: 100, lines: 7)
        return c.render(title: title)
    }
}
