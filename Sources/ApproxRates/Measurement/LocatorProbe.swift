import Foundation
import CMPFR
import PrecisionModule
import NetworksModule
import TargetsModule
/// Errors |f − net| at blocks of points for one thread: float64 (network in float64, target in
/// float64), fixed point (network by ``FixedPointEvaluator`` with its certificate, target in
/// MPFR), or MPFR. Float64 and fixed-point values only rank points; the MPFR ones are the
/// measurement.
final class LocatorProbe {
    let double: DoubleEvaluator?
    let workspace: DoubleEvaluator.Workspace?
    let doubleTarget: ExpressionEvaluator?
    let mpfr: ErrorProbe?
    let fixed: FixedPointEvaluator?
    let fixedWorkspace: FixedPointEvaluator.Workspace?
    /// Fixed-point results whose certificate exceeds this (absolute) are evaluated in MPFR instead.
    let tolerance: Double
    let counts: FixedPointCounts?
    var nets: [Double]

    init(double: DoubleEvaluator, target: Target) {
        self.double = double
        workspace = double.makeWorkspace()
        doubleTarget = target.makeEvaluator(precision: .double)
        mpfr = nil; fixed = nil; fixedWorkspace = nil; tolerance = 0; counts = nil
        nets = [Double](repeating: 0, count: DoubleEvaluator.blockSize)
    }

    /// MPFR for the network at its precision, the target at `targetPrecision` (see
    /// ``SupNorm/rankingTarget(_:precision:errorScale:)``; default the network's).
    init(mpfr: MPFREvaluator, target: Target, targetPrecision: Precision? = nil) {
        double = nil; workspace = nil; doubleTarget = nil; fixed = nil; fixedWorkspace = nil; tolerance = 0; counts = nil
        self.mpfr = ErrorProbe(network: mpfr, target: target, targetPrecision: targetPrecision)
        nets = []
    }

    /// Fixed point with MPFR as the fallback for points whose certificate exceeds `tolerance`;
    /// `counts` collects how many points took which path. The target is evaluated at
    /// `targetPrecision` (see ``SupNorm/rankingTarget(_:precision:errorScale:)``).
    init(fixed: FixedPointEvaluator, mpfr: MPFREvaluator, target: Target, targetPrecision: Precision, tolerance: Double, counts: FixedPointCounts) {
        double = nil; workspace = nil; doubleTarget = nil
        self.fixed = fixed
        fixedWorkspace = fixed.makeWorkspace()
        self.mpfr = ErrorProbe(network: mpfr, target: target, targetPrecision: targetPrecision)
        self.tolerance = tolerance
        self.counts = counts
        nets = []
    }

    deinit { if let counts, let fixedWorkspace { counts.add(fixedWorkspace) } }

    /// |f − net| at `count` ≤ ``DoubleEvaluator/blockSize`` points.
    func errors(_ points: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>) {
        if let mpfr {
            let d = mpfr.point.count
            guard let fixed, let fixedWorkspace else {
                for i in 0..<count { out[i] = mpfr.error(at: points + i * d) }
                return
            }
            for i in 0..<count {
                let x = points + i * d
                if fixed.evaluate(x, workspace: fixedWorkspace) <= tolerance {
                    fixedWorkspace.certifiedPoints += 1
                    out[i] = mpfr.error(at: x, network: { fixed.output(into: $0, workspace: fixedWorkspace) })
                } else {
                    fixedWorkspace.fallbackPoints += 1
                    out[i] = mpfr.error(at: x)
                }
            }
            return
        }
        let d = double!.network.inputDimension
        nets.withUnsafeMutableBufferPointer { n in
            double!.evaluate(points, count: count, output: n.baseAddress!, workspace: workspace!)
            for i in 0..<count { out[i] = Swift.abs(doubleTarget!.evaluateDouble(points + i * d) - n[i]) }
        }
    }
}

/// How many points the fixed-point locator ranked with a certificate, how many it handed to
/// MPFR, and how many units it computed (the rest were reused from the previous point).
final class FixedPointCounts: @unchecked Sendable {
    // Sendable: every access holds the lock.
    private let lock = NSLock()
    private(set) var certified = 0
    private(set) var fallback = 0
    private(set) var computedUnits = 0
    func add(_ w: FixedPointEvaluator.Workspace) {
        lock.lock(); certified += w.certifiedPoints; fallback += w.fallbackPoints; computedUnits += w.totalComputedUnits; lock.unlock()
    }
}
