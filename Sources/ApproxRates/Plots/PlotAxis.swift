import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule

/// A plot axis: maps data values to page points, linearly or in log10, and chooses ticks.
public struct PlotAxis: Sendable {
    /// Data range shown (for log axes, positive values).
    public let lower: Double, upper: Double
    /// Page coordinates of `lower` and `upper`.
    public let start: Double, end: Double
    /// Whether the axis is logarithmic (base 10).
    public let logarithmic: Bool

    /// An axis showing `lower...upper` between page coordinates `start` and `end`.
    public init(_ lower: Double, _ upper: Double, from start: Double, to end: Double, logarithmic: Bool = false) {
        self.lower = lower; self.upper = upper; self.start = start; self.end = end; self.logarithmic = logarithmic
    }

    /// The page coordinate of `value`.
    public func map(_ value: Double) -> Double {
        let t = logarithmic ? (log10(value) - log10(lower)) / (log10(upper) - log10(lower)) : (value - lower) / (upper - lower)
        return start + t * (end - start)
    }

    /// Major ticks with labels (math markup): multiples of 1, 2 or 5 × 10^k on linear axes (about 5
    /// to 8 of them); powers of ten on log axes, labelled 10^{k}. A log axis that holds fewer than
    /// two powers of ten (less than about a decade, as a rate's errors often do) labels its
    /// m × 10^k instead, m = 1…9 (only 1, 2 and 5 when that would be more than six labels and
    /// leaves at least two), so that every plot can be read off its axis.
    public func majorTicks() -> [(value: Double, label: String)] {
        if logarithmic {
            let a = Int(ceil(log10(lower) - 1e-9)), b = Int(floor(log10(upper) + 1e-9))
            if b - a + 1 < 2 {
                // Plain decimals when every candidate is between 10^−3 and 10^4, else m×10^k for all.
                let ks = Int(floor(log10(lower)))...Int(ceil(log10(upper)))
                let plain = ks.lowerBound >= -3 && ks.upperBound <= 4
                func ticks(_ ms: [Int]) -> [(value: Double, label: String)] {
                    var out: [(value: Double, label: String)] = []
                    let low = lower * (1 - 1e-12), high = upper * (1 + 1e-12)
                    for k in ks {
                        let decade = pow(10, Double(k))
                        for m in ms {
                            let v = Double(m) * decade
                            if v >= low && v <= high { out.append((v, Self.logLabel(m, k, plain: plain && k < 4))) }
                        }
                    }
                    return out
                }
                let all = ticks(Array(1...9)), sparse = ticks([1, 2, 5])
                return all.count > 6 && sparse.count >= 2 ? sparse : all
            }
            let step = Swift.max(1, (b - a + 1 + 7) / 8)   // at most 8 labelled decades
            return stride(from: a, through: b, by: step).map { (pow(10, Double($0)), Self.logLabel(1, $0, plain: false)) }
        }
        let span = upper - lower
        let raw = span / 6
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { span / $0 <= 8 } ?? 10 * magnitude
        var ticks: [(Double, String)] = []
        var v = ceil(lower / step - 1e-9) * step
        while v <= upper + 1e-9 * span {
            // Decimals the step needs: 2.5 × 10^k has one more than 10^k, and none from k = 1 on.
            let digits = step / magnitude == 2.5 ? Swift.max(0, 1 - Int(floor(log10(magnitude) + 1e-9)))
                : Swift.max(0, -Int(floor(log10(step) + 1e-9)))
            ticks.append((v, String(format: "%.\(digits)f", abs(v) < 1e-12 ? 0 : v)))
            v += step
        }
        return ticks
    }

    /// The label of m × 10^k: a plain decimal ("0.03", "200") when `plain` (callers pass it for
    /// −3 ≤ k ≤ 3), else "m×10^{k}" (math markup; "10^{k}" for m = 1).
    static func logLabel(_ m: Int, _ k: Int, plain: Bool) -> String {
        if plain && k >= 0 { return "\(m * Int(pow(10, Double(k))))" }
        if plain { return "0." + String(repeating: "0", count: -k - 1) + "\(m)" }
        return (m == 1 ? "" : "\(m)×") + "10^{\(k < 0 ? "−\(-k)" : "\(k)")}"
    }

    /// Minor ticks of a log axis: 2…9 × 10^k inside the range.
    public func minorTicks() -> [Double] {
        guard logarithmic else { return [] }
        var ticks: [Double] = []
        for k in Int(floor(log10(lower)))...Int(ceil(log10(upper))) {
            for m in 2...9 { let v = Double(m) * pow(10, Double(k)); if v >= lower && v <= upper { ticks.append(v) } }
        }
        return ticks
    }
}
