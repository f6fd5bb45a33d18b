import Foundation
import PropertyBased
import Testing
import ApproxRates

/// The grokking toy: the model's gradients, AdamW, tanh, the representation quality index, the
/// phase rule, the parallelogram system and the effective theory (`dynamics grokking`,
/// docs/dynamics-grokking.md).
@Suite struct GrokkingTests {
    /// The loss of `model` at its current state on `batch` (nil: all training rows), with the
    /// gradient left in the model's buffers.
    static func loss(_ model: GrokkingModel, batch: [Int]?) -> Double {
        model.forward()
        if let batch { return batch.withUnsafeBufferPointer { model.backward(batch: $0) } }
        return model.backward(batch: nil)
    }

    /// ∂L/∂E and ∂L/∂θ (weights and biases of all three layers) against central differences
    /// (h = 1e-6): agreement to 1e-6 relative to the largest gradient entry, for MSE and CE, full
    /// batch and a minibatch, 1-D and 2-D embeddings.
    @Test(arguments: [GrokkingLoss.mse, .ce], [1, 2])
    func gradientsMatchCentralDifferences(loss kind: GrokkingLoss, dimension: Int) {
        let task = AdditionTask(p: 6, trainCount: 15, seed: 3)
        let model = GrokkingModel(task: task, embeddingDimension: dimension, width: 9, outputs: 5, loss: kind, seed: 7, decoderScale: 2)
        for batch in [nil, [0, 3, 4, 9, 14]] as [[Int]?] {
            _ = GrokkingTests.loss(model, batch: batch)
            let pe = task.p * dimension
            let ge = Array(UnsafeBufferPointer(start: model.embeddingGradient, count: pe))
            let gt = Array(UnsafeBufferPointer(start: model.parameterGradient, count: model.parameterCount))
            let scale = (ge + gt).map(abs).max()!
            #expect(scale > 1e-3)
            let h = 1e-6
            func difference(_ pointer: UnsafeMutablePointer<Double>, _ i: Int) -> Double {
                let saved = pointer[i]
                pointer[i] = saved + h; let up = GrokkingTests.loss(model, batch: batch)
                pointer[i] = saved - h; let down = GrokkingTests.loss(model, batch: batch)
                pointer[i] = saved
                return (up - down) / (2 * h)
            }
            for i in 0..<pe {
                let fd = difference(model.embeddings, i)
                #expect(abs(fd - ge[i]) <= 1e-6 * scale, "\(kind) e=\(dimension) batch \(batch?.count ?? 0): ∂E[\(i)] \(ge[i]) vs \(fd)")
            }
            // Every parameter of the small decoder (weights and biases of all three layers).
            for i in 0..<model.parameterCount {
                let fd = difference(model.parameters, i)
                #expect(abs(fd - gt[i]) <= 1e-6 * scale, "\(kind) e=\(dimension) batch \(batch?.count ?? 0): ∂θ[\(i)] \(gt[i]) vs \(fd)")
            }
        }
    }

    /// AdamW against PyTorch's formula written out (decay first, then the bias-corrected Adam step)
    /// over 20 steps of random gradients, with and without weight decay.
    @Test(arguments: [0.0, 7.5])
    func adamWFollowsPyTorch(weightDecay: Double) {
        let n = 37, lr = 3e-3
        var rng = SplitMix64(seed: 11)
        var gauss = GaussianSampler()
        var theta = (0..<n).map { _ in gauss.next(using: &rng) }
        var reference = theta, m = [Double](repeating: 0, count: n), v = m
        let optimiser = AdamW(count: n, learningRate: lr, weightDecay: weightDecay)
        for step in 1...20 {
            let g = (0..<n).map { _ in gauss.next(using: &rng) * (step % 3 == 0 ? 1e-4 : 1) }
            g.withUnsafeBufferPointer { optimiser.step(&theta, gradient: $0.baseAddress!) }
            let bc1 = 1 - Foundation.pow(0.9, Double(step)), bc2 = 1 - Foundation.pow(0.999, Double(step))
            for i in 0..<n {
                reference[i] *= 1 - lr * weightDecay
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                reference[i] -= lr / bc1 * m[i] / (v[i].squareRoot() / bc2.squareRoot() + 1e-8)
            }
        }
        for i in 0..<n { #expect(abs(theta[i] - reference[i]) <= 1e-13 * max(1, abs(reference[i])), "θ[\(i)]: \(theta[i]) vs \(reference[i])") }
    }

    /// The training engines' tanh is within 4 ulps of libm's on 10⁶ points across the line (both
    /// branches and the switch at 0.625), exact at 0, ±1 beyond 20, NaN for NaN.
    @Test func fastTanhIsWithinFourUlps() {
        var rng = SplitMix64(seed: 5)
        var worst = 0.0
        let count = 1_000_000
        var xs = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let u = Double(rng.next() >> 11) / 9007199254740992.0
            switch i % 4 {
            case 0: xs[i] = (u - 0.5) * 50
            case 1: xs[i] = (u - 0.5) * 2.5
            case 2: xs[i] = 0.625 + (u - 0.5) * 1e-6
            default: xs[i] = Foundation.pow(10, -12 + 12 * u) * (i % 8 == 3 ? -1 : 1)
            }
        }
        var ys = xs
        ys.withUnsafeMutableBufferPointer { FastTanh.apply($0.baseAddress!, count: count) }
        for i in 0..<count {
            let exact = Foundation.tanh(xs[i])
            worst = max(worst, abs(ys[i] - exact) / exact.ulp)
            #expect(ys[i] == FastTanh.value(xs[i]))
        }
        #expect(worst <= 4, "worst error \(worst) ulps")
        #expect(FastTanh.value(0) == 0 && FastTanh.value(25) == 1 && FastTanh.value(-1e300) == -1 && FastTanh.value(.infinity) == 1)
        #expect(FastTanh.value(.nan).isNaN)
    }

