import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// Bit extraction, the deep phase (``BitExtraction`` in 1-D, ``SnakeExtraction`` in 2-D): N
/// coarse cells and M = N^α fine cells per coarse cell (per axis), depth ≈ 2M^d:
/// p = (1 + α)·min(r, 2)/d against W. With `power` k ≥ 2 every ReLU becomes k ReLU^k units
/// (``ReLUByPower``): same rate.
public struct DeepConstruction: Construction, Equatable {
    public static let name = "deep"
    public static let parameters: Set<ConstructionParameter> = [.alpha, .digitOrder, .fineRatio, .digitBound]
    public static let marker = ConstructionMarker.triangle
    /// The packed weights' precision grows with W.
    public static let costPerWeight = 4.0
    /// α default 1 (0 < α ≤ 1); ReLU or ReLU^k (k = 2…8).
    public static func make(_ p: ConstructionParameters) throws -> DeepConstruction {
        let k = try p.reluPower(allowingPowers: true, construction: name)
        if let order = p.digitOrder, !BitExtraction.orders.contains(order) {
            throw ConstructionError.invalid(parameter: "digit-order", reason: "\(order) is not allowed: use 1, 2 or 3 (default floor(r) + 1, at most 3: 1 at r = 1/2, 2 at r = 1, 3 at r = 2)")
        }
        if let c = p.fineRatio, !(c >= 0.01 && c <= 100) {
            throw ConstructionError.invalid(parameter: "fine-ratio", reason: "\(c) is not allowed: use 0.01 <= c <= 100 (M = c N^alpha)")
        }
        if let bound = p.digitBound, !SnakeExtraction.digitBounds.contains(bound) {
            throw ConstructionError.invalid(parameter: "digit-bound", reason: "\(bound) is not allowed: use \(SnakeExtraction.digitBounds.lowerBound)...\(SnakeExtraction.digitBounds.upperBound) (2-D: default \(SnakeExtraction.defaultDigitBound), 1 is the first wave's snake; 1-D digits of order 2 and 3: default 1)")
        }
        return DeepConstruction(alpha: try p.depthExponent(), power: k, digitOrder: p.digitOrder, fineRatio: p.fineRatio, digitBound: p.digitBound)
    }

    /// The depth exponent α: M = N^α.
    public let alpha: Double
    /// 1 for ReLU units, k for ReLU^k.
    public let power: Int
    /// The digit order (``BitExtraction/order(smoothness:)`` when nil: ⌊r⌋ + 1, at most 3; order 1
    /// at r ≤ 1 and 2 above were the first wave's encodings). In 2-D, order 1 is the snake and
    /// order 2 (the default at r = 1) the second-difference digits of ``KuhnExtraction``.
    public let digitOrder: Int?
    /// c in M = c·N^α (nil: ``BitExtraction/balancedFineRatio(order:)`` for α = 1 in 1-D, where
    /// it makes the coarse part and the chain cost the same weights; 1 otherwise).
    public let fineRatio: Double?
    /// K, the largest first-difference digit in 2-D (nil: ``SnakeExtraction/defaultDigitBound``;
    /// 1 is the first wave's snake). Not used in 1-D.
    public let digitBound: Int?
    /// Bit extraction with M = `fineRatio`·N^`alpha`, units ReLU^`power` (1: ReLU), digits of
    /// order `digitOrder` and (2-D, order 1) bound `digitBound` (nil: the defaults).
    public init(alpha: Double = 1, power: Int = 1, digitOrder: Int? = nil, fineRatio: Double? = nil, digitBound: Int? = nil) {
        self.alpha = alpha; self.power = power; self.digitOrder = digitOrder; self.fineRatio = fineRatio; self.digitBound = digitBound
    }

    public var description: String {
        "deep(alpha: \(alpha)" + (power == 1 ? "" : ", power: \(power)") + (digitOrder.map { ", order: \($0)" } ?? "")
            + (fineRatio.map { ", fine ratio: \($0)" } ?? "") + (digitBound.map { ", digit bound: \($0)" } ?? "") + ")"
    }

