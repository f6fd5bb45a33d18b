import CBLAS
import Foundation
import PrecisionModule
import FileIOModule

/// Loss, gradient and exact Hessian-vector products of an ``MLPArchitecture`` under a
/// ``TrainingLoss`` (by default the MSE L(θ) = 1/(2 B K) Σ_b Σ_k (f_k(x_b) − y_bk)², the mean over
/// the batch and the K outputs), in float64, with every matrix product through OpenBLAS
/// (`cblas_dgemm`).
///
/// Gradients are hand-written backpropagation; Hessian-vector products H·v are Pearlmutter's
/// R-operator (forward-over-reverse: the directional derivative of the backward pass along v),
/// exact up to float64 rounding, at about twice the cost of a gradient. ReLU's second derivative
/// is 0 and its derivative at 0 is 0, so H is the Hessian of the piecewise-smooth loss on the
/// piece containing θ.
///
/// All buffers are allocated once for `capacity` examples; calls do not allocate. Not thread-safe:
/// one engine per thread.
public final class MLPEngine: TrainingEngine {
    /// The network.
    public let architecture: MLPArchitecture
    /// Largest batch a call may pass.
    public let capacity: Int
    /// The loss.
    public let lossFunction: TrainingLoss

    let sizes: [Int]
    let offsets: [Int]
    let scales: [Double]
    // Per layer l = 1…d (index l − 1): pre-activations Z, activations A (A_d unused),
    // back-propagated ∂L/∂A (before φ') Gp and ∂L/∂Z G, and their R{·} counterparts.
    let z: [UnsafeMutablePointer<Double>]
    let a: [UnsafeMutablePointer<Double>]
    let gp: [UnsafeMutablePointer<Double>]
    let g: [UnsafeMutablePointer<Double>]
    let rz: [UnsafeMutablePointer<Double>]
    let ra: [UnsafeMutablePointer<Double>]
    let rg: [UnsafeMutablePointer<Double>]
    let rgp: [UnsafeMutablePointer<Double>]
    let scratch: UnsafeMutablePointer<Double>

    /// An engine for `architecture` and batches of at most `capacity` examples.
    public init(architecture: MLPArchitecture, capacity: Int, loss: TrainingLoss = .mse) {
        precondition(capacity >= 1)
        self.architecture = architecture
        self.capacity = capacity
        self.lossFunction = loss
        scratch = .allocate(capacity: architecture.outputs)
        sizes = architecture.sizes
        offsets = architecture.offsets
        scales = (1...architecture.depth).map { architecture.scale(layer: $0) }
        func buffers() -> [UnsafeMutablePointer<Double>] {
            (1...architecture.depth).map { l in
                let p = UnsafeMutablePointer<Double>.allocate(capacity: capacity * architecture.sizes[l])
                p.initialize(repeating: 0, count: capacity * architecture.sizes[l])
                return p
            }
        }
        z = buffers(); a = buffers(); gp = buffers(); g = buffers()
        rz = buffers(); ra = buffers(); rg = buffers(); rgp = buffers()
    }

    deinit { for list in [z, a, gp, g, rz, ra, rg, rgp] { for p in list { p.deallocate() } }; scratch.deallocate() }

    /// Network outputs for `count` examples: `inputs` row-major count × n_0, `outputs`
    /// count × K. Returns nothing; `outputs` receives f(x_b).
    public func predict(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, count: Int,
                        outputs: UnsafeMutablePointer<Double>) {
        forward(theta, inputs, count)
        outputs.update(from: z[architecture.depth - 1], count: count * sizes[architecture.depth])
    }

    /// L(θ) on `count` examples (`targets` row-major count × K).
    public func loss(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>,
                     count: Int) -> Double {
        forward(theta, inputs, count)
        return lossValue(targets, count)
    }

    /// L(θ) and ∇L into `gradient` (parameterCount numbers).
    @discardableResult
    public func lossAndGradient(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>,
                                count: Int, gradient: UnsafeMutablePointer<Double>) -> Double {
        forward(theta, inputs, count)
        let value = lossValue(targets, count)
        backward(theta, inputs, targets, count, gradient)
        return value
    }

    /// H·v into `product` (H the Hessian of L at θ on these examples), exact forward-over-reverse.
    /// Also returns L(θ).
    @discardableResult
    public func hessianVectorProduct(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>,
                                     count: Int, vector v: UnsafePointer<Double>, product: UnsafeMutablePointer<Double>) -> Double {
        forward(theta, inputs, count)
        let value = lossValue(targets, count)
        backward(theta, inputs, targets, count, nil)
        rForward(theta, inputs, count, v)
        rBackward(theta, inputs, targets, count, v, product)
        return value
    }

    // MARK: passes

    @inline(__always) func input(_ l: Int, _ x: UnsafePointer<Double>) -> UnsafePointer<Double> {
        l == 1 ? x : UnsafePointer(a[l - 2])
    }

