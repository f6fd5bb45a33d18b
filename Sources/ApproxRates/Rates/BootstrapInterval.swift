import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

extension PowerLawFit {
    /// A 95 % studentized residual-bootstrap interval for p (bootstrap-t): the fitted line plus
    /// residuals drawn with replacement (scaled by √(n/(n−2))), refitted `resamples` times; each
    /// refit gives t* = (p* − p̂)/se*, and the interval is p̂ − t*₉₇.₅ se … p̂ − t*₂.₅ se. Unlike
    /// the percentile interval it keeps its coverage with few points (the percentile version covers
    /// about 87 % with 8 points). Deterministic for a given `seed`; nil with fewer than 4 points or
    /// a perfect fit's zero residuals (then the t interval is exact). Like the t interval it covers
    /// scatter about a straight line, not curvature (log factors, pre-asymptotics).
    public func bootstrapInterval(resamples: Int = 2000, seed: UInt64 = DefaultSeed.measurement) -> (low: Double, high: Double)? {
        let x = logAbscissae, y = logErrors, n = x.count
        guard n >= 4, resamples >= 10, let se = standardError else { return nil }
        if se == 0 { return (p, p) }
        let slope = -p
        let mx = x.reduce(0, +) / Double(n)
        var sxx = 0.0
        for v in x { sxx += (v - mx) * (v - mx) }
        let scale = (Double(n) / Double(n - 2)).squareRoot()
        var residuals = [Double](repeating: 0, count: n)
        for i in 0..<n { residuals[i] = scale * (y[i] - (logConstant + slope * x[i])) }
        var generator = SplitMix64(seed: seed)
        var studentized = [Double](repeating: 0, count: resamples)
        var resampled = [Double](repeating: 0, count: n)
        for b in 0..<resamples {
            var my = 0.0
            for i in 0..<n {
                resampled[i] = logConstant + slope * x[i] + residuals[Int(generator.next() % UInt64(n))]
                my += resampled[i]
            }
            my /= Double(n)
            var sxy = 0.0
            for i in 0..<n { sxy += (x[i] - mx) * (resampled[i] - my) }
            let b1 = sxy / sxx, b0 = my - b1 * mx
            var rss = 0.0
            for i in 0..<n { let r = resampled[i] - (b0 + b1 * x[i]); rss += r * r }
            let seStar = (rss / Double(n - 2) / sxx).squareRoot()
            studentized[b] = seStar > 0 ? (-b1 - p) / seStar : 0
        }
        studentized.sort()
        let lowIndex = Int((0.025 * Double(resamples - 1)).rounded()), highIndex = Int((0.975 * Double(resamples - 1)).rounded())
        return (p - studentized[highIndex] * se, p - studentized[lowIndex] * se)
    }
}
