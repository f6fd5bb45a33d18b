import ApproxRates
import ArgumentParser
import Foundation

/// The evaluation benchmark's Swift side (scripts/bench.sh drives it; docs/performance.md).
struct BenchEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-eval",
        abstract: "Benchmark: batch evaluation of a dense ReLU network (8 x 64, 256 points).",
        discussion: "Writes the network and inputs as text for the peer programs, evaluates, prints timings as JSON lines.",
        shouldDisplay: false
    )

    @Option(help: "Precision in bits; 53 also runs the float64 path.") var precision: Int = 256
    @Option(help: "Folder for the shared input and the outputs.") var out: String = "Benchmarks/out"
    @Option(help: "Repetitions (the best time is kept).") var repeats: Int = 3
    @Option(help: "Points in the batch.") var points: Int = 256

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let p = try Precision(bits: precision)
        let width = 64, depth = 8
        var rng = SplitMix64(seed: 2024)
        func random(_ scale: Int) -> BigFloat { BigFloat.random(precision: p, exponent: scale, using: &rng) }
        var layers: [AffineLayer] = []
        for l in 0..<depth {
            let rows = (0..<width).map { _ in (0..<width).map { _ in random(-2) } }
            let bias = (0..<width).map { _ in random(-3) }
            layers.append(try AffineLayer(rows: rows, bias: bias, activations: Array(repeating: l == depth - 1 ? .identity : .relu, count: width), precision: p))
        }
        let net = try Network(inputDimension: width, layers: layers)
        let inputs = (0..<points).map { _ in (0..<width).map { _ in random(0) } }
        // Shared text: dims, then per layer weights (row-major) and biases, then inputs; decimal round-trip strings.
        var text = "\(precision) \(depth) \(width) \(points)\n"
        for layer in layers { text += layer.weights.map(\.roundTripString).joined(separator: " ") + "\n" + layer.bias.map(\.roundTripString).joined(separator: " ") + "\n" }
        for x in inputs { text += x.map(\.roundTripString).joined(separator: " ") + "\n" }
        try AtomicFile.write(text, to: "\(out)/problem-\(precision).txt")

        let evaluator = MPFREvaluator(network: net, precision: p)
        let batch = MPFRArray(inputs.flatMap { $0 }, precision: p)
        for threads in [1, 2] {
            var best = Double.infinity
            var result: MPFRArray? = nil
            for _ in 0..<repeats {
                let t0 = DispatchTime.now().uptimeNanoseconds
                result = try evaluator.evaluate(batch: batch, threads: threads)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            if threads == 1 {
                try AtomicFile.write(result!.values.map(\.hexString).joined(separator: "\n") + "\n", to: "\(out)/swift-\(precision).txt")
            }
            print("{\"impl\": \"swift-mpfr\", \"precision\": \(precision), \"threads\": \(threads), \"points\": \(points), \"seconds\": \(best)}")
        }
        if precision == 53 {
            let evaluator = DoubleEvaluator(network: net)
            let flat = inputs.flatMap { $0 }.map { $0.toDouble() }
            for threads in [1, 2] {
                var best = Double.infinity
                for _ in 0..<max(repeats, 50) {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    _ = try evaluator.evaluate(batch: flat, threads: threads)
                    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                }
                print("{\"impl\": \"swift-float64\", \"precision\": 53, \"threads\": \(threads), \"points\": \(points), \"seconds\": \(best)}")
            }
        }
    }
}
