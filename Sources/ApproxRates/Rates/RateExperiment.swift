import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule
/// A rate experiment: a target, a construction grown over a range of W, the errors measured,
/// the fitted exponent and the theory's exponents beside it.
public struct RateExperiment: Sendable {
    /// The function approximated.
    public let target: Target
    /// What is grown.
    public let construction: any Construction
    /// The weight counts asked for, increasing.
    public let requestedWeights: [Int]
    /// Further draws of a random target (other seeds): each row reports the worst error over
    /// `target` and these, the class rate's worst case over a random family.
    public var draws: [Target] = []
    /// Threads for the measurement.
    public var threads: Int?
    /// Whether grid sizes are powers of two (see ``cells(forWeights:table:dyadic:period:)``).
    public var dyadic: Bool = true
    /// Grid sizes N are multiples of this (not with ``dyadic``): the exact-ratio grids of a deep
    /// construction (``exactRatioPeriod(construction:dimension:smoothness:)``), where M = c·N holds
    /// without rounding at every N. 1: any N.
    public var gridPeriod: Int = 1
    /// Networks built while planning, handed to ``measure(weights:cells:)`` once.
    let built = NetworkCache()
    /// Cap on the grid of the adaptive sampling search (``SupNorm/Options/maximumGridPoints``).
    public var searchPoints: Int = 1 << 18
    /// When set, every network is measured with its weights rounded to this precision and
    /// evaluated at it, instead of at the construction's precision (53: what float64 shows).
    public var precisionOverride: Precision? = nil
    /// When set, each row also reports the error at this precision (weights rounded to it),
    /// beside the error at the construction's precision.
    public var comparePrecision: Precision? = nil
    /// When set, every row is also certified (``CertifiedSupNorm``): rigorous bounds beside
    /// the measured error.
    public var certification: CertifiedSupNorm.Options? = nil

    /// `points` weight counts spaced log-uniformly from `lower` to `upper` (both included),
    /// rounded to integers. Throws for an empty or degenerate range, or for more points or
    /// weights than ``ResourceLimits/ratePoints`` and ``ResourceLimits/weights`` allow.
    public static func weightGrid(from lower: Double, to upper: Double, points: Int) throws -> [Int] {
        guard lower.isFinite, upper.isFinite, lower >= 4 else {
            throw RateError("the W range starts at \(lower): it must start at 4 weights or more")
        }
        try ResourceLimits.check(points, "--points", against: ResourceLimits.ratePoints)
        try ResourceLimits.check(upper, "the W range's upper end", against: ResourceLimits.weights)
        guard upper >= lower else { throw RateError("the W range \(lower)...\(upper) is empty: the upper end must not be below the lower end") }
        if points == 1 { return [Int(lower.rounded())] }
        guard upper > lower else { throw RateError("the W range \(lower)...\(upper) holds one value; \(points) points need a wider range or --points 1") }
        return (0..<points).map { k in Int((lower * pow(upper / lower, Double(k) / Double(points - 1))).rounded()) }
    }

