import Foundation
import PrecisionModule
import FileIOModule
import DynamicsModule

/// The grokking phase diagram of one training fraction: a grid of cells, decoder learning rate η_D
/// across (log-spaced columns), decoder weight decay up; each cell filled with the colour of its
/// majority phase (white on a tie) and carrying one small square per seed in that seed's phase
/// colour, so the share of seeds in each phase is read off every cell. The paper's palette for the
/// four phases; "slow" in vermillion.
public struct GrokkingMapPlot: Sendable {
    /// The cells of one fraction.
    public let summaries: [GrokkingCellSummary]
    /// Column and row values, increasing.
    public let learningRates: [Double], weightDecays: [Double]
    /// Title and caption.
    public let title: String, caption: String

    /// A plot of the cells of `summaries` whose fraction is `fraction`.
    public init(summaries: [GrokkingCellSummary], fraction: Double, title: String, caption: String) {
        self.summaries = summaries.filter { $0.fraction == fraction }
        learningRates = Array(Set(self.summaries.map(\.learningRate))).sorted()
        weightDecays = Array(Set(self.summaries.map(\.weightDecay))).sorted()
        self.title = title; self.caption = caption
    }

    /// The fill of each phase (comprehension, grokking, memorization, confusion as in the paper).
    public static func color(_ phase: GrokkingPhase?) -> String {
        switch phase {
        case .comprehension: return "#A0DA39"
        case .grokking: return "#FDE725"
        case .memorization: return "#46327E"
        case .confusion: return "#1E1E1E"
        case .slow: return "#D55E00"
        case nil: return "#FFFFFF"
        }
    }

    /// The SVG document.
    public func svg() -> String {
        let columns = Swift.max(1, learningRates.count), rows = Swift.max(1, weightDecays.count)
        let cell = Swift.min(22.0, 300.0 / Double(Swift.max(columns, rows)))
        let left = 52.0, top = 14.0, width = cell * Double(columns), height = cell * Double(rows)
        var c = SVGCanvas(width: left + width + 96, height: top + height + 78)
        for s in summaries {
            guard let i = learningRates.firstIndex(of: s.learningRate), let j = weightDecays.firstIndex(of: s.weightDecay) else { continue }
            let x = left + Double(i) * cell, y = top + Double(rows - 1 - j) * cell
            c.rect(x, y, cell, cell, fill: GrokkingMapPlot.color(s.majority), stroke: "#888", width: 0.3)
            let n = s.seedPhases.count
            guard n > 0 else { continue }
            let square = Swift.min(cell / 4, (cell - 4) / Double(n))
            let start = x + (cell - square * Double(n)) / 2
            for (k, phase) in s.seedPhases.enumerated() {
                c.rect(start + Double(k) * square, y + cell - square - 1.5, square, square, fill: GrokkingMapPlot.color(phase), stroke: "#FFF", width: 0.35)
            }
        }
        c.rect(left, top, width, height, width: 0.7)
        // Column labels: about six, and never closer than their own width.
        let widest = learningRates.map { c.textWidth(String(format: "%.2g", $0), size: 6.5) }.max() ?? 0
        let every = Swift.max(1, (columns + 5) / 6, Int((widest + 3) / cell) + 1)
        for (i, lr) in learningRates.enumerated() where i % every == 0 {
            c.text(String(format: "%.2g", lr), left + (Double(i) + 0.5) * cell, top + height + 9, anchor: "middle", size: 6.5)
        }
        let everyRow = Swift.max(1, (rows + 7) / 8)
        for (j, wd) in weightDecays.enumerated() where j % everyRow == 0 || j == rows - 1 {
            c.text(String(format: "%g", wd), left - 3, top + (Double(rows - 1 - j) + 0.5) * cell + 2.3, anchor: "end", size: 6.5)
        }
        c.text("decoder learning rate $η$_{D}", left + width / 2, top + height + 21, anchor: "middle")
        c.text("decoder weight decay", left - 28, top + height / 2, anchor: "middle", rotated: true)
        // Legend.
        let lx = left + width + 10
        for (k, phase) in (GrokkingPhase.allCases.map { Optional($0) } + [nil]).enumerated() {
            let ly = top + 4 + Double(k) * 12
            c.rect(lx, ly, 9, 9, fill: GrokkingMapPlot.color(phase), stroke: "#888", width: 0.4)
            c.text(phase?.rawValue ?? "tie", lx + 13, ly + 7.5, size: 7)
        }
        c.text("cell: majority;", lx, top + 84, size: 6.2)
        c.text("squares: seeds", lx, top + 92, size: 6.2)
        c.caption(caption, 8, top + height + 36, characters: Int((left + width + 80) / 3.2), lines: 5)
        return c.render(title: title)
    }
}
