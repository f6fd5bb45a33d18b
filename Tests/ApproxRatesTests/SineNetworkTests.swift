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