    /// `points` weight counts over the range `text`, "A...B" (or a single number A), as in
    /// ``weightGrid(from:to:points:)``.
    public static func weightGrid(_ text: String, points: Int) throws -> [Int] {
        let parts = text.components(separatedBy: "...")
        if parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]) { return try weightGrid(from: a, to: b, points: points) }
        if let single = Double(text) { return try weightGrid(from: single, to: single, points: points) }
        throw RateError("expected A...B with numbers A and B, e.g. 1e2...1e5")
    }

    /// An experiment growing `construction` on `target` at the weight counts `requestedWeights`
    /// (see ``weightGrid(from:to:points:)``); throws when the construction does not support the
    /// target's dimension.
    public init(target: Target, construction: any Construction, requestedWeights: [Int], threads: Int? = nil,
                dyadic: Bool = true) throws {
        try construction.checkDimension(target.dimension)
        self.target = target
        self.construction = construction
        self.requestedWeights = requestedWeights
        self.threads = threads
        self.dyadic = dyadic
    }

    /// The grid size N for each requested W, in order, without repeats (several W can round to
    /// one N, most often with dyadic grids in 2-D).
    public func plannedCells() throws -> [(requested: Int, cells: Int)] {
        var seen = Set<Int>()
        return try gridSizes().filter { seen.insert($0.cells).inserted }
    }

    /// The grid size N for every requested W, in order, repeats kept.
    public func gridSizes() throws -> [(requested: Int, cells: Int)] {
        let table = try construction.weightTable(target, upTo: requestedWeights.max() ?? 0)
        for (n, net) in table { built.store(net, cells: n) }
        return requestedWeights.map { ($0, RateExperiment.cells(forWeights: $0, table: table, dyadic: dyadic, period: gridPeriod)) }
    }

    /// Builds and measures the network with N = `cells` (planned for `weights`): the worst
    /// draw, as ``worst(of:)`` combines the rows of ``measure(weights:cells:draw:)``.
    public func measure(weights: Int, cells n: Int) throws -> RateRow {
        RateExperiment.worst(of: try (0...draws.count).map { try measure(weights: weights, cells: n, draw: $0) })
    }

    /// The targets of the rows: `target` (draw 0), then ``draws``.
    public var drawnTargets: [Target] { [target] + draws }

    /// Builds and measures draw `k` alone (0 is ``target``, k ≥ 1 is `draws[k − 1]`): a row with
    /// `draws` = 1 and `worstDraw` = k, so that a long multi-draw run can keep each draw as it ends.
    public func measure(weights: Int, cells n: Int, draw k: Int) throws -> RateRow {
        let start = Date()
        let f = drawnTargets[k]
        let net = try (k == 0 ? built.take(cells: n) : nil) ?? construction.build(f, cells: n)
        // The construction's planned precision, raised to the weights' own when a build needed
        // more bits than planned (the order-3 digits of x², whose quantum is floored): the
        // network is then measured as built, never rounded to the plan.
        let planned = construction.precision(cells: n, smoothness: target.smoothness, dimension: target.dimension)
        let precision = precisionOverride ?? Precision.max(planned, net.weightPrecision)
        let result = try measure(net, f, at: precisionOverride, default: precision)
        let c = net.counts
        let digits = Swift.max(3, Swift.min(result.agreeingDigits, 17))
        var row = RateRow(requestedWeights: weights, cells: n, weightsAll: c.weightsAll, weightsNonzero: c.weightsNonzero,
                          depth: c.depth, width: c.maximumWidth, precision: precision.bits,
                          error: result.error.formatted(significantDigits: digits), errorValue: result.error.toDouble(),
                          argmax: result.argmax, guardDigits: result.agreeingDigits, stable: result.isStable,
                          method: result.method, locator: result.locator, spacing: result.spacing,
                          seconds: 0, draws: 1, worstDraw: k)
        row.search = result.search
        row.rankedInFloat64 = result.rankedInFloat64
        row.bitsPerWeight = net.construction?.bitsPerWeight
        row.fineCells = net.construction?.fineCells
        row.argmaxExact = result.exactArgmax.map { $0.formatted(significantDigits: Swift.max(17, precision.bits * 3 / 10 + 2)) }
        if let c = result.certified {
            row.certified = c.upperText(digits: 8); row.certifiedValue = c.upper.isFinite ? c.upper : nil; row.certifiedLower = c.lower
            row.gap = c.gap.isFinite ? c.gap : nil; row.withinGap = c.isWithinGap
        }
        if let cp = comparePrecision {
            let compared = try measure(net, f, at: cp, default: cp)
            row.comparedError = compared.error.formatted(significantDigits: 4)
            row.comparedErrorValue = compared.error.toDouble()
            row.comparedPrecision = compared.precision.bits
        }
        row.seconds = Date().timeIntervalSince(start)
        return row
    }

    /// The row of one W over several draws (one row each, in draw order): the draw with the largest
    /// error (the first of equals), with `draws` = their number, the seconds summed, and the
    /// 53-bit column the largest over the draws.
    public static func worst(of rows: [RateRow]) -> RateRow {
        precondition(!rows.isEmpty)
        var row = rows[0]
        for r in rows.dropFirst() where r.errorValue > row.errorValue { row = r }
        row.draws = rows.count
        row.seconds = rows.map(\.seconds).reduce(0, +)
        // The certified bracket of the worst case: the largest upper bound over the draws.
        if rows.contains(where: { $0.certifiedValue != nil }) {
            let certified = rows.compactMap(\.certifiedValue)
            if certified.count == rows.count, let top = rows.max(by: { $0.certifiedValue! < $1.certifiedValue! }) {
                row.certified = top.certified; row.certifiedValue = top.certifiedValue
                row.certifiedLower = rows.compactMap(\.certifiedLower).max()
                row.gap = rows.contains { $0.gap == nil } ? nil : rows.compactMap(\.gap).max()
                row.withinGap = rows.allSatisfy { $0.withinGap == true }
            } else {
                row.certified = nil; row.certifiedValue = nil; row.certifiedLower = nil; row.gap = nil; row.withinGap = false
            }
        }
        if let compared = rows.filter({ $0.comparedErrorValue != nil }).max(by: { $0.comparedErrorValue! < $1.comparedErrorValue! }) {
            row.comparedError = compared.comparedError
            row.comparedErrorValue = compared.comparedErrorValue
            row.comparedPrecision = compared.comparedPrecision
        }
        return row
    }

    /// One sup-norm measurement: at `rounding` (weights rounded to it) when given, else at
    /// `precision` with the weights as built.
    func measure(_ net: Network, _ f: Target, at rounding: Precision?, default precision: Precision) throws -> SupNormResult {
        var options = SupNorm.Options(precision: precision, threads: threads)
        options.maximumGridPoints = searchPoints
        ConstructionRegistry.applySearchHints(of: net, to: &options)
        options.certification = rounding == nil || rounding == precisionOverride ? certification : nil
        let measured = try rounding.map { try net.rounded(to: $0) } ?? net
        return try SupNorm.measure(measured, against: f, options: options)
    }

    /// The theory's exponents for this target: p_shallow = r/d, p_max = 2r/d, and what this
    /// construction should show.
    public var theory: Theory {
        let r = target.smoothness, d = Double(target.dimension)
        return Theory(pShallow: r / d, pMax: 2 * r / d,
                      pExpected: construction.expectedRate(smoothness: r, dimension: target.dimension),
                      against: construction.fitsAgainstWeightsOverLog(dimension: target.dimension) ? .weightsOverLog : .weights)
    }

    /// The theory's exponents.
    public struct Theory: Sendable, Codable, Equatable {
        /// r/d: the best rate of continuous weight selection (shallow phase boundary).
        public let pShallow: Double
        /// 2r/d: the best rate of any ReLU network (feasibility boundary).
        public let pMax: Double
        /// The rate the construction achieves by its own error bound.
        public let pExpected: Double
        /// The abscissa of the construction's law.
        public let against: PowerLawFit.Abscissa
    }

    /// The depth-law and VC checks of the rows with the fitted rate `fit`.
    public func consistency(_ rows: [RateRow], _ fit: PowerLawFit) -> ConsistencyCheck? {
        let distinct = RateRow.onePerGridSize(rows)
        return try? ConsistencyCheck(weights: distinct.map { Double($0.weightsAll) }, depths: distinct.map { Double($0.depth) },
                                     p: fit.p, smoothness: target.smoothness, dimension: target.dimension,
                                     family: VCBound(construction.activation))
    }

    /// Fits the rows (distinct N only) against the construction's abscissa.
    public func fit(_ rows: [RateRow]) throws -> PowerLawFit {
        let distinct = RateRow.onePerGridSize(rows)
        return try PowerLawFit(weights: distinct.map { Double($0.weightsAll) }, errors: distinct.map(\.errorValue), against: theory.against)
    }
}

