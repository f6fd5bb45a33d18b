import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule
/// Continuous piecewise-linear interpolation of a target on a uniform grid of spacing h = 1/N,
/// as a ReLU network whose weights depend linearly (so continuously) on the target's values:
/// the shallow phase's baseline. Sup-norm error O(h^min(r,2)) for f of smoothness r, that is
/// p = min(r, 2)/d against W.
public enum Interpolation {
    /// 1-D: f̃(x) = f(0) + s₀ σ(x) + Σ_{i=1}^{N−1} (s_i − s_{i−1}) σ(x − i/N), one hidden layer of
    /// N units, W_all = 3N + 1. Nodes i/N and slopes s_i are computed at `precision`; the network
    /// interpolates f at the stored (rounded) nodes up to rounding at `precision`.
    public static func oneDimensional(_ target: Target, cells n: Int, precision: Precision) throws -> Network {
        guard target.dimension == 1 else { throw ConstructionError.dimension("interpolation in 1-D needs a 1-D target") }
        guard n >= 1 else { throw ConstructionError.parameter("interpolation needs N >= 1 cells, not \(n)") }
        let nodes = (0...n).map { BigFloat($0, precision: precision).divided(by: BigFloat(n, precision: precision), precision: precision) }
        let f = target.values(at: nodes.map { [$0] }, precision: precision)
        let slopes = (0..<n).map { i in
            f[i + 1].subtracting(f[i], precision: precision).divided(by: nodes[i + 1].subtracting(nodes[i], precision: precision), precision: precision)
        }
        let hidden = try AffineLayer(inputCount: 1, outputCount: n, entries: (0..<n).map { ($0, 0, BigFloat(1, precision: precision)) },
                                     bias: nodes.prefix(n).map(\.negated), activations: Array(repeating: .relu, count: n), precision: precision)
        let coefficients = (0..<n).map { i in i == 0 ? slopes[0] : slopes[i].subtracting(slopes[i - 1], precision: precision) }
        let output = try AffineLayer(inputCount: n, outputCount: 1, entries: coefficients.enumerated().map { (0, $0.offset, $0.element) },
                                     bias: [f[0]], activations: [.identity], precision: precision)
        return try Network(inputDimension: 1, layers: [hidden, output],
                           metadata: ["construction": "interpolation", "N": "\(n)", "target": target.summary],
                           construction: ConstructionFacts(kind: .interpolation, cells: n))
    }

    /// 2-D: interpolation on the three-direction (Kuhn) triangulation of the N×N grid, diagonals
    /// along (1, 1): f̃ = Σ_v f(v) Λ_v with the Courant hat
    /// Λ_v(x) = σ(1 − N max(|x₁ − v₁|, |x₂ − v₂|, |x₁ − x₂ − (v₁ − v₂)|)).
    /// Layer 1 holds the shared ridge units σ(±(x₁ − i/N)), σ(±(x₂ − j/N)), σ(±(x₁ − x₂ − k/N));
    /// max(a, b, c) is b + σ(a − b) + σ(c − b − σ(a − b)) (layers 2, 3); the hat is layer 4.
    /// Depth 5, W_all ≈ 19 (N + 1)².
    public static func twoDimensional(_ target: Target, cells n: Int, precision: Precision) throws -> Network {
        guard target.dimension == 2 else { throw ConstructionError.dimension("interpolation in 2-D needs a 2-D target") }
        guard n >= 1 else { throw ConstructionError.parameter("interpolation needs N >= 1 cells, not \(n)") }
        let b = CircuitBuilder(inputDimension: 2, precision: precision)
        let nBig = BigFloat(n, precision: precision)
        func node(_ k: Int) -> BigFloat { BigFloat(k, precision: precision).divided(by: nBig, precision: precision) }
        let values = target.values(at: (0...n).flatMap { i in (0...n).map { j in [node(i), node(j)] } }, precision: precision)
        let output = b.courantInterpolant(b.input(0), b.input(1), cells: n, values: values)
        return try b.network(outputs: [output],
                             metadata: ["construction": "interpolation", "N": "\(n)", "target": target.summary],
                             construction: ConstructionFacts(kind: .interpolation, cells: n))
    }

    typealias Form = CircuitBuilder.Form
}

extension CircuitBuilder {
    /// Σ_v value_v Λ_v(x₁, x₂): the piecewise-linear interpolant on the Kuhn triangulation of the
    /// N×N grid (diagonals along (1, 1)) of the values at the nodes (i/N, j/N), given in the order
    /// i·(N + 1) + j. Depth 4 (see ``Interpolation/twoDimensional(_:cells:precision:)``).
    public func courantInterpolant(_ x1: Form, _ x2: Form, cells n: Int, values: [BigFloat]) -> Form {
        let nBig = BigFloat(n, precision: precision)
        func node(_ k: Int) -> BigFloat { BigFloat(k, precision: precision).divided(by: nBig, precision: precision) }
        let diagonal = combine([(1.0, x1), (-1.0, x2)])
        var ridges: [String: (Form, Form)] = [:]
        func ridge(_ u: Form, _ kind: String, _ k: Int) -> Form {
            let key = "\(kind)\(k)"
            let pair: (Form, Form)
            if let p = ridges[key] { pair = p } else {
                let c = node(k)
                pair = (relu(combine([(number(1), u)], constant: c.negated)), relu(combine([(number(-1), u)], constant: c)))
                ridges[key] = pair
            }
            // N |u − k/N|
            return combine([(nBig, pair.0), (nBig, pair.1)])
        }
        var output: [(BigFloat, Form)] = []
        for i in 0...n {
            for j in 0...n {
                let p = ridge(x1, "x", i), q = ridge(x2, "y", j), r = ridge(diagonal, "d", i - j)
                let s1 = relu(combine([(1.0, p), (-1.0, q)]))
                let s2 = relu(combine([(1.0, r), (-1.0, q), (-1.0, s1)]))
                let hat = relu(combine([(-1.0, q), (-1.0, s1), (-1.0, s2)], constant: 1))
                output.append((values[i * (n + 1) + j], hat))
            }
        }
        return combine(output)
    }
}
