import Foundation
import PrecisionModule
import FileIOModule

/// A fixed regression set: `count` examples, inputs row-major count × ``inputDimension``,
/// targets row-major count × ``outputDimension`` (float64).
public struct TrainingData: Sendable {
    /// Inputs, row-major.
    public let inputs: [Double]
    /// Targets, row-major.
    public let targets: [Double]
    /// Number of examples.
    public let count: Int
    /// n_0.
    public let inputDimension: Int
    /// K.
    public let outputDimension: Int
    /// One line saying where the data came from.
    public let summary: String

    /// A set from its arrays (sizes are checked).
    public init(inputs: [Double], targets: [Double], inputDimension: Int, outputDimension: Int, summary: String) {
        precondition(inputDimension >= 1 && outputDimension >= 1 && inputs.count % inputDimension == 0)
        precondition(targets.count == inputs.count / inputDimension * outputDimension)
        self.inputs = inputs; self.targets = targets
        self.count = inputs.count / inputDimension
        self.inputDimension = inputDimension; self.outputDimension = outputDimension
        self.summary = summary
    }

    /// Synthetic classification data from a random linear teacher: x ~ N(0, I_n) standardised
    /// per example (zero mean, unit variance over its coordinates, as Kalra & Barkeshli do with
    /// images), y = the one-hot vector of argmax_k (T x)_k with T a seeded Gaussian K × n matrix.
    /// With `randomLabels`, each label is instead drawn uniformly from the K classes independently of
    /// x (a memorisation task, on which the sharpness rises during training).
    public static func teacher(samples: Int, inputDimension n: Int, classes k: Int, seed: UInt64, randomLabels: Bool = false) -> TrainingData {
        precondition(samples >= 1 && n >= 2 && k >= 1)
        var rng = SplitMix64(seed: seed)
        var gauss = GaussianSampler()
        let teacher = (0..<(k * n)).map { _ in gauss.next(using: &rng) }
        var x = [Double](repeating: 0, count: samples * n)
        var y = [Double](repeating: 0, count: samples * k)
        for b in 0..<samples {
            var row = (0..<n).map { _ in gauss.next(using: &rng) }
            let mean = row.reduce(0, +) / Double(n)
            let sd = (row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
            row = row.map { ($0 - mean) / sd }
            for j in 0..<n { x[b * n + j] = row[j] }
            var best = 0, bestValue = -Double.infinity
            for c in 0..<k {
                var s = 0.0
                for j in 0..<n { s += teacher[c * n + j] * row[j] }
                if s > bestValue { bestValue = s; best = c }
            }
            y[b * k + (randomLabels ? Int(rng.next() % UInt64(k)) : best)] = 1
        }
        return TrainingData(inputs: x, targets: y, inputDimension: n, outputDimension: k,
                            summary: "\(randomLabels ? "random labels" : "teacher"): \(samples) Gaussian inputs in R^\(n) standardised per example, one-hot \(randomLabels ? "uniformly random labels" : "argmax of a random linear teacher"), \(k) classes, seed \(seed)")
    }

    /// The first `count` examples (a fixed measurement set).
    public func prefix(_ count: Int) -> TrainingData {
        let m = Swift.min(count, self.count)
        return TrainingData(inputs: Array(inputs[0..<(m * inputDimension)]), targets: Array(targets[0..<(m * outputDimension)]),
                            inputDimension: inputDimension, outputDimension: outputDimension, summary: summary + ", first \(m)")
    }
}
