import CBLAS
import Foundation

/// Loss, gradient and exact Hessian-vector products of a ``ConvNetArchitecture`` under a
/// ``TrainingLoss``, in float64.
///
/// Each convolution is one matrix product through OpenBLAS after im2col: the 3×3 neighbourhoods
/// of a chunk of examples are laid out as the rows of a (chunk·s²) × 9C_in matrix, which the
/// C_out × 9C_in weights multiply. The backward pass multiplies by the transposes and folds the
/// rows back (col2im); the Hessian-vector product is Pearlmutter's R-operator, the directional
/// derivative of the forward and backward passes along v, as in ``MLPEngine``:
///
/// - R{Z} = im2col(R{X})·Wᵀ + im2col(X)·Vᵀ, R{X'} = φ'(Z)·R{Z}; pools and the head are linear;
/// - R{∇W} = R{G_Z}ᵀ·im2col(X) + G_Zᵀ·im2col(R{X}), with R{G_Z} = φ'(Z)·R{G} + φ''(Z)·G·R{Z}, and
///   R{G_X} = col2im(R{G_Z}·W + G_Z·V).
///
/// Examples are processed in chunks of at most ``chunk``, so memory does not grow with the batch;
/// gradients and products are summed over chunks with each chunk's share of the mean. All buffers
/// are allocated once; calls do not allocate. Not thread-safe: one engine per thread.
public final class ConvNetEngine: TrainingEngine {
    /// The network.
    public let architecture: ConvNetArchitecture
    /// The loss.
    public let lossFunction: TrainingLoss
    /// Examples per chunk.
    public let chunk: Int

    let ops: [ConvNetArchitecture.Operation]
    let offsets: [Int]
    /// Per map m = 0…ops.count (map 0 is the input): side and channels.
    let mapSide: [Int], mapChannels: [Int]
    // Per map m ≥ 1 (index m): value, ∂L/∂value, and their R{·}. Index 0 unused.
    let x: [UnsafeMutablePointer<Double>], gx: [UnsafeMutablePointer<Double>]
    let rx: [UnsafeMutablePointer<Double>], rgx: [UnsafeMutablePointer<Double>]
    // Per operation k (convolutions only; pools have empty buffers): im2col of the input and its
    // R, pre-activation Z and R{Z}, ∂L/∂Z and R{∂L/∂Z}.
    let cols: [UnsafeMutablePointer<Double>], rcols: [UnsafeMutablePointer<Double>]
    let z: [UnsafeMutablePointer<Double>], rz: [UnsafeMutablePointer<Double>]
    let gz: [UnsafeMutablePointer<Double>], rgz: [UnsafeMutablePointer<Double>]
    let gcols: UnsafeMutablePointer<Double>
    let f: UnsafeMutablePointer<Double>, gf: UnsafeMutablePointer<Double>
    let rf: UnsafeMutablePointer<Double>, rgf: UnsafeMutablePointer<Double>
    let scratch: UnsafeMutablePointer<Double>
    var allocations: [UnsafeMutablePointer<Double>] = []

