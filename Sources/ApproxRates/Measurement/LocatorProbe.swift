import PrecisionModule
import NetworksModule
import TargetsModule
/// Errors |f − net| at blocks of points for one thread: float64 (network in float64, target in
/// float64) or MPFR. Float64 values only rank points; the MPFR ones are the measurement.
final class LocatorProbe {
    let double: DoubleEvaluator?
    let workspace: DoubleEvaluator.Workspace?
    let doubleTarget: ExpressionEvaluator?
    let mpfr: ErrorProbe?
    var nets: [Double]

    init(double: DoubleEvaluator, target: Target) {
        self.double = double
        workspace = double.makeWorkspace()
        doubleTarget = target.makeEvaluator(precision: .double)
        mpfr = nil
        nets = [Double](repeating: 0, count: DoubleEvaluator.blockSize)
    }

    init(mpfr: MPFREvaluator, target: Target) {
        double = nil; workspace = nil; doubleTarget = nil
        self.mpfr = ErrorProbe(network: mpfr, target: target)
        nets = []
    }

    /// |f − net| at `count` ≤ ``DoubleEvaluator/blockSize`` points.
    func errors(_ points: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>) {
        if let mpfr {
            let d = mpfr.point.count
            for i in 0..<count { out[i] = mpfr.error(at: points + i * d) }
            return
        }
        let d = double!.network.inputDimension
        nets.withUnsafeMutableBufferPointer { n in
            double!.evaluate(points, count: count, output: n.baseAddress!, workspace: workspace!)
            for i in 0..<count { out[i] = Swift.abs(doubleTarget!.evaluateDouble(points + i * d) - n[i]) }
        }
    }
}
