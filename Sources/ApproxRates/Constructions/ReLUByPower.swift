import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// Any ReLU network as a ReLU^k network (k ≥ 2): every ReLU unit becomes the central
/// (k − 1)-th difference of σ_k,
///
///   ρ_δ(t) = Σ_{j=0}^{k−1} (−1)^j C(k−1, j) σ_k(t + ((k − 1)/2 − j) δ) / (k! δ^(k−1)),
///
/// which equals t for t ≥ (k − 1)δ/2 and 0 for t ≤ −(k − 1)δ/2 (the difference of t^k is
/// k! δ^(k−1) t: the odd moments of the symmetric shifts cancel), and lies in [0, (k − 1)δ/2]
/// between. So the ReLU^k network computes the ReLU network's function exactly wherever no
/// ReLU sees a pre-activation inside the window, and within (window width) × (the Lipschitz
/// constant downstream) elsewhere. This is how every piecewise-polynomial activation inherits
/// the ReLU phase diagram (reference notes section 3.7): a constant factor k in units and ≈ k²
/// in weights, no change in depth or rate. Gapped digit steps stay exact, because the gapped
/// code keeps their pre-activations at least a code unit β^(−M) away from the window when δ is
/// far below it.
///
/// Identity units (the carried values) stay identity units, as in the ReLU constructions. A
/// ReLU unit in the output layer needs one more linear layer to sum its copies (the
/// constructions end in identity units, so their depth does not change).
public enum ReLUByPower {
    /// The window δ and the working precision for a ReLU network that needs `precision` bits:
    /// δ = 2^(−(P + 32)) puts every window error 32 bits below the ReLU network's own rounding
    /// even after the 2^P amplification a bit-extraction chain can apply, and the differences
    /// σ_k(t + δ/2) − σ_k(t − δ/2) of terms of size up to 2^32 lose log₂(2^(32k)/δ^(k−1)) bits,
    /// so the result carries (k − 1)(P + 32) + 32k + P + 64 bits.
    public static func window(forPrecision p: Precision, power k: Int) -> (exponent: Int, precision: Precision) {
        let e = p.bits + 32
        return (e, Precision(uncheckedBits: (k - 1) * e + 32 * k + p.bits + Precision.Margin.output))
    }

    /// `network` with each ReLU unit replaced by ρ_δ, δ = 2^(−`windowExponent`), units σ_k,
    /// numbers stored at `precision` (the weights 1/(k! δ^(k−1)) are exact for k = 2; for
    /// k ≥ 3 the factor 1/k! is rounded once to `precision`). Throws for activations other than
    /// identity and ReLU.
    public static func network(_ network: Network, power k: Int, windowExponent e: Int, precision: Precision) throws -> Network {
        guard (2...8).contains(k) else { throw ConstructionError.parameter("relu^\(k) is not allowed here: use k = 2...8") }
        guard network.isPiecewiseLinear else { throw ConstructionError.parameter("only identity and ReLU units can be rewritten as relu^\(k) units") }
        let delta = BigFloat(1, precision: precision).scaled(byPowerOfTwo: -e)
        // Output coefficient of copy j: (−1)^j C(k−1, j) / (k! δ^(k−1)); shift of copy j: ((k−1)/2 − j) δ.
        let scale = BigFloat(1, precision: precision).divided(by: BigFloat(factorial(k), precision: precision), precision: precision)
            .scaled(byPowerOfTwo: e * (k - 1))
        let coefficients = (0..<k).map { j in
            BigFloat(binomial(k - 1, j) * (j % 2 == 0 ? 1 : -1), precision: precision).multiplied(by: scale, precision: precision)
        }
        let shifts = (0..<k).map { j in
            BigFloat(k - 1 - 2 * j, precision: precision).scaled(byPowerOfTwo: -1).multiplied(by: delta, precision: precision)
        }
        var layers: [AffineLayer] = []
        // For each unit of the previous layer: the new indices of its copies and their coefficients.
        var sources: [[(Int, BigFloat)]] = (0..<network.inputDimension).map { [($0, BigFloat(1, precision: precision))] }
        var previousCount = network.inputDimension
        for layer in network.layers {
            var entries: [(row: Int, column: Int, weight: BigFloat)] = []
            var bias: [BigFloat] = [], activations: [Activation] = []
            var next: [[(Int, BigFloat)]] = []
            for i in 0..<layer.outputCount {
                // The unit's pre-activation on the new previous layer.
                var row: [Int: BigFloat] = [:]
                for s in layer.rowStart[i]..<layer.rowStart[i + 1] {
                    for (column, c) in sources[layer.columns[s]] {
                        let w = layer.weights[s].multiplied(by: c, precision: precision)
                        row[column] = row[column].map { $0.adding(w, precision: precision) } ?? w
                    }
                }
                let sorted = row.sorted { $0.key < $1.key }
                let b = BigFloat(layer.bias[i], precision: precision)
                if layer.activations[i] == .relu {
                    var copies: [(Int, BigFloat)] = []
                    for j in 0..<k {
                        let index = bias.count
                        for (column, w) in sorted { entries.append((index, column, w)) }
                        bias.append(b.adding(shifts[j], precision: precision))
                        activations.append(.reluPower(k))
                        copies.append((index, coefficients[j]))
                    }
                    next.append(copies)
                } else {
                    let index = bias.count
                    for (column, w) in sorted { entries.append((index, column, w)) }
                    bias.append(b)
                    activations.append(layer.activations[i])
                    next.append([(index, BigFloat(1, precision: precision))])
                }
            }
            layers.append(try AffineLayer(inputCount: previousCount, outputCount: bias.count, entries: entries, bias: bias, activations: activations,
                                          precision: precision))
            sources = next
            previousCount = bias.count
        }
        // ReLU units in the output layer: one more (linear) layer sums their copies.
        if sources.contains(where: { $0.count > 1 }) {
            var entries: [(row: Int, column: Int, weight: BigFloat)] = []
            for (i, copies) in sources.enumerated() { for (column, c) in copies { entries.append((i, column, c)) } }
            layers.append(try AffineLayer(inputCount: previousCount, outputCount: sources.count, entries: entries,
                                          bias: Array(repeating: BigFloat(0, precision: precision), count: sources.count),
                                          activations: Array(repeating: .identity, count: sources.count), precision: precision))
        }
        var metadata = network.metadata
        metadata["activation"] = "relu^\(k)"
        metadata["relu_window"] = "2^-\(e)"
        var facts = network.construction
        facts?.reluPower = k
        return try Network(inputDimension: network.inputDimension, layers: layers, metadata: metadata, construction: facts)
    }
}
