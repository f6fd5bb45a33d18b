import Foundation

/// The explicit Runge–Kutta pair of Dormand & Prince (1980), order 5 with an embedded order-4
/// error estimate, FSAL, and step-size control on the mixed error norm
/// ‖e‖ = √(mean((e_i/(atol + rtol·max(|y_i|, |y′_i|)))²)) (Hairer, Nørsett & Wanner, "Solving
/// ODEs I", II.4): a step is accepted when ‖e‖ ≤ 1 and the next step is
/// h·min(5, max(0.2, 0.9‖e‖^(−1/5))).
///
/// Float64 throughout. The stage arrays are allocated once per integrator; a step allocates
/// nothing. The step size carries over between calls to ``integrate(_:from:to:derivative:)``, so
/// integrating to a list of output times one after the other costs about what one call would
/// (the last step before each output time is shortened to land on it).
public final class DormandPrince45 {
    /// Tolerances and limits.
    public struct Settings: Sendable, Codable, Hashable {
        /// Relative tolerance per component.
        public var relativeTolerance: Double = 1e-8
        /// Absolute tolerance per component.
        public var absoluteTolerance: Double = 1e-11
        /// Largest step (time units).
        public var maximumStep: Double = .infinity
        /// Most steps (accepted + rejected) per call before it gives up.
        public var maximumSteps: Int = 50_000_000
        /// Defaults.
        public init() {}
    }

    /// Why an integration stopped early.
    public enum Failure: Error, CustomStringConvertible {
        /// The step size fell below the rounding of t.
        case stepTooSmall(t: Double, h: Double)
        /// A state component became NaN or infinite.
        case notFinite(t: Double)
        /// More than `maximumSteps` steps in one call.
        case tooManySteps(t: Double, steps: Int)
        public var description: String {
            switch self {
            case .stepTooSmall(let t, let h): return "the step size fell to \(h) at t = \(t) (the equations are stiff or singular there)"
            case .notFinite(let t): return "the state became non-finite at t = \(t)"
            case .tooManySteps(let t, let s): return "\(s) steps without reaching the end (at t = \(t))"
            }
        }
    }

    /// Settings in use.
    public let settings: Settings
    /// State length.
    public let dimension: Int
    /// Accepted steps so far.
    public private(set) var acceptedSteps = 0
    /// Rejected steps so far.
    public private(set) var rejectedSteps = 0
    /// The step size the next step tries (nil before the first step: chosen by the usual starting rule).
    public private(set) var step: Double?

    /// The seven stages, the stage argument and the proposed state, `dimension` numbers each, in one block.
    private let work: UnsafeMutablePointer<Double>
    private var k1Valid = false

    /// An integrator for states of length `dimension`.
    public init(dimension: Int, settings: Settings = Settings()) {
        self.dimension = dimension; self.settings = settings
        work = .allocate(capacity: Swift.max(1, 9 * dimension))
        work.initialize(repeating: 0, count: Swift.max(1, 9 * dimension))
    }

    deinit { work.deallocate() }

    // Dormand–Prince coefficients.
    private static let c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9
    private static let a21 = 1.0 / 5
    private static let a31 = 3.0 / 40, a32 = 9.0 / 40
    private static let a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9
    private static let a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729
    private static let a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176, a65 = -5103.0 / 18656
    private static let b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84
    // Error weights: b − b̂ (order 5 minus the embedded order 4).
    private static let e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200, e6 = 22.0 / 525, e7 = -1.0 / 40