    /// An engine for `architecture`; `capacity` caps the chunk (any batch size may be passed).
    public init(architecture: ConvNetArchitecture, capacity: Int, loss: TrainingLoss = .mse, chunk: Int = 128) {
        precondition(capacity >= 1 && chunk >= 1)
        self.architecture = architecture
        self.lossFunction = loss
        self.chunk = Swift.min(capacity, chunk)
        ops = architecture.operations
        offsets = architecture.offsets
        var sides = [architecture.side], chans = [architecture.channels]
        for op in ops {
            switch op {
            case .convolution: sides.append(sides.last!); chans.append(architecture.width)
            case .pool: sides.append(sides.last! / 2); chans.append(chans.last!)
            }
        }
        mapSide = sides; mapChannels = chans
        var owned: [UnsafeMutablePointer<Double>] = []
        func buffer(_ n: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, n))
            p.initialize(repeating: 0, count: Swift.max(1, n))
            owned.append(p)
            return p
        }
        let c = self.chunk
        let mapSizes = (0...ops.count).map { c * sides[$0] * sides[$0] * chans[$0] }
        x = mapSizes.map { buffer($0) }; gx = mapSizes.map { buffer($0) }
        rx = mapSizes.map { buffer($0) }; rgx = mapSizes.map { buffer($0) }
        var colSizes: [Int] = [], zSizes: [Int] = []
        for op in ops {
            if case .convolution(_, let s, let cin) = op {
                colSizes.append(c * s * s * 9 * cin); zSizes.append(c * s * s * architecture.width)
            } else { colSizes.append(0); zSizes.append(0) }
        }
        cols = colSizes.map { buffer($0) }; rcols = colSizes.map { buffer($0) }
        z = zSizes.map { buffer($0) }; rz = zSizes.map { buffer($0) }
        gz = zSizes.map { buffer($0) }; rgz = zSizes.map { buffer($0) }
        gcols = buffer(colSizes.max() ?? 1)
        let k = architecture.outputs
        f = buffer(c * k); gf = buffer(c * k); rf = buffer(c * k); rgf = buffer(c * k); scratch = buffer(k)
        allocations = owned
    }

    deinit { for p in allocations { p.deallocate() } }

    /// Network outputs f(x_b) into `outputs` (count × K).
    public func predict(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, count: Int, outputs: UnsafeMutablePointer<Double>) {
        let k = architecture.outputs, n0 = architecture.inputs
        chunks(count) { start, n in
            forward(theta, inputs + start * n0, n)
            (outputs + start * k).update(from: f, count: n * k)
        }
    }

    public func loss(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> Double {
        var value = 0.0
        chunks(count) { start, n in
            forward(theta, inputs + start * architecture.inputs, n)
            value += lossFunction.value(f, targets + start * architecture.outputs, count: n, k: architecture.outputs) * Double(n) / Double(count)
        }
        return value
    }

    @discardableResult
    public func lossAndGradient(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>,
                                count: Int, gradient: UnsafeMutablePointer<Double>) -> Double {
        gradient.update(repeating: 0, count: architecture.parameterCount)
        var value = 0.0
        chunks(count) { start, n in
            let y = targets + start * architecture.outputs
            forward(theta, inputs + start * architecture.inputs, n)
            value += lossFunction.value(f, y, count: n, k: architecture.outputs) * Double(n) / Double(count)
            backward(theta, y, n, share: Double(n) / Double(count), gradient: gradient)
        }
        return value
    }

    @discardableResult
    public func hessianVectorProduct(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>,
                                     count: Int, vector v: UnsafePointer<Double>, product: UnsafeMutablePointer<Double>) -> Double {
        product.update(repeating: 0, count: architecture.parameterCount)
        var value = 0.0
        chunks(count) { start, n in
            let y = targets + start * architecture.outputs
            let share = Double(n) / Double(count)
            forward(theta, inputs + start * architecture.inputs, n)
            value += lossFunction.value(f, y, count: n, k: architecture.outputs) * share
            backward(theta, y, n, share: share, gradient: nil)
            rForward(theta, v, n)
            rBackward(theta, v, y, n, share: share, product: product)
        }
        return value
    }

    @inline(__always) func chunks(_ count: Int, _ body: (Int, Int) -> Void) {
        precondition(count >= 1)
        var start = 0
        while start < count { let n = Swift.min(chunk, count - start); body(start, n); start += n }
    }

    // MARK: passes

    /// The value of map m (map 0 is the chunk's input).
    @inline(__always) func map(_ m: Int, _ input: UnsafePointer<Double>) -> UnsafePointer<Double> {
        m == 0 ? input : UnsafePointer(x[m])
    }

    var lastMap: Int { ops.count }

    func forward(_ theta: UnsafePointer<Double>, _ input: UnsafePointer<Double>, _ n: Int) {
        for (k, op) in ops.enumerated() {
            switch op {
            case .convolution(let index, let s, let cin):
                let rows = n * s * s, width = architecture.width
                ConvNetEngine.im2col(map(k, input), n, s, cin, cols[k])
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(width), Int32(9 * cin), 1,
                            cols[k], Int32(9 * cin), theta + offsets[index], Int32(9 * cin), 0, z[k], Int32(width))
                architecture.activation.apply(z[k], x[k + 1], rows * width)
            case .pool(let s):
                ConvNetEngine.pool(map(k, input), n, s, mapChannels[k], x[k + 1])
            }
        }
        let w = architecture.width, kOut = architecture.outputs
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(kOut), Int32(w), 1,
                    x[lastMap], Int32(w), theta + offsets[architecture.depth - 1], Int32(w), 0, f, Int32(kOut))
    }

    /// Fills every ∂L/∂X and ∂L/∂Z of the chunk (weighted by `share`); adds ∇L into `gradient` when given.
    func backward(_ theta: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int, share: Double,
                  gradient: UnsafeMutablePointer<Double>?) {
        let w = architecture.width, kOut = architecture.outputs
        lossFunction.gradient(f, y, count: n, k: kOut, into: gf)
        for i in 0..<(n * kOut) { gf[i] *= share }
        let head = theta + offsets[architecture.depth - 1]
        if let gradient {
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(kOut), Int32(w), Int32(n), 1,
                        gf, Int32(kOut), x[lastMap], Int32(w), 1, gradient + offsets[architecture.depth - 1], Int32(w))
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(w), Int32(kOut), 1,
                    gf, Int32(kOut), head, Int32(w), 0, gx[lastMap], Int32(w))
        for k in stride(from: ops.count - 1, through: 0, by: -1) {
            switch ops[k] {
            case .convolution(let index, let s, let cin):
                let rows = n * s * s
                let zk = z[k], gzk = gz[k], g = gx[k + 1]
                for i in 0..<(rows * w) { gzk[i] = g[i] * architecture.activation.slope(zk[i]) }
                if let gradient {
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(w), Int32(9 * cin), Int32(rows), 1,
                                gzk, Int32(w), cols[k], Int32(9 * cin), 1, gradient + offsets[index], Int32(9 * cin))
                }
                if k > 0 {
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(9 * cin), Int32(w), 1,
                                gzk, Int32(w), theta + offsets[index], Int32(9 * cin), 0, gcols, Int32(9 * cin))
                    ConvNetEngine.col2im(gcols, n, s, cin, gx[k])
                }
            case .pool(let s):
                if k > 0 { ConvNetEngine.unpool(gx[k + 1], n, s, mapChannels[k], gx[k]) }
            }
        }
    }

    /// R{·} of every map and pre-activation along v (the input does not move).
    func rForward(_ theta: UnsafePointer<Double>, _ v: UnsafePointer<Double>, _ n: Int) {
        for (k, op) in ops.enumerated() {
            switch op {
            case .convolution(let index, let s, let cin):
                let rows = n * s * s, w = architecture.width
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(w), Int32(9 * cin), 1,
                            cols[k], Int32(9 * cin), v + offsets[index], Int32(9 * cin), 0, rz[k], Int32(w))
                if k > 0 {
                    ConvNetEngine.im2col(rx[k], n, s, cin, rcols[k])
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(w), Int32(9 * cin), 1,
                                rcols[k], Int32(9 * cin), theta + offsets[index], Int32(9 * cin), 1, rz[k], Int32(w))
                }
                let zk = z[k], rzk = rz[k], out = rx[k + 1]
                for i in 0..<(rows * w) { out[i] = architecture.activation.slope(zk[i]) * rzk[i] }
            case .pool(let s):
                if k == 0 { rx[1].update(repeating: 0, count: n * (s / 2) * (s / 2) * mapChannels[0]) }
                else { ConvNetEngine.pool(rx[k], n, s, mapChannels[k], rx[k + 1]) }
            }
        }
        let w = architecture.width, kOut = architecture.outputs, h = offsets[architecture.depth - 1]
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(kOut), Int32(w), 1,
                    rx[lastMap], Int32(w), theta + h, Int32(w), 0, rf, Int32(kOut))
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(kOut), Int32(w), 1,
                    x[lastMap], Int32(w), v + h, Int32(w), 1, rf, Int32(kOut))
    }

    /// Adds H·v of the chunk (weighted by `share`) into `product`.
    func rBackward(_ theta: UnsafePointer<Double>, _ v: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int, share: Double,
                   product: UnsafeMutablePointer<Double>) {
        let w = architecture.width, kOut = architecture.outputs, h = offsets[architecture.depth - 1]
        lossFunction.gradientDirectionalDerivative(f, y, rf, count: n, k: kOut, into: rgf, scratch: scratch)
        for i in 0..<(n * kOut) { rgf[i] *= share }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(kOut), Int32(w), Int32(n), 1,
                    rgf, Int32(kOut), x[lastMap], Int32(w), 1, product + h, Int32(w))
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(kOut), Int32(w), Int32(n), 1,
                    gf, Int32(kOut), rx[lastMap], Int32(w), 1, product + h, Int32(w))
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(w), Int32(kOut), 1,
                    rgf, Int32(kOut), theta + h, Int32(w), 0, rgx[lastMap], Int32(w))
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(w), Int32(kOut), 1,
                    gf, Int32(kOut), v + h, Int32(w), 1, rgx[lastMap], Int32(w))
        for k in stride(from: ops.count - 1, through: 0, by: -1) {
            switch ops[k] {
            case .convolution(let index, let s, let cin):
                let rows = n * s * s
                let zk = z[k], rzk = rz[k], g = gx[k + 1], rg = rgx[k + 1], out = rgz[k]
                let activation = architecture.activation
                if activation == .tanh {
                    for i in 0..<(rows * w) { out[i] = activation.slope(zk[i]) * rg[i] + activation.curvature(zk[i]) * g[i] * rzk[i] }
                } else {
                    for i in 0..<(rows * w) { out[i] = activation.slope(zk[i]) * rg[i] }
                }
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(w), Int32(9 * cin), Int32(rows), 1,
                            out, Int32(w), cols[k], Int32(9 * cin), 1, product + offsets[index], Int32(9 * cin))
                if k > 0 {
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(w), Int32(9 * cin), Int32(rows), 1,
                                gz[k], Int32(w), rcols[k], Int32(9 * cin), 1, product + offsets[index], Int32(9 * cin))
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(9 * cin), Int32(w), 1,
                                out, Int32(w), theta + offsets[index], Int32(9 * cin), 0, gcols, Int32(9 * cin))
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(9 * cin), Int32(w), 1,
                                gz[k], Int32(w), v + offsets[index], Int32(9 * cin), 1, gcols, Int32(9 * cin))
                    ConvNetEngine.col2im(gcols, n, s, cin, rgx[k])
                }
            case .pool(let s):
                if k > 0 { ConvNetEngine.unpool(rgx[k + 1], n, s, mapChannels[k], rgx[k]) }
            }
        }
    }

    // MARK: layout kernels (NHWC)

    /// Calls `body` once per tap of the 3×3 "same" neighbourhoods of `n` maps of side `s` and `c`
    /// channels: the offset of the tap's `c` entries in the im2col matrix (row (b·s + i)·s + j,
    /// column block 3·k_y + k_x) and the offset of the pixel it reads, or nil outside the image.
    @inline(__always) static func taps(_ n: Int, _ s: Int, _ c: Int, _ body: (Int, Int?) -> Void) {
        for b in 0..<n {
            for i in 0..<s {
                for j in 0..<s {
                    let row = ((b * s + i) * s + j) * 9 * c
                    for ky in 0..<3 {
                        let ii = i + ky - 1
                        for kx in 0..<3 {
                            let jj = j + kx - 1
                            let inside = ii >= 0 && ii < s && jj >= 0 && jj < s
                            body(row + (3 * ky + kx) * c, inside ? ((b * s + ii) * s + jj) * c : nil)
                        }
                    }
                }
            }
        }
    }

    /// The 3×3 "same" neighbourhoods of `n` maps of side `s` and `c` channels as rows
    /// (n·s²) × 9c, column (3·k_y + k_x)·c + channel; zero outside the image.
    static func im2col(_ src: UnsafePointer<Double>, _ n: Int, _ s: Int, _ c: Int, _ dst: UnsafeMutablePointer<Double>) {
        taps(n, s, c) { column, pixel in
            if let pixel { (dst + column).update(from: src + pixel, count: c) } else { (dst + column).update(repeating: 0, count: c) }
        }
    }

    /// The adjoint of ``im2col``: each row's entries added back to the pixels they came from.
    static func col2im(_ src: UnsafePointer<Double>, _ n: Int, _ s: Int, _ c: Int, _ dst: UnsafeMutablePointer<Double>) {
        dst.update(repeating: 0, count: n * s * s * c)
        taps(n, s, c) { column, pixel in
            guard let pixel else { return }
            for ch in 0..<c { dst[pixel + ch] += src[column + ch] }
        }
    }

    /// Calls `body` once per 2×2 window of `n` maps of side `s` and `c` channels, with the offset
    /// of its pooled value (side s/2) and of its four pixels (top left, top right, bottom left,
    /// bottom right).
    @inline(__always) static func windows(_ n: Int, _ s: Int, _ c: Int, _ body: (Int, Int, Int, Int, Int) -> Void) {
        let h = s / 2
        for b in 0..<n {
            for i in 0..<h {
                for j in 0..<h {
                    let p00 = ((b * s + 2 * i) * s + 2 * j) * c
                    body(((b * h + i) * h + j) * c, p00, p00 + c, p00 + s * c, p00 + s * c + c)
                }
            }
        }
    }

    /// 2×2 average pool, stride 2: side s → s/2.
    static func pool(_ src: UnsafePointer<Double>, _ n: Int, _ s: Int, _ c: Int, _ dst: UnsafeMutablePointer<Double>) {
        windows(n, s, c) { q, a, b, d, e in
            for ch in 0..<c { dst[q + ch] = 0.25 * (src[a + ch] + src[b + ch] + src[d + ch] + src[e + ch]) }
        }
    }

    /// The adjoint of ``pool``: each pooled value's quarter to its four pixels.
    static func unpool(_ src: UnsafePointer<Double>, _ n: Int, _ s: Int, _ c: Int, _ dst: UnsafeMutablePointer<Double>) {
        windows(n, s, c) { q, a, b, d, e in
            for ch in 0..<c { let v = 0.25 * src[q + ch]; dst[a + ch] = v; dst[b + ch] = v; dst[d + ch] = v; dst[e + ch] = v }
        }
    }
}
