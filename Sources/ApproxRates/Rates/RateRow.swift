import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule
/// One measured point of a rate: the network grown to about W weights, and its sup-norm error.
public struct RateRow: Sendable, Codable, Equatable {
    /// The weight count asked for.
    public var requestedWeights: Int
    /// Grid cells per axis N chosen for it.
    public let cells: Int
    /// Every weight and bias slot (W_all).
    public let weightsAll: Int
    /// Nonzero weights and biases (W_nz).
    public let weightsNonzero: Int
    /// Number of affine maps L.
    public let depth: Int
    /// Largest hidden width.
    public let width: Int
    /// Working precision in bits.
    public let precision: Int
    /// ‖f − net‖_∞ found, as decimal text with every significant digit the guard confirmed.
    public let error: String
    /// The same as a Double (for fits and plots).
    public let errorValue: Double
    /// Where the error is attained.
    public let argmax: [Double]
    /// Digits confirmed by the twice-the-precision guard.
    public let guardDigits: Int
    /// Whether at least 6 digits were confirmed.
    public let stable: Bool
    /// The search, in words.
    public let method: String
    /// The locator, in words.
    public let locator: String
    /// Finest spacing the search resolved.
    public let spacing: Double
    /// Wall-clock seconds for building and measuring.
    public var seconds: Double
    /// Number of target draws measured (the error is the largest).
    public var draws: Int
    /// Which draw (0-based, in the order given) attained it.
    public let worstDraw: Int
    /// Bits of the largest packed weight when the construction packs digits into weights (the
    /// deep phase), nil otherwise.
    public var bitsPerWeight: Int? = nil
    /// With a comparison precision: the error of the same network with its weights rounded to that
    /// precision and evaluated at it (``RateExperiment/comparePrecision``), as decimal text.
    public var comparedError: String? = nil
    /// The same as a Double.
    public var comparedErrorValue: Double? = nil
    /// The comparison precision in bits.
    public var comparedPrecision: Int? = nil

    /// Which search found the error (nil in rows written before it was recorded).
    public var search: SupNormResult.SearchKind? = nil
    /// Whether float64 ranked the candidates (nil in rows written before it was recorded).
    public var rankedInFloat64: Bool? = nil
    /// Fine cells M per coarse cell of the deep constructions (rebuild the row's network with
    /// `build deep --cells N --fine M`), nil for the others.
    public var fineCells: Int? = nil
    /// The argmax at full precision (decimal), the point the error was computed at.
    public var argmaxExact: [String]? = nil
    /// With certification: a rigorous upper bound of the error, as decimal text rounded up
    /// (over the draws: the largest).
    public var certified: String? = nil
    /// The same as a Double (rounded up); nil when the bound is not finite (the text says "inf").
    public var certifiedValue: Double? = nil
    /// With certification: a rigorous lower bound (rounded down; over the draws: the largest).
    public var certifiedLower: Double? = nil
    /// With certification: upper/lower − 1 as reached (over the draws: the largest).
    public var gap: Double? = nil
    /// With certification: whether every draw reached the requested gap.
    public var withinGap: Bool? = nil

    /// `rows` sorted by W_all with one row per grid size N (the first): what fits and checks use,
    /// since several requested W can round to one N.
    public static func onePerGridSize(_ rows: [RateRow]) -> [RateRow] {
        var seen = Set<Int>()
        return rows.sorted { $0.weightsAll < $1.weightsAll }.filter { seen.insert($0.cells).inserted }
    }

    /// The fit of the certified upper bounds (one row per grid size), when every such row has a
    /// finite one: a rate that holds for the errors themselves, since each is at most its bound.
    public static func certifiedFit(_ rows: [RateRow], against: PowerLawFit.Abscissa) -> PowerLawFit? {
        let distinct = onePerGridSize(rows)
        guard distinct.count >= 2, distinct.allSatisfy({ ($0.certifiedValue ?? .infinity).isFinite }) else { return nil }
        return try? PowerLawFit(weights: distinct.map { Double($0.weightsAll) }, errors: distinct.map { $0.certifiedValue! }, against: against)
    }
}
