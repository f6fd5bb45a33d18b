import Foundation
import PrecisionModule
import FileIOModule

/// Seconds per draw of a rate measurement, by construction, fitted on measured points
/// (docs/performance.md, "Cost model").
///
/// For each class of experiments (construction, dimension, activation, and α for the deep
/// construction) the model is t = c·S^a seconds per draw on one measurement with the threads it
/// had, fitted by least squares of ln t on ln S over the measured points of that class, where S
/// is the size that drives the cost, a function of the grid sizes N and M:
/// - for the constructions whose search samples at the spacing h/2 of their fine grid (deep and
///   fixed width, rows with M), S = G·W: the (2NM + 1)^d points of that grid times the W weights
///   each evaluation reads (the float64-equivalent work of the search; a < 1 is what reuse and
///   per-unit precision save). In 2-D at small N, M is held at 10, W hardly grows while G grows
///   a hundredfold, so W alone cannot carry the cost;
/// - for the others (their grid is a fixed budget of point-weights), S = W.
/// `sweep` knows only the W it asks for: it reads S off the class's measured points (log-log
/// interpolation of S against W, the end segments extended), orders and balances its jobs by
/// the predicted seconds and prints the total before it starts.
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
        /// What S is: "W", or "G*W" (grid points times weights). Absent in models written before
        /// (read as "W").
        public var size: String?
        /// The measured (W, S) pairs in increasing W: how a W asked for maps to S.
        public var anchors: [[Double]]?
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

    /// The points of the search's grid at spacing h/2 of N·M fine cells per axis in d dimensions.
    public static func gridPoints(cells n: Int, fine m: Int, dimension d: Int) -> Double {
        pow(Double(2 * n * m + 1), Double(d))
    }

    /// S of a measured point: G·W when the row has fine cells M, else W.
    static func size(_ p: SweepPoint) -> Double {
        let w = Double(p.row.weightsAll)
        guard let m = p.row.fineCells else { return w }
        return gridPoints(cells: p.row.cells, fine: m, dimension: p.spec.dimension) * w
    }

    /// Fits every class present in `points` (a class with one distinct S gets exponent 1).
    public static func fit(_ points: [SweepPoint], sources: [String]) -> CostModel {
        var groups: [String: [SweepPoint]] = [:]
        for p in points where p.row.seconds > 0 && p.row.weightsAll > 0 { groups[key(p.spec), default: []].append(p) }
        let entries = groups.keys.sorted().map { k -> Entry in
            let g = groups[k]!
            let grid = g.allSatisfy { $0.row.fineCells != nil }
            let sizes = g.map { grid ? size($0) : Double($0.row.weightsAll) }
            let x = sizes.map { log($0) }, y = g.map { log($0.row.seconds / Double(Swift.max(1, $0.row.draws))) }
            let line = LeastSquaresLine(x: x, y: y)
            let slope = line.slope.isFinite ? line.slope : 1
            let intercept = line.slope.isFinite ? line.intercept : (y.reduce(0, +) - x.reduce(0, +)) / Double(g.count)
            let worst = zip(x, y).map { exp(Swift.abs($1 - (intercept + slope * $0))) }.max() ?? 1
            // (W, S) by W, one pair per W (the geometric mean of S where a W repeats).
            var byW: [Double: [Double]] = [:]
            for (p, s) in zip(g, sizes) { byW[Double(p.row.weightsAll), default: []].append(log(s)) }
            let anchors = byW.keys.sorted().map { w in [w, exp(byW[w]!.reduce(0, +) / Double(byW[w]!.count))] }
            return Entry(key: k, coefficient: exp(intercept), exponent: slope, points: g.count,
                         smallestW: g.map(\.row.weightsAll).min()!, largestW: g.map(\.row.weightsAll).max()!, worstFactor: worst,
                         size: grid ? "G*W" : "W", anchors: grid ? anchors : nil)
        }
        return CostModel(entries: entries, sources: sources)
    }

    /// Predicted seconds per draw of `spec` at W = `weights` (S read off the class's measured
    /// points where S is G·W), or nil for a class not fitted.
    public func secondsPerDraw(_ spec: ExperimentSpec, weights: Int) -> Double? {
        guard let e = entry(spec) else { return nil }
        let w = Double(weights)
        guard e.size == "G*W", let anchors = e.anchors, !anchors.isEmpty else { return e.coefficient * pow(w, e.exponent) }
        return e.coefficient * pow(CostModel.interpolated(anchors, at: w), e.exponent)
    }

    /// Predicted seconds per draw of `spec` for a network of N = `cells`, M = `fine` and W =
    /// `weights` (the model as a function of the grid sizes), or nil for a class not fitted.
    public func secondsPerDraw(_ spec: ExperimentSpec, cells: Int, fine: Int?, weights: Int) -> Double? {
        guard let e = entry(spec) else { return nil }
        var s = Double(weights)
        if e.size == "G*W", let m = fine { s *= CostModel.gridPoints(cells: cells, fine: m, dimension: spec.dimension) }
        return e.coefficient * pow(s, e.exponent)
    }

    /// The fit of `spec`'s class, if any.
    func entry(_ spec: ExperimentSpec) -> Entry? { entries.first { $0.key == CostModel.key(spec) } }

    /// S at W by log-log interpolation between the anchors (W increasing), the end segments
    /// extended beyond them (S ∝ W from a single anchor).
    static func interpolated(_ anchors: [[Double]], at w: Double) -> Double {
        let x = anchors.map { log($0[0]) }, y = anchors.map { log($0[1]) }, t = log(w)
        guard x.count > 1 else { return exp(y[0] + t - x[0]) }
        var i = 0
        while i < x.count - 2 && t > x[i + 1] { i += 1 }
        return exp(y[i] + (y[i + 1] - y[i]) / (x[i + 1] - x[i]) * (t - x[i]))
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
