import CKernels
import Foundation
import PrecisionModule
import FileIOModule

/// tanh in float64 without a libm call, for the hot loops of the training engines: within 4 ulps of
/// libm's tanh on the whole line (checked on 10⁶ points in the tests), several times faster. The
/// loop is C (Sources/CKernels), compiled for AVX-512, AVX2 and baseline x86-64 and chosen at run
/// time, contraction off, so every machine gets the same bits.
///
/// - |x| < 0.625: x·g(x²), g the degree-11 polynomial interpolating tanh(√s)/√s at the Chebyshev
///   points of s ∈ [0, 0.390625] (computed in 60-digit arithmetic; worst relative error of the
///   float64 evaluation 1.7·2⁻⁵³ on a grid of 20,001 points).
/// - 0.625 ≤ |x| < 20: 1 − 2/(e^{2|x|} + 1), with e^y from y = n ln 2 + r (ln 2 split in two so that
///   n ln 2 is exact, n rounded by the 1.5·2⁵² shift), the degree-13 Taylor polynomial of e^r on
///   |r| ≤ ln2/2 (remainder below 5·10⁻¹⁸), and 2ⁿ set in the exponent bits.
/// - |x| ≥ 20: ±1 (tanh(20) rounds to 1); NaN stays NaN.
public enum FastTanh {
    /// tanh(x).
    public static func value(_ x: Double) -> Double {
        var y = x
        ck_tanh_inplace(&y, 1)
        return y
    }

    /// Replaces each of `count` values at `values` by its tanh.
    @inline(__always)
    public static func apply(_ values: UnsafeMutablePointer<Double>, count: Int) { ck_tanh_inplace(values, count) }

    /// g_i ← g_i (1 − h_i²) for i < `count`: the back-propagated signal through tanh, from the
    /// activations h = tanh(z).
    @inline(__always)
    public static func backward(_ g: UnsafeMutablePointer<Double>, activations h: UnsafePointer<Double>, count: Int) { ck_tanh_backward(g, h, count) }
}
