import Foundation
import PrecisionModule

/// The long-time risk R∞ of the ODE with both terms: on the line κ + δ = 0 (A = γ₀/p,
/// B = (γ₀/p)² at κ = δ = 0), where it is the limit's plateau, or at a finite d for δ > 0 (A = γ₀/p,
/// B = (γ₀/p)² d^−δ), where it is SGD's finite-d floor R∞(d); integrated to the horizon T from one start,
/// with R at T/2 beside R at T so that a value still moving is seen as such. T is counted in
/// units of the drift time 1/A = p/γ₀ (so t = T/A), because a smaller γ₀ only slows the same flow.
public struct SGDPlateauPoint: Sendable, Codable {
    /// γ₀ and Δ.
    public let gamma0: Double, labelNoise: Double
    /// δ and the dimension d of the coefficients (d does not enter at δ = 0).
    public let delta: Double, dimension: Int
    /// R at T/2 and at T.
    public let riskHalf: Double, risk: Double
    /// (R(T) − R(T/2))/R(T): near 0 when R has settled.
    public let relativeChange: Double
    /// Accepted integrator steps.
    public let steps: Int
    /// The end time t = T/A in the units of the ODE.
    public let time: Double

    /// Integrates from `start` with p = start.p to A·t = `horizon` at learning-rate prefactor `gamma0`, label noise `labelNoise`,
    /// and the finite-d coefficients of (δ = `delta`, κ = 0) at d = `dimension`.
    public init(start: CommitteeOverlaps, gamma0: Double, labelNoise: Double, delta: Double = 0, dimension: Int = 1000, horizon: Double,
                settings: DormandPrince45.Settings = DormandPrince45.Settings()) throws {
        let (a, b) = SGDScaling(delta: delta, kappa: 0, width0: Double(start.p), gamma0: gamma0).coefficients(dimension: dimension, limit: false)
        time = horizon / a
        let curve = try SGDODECurve.integrate(from: start, drift: a, noise: b, labelNoise: labelNoise, times: [0, time / 2, time], settings: settings)
        self.gamma0 = gamma0; self.labelNoise = labelNoise; self.delta = delta; self.dimension = dimension
        riskHalf = curve.risks[1]; risk = curve.risks[2]
        relativeChange = (curve.risks[2] - curve.risks[1]) / curve.risks[2]
        steps = curve.acceptedSteps
    }
}
