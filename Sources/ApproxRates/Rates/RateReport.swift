import Foundation
import TargetsModule
import ConstructionsModule

/// The JSON report of one rate experiment (`approx-cli rate --json`), as Codable types: the
/// target, the construction, one row per grid size, the fit with its intervals and flags, the
/// theory's exponents and the depth-law and VC checks. Keys are snake_case as written; a value
/// that does not exist is written as null (``Nullable``), except the fit's estimate and certified
/// parts, which are absent when they were not computed.
public struct RateReport: Encodable, Sendable {
    /// A value written as JSON null when absent (Codable's default would drop the key).
    public struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
        /// The value, or nil for null.
        public let value: Value?
        /// Wraps `value`.
        public init(_ value: Value?) { self.value = value }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            if let value { try c.encode(value) } else { try c.encodeNil() }
        }
    }

    /// The target measured against.
    public struct TargetPart: Encodable, Sendable {
        let name: String, summary: String, dimension: Int, smoothness: Double, role: String
    }

    /// One row: a grid size N and its measurement.
    public struct Row: Encodable, Sendable {
        let row: RateRow
        enum Key: String, CodingKey {
            case wRequested = "W_requested", wAll = "W_all", wNz = "W_nz", depth, width, n = "N", precision, error
            case errorValue = "error_value", argmax, guardDigits = "guard_digits", stable, method, locator, spacing, seconds
            case draws, worstDraw = "worst_draw", bitsPerWeight = "bits_per_weight", error53 = "error_53"
            case error53Value = "error_53_value", m = "M", argmaxExact = "argmax_exact", certified
            case certifiedValue = "certified_value", certifiedLower = "certified_lower", gap, withinGap = "within_gap"
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            let r = row
            try c.encode(r.requestedWeights, forKey: .wRequested); try c.encode(r.weightsAll, forKey: .wAll)
            try c.encode(r.weightsNonzero, forKey: .wNz); try c.encode(r.depth, forKey: .depth); try c.encode(r.width, forKey: .width)
            try c.encode(r.cells, forKey: .n); try c.encode(r.precision, forKey: .precision); try c.encode(r.error, forKey: .error)
            try c.encode(r.errorValue, forKey: .errorValue); try c.encode(r.argmax, forKey: .argmax)
            try c.encode(r.guardDigits, forKey: .guardDigits); try c.encode(r.stable, forKey: .stable)
            try c.encode(r.method, forKey: .method); try c.encode(r.locator, forKey: .locator); try c.encode(r.spacing, forKey: .spacing)
            try c.encode(r.seconds, forKey: .seconds); try c.encode(r.draws, forKey: .draws); try c.encode(r.worstDraw, forKey: .worstDraw)
            try c.encode(Nullable(r.bitsPerWeight), forKey: .bitsPerWeight); try c.encode(Nullable(r.comparedError), forKey: .error53)
            try c.encode(Nullable(r.comparedErrorValue), forKey: .error53Value); try c.encode(Nullable(r.fineCells), forKey: .m)
            try c.encode(Nullable(r.argmaxExact), forKey: .argmaxExact); try c.encode(Nullable(r.certified), forKey: .certified)
            try c.encode(Nullable(r.certifiedValue), forKey: .certifiedValue); try c.encode(Nullable(r.certifiedLower), forKey: .certifiedLower)
            try c.encode(Nullable(r.gap), forKey: .gap); try c.encode(Nullable(r.withinGap), forKey: .withinGap)
        }
    }

    /// A flagged point of the fit.
    public struct FlagPart: Encodable, Sendable {
        let wAll: Int, kind: String, detail: String
        enum CodingKeys: String, CodingKey { case wAll = "W_all", kind, detail }
    }

    /// The fit of all rows, its intervals, and (when estimated) its flags, region and the fit
    /// without flagged points; the certified fit when every row has a bound.
    public struct FitPart: Encodable, Sendable {
        let p: Double, against: String, points: Int, localSlopes: [Double]
        let pLow: Nullable<Double>, pHigh: Nullable<Double>, bootstrapLow: Nullable<Double>, bootstrapHigh: Nullable<Double>
        let flags: [FlagPart]?, region: String?, pWithoutFlagged: Double?
        let pCertified: Double?, pCertifiedLow: Nullable<Double>?, pCertifiedHigh: Nullable<Double>?
        enum CodingKeys: String, CodingKey {
            case p, against, points, localSlopes = "local_slopes", pLow = "p_low", pHigh = "p_high", bootstrapLow = "bootstrap_low"
            case bootstrapHigh = "bootstrap_high", flags, region, pWithoutFlagged = "p_without_flagged", pCertified = "p_certified"
            case pCertifiedLow = "p_certified_low", pCertifiedHigh = "p_certified_high"
        }
    }

    /// The theory's exponents.
    public struct TheoryPart: Encodable, Sendable {
        let pShallow: Double, pMax: Double, pConstruction: Double, against: String
        enum CodingKeys: String, CodingKey { case pShallow = "p_shallow", pMax = "p_max", pConstruction = "p_construction", against }
    }

    /// The depth-law and VC checks.
    public struct ConsistencyPart: Encodable, Sendable {
        let depthExponent: Double, neededDepthExponent: Nullable<Double>, depthLawHolds: Bool, vcExponent: Nullable<Double>
        let vcBound: String, shatteringExponent: Double, vcBoundHolds: Bool, slack: Double
        enum CodingKeys: String, CodingKey {
            case depthExponent = "depth_exponent", neededDepthExponent = "needed_depth_exponent", depthLawHolds = "depth_law_holds"
            case vcExponent = "vc_exponent", vcBound = "vc_bound", shatteringExponent = "shattering_exponent", vcBoundHolds = "vc_bound_holds", slack
        }
    }

    let target: TargetPart
    let construction: String
    let degree: Int?
    let activation: String
    let alpha: Double?
    let rows: [Row]
    let fit: Nullable<FitPart>
    let theory: TheoryPart
    let consistency: Nullable<ConsistencyPart>

    /// The report of `experiment`'s `rows`, with the fit of all rows, its bootstrap interval,
    /// the estimate (flags, region), the theory and the consistency checks; `role` is the
    /// target's role in words.
    public init(_ experiment: RateExperiment, rows: [RateRow], role: String, fit: PowerLawFit?, bootstrap: (low: Double, high: Double)?,
                estimate: RateEstimate?, theory: RateExperiment.Theory, consistency: ConsistencyCheck?) {
        let t = experiment.target
        target = TargetPart(name: t.name, summary: t.summary, dimension: t.dimension, smoothness: t.smoothness, role: role)
        construction = experiment.construction.name
        degree = (experiment.construction as? TaylorConstruction)?.degree
        activation = experiment.construction.activation.description
        alpha = type(of: experiment.construction).parameters.contains(.alpha) ? experiment.construction.depthExponent : nil
        self.rows = rows.map { Row(row: $0) }
        self.fit = Nullable(fit.map { fit in
            let certified = RateRow.certifiedFit(rows, against: theory.against)
            return FitPart(p: fit.p, against: fit.against.rawValue, points: fit.count, localSlopes: fit.localSlopes,
                           pLow: Nullable(fit.pLow), pHigh: Nullable(fit.pHigh), bootstrapLow: Nullable(bootstrap?.low),
                           bootstrapHigh: Nullable(bootstrap?.high),
                           flags: estimate.map { $0.flags.map { FlagPart(wAll: $0.weights, kind: $0.kind.rawValue, detail: $0.detail) } },
                           region: estimate?.regionLabel, pWithoutFlagged: estimate?.fit.p,
                           pCertified: certified?.p, pCertifiedLow: certified.map { Nullable($0.pLow) },
                           pCertifiedHigh: certified.map { Nullable($0.pHigh) })
        })
        self.theory = TheoryPart(pShallow: theory.pShallow, pMax: theory.pMax, pConstruction: theory.pExpected, against: theory.against.rawValue)
        self.consistency = Nullable(consistency.map { c in
            ConsistencyPart(depthExponent: c.depthExponent, neededDepthExponent: Nullable(c.neededDepthExponent), depthLawHolds: c.depthLawHolds,
                            vcExponent: Nullable(c.vcExponent), vcBound: c.family.formula, shatteringExponent: c.shatteringExponent,
                            vcBoundHolds: c.vcBoundHolds, slack: c.slack)
        })
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
