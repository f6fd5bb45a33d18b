import Foundation
import PropertyBased
import Testing
import ApproxRates
@testable import MeasurementModule

/// The exact value of `network` at `x`, as far as `bits`-bit MPFR arithmetic gives it.
private func reference(_ network: Network, _ x: [Double], bits: Int) -> BigFloat {
    let p = try! Precision(bits: bits)
    return try! MPFREvaluator(network: network, precision: p).evaluate([x.map { BigFloat($0, precision: .double) }])[0][0]
}

/// Bits at which an MPFR evaluation of `network` is exact on float64 inputs in [0, 1]: every
/// product adds the weight's bits, every layer a sum's spread.
private func exactBits(_ network: Network) -> Int {
    (network.weightPrecision.bits + 200) * (network.layers.count + 1) + 64
}

/// |a − b| as a float64 upper bound (0 when equal).
private func distance(_ a: BigFloat, _ b: BigFloat) -> Double {
    let p = Precision(uncheckedBits: Swift.max(a.precision.bits, b.precision.bits) + 64)
    let d = a.subtracting(b, precision: p).magnitude().toDouble()
    return d == 0 ? 0 : d.nextUp
}

@Suite("Fixed-point evaluation and per-unit precision")
struct FixedPointTests {
    // The certificate: on random networks with weights using every significand bit, at any
    // accuracy of the plan (low accuracies make most units round), the true value is within E.
    @Test func certificateBoundsTheErrorOnRandomNetworks() async {
        await propertyCheck(count: 100, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...6), Gen.int(in: 0...2)) { seed, depth, level in
            let net = randomNetwork(seed: seed, precision: Precision(uncheckedBits: [64, 200, 700][level]), inputs: Int(seed % 3) + 1,
                                    depth: depth, maxWidth: 6, dense: seed % 2 == 0, activations: [.relu, .identity, .step])
            let accuracy = [8, 40, 128][Int((seed >> 8) % 3)]
            let plan = try! PrecisionPlan.derive(for: net, accuracyBits: accuracy)
            guard net.outputDimension == 1 else {
                #expect(throws: NetworkError.self) { try FixedPointEvaluator(network: net, plan: plan) }
                return
            }
            let fixed = try! FixedPointEvaluator(network: net, plan: plan)
            var rng = SplitMix64(seed: seed)
            let points = (0..<8).map { _ in (0..<net.inputDimension).map { _ in Double.random(in: 0...1, using: &rng) } }
            let results = try! fixed.evaluate(points, precision: Precision(uncheckedBits: exactBits(net)))
            for (x, r) in zip(points, results) {
                let exact = reference(net, x, bits: exactBits(net))
                let gap = distance(r.value, exact)
                #expect(gap <= r.bound, "seed \(seed): |fixed − exact| = \(gap) > bound \(r.bound) at \(x)")
                // Without step units the sums stay in their interval ranges, so the bound is finite
                // and near the plan's accuracy.
                if !net.layers.contains(where: { $0.activations.contains(.step) }) {
                    #expect(r.bound <= pow(2, Double(-accuracy + 1)), "seed \(seed): bound \(r.bound) for accuracy 2^-\(accuracy)")
                }
            }
        }
    }

    // Exact where the arithmetic is exact: integer and half-integer weights on inputs k/1024 give
    // bound 0 and the exact value bit for bit.
    @Test func dyadicNetworksAreExact() throws {
        var rng = SplitMix64(seed: 77)
        for trial in 0..<30 {
            var layers: [AffineLayer] = []
            var width = 2
            for l in 0..<6 {
                let out = l == 5 ? 1 : Int.random(in: 2...5, using: &rng)
                let rows = (0..<out).map { _ in (0..<width).map { _ in BigFloat(Double(Int.random(in: -9...9, using: &rng)) / 2, precision: .double) } }
                let bias = (0..<out).map { _ in BigFloat(Double(Int.random(in: -9...9, using: &rng)) / 4, precision: .double) }
                layers.append(try AffineLayer(rows: rows, bias: bias, activations: Array(repeating: l == 5 ? .identity : .relu, count: out)))
                width = out
            }
            let net = try Network(inputDimension: 2, layers: layers)
            let fixed = try FixedPointEvaluator(network: net)
            let points = (0..<16).map { _ in [Double(Int.random(in: 0...1024, using: &rng)) / 1024, Double(Int.random(in: 0...1024, using: &rng)) / 1024] }
            for (x, r) in zip(points, try fixed.evaluate(points, precision: Precision(uncheckedBits: 256))) {
                #expect(r.bound == 0, "trial \(trial): bound \(r.bound)")
                #expect(r.value.isIdentical(to: reference(net, x, bits: 256)) || (r.value.isZero && reference(net, x, bits: 256).isZero),
                        "trial \(trial) at \(x): \(r.value) vs \(reference(net, x, bits: 256))")
            }
        }
    }

    // A unit that repeats an earlier one (same activation, bias, weights, inputs) is read through
    // to it: one unit merged here, and every result still exact, bit for bit.
    @Test func copiesAreMergedWithoutChangingABit() throws {
        func b(_ v: Double) -> BigFloat { BigFloat(v, precision: .double) }
        let hidden = try AffineLayer(rows: [[b(1.5), b(-0.5)], [b(1.5), b(-0.5)], [b(0.25), b(1)]], bias: [b(-0.25), b(-0.25), b(0.5)],
                                     activations: [.relu, .relu, .relu])
        let output = try AffineLayer(rows: [[b(3), b(-1), b(0.5)]], bias: [b(0.125)], activations: [.identity])
        let net = try Network(inputDimension: 2, layers: [hidden, output])
        let fixed = try FixedPointEvaluator(network: net)
        #expect(fixed.mergedUnits == 1)
        var rng = SplitMix64(seed: 5)
        let points = (0..<16).map { _ in [Double(Int.random(in: 0...1024, using: &rng)) / 1024, Double(Int.random(in: 0...1024, using: &rng)) / 1024] }
        for (x, r) in zip(points, try fixed.evaluate(points, precision: Precision(uncheckedBits: 256))) {
            let exact = reference(net, x, bits: 256)
            #expect(r.bound == 0 && (r.value.isIdentical(to: exact) || (r.value.isZero && exact.isZero)), "at \(x): \(r.value) vs \(exact)")
        }
    }

    // Reuse changes no bit: points in order on one workspace give what a fresh workspace gives at
    // each point, and computes fewer units.
    @Test func reuseBetweenPointsChangesNoBit() throws {
        let target = try TargetCatalog.make("lacunary", dimension: 2, smoothness: 1, options: .init(seed: 1))
        let net = try SnakeExtraction.network(target, cells: 2, fine: 10)
        let fixed = try FixedPointEvaluator(network: net)
        let kept = fixed.makeWorkspace(), fresh = fixed.makeWorkspace()
        let out = MPFRArray(count: 2, precision: Precision(uncheckedBits: 1024))
        var computedKept = 0, computedFresh = 0
        for i in 0..<60 {
            var x = [Double(i) / 120, 0.3125]
            let b1 = fixed.evaluate(&x, workspace: kept)
            computedKept += kept.computedUnits
            fresh.reset()
            let b2 = fixed.evaluate(&x, workspace: fresh)
            computedFresh += fresh.computedUnits
            fixed.output(into: out[0], workspace: kept)
            fixed.output(into: out[1], workspace: fresh)
            #expect(b1 == b2 && out.value(at: 0).isIdentical(to: out.value(at: 1)), "point \(x)")
        }
        #expect(computedKept * 2 < computedFresh, "reuse computed \(computedKept) units against \(computedFresh)")
    }
}

