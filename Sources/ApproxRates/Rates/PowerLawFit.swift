import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// A fitted power law error ≈ C · X^(−p) · (ln W)^q, with X = W or W/ln W and a fixed log power q
/// (default 0), by least squares on (ln X, ln(error/(ln W)^q)), and a 95 % confidence interval for p
/// from Student's t with n − 2 degrees of freedom. The interval covers the statistical scatter of the points about the line, not a
/// systematic curvature (log factors, pre-asymptotics): compare ``localSlopes`` to see those.
public struct PowerLawFit: Sendable, Codable, Equatable {
    /// What the errors are fitted against.
    public enum Abscissa: String, Sendable, Codable {
        /// X = W.
        case weights = "W"
        /// X = W / ln W (the log-corrected law of Yarotsky's Theorem 1).
        case weightsOverLog = "W/lnW"
        /// X for a weight count.
        public func value(_ w: Double) -> Double { self == .weights ? w : w / Foundation.log(w) }
    }

    /// The fitted exponent p (error ∝ X^(−p)).
    public let p: Double
    /// Lower end of the 95 % interval for p (nil with fewer than 3 points).
    public let pLow: Double?
    /// Upper end of the 95 % interval for p.
    public let pHigh: Double?
    /// ln C.
    public let logConstant: Double
    /// Number of points fitted.
    public let count: Int
    /// Against what.
    public let against: Abscissa
    /// −Δln(error)/Δln X between consecutive points.
    public let localSlopes: [Double]
    /// The fixed power q of the log correction (error ≈ C X^(−p) (ln W)^q); 0 for a pure power law.
    public var logPower: Double = 0
    /// Standard error of p (nil with fewer than 3 points).
    public var standardError: Double? = nil
    /// The fitted points: ln X.
    public var logAbscissae: [Double] = []
    /// The fitted points: ln(error / (ln W)^q).
    public var logErrors: [Double] = []

    /// Fits `errors` (positive) at weight counts `weights` (≥ 2). Throws with fewer than 2 points
    /// or a non-positive error.
    public init(weights: [Double], errors: [Double], against: Abscissa, logPower: Double = 0) throws {
        guard weights.count == errors.count, weights.count >= 2 else {
            throw RateError("a rate needs at least 2 measured points, got \(errors.count)")
        }
        guard errors.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw RateError("a rate needs positive finite errors") }
        guard weights.allSatisfy({ $0 >= 3 }) else { throw RateError("a rate needs W >= 3") }
        let x: [Double] = weights.map { Foundation.log(against.value($0)) }
        var y: [Double] = errors.map { Foundation.log($0) }
        for i in y.indices { y[i] -= logPower * Foundation.log(Foundation.log(weights[i])) }
        let n = Double(x.count)
        let mx: Double = x.reduce(0, +) / n
        let my: Double = y.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0
        for i in x.indices { sxx += (x[i] - mx) * (x[i] - mx); sxy += (x[i] - mx) * (y[i] - my) }
        guard sxx > 0 else { throw RateError("a rate needs at least two different W") }
        let slope = sxy / sxx
        p = -slope
        logConstant = my - slope * mx
        count = x.count
        self.against = against
        self.logPower = logPower
        logAbscissae = x
        logErrors = y
        var local: [Double] = []
        for i in 1..<x.count { local.append((y[i - 1] - y[i]) / (x[i] - x[i - 1])) }
        localSlopes = local
        if x.count >= 3 {
            var residual = 0.0
            for i in x.indices { let r = y[i] - (logConstant + slope * x[i]); residual += r * r }
            let standardError = (residual / (n - 2) / sxx).squareRoot()
            self.standardError = standardError
            let t = PowerLawFit.studentT975(degreesOfFreedom: x.count - 2)
            pLow = p - t * standardError
            pHigh = p + t * standardError
        } else { pLow = nil; pHigh = nil }
    }

    /// The 97.5 % quantile of Student's t (two-sided 95 %): exact table to 30 degrees of freedom,
    /// then the Cornish–Fisher expansion (error below 1e-3).
    public static func studentT975(degreesOfFreedom nu: Int) -> Double {
        let table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
                     2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        precondition(nu >= 1)
        if nu <= 30 { return table[nu - 1] }
        let z = 1.959964, v = Double(nu)
        return z + (z * z * z + z) / (4 * v) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v)
    }
}
