import ArgumentParser
import ApproxRates
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The built-in demonstration: Yarotsky's squaring network in MPFR against float64.",
        discussion: """
        For m = 1 ... --m-max builds f_m (depth m + 1, W_all = 10m), evaluates it at cell \
        midpoints (2k+1)/2^(m+1) in MPFR at 2m + 64 bits and in float64, and compares the \
        error |f_m(x) - x^2| with the theorem's 2^(-2m-2). MPFR reproduces the theorem to the \
        last bit for every m; float64 stops following it near m = 26. Writes the table as CSV \
        and the largest network as JSON into --output.

        Example:
          approx-cli demo --output out --m-max 40
        """
    )

    @Option(name: .long, help: "Folder for squaring.csv and the network file.")
    var output: String = "out"

    @Option(name: .long, help: "Largest m (1 to 200).")
    var mMax: Int = 40

    @Option(name: .long, help: "Midpoints sampled per m (at most 2^m; 1 to 100000).")
    var samples: Int = 256

    func validate() throws {
        guard (1...200).contains(mMax) else { throw ValidationError("--m-max \(mMax): allowed 1 to 200") }
        guard (1...100_000).contains(samples) else { throw ValidationError("--samples \(samples): allowed 1 to 100000") }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let interactive = isatty(2) != 0
        var table = TextTable(header: ["m", "W_all", "depth", "bits", "pieces", "error (MPFR)", "/ 2^(-2m-2)", "error (float64)", "/ 2^(-2m-2)"])
        var last: Network? = nil
        let start = Date()
        for m in 1...mMax {
            if interactive { FileOutput.standardError("\rsquaring network m = \(m)/\(mMax) ...") }
            let net = Squaring.network(m: m)
            last = net
            let precision = try Precision(bits: 2 * m + 64)
            let count = m >= 40 ? samples : min(samples, 1 << m)
            // Stratified sample of cells: one random cell k in each of `count` equal blocks, so the
            // midpoints (2k+1)/2^(m+1) carry all m + 1 significant bits (seeded, reproducible).
            var rng = SplitMix64(seed: UInt64(m))
            let cells = m >= 62 ? UInt64.max : UInt64(1) << UInt64(m)
            let block = max(cells / UInt64(count), 1)
            let xs: [BigFloat] = (0..<count).map { j in
                let k = UInt64(j) &* block &+ rng.next() % block
                return try! BigFloat(parsing: "0x\(String(2 &* k &+ 1, radix: 16))p-\(m + 1)", precision: precision)
            }
            let exactSquares = xs.map { $0.multiplied(by: $0, precision: try! Precision(bits: 4 * m + 140)) }
            let mp = try MPFREvaluator(network: net, precision: precision).evaluate(xs.map { [$0] })
            let fp = try DoubleEvaluator(network: net).evaluate(xs.map { [$0.toDouble()] })
            let wide = try Precision(bits: 4 * m + 200)
            func maxError(_ ys: [BigFloat]) -> BigFloat {
                zip(ys, exactSquares).map { $0.subtracting($1, precision: wide).magnitude() }.max()!
            }
            let errorMP = maxError(mp.map { $0[0] })
            let errorFP = maxError(fp.map { BigFloat($0[0]) })
            let theory = Squaring.theoreticalError(m: m)
            let pieces = m <= 14 ? String(try net.linearPieces(from: BigFloat(0.0), to: BigFloat(1.0)).count) : "-"
            table.append([String(m), String(net.counts.weightsAll), String(net.counts.depth), String(precision.bits), pieces,
                          errorMP.formatted(significantDigits: 6), errorMP.divided(by: theory).formatted(significantDigits: 6),
                          errorFP.formatted(significantDigits: 6), errorFP.divided(by: theory).formatted(significantDigits: 6)])
        }
        if interactive { FileOutput.standardError("\r" + String(repeating: " ", count: 40) + "\r") }
        print("Yarotsky's squaring network f_m: sup |f_m(x) - x^2| over \(samples) cell midpoints (theory: 2^(-2m-2), attained at every midpoint)")
        print(table.render(), terminator: "")
        try AtomicFile.write(table.csv(), to: output + "/squaring.csv")
        if let net = last { try NetworkFile.save(net, to: output + "/squaring-m\(mMax).json") }
        print("wrote \(output)/squaring.csv and \(output)/squaring-m\(mMax).json in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}

