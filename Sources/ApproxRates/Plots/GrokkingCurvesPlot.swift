import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// Training and validation accuracy and RQI against step, one panel per run (one run per phase):
/// validation rising long after training is grokking; never rising is memorization.
public struct GrokkingCurvesPlot: Sendable {
    /// One panel.
    public struct Panel: Sendable {
        /// Its heading (bold) and a second line under it.
        public let label: String, detail: String
        /// The run.
        public let run: GrokkingRun
        /// A panel.
        public init(label: String, detail: String, run: GrokkingRun) { self.label = label; self.detail = detail; self.run = run }
    }
    /// The panels, left to right.
    public let panels: [Panel]
    /// Title and caption.
    public let title: String, caption: String

    /// A plot.
    public init(panels: [Panel], title: String, caption: String) { self.panels = panels; self.title = title; self.caption = caption }

    /// The SVG document.
    public func svg() -> String {
        let n = Swift.max(1, panels.count)
        let pw = 150.0, ph = 110.0, gap = 22.0, left = 40.0, top = 28.0
        var c = SVGCanvas(width: left + Double(n) * (pw + gap) + 10, height: top + ph + 84)
        for (k, panel) in panels.enumerated() {
            let x0 = left + Double(k) * (pw + gap)
            let r = panel.run
            let last = Double(Swift.max(1, r.loggedSteps.last ?? 1))
            let x = PlotAxis(0, last, from: x0, to: x0 + pw), y = PlotAxis(0, 1.02, from: top + ph, to: top)
            c.frame(x: x, y: y, xLabel: "step", yLabel: k == 0 ? "accuracy, RQI" : "")
            c.text(panel.label, x0 + pw / 2, top - 13, anchor: "middle", size: 7.5, bold: true)
            c.text(panel.detail, x0 + pw / 2, top - 4, anchor: "middle", size: 6.5)
            let series: [([Double], String, String?)] = [(r.trainAccuracy, "#0072B2", nil), (r.validationAccuracy, "#D55E00", nil), (r.rqi, "#555", "2,1.5")]
            for (values, color, dash) in series {
                let m = Swift.min(values.count, r.loggedSteps.count)
                for i in 1..<Swift.max(1, m) {
                    c.line(x.map(Double(r.loggedSteps[i - 1])), y.map(values[i - 1]), x.map(Double(r.loggedSteps[i])), y.map(values[i]), stroke: color, width: 0.9, dash: dash)
                }
            }
            for (step, color) in [(r.trainStep, "#0072B2"), (r.validationStep, "#D55E00")] {
                if let s = step { c.line(x.map(Double(s)), top + ph, x.map(Double(s)), top, stroke: color, width: 0.4, dash: "1,1.5") }
            }
        }
        let ly = top + ph + 34
        for (k, (name, color, dash)) in [("training accuracy", "#0072B2", nil as String?), ("validation accuracy", "#D55E00", nil), ("RQI", "#555", "2,1.5")].enumerated() {
            let lx = left + Double(k) * 110
            c.line(lx, ly - 2.5, lx + 14, ly - 2.5, stroke: color, width: 1.1, dash: dash)
            c.text(name, lx + 18, ly, size: 7)
        }
        c.caption(caption, 8, ly + 14, characters: Int((left + Double(n) * (pw + gap)) / 3.2), lines: 3)
        return c.render(title: title)
    }
}
