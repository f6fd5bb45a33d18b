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