    /// The digit order used on a target of smoothness r in dimension d: in 1-D ⌊r⌋ + 1 (at most 3)
    /// unless given; in 2-D 1 unless given (order 2 measured worse there: ``SnakeExtraction``).
    public func order(smoothness r: Double, dimension d: Int = 1) -> Int {
        digitOrder ?? (d == 2 ? 1 : BitExtraction.order(smoothness: r))
    }

    /// Throws when a digit bound is given for 1-D digits of order 1 (greedy ±1 steps: no quantum
    /// to divide).
    public func checkBound(dimension d: Int, smoothness r: Double) throws {
        if digitBound != nil && d == 1 && order(smoothness: r) == 1 {
            throw ConstructionError.invalid(parameter: "digit-bound", reason: "applies to the 2-D deep construction and to 1-D digits of order 2 or 3, not to order 1 (r = \(r.formatted()))")
        }
    }

    /// K of the 1-D digits of order 2 and 3: the quantum is the largest k-th difference of the
    /// residual over K (``BitExtraction/network(_:cells:fine:order:divisor:precision:)``); 1 unless
    /// ``digitBound`` is given.
    public var quantumDivisor: Int { digitBound ?? 1 }

    /// What a checkpoint key must add to ``description`` to name the network built in dimension
    /// d: in 2-D the resolved digits (order and bound) unless they are the first wave's snake,
    /// whose keys stay as they were (its checkpoints are read back); in 1-D the quantum's divisor
    /// when it is not 1, else "".
    public func checkpointTag(dimension d: Int) -> String {
        guard d == 2 else { return quantumDivisor == 1 ? "" : "|1-D quantum divisor \(quantumDivisor)" }
        let k = order(smoothness: 1, dimension: 2)
        return k == 1 && bound == 1 ? "" : "|2-D digits: order \(k), bound \(k == 1 ? bound : KuhnExtraction.secondOrderBound)"
    }

    /// The 2-D digit bound K used.
    public var bound: Int { digitBound ?? SnakeExtraction.defaultDigitBound }

    /// M for N coarse cells on a target of smoothness r in dimension d: round(c·N^α), at least
    /// 6 in 1-D and 10 in 2-D (``fineCells(_:_:dimension:)``), c = ``fineRatio`` or its default.
    public func fine(_ n: Int, smoothness r: Double, dimension d: Int) -> Int {
        DeepConstruction.fineCells(n, alpha, dimension: d, ratio: ratio(smoothness: r, dimension: d))
    }

