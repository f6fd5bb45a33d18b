import Foundation
import PropertyBased
import Testing
import ApproxRates

/// ReLU^k networks (reference notes section 3.7): the exact gadgets and the shallow-phase
/// Taylor construction with its error bound.
@Suite struct PowerActivationTests {
    func value(_ net: Network, _ x: [BigFloat], bits: Int) -> BigFloat {
        try! MPFREvaluator(network: net, precision: try! Precision(bits: bits)).evaluate([x])[0][0]
    }

    /// A one-input (two-input) network of one gadget, built at 128 bits.
    func gadget(inputs: Int = 1, _ body: (CircuitBuilder) -> CircuitBuilder.Form) -> Network {
        let b = CircuitBuilder(inputDimension: inputs, precision: try! Precision(bits: 128))
        return try! b.network(outputs: [body(b)])
    }

    // u² and x·y from σ₂ are identities: equal to the last bit on dyadic inputs with a few bits
    // (every intermediate value is then exact at 256 bits); from σ_k, k = 3...5, the factor 2/k!
    // is rounded once, so they hold to 2^-120 relative. The B-splines of degree 2 sum to 1.
    @Test func powerGadgetsAreExactIdentities() async {
        let squares = (2...5).map { k in gadget { $0.square($0.input(0), power: k) } }
        let products = (2...5).map { k in gadget(inputs: 2) { $0.product($0.input(0), $0.input(1), power: k) } }
        let spline = gadget { b in b.combine((-3...3).map { (1.0, b.bSpline(b.combine([(1.0, b.input(0))], constant: Double(-$0)), power: 2)) }) }
        await propertyCheck(count: 60, input: Gen.int(in: -(1 << 24)...(1 << 24)), Gen.int(in: -(1 << 24)...(1 << 24))) { i, j in
            let x = BigFloat(i, precision: try! Precision(bits: 256)).scaled(byPowerOfTwo: -20)
            let y = BigFloat(j, precision: try! Precision(bits: 256)).scaled(byPowerOfTwo: -20)
            let xx = x.multiplied(by: x, precision: try! Precision(bits: 256))
            let xy = x.multiplied(by: y, precision: try! Precision(bits: 256))
            #expect(value(squares[0], [x], bits: 256) == xx)
            #expect(value(products[0], [x, y], bits: 256) == xy)
            for k in 3...5 {
                let s = value(squares[k - 2], [x], bits: 256).toDouble(), p = value(products[k - 2], [x, y], bits: 256).toDouble()
                #expect(abs(s - xx.toDouble()) <= 0x1p-120 * max(1, xx.toDouble() * 256))
                #expect(abs(p - xy.toDouble()) <= 0x1p-120 * max(1, (abs(x.toDouble()) + abs(y.toDouble())) * (abs(x.toDouble()) + abs(y.toDouble())) * 256))
            }
            // Σ_m B₂(t − m) over the seven centres nearest t ∈ [−1, 1] is 1 (t dyadic: exact).
            let t = BigFloat(i, precision: try! Precision(bits: 256)).scaled(byPowerOfTwo: -24)
            #expect(value(spline, [t], bits: 256) == BigFloat(1))
        }
    }

