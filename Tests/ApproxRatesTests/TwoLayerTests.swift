import Foundation
import PropertyBased
import Testing
import ApproxRates

/// The two-layer ReLU engine, its scaling map and the phase-diagram summaries
/// (`dynamics two-layer`, docs/dynamics-two-layer.md).
@Suite struct TwoLayerTests {
    /// A random state of width m on `data`, with every pre-activation at least `gap` away from the
    /// ReLU kink (so central differences of step h < gap see one smooth piece).
    static func smoothState(_ data: TrainingData, width m: Int, seed: UInt64, gap: Double) -> (TwoLayerReLU, [Double]) {
        let engine = TwoLayerReLU(data: data, width: m)
        var rng = SplitMix64(seed: seed)
        var gauss = GaussianSampler()
        let p = data.inputDimension + 1
        while true {
            let theta = (0..<engine.parameterCount).map { _ in gauss.next(using: &rng) }
            var ok = true
            for i in 0..<data.count { for k in 0..<m {
                var h = theta[m + k * p + p - 1]
                for j in 0..<(p - 1) { h += theta[m + k * p + j] * data.inputs[i * (p - 1) + j] }
                if Swift.abs(h) < gap { ok = false }
            } }
            if ok { return (engine, theta) }
        }
    }

    /// ∇L of the engine against central differences (h = 1e-6) on the 1-D set and the teacher
    /// set, for three output factors α: agreement to 1e-6 relative to the gradient's largest entry.
    @Test(arguments: ["points4", "teacher"], [1.0, 0.37, 16.0])
    func gradientMatchesFiniteDifferences(data name: String, alpha: Double) {
        let data = RegressionSets.named(name)!
        let (engine, theta) = TwoLayerTests.smoothState(data, width: name == "teacher" ? 6 : 10, seed: 11, gap: name == "teacher" ? 1e-3 : 1e-2)
        var gradient = [Double](repeating: 0, count: engine.parameterCount)
        engine.loss(theta, alpha: alpha)
        engine.gradient(theta, alpha: alpha, into: &gradient)
        let h = 1e-6
        let scale = gradient.map(abs).max()!
        for i in 0..<engine.parameterCount {
            var plus = theta, minus = theta
            plus[i] += h; minus[i] -= h
            let fd = (engine.loss(plus, alpha: alpha) - engine.loss(minus, alpha: alpha)) / (2 * h)
            #expect(abs(fd - gradient[i]) <= 1e-6 * scale, "θ[\(i)]: backprop \(gradient[i]), central difference \(fd)")
        }
    }

    /// The top NTK eigenvalue (power iteration on the closed-form K) against K = J Jᵀ built from
    /// central differences of the outputs and diagonalised by Jacobi: 1e-6 relative.
    @Test(arguments: ["points4", "teacher"])
    func kernelEigenvalueMatchesTheJacobian(data name: String) {
        let data = RegressionSets.named(name)!
        let alpha = 3.0
        let (engine, theta) = TwoLayerTests.smoothState(data, width: 8, seed: 5, gap: 1e-3)
        engine.loss(theta, alpha: alpha)
        let lambda = engine.topKernelEigenvalue(theta, alpha: alpha)
        let h = 1e-6, n = data.count
        var jacobian = [[Double]](repeating: [], count: n)
        for i in 0..<engine.parameterCount {
            var plus = theta, minus = theta
            plus[i] += h; minus[i] -= h
            engine.loss(plus, alpha: alpha); let fp = engine.outputs
            engine.loss(minus, alpha: alpha); let fm = engine.outputs
            for r in 0..<n { jacobian[r].append((fp[r] - fm[r]) / (2 * h)) }
        }
        let kernel = (0..<n).map { a in (0..<n).map { b in zip(jacobian[a], jacobian[b]).reduce(0) { $0 + $1.0 * $1.1 } } }
        let exact = SymmetricEigen(kernel).values[0]
        #expect(abs(lambda - exact) <= 1e-6 * exact, "power iteration \(lambda), Jacobi on J Jᵀ \(exact)")
    }

    /// The antisymmetric start gives f ≡ 0 exactly (not up to rounding) at every training input,
    /// for widths that do and do not fill OpenBLAS's blocks, on both sets and for several seeds.
    @Test(arguments: [2, 6, 254, 1000, 4098])
    func antisymmetricStartIsExactlyZero(width: Int) {
        for name in ["points4", "points3", "teacher"] {
            let data = RegressionSets.named(name)!
            let engine = TwoLayerReLU(data: data, width: width)
            for seed: UInt64 in 1...3 {
                let scaling = TwoLayerScaling(gamma: 1.25, gammaPrime: -0.5, width: width)
                let theta = TwoLayerTraining.initialParameters(engine: engine, scaling: scaling, antisymmetric: true, seed: seed)
                let loss = engine.loss(theta, alpha: scaling.alpha)
                #expect(engine.outputs.allSatisfy { $0 == 0 }, "\(name) m=\(width) seed \(seed): f = \(engine.outputs)")
                let half = data.targets.reduce(0) { $0 + $1 * $1 } / (2 * Double(data.count))
                #expect(loss == half)
            }
        }
    }