extension RateExperiment {
    /// The period of exact-ratio grids for `construction` on a `dimension`-D target of
    /// smoothness `r`: N₀ such that M = c·N is whole at every multiple of N₀ (a deep construction
    /// with α = 1 and a ratio c = a/b, b ≤ 64; ``DeepConstruction/exactRatioPeriod(smoothness:dimension:)``).
    /// Throws, naming the ratio, for any other construction or ratio.
    public static func exactRatioPeriod(construction: any Construction, dimension: Int, smoothness r: Double) throws -> Int {
        guard let deep = construction as? DeepConstruction else {
            throw RateError("grid exact-ratio is for the deep construction (M = c·N), not \(type(of: construction).name)")
        }
        guard let period = deep.exactRatioPeriod(smoothness: r, dimension: dimension) else {
            let c = deep.ratio(smoothness: r, dimension: dimension)
            throw RateError("grid exact-ratio needs alpha 1 and a fine ratio c = a/b with b ≤ 64 (such as 0.2857142857142857 = 2/7), so that M = c·N is whole; fine ratio \(c) at alpha \(deep.alpha.formatted()) has none")
        }
        return period
    }

    /// The grid size N for about `weights` weights, from a construction's ``Construction/weightTable(_:upTo:)``: with
    /// `dyadic`, the power of two whose W_all is nearest on a log scale (nodes m/N are then exact
    /// binary numbers, and an off-grid point such as x₀ = 1/3 keeps the same relative position in
    /// its cell at every N); otherwise N interpolated as a local power law between the two
    /// bracketing powers of two, then rounded to the nearest multiple of `period` (at least
    /// `period`).
    public static func cells(forWeights weights: Int, table: [(cells: Int, network: Network)], dyadic: Bool, period: Int = 1) -> Int {
        let n = cells(forWeights: weights, table: table, dyadic: dyadic)
        guard !dyadic, period > 1 else { return n }
        return Swift.max(period, Int((Double(n) / Double(period)).rounded()) * period)
    }

    /// The N of ``cells(forWeights:table:dyadic:period:)`` before the period.
    static func cells(forWeights weights: Int, table: [(cells: Int, network: Network)], dyadic: Bool) -> Int {
        let table = table.map { (cells: $0.cells, weights: $0.network.counts.weightsAll) }
        let target = log(Double(weights))
        let nearest = table.min { abs(log(Double($0.weights)) - target) < abs(log(Double($1.weights)) - target) }!
        if dyadic || table.count < 2 { return nearest.cells }
        let upper = table.firstIndex { $0.weights >= weights } ?? table.count - 1
        let k = Swift.max(1, upper)
        let (n0, w0) = table[k - 1], (n1, w1) = table[k]
        let e = log(Double(w1) / Double(w0)) / log(Double(n1 + 1) / Double(n0 + 1))
        let n = Double(n0 + 1) * pow(Double(weights) / Double(w0), 1 / e)
        guard e > 0, n.isFinite, n < Double(n1 + 1) * 4 else { return nearest.cells }   // a flat or odd table: the nearest N
        return Swift.max(1, Int(n.rounded()) - 1)
    }
}