    /// Advances `y` from `t0` to `t1` (t1 ≥ t0) under y′ = f(t, y), where `derivative(t, y, dy)`
    /// writes f into dy. An autonomous system may ignore t. `y` must not be changed between calls
    /// that continue one trajectory (the first stage is reused); call ``restart()`` after changing it.
    public func integrate(_ y: inout [Double], from t0: Double, to t1: Double,
                          derivative f: (Double, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void) throws {
        precondition(y.count == dimension && t1 >= t0)
        if t1 == t0 { return }
        let n = dimension, rtol = settings.relativeTolerance, atol = settings.absoluteTolerance
        typealias C = DormandPrince45
        var t = t0
        var steps = 0
        let k1 = work, k2 = work + n, k3 = work + 2 * n, k4 = work + 3 * n, k5 = work + 4 * n
        let k6 = work + 5 * n, k7 = work + 6 * n, s = work + 7 * n, yn = work + 8 * n
        try y.withUnsafeMutableBufferPointer { yb in
            let y = yb.baseAddress!
            if !k1Valid { f(t, y, k1); k1Valid = true }
            var h = step ?? initialStep(t: t, y: y, f0: k1, f: f, scratch: s, scratch2: yn)
            while t < t1 {
                if steps >= settings.maximumSteps { throw Failure.tooManySteps(t: t, steps: steps) }
                steps += 1
                h = Swift.min(h, settings.maximumStep)
                let last = t + h >= t1
                let hStep = last ? t1 - t : h
                if hStep <= 4 * t.ulp { throw Failure.stepTooSmall(t: t, h: hStep) }
                for i in 0..<n { s[i] = y[i] + hStep * C.a21 * k1[i] }
                f(t + C.c2 * hStep, s, k2)
                for i in 0..<n { s[i] = y[i] + hStep * (C.a31 * k1[i] + C.a32 * k2[i]) }
                f(t + C.c3 * hStep, s, k3)
                for i in 0..<n { s[i] = y[i] + hStep * (C.a41 * k1[i] + C.a42 * k2[i] + C.a43 * k3[i]) }
                f(t + C.c4 * hStep, s, k4)
                for i in 0..<n { s[i] = y[i] + hStep * (C.a51 * k1[i] + C.a52 * k2[i] + C.a53 * k3[i] + C.a54 * k4[i]) }
                f(t + C.c5 * hStep, s, k5)
                for i in 0..<n { s[i] = y[i] + hStep * (C.a61 * k1[i] + C.a62 * k2[i] + C.a63 * k3[i] + C.a64 * k4[i] + C.a65 * k5[i]) }
                f(t + hStep, s, k6)
                for i in 0..<n { yn[i] = y[i] + hStep * (C.b1 * k1[i] + C.b3 * k3[i] + C.b4 * k4[i] + C.b5 * k5[i] + C.b6 * k6[i]) }
                f(t + hStep, yn, k7)
                var sum = 0.0, finite = true
                for i in 0..<n {
                    let e = hStep * (C.e1 * k1[i] + C.e3 * k3[i] + C.e4 * k4[i] + C.e5 * k5[i] + C.e6 * k6[i] + C.e7 * k7[i])
                    let scale = atol + rtol * Swift.max(Swift.abs(y[i]), Swift.abs(yn[i]))
                    let r = e / scale
                    sum += r * r
                    if !yn[i].isFinite { finite = false }
                }
                let err = (sum / Double(n)).squareRoot()
                if finite && err <= 1 {
                    acceptedSteps += 1
                    t = last ? t1 : t + hStep
                    for i in 0..<n { y[i] = yn[i]; k1[i] = k7[i] }
                    let grow = err == 0 ? 5 : Swift.min(5, Swift.max(0.2, 0.9 * Foundation.pow(err, -0.2)))
                    // A shortened last step says nothing about the natural step: keep h unless it must shrink.
                    let proposed = hStep * grow
                    h = last && hStep < h ? (grow >= 1 ? h : Swift.min(h, proposed)) : proposed
                } else {
                    rejectedSteps += 1
                    if !finite && hStep <= 4 * t.ulp { throw Failure.notFinite(t: t) }
                    h = hStep * (finite ? Swift.max(0.2, 0.9 * Foundation.pow(err, -0.2)) : 0.25)
                }
            }
            step = h
        }
        if !y.allSatisfy(\.isFinite) { throw Failure.notFinite(t: t) }
    }

    /// Forgets the stored first stage and step size (after the state was changed from outside).
    public func restart() { k1Valid = false; step = nil }

    /// The starting step of Hairer, Nørsett & Wanner (II.4): from the sizes of y, f(y) and a
    /// difference quotient of f.
    private func initialStep(t: Double, y: UnsafePointer<Double>, f0: UnsafePointer<Double>,
                             f: (Double, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void,
                             scratch y1: UnsafeMutablePointer<Double>, scratch2 f1: UnsafeMutablePointer<Double>) -> Double {
        let n = dimension, rtol = settings.relativeTolerance, atol = settings.absoluteTolerance
        var d0 = 0.0, d1 = 0.0
        for i in 0..<n {
            let sc = atol + rtol * Swift.abs(y[i])
            d0 += (y[i] / sc) * (y[i] / sc); d1 += (f0[i] / sc) * (f0[i] / sc)
        }
        d0 = (d0 / Double(n)).squareRoot(); d1 = (d1 / Double(n)).squareRoot()
        let h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1
        for i in 0..<n { y1[i] = y[i] + h0 * f0[i] }
        f(t + h0, y1, f1)
        var d2 = 0.0
        for i in 0..<n {
            let sc = atol + rtol * Swift.abs(y[i])
            let v = (f1[i] - f0[i]) / sc
            d2 += v * v
        }
        d2 = (d2 / Double(n)).squareRoot() / h0
        let h1 = Swift.max(d1, d2) <= 1e-15 ? Swift.max(1e-6, h0 * 1e-3) : Foundation.pow(0.01 / Swift.max(d1, d2), 0.2)
        return Swift.min(100 * h0, h1)
    }
}
