import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule
/// The sine shattering identity (reference notes sections 3.9 and 5 item 13): one sine unit
/// with one weight separates any labelling of n points. With x_i = 2^(−i) and labels
/// y ∈ {0, 1}^n, put
///
///   w = π (1 + Σ_{i=1..n} (1 − y_i) 2^i),
///
/// then w x_i = π (1 − y_i) + π θ_i modulo 2π, with θ_i = 2^(−i) + Σ_{j<i} (1 − y_j) 2^(j−i) in
/// (0, 1): sin(w x_i) > 0 exactly when y_i = 1. The margins are as small as π 2^(−i), and w is
/// about π 2^(n+1), so the identity needs about n bits of w: it holds at n + 10 bits and fails
/// for most labellings well below n (property-tested). This is why a sine network's VC dimension
/// is infinite (``VCBound/unbounded``), and the lookup mechanism of the sine constructions.
public enum SineShattering {
    /// The network x ↦ sin(w x) (one sine unit, then the identity output) for `labels`
    /// (y_1 … y_n), with w computed and stored at `precision` (round-to-nearest).
    public static func network(labels: [Bool], precision: Precision) throws -> Network {
        // 1 + Σ (1 − y_i) 2^i is an integer of n + 1 bits: exact at precision ≥ n + 1.
        var m = BigFloat(1, precision: Precision(uncheckedBits: labels.count + 2))
        for (k, y) in labels.enumerated() where !y {
            m = m.adding(BigFloat(1, precision: Precision(uncheckedBits: 2)).scaled(byPowerOfTwo: k + 1), precision: m.precision)
        }
        let w = BigFloat.pi(precision: precision).multiplied(by: m, precision: precision)
        let hidden = try AffineLayer(rows: [[w]], bias: [BigFloat(0, precision: precision)], activations: [.sine], precision: precision)
        let output = try AffineLayer(rows: [[BigFloat(1, precision: precision)]], bias: [BigFloat(0, precision: precision)],
                                     activations: [.identity], precision: precision)
        return try Network(inputDimension: 1, layers: [hidden, output], metadata: ["construction": "sine-shattering", "n": "\(labels.count)"],
                           construction: ConstructionFacts(kind: .sineShattering))
    }

    /// The labels the network reads at x_i = 2^(−i), i = 1 … n: sin(w x_i) > 0, evaluated in MPFR
    /// at `precision`.
    public static func readLabels(_ network: Network, count n: Int, precision: Precision) throws -> [Bool] {
        let evaluator = MPFREvaluator(network: network, precision: precision)
        let points = (1...n).map { [BigFloat(1, precision: precision).scaled(byPowerOfTwo: -$0)] }
        return try evaluator.evaluate(points).map { $0[0].signum > 0 }
    }
}
