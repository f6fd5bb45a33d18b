import Foundation
import PropertyBased
import Testing
@testable import DynamicsModule
import ApproxRates

extension HyperDual {
    static func exp(_ x: HyperDual) -> HyperDual { let e = Foundation.exp(x.a); return x.apply(e, e, e) }
    static func log(_ x: HyperDual) -> HyperDual { x.apply(Foundation.log(x.a), 1 / x.a, -1 / (x.a * x.a)) }
}

/// The loss of one example's outputs, written out in hyper-dual numbers (no code shared with
/// ``TrainingLoss``): ½ Σ (f − y)² / K for the MSE (the caller divides by B), Σ y (log Σ e^f − f)
/// for the cross-entropy.
func hyperDualExampleLoss(_ f: [HyperDual], _ y: [Double], _ loss: TrainingLoss) -> HyperDual {
    switch loss {
    case .mse:
        var s = HyperDual(a: 0)
        for k in 0..<f.count { let r = f[k] - HyperDual(a: y[k]); s = s + r * r }
        return (1 / Double(2 * f.count)) * s
    case .xent:
        var z = HyperDual(a: 0)
        for k in 0..<f.count { z = z + HyperDual.exp(f[k]) }
        let logZ = HyperDual.log(z)
        var s = HyperDual(a: 0)
        for k in 0..<f.count where y[k] != 0 { s = s + y[k] * (logZ - f[k]) }
        return s
    }
}

/// The CNN's loss by direct convolution loops in hyper-dual numbers (no im2col, no BLAS).
func hyperDualConvLoss(_ arch: ConvNetArchitecture, _ theta: [HyperDual], _ x: [Double], _ y: [Double], count: Int,
                       loss: TrainingLoss) -> HyperDual {
    let o = arch.offsets, k = arch.outputs
    var total = HyperDual(a: 0)
    for b in 0..<count {
        var s = arch.side, c = arch.channels
        var map = (0..<(s * s * c)).map { HyperDual(a: x[b * arch.inputs + $0]) }
        for op in arch.operations {
            switch op {
            case .convolution(let index, _, let cin):
                var next = [HyperDual](repeating: HyperDual(a: 0), count: s * s * arch.width)
                for i in 0..<s { for j in 0..<s { for out in 0..<arch.width {
                    var sum = HyperDual(a: 0)
                    for ky in 0..<3 { for kx in 0..<3 {
                        let ii = i + ky - 1, jj = j + kx - 1
                        guard ii >= 0 && ii < s && jj >= 0 && jj < s else { continue }
                        for ch in 0..<cin {
                            sum = sum + theta[o[index] + out * 9 * cin + (3 * ky + kx) * cin + ch] * map[(ii * s + jj) * cin + ch]
                        }
                    } }
                    switch arch.activation {
                    case .relu: sum = sum.a > 0 ? sum : HyperDual(a: 0)
                    case .tanh: let t = tanh(sum.a); sum = sum.apply(t, 1 - t * t, -2 * t * (1 - t * t))
                    case .linear: break
                    }
                    next[(i * s + j) * arch.width + out] = sum
                } } }
                map = next; c = arch.width
            case .pool:
                let h = s / 2
                var next = [HyperDual](repeating: HyperDual(a: 0), count: h * h * c)
                for i in 0..<h { for j in 0..<h { for ch in 0..<c {
                    next[(i * h + j) * c + ch] = 0.25 * (map[((2 * i) * s + 2 * j) * c + ch] + map[((2 * i) * s + 2 * j + 1) * c + ch]
                                                         + map[((2 * i + 1) * s + 2 * j) * c + ch] + map[((2 * i + 1) * s + 2 * j + 1) * c + ch])
                } } }
                map = next; s = h
            }
        }
        let head = o[arch.depth - 1]
        let f = (0..<k).map { out in
            (0..<arch.width).reduce(HyperDual(a: 0)) { $0 + theta[head + out * arch.width + $1] * map[$1] }
        }
        total = total + hyperDualExampleLoss(f, Array(y[(b * k)..<((b + 1) * k)]), loss)
    }
    return (1 / Double(count)) * total
}

