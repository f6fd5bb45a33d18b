import Foundation

/// The theory's consistency checks on a measured rate (reference notes section 2 and section 5
/// items 10 and 11), applied to the (W, L, ε) triples a construction produced.
///
/// - **Depth law** (item 11): a rate p on F_{r,d} needs L ≳ W^(pd/r − 1)/ln W. Fitting
///   log L = α̂ log W + c over the rows, the check passes when α̂ ≥ p̂d/r − 1 − 1/ln W_min (the
///   last term is the most the 1/ln W factor can take off a slope over the range).
/// - **VC dimension** (item 10, BHLM): a net that approximates every f of the class to ε
///   shatters n(ε) ≈ ε^(−d/r) points, and ReLU nets shatter at most C·W L log W. Over the rows,
///   the slope of log n(ε) against log W, p̂d/r, must not exceed the slope of log(W L log₂W),
///   plus 1/ln W_min.
///
/// Both compare exponents (slopes), not constants: the theory's constants are not known, and a
/// violation means a construction claims a rate its own (W, L) rule out: a bug, or a target that
/// is easier than the class (a trap).
public struct ConsistencyCheck: Sendable, Equatable, Codable {
    /// α̂: slope of log L against log W.
    public let depthExponent: Double
    /// p̂d/r − 1: the depth exponent the measured rate needs.
    public let neededDepthExponent: Double
    /// Slope of log(W L log₂W) against log W (the VC bound's growth).
    public let vcExponent: Double
    /// p̂d/r: growth of the shattering number implied by the errors.
    public let shatteringExponent: Double
    /// 1/ln W_min: the slack allowed for the logarithmic factors.
    public let slack: Double

    /// Whether α̂ ≥ p̂d/r − 1 − slack.
    public var depthLawHolds: Bool { depthExponent >= neededDepthExponent - slack }
    /// Whether p̂d/r ≤ (VC growth) + slack.
    public var vcBoundHolds: Bool { shatteringExponent <= vcExponent + slack }

    /// The checks for rows (W_all, depth L) with the fitted rate `p` on smoothness r in d
    /// dimensions. Needs at least two distinct W.
    public init(weights: [Double], depths: [Double], p: Double, smoothness r: Double, dimension d: Int) throws {
        guard Set(weights).count >= 2, weights.count == depths.count else { throw RateError("the consistency checks need at least two distinct W") }
        let x = weights.map { Foundation.log($0) }
        func slope(_ y: [Double]) -> Double {
            let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
            var sxy = 0.0, sxx = 0.0
            for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx) }
            return sxy / sxx
        }
        depthExponent = slope(depths.map { Foundation.log($0) })
        neededDepthExponent = p * Double(d) / r - 1
        vcExponent = slope(zip(weights, depths).map { Foundation.log($0 * $1 * log2($0)) })
        shatteringExponent = p * Double(d) / r
        slack = 1 / Foundation.log(weights.min()!)
    }
}