    /// (γ, γ′, m, β₂) → (α, β₁, β₂) → (γ, γ′) round-trips, and (α, β₁, β₂) → (γ, γ′) → scales
    /// gives back α and β₁ (for the same β₂), to 1e-12 relative, over random exponents and widths.
    @Test func scalingMapRoundTrips() async {
        await propertyCheck(count: 300, input: Gen.int(in: -400...800), Gen.int(in: -400...400), Gen.int(in: 1...24), Gen.int(in: -30...30)) { g, gp, logWidth, logBeta in
            let gamma = Double(g) / 100, gammaPrime = Double(gp) / 100, width = 1 << (logWidth % 25 + 1)
            let beta2 = Foundation.pow(2, Double(logBeta) / 4)
            let s = TwoLayerScaling(gamma: gamma, gammaPrime: gammaPrime, width: width, beta2: beta2)
            #expect(abs(s.gamma(width: width) - gamma) <= 1e-12 * Swift.max(1, abs(gamma)), "γ \(gamma) → \(s) → \(s.gamma(width: width))")
            #expect(abs(s.gammaPrime(width: width) - gammaPrime) <= 1e-12 * Swift.max(1, abs(gammaPrime)))
            let back = TwoLayerScaling(gamma: s.gamma(width: width), gammaPrime: s.gammaPrime(width: width), width: width, beta2: s.beta2)
            #expect(abs(back.alpha / s.alpha - 1) <= 1e-11 && abs(back.beta1 / s.beta1 - 1) <= 1e-11, "\(s) → \(back)")
        }
    }

    /// The named parameterisations are placed where the team's notes put them, in the
    /// theorem's regimes: NTK (½, 0) linear, mean-field (1, 0) critical, standard (½, ½) linear.
    @Test func namedParameterisationsArePlaced() {
        let widths = [256, 1024, 4096]
        let expected: [(TwoLayerParameterisation, Double, Double, TwoLayerRegime)] = [
            (.ntk, 0.5, 0, .linear), (.meanField, 1, 0, .critical), (.standard, 0.5, 0.5, .linear)]
        for (named, g, gp, regime) in expected {
            for d in [1, 8] {
                let p = TwoLayerPlan.Point(named, widths: widths, inputDimension: d)
                #expect(abs(p.gamma - g) < 1e-12 && abs(p.gammaPrime - gp) < 1e-12, "\(named) d=\(d): (\(p.gamma), \(p.gammaPrime))")
                #expect(TwoLayerRegime.theory(gamma: p.gamma, gammaPrime: p.gammaPrime) == regime)
            }
        }
    }

    /// The theorem's regions and boundary, and the reading of a slope interval.
    @Test func regimesOfTheTheoremAndOfAnInterval() {
        #expect(TwoLayerRegime.theory(gamma: 0.75, gammaPrime: -0.5) == .linear)
        #expect(TwoLayerRegime.theory(gamma: 1, gammaPrime: -0.5) == .critical)
        #expect(TwoLayerRegime.theory(gamma: 1.25, gammaPrime: 0) == .condensed)
        #expect(TwoLayerRegime.theory(gamma: 1.25, gammaPrime: 0.5) == .linear)
        #expect(TwoLayerRegime.theory(gamma: 1.5, gammaPrime: 0.5) == .critical)
        #expect(TwoLayerRegime.theory(gamma: 1.75, gammaPrime: 0.5) == .condensed)
        #expect(TwoLayerRegime.theory(gamma: 0.9, gammaPrime: 3) == .linear)
        #expect(TwoLayerRegime.measured(low: -0.3, high: -0.06, band: 0.05) == .linear)
        #expect(TwoLayerRegime.measured(low: -0.3, high: -0.04, band: 0.05) == .critical)
        #expect(TwoLayerRegime.measured(low: 0.06, high: 0.3, band: 0.05) == .condensed)
        #expect(TwoLayerRegime.heuristicSlope(gamma: 0.75, gammaPrime: 0) == -0.25)
    }

