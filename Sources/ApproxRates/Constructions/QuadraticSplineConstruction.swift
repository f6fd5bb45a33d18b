import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// Schoenberg's variation-diminishing quadratic spline in one hidden layer of ReLU² units (d = 1):
/// S f = Σ_j f(ξ_j) B_j with the uniform quadratic B-splines B_j of the knots t_i = (i − 2)/N and
/// their Greville points ξ_j = (j − ½)/N, j = 0…N + 1. Each B_j is
/// (N²/2) Σ_{i=0}^{3} (−1)^i C(3, i) σ(x − t_{j+i})², so on [0, 1] S f is N + 2 ReLU² units
/// σ(x − t_i)², i = 0…N + 1 (the knots at or beyond 1 vanish there), W_all = 3N + 7. The two
/// Greville points outside [0, 1] take the linear extrapolations 2f(0) − f(1/(2N)) and
/// 2f(1) − f(1 − 1/(2N)), so S reproduces linear functions exactly, and
/// |f − S f| ≤ ½‖f″‖ max_x Σ_j B_j(x)(ξ_j − x)² = ‖f″‖/(8N²) for f ∈ C² (the B-splines' second
/// moment about x is at most h²/4): p = min(r, 2)/d against W.
public struct QuadraticSplineConstruction: Construction, Equatable {
    public static let name = "quadratic-spline"
    public static let parameters: Set<ConstructionParameter> = []
    public static let marker = ConstructionMarker.circle
    public static let costPerWeight = 1.0
    /// Its units are ReLU² whatever the activation asked for, so only relu^2 (or the default) is taken.
    public static func make(_ p: ConstructionParameters) throws -> QuadraticSplineConstruction {
        guard p.activation == .relu || p.activation == .reluPower(2) else {
            throw ConstructionError.invalid(parameter: "activation", reason: "\(p.activation) is not built for the \(name) construction: its units are relu^2")
        }
        return QuadraticSplineConstruction()
    }
    /// The construction (it has no parameters).
    public init() {}

    public var description: String { Self.name }
    public var summary: String { "quadratic-spline (Schoenberg's quadratic spline: one hidden layer of relu^2 units)" }
    public var dimensions: ClosedRange<Int> { 1...1 }
    public var activation: Activation { .reluPower(2) }
    public func expectedRate(smoothness r: Double, dimension d: Int) -> Double { Swift.min(r, 2) / Double(d) }
    /// The output weights are N²/2 times sums of the f values, which cancel back to size |f|:
    /// 2 log₂ N + 4 bits above the output margin keep the rounding at the margin.
    public func precision(cells n: Int, smoothness r: Double, dimension: Int) -> Precision {
        let logN = Int(log2(Double(Swift.max(n, 2))).rounded(.up))
        return Precision(uncheckedBits: Precision.Margin.output + 2 * logN + 4)
    }
    /// Smooth inside each cell of width 1/N: the sampling spacing 1/(8N).
    public static func searchHints(_ facts: ConstructionFacts, dimension: Int) -> SearchHints {
        facts.cells.map { SearchHints(samplingSpacing: 1 / Double(8 * $0)) } ?? .none
    }
    public func build(_ target: Target, cells n: Int) throws -> Network {
        try checkDimension(target.dimension)
        guard n >= 1 else { throw ConstructionError.parameter("the quadratic spline needs N >= 1 cells, not \(n)") }
        let p = precision(cells: n, smoothness: target.smoothness, dimension: 1)
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        func point(_ twice: Int) -> BigFloat { big(twice).divided(by: big(2 * n), precision: p) }   // twice/(2N)
        // f at the Greville points (j − ½)/N, j = 1…N, and at 0, 1/(2N), 1 − 1/(2N), 1.
        let inside = target.values(at: ((1...n).map { point(2 * $0 - 1) } + [big(0), big(1)]).map { [$0] }, precision: p)
        let f0 = inside[n], f1 = inside[n + 1]
        let two = big(2)
        var values = [two.multiplied(by: f0, precision: p).subtracting(inside[0], precision: p)]           // ξ₀ = −1/(2N)
        values += inside.prefix(n)
        values.append(two.multiplied(by: f1, precision: p).subtracting(inside[n - 1], precision: p))      // ξ_{N+1} = 1 + 1/(2N)
        // Units σ(x − t_i)², t_i = (i − 2)/N, i = 0…N + 1, with weight (N²/2) Σ_j f_j (−1)^{i−j} C(3, i − j).
        let binomial = [1, -3, 3, -1]
        let scale = big(n * n).divided(by: two, precision: p)
        let weights = (0...(n + 1)).map { i -> BigFloat in
            var c = big(0)
            for j in Swift.max(0, i - 3)...Swift.min(i, n + 1) {
                c = c.adding(values[j].multiplied(by: big(binomial[i - j]), precision: p), precision: p)
            }
            return c.multiplied(by: scale, precision: p)
        }
        let hidden = try AffineLayer(inputCount: 1, outputCount: n + 2, entries: (0...(n + 1)).map { ($0, 0, big(1)) },
                                     bias: (0...(n + 1)).map { big(2 - $0).divided(by: big(n), precision: p) },
                                     activations: Array(repeating: .reluPower(2), count: n + 2), precision: p)
        let output = try AffineLayer(inputCount: n + 2, outputCount: 1, entries: weights.enumerated().map { (0, $0.offset, $0.element) },
                                     bias: [big(0)], activations: [.identity], precision: p)
        return try Network(inputDimension: 1, layers: [hidden, output],
                           metadata: ["construction": Self.name, "N": "\(n)", "target": target.summary],
                           construction: ConstructionFacts(kind: ConstructionFacts.Kind(rawValue: Self.name), cells: n))
    }
}
