import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// A deep (or fixed-width) rate against its shallow baseline, the interpolation network on the
/// same target, seeds and W range (``ExperimentSpec/baseline``): a rate above r/d is only
/// convincing where the deep network also wins at equal W.
public struct ShallowComparison: Sendable, Equatable {
    /// The baseline's error divided by the deep network's at the deep experiment's largest W_all
    /// (> 1: the deep network is better; 2: twice as accurate). The baseline's error at that W is
    /// interpolated log-log between its two measured points around it, or read from its fitted
    /// line when that W is outside its measured range (``extrapolated``).
    public let ratioAtTop: Double
    /// The W_all the ratio is taken at.
    public let topWeights: Int
    /// Whether the baseline's error at ``topWeights`` came from its fitted line beyond its points.
    public let extrapolated: Bool
    /// The W at which the two fitted lines cross, the deep line below it beyond; nil when they do
    /// not cross in 10 ≤ W ≤ 10¹² in that direction.
    public let crossoverWeights: Double?

    /// The comparison of `deep` with `baseline` (their fits and rows).
    public init(deep: RateEstimate, baseline: RateEstimate) {
        let top = deep.rows.last!
        topWeights = top.weightsAll
        let (value, outside) = ShallowComparison.error(of: baseline, at: Double(top.weightsAll))
        ratioAtTop = value / top.errorValue
        extrapolated = outside
        crossoverWeights = ShallowComparison.crossover(deep.fit, baseline.fit)
    }

    /// The error of `estimate` at `w`: log-log interpolation between its rows, its fit outside them.
    static func error(of estimate: RateEstimate, at w: Double) -> (value: Double, extrapolated: Bool) {
        let rows = estimate.rows
        for (a, b) in zip(rows, rows.dropFirst()) where Double(a.weightsAll) <= w && w <= Double(b.weightsAll) {
            let t = (log(w) - log(Double(a.weightsAll))) / (log(Double(b.weightsAll)) - log(Double(a.weightsAll)))
            return (exp(log(a.errorValue) + t * (log(b.errorValue) - log(a.errorValue))), false)
        }
        if let only = rows.first, rows.count == 1, Double(only.weightsAll) == w { return (only.errorValue, false) }
        return (estimate.fit.fitted(w), true)
    }

    /// Where `deep`'s fitted line passes below `baseline`'s (bisection on ln W).
    static func crossover(_ deep: PowerLawFit, _ baseline: PowerLawFit) -> Double? {
        func gap(_ lw: Double) -> Double { log(deep.fitted(exp(lw))) - log(baseline.fitted(exp(lw))) }
        var (lo, hi) = (log(10.0), log(1e12))
        guard gap(lo) > 0, gap(hi) < 0 else { return nil }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if gap(mid) > 0 { lo = mid } else { hi = mid }
        }
        return exp((lo + hi) / 2)
    }

    /// Whether a deep rate is established on the phase diagram: the lower end of its 95 %
    /// interval is above r/d (its region, ``RateEstimate/region``, is not shallow) and it beats
    /// the baseline at its top W (``ratioAtTop`` > 1).
    public func establishes(_ region: PhaseRegion) -> Bool { region != .shallow && ratioAtTop > 1 }
}

extension PowerLawFit {
    /// The fitted error at W: exp(logConstant − p ln X(W) + q ln ln W).
    public func fitted(_ w: Double) -> Double {
        exp(logConstant - p * log(against.value(w)) + logPower * log(log(w)))
    }
}
