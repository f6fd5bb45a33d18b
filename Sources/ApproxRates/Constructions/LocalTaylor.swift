import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The part the Taylor constructions share: the nodes m/N of the grid {0..N}^d, the target's
/// local Taylor coefficients there, and the sum Σ_m Σ_α a_{m,α} φ_m(x) y_m(x)^α assembled from
/// whatever units a construction uses for φ_m, the powers y^e and the products.
enum LocalTaylor {
    typealias Form = CircuitBuilder.Form

    /// The (N + 1)^d grid indices, first coordinate fastest.
    static func nodes(cells n: Int, dimension d: Int) -> [[Int]] {
        let total = Int(pow(Double(n + 1), Double(d)))
        return (0..<total).map { flat in
            var rest = flat
            return (0..<d).map { _ in let c = rest % (n + 1); rest /= n + 1; return c }
        }
    }

    /// The terms (a_{m,α}, φ_m · y_m^α) over every node m and multi-index |α| ≤ `degree`, with
    /// a_{m,α} = ∂^α f(m/N)/(α! N^|α|) from the target's automatic Taylor expansion at
    /// `precision`. `factor(i, j)` is the partition factor of axis i at node j (φ_m is their
    /// product), `power(i, j, e)` is y_{m,i}^e, `multiply` the construction's product. Zero
    /// coefficients are skipped. Throws when the target has no expansion of that degree at a node.
    static func terms(_ target: Target, cells n: Int, degree: Int, precision: Precision,
                      factor: (Int, Int) -> Form, power: (Int, Int, Int) -> Form,
                      multiply: (Form, Form) -> Form) throws -> [(BigFloat, Form)] {
        let d = target.dimension
        let nBig = BigFloat(n, precision: precision)
        let nodes = nodes(cells: n, dimension: d)
        let alphas = TaylorJet.multiIndices(dimension: d, degree: degree)
        let jets = target.taylorCoefficients(
            at: nodes.map { $0.map { BigFloat($0, precision: precision).divided(by: nBig, precision: precision) } },
            degree: degree, precision: precision)
        var output: [(BigFloat, Form)] = []
        for (node, jet) in zip(nodes, jets) {
            guard jet.isFinite else {
                throw ConstructionError.target("the target has no Taylor expansion of degree \(degree) at x = (\(node.map { "\($0)/\(n)" }.joined(separator: ", "))); use a lower --degree (at most ⌈r⌉ − 1) or another N")
            }
            var phi = factor(0, node[0])
            for i in 1..<d { phi = multiply(phi, factor(i, node[i])) }
            for (index, alpha) in alphas.enumerated() {
                let a = jet.coefficients[index].divided(by: nBig.pow(alpha.reduce(0, +), precision: precision), precision: precision)
                if a.isZero { continue }
                var monomial: Form?
                for i in 0..<d where alpha[i] > 0 {
                    let p = power(i, node[i], alpha[i])
                    monomial = monomial.map { multiply($0, p) } ?? p
                }
                output.append((a, monomial.map { multiply(phi, $0) } ?? phi))
            }
        }
        return output
    }
}
