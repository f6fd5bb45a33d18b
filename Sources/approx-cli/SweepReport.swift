import ApproxRates
import Foundation

/// The files made from a complete set of sweep points: the rate table in four formats, the phase
/// diagram and one log-log plot per experiment (SVG, and PNG when rsvg-convert is installed).
enum SweepReport {
    /// Writes rates.{csv,json,md,tex}, phase-diagram.svg and plots/<experiment>.svg (+ .png) into
    /// `folder`, atomically each; returns the paths written, the rates and the experiments that could not be fitted.
    static func write(_ points: [SweepPoint], to folder: String, command: String) throws -> (files: [String], rates: [MeasuredRate], skipped: [String]) {
        let (fitted, skipped) = MeasuredRate.fits(points)
        let rates = fitted.map(\.rate)
        let table = RateTable(rates: rates, command: command)
        var files: [String] = []
        func put(_ text: String, _ name: String) throws {
            let path = folder + "/" + name
            try AtomicFile.write(text, to: path)
            files.append(path)
            if name.hasSuffix(".svg"), try Rasterizer.png(from: path, to: String(path.dropLast(4)) + ".png") {
                files.append(String(path.dropLast(4)) + ".png")
            }
        }
        try put(table.csv(), "rates.csv")
        try put(try table.json(), "rates.json")
        try put(table.markdown(), "rates.md")
        try put(table.latex(), "rates.tex")
        if !rates.isEmpty { try put(PhaseDiagramPlot(rates: rates).svg(), "phase-diagram.svg") }
        try FileManager.default.createDirectory(atPath: folder + "/plots", withIntermediateDirectories: true)
        AtomicFile.removeLeftovers(inFolder: folder + "/plots")
        for (rate, estimate) in fitted {
            let baseline = rate.baseline.flatMap { name in fitted.first { $0.rate.experiment == name } }
            try put(RatePlot(rate: rate, estimate: estimate, baseline: baseline).svg(), "plots/\(fileName(rate.experiment)).svg")
        }
        return (files, rates, skipped)
    }

    static func fileName(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }

    /// The table in words, for the terminal.
    static func summary(_ rates: [MeasuredRate]) -> String {
        var t = TextTable(header: ["experiment", "r", "d", "construction", "W range", "p", "95% t", "95% bootstrap", "theory", "region", "interp./deep", "established"])
        for r in rates {
            let ci = r.pLow.map { String(format: "[%.3f, %.3f]", $0, r.pHigh!) } ?? "-"
            let boot = r.bootstrapLow.map { String(format: "[%.3f, %.3f]", $0, r.bootstrapHigh!) } ?? "-"
            t.append([r.experiment, r.smoothness.formatted(), String(r.dimension), r.construction + (r.construction == DeepConstruction.name ? " α=\(r.depthExponent.formatted())" : ""),
                      "\(r.weightsMin)…\(r.weightsMax)", String(format: "%.3f", r.p), ci, boot, String(format: "%.3f", r.pTheory), r.region,
                      r.baselineRatio.map { String(format: "%.2f", $0) } ?? "-", r.established ?? "-"])
        }
        var lines = [t.render()]
        for r in rates where !r.excluded.isEmpty { lines.append("excluded in \(r.experiment): \(r.excluded)") }
        for r in rates where r.verdictNoted { lines.append("\(r.experiment): \(r.verdict)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A progress bar on standard error when it is a terminal: jobs done of total, the job running,
/// elapsed time and an ETA weighted by the jobs' cost estimates. When standard error is not a
/// terminal (logs, Slurm), one line per finished job instead.
final class ProgressBar: @unchecked Sendable {
    let terminal = isatty(2) != 0
    let start = Date()
    var costDone = 0.0, costTotal = 0.0, costMeasured = 0.0
    init(costTotal: Double, costDone: Double) { self.costTotal = costTotal; self.costDone = costDone }

    func update(done: Int, total: Int, note: String) {
        guard terminal else { return }
        let width = 24, filled = total == 0 ? width : width * done / total
        let elapsed = Date().timeIntervalSince(start)
        var eta = ""
        if costMeasured > 0 { eta = String(format: "  ETA %.0f s", elapsed / costMeasured * (costTotal - costDone)) }
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileOutput.standardError("\r\u{1B}[K[\(bar)] \(done)/\(total)  \(String(format: "%.0f", elapsed)) s\(eta)  \(note)")
    }

    func finished(cost: Double, measured: Bool, line: String) {
        costDone += cost
        if measured { costMeasured += cost }
        if !terminal { FileOutput.standardError(line + "\n") }
    }

    func end() { if terminal { FileOutput.standardError("\r\u{1B}[K") } }
}
