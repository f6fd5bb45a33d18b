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
        construction's precision (the tables need about 2KB bits) and checked at twice that \
        precision. The rows are fitted as error ~ exp(-c W^beta), and -o writes log error \
        against W^(1/2) and against W.

        Examples:
          approx-cli sine --target smooth-sine
          approx-cli sine --target "exp(x)*sin(3*x)" --smoothness 2 --cells 8 --degrees 2,4,8,16 --bits 160 -o sine.svg
        """
    )

    @OptionGroup var targetOptions: TargetOptions

    @Option(name: .long, help: "Cells K per grid (a power of two, 2 to 1024).")
    var cells: Int = 8

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
        guard cells >= 2, cells <= 1024, cells & (cells - 1) == 0 else { throw ValidationError("--cells \(cells) is not allowed: use a power of two from 2 to 1024") }
        guard (16...4096).contains(bits) else { throw ValidationError("--bits \(bits) is not allowed: use 16 to 4096") }
        guard parsedDegrees() != nil else { throw ValidationError("--degrees '\(degrees)' is not allowed: use integers from 0 to 60 separated by commas") }
    }

    func parsedDegrees() -> [Int]? {
        let parts = degrees.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && (0...60).contains($0!) }) else { return nil }
        return parts.map { $0! }
    }

    func run() throws {
        let target = try targetOptions.make()
        guard target.dimension == 1 else { throw CLIError("--target: the sine lookup needs a 1-D target, not d = \(target.dimension)") }
        let levels = Int(log2(Double(cells)))
        let precision = SineLookup.precision(levels: levels, bits: bits)
        var rows: [(degree: Int, counts: NetworkCounts, result: SupNormResult, seconds: Double)] = []
        let progress = Progress(total: parsedDegrees()!.count)
        for n in parsedDegrees()! {
            progress.note("degree \(n): building and measuring…")
            let start = Date()
            let net: Network
            do { net = try SineLookup.network(target, levels: levels, degree: n, bits: bits) }
            catch let e as ConstructionError { throw CLIError("sine: \(flagged(e))") }
            var options = SupNorm.Options(precision: precision, threads: threads)
            ConstructionRegistry.applySearchHints(of: net, to: &options)
            let result = try SupNorm.measure(net, against: target, options: options)
            rows.append((n, net.counts, result, Date().timeIntervalSince(start)))
            progress.note("degree \(n): error \(result.error.toDouble())")
        }
        progress.finish()
        let rate = try? ExponentialRate(weights: rows.map { Double($0.counts.weightsAll) }, errors: rows.map { $0.result.error.toDouble() })
        if json {
            var object: [String: Any] = ["target": ["name": target.name, "summary": target.summary], "cells": cells, "bits": bits,
                                         "precision": precision.bits]
            object["rows"] = rows.map { r -> [String: Any] in
                ["degree": r.degree, "W_all": r.counts.weightsAll, "W_nz": r.counts.weightsNonzero, "depth": r.counts.depth,
                 "error": r.result.error.description, "error_value": r.result.error.toDouble(), "argmax": r.result.argmax,
                 "guard_digits": r.result.agreeingDigits, "seconds": r.seconds]
            }
            object["fit"] = rate.map { ["beta": $0.beta, "beta_low": $0.fit.pLow ?? NSNull(), "beta_high": $0.fit.pHigh ?? NSNull(),
                                        "c": $0.constant, "points": $0.fit.count] as [String: Any] } ?? NSNull()
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("target        \(target.summary)  (d = 1)")
            print("construction  sine lookup: K = \(cells) cells on two shifted grids, \(bits) bits per table entry, \(precision.bits)-bit MPFR; guard at twice the precision")
            print("")
            var table = TextTable(header: ["degree", "W_all", "W_nz", "depth", "error", "argmax", "digits", "seconds"])
            for r in rows {
                table.append([String(r.degree), String(r.counts.weightsAll), String(r.counts.weightsNonzero), String(r.counts.depth),
                           String(format: "%.4e", r.result.error.toDouble()), String(format: "%.6g", r.result.argmax[0]),
                           String(r.result.agreeingDigits), String(format: "%.2f", r.seconds)])
            }
            print(table.render())
            if let rate {
                let interval = rate.fit.pLow.map { String(format: " [%.3f, %.3f]", $0, rate.fit.pHigh!) } ?? ""
                print("")
                print("fit           error ~ exp(-c W^beta): beta = \(String(format: "%.3f", rate.beta))\(interval), c = \(String(format: "%.4g", rate.constant))  (95% interval, \(rate.fit.count) points)")
            }
        }
        if let output {
            let svg = ExponentialRatePlot(rows: rows.map { (Double($0.counts.weightsAll), $0.result.error.toDouble()) },
                                          title: "\(target.summary): sine lookup, K = \(cells), B = \(bits)" + (rate.map { String(format: ", beta = %.3f", $0.beta) } ?? "")).svg()
            try AtomicFile.write(svg, to: output)
            if output.hasSuffix(".svg") { _ = try? Rasterizer.png(from: output, to: String(output.dropLast(4)) + ".png") }
        }
    }
}
