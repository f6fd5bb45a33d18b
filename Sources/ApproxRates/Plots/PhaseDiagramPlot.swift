import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import ConstructionsModule
import DynamicsModule

/// The (r/d, p) phase diagram: the shallow region p ≤ r/d, the deep region r/d < p ≤ 2r/d and the
/// impossible region p > 2r/d, with each measured rate as a point and its 95 % interval, marked by
/// construction (shape) and activation (colour), ringed when d > 1, labelled with α when a deep
/// network's α ≠ 1, and the construction's theoretical rate as a short dash beside it. A deep or
/// fixed-width rate that is not established (its interval's lower end not above r/d, or beaten by
/// interpolation at its top W: ``MeasuredRate/established``) is drawn hollow. Sized for one journal column (3.5 in wide).
public struct PhaseDiagramPlot: Sendable {
    /// The rates to place.
    public let rates: [MeasuredRate]

    /// A diagram of `rates`.
    public init(rates: [MeasuredRate]) { self.rates = rates }

    /// Colour of an activation (Okabe–Ito palette, colour-blind safe).
    public static func color(_ activation: String) -> String {
        switch activation { case "relu": "#0072B2"; case "relu2", "relu^2": "#D55E00"; case "sine": "#009E73"; default: "#CC79A7" }
    }
    /// Marker of a construction: the shape its registry entry names (a diamond for names not
    /// registered).
    public static func marker(_ construction: String) -> SVGCanvas.Marker {
        SVGCanvas.Marker(rawValue: ConstructionRegistry.marker(construction).rawValue) ?? .diamond
    }

    /// The label beside a rate's marker: the depth exponent of a deep network when α ≠ 1
    /// ("α=0.5", with the canvas's `$…$` italics); nil otherwise.
    public static func tag(_ r: MeasuredRate) -> String? {
        r.construction == DeepConstruction.name && r.depthExponent != 1 ? "$α$=\(r.depthExponent.formatted())" : nil
    }
    /// Whether a rate's marker is ringed: rates of every dimension share the r/d axis, so those
    /// with d > 1 are drawn inside a ring (a label would collide with the points spread beside
    /// them at the same r/d).
    public static func ringed(_ r: MeasuredRate) -> Bool { r.dimension > 1 }

