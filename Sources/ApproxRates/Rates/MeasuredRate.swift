import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// One line of a rate table: an experiment's fitted rate with its intervals, what the theory says,
/// the region of the phase diagram, and the provenance. Every field is plain text or a number so
/// that the CSV, JSON, Markdown and LaTeX tables carry the same values.
public struct MeasuredRate: Sendable, Codable, Equatable {
    /// Experiment name.
    public var experiment: String
    /// Target name (built-in or "formula").
    public var target: String
    /// The target in words.
    public var targetSummary: String
    /// class-hard, single function, trap or formula.
    public var role: String
    /// Smoothness r.
    public var smoothness: Double
    /// Dimension d.
    public var dimension: Int
    /// Activation of the units.
    public var activation: String
    /// Construction name.
    public var construction: String
    /// Depth exponent: L ~ W^alpha for the deep construction, 0 for fixed depth (shallow constructions grow L like ln W or not at all).
    public var depthExponent: Double
    /// Smallest and largest W_all fitted.
    public var weightsMin: Int, weightsMax: Int
    /// Points measured, and points kept by the fit.
    public var points: Int, pointsFitted: Int
    /// Smallest and largest working precision in bits.
    public var precisionMin: Int, precisionMax: Int
    /// Largest packed weight in bits (deep construction), 0 otherwise.
    public var bitsPerWeight: Int
    /// Fitted p.
    public var p: Double
    /// Its 95 % t interval (nil with fewer than 3 points).
    public var pLow: Double?, pHigh: Double?
    /// Its 95 % residual-bootstrap interval (nil with fewer than 4 points).
    public var bootstrapLow: Double?, bootstrapHigh: Double?
    /// The fit's abscissa: W or W/lnW, and the log power q.
    public var against: String, logPower: Double
    /// The construction's rate by its own bound, r/d and 2r/d.
    public var pTheory: Double, pShallow: Double, pMax: Double
    /// shallow, deep or above 2r/d.
    public var region: String
    /// What the region means for this target.
    public var verdict: String
    /// Excluded points with the reasons ("; " separated), empty when none.
    public var excluded: String
    /// Seed of the (first) draw, and the number of draws.
    public var seed: UInt64, draws: Int
    /// Tool version, and the command line of the first point.
    public var tool: String, command: String
    /// With certification (``CertifiedSupNorm``): the rate fitted to the certified upper bounds,
    /// which bound every error from above, and its 95 % t interval; nil when some point has no
    /// finite bound.
    public var pCertified: Double? = nil, pCertifiedLow: Double? = nil, pCertifiedHigh: Double? = nil
    /// With certification: the requested gap, and the largest reached gap upper/lower − 1 over
    /// the points (above the requested one when some point stopped at its box budget).
    public var certifyGap: Double? = nil, certifiedGapMax: Double? = nil
    /// Deep and fixed-width rates: the experiment measuring their shallow baseline (interpolation
    /// on the same target, seeds and W range), nil when the points have none.
    public var baseline: String? = nil
    /// The baseline's error over this one's at the largest W_all (``ShallowComparison/ratioAtTop``:
    /// above 1 the deep network wins).
    public var baselineRatio: Double? = nil
    /// The W where the fitted lines of the two cross, the deep one below beyond it (nil: they do
    /// not cross that way in 10 ≤ W ≤ 10¹²).
    public var crossoverWeights: Double? = nil
    /// "yes" when the deep rate is established (interval's lower end above r/d and better than the
    /// baseline at the top W), "no" otherwise; nil for rates without a baseline.
    public var established: String? = nil
}

extension MeasuredRate {
    /// The rate of one experiment's points (at least 2 distinct grid sizes).
    public init(points: [SweepPoint]) throws {
        try self.init(points: points, estimate: MeasuredRate.estimate(points))
    }

    /// The fit of one experiment's points (the estimate behind ``init(points:)``).
    public static func estimate(_ points: [SweepPoint]) throws -> RateEstimate {
        guard let first = points.first else { throw RateError("no points to fit") }
        return try RateEstimate(rows: points.map(\.row), against: first.theory.against, logPower: first.spec.logPower,
                                smoothness: first.spec.smoothness, dimension: first.spec.dimension)
    }

