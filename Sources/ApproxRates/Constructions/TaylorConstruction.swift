import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// Taylor polynomials of total degree `degree` glued by a partition of unity. With ReLU units
/// (`power` 1): the trapezoid partition, every product Yarotsky's gadget (``TaylorPartition``),
/// p = min(r, degree + 1)/d against W/ln W. With ReLU^k units (`power` k ≥ 2): the B-spline
/// partition, every product exact (``SplineTaylorPartition``), p = min(r, degree + 1)/d against
/// W, no log factor.
public struct TaylorConstruction: Construction, Equatable {
    public static let name = "taylor"
    public static let parameters: Set<ConstructionParameter> = [.degree]
    public static let marker = ConstructionMarker.square
    public static let costPerWeight = 1.0
    /// Degree default ⌈r⌉ − 1 (0…8); ReLU or ReLU^k (k = 2…8).
    public static func make(_ p: ConstructionParameters) throws -> TaylorConstruction {
        let k = try p.reluPower(allowingPowers: true, construction: name)
        let n = p.degree ?? Swift.max(0, Int(Swift.min(p.smoothness, 1e6).rounded(.up)) - 1)
        guard (0...8).contains(n) else { throw ConstructionError.invalid(parameter: "degree", reason: "\(n) is not allowed: use 0...8") }
        return TaylorConstruction(degree: n, power: k)
    }

    /// The polynomial degree.
    public let degree: Int
    /// 1 for ReLU units, k for ReLU^k.
    public let power: Int
    /// Taylor of `degree` with units ReLU^`power` (1: ReLU).
    public init(degree: Int, power: Int = 1) { self.degree = degree; self.power = power }

    public var description: String { power == 1 ? "taylor(degree: \(degree))" : "taylor(degree: \(degree), power: \(power))" }
    public var summary: String {
        power == 1 ? "taylor (degree \(degree), trapezoid partition of unity, Yarotsky multiplication)"
                   : "taylor (degree \(degree), relu^\(power) units: B-spline partition of unity, exact products)"
    }
    public var dimensions: ClosedRange<Int> { 1...3 }
    public var activation: Activation { power >= 2 ? .reluPower(power) : .relu }
    public func expectedRate(smoothness r: Double, dimension d: Int) -> Double { Swift.min(r, Double(degree + 1)) / Double(d) }
    /// In W/ln W whenever the ReLU construction multiplies (degree ≥ 1, or any degree in d ≥ 2,
    /// where φ_m is a product), since each product costs O(log N) weights.
    public func fitsAgainstWeightsOverLog(dimension: Int) -> Bool { power == 1 && (degree >= 1 || dimension >= 2) }
    public func precision(cells n: Int, smoothness r: Double, dimension: Int) -> Precision {
        if power >= 2 { return SplineTaylorPartition.precision(cells: n, degree: degree, power: power, dimension: dimension) }
        let logN = Int(log2(Double(Swift.max(n, 2))).rounded(.up))
        let m = TaylorPartition.defaultSquaringDepth(cells: n, degree: degree)
        return Precision(uncheckedBits: Precision.Margin.output + 2 * m + 2 * logN)
    }
    /// A ReLU^k network (B-spline partition) is smooth inside each cell of width 1/N: the
    /// sampling spacing 1/(8N) in 1-D and 1/(4N) in 2-D finds every cell's maximum for the
    /// pattern search.
    public static func searchHints(_ facts: ConstructionFacts, dimension d: Int) -> SearchHints {
        guard facts.partition == .bSpline, let n = facts.cells, d <= 2 else { return .none }
        return SearchHints(samplingSpacing: 1 / Double((d == 1 ? 8 : 4) * n))
    }
    public func build(_ target: Target, cells n: Int) throws -> Network {
        try checkDimension(target.dimension)
        let p = precision(cells: n, smoothness: target.smoothness, dimension: target.dimension)
        return power >= 2 ? try SplineTaylorPartition.network(target, cells: n, degree: degree, power: power, precision: p)
                          : try TaylorPartition.network(target, cells: n, degree: degree, precision: p)
    }
}
