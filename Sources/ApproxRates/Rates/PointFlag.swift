import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// Why a measured point should not count toward a rate.
public struct PointFlag: Sendable, Codable, Equatable {
    /// The kinds of doubtful point.
    public enum Kind: String, Sendable, Codable {
        /// Before the asymptotic range: the local slope from this point differs from the median of
        /// the later local slopes by more than a quarter of it.
        case preAsymptotic = "pre-asymptotic"
        /// At the precision floor: the twice-the-precision guard confirmed fewer than 6 digits, or
        /// the error is within 2^8 units of the working precision's last bit at scale 1.
        case precisionFloor = "precision floor"
    }
    /// The row's index among the fitted rows (increasing W).
    public let index: Int
    /// Its W_all.
    public let weights: Int
    /// What is wrong with it.
    public let kind: Kind
    /// The numbers behind the flag, in words.
    public let detail: String

    /// The flags of `rows` (distinct grid sizes, increasing W). Pre-asymptotic points are sought
    /// only at the start of the range, one at a time, and only while at least 3 later local slopes
    /// (4 later points) remain to compare with.
    public static func flags(of rows: [RateRow]) -> [PointFlag] {
        var flags: [PointFlag] = []
        for (i, r) in rows.enumerated() {
            let floor = Foundation.pow(2.0, Double(8 - r.precision))
            if !r.stable {
                flags.append(PointFlag(index: i, weights: r.weightsAll, kind: .precisionFloor,
                                       detail: "only \(r.guardDigits) digits agree at twice the precision"))
            } else if r.errorValue <= floor {
                flags.append(PointFlag(index: i, weights: r.weightsAll, kind: .precisionFloor,
                                       detail: String(format: "error %.3g is within 2^8 ulp of %d-bit precision", r.errorValue, r.precision)))
            }
        }
        guard rows.count >= 4 else { return flags }
        let x: [Double] = rows.map { Foundation.log(Double($0.weightsAll)) }
        let y: [Double] = rows.map { Foundation.log($0.errorValue) }
        var slopes: [Double] = []
        for i in 1..<rows.count { slopes.append((y[i - 1] - y[i]) / (x[i] - x[i - 1])) }
        var k = 0
        while slopes.count - (k + 1) >= 3 {
            let later = Array(slopes[(k + 1)...]).sorted()
            let median = later.medianOfSorted
            guard abs(slopes[k] - median) > 0.25 * Swift.max(abs(median), 0.1) else { break }
            flags.append(PointFlag(index: k, weights: rows[k].weightsAll, kind: .preAsymptotic,
                                   detail: String(format: "local slope %.3f against %.3f (median of the later ones)", slopes[k], median)))
            k += 1
        }
        return flags.sorted { $0.index < $1.index }
    }
}
