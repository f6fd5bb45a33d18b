import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The deep construction in a fully-connected ReLU network of fixed width 2d + 10
/// (``FixedWidthExtraction``, d = 1, r ≤ 1): only the depth grows with W, only the weights depend
/// on r; p = (1 + α)·min(r, 1)/d against W.
public struct FixedWidthConstruction: Construction, Equatable {
    public static let name = "fixed-width"
    public static let parameters: Set<ConstructionParameter> = [.alpha]
    public static let marker = ConstructionMarker.diamond
    /// As the sweep has always estimated it (the job order, and so the sweep's wall time, stay as
    /// they were); measured per weight it is nearer 1.6 (60 s at W = 60,000 against 25 s for the
    /// deep construction at W = 10,000, whose factor is 4).
    public static let costPerWeight = 1.0
    /// α default 1 (0 < α ≤ 1); ReLU units; r ≤ 1.
    public static func make(_ p: ConstructionParameters) throws -> FixedWidthConstruction {
        _ = try p.reluPower(allowingPowers: false, construction: name)
        let a = try p.depthExponent()
        guard p.smoothness <= 1 else { throw ConstructionError.parameter("the fixed-width construction is built for r <= 1, not r = \(p.smoothness)") }
        return FixedWidthConstruction(alpha: a)
    }

    /// The depth exponent α: M = N^α.
    public let alpha: Double
    /// Fixed-width bit extraction with M = N^`alpha`.
    public init(alpha: Double = 1) { self.alpha = alpha }

    public var description: String { "fixed-width(alpha: \(alpha))" }
    public var summary: String {
        "fixed-width (bit extraction in a fully-connected ReLU network of width \(FixedWidthExtraction.width): N coarse cells scanned along the depth, M = N^\(String(format: "%.4g", alpha)) fine cells)"
    }
    public var dimensions: ClosedRange<Int> { 1...1 }
    public var activation: Activation { .relu }
    public var depthExponent: Double { alpha }
    public func expectedRate(smoothness r: Double, dimension d: Int) -> Double { (1 + alpha) * Swift.min(r, 1) / Double(d) }
    public func precision(cells n: Int, smoothness r: Double, dimension: Int) -> Precision {
        BitExtraction.precision(cells: n, fine: DeepConstruction.fineCells(n, alpha), smoothness: r, order: 1)
    }
    /// The bit-extraction hints (``BitExtraction/searchHints(_:dimension:)``).
    public static func searchHints(_ facts: ConstructionFacts, dimension d: Int) -> SearchHints {
        BitExtraction.searchHints(facts, dimension: d)
    }
    public func build(_ target: Target, cells n: Int) throws -> Network {
        try checkDimension(target.dimension)
        let p = precision(cells: n, smoothness: target.smoothness, dimension: target.dimension)
        return try FixedWidthExtraction.network(target, cells: n, fine: DeepConstruction.fineCells(n, alpha), precision: p)
    }
}