    /// RQI: any arithmetic progression E_k = a + k·b (in 1, 2 or 5 dimensions, any nonzero b) gives
    /// 1, and so does any affine image of it; random Gaussian embeddings give about 0; a collapsed
    /// embedding gives 0.
    @Test func rqiOnHandMadeEmbeddings() async {
        await propertyCheck(count: 200, input: Gen.int(in: 1...1_000_000), Gen.int(in: 0...2)) { seed, which in
            let dimension = [1, 2, 5][which]
            var rng = SplitMix64(seed: UInt64(seed))
            var gauss = GaussianSampler()
            let a = (0..<dimension).map { _ in gauss.next(using: &rng) * 10 }
            let b = (0..<dimension).map { _ in gauss.next(using: &rng) }
            let lattice = (0..<10).flatMap { k in (0..<dimension).map { a[$0] + Double(k) * b[$0] } }
            let quality = RepresentationQuality(p: 10, dimension: dimension)
            #expect(quality.index(lattice) == 1, "seed \(seed), e = \(dimension)")
            let task = AdditionTask(p: 10, trainCount: 30, seed: UInt64(seed))
            #expect(quality.predictedTestAccuracy(lattice, task: task) == ParallelogramSystem.answerableShare(task), "seed \(seed)")
        }
        var rng = SplitMix64(seed: 9)
        var gauss = GaussianSampler()
        let quality = RepresentationQuality(p: 10, dimension: 1)
        let random = (0..<500).map { _ in quality.index((0..<10).map { _ in gauss.next(using: &rng) }) }
        let mean = random.reduce(0, +) / 500
        #expect(mean < 0.1, "mean RQI of random embeddings \(mean)")
        #expect(quality.index([Double](repeating: 3, count: 10)) == 0)
        #expect(AdditionTask.idealParallelograms(p: 10).count == quality.parallelograms.count && !quality.parallelograms.isEmpty)
    }

    /// The phase rule on synthetic accuracy curves: each of the five phases, and the lag boundary
    /// (exactly `lag` steps is comprehension, one more is grokking, as in the authors' notebooks).
    @Test func phaseRuleOnSyntheticCurves() {
        func curve(_ n: Int, reachAt: Int?) -> [Double] { (0..<n).map { reachAt != nil && $0 >= reachAt! ? 0.95 : Double($0) / Double(2 * n) } }
        func phase(train: Int?, validation: Int?) -> GrokkingPhase {
            let t = GrokkingPhase.firstReaching(curve(10_000, reachAt: train), threshold: 0.9)
            let v = GrokkingPhase.firstReaching(curve(10_000, reachAt: validation), threshold: 0.9)
            #expect(t == train && v == validation)
            return GrokkingPhase.of(trainStep: t, validationStep: v, lag: 1000)
        }
        #expect(phase(train: 500, validation: 900) == .comprehension)
        #expect(phase(train: 900, validation: 500) == .comprehension)
        #expect(phase(train: 500, validation: 1500) == .comprehension)
        #expect(phase(train: 500, validation: 1501) == .grokking)
        #expect(phase(train: 500, validation: 9000) == .grokking)
        #expect(phase(train: 500, validation: nil) == .memorization)
        #expect(phase(train: nil, validation: nil) == .confusion)
        #expect(phase(train: nil, validation: 4000) == .slow)
        #expect(GrokkingPhase.firstReaching([0.2, 0.9, 0.1, 1], threshold: 0.9) == 1)
    }