/// The gradient and Hessian columns of `engine` against the explicit ones of `reference` (a
/// hyper-dual loss of θ), to 1e-12 of the Hessian's largest entry, and Lanczos against Jacobi.
func checkEngineAgainstHyperDual(_ engine: any TrainingEngine, parameters p: Int, theta: [Double], x: [Double], y: [Double], count: Int,
                                 label: String, reference: ([HyperDual]) -> HyperDual) {
    var gradient = [Double](repeating: 0, count: p)
    let value = engine.lossAndGradient(theta, inputs: x, targets: y, count: count, gradient: &gradient)
    let base = theta.map { HyperDual(a: $0) }
    let at = reference(base)
    #expect(Swift.abs(value - at.a) <= 1e-13 * Swift.max(1, Swift.abs(at.a)), "loss \(value) vs \(at.a), \(label)")
    #expect(Swift.abs(engine.loss(theta, inputs: x, targets: y, count: count) - at.a) <= 1e-13 * Swift.max(1, Swift.abs(at.a)), "loss only, \(label)")
    var explicit = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
    for i in 0..<p {
        for j in i..<p {
            var t = base
            t[i].b1 = 1; t[j].b2 = 1
            let h = reference(t)
            explicit[i][j] = h.b12; explicit[j][i] = h.b12
            if i == j { #expect(Swift.abs(h.b1 - gradient[i]) <= 1e-12 * Swift.max(1, Swift.abs(h.b1)), "gradient \(i), \(label)") }
        }
    }
    let scale = Swift.max(explicit.flatMap { $0 }.map(Swift.abs).max() ?? 1, 1e-300)
    var column = [Double](repeating: 0, count: p)
    var worst = 0.0
    for j in 0..<p {
        var e = [Double](repeating: 0, count: p); e[j] = 1
        engine.hessianVectorProduct(theta, inputs: x, targets: y, count: count, vector: e, product: &column)
        for i in 0..<p { worst = Swift.max(worst, Swift.abs(column[i] - explicit[i][j])) }
    }
    #expect(worst <= 1e-12 * scale, "largest Hessian entry error \(worst) of \(scale), \(label)")
    let top = SymmetricEigen(explicit).values[0]
    let lanczos = Lanczos.top(dimension: p, start: (0..<p).map { Double($0 % 7) - 3 }, maximumSteps: p, tolerance: 1e-13) { v, out in
        engine.hessianVectorProduct(theta, inputs: x, targets: y, count: count, vector: v, product: out)
    }
    #expect(Swift.abs(lanczos.value - top) <= 1e-8 * Swift.max(Swift.abs(top), 1e-300), "Lanczos \(lanczos.value) vs \(top), \(label)")
}

@Suite struct ConvNetEngineTests {
    /// The im2col CNN engine (chunked: 2 examples per chunk for 5 examples) gives the gradient
    /// and every Hessian column of the direct-loop hyper-dual CNN, for ReLU, tanh and linear,
    /// MSE and cross-entropy, one or two input channels, depth 2–4 on 4×4 images.
    @Test func convolutionalHessianVectorProductsMatchTheExplicitHessian() async {
        await propertyCheck(count: 8, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...11)) { seed, variant in
            let activation: HiddenActivation = [.relu, .tanh, .linear][variant % 3]
            let loss: TrainingLoss = variant % 2 == 0 ? .mse : .xent
            let depth = 2 + Int(seed % 3), channels = 1 + variant / 6
            let arch = ConvNetArchitecture(side: 4, channels: channels, width: 2, depth: depth, outputs: 3, activation: activation)
            var rng = SplitMix64(seed: seed)
            var gauss = GaussianSampler()
            let count = 5
            let x = (0..<(count * arch.inputs)).map { _ in gauss.next(using: &rng) }
            var y = [Double](repeating: 0, count: count * 3)
            for b in 0..<count { y[b * 3 + Int(rng.next() % 3)] = 1 }
            let theta = arch.initialParameters(seed: seed &+ 1)
            let engine = ConvNetEngine(architecture: arch, capacity: count, loss: loss, chunk: 2)
            checkEngineAgainstHyperDual(engine, parameters: arch.parameterCount, theta: theta, x: x, y: y, count: count,
                                        label: "seed \(seed) \(activation) \(loss) d=\(depth) c=\(channels)") { t in
                hyperDualConvLoss(arch, t, x, y, count: count, loss: loss)
            }
        }
    }

    /// The MLP engine under the cross-entropy loss against the hyper-dual MLP.
    @Test func crossEntropyHessianOfTheMLPMatchesTheExplicitHessian() async {
        await propertyCheck(count: 6, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...2)) { seed, variant in
            let activation: HiddenActivation = [.relu, .tanh, .linear][variant]
            let (arch, theta, x, y, count) = tinyProblem(seed: seed, activation: activation, parameterisation: .standard, depth: 2 + Int(seed % 2))
            var onehot = [Double](repeating: 0, count: y.count)
            for b in 0..<count { onehot[b * arch.outputs + (y[b * arch.outputs] > 0 ? 1 : 0)] = 1 }
            let engine = MLPEngine(architecture: arch, capacity: count, loss: .xent)
            checkEngineAgainstHyperDual(engine, parameters: arch.parameterCount, theta: theta, x: x, y: onehot, count: count,
                                        label: "seed \(seed) \(activation) xent") { t in
                hyperDualMLPLoss(arch, t, x, onehot, count: count, loss: .xent)
            }
        }
    }

    /// The pool and stage layout of the digits CNN: three pools, convolutions front-loaded, a
    /// 1×1 map before the head; the parameter count from the layout.
    @Test func myrtleLayoutOfTheDigitsNetwork() {
        let five = ConvNetArchitecture(width: 32, depth: 5, outputs: 10)
        #expect(five.operations == [.convolution(index: 0, side: 8, inputChannels: 1), .pool(side: 8),
                                    .convolution(index: 1, side: 4, inputChannels: 32), .convolution(index: 2, side: 4, inputChannels: 32),
                                    .pool(side: 4), .convolution(index: 3, side: 2, inputChannels: 32), .pool(side: 2)])
        #expect(five.parameterCount == 32 * 9 + 3 * 32 * 9 * 32 + 10 * 32)
        let two = ConvNetArchitecture(width: 8, depth: 2, outputs: 10)
        #expect(two.operations == [.convolution(index: 0, side: 8, inputChannels: 1), .pool(side: 8), .pool(side: 4), .pool(side: 2)])
        // The initial weights have the documented standard deviations (He for convolutions, LeCun for the head).
        let wide = ConvNetArchitecture(width: 64, depth: 3, outputs: 10)
        let theta = wide.initialParameters(seed: 9)
        let o = wide.offsets
        for l in 0..<3 {
            let part = theta[o[l]..<o[l + 1]]
            let sd = (part.map { $0 * $0 }.reduce(0, +) / Double(part.count)).squareRoot()
            #expect(Swift.abs(sd / wide.initialStandardDeviation(layer: l) - 1) < 0.1, "layer \(l): \(sd)")
        }
    }
}

/// ``hyperDualLoss`` with either loss (the MLP written scalar by scalar).
func hyperDualMLPLoss(_ arch: MLPArchitecture, _ theta: [HyperDual], _ x: [Double], _ y: [Double], count: Int, loss: TrainingLoss) -> HyperDual {
    let n = arch.sizes, o = arch.offsets, k = arch.outputs
    var total = HyperDual(a: 0)
    for b in 0..<count {
        var act = (0..<n[0]).map { HyperDual(a: x[b * n[0] + $0]) }
        for l in 1...arch.depth {
            act = (0..<n[l]).map { i in
                var s = HyperDual(a: 0)
                for j in 0..<n[l - 1] { s = s + theta[o[l - 1] + i * n[l - 1] + j] * act[j] }
                s = arch.scale(layer: l) * s
                guard l < arch.depth else { return s }
                switch arch.activation {
                case .relu: return s.a > 0 ? s : HyperDual(a: 0)
                case .tanh: let t = tanh(s.a); return s.apply(t, 1 - t * t, -2 * t * (1 - t * t))
                case .linear: return s
                }
            }
        }
        total = total + hyperDualExampleLoss(act, Array(y[(b * k)..<((b + 1) * k)]), loss)
    }
    return (1 / Double(count)) * total
}