    /// The SVG document.
    public func svg() -> String {
        let hollow = rates.contains(where: { $0.established == "no" })
        var c = SVGCanvas(width: 252, height: hollow ? 224 : 212)
        let xs = rates.map { $0.pShallow }
        let xMax = Swift.max(1.25, ceil((xs.max() ?? 1) * 1.2 * 4) / 4)
        let pTop = rates.map { Swift.max($0.pHigh ?? $0.p, $0.p, $0.pTheory) }.max() ?? 2
        let yMax = Swift.max(ceil(Swift.max(pTop * 1.12, 2.0) * 2) / 2, 1)
        let x = PlotAxis(0, xMax, from: 44, to: 244), y = PlotAxis(0, yMax, from: 146, to: 8)
        c.clip("plot", x: x, y: y)
        let o = (x.map(0), y.map(0))
        func pt(_ a: Double, _ b: Double) -> (Double, Double) { (x.map(a), y.map(b)) }
        let far = Swift.max(xMax, yMax) * 2
        c.polygon([o, pt(far, 0), pt(far, far)], fill: "#E3EEF8", clip: "plot")
        c.polygon([o, pt(far, far), pt(far, 2 * far)], fill: "#FBE9D6", clip: "plot")
        c.polygon([o, pt(far, 2 * far), pt(0, 2 * far)], fill: "#EDEDED", clip: "plot")
        c.line(o.0, o.1, pt(far, far).0, pt(far, far).1, stroke: "#1F4E79", width: 0.9, clip: "plot")
        c.line(o.0, o.1, pt(far, 2 * far).0, pt(far, 2 * far).1, stroke: "#8B2E16", width: 0.9, clip: "plot")
        // Region names, placed along the right edge inside each region.
        let xr = xMax * 0.97
        c.text("shallow", x.map(xr), y.map(Swift.min(xr, yMax) * 0.45) , anchor: "end", size: 7.5, color: "#1F4E79")
        c.text("deep", x.map(xr), y.map(Swift.min(1.5 * xr, yMax * 0.97)) + 3, anchor: "end", size: 7.5, color: "#8B2E16")
        c.text("impossible", x.map(Swift.min(yMax / 2, xMax) * 0.25) + 2, y.map(yMax * 0.93), anchor: "start", size: 7.5, color: "#555")
        c.text("$p$ = $r$/$d$", x.map(Swift.min(xMax, yMax) * 0.62) + 4, y.map(Swift.min(xMax, yMax) * 0.62) + 9, anchor: "start", size: 7, color: "#1F4E79")
        let k = Swift.min(xMax, yMax / 2) * 0.62
        c.text("$p$ = 2$r$/$d$", x.map(k) - 4, y.map(2 * k), anchor: "end", size: 7, color: "#8B2E16")
        c.frame(x: x, y: y, xLabel: "smoothness per dimension $r$/$d$", yLabel: "rate $p$  (error ∝ $W$^{−$p$})")
        // Points: those sharing an r/d are spread sideways by 4.5 pt so that their bars do not overlap.
        var groups: [Double: Int] = [:]
        for r in rates { groups[r.pShallow, default: 0] += 1 }
        var seen: [Double: Int] = [:]
        for r in rates {
            let n = groups[r.pShallow]!, i = seen[r.pShallow, default: 0]
            seen[r.pShallow] = i + 1
            let px = x.map(r.pShallow) + (Double(i) - Double(n - 1) / 2) * 4.5
            let color = Self.color(r.activation)
            if let lo = r.pLow, let hi = r.pHigh {
                let (a, b) = (y.map(Swift.max(lo, 0)), y.map(Swift.min(hi, yMax)))
                c.line(px, a, px, b, stroke: color, width: 0.8)
                c.line(px - 1.8, a, px + 1.8, a, stroke: color, width: 0.8); c.line(px - 1.8, b, px + 1.8, b, stroke: color, width: 0.8)
            }
            c.line(px + 2.4, y.map(r.pTheory), px + 5.4, y.map(r.pTheory), stroke: "#000", width: 0.9)
            c.marker(Self.marker(r.construction), px, y.map(r.p), color: color, filled: r.established != "no")
            if Self.ringed(r) { c.ring(px, y.map(r.p), radius: 3.6, color: color) }
            if let tag = Self.tag(r) { c.text(tag, px - 3.5, y.map(r.p) + 2.5, anchor: "end", size: 6) }
        }
        // Legend below the axes: constructions (shapes), activations (colours), the theory dash.
        var lx = 8.0
        let ly = 190.0, ly2 = 203.0
        for name in ConstructionRegistry.names where rates.contains(where: { $0.construction == name }) {
            c.marker(Self.marker(name), lx + 3, ly - 2.8, color: "#444"); c.text(name, lx + 9, ly, size: 7.5); lx += 16 + c.textWidth(name, size: 7.5)
        }

        lx = 8
        for a in Array(Set(rates.map(\.activation))).sorted() {
            c.rect(lx, ly2 - 6, 6, 6, fill: Self.color(a), stroke: "none"); c.text(a, lx + 9, ly2, size: 7.5); lx += 16 + c.textWidth(a, size: 7.5)
        }
        c.line(lx + 1, ly2 - 2.8, lx + 6, ly2 - 2.8, width: 0.9); c.text("theory's rate", lx + 9, ly2, size: 7.5)
        lx += 16 + c.textWidth("theory's rate", size: 7.5)
        c.text("bars: 95% t", lx, ly2, size: 7.5, color: "#444")
        if rates.contains(where: Self.ringed) {
            lx += 6 + c.textWidth("bars: 95% t", size: 7.5)
            c.ring(lx + 3, ly2 - 2.8, radius: 3.6, color: "#444"); c.text("$d$ > 1", lx + 9, ly2, size: 7.5, color: "#444")
        }
        if hollow {
            c.marker(.triangle, 11, 213.2, color: "#444", filled: false)
            c.text("hollow: not established (lower end ≤ r/d, or interpolation wins)", 17, 216, size: 6.5, color: "#444")
        }
        return c.render(title: "Phase diagram: measured rates p against r/d")
    }
}
