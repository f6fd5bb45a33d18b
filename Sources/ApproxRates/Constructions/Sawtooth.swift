import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule
/// Yarotsky's tooth and sawtooth (Yarotsky 2017, section 3.1; reference notes section 3.1).
///
/// The tooth g(x) = 2σ(x) − 4σ(x − 1/2) + 2σ(x − 1) equals 2x on [0, 1/2], 2 − 2x on [1/2, 1]
/// and 0 outside [0, 1]. The sawtooth g_s = g ∘ ... ∘ g (s times) has 2^(s−1) teeth and 2^s
/// linear pieces on [0, 1], and g_{s+1}(x) = 2 dist(2^s x, Z) there. Every weight is a power of
/// two, so on dyadic inputs every operation is exact once the precision holds the input.
public enum Sawtooth {
    /// The tooth g as a network with one hidden layer of 3 ReLU units (W_all = 10, L = 2).
    public static func tooth() -> Network {
        let hidden = try! AffineLayer.dense([[1], [1], [1]], bias: [0, -0.5, -1], activation: .relu)
        let output = try! AffineLayer.dense([[2, -4, 2]], bias: [0], activation: .identity)
        return try! Network(inputDimension: 1, layers: [hidden, output], metadata: ["construction": "tooth"],
                            construction: ConstructionFacts(kind: .tooth))
    }

    /// g_s = g composed s times (s >= 1): depth 2s, W_all = 10s.
    public static func sawtooth(_ s: Int) -> Network {
        precondition(s >= 1, "the sawtooth needs s >= 1")
        // Balanced composition, s = 2·(s/2) + (s mod 2): O(s log s) layer copies instead of the
        // O(s²) of adding one tooth at a time (s = 7,000 took over 5 s). Each junction merges a
        // tooth's output layer with the next tooth's input layer either way, so the network is
        // the same.
        func teeth(_ s: Int) -> Network {
            if s == 1 { return tooth() }
            let half = teeth(s / 2)
            let even = try! half.composed(after: half)
            return s % 2 == 0 ? even : try! tooth().composed(after: even)
        }
        var net = teeth(s)
        net.metadata = ["construction": "sawtooth", "s": "\(s)"]
        net.construction = ConstructionFacts(kind: .sawtooth)
        return net
    }
}
