import Foundation
import PrecisionModule
import FileIOModule

/// Seconds per draw of a rate measurement, by construction, fitted on measured points
/// (docs/performance.md, "Cost model").
///
/// For each class of experiments (construction, dimension, activation, and α for the deep
/// construction) the model is t(W) = c·W^a seconds per draw on one measurement with the threads
/// it had, fitted by least squares of ln t on ln W over the measured points of that class. W is
/// the construction's own function of its grid sizes (deep, 1-D: W ≈ 20N + 60M; 2-D:
/// W ≈ 4(40(N + 1)² + 60M²); interpolation W ≈ 3N; …), so t is a function of N and M through W.
/// `sweep` orders and balances its jobs by the predicted seconds and prints the total before
/// it starts.
public struct CostModel: Codable, Sendable, Equatable {
    /// One class's fit.
    public struct Entry: Codable, Sendable, Equatable {
        /// The class: "construction|d=D|activation[|alpha=A]".
        public var key: String
        /// c: seconds per draw at W = 1.
        public var coefficient: Double
        /// a: the exponent of W.
        public var exponent: Double
        /// Points fitted, and the range of W they cover.
        public var points: Int
        public var smallestW: Int
        public var largestW: Int
        /// The largest factor by which a fitted point's time differs from the fit.
        public var worstFactor: Double
    }

    /// The fits, one per class, sorted by key.
    public var entries: [Entry]
    /// Where the measured points came from (the commands that made them).
    public var sources: [String]

    /// The class of an experiment.
    public static func key(_ spec: ExperimentSpec) -> String {
        var k = "\(spec.construction)|d=\(spec.dimension)|\(spec.activation)"
        if spec.construction == "deep" { k += "|alpha=\(spec.alpha ?? 1)" }
        return k
    }

    /// Fits every class present in `points` (a class with one distinct W gets exponent 1).
    public static func fit(_ points: [SweepPoint], sources: [String]) -> CostModel {
        var groups: [String: [(w: Double, t: Double)]] = [:]
        for p in points where p.row.seconds > 0 && p.row.weightsAll > 0 {
            groups[key(p.spec), default: []].append((Double(p.row.weightsAll), p.row.seconds / Double(Swift.max(1, p.row.draws))))
        }
        let entries = groups.keys.sorted().map { k -> Entry in
            let g = groups[k]!
            let x = g.map { log($0.w) }, y = g.map { log($0.t) }
            let line = LeastSquaresLine(x: x, y: y)
            let slope = line.slope.isFinite ? line.slope : 1
            let intercept = line.slope.isFinite ? line.intercept : (y.reduce(0, +) - x.reduce(0, +)) / Double(g.count)
            let worst = zip(x, y).map { exp(Swift.abs($1 - (intercept + slope * $0))) }.max() ?? 1
            return Entry(key: k, coefficient: exp(intercept), exponent: slope, points: g.count,
                         smallestW: Int(g.map(\.w).min()!), largestW: Int(g.map(\.w).max()!), worstFactor: worst)
        }
        return CostModel(entries: entries, sources: sources)
    }

    /// Predicted seconds per draw of `spec` at W = `weights`, or nil for a class not fitted.
    public func secondsPerDraw(_ spec: ExperimentSpec, weights: Int) -> Double? {
        guard let e = entries.first(where: { $0.key == CostModel.key(spec) }) else { return nil }
        return e.coefficient * pow(Double(weights), e.exponent)
    }

    /// Reads a model written by ``encoded()``.
    public static func read(json data: Data, source: String) throws -> CostModel {
        do { return try JSONDecoder().decode(CostModel.self, from: data) }
        catch { throw RateError("\(source): not a cost model (\(error))") }
    }

    /// The model as sorted, indented JSON.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(self)
    }
}