    /// A summary of records with RD = C m^s exactly for every seed has slope s and interval [s, s];
    /// with seed scatter the interval contains the slope and widens.
    @Test func summarySlopeAndBootstrapInterval() {
        let plan = TwoLayerPlan(points: [.init(gamma: 1.25, gammaPrime: 0)], widths: [256, 1024, 4096], seeds: 3, data: "points4", dataHash: "x",
                                settings: TwoLayerTrainingSettings())
        func records(_ rd: (Int, UInt64) -> Double) -> [TwoLayerRecord] {
            plan.jobs.map { j in
                TwoLayerRecord(plan: plan.fingerprint, key: j.key, gamma: 1.25, gammaPrime: 0, parameterisation: nil, width: j.width, seed: j.seed,
                               scaling: TwoLayerScaling(alpha: 1, beta1: 1, beta2: 1),
                               run: TwoLayerRun(steps: 1, rejected: 0, increases: 0, converged: true, loss0: 1, loss: 0, sharpness0: 1, sharpness: 1,
                                                relativeDistance: rd(j.width, j.seed), relativeDistanceWeights: 0, relativeDistanceAll: 0),
                               seconds: 0)
            }
        }
        let exact = TwoLayerSummary(point: plan.points[0], records: records { m, _ in 2 * pow(Double(m), 0.2) }, widths: plan.widths, plan: plan)
        #expect(abs(exact.slope! - 0.2) < 1e-12 && abs(exact.slopeLow! - 0.2) < 1e-12 && abs(exact.slopeHigh! - 0.2) < 1e-12)
        #expect(exact.regime == .condensed && exact.theoryRegime == .condensed)
        // Runs of a wider earlier plan in the same journal (seeds 4 and 5) are left out.
        var wider = plan
        wider.seeds = 5
        let extra = wider.jobs.filter { $0.seed > 3 }.map { j in
            TwoLayerRecord(plan: plan.fingerprint, key: j.key, gamma: 1.25, gammaPrime: 0, parameterisation: nil, width: j.width, seed: j.seed,
                           scaling: TwoLayerScaling(alpha: 1, beta1: 1, beta2: 1),
                           run: TwoLayerRun(steps: 1, rejected: 0, increases: 0, converged: true, loss0: 1, loss: 0, sharpness0: 1, sharpness: 1,
                                            relativeDistance: 1e6 * Double(j.width), relativeDistanceWeights: 0, relativeDistanceAll: 0), seconds: 0)
        }
        let all = TwoLayerSummary.all(plan: plan, records: records { m, _ in 2 * pow(Double(m), 0.2) } + extra)[0]
        #expect(all.seeds == 3 && abs(all.slope! - 0.2) < 1e-12)
        let noisy = TwoLayerSummary(point: plan.points[0], records: records { m, s in pow(Double(m), 0.02) * (1 + 0.3 * Double(s)) }, widths: plan.widths, plan: plan)
        #expect(noisy.slopeLow! < noisy.slope! && noisy.slope! < noisy.slopeHigh!)
        #expect(noisy.regime == .critical, "\(noisy)")
    }

    /// The diagram's sign change on a small scale (m = 256, 1024; one seed): RD falls with m at
    /// (γ, γ′) = (0.5, 0) and grows at (1.5, 0), and every run reaches the tolerance.
    @Test func slopeChangesSignAcrossTheBoundary() {
        let data = RegressionSets.named("points4")!
        let plan = TwoLayerPlan(points: [.init(gamma: 0.5, gammaPrime: 0), .init(gamma: 1.5, gammaPrime: 0)], widths: [256, 1024], seeds: 1,
                                data: "points4", dataHash: TwoLayerPlan.hash(of: data), settings: TwoLayerTrainingSettings())
        let records = plan.jobs.map { TwoLayerJob.run($0, plan: plan, data: data).record }
        #expect(records.allSatisfy { $0.run.converged }, "\(records.map(\.run))")
        let s = TwoLayerSummary.all(plan: plan, records: records)
        #expect(s[0].slope! < -0.3 && s[1].slope! > 0.2, "slopes \(s.map(\.slope))")
    }

    /// CSV sets: header, rows, and the errors for ragged rows, non-numbers and huge values.
    @Test func csvSetsAreReadAndCheckedStrictly() throws {
        let set = try RegressionSets.csv("x1,x2,y\n0.5,1,2\n\n-1,0,3\n", source: "s.csv")
        #expect(set.count == 2 && set.inputDimension == 2 && set.targets == [2, 3] && set.inputs == [0.5, 1, -1, 0])
        for bad in ["1,2\n3\n", "1,nan\n", "1,2\n1,1e7\n", "", "x,y\n", "1\n"] {
            #expect(throws: FileError.self, "\(bad.debugDescription)") { try RegressionSets.csv(bad, source: "bad.csv") }
        }
    }
}
