import CBLAS
import Foundation
import PrecisionModule

/// Online SGD of a soft committee student on a soft committee teacher with Gaussian inputs
/// (Saad & Solla 1995; Veiga et al. 2022), simulated in float64.
///
/// Each step draws a fresh x ~ N(0, I_d) and ξ ~ N(0, 1), forms λ = Wx/√d and ρ = W*x/√d (one
/// OpenBLAS matrix-vector product over the stacked [W; W*]), the label y = (1/k) Σ g(ρ_r) + √Δ ξ
/// and the prediction ŷ = (1/p) Σ g(λ_j), and updates every student row by
/// w_j ← w_j + (γ/(p√d)) (y − ŷ) g′(λ_j) x (one rank-one update), g = erf(·/√2). The step
/// allocates nothing. The risk is never sampled: ``overlaps`` computes (Q, M, P) from the weights
/// and ``CommitteeOverlaps/risk`` is exact for them.
public final class OnlineSGD {
    /// Input dimension d.
    public let d: Int
    /// Student units p.
    public let p: Int
    /// Teacher units k.
    public let k: Int
    /// Learning rate γ.
    public let learningRate: Double
    /// Label-noise variance Δ.
    public let labelNoise: Double
    /// Steps taken.
    public private(set) var steps = 0

    /// Rows 0..<p the student, p..<p+k the teacher; row-major (p + k) × d.
    private var weights: [Double]
    private var x: [Double]
    private var u: [Double]
    private var coefficient: [Double]
    private var rng: SplitMix64
    private let normal = ZigguratNormal()
    private let invRoot: Double, scale: Double, noiseScale: Double, invP: Double, invK: Double

    /// A run from `student` (p × d) and `teacher` (k × d) weights, with the sample stream of `seed`.
    public init(student: [Double], teacher: [Double], p: Int, k: Int, dimension d: Int, learningRate: Double, labelNoise: Double, seed: UInt64) {
        precondition(student.count == p * d && teacher.count == k * d)
        self.d = d; self.p = p; self.k = k; self.learningRate = learningRate; self.labelNoise = labelNoise
        weights = student + teacher
        x = [Double](repeating: 0, count: d)
        u = [Double](repeating: 0, count: p + k)
        coefficient = [Double](repeating: 0, count: p)
        rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 0xD1B5_4A32_D192_ED03)
        invRoot = 1 / Double(d).squareRoot()
        scale = learningRate / (Double(p) * Double(d).squareRoot())
        noiseScale = labelNoise.squareRoot()
        invP = 1 / Double(p); invK = 1 / Double(k)
    }

    /// Takes `count` SGD steps on fresh samples.
    public func run(steps count: Int) {
        let d = self.d, noisy = labelNoise != 0
        let normal = self.normal
        var rng = self.rng
        withBuffers { w, xs, us, c in
            for _ in 0..<count {
                normal.fill(xs, count: d, using: &rng)
                step(w, xs, us, c, noise: noisy ? normal.next(using: &rng) : 0)
            }
        }
        self.rng = rng
        steps += count
    }

    /// Takes `count` SGD steps on given samples: inputs row-major `count` × d, label noises ξ
    /// (`count` of them; used only when Δ > 0). The benchmark feeds the same samples to a peer.
    public func run(inputs: [Double], noises: [Double], count: Int) {
        precondition(inputs.count >= count * d && noises.count >= count)
        let d = self.d
        inputs.withUnsafeBufferPointer { ib in
            withBuffers { w, xs, us, c in
                for s in 0..<count {
                    xs.update(from: ib.baseAddress! + s * d, count: d)
                    step(w, xs, us, c, noise: noises[s])
                }
            }
        }
        steps += count
    }

    private func withBuffers(_ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void) {
        weights.withUnsafeMutableBufferPointer { wb in x.withUnsafeMutableBufferPointer { xb in
            u.withUnsafeMutableBufferPointer { ub in coefficient.withUnsafeMutableBufferPointer { cb in
                body(wb.baseAddress!, xb.baseAddress!, ub.baseAddress!, cb.baseAddress!)
            } }
        } }
    }

    /// One step on the input in `xs` and label noise ξ = `noise`: λ, ρ by one product, the error,
    /// then the rank-one update of the student rows.
    @inline(__always)
    private func step(_ w: UnsafeMutablePointer<Double>, _ xs: UnsafePointer<Double>, _ us: UnsafeMutablePointer<Double>,
                      _ c: UnsafeMutablePointer<Double>, noise: Double) {
        let d = self.d, p = self.p, k = self.k
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(p + k), Int32(d), invRoot, w, Int32(d), xs, 1, 0, us, 1)
        var label = 0.0, prediction = 0.0
        for r in 0..<k { label += ErfIntegrals.g(us[p + r]) }
        for j in 0..<p { prediction += ErfIntegrals.g(us[j]) }
        let e = scale * (label * invK - prediction * invP + noiseScale * noise)
        for j in 0..<p { c[j] = e * ErfIntegrals.gPrime(us[j]) }
        cblas_dger(CblasRowMajor, Int32(p), Int32(d), 1, c, 1, xs, 1, w, Int32(d))
    }

    /// The current overlaps Q = WWᵀ/d, M = WW*ᵀ/d, P = W*W*ᵀ/d (one product of the stacked rows).
    public var overlaps: CommitteeOverlaps {
        let n = p + k
        var gram = [Double](repeating: 0, count: n * n)
        weights.withUnsafeBufferPointer { wb in
            cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, Int32(n), Int32(d), 1 / Double(d), wb.baseAddress!, Int32(d), 0, &gram, Int32(n))
        }
        for a in 0..<n { for b in 0..<a { gram[b * n + a] = gram[a * n + b] } }
        var q = [Double](repeating: 0, count: p * p), m = [Double](repeating: 0, count: p * k), t = [Double](repeating: 0, count: k * k)
        for j in 0..<p {
            for l in 0..<p { q[j * p + l] = gram[j * n + l] }
            for r in 0..<k { m[j * k + r] = gram[j * n + p + r] }
        }
        for r in 0..<k { for s in 0..<k { t[r * k + s] = gram[(p + r) * n + p + s] } }
        return CommitteeOverlaps(p: p, k: k, q: q, m: m, teacher: t)
    }

    /// The student weights (p × d, row-major).
    public var student: [Double] { Array(weights[0..<(p * d)]) }
}
