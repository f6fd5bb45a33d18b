import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// Piecewise-linear interpolation on a uniform grid (``Interpolation``; d = 1: one hidden layer,
/// d = 2: the triangulated grid): p = min(r, 2)/d against W.
public struct InterpolationConstruction: Construction, Equatable {
    public static let name = "interpolation"
    public static let parameters: Set<ConstructionParameter> = []
    public static let marker = ConstructionMarker.circle
    public static let costPerWeight = 1.0
    public static func make(_ p: ConstructionParameters) throws -> InterpolationConstruction {
        _ = try p.reluPower(allowingPowers: false, construction: name)
        return InterpolationConstruction()
    }
    /// The construction (it has no parameters).
    public init() {}

    public var description: String { "interpolation" }
    public var summary: String { "interpolation (piecewise linear on a uniform grid)" }
    public var dimensions: ClosedRange<Int> { 1...2 }
    public var activation: Activation { .relu }
    public func expectedRate(smoothness r: Double, dimension d: Int) -> Double { Swift.min(r, 2) / Double(d) }
    public func precision(cells n: Int, smoothness r: Double, dimension: Int) -> Precision {
        let logN = Int(log2(Double(Swift.max(n, 2))).rounded(.up))
        return Precision(uncheckedBits: Precision.Margin.output + 2 * logN)
    }
    public func build(_ target: Target, cells n: Int) throws -> Network {
        try checkDimension(target.dimension)
        let p = precision(cells: n, smoothness: target.smoothness, dimension: target.dimension)
        return target.dimension == 1 ? try Interpolation.oneDimensional(target, cells: n, precision: p)
                                     : try Interpolation.twoDimensional(target, cells: n, precision: p)
    }
}
