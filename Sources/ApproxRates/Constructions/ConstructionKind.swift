import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The constructions a rate experiment can grow, by name, with the knobs that turn a weight
/// budget W into a network and the rate the theory predicts for them.
public enum ConstructionKind: Sendable, Equatable, CustomStringConvertible {
    /// Piecewise-linear interpolation on a uniform grid (d = 1: one hidden layer; d = 2: the
    /// triangulated grid): p = min(r, 2)/d against W.
    case interpolation
    /// Taylor polynomials of total degree `degree`. With ReLU units (`power` 1) glued by the
    /// trapezoid partition of unity, every product Yarotsky's gadget (``TaylorPartition``):
    /// p = min(r, degree + 1)/d against W/ln W. With ReLU^k units (`power` k ≥ 2) glued by the
    /// B-spline partition of unity, every product exact (``SplineTaylorPartition``):
    /// p = min(r, degree + 1)/d against W, no log factor.
    case taylor(degree: Int, power: Int)
    /// Bit extraction (the deep phase, ``BitExtraction``): N coarse cells and M = N^α fine cells
    /// per coarse cell (per axis), depth ≈ 2M^d: p = (1 + α)·min(r, 2)/d against W. With
    /// `power` k ≥ 2 every ReLU becomes k ReLU^k units (``ReLUByPower``): same rate.
    case deep(alpha: Double, power: Int)
    /// The deep construction in a fully-connected ReLU network of fixed width 2d + 10
    /// (``FixedWidthExtraction``, d = 1, r ≤ 1): only the depth grows with W, only the weights
    /// depend on r; p = (1 + α)·min(r, 1)/d against W.
    case fixedWidth(alpha: Double)

    /// A stable text of the kind and its knobs (part of checkpoint keys; ReLU kinds read as
    /// they did before ReLU^k existed).
    public var description: String {
        switch self {
        case .interpolation: "interpolation"
        case .taylor(let n, 1): "taylor(degree: \(n))"
        case .taylor(let n, let k): "taylor(degree: \(n), power: \(k))"
        case .deep(let a, 1): "deep(alpha: \(a))"
        case .deep(let a, let k): "deep(alpha: \(a), power: \(k))"
        case .fixedWidth(let a): "fixed-width(alpha: \(a))"
        }
    }

    /// The names the CLI accepts.
    public static let names = ["interpolation", "taylor", "deep", "fixed-width"]

    /// `name` with its options; `degree` nil for taylor means ⌈r⌉ − 1; `activation` (default
    /// ReLU) is the unit of the construction: ReLU^k (k = 2…8) is built for taylor and deep.
    public static func named(_ name: String, degree: Int?, smoothness: Double, alpha: Double? = nil,
                             activation: Activation = .relu) throws -> ConstructionKind {
        if name != "deep", name != "fixed-width", alpha != nil { throw ConstructionError.invalid(parameter: "alpha", reason: "applies to the deep and fixed-width constructions only") }
        let takesPowers = name == "taylor" || name == "deep"
        let power: Int
        switch activation {
        case .relu: power = 1
        case .reluPower(let k) where (2...8).contains(k) && takesPowers: power = k
        case .reluPower(let k) where takesPowers:
            throw ConstructionError.invalid(parameter: "activation", reason: "relu^\(k) is not allowed: use relu or relu^k with k = 2...8")
        default:
            throw ConstructionError.invalid(parameter: "activation", reason: "\(activation) is not built for the \(name) construction: use relu" + (takesPowers ? " or relu^k (k = 2...8)" : ""))
        }
        switch name {
        case "deep":
            if degree != nil { throw ConstructionError.invalid(parameter: "degree", reason: "applies to the taylor construction only") }
            let a = alpha ?? 1
            guard a > 0, a <= 1 else { throw ConstructionError.invalid(parameter: "alpha", reason: "\(a) is not allowed: use 0 < alpha <= 1") }
            return .deep(alpha: a, power: power)
        case "fixed-width":
            if degree != nil { throw ConstructionError.invalid(parameter: "degree", reason: "applies to the taylor construction only") }
            let a = alpha ?? 1
            guard a > 0, a <= 1 else { throw ConstructionError.invalid(parameter: "alpha", reason: "\(a) is not allowed: use 0 < alpha <= 1") }
            guard smoothness <= 1 else { throw ConstructionError.parameter("the fixed-width construction is built for r <= 1, not r = \(smoothness)") }
            return .fixedWidth(alpha: a)
        case "interpolation":
            if degree != nil { throw ConstructionError.invalid(parameter: "degree", reason: "applies to the taylor construction only") }
            return .interpolation
        case "taylor":
            let n = degree ?? Swift.max(0, Int(smoothness.rounded(.up)) - 1)
            guard (0...8).contains(n) else { throw ConstructionError.invalid(parameter: "degree", reason: "\(n) is not allowed: use 0...8") }
            return .taylor(degree: n, power: power)
        default:
            throw ConstructionError.parameter("unknown construction '\(name)': use \(names.joined(separator: " or "))")
        }
    }

