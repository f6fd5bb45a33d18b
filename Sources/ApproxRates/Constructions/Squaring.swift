import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule
/// Yarotsky's squaring network f_m (Yarotsky 2017, Proposition 2; reference notes section 3.2):
/// f_m(x) = x − Σ_{s=1..m} g_s(x) / 4^s on [0, 1], the piecewise-linear interpolant of x² at
/// the nodes k/2^m, with ‖f_m − x²‖_∞ = 2^(−2m−2) attained at the cell midpoints.
///
/// Architecture (an accumulator design): hidden layer s has three ReLU units
/// a_s = σ(g_{s−1}), b_s = σ(g_{s−1} − 1/2), c_s = σ(f_{s−1}) (f_{s−1} ≥ x² ≥ 0, so the ReLU
/// passes it unchanged); the next affine map forms g_s = 2a_s − 4b_s and f_s = c_s − g_s/4^s.
/// Depth m + 1, width 3, W_all = 10m. Every weight is ± a power of two: exact at 2 bits, and
/// evaluation at dyadic inputs is exact at precision ≥ 2m + 10 bits.
public enum Squaring {
    /// f_m for m >= 1 (inputs are meant to lie in [0, 1]).
    public static func network(m: Int) -> Network {
        precondition(m >= 1, "f_m needs m >= 1")
        var layers: [AffineLayer] = []
        layers.append(try! AffineLayer.sparse(inputs: 1, entries: [(0, 0, 1), (1, 0, 1), (2, 0, 1)],
                                              bias: [0, -0.5, 0], activation: .relu))
        for s in 1..<m {
            let q = Double(sign: .plus, exponent: -2 * s, significand: 1)   // 4^-s, exact for s < 512
            layers.append(try! AffineLayer.sparse(
                inputs: 3,
                entries: [(0, 0, 2), (0, 1, -4), (1, 0, 2), (1, 1, -4), (2, 0, -2 * q), (2, 1, 4 * q), (2, 2, 1)],
                bias: [0, -0.5, 0], activation: .relu))
        }
        let q = Double(sign: .plus, exponent: -2 * m, significand: 1)
        layers.append(try! AffineLayer.sparse(inputs: 3, entries: [(0, 0, -2 * q), (0, 1, 4 * q), (0, 2, 1)],
                                              bias: [0], activation: .identity))
        return try! Network(inputDimension: 1, layers: layers, metadata: ["construction": "squaring", "m": "\(m)"],
                            construction: ConstructionFacts(kind: .squaring))
    }

    /// The exact sup-norm error ‖f_m − x²‖_∞ on [0, 1], 2^(−2m−2).
    public static func theoreticalError(m: Int) -> BigFloat {
        BigFloat(1.0).scaled(byPowerOfTwo: -2 * m - 2)
    }
}
