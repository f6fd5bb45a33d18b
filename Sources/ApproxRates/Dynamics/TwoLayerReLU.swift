import CBLAS
import Foundation
import PrecisionModule
import FileIOModule

/// Loss, gradient and top neural-tangent-kernel eigenvalue of the two-layer ReLU network
///
///   f(x) = (1/α) Σ_{k<m} a_k σ(w_k·x + b_k),   σ = ReLU,
///
/// on a fixed regression set of n examples with scalar targets, under the MSE loss
/// L = 1/(2n) Σ_i (f(x_i) − y_i)², in float64 with the matrix products through OpenBLAS.
///
/// Parameters θ are laid out as the m output weights a_k, then the m rows (w_k, b_k) of the input
/// layer (d + 1 numbers each, the bias last). σ′(0) = 0.
///
/// The output sum adds neurons in adjacent pairs (2j, 2j + 1) before adding the pairs, so an
/// antisymmetric start (neuron 2j + 1 = neuron 2j with a negated) gives f ≡ 0 exactly, not up to
/// rounding.
///
/// All buffers are allocated once; calls do not allocate. Not thread-safe: one engine per thread.
public final class TwoLayerReLU {
    /// Width m.
    public let width: Int
    /// Input dimension d (the bias is the extra column).
    public let inputDimension: Int
    /// Examples n.
    public let count: Int
    /// m (d + 2): the length of θ.
    public var parameterCount: Int { width * (columns + 1) }
    /// Offset of the input-layer block (w_k, b_k) in θ.
    public var inputOffset: Int { width }

    let columns: Int                               // d + 1
    let x: UnsafeMutablePointer<Double>            // n × (d+1), last column 1
    let y: UnsafeMutablePointer<Double>            // n
    let h: UnsafeMutablePointer<Double>            // n × m pre-activations
    let s: UnsafeMutablePointer<Double>            // n × m activations
    let e: UnsafeMutablePointer<Double>            // n × m scratch
    let f: UnsafeMutablePointer<Double>            // n outputs
    let r: UnsafeMutablePointer<Double>            // n residuals
    let gram: UnsafeMutablePointer<Double>         // n × n
    let gram2: UnsafeMutablePointer<Double>        // n × n
    let xx: UnsafeMutablePointer<Double>           // n × n, x̃_i·x̃_j
    let v: UnsafeMutablePointer<Double>            // n, power-iteration vector (kept: warm start)
    let kv: UnsafeMutablePointer<Double>           // n

    /// An engine for `data` (scalar targets) and width `width` ≥ 1.
    public init(data: TrainingData, width: Int) {
        precondition(data.outputDimension == 1 && width >= 1 && data.count >= 1)
        self.width = width
        inputDimension = data.inputDimension
        count = data.count
        columns = data.inputDimension + 1
        let n = data.count, m = width, p = columns
        func buffer(_ size: Int) -> UnsafeMutablePointer<Double> {
            let b = UnsafeMutablePointer<Double>.allocate(capacity: size)
            b.initialize(repeating: 0, count: size)
            return b
        }
        x = buffer(n * p); y = buffer(n)
        h = buffer(n * m); s = buffer(n * m); e = buffer(n * m)
        f = buffer(n); r = buffer(n); gram = buffer(n * n); gram2 = buffer(n * n); xx = buffer(n * n)
        v = buffer(n); kv = buffer(n)
        for i in 0..<n {
            for j in 0..<(p - 1) { x[i * p + j] = data.inputs[i * (p - 1) + j] }
            x[i * p + p - 1] = 1
            y[i] = data.targets[i]
            v[i] = 1 / Double(n).squareRoot()
        }
        for i in 0..<n { for j in 0..<n {
            var t = 0.0
            for c in 0..<p { t += x[i * p + c] * x[j * p + c] }
            xx[i * n + j] = t
        } }
    }

    deinit { for b in [x, y, h, s, e, f, r, gram, gram2, xx, v, kv] { b.deallocate() } }

