import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule

/// One long run: λ_t η against the step (the edge of stability is λ_t η = 2, dashed), with the
/// starts of the regimes marked, and the training loss on a log axis below.
public struct LongRunPlot: Sendable {
    /// The run.
    public let run: EarlyTrainingRun
    /// Its regimes.
    public let regimes: TrainingRegimes
    /// Title line.
    public let title: String

    /// A plot.
    public init(run: EarlyTrainingRun, regimes: TrainingRegimes, title: String) { self.run = run; self.regimes = regimes; self.title = title }

    /// The SVG document.
    public func svg() -> String {
        var c = SVGCanvas(width: 300, height: 280)
        let steps = Double(Swift.max(1, run.losses.count))
        let x = PlotAxis(0, steps, from: 46, to: 278)
        let top = run.sharpness.map { $0.value * run.learningRate }
        let y = PlotAxis(0, Swift.max(2.3, (top.max() ?? 2) * 1.05), from: 130, to: 10)
        c.clip("upper", x: x, y: y)
        c.frame(x: x, y: y, xLabel: "", yLabel: "$λ$_{$t$} $η$")
        c.line(x.start, y.map(2), x.end, y.map(2), stroke: "#D55E00", width: 0.8, dash: "3,2", clip: "upper")
        c.text("2 (edge of stability)", x.end - 4, y.map(2) - 3, anchor: "end", size: 6.5, color: "#D55E00")
        for (a, b) in zip(run.sharpness, run.sharpness.dropFirst()) {
            c.line(x.map(Double(a.step)), y.map(a.value * run.learningRate), x.map(Double(b.step)), y.map(b.value * run.learningRate),
                   stroke: "#0072B2", width: 0.8, clip: "upper")
        }
        for (label, step) in [("sharpening", regimes.sharpeningStart), ("edge", regimes.edgeStart)] {
            guard let s = step else { continue }
            c.line(x.map(Double(s)), y.start, x.map(Double(s)), y.end, stroke: "#555", width: 0.5, dash: "1.5,1.5", clip: "upper")
            c.text(label, x.map(Double(s)) + 2, y.start - 4, size: 6.5, color: "#555")
        }
        let losses = run.losses.filter { $0 > 0 && $0.isFinite }
        let yl = PlotAxis(Swift.max(1e-12, (losses.min() ?? 1e-3) / 1.5), Swift.max(run.loss0, losses.max() ?? 1) * 1.5, from: 238, to: 150, logarithmic: true)
        c.clip("lower", x: x, y: yl)
        c.frame(x: x, y: yl, xLabel: "step $t$", yLabel: "loss")
        let stride = Swift.max(1, run.losses.count / 600)
        var previous = (x.map(0), yl.map(run.loss0))
        for t in Swift.stride(from: 0, to: run.losses.count, by: stride) {
            let p = (x.map(Double(t + 1)), yl.map(Swift.max(yl.lower, run.losses[t])))
            c.line(previous.0, previous.1, p.0, p.1, stroke: "#000", width: 0.6, clip: "lower"); previous = p
        }
        c.text(title, 8, 274, size: 6.5)
        return c.render(title: "Long run: " + title)
    }
}
