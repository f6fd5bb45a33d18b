import Foundation
import PropertyBased
import Testing
import ApproxRates

/// A reproducible random network: `depth` layers, widths in 1...maxWidth, random weights with
/// every significand bit used, dense or sparse (about half the slots), mixed activations.
func randomNetwork(seed: UInt64, precision: Precision, inputs: Int, depth: Int, maxWidth: Int,
                   dense: Bool, activations: [Activation] = [.relu, .identity]) -> Network {
    var rng = SeededGenerator(seed: seed)
    var width = inputs
    var layers: [AffineLayer] = []
    for l in 0..<depth {
        let outputs = l == depth - 1 ? Int.random(in: 1...2, using: &rng) : Int.random(in: 1...maxWidth, using: &rng)
        var entries: [(row: Int, column: Int, weight: BigFloat)] = []
        for i in 0..<outputs { for j in 0..<width where dense || Bool.random(using: &rng) {
            entries.append((i, j, randomBigFloat(precision: precision, seed: rng.next(), exponent: Int.random(in: -3...3, using: &rng))))
        } }
        let bias = (0..<outputs).map { _ in randomBigFloat(precision: precision, seed: rng.next(), exponent: Int.random(in: -3...1, using: &rng)) }
        let acts = (0..<outputs).map { _ in activations[Int.random(in: 0..<activations.count, using: &rng)] }
        layers.append(testLayer(inputs: width, entries: entries, bias: bias, activations: acts, precision: precision, dense: dense))
        width = outputs
    }
    return try! Network(inputDimension: inputs, layers: layers, metadata: ["seed": "\(seed)"])
}

/// A dense layer (entries listing every slot, row by row) or a sparse one from the same entries.
func testLayer(inputs: Int, entries: [(row: Int, column: Int, weight: BigFloat)], bias: [BigFloat],
               activations: [Activation], precision: Precision, dense: Bool) -> AffineLayer {
    if dense {
        let rows = bias.indices.map { i in entries.filter { $0.row == i }.map(\.weight) }
        return try! AffineLayer(rows: rows, bias: bias, activations: activations, precision: precision)
    }
    return try! AffineLayer(inputCount: inputs, outputCount: bias.count, entries: entries, bias: bias,
                            activations: activations, precision: precision)
}

typealias SeededGenerator = SplitMix64

func sameNetwork(_ a: Network, _ b: Network) -> Bool {
    guard a.inputDimension == b.inputDimension, a.layers.count == b.layers.count, a.metadata == b.metadata else { return false }
    for (x, y) in zip(a.layers, b.layers) {
        guard x.inputCount == y.inputCount, x.outputCount == y.outputCount, x.precision == y.precision,
              x.isDense == y.isDense, x.rowStart == y.rowStart, x.columns == y.columns, x.activations == y.activations,
              zip(x.weights, y.weights).allSatisfy({ $0.isIdentical(to: $1) }),
              zip(x.bias, y.bias).allSatisfy({ $0.isIdentical(to: $1) }) else { return false }
    }
    return true
}

@Suite struct NetworkTests {
    @Test func jsonRoundTripIsBitExact() async {
        await propertyCheck(count: 40, input: Gen.int(in: 64...8192), Gen.uint64(in: 0...UInt64.max), Gen.bool) { bits, seed, dense in
            let net = randomNetwork(seed: seed, precision: try! Precision(bits: bits), inputs: 3, depth: 3, maxWidth: 5, dense: dense)
            let back = try! NetworkFile.decode(Data(NetworkFile.encode(net).utf8))
            #expect(sameNetwork(net, back))
        }
    }

    /// With small-integer weights and dyadic inputs every operation is exact, in MPFR at 53 bits
    /// and in float64 (BLAS or not), so the two agree bit for bit.
    @Test func mpfrAt53BitsEqualsDoubleWhenExact() async {
        await propertyCheck(count: 60, input: Gen.uint64(in: 0...UInt64.max), Gen.bool) { seed, dense in
            mpfrAt53BitsEqualsDouble(seed: seed, dense: dense)
        }
    }

