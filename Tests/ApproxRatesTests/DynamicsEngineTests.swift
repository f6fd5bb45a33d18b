import Foundation
import PropertyBased
import Testing
import ApproxRates

/// A hyper-dual number a + b₁ε₁ + b₂ε₂ + b₁₂ε₁ε₂ (ε₁² = ε₂² = 0): evaluating a function at
/// θ + ε₁eᵢ + ε₂eⱼ gives ∂²/∂θᵢ∂θⱼ in b₁₂ with no truncation error — an explicit Hessian that
/// shares no code with the engine's R-operator.
struct HyperDual {
    var a: Double, b1: Double = 0, b2: Double = 0, b12: Double = 0
    static func + (x: HyperDual, y: HyperDual) -> HyperDual { HyperDual(a: x.a + y.a, b1: x.b1 + y.b1, b2: x.b2 + y.b2, b12: x.b12 + y.b12) }
    static func - (x: HyperDual, y: HyperDual) -> HyperDual { HyperDual(a: x.a - y.a, b1: x.b1 - y.b1, b2: x.b2 - y.b2, b12: x.b12 - y.b12) }
    static func * (x: HyperDual, y: HyperDual) -> HyperDual {
        HyperDual(a: x.a * y.a, b1: x.a * y.b1 + x.b1 * y.a, b2: x.a * y.b2 + x.b2 * y.a,
                  b12: x.a * y.b12 + x.b12 * y.a + x.b1 * y.b2 + x.b2 * y.b1)
    }
    static func * (s: Double, x: HyperDual) -> HyperDual { HyperDual(a: s * x.a, b1: s * x.b1, b2: s * x.b2, b12: s * x.b12) }
    /// φ applied with its first two derivatives.
    func apply(_ f: Double, _ d1: Double, _ d2: Double) -> HyperDual {
        HyperDual(a: f, b1: d1 * b1, b2: d1 * b2, b12: d1 * b12 + d2 * b1 * b2)
    }
}

/// The MSE loss of the architecture written out scalar by scalar, in hyper-dual numbers.
func hyperDualLoss(_ arch: MLPArchitecture, _ theta: [HyperDual], _ x: [Double], _ y: [Double], count: Int) -> HyperDual {
    let n = arch.sizes, o = arch.offsets, k = arch.outputs
    var total = HyperDual(a: 0)
    for b in 0..<count {
        var act = (0..<n[0]).map { HyperDual(a: x[b * n[0] + $0]) }
        for l in 1...arch.depth {
            var next: [HyperDual] = []
            for i in 0..<n[l] {
                var s = HyperDual(a: 0)
                for j in 0..<n[l - 1] { s = s + theta[o[l - 1] + i * n[l - 1] + j] * act[j] }
                s = arch.scale(layer: l) * s
                if l < arch.depth {
                    switch arch.activation {
                    case .relu: s = s.a > 0 ? s : HyperDual(a: 0)
                    case .tanh: let t = tanh(s.a); s = s.apply(t, 1 - t * t, -2 * t * (1 - t * t))
                    case .linear: break
                    }
                }
                next.append(s)
            }
            act = next
        }
        for i in 0..<k { let r = act[i] - HyperDual(a: y[b * k + i]); total = total + r * r }
    }
    return (1 / Double(2 * count * k)) * total
}

/// A tiny problem: architecture, θ at initialisation, inputs and targets.
func tinyProblem(seed: UInt64, activation: HiddenActivation, parameterisation: Parameterisation, depth: Int) -> (MLPArchitecture, [Double], [Double], [Double], Int) {
    var rng = SplitMix64(seed: seed)
    var gauss = GaussianSampler()
    let arch = MLPArchitecture(inputs: 3, width: 4, depth: depth, outputs: 2, activation: activation, parameterisation: parameterisation)
    let count = 5
    let x = (0..<(count * 3)).map { _ in gauss.next(using: &rng) }
    let y = (0..<(count * 2)).map { _ in gauss.next(using: &rng) }
    return (arch, arch.initialParameters(seed: seed &+ 1), x, y, count)
}