    /// The rate of one experiment's `points` from their `estimate`.
    public init(points: [SweepPoint], estimate: RateEstimate) throws {
        guard let first = points.first else { throw RateError("no points to fit") }
        let spec = first.spec
        let rows = estimate.rows
        experiment = spec.name; target = TargetCatalog.names.contains(spec.target) ? spec.target : "formula"
        targetSummary = first.targetSummary; role = first.role.rawValue
        smoothness = spec.smoothness; dimension = spec.dimension; activation = spec.activation; construction = spec.construction
        depthExponent = spec.construction == DeepConstruction.name ? (spec.alpha ?? 1) : 0
        weightsMin = rows.first!.weightsAll; weightsMax = rows.last!.weightsAll
        self.points = rows.count; pointsFitted = estimate.fit.count
        precisionMin = rows.map(\.precision).min()!; precisionMax = rows.map(\.precision).max()!
        bitsPerWeight = rows.compactMap(\.bitsPerWeight).max() ?? 0
        p = estimate.fit.p; pLow = estimate.fit.pLow; pHigh = estimate.fit.pHigh
        bootstrapLow = estimate.bootstrap?.low; bootstrapHigh = estimate.bootstrap?.high
        against = estimate.fit.against.rawValue; logPower = spec.logPower
        pTheory = first.theory.pExpected; pShallow = first.theory.pShallow; pMax = first.theory.pMax
        region = estimate.regionLabel; verdict = estimate.region.verdict(for: first.role, constantDepth: estimate.constantDepth)
        excluded = estimate.exclusionReasons.joined(separator: "; ")
        seed = spec.seed; draws = spec.draws
        tool = first.provenance.tool; command = first.provenance.command
        if let c = RateRow.certifiedFit(rows, against: estimate.fit.against) {
            pCertified = c.p; pCertifiedLow = c.pLow; pCertifiedHigh = c.pHigh
            certifyGap = spec.certify
            certifiedGapMax = rows.contains { $0.gap == nil } ? nil : rows.compactMap(\.gap).max()
        }
    }

    /// Whether the verdict is worth a note under a table: a rate above 2r/d, or above r/d at
    /// constant depth.
    public var verdictNoted: Bool { region == PhaseRegion.aboveMax.rawValue || verdict == PhaseRegion.constantDepthVerdict }

    /// The rates of `points` grouped by experiment, in order of first appearance; experiments with
    /// fewer than 2 distinct grid sizes are skipped and named in `skipped`.
    public static func table(_ points: [SweepPoint]) -> (rates: [MeasuredRate], skipped: [String]) {
        let (fitted, skipped) = fits(points)
        return (fitted.map(\.rate), skipped)
    }

    /// As ``table(_:)``, with each rate's estimate (for plots).
    public static func fits(_ points: [SweepPoint]) -> (fitted: [(rate: MeasuredRate, estimate: RateEstimate)], skipped: [String]) {
        var order: [String] = []
        var groups: [String: [SweepPoint]] = [:]
        for p in points {
            if groups[p.spec.name] == nil { order.append(p.spec.name) }
            groups[p.spec.name, default: []].append(p)
        }
        var fitted: [(rate: MeasuredRate, estimate: RateEstimate)] = [], skipped: [String] = []
        var specs: [ExperimentSpec] = []
        for name in order {
            if let e = try? estimate(groups[name]!), let r = try? MeasuredRate(points: groups[name]!, estimate: e) {
                fitted.append((r, e)); specs.append(groups[name]!.first!.spec)
            } else { skipped.append(name) }
        }
        for i in fitted.indices where specs[i].needsBaseline {
            guard let j = specs.indices.first(where: { specs[$0].isBaseline(of: specs[i]) }) else { continue }
            let c = ShallowComparison(deep: fitted[i].estimate, baseline: fitted[j].estimate)
            fitted[i].rate.baseline = fitted[j].rate.experiment
            fitted[i].rate.baselineRatio = c.ratioAtTop
            fitted[i].rate.crossoverWeights = c.crossoverWeights
            fitted[i].rate.established = c.establishes(fitted[i].estimate.region) ? "yes" : "no"
        }
        return (fitted, skipped)
    }
}

extension MeasuredRate {
    /// A value used only to list the fields in declaration order.
    package static var example: MeasuredRate {
        MeasuredRate(experiment: "", target: "", targetSummary: "", role: "", smoothness: 0, dimension: 0, activation: "", construction: "",
                     depthExponent: 0, weightsMin: 0, weightsMax: 0, points: 0, pointsFitted: 0, precisionMin: 0, precisionMax: 0,
                     bitsPerWeight: 0, p: 0, pLow: nil, pHigh: nil, bootstrapLow: nil, bootstrapHigh: nil, against: "", logPower: 0,
                     pTheory: 0, pShallow: 0, pMax: 0, region: "", verdict: "", excluded: "", seed: 0, draws: 0, tool: "", command: "")
    }
}