    /// Failures the property test found, frozen.
    @Test(arguments: [(UInt64(4690321045050006382), true)])
    func mpfrAt53BitsEqualsDoubleFound(seed: UInt64, dense: Bool) {
        mpfrAt53BitsEqualsDouble(seed: seed, dense: dense)
    }

    func mpfrAt53BitsEqualsDouble(seed: UInt64, dense: Bool) {
            var rng = SeededGenerator(seed: seed)
            var width = 2
            var squared = false
            var layers: [AffineLayer] = []
            for l in 0..<4 {
                let outputs = l == 3 ? 1 : Int.random(in: 1...8, using: &rng)
                let rows = (0..<outputs).map { _ in (0..<width).map { _ in Double(Int.random(in: -4...4, using: &rng)) } }
                let bias = (0..<outputs).map { _ in Double(Int.random(in: -8...8, using: &rng)) / 4 }
                // At most one squaring layer: two would need 54 bits (magnitude up to 2^38 with 16
                // fraction bits), and the "every operation exact" premise would fail (seed
                // 4690321045050006382 found it).
                let choices: [Activation] = squared ? [.relu, .identity, .step] : [.relu, .identity, .step, .reluPower(2)]
                let act: Activation = l == 3 ? .identity : choices[Int.random(in: 0..<choices.count, using: &rng)]
                if act == .reluPower(2) { squared = true }
                if dense {
                    layers.append(try! AffineLayer.dense(rows, bias: bias, activation: act))
                } else {
                    let entries = rows.enumerated().flatMap { i, r in r.enumerated().compactMap { j, w in w == 0 ? nil : (row: i, column: j, weight: w) } }
                    layers.append(try! AffineLayer.sparse(inputs: width, entries: entries, bias: bias, activation: act))
                }
                width = outputs
            }
            let net = try! Network(inputDimension: 2, layers: layers)
            let points = (0..<40).map { _ in [Double(Int.random(in: -64...64, using: &rng)) / 16, Double(Int.random(in: -64...64, using: &rng)) / 16] }
            let fp = try! DoubleEvaluator(network: net).evaluate(points)
            let mp = try! MPFREvaluator(network: net, precision: .double).evaluate(points.map { $0.map { BigFloat($0) } })
            for (a, b) in zip(fp, mp) { #expect(a[0].bitPattern == b[0].toDouble().bitPattern && b[0].isFinite, "\(a[0]) vs \(b[0]) seed \(seed)") }
    }

    /// The evaluator's short-weight paths (±1 as an add, short significands as `mpfr_mul_si` and
    /// an exact power-of-two scaling) give the bits of the documented semantics, computed here
    /// one `mpfr_mul` and one `mpfr_add` at a time, signed zeros included.
    @Test func shortWeightPathsGiveTheDocumentedBits() async {
        await propertyCheck(count: 40, input: Gen.uint64(in: 0...UInt64.max), Gen.bool) { seed, dense in
            evaluatorMatchesReference(seed: seed, dense: dense)
        }
    }

    func evaluatorMatchesReference(seed: UInt64, dense: Bool) {
        var rng = SeededGenerator(seed: seed)
        let p = try! Precision(bits: Int.random(in: 60...700, using: &rng))
        // Every kind of weight: ±1, small integers and zero, dyadic rationals with up to 62
        // significant bits, 2^62 ± 1 (just too long), and full-precision random numbers.
        func weight() -> BigFloat {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return BigFloat(Bool.random(using: &rng) ? 1 : -1, precision: p)
            case 1:
                let v = Int.random(in: -9...9, using: &rng)
                return v == 0 && Bool.random(using: &rng) ? BigFloat(-0.0, precision: p) : BigFloat(v, precision: p)   // ±0 too
            case 2:
                let m = Int.random(in: -(1 << 61)...(1 << 61), using: &rng) | 1
                return BigFloat(m, precision: p).scaled(byPowerOfTwo: Int.random(in: -90...30, using: &rng))
            case 3: return BigFloat((1 << 62) + (Bool.random(using: &rng) ? 1 : -1), precision: p)
                .scaled(byPowerOfTwo: Int.random(in: -70...0, using: &rng))
            default: return randomBigFloat(precision: p, seed: rng.next(), exponent: Int.random(in: -3...3, using: &rng))
            }
        }
        var width = 2
        var layers: [AffineLayer] = []
        for l in 0..<4 {
            let outputs = l == 3 ? 1 : Int.random(in: 1...6, using: &rng)
            let entries = (0..<outputs).flatMap { i in (0..<width).compactMap { j -> (row: Int, column: Int, weight: BigFloat)? in
                dense || Bool.random(using: &rng) ? (row: i, column: j, weight: weight()) : nil
            } }
            let bias = (0..<outputs).map { _ in Int.random(in: 0..<3, using: &rng) == 0 ? BigFloat(0, precision: p) : weight() }
            let acts: [Activation] = (0..<outputs).map { _ in l < 3 && Bool.random(using: &rng) ? .relu : .identity }
            layers.append(testLayer(inputs: width, entries: entries, bias: bias, activations: acts, precision: p, dense: dense))
            width = outputs
        }
        let net = try! Network(inputDimension: 2, layers: layers)
        let points = (0..<12).map { k in (0..<2).map { _ in k == 0 ? BigFloat(0, precision: p) : weight() } }
        let got = try! MPFREvaluator(network: net, precision: p).evaluate(points)
        for (point, value) in zip(points, got) {
            var x = point
            for layer in net.layers {
                x = (0..<layer.outputCount).map { i in
                    var acc = layer.bias[i]
                    for (j, w) in layer.row(i) { acc = acc.adding(w.multiplied(by: x[j], precision: p), precision: p) }
                    return layer.activations[i] == .relu && acc <= BigFloat(0, precision: p) ? BigFloat(0, precision: p) : acc
                }
            }
            #expect(x[0].isIdentical(to: value[0]), "seed \(seed) dense \(dense): \(x[0]) vs \(value[0])")
        }
    }

