import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// The theory's consistency checks on a measured rate (reference notes section 2 and section 5
/// items 10 and 11), applied to the (W, L, ε) triples a construction produced.
///
/// - **Depth law** (item 11): a rate p on F_{r,d} needs L ≳ W^(pd/r − 1)/ln W with ReLU units
///   (L² ≳ … with ReLU^k, whose VC bound is quadratic in L). Fitting log L = α̂ log W + c over
///   the rows, the check passes when α̂ ≥ (p̂d/r − 1)/q − 1/ln W_min, q the power of L in the
///   family's bound (the last term is the most the log factor can take off a slope over the range).
/// - **VC dimension** (item 10, ``VCBound``): a net that approximates every f of the class to ε
///   shatters n(ε) ≈ ε^(−d/r) points, and ReLU nets shatter at most C·W L log W (ReLU^k nets
///   C·min(W², W L² log W)). Over the rows, the slope of log n(ε) against log W, p̂d/r, must not
///   exceed the slope of the bound, plus 1/ln W_min. Sine networks have no finite bound: both
///   checks pass vacuously and say so.
///
/// Both compare exponents (slopes), not constants: the theory's constants are not known, and a
/// violation means a construction claims a rate its own (W, L) rule out: a bug, or a target that
/// is easier than the class (a trap).
public struct ConsistencyCheck: Sendable, Equatable, Codable {
    /// α̂: slope of log L against log W.
    public let depthExponent: Double
    /// (p̂d/r − 1)/q: the depth exponent the measured rate needs (nil for a family with no
    /// VC bound, which needs no depth).
    public let neededDepthExponent: Double?
    /// Slope of the log of the family's VC bound against log W (the bound's growth; nil when
    /// the family has none).
    public let vcExponent: Double?
    /// The family whose bound was used.
    public let family: VCBound
    /// p̂d/r: growth of the shattering number implied by the errors.
    public let shatteringExponent: Double
    /// 1/ln W_min: the slack allowed for the logarithmic factors.
    public let slack: Double

    /// Whether α̂ ≥ (p̂d/r − 1)/q − slack (true when the family needs no depth).
    public var depthLawHolds: Bool { neededDepthExponent.map { depthExponent >= $0 - slack } ?? true }
    /// Whether p̂d/r ≤ (the bound's growth) + slack (true when the family has no bound).
    public var vcBoundHolds: Bool { vcExponent.map { shatteringExponent <= $0 + slack } ?? true }

    /// The checks for rows (W_all, depth L) with the fitted rate `p` on smoothness r in d
    /// dimensions, for networks of the `family`. Needs at least two distinct W.
    public init(weights: [Double], depths: [Double], p: Double, smoothness r: Double, dimension d: Int,
                family: VCBound = .piecewiseLinear) throws {
        guard Set(weights).count >= 2, weights.count == depths.count else { throw RateError("the consistency checks need at least two distinct W") }
        let x = weights.map { Foundation.log($0) }
        func slope(_ y: [Double]) -> Double { LeastSquaresLine(x: x, y: y).slope }
        self.family = family
        depthExponent = slope(depths.map { Foundation.log($0) })
        neededDepthExponent = family.depthPower.map { (p * Double(d) / r - 1) / $0 }
        vcExponent = family.growth(weights: 1, depth: 1) == nil ? nil
            : slope(zip(weights, depths).map { Foundation.log(family.growth(weights: $0, depth: $1)!) })
        shatteringExponent = p * Double(d) / r
        slack = 1 / Foundation.log(weights.min()!)
    }
}
