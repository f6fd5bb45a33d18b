import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule
/// A measured rate with honest uncertainty: the flagged points (pre-asymptotic, at the precision
/// floor), the fit on the points kept, its t and bootstrap intervals, and the region of the phase
/// diagram it falls in.
public struct RateEstimate: Sendable {
    /// The rows fitted: one per grid size, increasing W.
    public let rows: [RateRow]
    /// Every flag raised on them.
    public let flags: [PointFlag]
    /// Indices (into ``rows``) left out of ``fit``; each has a flag that says why.
    public let excluded: [Int]
    /// The fit on the kept points.
    public let fit: PowerLawFit
    /// The fit on every point (equal to ``fit`` when nothing is excluded).
    public let fitAll: PowerLawFit
    /// The 95 % residual-bootstrap interval of ``fit`` (nil with fewer than 4 kept points, see
    /// ``PowerLawFit/bootstrapInterval(resamples:seed:)``).
    public let bootstrap: (low: Double, high: Double)?
    /// The region the measurement supports: that of the lower end of the 95 % t interval (of p
    /// itself with fewer than 3 points), within 1 % of r/d. A rate is called deep only when the
    /// data rule out r/d, and above 2r/d only when they rule out 2r/d.
    public let region: PhaseRegion

    /// Fits `rows` (repeated grid sizes merged) against `against` with log power `logPower`.
    /// Flagged points are excluded when `excludeFlagged` is set and at least 3 points stay;
    /// otherwise every point is fitted and the flags are still reported.
    public init(rows: [RateRow], against: PowerLawFit.Abscissa, logPower: Double = 0, smoothness r: Double, dimension d: Int,
                excludeFlagged: Bool = true, bootstrapSeed: UInt64 = DefaultSeed.measurement) throws {
        let distinct = RateRow.onePerGridSize(rows)
        self.rows = distinct
        flags = PointFlag.flags(of: distinct)
        func fitting(_ indices: [Int]) throws -> PowerLawFit {
            try PowerLawFit(weights: indices.map { Double(distinct[$0].weightsAll) }, errors: indices.map { distinct[$0].errorValue },
                            against: against, logPower: logPower)
        }
        fitAll = try fitting(Array(distinct.indices))
        let flagged = Set(flags.map(\.index))
        if excludeFlagged && !flagged.isEmpty && distinct.count - flagged.count >= 3 {
            excluded = flagged.sorted()
            fit = try fitting(distinct.indices.filter { !flagged.contains($0) })
        } else {
            excluded = []
            fit = fitAll
        }
        bootstrap = fit.bootstrapInterval(seed: bootstrapSeed)
        region = PhaseRegion.of(Swift.min(fit.pLow ?? fit.p, fit.p), smoothness: r, dimension: d, tolerance: 0.01)
    }

    /// The region as tables print it, agreeing with the verdict in their notes: "above r/d,
    /// constant depth" for a rate above r/d measured at one depth (such a family cannot be in the
    /// deep phase; ``PhaseRegion/constantDepthVerdict``), otherwise the region's name.
    public var regionLabel: String {
        region == .deep && constantDepth ? PhaseRegion.constantDepthLabel : region.rawValue
    }

    /// Whether every kept row has the same depth (a shallow family: it cannot show the deep phase).
    public var constantDepth: Bool {
        let kept = rows.indices.filter { !excluded.contains($0) }.map { rows[$0].depth }
        return kept.count >= 2 && kept.min() == kept.max()
    }

    /// The reasons for the exclusions, one line per excluded point ("W_all = 1136: pre-asymptotic,
    /// local slope …").
    public var exclusionReasons: [String] {
        excluded.flatMap { i in flags.filter { $0.index == i }.map { "W_all = \($0.weights): \($0.kind.rawValue), \($0.detail)" } }
    }
}