    /// Threads split the batch, never the arithmetic: one thread and all threads agree bit for bit.
    @Test func batchEvaluationIsIndependentOfThreads() throws {
        let net = randomNetwork(seed: 7, precision: try Precision(bits: 256), inputs: 2, depth: 4, maxWidth: 16, dense: true)
        let evaluator = MPFREvaluator(network: net, precision: try Precision(bits: 256))
        let points = (0..<64).map { k in [BigFloat(Double(k) / 64), BigFloat(1 - Double(k) / 32)] }
        let one = try evaluator.evaluate(points, threads: 1), all = try evaluator.evaluate(points, threads: 2)
        for (a, b) in zip(one, all) { #expect(a[0].isIdentical(to: b[0])) }
        let d1 = try DoubleEvaluator(network: net).evaluate(points.map { $0.map { $0.toDouble() } }, threads: 1)
        let d2 = try DoubleEvaluator(network: net).evaluate(points.map { $0.map { $0.toDouble() } }, threads: 2)
        #expect(d1 == d2)
    }

    @Test func toothAndSawtoothCountsAndPieces() throws {
        let g = Sawtooth.tooth()
        #expect(g.counts.weightsAll == 10 && g.counts.depth == 2 && g.counts.widths == [3])
        #expect(g.counts.weightsNonzero == 8)   // two zero biases
        for s in 1...8 {
            let gs = Sawtooth.sawtooth(s)
            #expect(gs.counts.depth == 2 * s && gs.counts.weightsAll == 10 * s)
            let pieces = try gs.linearPieces(from: BigFloat(0.0), to: BigFloat(1.0))
            #expect(pieces.count == 1 << s)
            #expect(pieces.count <= gs.counts.pieceBound)
            #expect(pieces.coefficientsExact && pieces.breakpointsExact)
        }
    }

    @Test func linearPiecesReproduceTheNetwork() async {
        await propertyCheck(count: 25, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            let p = try! Precision(bits: 128)
            let net = randomNetwork(seed: seed, precision: p, inputs: 1, depth: 3, maxWidth: 6, dense: Bool.random())
            let pieces = try! net.linearPieces(from: BigFloat(-2.0), to: BigFloat(2.0), precision: try! Precision(bits: 2048))
            #expect(pieces.coefficientsExact)
            #expect(pieces.count <= net.counts.pieceBound)
            let evaluator = MPFREvaluator(network: net, precision: try! Precision(bits: 2048))
            for k in 0..<pieces.count {
                // An interior point of piece k: the midpoint of its knots.
                let mid = pieces.knots[k].adding(pieces.knots[k + 1], precision: try! Precision(bits: 2048)).scaled(byPowerOfTwo: -1)
                let y = try! evaluator.evaluate([[mid]])[0]
                for o in 0..<net.outputDimension {
                    let line = pieces.slopes[k][o].multiplied(by: mid, precision: try! Precision(bits: 4200)).adding(pieces.intercepts[k][o])
                    let gap = line.subtracting(y[o]).magnitude()
                    #expect(gap < BigFloat(1.0).scaled(byPowerOfTwo: -1900))
                }
            }
        }
    }

    @Test func pieceSweepMatchesTheGeneralEnumeration() async {
        await propertyCheck(count: 40, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...5)) { seed, depth in
            let p = try! Precision(bits: 96)
            var net = randomNetwork(seed: seed, precision: p, inputs: 1, depth: depth, maxWidth: 7, dense: Bool.random())
            if net.outputDimension > 1 {
                net = try! net.postAffine(rows: [Array(repeating: BigFloat(1.0), count: net.outputDimension)], bias: [BigFloat(0.0)])
            }
            let wide = try! Precision(bits: 2048)
            let general = try! net.linearPieces(from: BigFloat(-3.0), to: BigFloat(3.0), precision: wide)
            let sweep = try! net.sweptPieces(from: BigFloat(-3.0), to: BigFloat(3.0), precision: wide)
            #expect(sweep.count == general.count, "seed \(seed)")
            for k in 0..<min(sweep.count, general.count) {
                #expect(sweep.knots[k + 1].subtracting(general.knots[k + 1]).magnitude() < BigFloat(1.0).scaled(byPowerOfTwo: -1800))
                #expect(sweep.slopes[k].subtracting(general.slopes[k][0]).magnitude() < BigFloat(1.0).scaled(byPowerOfTwo: -1800))
            }
        }
    }