    /// c in M = c·N^α: ``fineRatio``, else the balanced ratio of the digit order in 1-D at α = 1
    /// (``BitExtraction/balancedFineRatio(order:)``), else 1.
    public func ratio(smoothness r: Double, dimension d: Int) -> Double {
        fineRatio ?? (d == 1 && alpha == 1 ? BitExtraction.balancedFineRatio(order: order(smoothness: r)) : 1)
    }
    /// The least N₀ ≤ 64 such that M = c·N is a whole number at every multiple N of N₀ (the
    /// ratio c of ``fine(_:smoothness:dimension:)`` met exactly, within 10⁻⁹, rather than
    /// rounded): 7 for c = 2/7. Nil when α ≠ 1 or no such N₀ exists (c = 0.29 needs N₀ = 100).
    public func exactRatioPeriod(smoothness r: Double, dimension d: Int) -> Int? {
        guard alpha == 1 else { return nil }
        let c = ratio(smoothness: r, dimension: d)
        return (1...64).first { n in abs(c * Double(n) - (c * Double(n)).rounded()) < 1e-9 }
    }
    public var summary: String {
        "deep (bit extraction: N coarse cells, M = N^\(String(format: "%.4g", alpha)) fine cells per cell packed into one weight"
            + (digitOrder.map { "; digits of order \($0)" } ?? "") + (power == 1 ? ")" : "; every ReLU as \(power) relu^\(power) units)")
    }
    public var dimensions: ClosedRange<Int> { 1...2 }
    public var activation: Activation { power >= 2 ? .reluPower(power) : .relu }
    public var depthExponent: Double { alpha }
    public func expectedRate(smoothness r: Double, dimension d: Int) -> Double { (1 + alpha) * Swift.min(r, 2) / Double(d) }
    public func precision(cells n: Int, smoothness r: Double, dimension: Int) -> Precision {
        let p = reluPrecision(cells: n, smoothness: r, dimension: dimension)
        return power >= 2 ? ReLUByPower.window(forPrecision: p, power: power).precision : p
    }
    /// The precision of the ReLU network (before its units become ReLU^k).
    func reluPrecision(cells n: Int, smoothness r: Double, dimension: Int) -> Precision {
        dimension == 2 ? SnakeExtraction.precision(cells: n, fine: fine(n, smoothness: r, dimension: 2), order: order(smoothness: r, dimension: 2), bound: bound)
                       : BitExtraction.precision(cells: n, fine: fine(n, smoothness: r, dimension: 1), smoothness: r, order: digitOrder, divisor: quantumDivisor)
    }
    /// The bit-extraction hints (``BitExtraction/searchHints(_:dimension:)``).
    public static func searchHints(_ facts: ConstructionFacts, dimension d: Int) -> SearchHints {
        BitExtraction.searchHints(facts, dimension: d)
    }
    public func build(_ target: Target, cells n: Int) throws -> Network {
        try checkDimension(target.dimension)
        try checkBound(dimension: target.dimension, smoothness: target.smoothness)
        let m = fine(n, smoothness: target.smoothness, dimension: target.dimension)
        let p = reluPrecision(cells: n, smoothness: target.smoothness, dimension: target.dimension)
        let relu = target.dimension == 2 ? try SnakeExtraction.network(target, cells: n, fine: m, order: order(smoothness: target.smoothness, dimension: 2),
                                                                       bound: bound, precision: p)
                                         : try BitExtraction.network(target, cells: n, fine: m, order: digitOrder, divisor: quantumDivisor, precision: p)
        guard power >= 2 else { return relu }
        let window = ReLUByPower.window(forPrecision: p, power: power)
        return try ReLUByPower.network(relu, power: power, windowExponent: window.exponent, precision: window.precision)
    }

    /// The networks with N = 1, 2, 4, … cells that the grid sizes are chosen from. In 2-D the
    /// doubling stops once W_all reaches half the W asked for: the next network would be about
    /// three times too large (W ~ N²), and building it (N = 32 at W = 1.6·10⁵: 420,000 weights of
    /// 2,600 bits, about 200 s) cost more than measuring the one asked for. N is then
    /// extrapolated from the last two sizes (``RateExperiment/cells(forWeights:table:dyadic:)``),
    /// which picks the same N as the full table on the committed 2-D runs (16 and 17 at
    /// W = 1.45·10⁵ and 1.6·10⁵).
    public func weightTable(_ target: Target, upTo weights: Int) throws -> [(cells: Int, network: Network)] {
        try doublingTable(target) { table in
            let w = table.last!.network.counts.weightsAll
            return w >= weights || (target.dimension == 2 && table.count >= 2 && 2 * w >= weights)
        }
    }

    /// M = round(N^α) fine cells per coarse cell, at least 6 in 1-D (the cut-off zones, 2δ = 2h
    /// wide on each side of a coarse node, must leave a plateau) and 10 in 2-D (the blend of the
    /// shifted copies needs 4h < H/2 between the strips of two copies).
    public static func fineCells(_ n: Int, _ alpha: Double, dimension: Int = 1, ratio: Double = 1) -> Int {
        Swift.max(dimension == 2 ? 10 : 6, Int((ratio * pow(Double(n), alpha)).rounded()))
    }
}
