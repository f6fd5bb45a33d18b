import Foundation
import PrecisionModule

/// Standard normal samples by the ziggurat method of Marsaglia & Tsang (2000), 128 layers, on
/// 64 random bits per try (sign and 56-bit magnitude from one draw of ``SplitMix64``, the layer
/// from its low 7 bits). About 98.8 % of draws return after one table lookup and one multiply, so
/// a sample costs a few nanoseconds — the online SGD simulator draws d of them per step, and a
/// Box–Muller sampler (``GaussianSampler``) would dominate its step.
///
/// Exact in distribution up to the 2⁻⁵⁶ resolution of the magnitude and float64 rounding; the
/// tail beyond r = 3.442619855899 is sampled by Marsaglia's exponential rejection.
public struct ZigguratNormal: Sendable {
    private static let layers = 128
    private static let r = 3.442619855899
    private static let tables: (k: [UInt64], w: [Double], f: [Double]) = {
        // Layer boundaries x_i with equal areas v = 9.91256303526217e-3 (Marsaglia & Tsang's tables, built here).
        let m = 9223372036854775808.0 // 2⁶³
        let v = 9.91256303526217e-3
        var k = [UInt64](repeating: 0, count: layers), w = [Double](repeating: 0, count: layers), f = [Double](repeating: 0, count: layers)
        var dn = r, tn = r
        let q = v / Foundation.exp(-0.5 * dn * dn)
        k[0] = UInt64((dn / q) * m)
        k[1] = 0
        w[0] = q / m
        w[layers - 1] = dn / m
        f[0] = 1
        f[layers - 1] = Foundation.exp(-0.5 * dn * dn)
        for i in stride(from: layers - 2, through: 1, by: -1) {
            dn = (-2 * Foundation.log(v / dn + Foundation.exp(-0.5 * dn * dn))).squareRoot()
            k[i + 1] = UInt64((dn / tn) * m)
            tn = dn
            f[i] = Foundation.exp(-0.5 * dn * dn)
            w[i] = dn / m
        }
        return (k, w, f)
    }()

    private let k: [UInt64], w: [Double], f: [Double]

    /// A sampler (the tables are shared and built once).
    public init() { (k, w, f) = ZigguratNormal.tables }

    /// Uniform in (0, 1), never 0: 53 random bits.
    @inline(__always)
    private static func uniform(_ rng: inout SplitMix64) -> Double { (Double(rng.next() >> 11) + 0.5) / 9007199254740992.0 }

    /// One N(0, 1) sample.
    @inline(__always)
    public func next(using rng: inout SplitMix64) -> Double {
        let bits = rng.next()
        let i = Int(bits & 127)
        let h = Int64(bitPattern: bits & ~UInt64(127))
        if h.magnitude < k[i] { return Double(h) * w[i] }
        return rare(bits, using: &rng)
    }

    /// The rest of the method for a draw that missed the fast test (about 1.2 % of draws): the
    /// wedge test, the tail, and new draws until one is accepted. Consumes the generator exactly
    /// as one loop over draws would.
    @inline(never)
    private func rare(_ first: UInt64, using rng: inout SplitMix64) -> Double {
        var bits = first
        while true {
            let i = Int(bits & 127)
            // Signed magnitude from the top 57 bits: |h| < 2⁶³.
            let h = Int64(bitPattern: bits & ~UInt64(127))
            let x = Double(h) * w[i]
            if h.magnitude < k[i] { return x }
            if i == 0 {
                // Tail |x| > r: Marsaglia's method.
                var xt = 0.0, y = 0.0
                repeat {
                    xt = -Foundation.log(ZigguratNormal.uniform(&rng)) / ZigguratNormal.r
                    y = -Foundation.log(ZigguratNormal.uniform(&rng))
                } while y + y < xt * xt
                return h > 0 ? ZigguratNormal.r + xt : -ZigguratNormal.r - xt
            }
            if f[i] + ZigguratNormal.uniform(&rng) * (f[i - 1] - f[i]) < Foundation.exp(-0.5 * x * x) { return x }
            bits = rng.next()
        }
    }

    /// Fills `count` samples into `buffer` (the fast test on raw table pointers, no bounds checks).
    public func fill(_ buffer: UnsafeMutablePointer<Double>, count: Int, using rng: inout SplitMix64) {
        k.withUnsafeBufferPointer { kb in
            w.withUnsafeBufferPointer { wb in
                let kp = kb.baseAddress!, wp = wb.baseAddress!
                for n in 0..<count {
                    let bits = rng.next()
                    let i = Int(bits & 127)
                    let h = Int64(bitPattern: bits & ~UInt64(127))
                    buffer[n] = h.magnitude < kp[i] ? Double(h) * wp[i] : rare(bits, using: &rng)
                }
            }
        }
    }
}
