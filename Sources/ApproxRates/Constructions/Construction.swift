import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// A construction that a rate experiment grows: the one type every part of the tool reads a
/// construction from (the CLI's `--construction`, the sweep plans, the phase diagram's markers,
/// the sweep's cost estimate). Each conforming type lives in its own file and supplies its name
/// and typed parameters, the rate the theory predicts, its precision plan and a build step; the
/// ``ConstructionRegistry`` lists them. Adding a construction is one file and one registry line.
/// A builder whose networks carry facts of kind ``name`` and that knows the sup-norm search's
/// hints for them: every ``Construction``, and builders outside the rate registry (the sine
/// lookup). ``ConstructionRegistry/searchHints(of:)`` dispatches on the facts' kind through it.
public protocol SearchHinted {
    /// The name in commands, plans, tables and the facts' `kind` ("interpolation").
    static var name: String { get }
    /// The hints for the sup-norm search of a network this builder made, from the network's
    /// facts and input dimension (default: none).
    static func searchHints(_ facts: ConstructionFacts, dimension: Int) -> SearchHints
}

extension SearchHinted {
    public static func searchHints(_ facts: ConstructionFacts, dimension: Int) -> SearchHints { .none }
}

public protocol Construction: SearchHinted, Sendable, CustomStringConvertible {
    /// The optional parameters it takes beyond the activation.
    static var parameters: Set<ConstructionParameter> { get }
    /// Its marker on the phase diagram.
    static var marker: ConstructionMarker { get }
    /// Its relative cost per weight in the sweep's estimate (1 for a shallow network; the deep
    /// constructions, whose precision grows with W, more).
    static var costPerWeight: Double { get }
    /// The construction for `parameters` (its own defaults where a value is nil); throws
    /// ``ConstructionError/invalid(parameter:reason:)`` naming a value it does not allow.
    static func make(_ parameters: ConstructionParameters) throws -> Self

    /// What it builds, in one line for reports ("interpolation (piecewise linear on a uniform grid)").
    var summary: String { get }
    /// The input dimensions it builds for.
    var dimensions: ClosedRange<Int> { get }
    /// The unit of its hidden layers (identity units carry values between layers).
    var activation: Activation { get }
    /// α in L ~ W^α: how its depth grows with the weights (0 for a fixed or logarithmic depth).
    var depthExponent: Double { get }
    /// The exponent p of error ~ W^-p that its own bound gives on a target of smoothness r in d
    /// dimensions.
    func expectedRate(smoothness r: Double, dimension d: Int) -> Double
    /// True when the theory's law is in W/ln W rather than W.
    func fitsAgainstWeightsOverLog(dimension: Int) -> Bool
    /// The working precision for N cells: enough bits that the evaluation's rounding sits far
    /// below the approximation error (checked afterwards by the guard at twice the precision).
    func precision(cells n: Int, smoothness r: Double, dimension: Int) -> Precision
    /// The network for `target` with N = `cells` cells per axis, its typed facts in
    /// ``Network/construction`` (from which ``ConstructionRegistry/searchHints(of:)`` derives the
    /// search hints).
    func build(_ target: Target, cells n: Int) throws -> Network
    /// The networks the grid sizes for W up to `weights` are chosen from (default: N = 1, 2, 4, …
    /// until W_all reaches `weights`).
    func weightTable(_ target: Target, upTo weights: Int) throws -> [(cells: Int, network: Network)]
}

/// A parameter a construction may take, by the name the library uses in its errors.
public enum ConstructionParameter: String, Sendable, CaseIterable {
    /// The polynomial degree of a Taylor construction.
    case degree
    /// The depth exponent α (M = N^α fine cells) of the deep constructions.
    case alpha
    /// The order of the deep construction's digits (differences of order 1, 2 or 3).
    case digitOrder = "digit-order"
    /// c in M = c·N^α of the deep construction.
    case fineRatio = "fine-ratio"
    /// K, the largest digit of the 2-D deep construction's first-difference digits.
    case digitBound = "digit-bound"
}

