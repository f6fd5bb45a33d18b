import ArgumentParser
import ApproxRates
import Foundation

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a network file at points, in MPFR or float64.",
        discussion: """
        Points come from --at (repeatable; coordinates separated by commas), --grid a:b:n \
        (n evenly spaced points on [a, b], 1-D networks) or --points FILE (one point per line, \
        '#' starts a comment). Coordinates are decimal or hex floats, rounded to the working \
        precision. Every product and sum is rounded to the working precision (round-to-nearest), \
        in the order documented in docs/evaluation.md.

        Examples:
          approx-cli eval net.json --at 0.3 --at 0.7 --precision 256
          approx-cli eval net.json --grid 0:1:11 --digits 30 --format csv
          approx-cli eval net.json --points pts.txt --double --format json
        """
    )

    @Argument(help: "Network file (JSON, docs/network-format.md).")
    var network: String

    @Option(name: .long, help: ArgumentHelp("A point; repeat for more.", valueName: "x1,x2,..."))
    var at: [String] = []

    @Option(name: .long, help: ArgumentHelp("n evenly spaced points from a to b (1-D input).", valueName: "a:b:n"))
    var grid: String?

    @Option(name: .long, help: ArgumentHelp("A file with one point per line.", valueName: "file"))
    var points: String?

    @OptionGroup var precisionOptions: PrecisionOptions

    @Option(name: .long, help: "Significant digits to print (default: enough to read back every bit).")
    var digits: Int?

    @Option(name: .long, help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        try checkDigits(digits)
        try checkThreads(threads)
        let sources = (at.isEmpty ? 0 : 1) + (grid == nil ? 0 : 1) + (points == nil ? 0 : 1)
        if sources != 1 { throw ValidationError("give the points in exactly one way: --at, --grid or --points") }
    }

    func run() throws {
        let net = try loadNetwork(network)
        let precision = precisionOptions.double ? Precision.double : precisionOptions.resolved(for: net)
        // Parse with a few more bits than the working precision so that --double rounds once.
        let parsePrecision = Precision.max(precision, try Precision(bits: 64))
        let inputs = try readPoints(dimension: net.inputDimension, precision: parsePrecision, output: precision, network: net)
        var outputs: [[String]] = []
        var exactWeights = true
        if precisionOptions.double {
            let doubles = inputs.map { $0.map { $0.toDouble() } }
            let evaluator = DoubleEvaluator(network: net)
            let values = try evaluator.evaluate(doubles, threads: threads)
            exactWeights = evaluator.roundedWeightCount == 0
            outputs = values.map { $0.map { show(BigFloat($0)) } }
        } else {
            let evaluator = MPFREvaluator(network: net, precision: precision)
            exactWeights = evaluator.weightsExact
            outputs = try evaluator.evaluate(inputs, threads: threads).map { $0.map(show) }
        }
        let xs = inputs.map { $0.map { show(BigFloat($0, precision: precision)) } }
        if !exactWeights {
            printError("note: some weights were rounded to \(precisionOptions.double ? "float64" : "\(precision.bits) bits"); the network's weights need \(net.weightPrecision.bits) bits")
        }
        let d = net.inputDimension, m = net.outputDimension
        switch format {
        case .table, .csv:
            var table = TextTable(header: (d == 1 ? ["x"] : (1...d).map { "x\($0)" }) + (m == 1 ? ["y"] : (1...m).map { "y\($0)" }))
            for (x, y) in zip(xs, outputs) { table.append(x + y) }
            print(format == .csv ? table.csv() : table.render(), terminator: "")
        case .json:
            let arithmetic = precisionOptions.double ? "\"float64\"" : "\"mpfr\""
            var text = "{\"arithmetic\": \(arithmetic), \"precision\": \(precision.bits), \"weights_exact\": \(exactWeights), \"points\": [\n"
            text += zip(xs, outputs).map { x, y in
                "  {\"x\": [\(x.map { "\"\($0)\"" }.joined(separator: ", "))], \"y\": [\(y.map { "\"\($0)\"" }.joined(separator: ", "))]}"
            }.joined(separator: ",\n")
            print(text + "\n]}")
        }
    }

    func show(_ v: BigFloat) -> String {
        if let d = digits, v.isFinite, !v.isZero { return v.formatted(significantDigits: d) }
        return v.roundTripString
    }

    /// Checks `count` points against the evaluation-points cap and the memory they need: each
    /// point's inputs and outputs at the working precision, their printed digits, and the
    /// network's weights converted to that precision.
    func checkPoints(_ count: Int, _ what: String, precision: Precision, network: Network) throws {
        try ResourceLimits.check(count, what, against: ResourceLimits.evaluationPoints)
        let numbers = Double(count) * Double(network.inputDimension + network.outputDimension)
        let printed = Double(digits ?? precision.roundTripDecimalDigits) + 16
        let bytes = numbers * (ResourceLimits.bytesPerNumber(bits: precision.bits) + 2 * printed)
            + Double(network.counts.weightsAll) * ResourceLimits.bytesPerNumber(bits: precision.bits)
        try ResourceLimits.checkMemory(bytes, for: "\(what) \(count) points at \(precision.bits) bits")
    }

    func readPoints(dimension: Int, precision: Precision, output: Precision, network: Network) throws -> [[BigFloat]] {
        func coordinates(_ text: String, _ place: String) throws -> [BigFloat] {
            let parts = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
            guard parts.count == dimension else {
                throw CLIError("\(place): '\(text)' has \(parts.count) coordinates; the network takes \(dimension)")
            }
            return try parts.map { part in
                let v: BigFloat
                do { v = try BigFloat(parsing: part, precision: precision) } catch { throw CLIError("\(place): \(error)") }
                guard v.isFinite else { throw CLIError("\(place): '\(part)' is not finite; inputs must be finite numbers") }
                return v
            }
        }
        if !at.isEmpty {
            try checkPoints(at.count, "--at, given", precision: output, network: network)
            return try at.map { try coordinates($0, "--at") }
        }
        if let g = grid {
            let parts = g.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let n = ResourceLimits.parseCount(parts[2]) else {
                throw CLIError("--grid '\(g.prefix(60))': expected a:b:n with a whole number n of points, e.g. 0:1:11")
            }
            guard dimension == 1 else { throw CLIError("--grid is for networks with one input; this one has \(dimension): use --at or --points") }
            try checkPoints(n, "--grid \(g.prefix(60)) asks for", precision: output, network: network)
            let a = try coordinates(parts[0], "--grid start")[0], b = try coordinates(parts[1], "--grid end")[0]
            if n == 1 { return [[a]] }
            let span = b.subtracting(a, precision: precision)
            return (0..<n).map { k in
                [a.adding(span.multiplied(by: BigFloat(k), precision: precision).divided(by: BigFloat(n - 1), precision: precision), precision: precision)]
            }
        }
        let path = points!
        let data = try AtomicFile.read(path)
        let text = String(decoding: data, as: UTF8.self)
        var lines: [(number: Int, content: String)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = (line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "")
                .trimmingCharacters(in: .whitespaces)
            if !content.isEmpty { lines.append((number + 1, content)) }
        }
        guard !lines.isEmpty else { throw CLIError("\(path): no points in the file") }
        try checkPoints(lines.count, "\(path), holding", precision: output, network: network)
        return try lines.map { try coordinates($0.content, "\(path) line \($0.number)") }
    }
}
