import PrecisionModule
import NetworksModule
import TargetsModule
/// A proof-grade bracket of a sup-norm error: lower ≤ ‖f − net‖_∞ ≤ upper on [0, 1]^d.
///
/// Both ends are rigorous. ``upper`` is the largest upper bound over a set of boxes that covers
/// [0, 1]^d, each bound computed in Arb ball arithmetic (``ExpressionEnclosure`` for the target,
/// ``NetworkEnclosure`` for the network), so it holds for the real function f and the network
/// with its stored weights, not for a rounded evaluation. ``lower`` is a ball lower bound of
/// |f − net| at one point, ``argmax``. Neither depends on the sampled search, which only
/// supplies a starting lower bound to prune with.
public struct CertifiedBound: Sendable {
    /// A rigorous lower bound of the sup norm: |f − net| at ``argmax``, rounded down
    /// (float64, so at most 2^-52 relative below the ball bound it comes from).
    public let lower: Double
    /// A rigorous upper bound of the sup norm, rounded up (float64).
    public let upper: Double
    /// The point where ``lower`` holds, at full precision (the centre of a box).
    public let argmax: [BigFloat]
    /// The gap asked for: refinement stops once upper ≤ (1 + gap)·lower.
    public let requestedGap: Double
    /// An absolute size under which an upper bound is settled whatever the lower bound
    /// (2^-(ball bits): an error of an exact network, below what the precision resolves).
    public let floor: Double
    /// upper/lower − 1, as reached.
    public var gap: Double { lower > 0 ? upper / lower - 1 : .infinity }
    /// Whether the requested gap was reached.
    public var isWithinGap: Bool { upper <= Swift.max((1 + requestedGap) * lower, floor) }
    /// Boxes whose enclosures were computed.
    public let boxes: Int
    /// Boxes still above (1 + gap)·lower when the search stopped (0 when within the gap).
    public let openBoxes: Int
    /// Ball precision of the enclosures, in bits.
    public let precision: Precision
    /// What was done, and what stopped it when the gap was not reached.
    public let method: String
    /// Wall-clock seconds of the certification.
    public let seconds: Double

    /// The upper bound as a decimal string with `digits` significant digits, rounded up, so the
    /// printed number is itself an upper bound.
    public func upperText(digits: Int = 6) -> String { CertifiedBound.decimal(upper, digits: digits, up: true) }
    /// The lower bound as a decimal string, rounded down.
    public func lowerText(digits: Int = 6) -> String { CertifiedBound.decimal(lower, digits: digits, up: false) }

    /// No bound: upper = +∞, lower = 0, with the reason in ``method``.
    public static func notCertified(because reason: String, gap: Double) -> CertifiedBound {
        CertifiedBound(lower: 0, upper: .infinity, argmax: [], requestedGap: gap, floor: 0, boxes: 0, openBoxes: 0,
                       precision: .double, method: "not certified: " + reason, seconds: 0)
    }

    static func decimal(_ x: Double, digits: Int, up: Bool) -> String {
        guard x.isFinite else { return x > 0 ? "inf" : (x < 0 ? "-inf" : "nan") }
        return BigFloat(x, precision: .double).formatted(significantDigits: digits, rounding: up ? .up : .down)
    }
}