    /// The exact rank of the parallelogram system equals the rank by float64 elimination on random
    /// small integer matrices; membership of a row in the span through the stored elimination
    /// stages equals the rank test; every training set has nullity ≥ 2; 54 of 55 examples give 2.
    @Test func parallelogramRankIsExact() async {
        func floatingRank(_ rows: [[Int]], _ n: Int) -> Int {
            var a = rows.map { $0.map(Double.init) }
            var r = 0
            for c in 0..<n where r < a.count {
                guard let pivot = (r..<a.count).max(by: { abs(a[$0][c]) < abs(a[$1][c]) }), abs(a[pivot][c]) > 1e-9 else { continue }
                a.swapAt(r, pivot)
                for i in (r + 1)..<a.count { let f = a[i][c] / a[r][c]; for j in c..<n { a[i][j] -= f * a[r][j] } }
                r += 1
            }
            return r
        }
        await propertyCheck(count: 300, input: Gen.int(in: 1...1_000_000), Gen.int(in: 1...12), Gen.int(in: 1...9)) { seed, rows, columns in
            var rng = SplitMix64(seed: UInt64(seed))
            let m = (0..<rows).map { _ in (0..<columns).map { _ in Int(rng.next() % 5) - 2 } }
            #expect(ParallelogramSystem.rank(m, columns: columns) == floatingRank(m, columns), "seed \(seed): \(m)")
        }
        for n in [3, 10, 25, 44, 54] {
            for seed in 1...20 as ClosedRange<UInt64> {
                let s = ParallelogramSystem(task: AdditionTask(p: 10, trainCount: n, seed: seed))
                #expect(s.nullity >= 2)
                if n == 54 { #expect(s.nullity == 2) }
                // Membership through the stored stages equals the rank test on the augmented matrix.
                for (k, l) in s.task.examplePairsWithEqualSums.prefix(40) {
                    let row = s.task.equation(k, l)
                    #expect(s.implies(row) == (ParallelogramSystem.rank(s.rows + [row], columns: 10) == s.rank), "n \(n) seed \(seed) (\(k), \(l))")
                }
                if s.nullity == 2 { #expect(EffectiveTheory(task: s.task).lambda3 > 1e-9) } else { #expect(EffectiveTheory(task: s.task).lambda3 < 1e-9) }
            }
        }
        let task = AdditionTask(p: 10, trainCount: 54, seed: 1)
        #expect(ParallelogramSystem(task: AdditionTask(p: 10, trainCount: 54, seed: 1)).idealTestAccuracy == ParallelogramSystem.answerableShare(task))
    }

    /// The closed form of the effective flow against the released code's Euler steps
    /// E ← E − η∇ℓ_eff (small η): the standardised embeddings agree, and Z₀ is conserved (to 1 %:
    /// Euler adds η²‖∇ℓ‖² per step).
    @Test(arguments: [EffectiveTheory.Variant.training, .all])
    func effectiveFlowClosedFormMatchesEuler(variant: EffectiveTheory.Variant) {
        let task = AdditionTask(p: 10, trainCount: 40, seed: 4)
        let theory = EffectiveTheory(task: task, variant: variant)
        let pairs = variant == .training ? task.trainingParallelograms : task.examplePairsWithEqualSums
        let norm = variant == .training ? 1 / Double(pairs.count) : 1
        var rng = SplitMix64(seed: 2)
        var e = (0..<10).map { _ in Double(rng.next() >> 11) / 9007199254740992.0 - 0.5 }
        let mean0 = e.reduce(0, +) / 10
        e = e.map { $0 - mean0 }
        let e0 = e
        let z0 = e.map { $0 * $0 }.reduce(0, +)
        // The released code's variant sums all 70 parallelograms without 1/|P|: stiffer, smaller steps.
        let eta = variant == .training ? 1e-3 : 2e-5, steps = variant == .training ? 4000 : 20000
        for _ in 0..<steps {
            var grad = [Double](repeating: 0, count: 10)
            var l0 = 0.0
            for (k, l) in pairs {
                let row = task.equation(k, l)
                var r = 0.0
                for i in 0..<10 { r += Double(row[i]) * e[i] }
                l0 += r * r * norm
                for i in 0..<10 { grad[i] += 2 * r * Double(row[i]) * norm }
            }
            let z = e.map { $0 * $0 }.reduce(0, +)
            for i in 0..<10 { e[i] -= eta * (grad[i] / z - 2 * l0 / (z * z) * e[i]) }
        }
        let closed = theory.evolve(e0, dimension: 1, time: eta * Double(steps))
        func standardised(_ v: [Double]) -> [Double] {
            let m = v.reduce(0, +) / Double(v.count)
            let sd = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
            return v.map { ($0 - m) / sd }
        }
        let a = standardised(e), b = standardised(closed)
        for i in 0..<10 { #expect(abs(a[i] - b[i]) < 2e-3, "\(variant) E[\(i)]: Euler \(a[i]), closed form \(b[i])") }
        #expect(abs(e.map { $0 * $0 }.reduce(0, +) - z0) < 1e-2 * z0)
    }

    /// The diagram's split: one training set for every run, the first seed whose ideal validation
    /// accuracy is 1 (and every earlier seed's is below 1); per-seed splits differ between seeds.
    @Test func splitChoice() {
        var settings = GrokkingSettings()
        settings.split = .firstIdeal
        let tasks = (1...3 as ClosedRange<UInt64>).map { GrokkingRunSpec(settings: settings, learningRate: 1e-4, weightDecay: 0, fraction: 0.8, seed: $0).task }
        #expect(tasks[0] == tasks[1] && tasks[1] == tasks[2])
        #expect(ParallelogramSystem(task: tasks[0]).idealTestAccuracy == 1)
        for s in 1..<tasks[0].seed { #expect(ParallelogramSystem(task: AdditionTask(p: 10, trainCount: 44, seed: s)).idealTestAccuracy < 1) }
        settings.split = .perSeed
        let own = (1...3 as ClosedRange<UInt64>).map { GrokkingRunSpec(settings: settings, learningRate: 1e-4, weightDecay: 0, fraction: 0.8, seed: $0).task }
        #expect(own[0] != own[1] && own.map(\.seed) == [1, 2, 3])
        settings.split = .fixed(7)
        #expect(GrokkingRunSpec(settings: settings, learningRate: 1e-4, weightDecay: 0, fraction: 0.8, seed: 2).task.seed == 7)
    }

    /// P(nullity = 2) is 0 for tiny training sets and 1 for nearly full ones; the crossing of ½ is
    /// interpolated between the sizes around it.
    @Test func criticalFractionCurve() {
        let c = CriticalFraction(p: 10, trainCounts: [3, 6, 50, 54], samples: 200)
        #expect(c.points[0].probability == 0 && c.points[1].probability == 0)
        #expect(c.points[3].probability == 1)
        let r = c.critical!
        #expect(r > 6.0 / 55 && r <= 50.0 / 55)
        #expect(CriticalFraction.crossing([(0.1, 0), (0.3, 0.25), (0.5, 0.75), (0.7, 1)]) == 0.4)
        #expect(CriticalFraction.crossing([(0.1, 0), (0.3, 0.25)]) == nil)
    }

    /// A run stopped once both accuracies have reached the threshold has the same threshold steps
    /// and phase as the full-budget run (the thresholds are first-passage events), and the random
    /// split, initialisation and minibatches depend on the seed alone.
    @Test func stoppingOnceDecidedKeepsThePhase() {
        var settings = GrokkingSettings()
        settings.width = 40; settings.steps = 2500; settings.logEvery = 50; settings.split = .firstIdeal
        let spec = GrokkingRunSpec(settings: settings, learningRate: 3e-4, weightDecay: 1, fraction: 45.0 / 55, seed: 1)
        let full = GrokkingTraining.run(spec)
        var stopping = spec
        stopping.settings.stopWhenDecided = true
        let early = GrokkingTraining.run(stopping)
        #expect(full.trainStep != nil && full.validationStep != nil, "pick a setting whose run reaches both: \(full.phase)")
        #expect(early.trainStep == full.trainStep && early.validationStep == full.validationStep && early.phase == full.phase)
        #expect(early.stepsTaken < full.stepsTaken)
        var minibatch = spec
        minibatch.settings.batch = 16
        let again = GrokkingTraining.run(minibatch), twice = GrokkingTraining.run(minibatch)
        #expect(again.rqi == twice.rqi && again.trainAccuracy == twice.trainAccuracy && again.validationLoss == twice.validationLoss)
        #expect(again.trainLoss != full.trainLoss)
    }
}
