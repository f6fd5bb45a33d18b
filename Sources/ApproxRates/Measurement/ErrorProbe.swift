import CMPFR
import PrecisionModule
import NetworksModule
import TargetsModule

/// |f(x) − net(x)| in MPFR at one precision, for one thread, with no allocation per call:
/// the network's evaluator workspace, the target's registers and the point are all owned here.
final class ErrorProbe {
    let network: MPFREvaluator
    let workspace: MPFREvaluator.Workspace
    let target: ExpressionEvaluator
    let point: MPFRArray
    let values: MPFRArray   // [net(x), f(x), |f − net|]
    let line: MPFRArray     // [slope, intercept] of a linear piece

    /// `targetPrecision`: the target's working precision (default: the network's); a lower one
    /// serves a ranking that needs the error only to ``SupNorm/fixedTolerance``.
    init(network: MPFREvaluator, target: Target, targetPrecision: Precision? = nil) {
        self.network = network
        workspace = network.makeWorkspace()
        self.target = target.makeEvaluator(precision: targetPrecision ?? network.precision)
        point = MPFRArray(count: target.dimension, precision: Precision(uncheckedBits: Swift.max(64, network.precision.bits)))
        values = MPFRArray(count: 3, precision: network.precision)
        line = MPFRArray(count: 2, precision: network.precision)
    }

    /// |f(x) − net(x)| at the point `x` (float64 coordinates, exact in MPFR), left in values[2].
    @discardableResult
    func error(at x: UnsafePointer<Double>) -> Double {
        error(at: x) { network.evaluate(input: point.base, output: $0, workspace: workspace) }
    }

    /// |f(x) − net(x)| at the point `x` with the network's value written by `network` into
    /// values[0] (another evaluator's result, at the probe's precision), left in values[2].
    func error(at x: UnsafePointer<Double>, network: (UnsafeMutablePointer<__mpfr_struct>) -> Void) -> Double {
        for k in 0..<point.count { mpfr_set_d(point[k], x[k], MPFR_RNDN) }
        network(values[0])
        target.evaluate(point.base, into: values[1])
        mpfr_sub(values[2], values[1], values[0], MPFR_RNDN)
        mpfr_abs(values[2], values[2], MPFR_RNDN)
        return mpfr_get_d(values[2], MPFR_RNDN)
    }

    /// |f(x) − net(x)| at a point given at full precision (each coordinate rounded to the
    /// probe's point precision, at least the working precision: ``pointValue`` is the point
    /// used), left in values[2].
    func error(atExact x: [BigFloat]) -> BigFloat {
        for k in 0..<point.count { _ = x[k].copy(into: point[k]) }
        network.evaluate(input: point.base, output: values[0], workspace: workspace)
        target.evaluate(point.base, into: values[1])
        mpfr_sub(values[2], values[1], values[0], MPFR_RNDN)
        mpfr_abs(values[2], values[2], MPFR_RNDN)
        return lastError
    }

    /// |f(x) − (slope·x + intercept)| for the line stored in `line` (1-D).
    func lineError(at x: Double) -> Double {
        mpfr_set_d(point[0], x, MPFR_RNDN)
        mpfr_mul(values[0], line[0], point[0], MPFR_RNDN)
        mpfr_add(values[0], values[0], line[1], MPFR_RNDN)
        target.evaluate(point.base, into: values[1])
        mpfr_sub(values[2], values[1], values[0], MPFR_RNDN)
        mpfr_abs(values[2], values[2], MPFR_RNDN)
        return mpfr_get_d(values[2], MPFR_RNDN)
    }

    /// The point of the last evaluation, as values.
    var pointValue: [BigFloat] { point.values }

    /// The last error computed, as a value.
    var lastError: BigFloat { values.value(at: 2) }
}
