import ArgumentParser
import ApproxRates
import Foundation

struct Sine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sine",
        abstract: "Grow the sine-and-ReLU lookup network on a 1-D target, measure its errors in MPFR, fit exp(-c W^beta).",
        discussion: """
        For each Taylor degree n, the network of SineLookup (docs/beyond-relu.md) with K cells \
        and B bits per table entry is built, its sup-norm error computed in MPFR at the \
        construction's precision (the tables need about 2KB bits), each sine's result rounded \
        to the B + 268 bits the construction needs, and checked at twice both precisions. The rows are fitted as error ~ exp(-c W^beta), and -o writes log error \
        against W^(1/2) and against W.

        Examples:
          approx-cli sine --target smooth-sine
          approx-cli sine --target "exp(x)*sin(3*x)" --smoothness 2 --cells 8 --degrees 2,4,8,16 --bits 160 -o sine.svg
        """
    )

    @OptionGroup var targetOptions: TargetOptions

    @Option(name: .long, help: ArgumentHelp("Cells K per grid: a power of two from 2 to 4096, or several separated by commas (one network per K and degree: growing tables for a Hölder target at degree 0).", valueName: "K1,K2,..."))
    var cells: String = "8"

    @Option(name: .long, help: ArgumentHelp("Taylor degrees, one network each.", valueName: "n1,n2,..."))
    var degrees: String = "2,4,6,8,12,16,20"

    @Option(name: .long, help: "Bits B per table entry (16 to 4096).")
    var bits: Int = 128

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false

    @Option(name: [.short, .long], help: ArgumentHelp("Write the plot (SVG; PNG beside it when rsvg-convert is installed).", valueName: "file.svg"))
    var output: String?

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard parsedCells() != nil else { throw ValidationError("--cells '\(cells)' is not allowed: use powers of two from 2 to 4096 separated by commas") }
        guard (16...4096).contains(bits) else { throw ValidationError("--bits \(bits) is not allowed: use 16 to 4096") }
        guard parsedDegrees() != nil else { throw ValidationError("--degrees '\(degrees)' is not allowed: use integers from 0 to 60 separated by commas") }
    }

    func parsedCells() -> [Int]? {
        let parts = cells.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.count <= 64, parts.allSatisfy({ $0 != nil && $0! >= 2 && $0! <= 4096 && $0! & ($0! - 1) == 0 }) else { return nil }
        return parts.map { $0! }
    }

    @Option(name: .long, help: ArgumentHelp("JSON-lines file of finished rows: each row is appended when measured, and a rerun with the same target and bits reads it back instead of measuring.", valueName: "file"))
    var checkpoint: String?

    func parsedDegrees() -> [Int]? {
        let parts = degrees.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && (0...60).contains($0!) }) else { return nil }
        return parts.map { $0! }
    }

    func run() throws {
        let target = try targetOptions.make()
        guard target.dimension == 1 else { throw CLIError("--target: the sine lookup needs a 1-D target, not d = \(target.dimension)") }
        let sizes = parsedCells()!, degrees = parsedDegrees()!
        var rows: [SineRow] = []
        let journal = checkpoint.map { JSONLinesJournal<SineRow>(path: $0, recordName: "sine row") }
        // Rows read back only when measured the same way: sine results at the same bits (rows of the
        // earlier full-precision evaluator have none and are measured again).
        let sineBits = SineLookup.resultBits(bits: bits)
        let saved = try journal?.read().filter { $0.target == target.summary && $0.bits == bits && $0.sinePrecision == sineBits } ?? []
        let progress = Progress(total: sizes.count * degrees.count)
        for k in sizes {
            let levels = Int(log2(Double(k)))
            let precision = SineLookup.precision(levels: levels, bits: bits)
            for n in degrees {
                if let done = saved.first(where: { $0.cells == k && $0.degree == n }) {
                    rows.append(done); progress.note("K = \(k), degree \(n): read back from \(checkpoint!)"); continue
                }
                progress.note("K = \(k), degree \(n): building and measuring at \(precision.bits) bits…")
                let start = Date()
                let net: Network
                do { net = try SineLookup.network(target, levels: levels, degree: n, bits: bits) }
                catch let e as ConstructionError { throw CLIError("sine: \(flagged(e))") }
                var options = SupNorm.Options(precision: precision, threads: threads)
                ConstructionRegistry.applySearchHints(of: net, to: &options)
                let result = try SupNorm.measure(net, against: target, options: options)
                let row = SineRow(target: target.summary, cells: k, degree: n, bits: bits, precision: precision.bits, weightsAll: net.counts.weightsAll,
                                  weightsNonzero: net.counts.weightsNonzero, depth: net.counts.depth, error: result.error.description,
                                  errorValue: result.error.toDouble(), argmax: result.argmax, guardDigits: result.agreeingDigits,
                                  seconds: Date().timeIntervalSince(start), sinePrecision: options.sinePrecision?.bits)
                try journal?.append(row)
                rows.append(row)
                progress.note("K = \(k), degree \(n): error \(row.errorValue)")
            }
        }
        progress.finish()
        let rate = try? ExponentialRate(weights: rows.map { Double($0.weightsAll) }, errors: rows.map(\.errorValue))
        // Local slopes of ln error against ln W between consecutive rows (a power law has them
        // constant; exp(−c W^β) has them rising like βcW^β).
        let slopes = zip(rows, rows.dropFirst()).map { a, b in -(log(b.errorValue) - log(a.errorValue)) / (log(Double(b.weightsAll)) - log(Double(a.weightsAll))) }
        if json {
            var object: [String: Any] = ["target": ["name": target.name, "summary": target.summary, "smoothness": target.smoothness],
                                         "cells": sizes, "bits": bits, "local_slopes": slopes]
            object["rows"] = rows.map { r -> [String: Any] in
                ["cells": r.cells, "degree": r.degree, "precision": r.precision, "sine_precision": r.sinePrecision ?? r.precision, "W_all": r.weightsAll, "W_nz": r.weightsNonzero, "depth": r.depth,
                 "error": r.error, "error_value": r.errorValue, "argmax": r.argmax, "guard_digits": r.guardDigits, "seconds": r.seconds]
            }
            object["fit"] = rate.map { ["beta": $0.beta, "beta_low": $0.fit.pLow ?? NSNull(), "beta_high": $0.fit.pHigh ?? NSNull(),
                                        "c": $0.constant, "points": $0.fit.count] as [String: Any] } ?? NSNull()
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("target        \(target.summary)  (d = 1)")
            print("construction  sine lookup: K cells on two shifted grids, \(bits) bits per table entry, MPFR at B(2K + 1) + 256 bits, sine results rounded to B + 268 = \(sineBits) bits; guard at twice both")
            print("")
            var table = TextTable(header: ["K", "degree", "bits in a weight", "W_all", "W_nz", "depth", "error", "argmax", "digits", "seconds"])
            for r in rows {
                table.append([String(r.cells), String(r.degree), String(r.cells * bits), String(r.weightsAll), String(r.weightsNonzero), String(r.depth),
                              String(format: "%.4e", r.errorValue), String(format: "%.6g", r.argmax[0]), String(r.guardDigits), String(format: "%.2f", r.seconds)])
            }
            print(table.render())
            if !slopes.isEmpty {
                print("")
                print("local slopes  " + slopes.map { String(format: "%.3f", $0) }.joined(separator: " ") + "  (-d ln error / d ln W between consecutive rows; 2r/d = \(String(format: "%.3g", 2 * target.smoothness)))")
            }
            if let rate {
                let interval = rate.fit.pLow.map { String(format: " [%.3f, %.3f]", $0, rate.fit.pHigh!) } ?? ""
                print("")
                print("fit           error ~ exp(-c W^beta): beta = \(String(format: "%.3f", rate.beta))\(interval), c = \(String(format: "%.4g", rate.constant))  (95% interval, \(rate.fit.count) points)")
            }
        }
        if let output {
            let svg = ExponentialRatePlot(rows: rows.map { (Double($0.weightsAll), $0.errorValue) },
                                          title: "\(target.summary): sine lookup, K = \(cells), B = \(bits)" + (rate.map { String(format: ", beta = %.3f", $0.beta) } ?? "")).svg()
            try AtomicFile.write(svg, to: output)
            if output.hasSuffix(".svg") { _ = try? Rasterizer.png(from: output, to: String(output.dropLast(4)) + ".png") }
        }
    }
}

/// One measured sine-lookup network (a line of `sine --checkpoint`).
struct SineRow: Codable {
    var target: String
    var cells: Int, degree: Int, bits: Int, precision: Int
    var weightsAll: Int, weightsNonzero: Int, depth: Int
    var error: String, errorValue: Double, argmax: [Double], guardDigits: Int, seconds: Double
    /// Bits of each sine result (``SineLookup/resultBits(bits:)``); nil in rows measured with sine
    /// results at the full precision.
    var sinePrecision: Int? = nil
}
