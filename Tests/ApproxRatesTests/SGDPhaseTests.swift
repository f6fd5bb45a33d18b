import Foundation
import PropertyBased
import Testing
import ApproxRates

/// The soft-committee SGD experiments (`dynamics sgd`, docs/dynamics-sgd.md): the Gaussian
/// integrals, the Saad–Solla equations, the integrator, the sampler, the simulator, the scaling
/// and the map's reading.
@Suite struct SGDPhaseTests {
    /// A random covariance of `n` Gaussians: the Gram matrix of n random vectors in ℝ^(n+2),
    /// scaled by `scale`.
    static func covariance(_ n: Int, seed: UInt64, scale: Double = 1) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        let z = ZigguratNormal()
        let v = (0..<n).map { _ in (0..<(n + 2)).map { _ in z.next(using: &rng) / Double(n + 2).squareRoot() } }
        return (0..<n).map { i in (0..<n).map { j in scale * zip(v[i], v[j]).map(*).reduce(0, +) } }
    }

    /// Samples of N(0, C) via the Cholesky factor of C.
    static func sampler(_ c: [[Double]]) -> (inout SplitMix64) -> [Double] {
        let n = c.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0...i {
            var s = c[i][j]
            for t in 0..<j { s -= l[i][t] * l[j][t] }
            l[i][j] = i == j ? s.squareRoot() : s / l[j][j]
        } }
        let z = ZigguratNormal()
        return { rng in
            let e = (0..<n).map { _ in z.next(using: &rng) }
            return (0..<n).map { i in (0...i).map { l[i][$0] * e[$0] }.reduce(0, +) }
        }
    }

    /// The Monte Carlo means and standard errors of the four integrands over `n` samples of N(0, c),
    /// beside the closed forms, as (mean, standard error, exact) for I2, I3, I4, J2.
    static func monteCarlo(_ c: [[Double]], samples n: Int, seed: UInt64) -> [(mean: Double, se: Double, exact: Double)] {
        let draw = SGDPhaseTests.sampler(c)
        var rng = SplitMix64(seed: seed)
        let g = ErfIntegrals.g, gp = ErfIntegrals.gPrime
        var sums = [Double](repeating: 0, count: 4), squares = sums
        for _ in 0..<n {
            let u = draw(&rng)
            let values = [g(u[0]) * g(u[1]), gp(u[0]) * u[1] * g(u[2]), gp(u[0]) * gp(u[1]) * g(u[2]) * g(u[3]), gp(u[0]) * gp(u[1])]
            for i in 0..<4 { sums[i] += values[i]; squares[i] += values[i] * values[i] }
        }
        let exact = [ErfIntegrals.i2(c11: c[0][0], c12: c[0][1], c22: c[1][1]),
                     ErfIntegrals.i3(c11: c[0][0], c12: c[0][1], c13: c[0][2], c23: c[1][2], c33: c[2][2]),
                     ErfIntegrals.i4(c11: c[0][0], c12: c[0][1], c22: c[1][1], c13: c[0][2], c14: c[0][3], c23: c[1][2], c24: c[1][3],
                                     c33: c[2][2], c34: c[2][3], c44: c[3][3]),
                     ErfIntegrals.j2(c11: c[0][0], c12: c[0][1], c22: c[1][1])]
        return (0..<4).map { i in
            let mean = sums[i] / Double(n)
            return (mean, ((squares[i] / Double(n) - mean * mean) / Double(n)).squareRoot(), exact[i])
        }
    }

    /// I2, I3, I4 and J2 agree with Monte Carlo means on three random covariances within 4
    /// standard errors (2·10⁵ samples each, fixed seeds).
    @Test(arguments: [11, 12, 13] as [UInt64])
    func integralsMatchMonteCarlo(seed: UInt64) {
        let c = SGDPhaseTests.covariance(4, seed: seed, scale: 1.5)
        for (i, r) in SGDPhaseTests.monteCarlo(c, samples: 200_000, seed: seed &+ 1000).enumerated() {
            #expect(abs(r.mean - r.exact) < 4 * r.se, "integral \(i): Monte Carlo \(r.mean) ± \(r.se), closed form \(r.exact)")
        }
    }

    /// The same over random covariances (property test): 24 Gram matrices of random vectors with
    /// random scale 0.1…4, 3·10⁴ Monte Carlo samples each, every integral within 5 standard errors.
    @Test func integralsMatchMonteCarloOverRandomCovariances() async {
        await propertyCheck(count: 24, input: Gen.int(in: 1...1_000_000), Gen.int(in: 1...40)) { seed, scaleTenths in
            let c = SGDPhaseTests.covariance(4, seed: UInt64(seed), scale: Double(scaleTenths) / 10)
            for (i, r) in SGDPhaseTests.monteCarlo(c, samples: 30_000, seed: UInt64(seed) &* 7 &+ 3).enumerated() {
                #expect(abs(r.mean - r.exact) < 5 * r.se + 1e-12, "seed \(seed), scale \(scaleTenths)/10, integral \(i): Monte Carlo \(r.mean) ± \(r.se), closed form \(r.exact)")
            }
        }
    }

    /// Closed values: E[g(u)g(u)] for var 1 is (2/π) arcsin(½) = ⅓; J2 of independent unit
    /// variances is 1/π; I3 vanishes when u₂ is independent of u₁ and u₃; an arcsine argument
    /// pushed past 1 by rounding is clamped.
    @Test func integralsAtClosedValues() {
        #expect(abs(ErfIntegrals.i2(c11: 1, c12: 1, c22: 1) - 1.0 / 3) < 1e-15)
        #expect(abs(ErfIntegrals.j2(c11: 1, c12: 0, c22: 1) - 1 / Double.pi) < 1e-15)
        #expect(ErfIntegrals.i3(c11: 1, c12: 0, c13: 0.3, c23: 0, c33: 1) == 0)
        #expect(ErfIntegrals.clampedArcsin(1 + 1e-15) == Double.pi / 2)
        // I4 is symmetric under u₃ ↔ u₄ and under (u₁, u₃) ↔ (u₂, u₄) jointly.
        let c = SGDPhaseTests.covariance(4, seed: 21)
        let a = ErfIntegrals.i4(c11: c[0][0], c12: c[0][1], c22: c[1][1], c13: c[0][2], c14: c[0][3], c23: c[1][2], c24: c[1][3], c33: c[2][2], c34: c[2][3], c44: c[3][3])
        let b = ErfIntegrals.i4(c11: c[0][0], c12: c[0][1], c22: c[1][1], c13: c[0][3], c14: c[0][2], c23: c[1][3], c24: c[1][2], c33: c[3][3], c34: c[2][3], c44: c[2][2])
        let e = ErfIntegrals.i4(c11: c[1][1], c12: c[0][1], c22: c[0][0], c13: c[1][2], c14: c[1][3], c23: c[0][2], c24: c[0][3], c33: c[2][2], c34: c[2][3], c44: c[3][3])
        #expect(abs(a - b) < 1e-15 && abs(a - e) < 1e-15)
    }

    /// The equations' right-hand side (the arranged I4 sum, the mirrored triangle) equals a
    /// direct assembly from ErfIntegrals over every (j, l, a, b), on a random state, to 1e-12.
    @Test func equationsMatchDirectAssembly() {
        let p = 3, k = 2, n = p + k
        let c = SGDPhaseTests.covariance(n, seed: 5)
        let o = CommitteeOverlaps(p: p, k: k, q: (0..<p).flatMap { j in (0..<p).map { c[j][$0] } },
                                  m: (0..<p).flatMap { j in (0..<k).map { c[j][p + $0] } }, teacher: (0..<k).flatMap { r in (0..<k).map { c[p + r][p + $0] } })
        let eq = SaadSollaEquations(p: p, k: k, teacher: o.teacher, drift: 0.7, noise: 1.3, labelNoise: 0.01)
        let y = eq.state(o)
        var dy = [Double](repeating: 0, count: eq.dimension)
        y.withUnsafeBufferPointer { yb in dy.withUnsafeMutableBufferPointer { eq.derivative(yb.baseAddress!, $0.baseAddress!) } }
        let w = (0..<n).map { $0 < p ? -1 / Double(p) : 1 / Double(k) }
        func i3(_ a: Int, _ b: Int, _ e: Int) -> Double { ErfIntegrals.i3(c11: c[a][a], c12: c[a][b], c13: c[a][e], c23: c[b][e], c33: c[e][e]) }
        func i4(_ a: Int, _ b: Int, _ e: Int, _ f: Int) -> Double {
            ErfIntegrals.i4(c11: c[a][a], c12: c[a][b], c22: c[b][b], c13: c[a][e], c14: c[a][f], c23: c[b][e], c24: c[b][f], c33: c[e][e], c34: c[e][f], c44: c[f][f])
        }
        for j in 0..<p {
            for r in 0..<k {
                let direct = 0.7 * (0..<n).map { w[$0] * i3(j, p + r, $0) }.reduce(0, +)
                #expect(abs(dy[p * p + j * k + r] - direct) < 1e-12)
            }
            for l in 0..<p {
                var direct = 0.7 * (0..<n).map { w[$0] * (i3(j, l, $0) + i3(l, j, $0)) }.reduce(0, +)
                var noise = 0.0
                for a in 0..<n { for b in 0..<n { noise += w[a] * w[b] * i4(j, l, a, b) } }
                direct += 1.3 * (noise + 0.01 * ErfIntegrals.j2(c11: c[j][j], c12: c[j][l], c22: c[l][l]))
                #expect(abs(dy[j * p + l] - direct) < 1e-12, "dQ[\(j)][\(l)] \(dy[j * p + l]) against \(direct)")
                #expect(dy[j * p + l] == dy[l * p + j])
            }
        }
    }

    /// With the noise term off (the perfect-learning limit) the ODE is gradient flow on the
    /// population risk: R(t) never increases; with both terms Q stays exactly symmetric.
    @Test func gradientFlowNeverRaisesTheRiskAndQStaysSymmetric() throws {
        let start = CommitteeInitialisation.randomOverlaps(p: 4, k: 2, dimension: 200, seed: 3)
        let times = SGDRunner.timeGrid(low: 0.01, high: 300, perDecade: 20)
        let flow = try SGDODECurve.integrate(from: start, drift: 1, noise: 0, labelNoise: 0.01, times: times)
        for (a, b) in zip(flow.risks, flow.risks.dropFirst()) { #expect(b <= a * (1 + 1e-10), "R rose from \(a) to \(b)") }
        #expect(flow.risks.last! < flow.risks.first! / 10)
        let noisy = try SGDODECurve.integrate(from: start, drift: 1, noise: 1, labelNoise: 0.01, times: [0, 50])
        let q = noisy.final.q
        for j in 0..<4 { for l in 0..<4 { #expect(q[j * 4 + l] == q[l * 4 + j]) } }
    }

    /// Dormand–Prince on problems with known solutions: y′ = −y to e^−t, the harmonic
    /// oscillator's phase after t = 20, errors that shrink with the tolerance, and steps that grow
    /// about like tol^(−1/5).
    @Test func dormandPrinceSolvesKnownProblems() throws {
        var s = DormandPrince45.Settings()
        s.relativeTolerance = 1e-10; s.absoluteTolerance = 1e-12
        let decay = DormandPrince45(dimension: 1, settings: s)
        var y = [1.0]
        try decay.integrate(&y, from: 0, to: 5) { _, y, dy in dy[0] = -y[0] }
        #expect(abs(y[0] - Foundation.exp(-5)) < 1e-11)
        var errors: [Double] = [], steps: [Int] = []
        for tol in [1e-6, 1e-9, 1e-12] {
            var st = DormandPrince45.Settings()
            st.relativeTolerance = tol; st.absoluteTolerance = tol
            let oscillator = DormandPrince45(dimension: 2, settings: st)
            var z = [1.0, 0.0]
            for t in stride(from: 0.0, to: 20, by: 2.5) { try oscillator.integrate(&z, from: t, to: t + 2.5) { _, y, dy in dy[0] = y[1]; dy[1] = -y[0] } }
            errors.append(Swift.max(abs(z[0] - Foundation.cos(20)), abs(z[1] + Foundation.sin(20))))
            steps.append(oscillator.acceptedSteps)
        }
        #expect(errors[0] < 1e-4 && errors[1] < 1e-7 && errors[2] < 1e-10, "\(errors)")
        #expect(errors[2] < errors[1] && errors[1] < errors[0])
        let growth = Double(steps[2]) / Double(steps[1])
        #expect(growth > 2.5 && growth < 8, "steps \(steps): 10⁻³ in tolerance should cost about 10^(3/5) ≈ 4× the steps")
    }

    /// The ziggurat sampler: mean 0, variance 1, the tail beyond r = 3.4426 with probability
    /// 2Φ(−r), and a Kolmogorov–Smirnov distance below the 1 % critical value, over 4·10⁵ samples.
    @Test func zigguratIsStandardNormal() {
        var rng = SplitMix64(seed: 2026)
        let z = ZigguratNormal()
        let n = 400_000
        var x = (0..<n).map { _ in z.next(using: &rng) }
        let mean = x.reduce(0, +) / Double(n)
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        #expect(abs(mean) < 4 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 4 * (2 / Double(n)).squareRoot())
        let tail = Double(x.filter { abs($0) > 3.442619855899 }.count) / Double(n)
        let expected = Foundation.erfc(3.442619855899 / 2.0.squareRoot())
        #expect(abs(tail - expected) < 4 * (expected / Double(n)).squareRoot(), "tail \(tail), expected \(expected)")
        x.sort()
        var ks = 0.0
        for (i, v) in x.enumerated() {
            let cdf = 0.5 * Foundation.erfc(-v / 2.0.squareRoot())
            ks = Swift.max(ks, Swift.max(abs(cdf - Double(i) / Double(n)), abs(cdf - Double(i + 1) / Double(n))))
        }
        #expect(ks < 1.63 / Double(n).squareRoot(), "KS distance \(ks)")
    }

    /// One SGD step equals the update written out by hand; prescribed overlaps are realised
    /// exactly at several d; a random start has ‖w_j‖² = d and P = I.
    @Test func simulatorStepAndStarts() throws {
        let d = 6, p = 2, k = 1
        let student = [0.3, -1, 0.5, 2, 0, 1, 1, 1, -0.5, 0, 0.25, -2], teacher = [1.0, 0, 0, 0, 0, 0].map { $0 * 6.0.squareRoot() }
        let x = [0.5, -1, 2, 0.1, -0.3, 1.2], xi = 0.7, gamma = 0.9, delta = 0.04
        let sgd = OnlineSGD(student: student, teacher: teacher, p: p, k: k, dimension: d, learningRate: gamma, labelNoise: delta, seed: 1)
        sgd.run(inputs: x, noises: [xi], count: 1)
        let root = Double(d).squareRoot()
        let lam = (0..<p).map { j in (0..<d).map { student[j * d + $0] * x[$0] }.reduce(0, +) / root }
        let rho = (0..<d).map { teacher[$0] * x[$0] }.reduce(0, +) / root
        let err = ErfIntegrals.g(rho) + delta.squareRoot() * xi - lam.map(ErfIntegrals.g).reduce(0, +) / Double(p)
        let expected = (0..<p).flatMap { j in (0..<d).map { student[j * d + $0] + gamma / (Double(p) * root) * err * ErfIntegrals.gPrime(lam[j]) * x[$0] } }
        for (a, b) in zip(sgd.student, expected) { #expect(abs(a - b) < 1e-14) }

        let target = CommitteeInitialisation.randomOverlaps(p: 3, k: 2, dimension: 400, seed: 9)
        for dim in [10, 57, 300] {
            let (s, t) = try CommitteeInitialisation.overlaps(target).weights(p: 3, k: 2, dimension: dim, seed: 4)
            let o = CommitteeInitialisation.overlaps(student: s, teacher: t, p: 3, k: 2, dimension: dim)
            for (a, b) in zip(o.q + o.m + o.teacher, target.q + target.m + target.teacher) { #expect(abs(a - b) < 1e-12, "d = \(dim)") }
        }
        let random = CommitteeInitialisation.randomOverlaps(p: 3, k: 2, dimension: 100, seed: 2)
        for j in 0..<3 { #expect(abs(random.q[j * 3 + j] - 1) < 1e-12) }
        #expect(zip(random.teacher, [1.0, 0, 0, 1]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(throws: SGDError.self) { try CommitteeInitialisation.overlaps(target).weights(p: 3, k: 2, dimension: 4, seed: 1) }
    }

    /// The check at the reference notes' prototype scale: p = k = 2, γ = p, Δ = 10⁻³,
    /// d = 500, 5 seeds: SGD's mean risk within 3 standard errors of the ODE at t = 5, 20, 100.
    @Test func odeMatchesSGDWithinThreeStandardErrors() throws {
        let plan = SGDComparePlan(scaling: SGDScaling(delta: 0, kappa: 0, width0: 2), k: 2, labelNoise: 1e-3, dimensions: [500], seeds: 5,
                                  requestedTimes: [5, 20, 100], perDecade: 4)
        let records = try plan.jobs.map { try SGDRunner.run($0, plan: plan.fingerprint) }
        let curve = SGDCompareCurve(dimension: 500, records: records, times: plan.times, ode: try plan.odeCurve(dimension: 500))
        #expect(curve.seeds == 5)
        for t in [5.0, 20, 100] {
            let i = curve.index(of: t)
            #expect(abs(curve.times[i] - t) < 1e-9)
            #expect(abs(curve.sgdRisk[i] - curve.odeRisk[i]) < 3 * curve.sgdStandardError[i],
                    "t = \(t): SGD \(curve.sgdRisk[i]) ± \(curve.sgdStandardError[i]), ODE \(curve.odeRisk[i])")
        }
    }

    /// The scaling: ϑ, the steps per unit time, the finite-d coefficients A = γd^ϑ/p and
    /// B = γ²d^ϑ/p², their limits, and the regions with both candidate no-ODE boundaries, over
    /// random (δ, κ, d).
    @Test func scalingCoefficientsAndRegions() async {
        await propertyCheck(count: 300, input: Gen.int(in: -150...100), Gen.int(in: 0...100), Gen.int(in: 2...5000)) { dd, kk, d in
            let delta = Double(dd) / 100, kappa = Double(kk) / 100
            let s = SGDScaling(delta: delta, kappa: kappa, width0: 3, gamma0: 2)
            let sum = kappa + delta
            let theta = abs(sum) < 1e-9 ? 0 : sum > 0 ? sum : 2 * sum
            #expect(abs(s.theta - theta) < 1e-12)
            let p = Double(s.width(dimension: d)), gamma = 2 * Foundation.pow(Double(d), -delta)
            let (a, b) = s.coefficients(dimension: d, limit: false)
            #expect(abs(a / (gamma * Foundation.pow(Double(d), theta) / p) - 1) < 1e-12)
            #expect(abs(b / (gamma * gamma * Foundation.pow(Double(d), theta) / (p * p)) - 1) < 1e-12)
            let (al, bl) = s.coefficients(dimension: d, limit: true)
            #expect(sum > 1e-9 ? bl == 0 && al == a : sum < -1e-9 ? al == 0 && bl == b : al == a && bl == b)
            let r1 = s.region(boundary: .scaling), r2 = s.region(boundary: .code)
            if sum > 1e-9 { #expect(r1 == .perfectLearning && r2 == .perfectLearning) }
            if abs(sum) < 1e-9 { #expect(r1 == .plateau && r2 == .plateau) }
            if sum < -1e-9 {
                #expect(r1 == (sum > -0.5 ? .badLearning : .noODE))
                #expect(r2 == (kappa + 2 * delta + 1 > 0 ? .badLearning : .noODE))
                #expect((s.settledRegion == nil) == (r1 != r2))
            }
        }
        // The paper's marked points and the wedge.
        #expect(SGDScaling(delta: 0, kappa: 0, width0: 8).settledRegion == .plateau)
        #expect(SGDScaling(delta: -0.5, kappa: 0, width0: 8).settledRegion == .noODE)
        #expect(SGDScaling(delta: -0.25, kappa: 0, width0: 8).settledRegion == .badLearning)
        #expect(SGDScaling(delta: -1.5, kappa: 1.25, width0: 8).settledRegion == nil)
        #expect(SGDScaling(delta: -1.5, kappa: 1.25, width0: 8).region(boundary: .scaling) == .badLearning)
    }

    /// The map's reading on records with known late risks: a floor that falls like d^−½ reads
    /// decay, a flat one plateau, one that grows (or ends above the start) rise.
    @Test func mapReadsTheTrendAcrossDimensions() {
        let plan = SGDMapPlan(points: [.init(delta: 0.5, kappa: 0)], dimensions: [64, 256, 1024], seeds: 3, width0: 2, gamma0: nil, k: 2,
                              labelNoise: 1e-3, horizon: 10, perDecade: 4)
        let point = plan.points[0]
        let n = plan.times(point).count
        func records(_ level: (Int) -> Double, start: Double = 0.2) -> [SGDRunRecord] {
            plan.dimensions.flatMap { d in (1...3).map { seed -> SGDRunRecord in
                let jitter = 1 + 0.01 * Double(seed - 2)
                let risks = (0..<n).map { $0 == 0 ? start : level(d) * jitter }
                return SGDRunRecord(plan: plan.fingerprint, key: "\(SGDRunSpec.pointKey(plan.scaling(point)))|d=\(d)|seed=\(seed)", delta: 0.5, kappa: 0,
                                    dimension: d, width: 2, seed: UInt64(seed), learningRate: 1, stepsPerUnitTime: 1, steps: Array(0..<n),
                                    times: (0..<n).map(Double.init), risks: risks, selfOverlap: risks, seconds: 0)
            } }
        }
        let decay = SGDMapSummary(point: point, plan: plan, records: records { 1e-3 / Double($0).squareRoot() })
        #expect(decay.trend == .decay && abs(decay.slope! + 0.5) < 1e-9)
        let flat = SGDMapSummary(point: point, plan: plan, records: records { _ in 1e-3 })
        #expect(flat.trend == .plateau)
        let growing = SGDMapSummary(point: point, plan: plan, records: records { 1e-3 * Double($0).squareRoot() })
        #expect(growing.trend == .rise)
        let above = SGDMapSummary(point: point, plan: plan, records: records({ _ in 0.3 }, start: 0.2))
        #expect(above.trend == .rise && above.riseFactor > 1)
        #expect(decay.predictedTrend == .decay && decay.region == .perfectLearning)
    }
}