    // The sweep over many intervals runs them on several threads, one reused sweeper per thread:
    // the pieces (and traces) are those of one fresh sweep per interval, bit for bit.
    @Test func sweepsOverIntervalsAreOneSweepEach() async {
        await propertyCheck(count: 30, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...4), Gen.int(in: 1...9)) { seed, depth, cuts in
            let p = try! Precision(bits: 160)
            var net = randomNetwork(seed: seed, precision: p, inputs: 1, depth: depth, maxWidth: 7, dense: Bool.random())
            if net.outputDimension > 1 {
                net = try! net.postAffine(rows: [Array(repeating: BigFloat(1.0), count: net.outputDimension)], bias: [BigFloat(0.0)])
            }
            // [−3, 3] cut at `cuts` points, each interval shrunk by a gap (as the search's zones do).
            let ends = (0...cuts + 1).map { -3.0 + 6.0 * Double($0) / Double(cuts + 1) }
            let intervals = (0...cuts).map { (lower: BigFloat(ends[$0] + 0.01, precision: p), upper: BigFloat(ends[$0 + 1] - 0.01, precision: p)) }
            let together = try! net.sweptPieces(over: intervals, precision: p, recordTrace: true, threads: 3)
            let alone = intervals.map { try! net.sweptPieces(from: $0.lower, to: $0.upper, precision: p, recordTrace: true) }
            #expect(together.count == alone.count)
            for (a, b) in zip(together, alone) {
                #expect(a.knots == b.knots && a.slopes == b.slopes && a.intercepts == b.intercepts && a.updates == b.updates, "seed \(seed)")
                #expect(a.trace?.events == b.trace?.events && a.trace?.updateUnits == b.trace?.updateUnits, "seed \(seed)")
            }
            // The budgets bound the totals over all intervals.
            let pieces = alone.map(\.count).reduce(0, +), updates = alone.map(\.updates).reduce(0, +)
            #expect((try? net.sweptPieces(over: intervals, precision: p, maximumPieces: pieces, maximumUpdates: updates, threads: 3)) != nil, "seed \(seed)")
            #expect(throws: NetworkError.unsupported("more than \(pieces - 1) linear pieces")) {
                try net.sweptPieces(over: intervals, precision: p, maximumPieces: pieces - 1, threads: 3)
            }
            if updates > 0 {
                #expect(throws: NetworkError.unsupported("the sweep passed \(updates - 1) unit updates (hidden units switch far more often than the output)")) {
                    try net.sweptPieces(over: intervals, precision: p, maximumUpdates: updates - 1, threads: 3)
                }
            }
        }
    }

    @Test func composeIsFunctionComposition() async {
        await propertyCheck(count: 30, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            let p = try! Precision(bits: 200)
            let g = randomNetwork(seed: seed, precision: p, inputs: 2, depth: 2, maxWidth: 4, dense: true)
            let f = randomNetwork(seed: seed &+ 1, precision: p, inputs: g.outputDimension, depth: 3, maxWidth: 4, dense: false)
            let fg = try! f.composed(after: g)
            #expect(fg.counts.weightsAll == f.counts.weightsAll + g.counts.weightsAll)
            #expect(fg.counts.depth == f.counts.depth + g.counts.depth)
            let x = [[BigFloat(0.3), BigFloat(-0.7)], [BigFloat(1.25), BigFloat(2.0)]]
            let inner = try! MPFREvaluator(network: g, precision: p).evaluate(x)
            let direct = try! MPFREvaluator(network: f, precision: p).evaluate(inner)
            let composed = try! MPFREvaluator(network: fg, precision: p).evaluate(x)
            for (a, b) in zip(direct, composed) { #expect(zip(a, b).allSatisfy { $0.isIdentical(to: $1) }) }
        }
    }

    @Test func parallelStacksAndPadsWithExactCounts() async {
        await propertyCheck(count: 30, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...4), Gen.int(in: 1...4)) { seed, d1, d2 in
            let p = try! Precision(bits: 150)
            let a = randomNetwork(seed: seed, precision: p, inputs: 2, depth: d1, maxWidth: 4, dense: true)
            let b = randomNetwork(seed: seed &+ 9, precision: p, inputs: 2, depth: d2, maxWidth: 4, dense: false)
            let both = try! Network.parallel([a, b])
            let depth = max(d1, d2)
            // Padding: 2 slots (weight 1, bias 0) per channel of the shorter branch per extra layer.
            let padding = 2 * (d1 < d2 ? a.outputDimension * (d2 - d1) : b.outputDimension * (d1 - d2))
            #expect(both.counts.weightsAll == a.counts.weightsAll + b.counts.weightsAll + padding)
            #expect(both.counts.depth == depth)
            let x = [[BigFloat(0.5), BigFloat(-1.5)], [BigFloat(3.0), BigFloat(0.125)]]
            let ya = try! MPFREvaluator(network: a, precision: p).evaluate(x)
            let yb = try! MPFREvaluator(network: b, precision: p).evaluate(x)
            let y = try! MPFREvaluator(network: both, precision: p).evaluate(x)
            for k in 0..<x.count { #expect(zip(ya[k] + yb[k], y[k]).allSatisfy { $0.isIdentical(to: $1) }) }
            // Sum: the same function as adding the outputs; fused (no extra layer) when exact.
            let c = randomNetwork(seed: seed &+ 5, precision: p, inputs: 2, depth: d2, maxWidth: 4, dense: true)
            guard c.outputDimension == a.outputDimension else { return }
            let s = try! Network.sum([a, c])
            let yc = try! MPFREvaluator(network: c, precision: p).evaluate(x)
            let wide = try! Precision(bits: 600)
            let ys = try! MPFREvaluator(network: s, precision: wide).evaluate(x)
            for k in 0..<x.count { for o in 0..<a.outputDimension {
                let expected = try! MPFREvaluator(network: a, precision: wide).evaluate([x[k]])[0][o]
                    .adding(try! MPFREvaluator(network: c, precision: wide).evaluate([x[k]])[0][o], precision: wide)
                #expect(ys[k][o].subtracting(expected).magnitude() <= BigFloat(1.0).scaled(byPowerOfTwo: -550))
                _ = yc
            } }
        }
    }

    @Test func affinePreAndPostMapsKeepTheFunction() throws {
        let p = try Precision(bits: 128)
        let f = randomNetwork(seed: 42, precision: p, inputs: 2, depth: 3, maxWidth: 5, dense: true)
        let rows = [[BigFloat(2.0), BigFloat(-1.0)], [BigFloat(0.5), BigFloat(0.25)]]
        let shift = [BigFloat(0.125), BigFloat(-3.0)]
        let pre = try f.preAffine(rows: rows, bias: shift)
        #expect(pre.counts.depth == f.counts.depth)   // fused exactly into the first layer
        let x: [[BigFloat]] = [[BigFloat(0.75), BigFloat(-0.5)]]
        let wide = try Precision(bits: 1000)
        let moved = [BigFloat(2 * 0.75 + 0.5 + 0.125), BigFloat(0.5 * 0.75 - 0.125 - 3.0)]
        let a = try MPFREvaluator(network: pre, precision: wide).evaluate(x)[0][0]
        let b = try MPFREvaluator(network: f, precision: wide).evaluate([moved])[0][0]
        #expect(a.subtracting(b).magnitude() < BigFloat(1.0).scaled(byPowerOfTwo: -900))
        let post = try f.postAffine(rows: [[BigFloat(4.0)] + Array(repeating: BigFloat(0.0), count: f.outputDimension - 1)], bias: [BigFloat(1.0)])
        let c = try MPFREvaluator(network: post, precision: wide).evaluate(x)[0][0]
        let d = try MPFREvaluator(network: f, precision: wide).evaluate(x)[0][0]
        #expect(c.subtracting(d.multiplied(by: BigFloat(4.0)).adding(BigFloat(1.0))).magnitude() < BigFloat(1.0).scaled(byPowerOfTwo: -900))
    }

    @Test func squaringNetworkMatchesTheTheoremExactly() throws {
        for m in [1, 5, 20, 40] {
            let net = Squaring.network(m: m)
            #expect(net.counts.weightsAll == 10 * m && net.counts.depth == m + 1)
            let p = try Precision(bits: 2 * m + 10)
            let k = (1 << min(m, 40)) / 3
            let x = BigFloat(2 * k + 1, precision: p).scaled(byPowerOfTwo: -m - 1)
            let y = try MPFREvaluator(network: net, precision: p).evaluate([[x]])[0][0]
            let wide = try Precision(bits: 4 * m + 20)
            #expect(y.subtracting(x.multiplied(by: x, precision: wide), precision: wide) == Squaring.theoreticalError(m: m))
            #expect(y.subtracting(x.multiplied(by: x, precision: wide), precision: wide).isExact)
        }
        let pieces = try Squaring.network(m: 10).linearPieces(from: BigFloat(0.0), to: BigFloat(1.0))
        #expect(pieces.count == 1024)
    }
}
