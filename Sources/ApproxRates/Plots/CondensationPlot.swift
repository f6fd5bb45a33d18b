import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// The condensation picture of one run: each neuron's amplitude |a_k|·‖(w_k, b_k)‖ against its
/// orientation, at initialisation (left) and after training (right), each panel's amplitudes
/// divided by its largest (written above it), with the share of the amplitude near the four
/// main directions (``TwoLayerNeurons/concentration``).
public struct CondensationPlot: Sendable {
    /// The neurons at initialisation.
    public let initial: TwoLayerNeurons
    /// The neurons after training.
    public let trained: TwoLayerNeurons
    /// The title line (point, width, seed, RD).
    public let title: String

    /// A picture of one run.
    public init(initial: TwoLayerNeurons, trained: TwoLayerNeurons, title: String) {
        self.initial = initial; self.trained = trained; self.title = title
    }

    /// The SVG document.
    public func svg() -> String {
        var c = SVGCanvas(width: 430, height: 196)
        let circular = initial.angleName.hasPrefix("atan2")
        for (i, (neurons, label)) in [(initial, "at initialisation"), (trained, "after training")].enumerated() {
            let x0 = 48.0 + 212 * Double(i)
            let x = PlotAxis(circular ? -Double.pi : 0, Double.pi, from: x0, to: x0 + 160)
            let largest = neurons.amplitudes.max() ?? 0
            let scale = largest > 0 ? 1 / largest : 1
            let y = PlotAxis(0, 1.05, from: 160, to: 24)
            c.frame(x: x, y: y, xLabel: neurons.angleName + " (rad)", yLabel: "|$a$|·‖($w$, $b$)‖ / largest")
            c.text(label + String(format: " (largest %.3g)", largest), x0 + 80, 10, anchor: "middle", size: 7.5)
            c.text(String(format: "amplitude share within 0.1 rad of 4 main directions: %.2f", neurons.concentration), x0 + 80, 19, anchor: "middle", size: 5.5, color: "#555")
            var dots = "<g fill=\"#0072B2\" fill-opacity=\"0.45\">"
            for k in neurons.amplitudes.indices {
                dots += "<circle cx=\"\(SVGCanvas.f(x.map(neurons.angles[k])))\" cy=\"\(SVGCanvas.f(y.map(neurons.amplitudes[k] * scale)))\" r=\"0.9\"/>"
            }
            c.raw(dots + "</g>")
        }
        c.caption(title, 8, 190, characters: 110, lines: 1, size: 6.5)
        return c.render(title: "Condensation: " + title)
    }
}