    func forward(_ theta: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ count: Int) {
        precondition(count >= 1 && count <= capacity)
        let d = architecture.depth
        for l in 1...d {
            let n = Int32(sizes[l]), m = Int32(sizes[l - 1])
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), n, m, scales[l - 1],
                        input(l, x), m, theta + offsets[l - 1], m, 0, z[l - 1], n)
            if l < d { activate(z[l - 1], a[l - 1], count * sizes[l]) }
        }
    }

    @inline(__always) func activate(_ zl: UnsafeMutablePointer<Double>, _ al: UnsafeMutablePointer<Double>, _ n: Int) {
        architecture.activation.apply(zl, al, n)
    }
    @inline(__always) func slope(_ zi: Double) -> Double { architecture.activation.slope(zi) }
    @inline(__always) func curvature(_ zi: Double) -> Double { architecture.activation.curvature(zi) }

    func lossValue(_ y: UnsafePointer<Double>, _ count: Int) -> Double {
        lossFunction.value(z[architecture.depth - 1], y, count: count, k: sizes[architecture.depth])
    }

    /// Fills G_l and Gp_l; writes ∇L into `gradient` when given.
    func backward(_ theta: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ count: Int,
                  _ gradient: UnsafeMutablePointer<Double>?) {
        let d = architecture.depth, k = sizes[d]
        lossFunction.gradient(z[d - 1], y, count: count, k: k, into: g[d - 1])
        for l in stride(from: d, through: 1, by: -1) {
            let n = Int32(sizes[l]), m = Int32(sizes[l - 1]), s = scales[l - 1]
            if let gradient {
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, m, Int32(count), s,
                            g[l - 1], n, input(l, x), m, 0, gradient + offsets[l - 1], m)
            }
            if l > 1 {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(count), m, n, s,
                            g[l - 1], n, theta + offsets[l - 1], m, 0, gp[l - 2], m)
                let zl = z[l - 2], gl = g[l - 2], gpl = gp[l - 2]
                for i in 0..<(count * sizes[l - 1]) { gl[i] = gpl[i] * slope(zl[i]) }
            }
        }
    }

    /// R{Z_l} = s_l (R{A_{l−1}} W_lᵀ + A_{l−1} V_lᵀ), R{A_l} = φ'(Z_l) R{Z_l}.
    func rForward(_ theta: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ count: Int, _ v: UnsafePointer<Double>) {
        let d = architecture.depth
        for l in 1...d {
            let n = Int32(sizes[l]), m = Int32(sizes[l - 1]), s = scales[l - 1]
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), n, m, s,
                        input(l, x), m, v + offsets[l - 1], m, 0, rz[l - 1], n)
            if l > 1 {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), n, m, s,
                            ra[l - 2], m, theta + offsets[l - 1], m, 1, rz[l - 1], n)
            }
            if l < d {
                let zl = z[l - 1], rzl = rz[l - 1], ral = ra[l - 1]
                for i in 0..<(count * sizes[l]) { ral[i] = slope(zl[i]) * rzl[i] }
            }
        }
    }

    /// R{G_d} = (∂²L/∂f²) R{f} (R{f}/(BK) for the MSE); R{∇W_l} = s_l (R{G_l}ᵀ A_{l−1} + G_lᵀ R{A_{l−1}});
    /// R{Gp_{l−1}} = s_l (R{G_l} W_l + G_l V_l); R{G_{l−1}} = φ' R{Gp} + φ'' Gp R{Z_{l−1}}.
    func rBackward(_ theta: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ count: Int, _ v: UnsafePointer<Double>,
                   _ product: UnsafeMutablePointer<Double>) {
        let d = architecture.depth, k = sizes[d]
        lossFunction.gradientDirectionalDerivative(z[d - 1], y, rz[d - 1], count: count, k: k, into: rg[d - 1], scratch: scratch)
        for l in stride(from: d, through: 1, by: -1) {
            let n = Int32(sizes[l]), m = Int32(sizes[l - 1]), s = scales[l - 1]
            let out = product + offsets[l - 1]
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, m, Int32(count), s,
                        rg[l - 1], n, input(l, x), m, 0, out, m)
            if l > 1 {
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, m, Int32(count), s,
                            g[l - 1], n, ra[l - 2], m, 1, out, m)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(count), m, n, s,
                            rg[l - 1], n, theta + offsets[l - 1], m, 0, rgp[l - 2], m)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(count), m, n, s,
                            g[l - 1], n, v + offsets[l - 1], m, 1, rgp[l - 2], m)
                let zl = z[l - 2], rzl = rz[l - 2], gpl = gp[l - 2], rgpl = rgp[l - 2], rgl = rg[l - 2]
                if architecture.activation == .tanh {
                    for i in 0..<(count * sizes[l - 1]) {
                        rgl[i] = slope(zl[i]) * rgpl[i] + curvature(zl[i]) * gpl[i] * rzl[i]
                    }
                } else {
                    for i in 0..<(count * sizes[l - 1]) { rgl[i] = slope(zl[i]) * rgpl[i] }
                }
            }
        }
    }
}