/// The values a construction is made from: the target's smoothness and the optional choices.
public struct ConstructionParameters: Sendable {
    /// The target's smoothness r (some defaults depend on it).
    public var smoothness: Double
    /// The polynomial degree, or nil for the construction's default.
    public var degree: Int?
    /// The depth exponent α, or nil for the construction's default.
    public var alpha: Double?
    /// The unit of the hidden layers.
    public var activation: Activation
    /// The deep construction's digit order, or nil for its default.
    public var digitOrder: Int?
    /// The deep construction's c in M = c·N^α, or nil for its default.
    public var fineRatio: Double?
    /// The 2-D deep construction's digit bound K, or nil for its default.
    public var digitBound: Int?
    /// Values for a construction.
    public init(smoothness: Double, degree: Int? = nil, alpha: Double? = nil, activation: Activation = .relu, digitOrder: Int? = nil,
                fineRatio: Double? = nil, digitBound: Int? = nil) {
        self.smoothness = smoothness; self.degree = degree; self.alpha = alpha; self.activation = activation; self.digitOrder = digitOrder
        self.fineRatio = fineRatio; self.digitBound = digitBound
    }

    /// k for an activation of ReLU (1) or ReLU^k, k = 2…8 when `powers` is allowed; throws naming
    /// `activation` for any other unit.
    public func reluPower(allowingPowers powers: Bool, construction name: String) throws -> Int {
        switch activation {
        case .relu: return 1
        case .reluPower(let k) where (2...8).contains(k) && powers: return k
        case .reluPower(let k) where powers:
            throw ConstructionError.invalid(parameter: "activation", reason: "relu^\(k) is not allowed: use relu or relu^k with k = 2...8")
        default:
            throw ConstructionError.invalid(parameter: "activation", reason: "\(activation) is not built for the \(name) construction: use relu" + (powers ? " or relu^k (k = 2...8)" : ""))
        }
    }

    /// α in (0, 1] (default 1), or an error naming `alpha`.
    public func depthExponent() throws -> Double {
        let a = alpha ?? 1
        guard a > 0, a <= 1 else { throw ConstructionError.invalid(parameter: "alpha", reason: "\(a) is not allowed: use 0 < alpha <= 1") }
        return a
    }
}

/// The shape a construction is drawn with on the phase diagram.
public enum ConstructionMarker: String, Sendable, CaseIterable {
    case circle, square, triangle, diamond
}

extension Construction {
    /// The registry name of this construction.
    public var name: String { Self.name }

    /// Throws unless the construction supports dimension `d`.
    public func checkDimension(_ d: Int) throws {
        guard dimensions.contains(d) else {
            throw ConstructionError.dimension("construction '\(name)' supports d = \(dimensions.lowerBound)...\(dimensions.upperBound), not d = \(d)")
        }
    }

    /// The working precision for N cells in one dimension.
    public func precision(cells n: Int, smoothness r: Double) -> Precision { precision(cells: n, smoothness: r, dimension: 1) }

    public func fitsAgainstWeightsOverLog(dimension: Int) -> Bool { false }
    public var depthExponent: Double { 0 }

    /// The networks with N = 1, 2, 4, … cells, built until W_all reaches `weights` (or
    /// N = 2^20): the table grid sizes are chosen from.
    public func weightTable(_ target: Target, upTo weights: Int) throws -> [(cells: Int, network: Network)] {
        try doublingTable(target) { $0.last!.network.counts.weightsAll >= weights }
    }

    /// The networks with N = 1, 2, 4, … cells, built until `enough` says so for the table so far
    /// (or N = 2^20).
    public func doublingTable(_ target: Target, enough: ([(cells: Int, network: Network)]) -> Bool) throws -> [(cells: Int, network: Network)] {
        var table: [(cells: Int, network: Network)] = []
        var n = 1
        repeat {
            table.append((n, try build(target, cells: n)))
            n *= 2
        } while !enough(table) && n <= 1 << 20
        return table
    }
}
