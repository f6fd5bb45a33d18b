import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// The embeddings of one run at several steps. One dimension: each step a number line of the
/// standardised E_k, labelled by k (a representation has formed when 0 … p − 1 sit in order at equal
/// spacing). More dimensions: a scatter of the first two standardised coordinates per step (a line,
/// or a lattice of parallelograms).
public struct EmbeddingPlot: Sendable {
    /// p, the embedding dimension.
    public let p: Int, dimension: Int
    /// The snapshots, by step.
    public let snapshots: [GrokkingRun.Snapshot]
    /// RQI at each snapshot.
    public let rqi: [Double]
    /// Title and caption.
    public let title: String, caption: String

    /// A plot.
    public init(p: Int, dimension: Int, snapshots: [GrokkingRun.Snapshot], rqi: [Double], title: String, caption: String) {
        self.p = p; self.dimension = dimension; self.snapshots = snapshots; self.rqi = rqi; self.title = title; self.caption = caption
    }

    /// Coordinate c of the standardised embeddings (unbiased std; a collapsed coordinate gives 0s).
    static func standardised(_ e: [Double], p: Int, dimension: Int, coordinate c: Int) -> [Double] {
        let v = (0..<p).map { e[$0 * dimension + c] }
        let mean = v.reduce(0, +) / Double(p)
        let sd = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(p - 1)).squareRoot()
        return v.map { sd > 0 ? ($0 - mean) / sd : 0 }
    }

    /// The SVG document.
    public func svg() -> String {
        let colors = (0..<p).map { k in "hsl(\(Int(260.0 * Double(k) / Double(Swift.max(1, p - 1)))),70%,42%)" }
        if dimension == 1 {
            let rowHeight = 26.0, left = 70.0, width = 300.0, top = 16.0
            var c = SVGCanvas(width: left + width + 20, height: top + rowHeight * Double(snapshots.count) + 70)
            let x = PlotAxis(-2.2, 2.2, from: left, to: left + width)
            for (i, s) in snapshots.enumerated() {
                let y = top + rowHeight * (Double(i) + 0.6)
                c.line(left, y, left + width, y, stroke: "#999", width: 0.4)
                c.text(String(format: "step %d", s.step), left - 6, y - 1, anchor: "end", size: 7)
                if i < rqi.count { c.text(String(format: "RQI %.2f", rqi[i]), left - 6, y + 7, anchor: "end", size: 6, color: "#555") }
                let z = EmbeddingPlot.standardised(s.embeddings, p: p, dimension: 1, coordinate: 0)
                for k in 0..<p {
                    let px = x.map(Swift.max(-2.2, Swift.min(2.2, z[k])))
                    c.marker(.circle, px, y, size: 3.2, color: colors[k])
                    c.text("\(k)", px, y - 4 - Double(k % 2) * 6, anchor: "middle", size: 5.5, color: colors[k])
                }
            }
            let bottom = top + rowHeight * Double(snapshots.count)
            c.text("standardised embedding (E_{k} − mean)/std", left + width / 2, bottom + 10, anchor: "middle", size: 7.5)
            c.caption(caption, 8, bottom + 26, characters: 115, lines: 4)
            return c.render(title: title)
        }
        let n = Swift.max(1, snapshots.count)
        let side = 110.0, gap = 16.0, left = 16.0, top = 16.0
        var c = SVGCanvas(width: left + Double(n) * (side + gap), height: top + side + 70)
        for (i, s) in snapshots.enumerated() {
            let x0 = left + Double(i) * (side + gap)
            let u = EmbeddingPlot.standardised(s.embeddings, p: p, dimension: dimension, coordinate: 0)
            let v = EmbeddingPlot.standardised(s.embeddings, p: p, dimension: dimension, coordinate: 1)
            let x = PlotAxis(-2.5, 2.5, from: x0, to: x0 + side), y = PlotAxis(-2.5, 2.5, from: top + side, to: top)
            c.rect(x0, top, side, side, width: 0.5)
            c.text(String(format: "step %d", s.step) + (i < rqi.count ? String(format: ", RQI %.2f", rqi[i]) : ""), x0 + side / 2, top - 4, anchor: "middle", size: 7)
            for k in 0..<p {
                let px = x.map(Swift.max(-2.5, Swift.min(2.5, u[k]))), py = y.map(Swift.max(-2.5, Swift.min(2.5, v[k])))
                c.marker(.circle, px, py, size: 3, color: colors[k])
                c.text("\(k)", px + 3, py - 2, size: 5.5, color: colors[k])
            }
        }
        c.caption(caption, 8, top + side + 18, characters: Int((left + Double(n) * (side + gap)) / 3.2), lines: 4)
        return c.render(title: title)
    }
}