    /// Evaluates the network at the training inputs and returns L(θ); leaves the pre-activations,
    /// activations, outputs and residuals for ``gradient(_:alpha:into:)`` and
    /// ``topKernelEigenvalue(_:alpha:)``.
    @discardableResult
    public func loss(_ theta: UnsafePointer<Double>, alpha: Double) -> Double {
        let n = count, m = width, p = columns
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(m), Int32(p), 1, x, Int32(p), theta + m, Int32(p), 0, h, Int32(m))
        for k in 0..<(n * m) { s[k] = h[k] > 0 ? h[k] : 0 }
        var total = 0.0
        for i in 0..<n {
            let row = s + i * m
            var sum = 0.0, k = 0
            while k + 1 < m { sum += theta[k] * row[k] + theta[k + 1] * row[k + 1]; k += 2 }
            if k < m { sum += theta[k] * row[k] }
            f[i] = sum / alpha
            r[i] = f[i] - y[i]
            total += r[i] * r[i]
        }
        return total / (2 * Double(n))
    }

    /// The outputs f(x_i) of the last ``loss(_:alpha:)`` call.
    public var outputs: [Double] { Array(UnsafeBufferPointer(start: f, count: count)) }

    /// ∇L at the θ of the last ``loss(_:alpha:)`` call, into `gradient` (``parameterCount`` numbers).
    public func gradient(_ theta: UnsafePointer<Double>, alpha: Double, into gradient: UnsafeMutablePointer<Double>) {
        let n = count, m = width, p = columns
        let scale = 1 / (alpha * Double(n))
        cblas_dgemv(CblasRowMajor, CblasTrans, Int32(n), Int32(m), scale, s, Int32(m), r, 1, 0, gradient, 1)
        for i in 0..<n { for k in 0..<m { e[i * m + k] = h[i * m + k] > 0 ? r[i] : 0 } }
        let gw = gradient + m
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(p), Int32(n), 1, e, Int32(m), x, Int32(p), 0, gw, Int32(p))
        for k in 0..<m {
            let c = theta[k] * scale
            for j in 0..<p { gw[k * p + j] *= c }
        }
    }

    /// The largest eigenvalue of the neural tangent kernel K = J Jᵀ (n × n, J = ∂f(x_i)/∂θ) at the
    /// θ of the last ``loss(_:alpha:)`` call:
    /// K_ij = (1/α²) [Σ_k σ(h_ik)σ(h_jk) + (x̃_i·x̃_j) Σ_k a_k² σ′(h_ik)σ′(h_jk)].
    /// The Gauss–Newton matrix of L is Jᵀ J / n, with top eigenvalue this over n. By power
    /// iteration (K is positive semi-definite, so the largest-magnitude eigenvalue is the largest),
    /// warm-started from the previous call's vector, to a relative change of 1e-10 or 200 products.
    public func topKernelEigenvalue(_ theta: UnsafePointer<Double>, alpha: Double) -> Double {
        let n = count, m = width
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(m), 1, s, Int32(m), 0, gram, Int32(n))
        for i in 0..<n { for k in 0..<m { e[i * m + k] = h[i * m + k] > 0 ? Swift.abs(theta[k]) : 0 } }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(m), 1, e, Int32(m), 0, gram2, Int32(n))
        let inverse = 1 / (alpha * alpha)
        for i in 0..<n { for j in i..<n {
            let k = (gram[i * n + j] + gram2[i * n + j] * xx[i * n + j]) * inverse
            gram[i * n + j] = k; gram[j * n + i] = k
        } }
        var lambda = 0.0
        for iteration in 0..<200 {
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(n), 1, gram, Int32(n), v, 1, 0, kv, 1)
            let rayleigh = cblas_ddot(Int32(n), v, 1, kv, 1)
            let norm = cblas_dnrm2(Int32(n), kv, 1)
            guard norm > 0, norm.isFinite else { return rayleigh }
            for i in 0..<n { v[i] = kv[i] / norm }
            if iteration > 0 && Swift.abs(rayleigh - lambda) <= 1e-10 * Swift.abs(rayleigh) { return rayleigh }
            lambda = rayleigh
        }
        return lambda
    }
}
