import Foundation

/// How the learning rate, the hidden width and the time unit of online SGD on a soft committee scale
/// with the input dimension d (Veiga, Stephan, Loureiro, Krzakala, Zdeborová 2022):
/// learning rate γ = γ₀ d^−δ, student width p = p₀ d^κ (rounded, at least 1), and time
/// t = ν/d^(1+ϑ) for ν SGD steps, with ϑ = κ + δ where κ + δ ≥ 0 and ϑ = 2(κ + δ) where κ + δ < 0.
///
/// One SGD step on ½(y − ŷ)² moves M by (γ/(pd)) times an O(1) drift and Q, in addition, by
/// (γ²/(p²d)) times an O(1) noise term, so per unit of t the drift coefficient is A = γd^ϑ/p and
/// the noise coefficient B = γ²d^ϑ/p²: A = γ₀/p₀ and B = (γ₀/p₀)² d^−(κ+δ) for κ + δ ≥ 0, and
/// A = (γ₀/p₀) d^(κ+δ), B = (γ₀/p₀)² for κ + δ < 0. This is where the regions come from.
public struct SGDScaling: Sendable, Codable, Hashable {
    /// δ: the learning rate is γ₀ d^−δ.
    public var delta: Double
    /// κ: the student width is p₀ d^κ.
    public var kappa: Double
    /// γ₀.
    public var gamma0: Double
    /// p₀ (the width at κ = 0).
    public var width0: Double

    /// A scaling; γ₀ defaults to p₀ (the authors' notebooks use γ₀ = p at κ = 0, so A = 1).
    public init(delta: Double, kappa: Double, width0: Double, gamma0: Double? = nil) {
        self.delta = delta; self.kappa = kappa; self.width0 = width0; self.gamma0 = gamma0 ?? width0
    }

    /// κ + δ, the exponent that decides the region.
    public var sum: Double { kappa + delta }

    /// ϑ: κ + δ where κ + δ ≥ 0, 2(κ + δ) below.
    public var theta: Double { Swift.abs(sum) <= SGDScaling.onLine ? 0 : sum > 0 ? sum : 2 * sum }

    /// |κ + δ| below this counts as on the line κ + δ = 0 (grid values like 0.1 + (−0.1) round).
    public static let onLine = 1e-9

    /// The student width at dimension d: p₀ d^κ rounded, at least 1.
    public func width(dimension d: Int) -> Int {
        Swift.max(1, Int((width0 * Foundation.pow(Double(d), kappa)).rounded()))
    }

    /// The learning rate at dimension d: γ₀ d^−δ.
    public func learningRate(dimension d: Int) -> Double { gamma0 * Foundation.pow(Double(d), -delta) }

    /// SGD steps per unit of t at dimension d: d^(1+ϑ) (below 1 in the no-ODE region).
    public func stepsPerUnitTime(dimension d: Int) -> Double { Foundation.pow(Double(d), 1 + theta) }

    /// The drift and noise coefficients (A, B) of ``SaadSollaEquations`` at dimension d, from the
    /// actual width and learning rate there: A = γd^ϑ/p, B = γ²d^ϑ/p². With `limit` the term that
    /// vanishes as d → ∞ in this region is set to 0 (B in the perfect-learning region, A in the
    /// bad-learning and no-ODE regions), as in the paper's limit equations.
    public func coefficients(dimension d: Int, limit: Bool) -> (drift: Double, noise: Double) {
        let gamma = learningRate(dimension: d), p = Double(width(dimension: d)), scale = Foundation.pow(Double(d), theta)
        var a = gamma * scale / p, b = gamma * gamma * scale / (p * p)
        if limit {
            if sum > SGDScaling.onLine { b = 0 } else if sum < -SGDScaling.onLine { a = 0 }
        }
        return (a, b)
    }

    /// The region of (δ, κ) with the no-ODE boundary `boundary`.
    public func region(boundary: SGDNoODEBoundary) -> SGDRegion {
        if Swift.abs(sum) <= SGDScaling.onLine { return .plateau }
        if sum > 0 { return .perfectLearning }
        return boundary.hasODE(delta: delta, kappa: kappa) ? .badLearning : .noODE
    }

    /// The region as far as it is settled: the two candidate no-ODE boundaries agree everywhere
    /// except on the wedge between them (κ > 0), where this is nil.
    public var settledRegion: SGDRegion? {
        let a = region(boundary: .scaling), b = region(boundary: .code)
        return a == b ? a : nil
    }
}

/// The learning regimes of the (δ, κ) diagram (the colours of the paper's Fig. 1).
public enum SGDRegion: String, Sendable, Codable, Hashable, CaseIterable {
    /// κ + δ > 0 (green): the noise term vanishes, the limit is gradient flow on the population
    /// risk and R → 0 even with label noise.
    case perfectLearning = "perfect-learning"
    /// κ + δ = 0 (blue line): drift and noise both survive; R settles on a plateau R∞ > 0.
    case plateau
    /// κ + δ < 0 while a deterministic limit exists (orange): the noise wins, M is frozen and Q
    /// diffuses; R rises.
    case badLearning = "bad-learning"
    /// Beyond the orange region (red): no deterministic limit.
    case noODE = "no-ode"

    /// The long-time trend of R that the region predicts as d → ∞.
    public var predictedTrend: SGDTrend {
        switch self {
        case .perfectLearning: return .decay
        case .plateau: return .plateau
        case .badLearning, .noODE: return .rise
        }
    }
}

/// The two candidate boundaries of the no-ODE region. They agree at κ = 0 (δ = −½) and differ for
/// κ > 0; the reference notes leave open which one the paper states (training-dynamics.md §5.1).
public enum SGDNoODEBoundary: String, Sendable, Codable, Hashable, CaseIterable {
    /// κ + δ = −½: the noise increment per step of Q is γ²/(p²d) = d^−(1+2κ+2δ), and over the
    /// d^(1+2(κ+δ)) steps of a unit of t its fluctuation is d^−(1+2κ+2δ)/2, which vanishes only
    /// when 1 + 2(κ + δ) > 0 (our scaling argument).
    case scaling
    /// κ + 2δ + 1 = 0: the orange-region test of the authors' code, κ < −δ < (κ + 1)/2.
    case code

    /// Whether a deterministic limit exists at (δ, κ) by this boundary.
    public func hasODE(delta: Double, kappa: Double) -> Bool {
        switch self {
        case .scaling: return kappa + delta > -0.5
        case .code: return kappa + 2 * delta + 1 > 0
        }
    }

    /// The boundary as an equation, for tables and legends.
    public var equation: String { self == .scaling ? "κ + δ = −½" : "κ + 2δ + 1 = 0" }
}

/// The long-time trend of the risk, as measured or as a region predicts it.
public enum SGDTrend: String, Sendable, Codable, Hashable, CaseIterable {
    /// R falls to 0 as d → ∞ (a finite-d floor that falls with d).
    case decay
    /// R settles at a level that does not change with d.
    case plateau
    /// R rises: with time, or its level grows with d.
    case rise
}