@Suite struct DynamicsEngineTests {
    /// Gradient and every Hessian column from the engine equal the hyper-dual ones; Lanczos on
    /// the engine's H·v finds the explicit Hessian's top eigenvalue (Jacobi) to 1e-8 relative.
    @Test func hessianVectorProductsMatchTheExplicitHessian() async {
        await propertyCheck(count: 12, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...5)) { seed, variant in
            let activation: HiddenActivation = [.relu, .tanh, .linear][variant % 3]
            let parameterisation: Parameterisation = variant < 3 ? .standard : .ntk
            checkAgainstHyperDual(seed: seed, activation: activation, parameterisation: parameterisation, depth: 2 + Int(seed % 3))
        }
    }

    func checkAgainstHyperDual(seed: UInt64, activation: HiddenActivation, parameterisation: Parameterisation, depth: Int) {
        let (arch, theta, x, y, count) = tinyProblem(seed: seed, activation: activation, parameterisation: parameterisation, depth: depth)
        let p = arch.parameterCount
        let engine = MLPEngine(architecture: arch, capacity: count)
        var gradient = [Double](repeating: 0, count: p)
        let loss = engine.lossAndGradient(theta, inputs: x, targets: y, count: count, gradient: &gradient)
        var explicit = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        let base = theta.map { HyperDual(a: $0) }
        let reference = hyperDualLoss(arch, base, x, y, count: count)
        #expect(Swift.abs(loss - reference.a) <= 1e-13 * Swift.max(1, reference.a), "seed \(seed)")
        for i in 0..<p {
            for j in i..<p {
                var t = base
                t[i].b1 = 1; t[j].b2 = 1
                let value = hyperDualLoss(arch, t, x, y, count: count)
                explicit[i][j] = value.b12; explicit[j][i] = value.b12
                if j == i { #expect(Swift.abs(value.b1 - gradient[i]) <= 1e-12 * Swift.max(1, Swift.abs(value.b1)), "gradient \(i), seed \(seed)") }
            }
        }
        let scale = explicit.flatMap { $0 }.map(Swift.abs).max() ?? 1
        var column = [Double](repeating: 0, count: p)
        for j in 0..<p {
            var e = [Double](repeating: 0, count: p); e[j] = 1
            engine.hessianVectorProduct(theta, inputs: x, targets: y, count: count, vector: e, product: &column)
            for i in 0..<p { #expect(Swift.abs(column[i] - explicit[i][j]) <= 1e-12 * scale, "H[\(i)][\(j)] seed \(seed) \(activation)") }
        }
        let top = SymmetricEigen(explicit).values[0]
        var rng = SplitMix64(seed: seed ^ 0xABCD)
        let start = (0..<p).map { _ in Double.random(in: -1...1, using: &rng) }
        let lanczos = Lanczos.top(dimension: p, start: start, maximumSteps: p, tolerance: 1e-13) { v, out in
            engine.hessianVectorProduct(theta, inputs: x, targets: y, count: count, vector: v, product: out)
        }
        #expect(Swift.abs(lanczos.value - top) <= 1e-8 * Swift.abs(top), "Lanczos \(lanczos.value) vs explicit \(top), seed \(seed) \(activation)")
        #expect(lanczos.residual < 1e-6)
    }

    /// Jacobi on a matrix with known spectrum: Q diag(λ) Qᵀ for a random orthogonal Q.
    @Test func jacobiRecoversAKnownSpectrum() {
        var rng = SplitMix64(seed: 3)
        let n = 7
        let lambdas = [5.0, 3, 2.5, 0, -1, -4, -9]
        // Q from Gram–Schmidt on random vectors.
        var q: [[Double]] = []
        while q.count < n {
            var v = (0..<n).map { _ in Double.random(in: -1...1, using: &rng) }
            for u in q { let c = zip(u, v).map(*).reduce(0, +); for i in 0..<n { v[i] -= c * u[i] } }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            q.append(v.map { $0 / norm })
        }
        let a = (0..<n).map { i in (0..<n).map { j in (0..<n).map { k in q[k][i] * lambdas[k] * q[k][j] }.reduce(0, +) } }
        let e = SymmetricEigen(a)
        for (got, want) in zip(e.values, lambdas) { #expect(Swift.abs(got - want) < 1e-12) }
    }

    /// Lanczos returns the most positive eigenvalue even when a negative one is larger in
    /// magnitude (where power iteration would return −9).
    @Test func lanczosFindsTheMostPositiveEigenvalueNotTheLargestMagnitude() {
        let diagonal = [2.0, 1, 0.5, -9, -3]
        let result = Lanczos.top(dimension: 5, start: [1, 1, 1, 1, 1], maximumSteps: 5, tolerance: 1e-14) { v, out in
            for i in 0..<5 { out[i] = diagonal[i] * v[i] }
        }
        #expect(Swift.abs(result.value - 2) < 1e-12)
        #expect(result.residual < 1e-10)
    }
}
