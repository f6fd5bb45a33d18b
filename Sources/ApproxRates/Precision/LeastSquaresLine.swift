import Foundation

/// The ordinary least-squares line y ≈ intercept + slope·x through paired samples, in float64.
/// With fewer than two distinct x the slope is NaN.
public struct LeastSquaresLine: Sendable, Hashable {
    /// dy/dx of the fitted line.
    public let slope: Double
    /// The fitted line's value at x = 0.
    public let intercept: Double
    /// Σ (x − x̄)², the spread of the abscissae (0 when they are all equal).
    public let spread: Double

    /// The line through `x`, `y` (the same length, at least one pair).
    public init(x: [Double], y: [Double]) {
        precondition(x.count == y.count && !x.isEmpty)
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0
        for i in x.indices { sxx += (x[i] - mx) * (x[i] - mx); sxy += (x[i] - mx) * (y[i] - my) }
        slope = sxx > 0 ? sxy / sxx : .nan
        intercept = my - (sxx > 0 ? slope : 0) * mx
        spread = sxx
    }
}

extension LeastSquaresLine {
    /// A percentile-bootstrap interval for the slope of the group means against `x`: in each of
    /// `resamples` rounds, every group's values are drawn with replacement (as many as it has) and
    /// averaged, and the least-squares slope of those means is kept; the result is the 2.5 % and
    /// 97.5 % points of the kept slopes (nearest rank). Groups must be non-empty; the generator
    /// is seeded with `seed`, so the interval is reproducible.
    public static func bootstrapSlopeInterval(x: [Double], groups: [[Double]], resamples: Int, seed: UInt64) -> (low: Double, high: Double) {
        precondition(x.count == groups.count && groups.allSatisfy { !$0.isEmpty })
        var generator = SplitMix64(seed: seed)
        var slopes = [Double](repeating: 0, count: Swift.max(1, resamples))
        var means = [Double](repeating: 0, count: groups.count)
        for b in slopes.indices {
            for (w, values) in groups.enumerated() {
                var sum = 0.0
                for _ in values.indices { sum += values[Int(generator.next() % UInt64(values.count))] }
                means[w] = sum / Double(values.count)
            }
            slopes[b] = LeastSquaresLine(x: x, y: means).slope
        }
        slopes.sort()
        return (slopes[Int((0.025 * Double(slopes.count - 1)).rounded())], slopes[Int((0.975 * Double(slopes.count - 1)).rounded())])
    }
}
