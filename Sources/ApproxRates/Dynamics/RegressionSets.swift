import Foundation
import PrecisionModule
import FileIOModule

/// The small regression sets of the two-layer experiments (scalar targets, float64), by name, or
/// read from a CSV file.
public enum RegressionSets {
    /// The built-in names, with one line each on what they are.
    public static let builtIn: [(name: String, summary: String)] = [
        ("points4", "4 points x = -0.75, -0.25, 0.25, 0.75 -> y = 0.3, -0.2, 0.4, -0.1 (the team's prototype)"),
        ("points3", "3 points x = -0.5, 0, 0.5 -> y = -0.5, 0, 1 (Luo et al.'s 1-D script)"),
        ("teacher", "32 Gaussian inputs in R^8 (N(0, I/8)), y = 2 ReLU(v.x) for a seeded unit vector v (one-neuron teacher)"),
    ]

    /// The set called `name` (see ``builtIn``), nil for an unknown name.
    public static func named(_ name: String) -> TrainingData? {
        switch name {
        case "points4":
            return TrainingData(inputs: [-0.75, -0.25, 0.25, 0.75], targets: [0.3, -0.2, 0.4, -0.1], inputDimension: 1, outputDimension: 1,
                                summary: "points4: " + builtIn[0].summary)
        case "points3":
            return TrainingData(inputs: [-0.5, 0, 0.5], targets: [-0.5, 0, 1], inputDimension: 1, outputDimension: 1,
                                summary: "points3: " + builtIn[1].summary)
        case "teacher":
            return teacher(samples: 32, inputDimension: 8, seed: DefaultSeed.trainingData)
        default:
            return nil
        }
    }

    /// `samples` inputs x ~ N(0, I/d) in R^d and targets y = 2 ReLU(v·x) for a unit vector v drawn
    /// from the seeded generator (so |v·x| is about 1/√d·|N(0,1)|·√d = O(1)).
    public static func teacher(samples: Int, inputDimension d: Int, seed: UInt64) -> TrainingData {
        var rng = SplitMix64(seed: seed)
        var gauss = GaussianSampler()
        var v = (0..<d).map { _ in gauss.next(using: &rng) }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        v = v.map { $0 / norm }
        var x = [Double](repeating: 0, count: samples * d), y = [Double](repeating: 0, count: samples)
        let scale = 1 / Double(d).squareRoot()
        for i in 0..<samples {
            var dot = 0.0
            for j in 0..<d { x[i * d + j] = scale * gauss.next(using: &rng); dot += v[j] * x[i * d + j] }
            y[i] = 2 * Swift.max(0, dot)
        }
        return TrainingData(inputs: x, targets: y, inputDimension: d, outputDimension: 1,
                            summary: "teacher: \(samples) Gaussian inputs in R^\(d) (N(0, I/\(d))), y = 2 ReLU(v.x) for a unit v, seed \(seed)")
    }

    /// Largest number of rows and of input columns a CSV set may have.
    public static let maximumRows = 10_000, maximumColumns = 1_024
    /// Largest magnitude of a CSV value (larger ones overflow the squared-error loss in float64).
    public static let maximumMagnitude = 1e6

    /// A set from CSV text: one example per line, the inputs then the target, comma separated; an
    /// optional header line (any non-numeric first line); blank lines skipped. Every row must have
    /// the same number (≥ 2) of finite numbers. Throws naming the line and what is allowed.
    public static func csv(_ text: String, source: String) throws -> TrainingData {
        var rows: [[Double]] = []
        var columns: Int? = nil
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let values = cells.map { Double($0) }
            if rows.isEmpty && columns == nil && values.contains(where: { $0 == nil }) { columns = cells.count; continue }   // header
            guard cells.count >= 2, cells.count <= maximumColumns + 1 else {
                throw FileError(path: source, reason: "line \(n + 1) has \(cells.count) column(s); give 2 to \(maximumColumns + 1): the inputs, then the target")
            }
            if let c = columns, c != cells.count {
                throw FileError(path: source, reason: "line \(n + 1) has \(cells.count) columns, the first line has \(c); give every row the same columns")
            }
            columns = cells.count
            guard let numbers = values as? [Double], numbers.allSatisfy({ $0.isFinite && Swift.abs($0) <= maximumMagnitude }) else {
                let bad = cells.first { Double($0).map { !($0.isFinite && Swift.abs($0) <= maximumMagnitude) } ?? true } ?? ""
                throw FileError(path: source, reason: "line \(n + 1): '\(bad.prefix(40))' is not a finite number of magnitude at most 1e6")
            }
            rows.append(numbers)
            guard rows.count <= maximumRows else {
                throw FileError(path: source, reason: "more than \(maximumRows) rows; give at most \(maximumRows) examples")
            }
        }
        guard let c = rows.first?.count else { throw FileError(path: source, reason: "has no rows of numbers; give lines x1,...,xd,y") }
        return TrainingData(inputs: rows.flatMap { $0.dropLast() }, targets: rows.map { $0[c - 1] }, inputDimension: c - 1, outputDimension: 1,
                            summary: "\(source): \(rows.count) examples in R^\(c - 1)")
    }
}
