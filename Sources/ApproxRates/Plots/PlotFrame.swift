import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule
extension SVGCanvas {
    /// Draws the plot box of the axes `x` and `y`, ticks pointing inward (major and, on log axes,
    /// minor), tick labels, and the axis labels (math markup) below and to the left.
    public mutating func frame(x: PlotAxis, y: PlotAxis, xLabel: String, yLabel: String) {
        let left = x.start, right = x.end, bottom = y.start, top = y.end
        rect(left, top, right - left, bottom - top, width: 0.7)
        // Every tick is marked; labels go on every k-th, the smallest k at which the widest
        // label plus a 4 pt gap fits between labelled ticks (a 200,000-step run's "125000"s ran together).
        let xTicks = x.majorTicks()
        let spacing = xTicks.count > 1 ? Swift.abs(x.map(xTicks[1].value) - x.map(xTicks[0].value)) : .infinity
        let widestX = xTicks.map { textWidth($0.label) }.max() ?? 0
        let every = spacing > 0 ? Swift.max(1, Int((widestX + 4) / spacing - 1e-9) + 1) : 1
        for (i, tick) in xTicks.enumerated() {
            let px = x.map(tick.value)
            line(px, bottom, px, bottom - 3.5); line(px, top, px, top + 3.5)
            if i % every == 0 { text(tick.label, px, bottom + fontSize + 2.5, anchor: "middle") }
        }
        for v in x.minorTicks() { let px = x.map(v); line(px, bottom, px, bottom - 2, width: 0.45); line(px, top, px, top + 2, width: 0.45) }
        let yTicks = y.majorTicks()
        for (v, label) in yTicks {
            let py = y.map(v)
            line(left, py, left + 3.5, py); line(right, py, right - 3.5, py)
            text(label, left - 3, py + fontSize * 0.35, anchor: "end")
        }
        for v in y.minorTicks() { let py = y.map(v); line(left, py, left + 2, py, width: 0.45); line(right, py, right - 2, py, width: 0.45) }
        text(xLabel, (left + right) / 2, bottom + 2 * fontSize + 6, anchor: "middle")
        // Left of the widest tick label (m×10^k labels of short log axes are wide), the rotated
        // glyphs reaching about a quarter of the font size right of their baseline.
        let widest = yTicks.map { textWidth($0.1) }.max() ?? 0
        text(yLabel, Swift.min(left - 2.9 * fontSize - 4, left - 4.5 - widest - 0.25 * fontSize), (top + bottom) / 2, anchor: "middle", rotated: true)
    }

    /// A clip path named `id` covering the plot area of `x` and `y`.
    public mutating func clip(_ id: String, x: PlotAxis, y: PlotAxis) {
        define("<clipPath id=\"\(id)\"><rect x=\"\(Self.f(x.start))\" y=\"\(Self.f(y.end))\" width=\"\(Self.f(x.end - x.start))\" height=\"\(Self.f(y.start - y.end))\"/></clipPath>")
    }
}
