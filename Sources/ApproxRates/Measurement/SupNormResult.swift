import PrecisionModule
import NetworksModule
import TargetsModule
/// A sup-norm error as measured, with how it was found and how far its digits are checked.
public struct SupNormResult: Sendable {
    /// max |f − net| over the points searched, computed in MPFR at ``precision``.
    public let error: BigFloat
    /// Where it is attained (float64; see ``exactArgmax`` for the point itself).
    public let argmax: [Double]
    /// Where it is attained, at full precision: the point the MPFR error was computed at.
    public let exactArgmax: [BigFloat]
    /// The certified bracket lower ≤ ‖f − net‖_∞ ≤ upper, when it was asked for
    /// (``SupNorm/Options/certification``).
    public let certified: CertifiedBound?
    /// Working precision of the evaluation.
    public let precision: Precision
    /// The largest error over the same candidates at twice the precision (same stored weights).
    public let guardError: BigFloat
    /// Significant decimal digits on which ``error`` and ``guardError`` agree.
    public let agreeingDigits: Int
    /// The two searches of ``SupNorm``.
    public enum SearchKind: String, Codable, Sendable {
        /// The exact linear pieces of a 1-D ReLU network, each searched (with sampled zones).
        case exactPieces = "exact pieces"
        /// A grid sized to the budget plus special points, refined by pattern search.
        case adaptiveSampling = "adaptive sampling"
    }
    /// Which search found ``error``.
    public let search: SearchKind
    /// True when float64 ranked the candidate points (checked against MPFR first), false when
    /// MPFR did.
    public let rankedInFloat64: Bool
    /// The search used, in words (with its sizes).
    public let method: String
    /// The locator used to rank points, and why.
    public let locator: String
    /// About how many points the locator ranked: computed from the search's plan (grid sizes,
    /// samples per piece, refinement steps), not counted one by one.
    public let locatorPoints: Int
    /// About how many points were evaluated in MPFR, from the search's plan like
    /// ``locatorPoints`` (an estimate of the work, not a count).
    public let mpfrPoints: Int
    /// Finest spacing the search resolved (a length on [0, 1]).
    public let spacing: Double
    /// False when fewer than 6 digits survive the guard.
    public var isStable: Bool { agreeingDigits >= 6 }
}