    // The bound ‖f − f̃‖ ≤ (dR/N)^n/n! max‖∂^α f‖ (R = 3/2 for σ₂) on targets whose derivatives
    // are known, and the error falling like N^-n with no log factor: halving h divides it by
    // nearly 2^n.
    @Test func splineTaylorMeetsItsBoundWithoutLogFactor() throws {
        let sine = try TargetCatalog.make("smooth-sine", dimension: 1, smoothness: 2, options: .init())   // |f''| ≤ 1, |f'''| ≤ 2π
        var previous: Double?
        for n in [8, 16, 32] {
            let kind = TaylorConstruction(degree: 1, power: 2)
            let net = try kind.build(sine, cells: n)
            var o = SupNorm.Options(precision: kind.precision(cells: n, smoothness: 2))
            ConstructionRegistry.applySearchHints(of: net, to: &o)
            let e = try SupNorm.measure(net, against: sine, options: o).error.toDouble()
            let bound = SplineTaylorPartition.errorBound(cells: n, degree: 1, power: 2, dimension: 1, derivativeBound: 1)
            #expect(e <= bound, "N = \(n): error \(e) above the bound \(bound)")
            #expect(e >= bound / 50, "N = \(n): error \(e) implausibly far below the bound \(bound)")
            if let previous { #expect(previous / e > 3.6, "N = \(n): error ratio \(previous / e) on halving h (n = 2 wants 4)") }
            previous = e
        }
        // Degree 2 on the same target (n = 3, |f'''| ≤ 2π) and the 2-D target (|∂²f| ≤ 1/2).
        let net3 = try TaylorConstruction(degree: 2, power: 2).build(sine, cells: 16)
        var o3 = SupNorm.Options(precision: TaylorConstruction(degree: 2, power: 2).precision(cells: 16, smoothness: 3))
        ConstructionRegistry.applySearchHints(of: net3, to: &o3)
        let e3 = try SupNorm.measure(net3, against: sine, options: o3).error.toDouble()
        #expect(e3 <= SplineTaylorPartition.errorBound(cells: 16, degree: 2, power: 2, dimension: 1, derivativeBound: 2 * Double.pi))
        let sine2 = try TargetCatalog.make("smooth-sine", dimension: 2, smoothness: 2, options: .init())
        let kind2 = TaylorConstruction(degree: 1, power: 2)
        let net2 = try kind2.build(sine2, cells: 6)
        var o2 = SupNorm.Options(precision: kind2.precision(cells: 6, smoothness: 2, dimension: 2))
        ConstructionRegistry.applySearchHints(of: net2, to: &o2)
        let e2 = try SupNorm.measure(net2, against: sine2, options: o2).error.toDouble()
        #expect(e2 <= SplineTaylorPartition.errorBound(cells: 6, degree: 1, power: 2, dimension: 2, derivativeBound: 0.5))
    }

    // W grows like N^d with no log N: the counts at N and 2N differ by a factor that tends to 2
    // (1-D), and the depth does not grow with N.
    @Test func splineTaylorCountsAreLinearInCells() throws {
        let f = try TargetCatalog.make("smooth-sine", dimension: 1, smoothness: 2, options: .init())
        let kind = TaylorConstruction(degree: 1, power: 2)
        let counts = try [64, 128, 256].map { try kind.build(f, cells: $0).counts }
        #expect(Set(counts.map(\.depth)).count == 1)
        let ratio = Double(counts[2].weightsAll) / Double(counts[1].weightsAll)
        #expect(abs(ratio - 2) < 0.02, "W(256)/W(128) = \(ratio)")
        #expect(try ConstructionRegistry.named("taylor", degree: nil, smoothness: 2, activation: .reluPower(2)) as? TaylorConstruction == TaylorConstruction(degree: 1, power: 2))
        #expect(try ConstructionRegistry.named("deep", degree: nil, smoothness: 1, activation: .reluPower(2)) as? DeepConstruction == DeepConstruction(alpha: 1, power: 2))
        #expect(throws: ConstructionError.self) { try ConstructionRegistry.named("interpolation", degree: nil, smoothness: 1, activation: .reluPower(2)) }
        #expect(throws: ConstructionError.self) { try ConstructionRegistry.named("taylor", degree: nil, smoothness: 1, activation: .sine) }
    }

    // Reference notes section 5 item 10 for ReLU^k: at a fixed depth the bound grows like
    // W log W, so a shallow ReLU² network cannot claim more than r/d; a deep one (L ~ W) is
    // capped by Goldberg–Jerrum's W² at 2r/d; sine networks have no bound.
    @Test func vcBoundsPerFamily() throws {
        let w = [1e3, 1e4, 1e5]
        let shallowFast = try ConsistencyCheck(weights: w, depths: [3, 3, 3], p: 2, smoothness: 1, dimension: 1, family: .piecewisePolynomial)
        #expect(!shallowFast.vcBoundHolds && !shallowFast.depthLawHolds)
        let shallow = try ConsistencyCheck(weights: w, depths: [3, 3, 3], p: 1, smoothness: 1, dimension: 1, family: .piecewisePolynomial)
        #expect(shallow.vcBoundHolds && shallow.depthLawHolds)
        let deep = try ConsistencyCheck(weights: w, depths: w.map { $0 / 10 }, p: 2, smoothness: 1, dimension: 1, family: .piecewisePolynomial)
        #expect(deep.vcBoundHolds && deep.depthLawHolds && abs(deep.vcExponent! - 2) < 1e-9)
        let beyond = try ConsistencyCheck(weights: w, depths: w.map { $0 / 10 }, p: 2.5, smoothness: 1, dimension: 1, family: .piecewisePolynomial)
        #expect(!beyond.vcBoundHolds)
        // The depth law of ReLU^k asks for half the ReLU exponent (L² in the bound).
        let relu = try ConsistencyCheck(weights: w, depths: w.map { $0.squareRoot() }, p: 1.8, smoothness: 1, dimension: 1)
        let power = try ConsistencyCheck(weights: w, depths: w.map { $0.squareRoot() }, p: 1.8, smoothness: 1, dimension: 1, family: .piecewisePolynomial)
        #expect(!relu.depthLawHolds && power.depthLawHolds)
        let sine = try ConsistencyCheck(weights: w, depths: [3, 3, 3], p: 50, smoothness: 1, dimension: 1, family: VCBound(.sine))
        #expect(sine.vcExponent == nil && sine.vcBoundHolds && sine.depthLawHolds)
        #expect(VCBound(.reluPower(3)) == .piecewisePolynomial && VCBound(.relu) == .piecewiseLinear)
    }

    // ReLU as the central difference of σ_k: a random ReLU network and its ReLU^k rewrite agree
    // to the window's size (δ = 2^-100: no random pre-activation falls inside it) at random
    // points, for k = 2, 3, 4; the rewrite has k units per ReLU and the same depth.
    @Test func reluByPowerComputesTheSameFunction() async {
        await propertyCheck(count: 30, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 2...4)) { seed, k in
            let p = try! Precision(bits: 128)
            let net = randomNetwork(seed: seed, precision: p, inputs: 2, depth: 4, maxWidth: 6, dense: false)
            let window = ReLUByPower.window(forPrecision: p, power: k)
            let power = try! ReLUByPower.network(net, power: k, windowExponent: 100, precision: window.precision)
            let reluOutputs = net.layers.last!.activations.contains(.relu)
            #expect(power.layers.count == net.layers.count + (reluOutputs ? 1 : 0))
            let relus = net.layers.map { $0.activations.filter { $0 == .relu }.count }.reduce(0, +)
            let units = net.layers.map(\.outputCount).reduce(0, +)
            #expect(power.layers.map(\.outputCount).reduce(0, +) == units + (k - 1) * relus + (reluOutputs ? net.outputDimension : 0))
            var rng = SeededGenerator(seed: seed)
            for _ in 0..<8 {
                let x = (0..<2).map { _ in BigFloat(Double.random(in: -2...2, using: &rng)) }
                let a = try! MPFREvaluator(network: net, precision: window.precision).evaluate([x])[0]
                let b = try! MPFREvaluator(network: power, precision: window.precision).evaluate([x])[0]
                for (u, v) in zip(a, b) {
                    #expect(abs(u.toDouble() - v.toDouble()) <= 0x1p-80 * max(1, abs(u.toDouble())), "seed \(seed), k = \(k)")
                }
            }
        }
    }