    /// The CLI name.
    public var name: String {
        switch self { case .interpolation: "interpolation"; case .taylor: "taylor"; case .deep: "deep"; case .fixedWidth: "fixed-width" }
    }

    /// The unit of the construction's hidden layers (identity units carry values between layers
    /// in every construction).
    public var activation: Activation {
        switch self {
        case .taylor(_, let k) where k >= 2, .deep(_, let k) where k >= 2: return .reluPower(k)
        default: return .relu
        }
    }

    /// Dimensions supported.
    public var dimensions: ClosedRange<Int> {
        switch self { case .interpolation: 1...2; case .taylor: 1...3; case .deep: 1...2; case .fixedWidth: 1...1 }
    }

    /// True when the theory's law is in W/ln W (log-corrected) rather than W: whenever the
    /// construction multiplies (Taylor of degree ≥ 1, or any degree in d ≥ 2, where φ_m is a
    /// product), since each product costs O(log N) weights.
    public func fitsAgainstWeightsOverLog(dimension: Int) -> Bool {
        if case .taylor(let n, 1) = self { return n >= 1 || dimension >= 2 } else { return false }
    }

    /// The exponent p this construction should show on a target of smoothness r in d dimensions.
    public func expectedRate(smoothness r: Double, dimension d: Int) -> Double {
        switch self {
        case .interpolation: Swift.min(r, 2) / Double(d)
        case .taylor(let n, _): Swift.min(r, Double(n + 1)) / Double(d)
        case .deep(let alpha, _): (1 + alpha) * Swift.min(r, 2) / Double(d)
        case .fixedWidth(let alpha): (1 + alpha) * Swift.min(r, 1) / Double(d)
        }
    }

    /// The working precision for N cells: enough bits that the evaluation's rounding sits far
    /// below the approximation error (checked afterwards by the guard at twice the precision).
    public func precision(cells n: Int, smoothness r: Double, dimension: Int = 1) -> Precision {
        let logN = Int(log2(Double(Swift.max(n, 2))).rounded(.up))
        switch self {
        case .interpolation: return Precision(uncheckedBits: Precision.Margin.output + 2 * logN)
        case .taylor(let degree, let k) where k >= 2:
            return SplineTaylorPartition.precision(cells: n, degree: degree, power: k, dimension: dimension)
        case .taylor(let degree, _):
            let m = TaylorPartition.defaultSquaringDepth(cells: n, degree: degree)
            return Precision(uncheckedBits: Precision.Margin.output + 2 * m + 2 * logN)
        case .deep(let alpha, let k):
            let p = dimension == 2 ? SnakeExtraction.precision(cells: n, fine: ConstructionKind.fineCells(n, alpha, dimension: 2))
                                   : BitExtraction.precision(cells: n, fine: ConstructionKind.fineCells(n, alpha), smoothness: r)
            return k >= 2 ? ReLUByPower.window(forPrecision: p, power: k).precision : p
        case .fixedWidth(let alpha):
            return BitExtraction.precision(cells: n, fine: ConstructionKind.fineCells(n, alpha), smoothness: r)
        }
    }

    /// Throws unless the construction supports dimension `d`.
    public func checkDimension(_ d: Int) throws {
        guard dimensions.contains(d) else {
            throw ConstructionError.dimension("construction '\(name)' supports d = \(dimensions.lowerBound)...\(dimensions.upperBound), not d = \(d)")
        }
    }

    /// The network for `target` with N = `cells` cells per axis.
    public func build(_ target: Target, cells n: Int) throws -> Network {
        try checkDimension(target.dimension)
        let p = precision(cells: n, smoothness: target.smoothness, dimension: target.dimension)
        switch self {
        case .interpolation:
            return target.dimension == 1 ? try Interpolation.oneDimensional(target, cells: n, precision: p)
                                         : try Interpolation.twoDimensional(target, cells: n, precision: p)
        case .taylor(let degree, let k) where k >= 2:
            return try SplineTaylorPartition.network(target, cells: n, degree: degree, power: k, precision: p)
        case .taylor(let degree, _):
            return try TaylorPartition.network(target, cells: n, degree: degree, precision: p)
        case .deep(let alpha, let k):
            let m = ConstructionKind.fineCells(n, alpha, dimension: target.dimension)
            let reluPrecision = ConstructionKind.deep(alpha: alpha, power: 1).precision(cells: n, smoothness: target.smoothness, dimension: target.dimension)
            let relu = target.dimension == 2 ? try SnakeExtraction.network(target, cells: n, fine: m, precision: reluPrecision)
                                             : try BitExtraction.network(target, cells: n, fine: m, precision: reluPrecision)
            guard k >= 2 else { return relu }
            let window = ReLUByPower.window(forPrecision: reluPrecision, power: k)
            return try ReLUByPower.network(relu, power: k, windowExponent: window.exponent, precision: window.precision)
        case .fixedWidth(let alpha):
            return try FixedWidthExtraction.network(target, cells: n, fine: ConstructionKind.fineCells(n, alpha), precision: p)
        }
    }


