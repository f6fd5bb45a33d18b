import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// The fit of a nearly exponential rate ε ≈ exp(−c W^β) (the sine networks of reference notes
/// section 3.9): least squares of ln(−ln ε) on ln W, which is the power-law fit of 1/(−ln ε)
/// against W, so ``PowerLawFit`` gives β (its p), the t interval and the local slopes.
public struct ExponentialRate: Sendable, Equatable {
    /// The fit: `p` is β, `logConstant` is −ln c.
    public let fit: PowerLawFit
    /// β.
    public var beta: Double { fit.p }
    /// c in exp(−c W^β).
    public var constant: Double { exp(-fit.logConstant) }

    /// Fits the rows (W, ε) with 0 < ε < 1 (at least two distinct W).
    public init(weights: [Double], errors: [Double]) throws {
        let rows = zip(weights, errors).filter { $0.1 > 0 && $0.1 < 1 }
        guard Set(rows.map(\.0)).count >= 2 else { throw RateError("the exponential fit needs at least two distinct W with 0 < error < 1") }
        fit = try PowerLawFit(weights: rows.map(\.0), errors: rows.map { 1 / -Foundation.log($0.1) }, against: .weights)
    }
}