@Suite("Per-unit precision on the deep constructions")
struct DeepPrecisionTests {
    // Per-unit precision against full precision on random deep networks (random targets, grid
    // sizes and points): the fixed-point result is within its certificate of the value at twice
    // the construction's precision, and within certificate + guard gap of the value at the
    // construction's precision; off the cut-off zones the certificate is below 2^-80.
    @Test func perUnitPrecisionAgreesWithFullPrecision() async {
        await propertyCheck(count: 8, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...1)) { seed, kind in
            let dim = kind + 1
            let target = try! TargetCatalog.make("lacunary", dimension: dim, smoothness: dim == 1 ? [0.5, 1, 2][Int(seed % 3)] : 1, options: .init(seed: seed % 1000))
            let n = dim == 1 ? Int(seed % 13) + 4 : Int(seed % 3) + 1
            let m = dim == 1 ? Int((seed >> 8) % 13) + 6 : Int((seed >> 8) % 3) + 9
            let net = dim == 1 ? try! BitExtraction.network(target, cells: n, fine: m) : try! SnakeExtraction.network(target, cells: n, fine: m)
            let p = net.weightPrecision
            let fixed = try! FixedPointEvaluator(network: net)
            #expect(fixed.plan.loweredByChains > 0, "seed \(seed): no chain found (d = \(dim), N = \(n), M = \(m))")
            var rng = SplitMix64(seed: seed)
            let points = (0..<24).map { _ in (0..<dim).map { _ in Double.random(in: 0...1, using: &rng) } }
            let results = try! fixed.evaluate(points, precision: Precision(uncheckedBits: 4 * p.bits))
            let atP = try! MPFREvaluator(network: net, precision: p).evaluate(points.map { $0.map { BigFloat($0, precision: .double) } })
            let at2P = try! MPFREvaluator(network: net, precision: Precision(uncheckedBits: 2 * p.bits)).evaluate(points.map { $0.map { BigFloat($0, precision: .double) } })
            var certified = 0
            for i in 0..<points.count {
                let guardGap = distance(atP[i][0], at2P[i][0])
                #expect(distance(results[i].value, at2P[i][0]) <= results[i].bound + 0x1p-300,
                        "seed \(seed) at \(points[i]): |fixed − 2P| = \(distance(results[i].value, at2P[i][0])) > bound \(results[i].bound)")
                #expect(distance(results[i].value, atP[i][0]) <= results[i].bound + guardGap + 0x1p-300, "seed \(seed) at \(points[i])")
                if results[i].bound <= 0x1p-80 { certified += 1 }
            }
            #expect(certified >= points.count * 3 / 4, "seed \(seed): \(certified) of \(points.count) points certified within 2^-80")
        }
    }

    // A chain longer than float64's exponent range: at N = M = 480 the first states have about
    // 1,140 fractional bits, their rounding is below 2^-1074, and 480 steps multiply it by 5^480.
    // With float64 bounds (floored at 2^-1000) the certificate grew past 2^-25 here; with
    // bounds scaled past 2^-960 (CFX_BOUND_RESOLUTION) it stays below 2^-80 and still holds
    // against twice the precision.
    @Test func longChainsKeepTheirCertificate() throws {
        let target = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 1, options: .init(seed: 1))
        let net = try BitExtraction.network(target, cells: 480, fine: 480)
        let fixed = try FixedPointEvaluator(network: net)
        #expect(fixed.plan.units.map(\.fractionalBits).max()! > 1074)
        let points = [[0.2503], [0.5011], [0.7307]]
        let results = try fixed.evaluate(points, precision: Precision(uncheckedBits: 4 * net.weightPrecision.bits))
        let at2P = try MPFREvaluator(network: net, precision: Precision(uncheckedBits: 2 * net.weightPrecision.bits))
            .evaluate(points.map { $0.map { BigFloat($0, precision: .double) } })
        for i in 0..<points.count {
            #expect(results[i].bound <= 0x1p-80, "at \(points[i]): bound \(results[i].bound)")
            #expect(distance(results[i].value, at2P[i][0]) <= results[i].bound + 0x1p-300, "at \(points[i])")
        }
    }

    // The chains the bookkeeping finds: one per copy, as many steps as digits, and bits that fall
    // by log₂β per digit extracted.
    @Test func digitChainsAreFoundAndTheirBitsFall() throws {
        let target = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 1, options: .init(seed: 2))
        let net = try BitExtraction.network(target, cells: 10, fine: 12, order: 1)
        let chains = DigitChain.find(in: net)
        #expect(chains.count == 1 && chains[0].steps == 12 && chains[0].base == 5, "\(chains.map { ($0.steps, $0.base) })")
        let bits = (0...12).map { chains[0].fractionalBits(state: $0) }
        #expect(zip(bits, bits.dropFirst()).allSatisfy { $0 - $1 == 2 || $0 - $1 == 3 }, "\(bits)")
        // Orders 2 and 3 (the defaults at r = 1 and 2): M − 1 and 3 + M − 2 steps of base 4K + 1,
        // log₂β bits fewer per step.
        for (r, steps) in [(1.0, 11), (2.0, 13)] {
            let f = try TargetCatalog.make("lacunary", dimension: 1, smoothness: r, options: .init(seed: 2))
            let higher = try BitExtraction.network(f, cells: 10, fine: 12)
            let found = DigitChain.find(in: higher)
            let base = try #require(Int(higher.metadata["digit_base"] ?? ""))
            #expect(found.count == 1 && found[0].steps == steps && found[0].base == base, "r = \(r): \(found.map { ($0.steps, $0.base) })")
            let fall = (0...steps).map { found[0].fractionalBits(state: $0) }
            let perStep = log2(Double(base))
            #expect(zip(fall, fall.dropFirst()).allSatisfy { Double($0 - $1) >= perStep.rounded(.down) && Double($0 - $1) <= perStep.rounded(.up) }, "r = \(r): \(fall)")
        }
        let plane = try TargetCatalog.formula("sin(3*x1)*cos(2*x2)/10", dimension: 2, smoothness: 1)
        let snake = DigitChain.find(in: try SnakeExtraction.network(plane, cells: 1, fine: 9))
        #expect(snake.count == 4 && snake.allSatisfy { $0.steps == 99 }, "\(snake.map(\.steps))")
        // A network without a chain has none.
        #expect(DigitChain.find(in: try Interpolation.oneDimensional(target, cells: 16, precision: Precision(uncheckedBits: 128))).isEmpty)
    }

    // The search ranks in fixed point where float64 cannot, and finds what ranking in MPFR finds:
    // the same error, bit for bit, at the same point, on 1-D and 2-D deep networks.
    @Test func fixedPointRankingFindsTheSameMaximum() throws {
        for (dim, seed) in [(1, UInt64(3)), (2, 4)] {
            let target = try TargetCatalog.make("lacunary", dimension: dim, smoothness: 1, options: .init(seed: seed))
            let net = dim == 1 ? try BitExtraction.network(target, cells: 24, fine: 24) : try SnakeExtraction.network(target, cells: 2, fine: 9)
            var o = searchOptions(net.weightPrecision)
            o.sampledZones = ConstructionRegistry.sampledZones(of: net)
            o.samplingSpacing = ConstructionRegistry.samplingSpacing(of: net)
            let fixed = try SupNorm.measure(net, against: target, options: o)
            o.fixedPointRanking = false
            let mpfr = try SupNorm.measure(net, against: target, options: o)
            #expect(fixed.error.isIdentical(to: mpfr.error), "d = \(dim): \(fixed.error) vs \(mpfr.error)")
            #expect(fixed.argmax == mpfr.argmax)
            #expect(fixed.locator.contains("fixed point") || fixed.method.contains("fixed point"), "\(fixed.locator) / \(fixed.method)")
        }
    }

    /// The ranking's target drops to 128 bits only where that agrees with the full precision to
    /// 2^-100 on the check points: the lacunary sum does; x + 2^200 - 2^200 (x rounded to 128 bits
    /// next to 2^200, so off by about 2^-50) does not; at 128 bits or less nothing changes.
    @Test func rankingTargetDropsTo128BitsOnlyWhereItAgrees() throws {
        let full = Precision(uncheckedBits: 839)
        let lacunary = try TargetCatalog.make("lacunary", dimension: 2, smoothness: 1, options: .init(seed: 1))
        #expect(SupNorm.rankingTarget(lacunary, precision: full).0.bits == 128)
        let cancelling = try TargetCatalog.formula("(x + 2^200) - 2^200", dimension: 1, smoothness: 1)
        let (p, text) = SupNorm.rankingTarget(cancelling, precision: full)
        #expect(p.bits == 839, "\(text)")
        #expect(SupNorm.rankingTarget(lacunary, precision: Precision(uncheckedBits: 100)).0.bits == 100)
        // Ranked in MPFR against an error scale: 128 bits below it (10⁻³⁹ ≈ 2^-129.6: 258 bits),
        // the full precision for a zero scale.
        #expect(SupNorm.rankingTarget(lacunary, precision: full, errorScale: 1e-39).0.bits == 258)
        #expect(SupNorm.rankingTarget(lacunary, precision: full, errorScale: 0.5).0.bits == 129)
        #expect(SupNorm.rankingTarget(lacunary, precision: full, errorScale: 0).0.bits == 839)
    }
}
