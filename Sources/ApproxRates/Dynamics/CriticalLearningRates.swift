import Foundation
import PrecisionModule
import FileIOModule

/// Where the early dynamics of one network and seed change regime, in c = η λ₀:
///
/// - c_loss: the smallest c whose loss rises above L₀ within the window (a loss catapult);
/// - c_sharp: the smallest c whose sharpness rises above (1 + tol) λ₀ (a sharpness catapult);
/// - c_max: the largest c that does not diverge.
///
/// Found by a scan c = 2^x, x = x₀, x₀ + Δ, … up to the first divergence, then bisection in log c
/// inside each bracket. Each value is the upper end of its final bracket for c_loss and c_sharp
/// (the smallest c seen to catapult) and the lower end for c_max (the largest c seen to survive);
/// ``resolution`` is the bracket's final width in log₂ c.
public struct CriticalLearningRates: Sendable, Codable {
    /// c_loss (nil when no c in the scan caught the loss rising).
    public let cLoss: Double?
    /// c_sharp (nil when no c in the scan caught the sharpness rising).
    public let cSharp: Double?
    /// c_max (nil when even the smallest c diverged; the scan's top when none did).
    public let cMax: Double?
    /// Whether some c of the scan diverged (else c_max is only a lower bound).
    public let divergenceFound: Bool
    /// λ₀.
    public let sharpness0: Double
    /// Final bracket width in log₂ c.
    public let resolution: Double
    /// Every run made, in the order made.
    public let runs: [EarlyTrainingRun]

    /// Scans and bisects (a network whose λ₀ is not positive gets no critical values and no runs). `scan` is the grid of log₂ c; `refinements` bisections per bracket.
    /// `onRun` is called after each run (progress, journals).
    public static func find(_ probe: EarlyTrainingProbe, scan: [Double], refinements: Int,
                            onRun: (EarlyTrainingRun) -> Void = { _ in }) -> CriticalLearningRates {
        precondition(!scan.isEmpty)
        let s = probe.settings
        // A dead initialisation (λ₀ = 0, e.g. every ReLU path closed) has no learning-rate scale.
        guard probe.sharpness0.value > 0, probe.sharpness0.value.isFinite else {
            return CriticalLearningRates(cLoss: nil, cSharp: nil, cMax: nil, divergenceFound: false,
                                         sharpness0: probe.sharpness0.value.isFinite ? probe.sharpness0.value : 0, resolution: 0, runs: [])
        }
        var runs: [EarlyTrainingRun] = []
        var cache: [Double: EarlyTrainingRun] = [:]
        func run(_ x: Double) -> EarlyTrainingRun {
            if let r = cache[x] { return r }
            let r = probe.run(c: Foundation.pow(2, x))
            cache[x] = r; runs.append(r); onRun(r)
            return r
        }
        var grid: [(Double, EarlyTrainingRun)] = []
        for x in scan {
            let r = run(x)
            grid.append((x, r))
            if r.diverged { break }
        }
        /// The first grid point where `property` holds, refined by bisection against the point before.
        func first(_ property: (EarlyTrainingRun) -> Bool) -> Double? {
            guard let i = grid.firstIndex(where: { property($0.1) }) else { return nil }
            if i == 0 { return Foundation.pow(2, grid[0].0) }
            var lo = grid[i - 1].0, hi = grid[i].0
            for _ in 0..<refinements {
                let mid = (lo + hi) / 2
                if property(run(mid)) { hi = mid } else { lo = mid }
            }
            return Foundation.pow(2, hi)
        }
        let cLoss = first { $0.lossCatapult(s) }
        let cSharp = first { $0.sharpnessCatapult(s) }
        var cMax: Double? = nil
        if let i = grid.firstIndex(where: { $0.1.diverged }) {
            if i > 0 {
                var lo = grid[i - 1].0, hi = grid[i].0
                for _ in 0..<refinements {
                    let mid = (lo + hi) / 2
                    if run(mid).diverged { hi = mid } else { lo = mid }
                }
                cMax = Foundation.pow(2, lo)
            }
        } else {
            cMax = Foundation.pow(2, grid.last!.0)
        }
        let step = scan.count > 1 ? scan[1] - scan[0] : 0
        return CriticalLearningRates(cLoss: cLoss, cSharp: cSharp, cMax: cMax, divergenceFound: grid.last!.1.diverged,
                                     sharpness0: probe.sharpness0.value, resolution: step / Foundation.pow(2, Double(refinements)), runs: runs)
    }
}