    /// M = round(N^α) fine cells per coarse cell, at least 6 in 1-D (the cut-off zones, 2δ = 2h
    /// wide on each side of a coarse node, must leave a plateau) and 10 in 2-D (the blend of the
    /// shifted copies needs 4h < H/2 between the strips of two copies).
    public static func fineCells(_ n: Int, _ alpha: Double, dimension: Int = 1) -> Int {
        Swift.max(dimension == 2 ? 10 : 6, Int(pow(Double(n), alpha).rounded()))
    }

    /// Sets the search hints of `network` in `options` (``searchHints(of:)``).
    public static func applySearchHints(of network: Network, to options: inout SupNorm.Options) {
        options.apply(searchHints(of: network))
    }

    /// The search hints of `network`, from its typed ``ConstructionFacts`` (none for a network
    /// without facts or of a construction that needs none):
    /// - a 1-D bit-extraction network (deep or fixed-width): its cut-off zones sampled, the fine
    ///   grid h = 1/(NM) resolved at h/2 when it is sampled, and a 10× larger budget of sweep
    ///   updates (its error lives in single fine cells, so the exact sweep is the search that
    ///   scales; a coarser grid would miss the fine cell where the error is);
    /// - a 2-D deep network: sampled everywhere at h/2;
    /// - a ReLU^k Taylor network (B-spline partition), smooth inside each cell of width 1/N:
    ///   spacing 1/(8N) in 1-D and 1/(4N) in 2-D;
    /// - a sine lookup, analytic inside each of its K cells: spacing 1/(8K).
    public static func searchHints(of network: Network) -> SearchHints {
        guard let facts = network.construction else { return .none }
        let d = network.inputDimension
        switch facts.kind {
        case .sineLookup:
            guard let k = facts.lookupCells else { return .none }
            return SearchHints(samplingSpacing: 1 / Double(8 * k))
        case .taylor:
            guard facts.partition == .bSpline, let n = facts.cells, d <= 2 else { return .none }
            return SearchHints(samplingSpacing: 1 / Double((d == 1 ? 8 : 4) * n))
        case .deep, .fixedWidth:
            guard let n = facts.cells, let m = facts.fineCells else { return .none }
            var hints = SearchHints(samplingSpacing: 1 / Double(2 * n * m))
            if d == 1 {
                hints.minimumSweepUpdates = 300_000_000
                if let delta = facts.zoneHalfWidth {
                    // A margin of δ/10⁶ keeps every swept interval clear of the zone it borders.
                    let margin = delta * (1 + 1e-6)
                    hints.sampledZones = (1..<n).map { c in (Double(c) / Double(n) - margin)...(Double(c) / Double(n) + margin) }
                }
            }
            return hints
        default:
            return .none
        }
    }

    /// The intervals the sup-norm search samples rather than sweeps for `network`: the cut-off
    /// zones of a 1-D deep or fixed-width network (``searchHints(of:)``), none for the others.
    public static func sampledZones(of network: Network) -> [ClosedRange<Double>] { searchHints(of: network).sampledZones }

    /// The grid spacing the sampling search must resolve for `network` (``searchHints(of:)``).
    public static func samplingSpacing(of network: Network) -> Double? { searchHints(of: network).samplingSpacing }

    /// The networks with N = 1, 2, 4, … cells, built until W_all reaches `weights` (or
    /// N = 2^20): the table grid sizes are chosen from (see ``cells(forWeights:table:dyadic:)``).
    public func weightTable(_ target: Target, upTo weights: Int) throws -> [(cells: Int, network: Network)] {
        var table: [(Int, Network)] = []
        var n = 1
        repeat {
            table.append((n, try build(target, cells: n)))
            n *= 2
        } while table.last!.1.counts.weightsAll < weights && n <= 1 << 20
        return table
    }

    /// The grid size N for about `weights` weights, from a ``weightTable(_:upTo:)``: with
    /// `dyadic`, the power of two whose W_all is nearest on a log scale (nodes m/N are then exact
    /// binary numbers, and an off-grid point such as x₀ = 1/3 keeps the same relative position in
    /// its cell at every N); otherwise N interpolated as a local power law between the two
    /// bracketing powers of two.
    public static func cells(forWeights weights: Int, table: [(cells: Int, network: Network)], dyadic: Bool) -> Int {
        let table = table.map { (cells: $0.cells, weights: $0.network.counts.weightsAll) }
        let target = log(Double(weights))
        let nearest = table.min { abs(log(Double($0.weights)) - target) < abs(log(Double($1.weights)) - target) }!
        if dyadic || table.count < 2 { return nearest.cells }
        let upper = table.firstIndex { $0.weights >= weights } ?? table.count - 1
        let k = Swift.max(1, upper)
        let (n0, w0) = table[k - 1], (n1, w1) = table[k]
        let e = log(Double(w1) / Double(w0)) / log(Double(n1 + 1) / Double(n0 + 1))
        return Swift.max(1, Int((Double(n0 + 1) * pow(Double(weights) / Double(w0), 1 / e)).rounded()) - 1)
    }
}
