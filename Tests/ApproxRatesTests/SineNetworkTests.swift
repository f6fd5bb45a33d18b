import Foundation
import PropertyBased
import Testing
import ApproxRates

/// Sine networks (reference notes sections 3.9 and 5 item 13).
@Suite struct SineNetworkTests {
    // The shattering identity: at n + 10 bits every labelling of x_i = 2^-i is read back, the
    // all-zero labelling (the smallest margins) included; 10 bits below n, w's rounding moves the
    // phases of the first points by more than π, and almost every labelling is lost.
    @Test func sineShatteringHoldsAtNPlusTenBitsAndFailsBelow() async {
        await propertyCheck(count: 40, input: Gen.int(in: 24...400), Gen.uint64(in: 0...UInt64.max)) { n, seed in
            var rng = SeededGenerator(seed: seed)
            let high = try! Precision(bits: n + 10), low = try! Precision(bits: n - 10)
            for labels in [(0..<n).map { _ in Bool.random(using: &rng) }, Array(repeating: false, count: n)] {
                let net = try! SineShattering.network(labels: labels, precision: high)
                #expect(try! SineShattering.readLabels(net, count: n, precision: high) == labels, "n = \(n), seed \(seed)")
            }
            var lost = 0
            for _ in 0..<10 {
                let labels = (0..<n).map { _ in Bool.random(using: &rng) }
                let net = try! SineShattering.network(labels: labels, precision: low)
                if try! SineShattering.readLabels(net, count: n, precision: low) != labels { lost += 1 }
            }
            #expect(lost >= 8, "n = \(n), seed \(seed): only \(lost) of 10 labellings lost at n - 10 bits")
        }
    }

    // Float64 (53 bits) carries the identity only while n + 10 <= 53 or so: n = 40 works for
    // every labelling tried, n = 80 loses almost all (the notes' prototype: n <= 50 works).
    @Test func sineShatteringInDoublePrecision() throws {
        var rng = SeededGenerator(seed: 7)
        for (n, expectAll) in [(40, true), (80, false)] {
            var kept = 0
            for _ in 0..<20 {
                let labels = (0..<n).map { _ in Bool.random(using: &rng) }
                let net = try SineShattering.network(labels: labels, precision: .double)
                if try SineShattering.readLabels(net, count: n, precision: .double) == labels { kept += 1 }
            }
            #expect(expectAll ? kept == 20 : kept <= 2, "n = \(n): \(kept) of 20 kept at 53 bits")
        }
    }
}

/// The sine lookup construction on an analytic target.
@Suite struct SineLookupTests {
    // A sine unit's result at its own precision q < P: mpfr_sin of the exact P-bit argument
    // (a weight of ~1,500 bits times x, plus a bias) correctly rounded to q bits, whatever q and
    // the argument; at q ≥ P the evaluator is the full-precision one, bit for bit.
    @Test func sineResultsAreRoundedToTheirOwnPrecision() async {
        await propertyCheck(count: 30, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 2...400)) { seed, q in
            var rng = SeededGenerator(seed: seed)
            let p = try! Precision(bits: 1600), short = try! Precision(bits: q)
            var w = BigFloat(0, precision: p)
            for k in 0..<25 { w = w.adding(BigFloat(Int.random(in: 0..<(1 << 60), using: &rng), precision: p).scaled(byPowerOfTwo: 60 * k - 1400), precision: p) }
            let bias = BigFloat(Double.random(in: -4...4, using: &rng), precision: p)
            let x = BigFloat(Double.random(in: 0...1, using: &rng), precision: p)
            let b = CircuitBuilder(inputDimension: 1, precision: p)
            let out = b.unit(.sine, b.combine([(w, b.input(0))], constant: bias))
            let net = try! b.network(outputs: [out])
            let argument = w.multiplied(by: x, precision: p).adding(bias, precision: p)
            let rounded = try! MPFREvaluator(network: net, precision: p, sinePrecision: short).evaluate([[x]])[0][0]
            #expect(rounded.isIdentical(to: BigFloat(argument.sin(precision: short), precision: p)), "seed \(seed), q = \(q)")
            let full = try! MPFREvaluator(network: net, precision: p).evaluate([[x]])[0][0]
            #expect(full.isIdentical(to: argument.sin(precision: p)), "seed \(seed)")
            let above = try! MPFREvaluator(network: net, precision: p, sinePrecision: try! Precision(bits: 2000)).evaluate([[x]])[0][0]
            #expect(above.isIdentical(to: full), "seed \(seed)")
            if q < 1000 { #expect(!rounded.isIdentical(to: full), "seed \(seed), q = \(q): rounding to q bits changed nothing") }
        }
    }

    // The lookup's facts carry the B + 268 bits its sines need; measured with sine results there,
    // the error is the full-precision one to 40 digits and more, and the guard (at twice both
    // precisions) says so. A network file keeps the bits.
    @Test func sineLookupMeasuredWithShortSineResults() throws {
        let f = try TargetCatalog.make("power", dimension: 1, smoothness: 0.5, options: .init())
        let net = try SineLookup.network(f, levels: 4, degree: 0, bits: 24)
        #expect(net.construction?.sineResultBits == 292 && SineLookup.resultBits(bits: 24) == 292)
        #expect(try NetworkFile.decode(Data(NetworkFile.encode(net).utf8)).construction == net.construction)
        var short = SupNorm.Options(precision: SineLookup.precision(levels: 4, bits: 24))
        ConstructionRegistry.applySearchHints(of: net, to: &short)
        #expect(short.sinePrecision?.bits == 292)
        var full = short
        full.sinePrecision = nil
        let a = try SupNorm.measure(net, against: f, options: short), b = try SupNorm.measure(net, against: f, options: full)
        #expect(a.agreeingDigits >= 40 && a.agreeingDigits < b.agreeingDigits, "\(a.agreeingDigits) against \(b.agreeingDigits)")
        let relative = a.error.subtracting(b.error, precision: a.precision).magnitude().toDouble() / b.error.toDouble()
        #expect(relative < 1e-40 && relative > 0, "relative difference \(relative)")
    }

    // Below the Taylor bound (plus the tables' 2^-B), falling fast with the degree at fixed K,
    // with only sine, ReLU and identity units.
    @Test func sineLookupMeetsItsBound() throws {
        let f = try TargetCatalog.make("smooth-sine", dimension: 1, smoothness: 2, options: .init())   // |f^(m)| ≤ (2π)^(m−2)
        var previous = Double.infinity
        for n in [2, 5, 8] {
            let net = try SineLookup.network(f, levels: 3, degree: n, bits: 96)
            #expect(Set(net.layers.flatMap(\.activations)).isSubset(of: [.sine, .relu, .identity]))
            var o = SupNorm.Options(precision: SineLookup.precision(levels: 3, bits: 96))
            ConstructionRegistry.applySearchHints(of: net, to: &o)
            #expect(o.samplingSpacing == 1.0 / 64)
            o.maximumGridPoints = 65
            let e = try SupNorm.measure(net, against: f, options: o).error.toDouble()
            let bound = SineLookup.taylorBound(levels: 3, degree: n, derivativeBound: pow(2 * Double.pi, Double(n - 1))) + 1e-25
            #expect(e <= bound, "degree \(n): error \(e) above \(bound)")
            #expect(e < previous / 20, "degree \(n): \(e) after \(previous)")
            previous = e
        }
    }
}