    // The deep construction with ReLU² units measures the same error as with ReLU units (the
    // windows never matter at the chosen δ): N = M = 8 on the lacunary r = 1 target, the ReLU
    // network swept exactly, the ReLU² one sampled at h/2 with pattern search.
    @Test func deepReluSquaredKeepsTheReluError() throws {
        let f = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 1, options: .init())
        let relu = DeepConstruction(alpha: 1, power: 1), square = DeepConstruction(alpha: 1, power: 2)
        let a = try relu.build(f, cells: 8), b = try square.build(f, cells: 8)
        #expect(b.counts.depth == a.counts.depth)
        var oa = SupNorm.Options(precision: relu.precision(cells: 8, smoothness: 1))
        ConstructionRegistry.applySearchHints(of: a, to: &oa)
        var ob = SupNorm.Options(precision: square.precision(cells: 8, smoothness: 1))
        ConstructionRegistry.applySearchHints(of: b, to: &ob)
        let ea = try SupNorm.measure(a, against: f, options: oa), eb = try SupNorm.measure(b, against: f, options: ob)
        #expect(eb.error.toDouble() <= ea.error.toDouble() * (1 + 1e-9) && eb.error.toDouble() >= 0.98 * ea.error.toDouble(),
                "ReLU \(ea.error.toDouble()), ReLU² \(eb.error.toDouble())")
        // At the ReLU² maximiser both networks take the same value to 30 digits.
        let x = eb.argmax.map { BigFloat($0) }
        let va = try MPFREvaluator(network: a, precision: ob.precision).evaluate([x])[0][0]
        let vb = try MPFREvaluator(network: b, precision: ob.precision).evaluate([x])[0][0]
        #expect(abs(va.toDouble() - vb.toDouble()) <= 1e-30)
    }
}
