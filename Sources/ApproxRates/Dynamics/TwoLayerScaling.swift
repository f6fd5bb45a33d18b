import Foundation
import PrecisionModule

/// The three scales of a two-layer ReLU network f(x) = (1/α) Σ_k a_k σ(w_k·x + b_k) of width m
/// (Luo, Xu, Ma, Zhang 2021): the output factor α and the initialisation standard deviations
/// β₁ of the output weights a_k and β₂ of the input weights and biases (w_k, b_k).
///
/// Their exponents are γ = −log(β₁β₂/α)/log m and γ′ = −log(β₁/β₂)/log m. After the rescaling
/// ā = a/β₁, w̄ = w/β₂ the network is f = κ Σ ā σ(w̄·x) with κ = β₁β₂/α = m^−γ, and gradient flow
/// in rescaled time depends only on κ and κ′ = β₁/β₂ = m^−γ′; so (γ, γ′) fix the regime and β₂
/// only rescales time.
public struct TwoLayerScaling: Sendable, Codable, Hashable {
    /// The output factor α (f is divided by it).
    public var alpha: Double
    /// Standard deviation β₁ of the output weights a_k at initialisation.
    public var beta1: Double
    /// Standard deviation β₂ of each input weight and bias at initialisation.
    public var beta2: Double

    /// The scales as given.
    public init(alpha: Double, beta1: Double, beta2: Double) {
        self.alpha = alpha; self.beta1 = beta1; self.beta2 = beta2
    }

    /// The scales with exponents (γ, γ′) at width m and the given β₂ (default 1):
    /// β₁ = β₂ m^−γ′ and α = β₁β₂ m^γ.
    public init(gamma: Double, gammaPrime: Double, width: Int, beta2: Double = 1) {
        let m = Double(width)
        let b1 = beta2 * Foundation.pow(m, -gammaPrime)
        self.init(alpha: b1 * beta2 * Foundation.pow(m, gamma), beta1: b1, beta2: beta2)
    }

    /// γ = −log(β₁β₂/α)/log m at width m (m ≥ 2).
    public func gamma(width: Int) -> Double { -Foundation.log(beta1 * beta2 / alpha) / Foundation.log(Double(width)) }
    /// γ′ = −log(β₁/β₂)/log m at width m (m ≥ 2).
    public func gammaPrime(width: Int) -> Double { -Foundation.log(beta1 / beta2) / Foundation.log(Double(width)) }

    /// The exponents of a family of scales across widths: the least-squares slopes of
    /// −log(β₁β₂/α) and −log(β₁/β₂) against log m, so constants that do not grow with m (a
    /// fan-in factor 1/√(d+1), say) drop out. These are the limits m → ∞ of ``gamma(width:)`` and
    /// ``gammaPrime(width:)`` for scales that are powers of m times constants. Needs two widths.
    public static func exponents(widths: [Int], scaling: (Int) -> TwoLayerScaling) -> (gamma: Double, gammaPrime: Double) {
        let x = widths.map { Foundation.log(Double($0)) }
        let g = widths.map { w -> Double in let s = scaling(w); return -Foundation.log(s.beta1 * s.beta2 / s.alpha) }
        let gp = widths.map { w -> Double in let s = scaling(w); return -Foundation.log(s.beta1 / s.beta2) }
        return (LeastSquaresLine(x: x, y: g).slope, LeastSquaresLine(x: x, y: gp).slope)
    }
}

/// The named parameterisations of a two-layer network, placed in the (γ, γ′) plane by their scales.
public enum TwoLayerParameterisation: String, Sendable, Codable, Hashable, CaseIterable {
    /// f = Σ a σ(w·x)/√m with a, w ~ N(0, 1): α = √m, β₁ = β₂ = 1; (γ, γ′) = (½, 0), linear.
    case ntk
    /// f = Σ a σ(w·x)/m with a, w ~ N(0, 1): α = m, β₁ = β₂ = 1; (γ, γ′) = (1, 0), critical.
    case meanField = "mean-field"
    /// LeCun's standard initialisation, each weight N(0, 1/fan-in): α = 1, β₁ = 1/√m,
    /// β₂ = 1/√(d + 1) (inputs and bias); (γ, γ′) = (½, ½), linear.
    case standard

    /// The scales at width m for inputs of dimension d.
    public func scaling(width: Int, inputDimension d: Int) -> TwoLayerScaling {
        let m = Double(width)
        switch self {
        case .ntk: return TwoLayerScaling(alpha: m.squareRoot(), beta1: 1, beta2: 1)
        case .meanField: return TwoLayerScaling(alpha: m, beta1: 1, beta2: 1)
        case .standard: return TwoLayerScaling(alpha: 1, beta1: 1 / m.squareRoot(), beta2: 1 / Double(d + 1).squareRoot())
        }
    }
}

/// The three regimes of wide two-layer ReLU networks.
public enum TwoLayerRegime: String, Sendable, Codable, Hashable, CaseIterable {
    /// The input weights barely move: RD → 0 as m → ∞ (kernel regime).
    case linear
    /// RD = O(1): on the boundary.
    case critical
    /// RD → ∞: the input weights gather on a few orientations.
    case condensed

    /// The theorem's boundary: γ = 1 for γ′ ≤ 0 and γ = 1 + γ′ for γ′ ≥ 0.
    public static func boundary(gammaPrime: Double) -> Double { gammaPrime <= 0 ? 1 : 1 + gammaPrime }

    /// γ minus the boundary's γ at γ′: negative on the linear side, positive on the condensed one.
    public static func distance(gamma: Double, gammaPrime: Double) -> Double { gamma - boundary(gammaPrime: gammaPrime) }

    /// The theorem's regime at (γ, γ′): linear iff γ < 1 or γ′ > γ − 1, condensed iff γ > 1 and
    /// γ′ < γ − 1, critical on the boundary (within 1e-9).
    public static func theory(gamma: Double, gammaPrime: Double) -> TwoLayerRegime {
        let d = distance(gamma: gamma, gammaPrime: gammaPrime)
        return Swift.abs(d) <= 1e-9 ? .critical : (d < 0 ? .linear : .condensed)
    }

    /// The regime read off a measured slope of log RD against log m and its interval: linear when
    /// the whole interval is below −`band`, condensed when it is above +`band`, critical when it
    /// meets [−band, band].
    public static func measured(low: Double, high: Double, band: Double) -> TwoLayerRegime {
        high < -band ? .linear : (low > band ? .condensed : .critical)
    }

    /// The heuristic exponent of RD against m from the rescaled dynamics (the team's notes, §3.1,
    /// their own inference): γ − 1 for γ′ ≤ 0; γ − 1 − 2γ′ for γ′ > 0 and γ ≤ 1; 2(γ − 1 − γ′) for
    /// γ′ > 0 and γ > 1. Only the first is compared with measurements; the others are shown.
    public static func heuristicSlope(gamma: Double, gammaPrime: Double) -> Double {
        gammaPrime <= 0 ? gamma - 1 : (gamma <= 1 ? gamma - 1 - 2 * gammaPrime : 2 * (gamma - 1 - gammaPrime))
    }
}
