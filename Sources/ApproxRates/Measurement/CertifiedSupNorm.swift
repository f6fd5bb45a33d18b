import CMPFR
import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule

/// Proof-grade sup norms: a branch and bound over boxes of [0, 1]^d that returns a
/// ``CertifiedBound`` lower ≤ ‖f − net‖_∞ ≤ upper.
///
/// On a box B with centre c, the network is enclosed as an affine form plus a remainder
/// (``NetworkEnclosure``: exact on a linear piece, the chord relaxation where units switch) and
/// the target as a first-order centred form (``ExpressionEnclosure``). Their difference g = f − net
/// is enclosed twice, as C_g + ∇_g·(B − c) + R_g (the mean-value form, whose width shrinks like
/// the square of the box where g is smooth, so that boxes near a smooth maximum are settled
/// quickly) and as the naive difference of ranges (which is what bounds a cusp such as
/// |x − 1/3|^r from above, where no derivative exists), and the intersection bounds |g| on B.
///
/// The boxes are kept in a heap by upper bound. The largest is split in half along its widest
/// side until the largest upper bound is within (1 + gap) of the best lower bound, or the box
/// budget runs out, which the result then says. A lower bound is a point enclosure of |g| at the
/// centre of each box taken from the heap, and at the sampled search's maximiser when one is
/// given. Every box ever made belongs to a cover of [0, 1]^d, so the
/// returned upper bound, the largest over the leaves, holds everywhere: nothing is sampled,
/// nothing is skipped.
///
/// 1-D networks that the piece sweep handles are handed the sweep's record: its pieces, replayed
/// in ball arithmetic (``NetworkEnclosure/enclosedPieces(_:precision:)``), are the starting boxes,
/// each with a proved line reused by every sub-box (only the target needs refining there).
/// Intervals given as zones (the cut-off zones of the deep constructions, where the network folds
/// too often to sweep) start as ordinary boxes.
///
/// The starting boxes are dealt to one search per thread; the searches share the best lower bound.
/// Once the gap is met, each takes up its 32 highest settled boxes again at a thousandth of the
/// gap for a bounded number of boxes (the polish), which moves the lower bound to the maximum.
public enum CertifiedSupNorm {
    /// How hard to work for the bound.
    public struct Options: Sendable {
        /// Stop once upper ≤ (1 + gap)·lower (default 1 %).
        public var gap: Double = 0.01
        /// Most boxes enclosed before stopping (the result then reports the gap it reached).
        public var maximumBoxes: Int = 4_000_000
        /// Threads for the replay of the sweeps and the branch and bound (default: all cores).
        public var threads: Int?
        /// Starting boxes per axis when no pieces are given (default 64, 16, 8 for d = 1, 2, 3).
        public var cellsPerAxis: Int?
        /// Default options.
        public init(gap: Double = 0.01, maximumBoxes: Int = 4_000_000, threads: Int? = nil) {
            self.gap = gap; self.maximumBoxes = maximumBoxes; self.threads = threads
        }
    }

    /// A 1-D starting partition of [0, 1]: the sweeps of the intervals between the zones (each
    /// replayed in ball arithmetic into rigorous lines, ``NetworkEnclosure/enclosedPieces(_:precision:)``)
    /// and the zones (the cut-off zones of the deep constructions, enclosed box by box).
    public struct Partition: Sendable {
        /// The recorded sweeps.
        public var sweeps: [SweepTrace]
        /// The intervals left out of the sweeps.
        public var zones: [(lower: BigFloat, upper: BigFloat)]
        /// A partition from sweeps and zones.
        public init(sweeps: [SweepTrace], zones: [(lower: BigFloat, upper: BigFloat)]) { self.sweeps = sweeps; self.zones = zones }
    }

    /// Certifies ‖target − network‖_∞ on [0, 1]^d.
    /// - Parameters:
    ///   - precision: the working precision of the measurement; balls use
    ///     max(precision, the weights' precision) + 64 bits.
    ///   - start: a 1-D partition of [0, 1] (the sweeps' traces and the zones), or nil for a grid.
    ///   - hint: the sampled search's maximiser, whose point enclosure seeds the lower bound.
    public static func certify(_ network: Network, against target: Target, precision: Precision, options: Options,
                               start: Partition? = nil, hint: [BigFloat]? = nil) throws -> CertifiedBound {
        let clock = Date()
        let d = target.dimension
        guard network.inputDimension == d, network.outputDimension == 1 else {
            throw MeasurementError("certification needs a network with \(d) inputs and 1 output")
        }
        guard options.gap.isFinite, options.gap > 0 else { throw MeasurementError("the gap must be a positive number, not \(options.gap)") }
        // Balls wide enough that a weight times a coordinate of `precision` bits is exact: the
        // deep constructions multiply codes of hundreds of bits by x through plateaus whose
        // saturated ramps must cancel exactly, and any rounding there is multiplied by the base
        // at every digit extracted.
        let ballBits = Precision(uncheckedBits: network.weightPrecision.bits + precision.bits + Precision.Margin.exactProduct)
        let boxBits = Precision(uncheckedBits: network.weightPrecision.bits + precision.bits + Precision.Margin.boxEnds)
        let net = try NetworkEnclosure(network: network, precision: ballBits)
        let best = Best()
        var startLines: [BallArray] = []

        // Starting boxes.
        var starts: [Box] = []
        var zoneCount = 0
        if let start, d == 1 {
            // The lines of the swept intervals, replayed in balls at the sweep's own precision
            // (the forms are uncentred: x·S cancels against C where the plateaus are flat).
            let replayBits = Precision(uncheckedBits: boxBits.bits)
            let parts = start.sweeps
            var replayed = Array(repeating: EnclosedPieces?.none, count: parts.count)
            replayed.withUnsafeMutableBufferPointer { out in
                let sink = UncheckedSendable(value: (out, net))
                BatchParallelism.forEachChunk(count: parts.count, threads: BatchParallelism.threadCount(for: parts.count, requested: options.threads)) { _, range in
                    for i in range { sink.value.0[i] = sink.value.1.enclosedPieces(parts[i], precision: replayBits) }
                }
            }
            for pieces in replayed.compactMap({ $0 }) {
                for k in 0..<pieces.count {
                    let b = MPFRArray(count: 2, precision: boxBits)
                    pieces.knots[k].copy(into: b[0], rounding: .down); pieces.knots[k + 1].copy(into: b[1], rounding: .up)
                    let line = BallArray(count: 4)      // [centre 0, C, S, R]
                    carb_set(line[1], pieces.forms[3 * k]); carb_set(line[2], pieces.forms[3 * k + 1]); carb_set(line[3], pieces.forms[3 * k + 2])
                    startLines.append(line)
                    starts.append(Box(ends: b, line: startLines.count - 1))
                }
            }
            for z in start.zones {
                let b = MPFRArray(count: 2, precision: boxBits)
                z.lower.copy(into: b[0], rounding: .down); z.upper.copy(into: b[1], rounding: .up)
                starts.append(Box(ends: b, line: -1))
                zoneCount += 1
            }
        } else {
            let n = options.cellsPerAxis ?? [64, 16, 8][Swift.min(d, 3) - 1]
            var index = Array(repeating: 0, count: d)
            repeat {
                let b = MPFRArray(count: 2 * d, precision: boxBits)
                for k in 0..<d {
                    mpfr_set_si(b[k], index[k], MPFR_RNDN); mpfr_div_si(b[k], b[k], n, MPFR_RNDD)
                    mpfr_set_si(b[d + k], index[k] + 1, MPFR_RNDN); mpfr_div_si(b[d + k], b[d + k], n, MPFR_RNDU)
                }
                starts.append(Box(ends: b, line: -1))
                var k = 0
                while k < d { index[k] += 1; if index[k] < n { break }; index[k] = 0; k += 1 }
                if k == d { break }
            } while true
        }
        func makeSearch(_ targetBits: Precision) -> Search {
            let s = Search(net: net, target: target, targetBits: targetBits, ballBits: ballBits, boxBits: boxBits, gap: options.gap, best: best)
            s.lines = startLines
            s.pointBits = precision.bits
            return s
        }
        var targetBits = ballBits
        if let hint, hint.count == d {
            makeSearch(ballBits).pointLower(MPFRArray(hint, precision: boxBits))
            // The target needs its balls only ~64 bits finer than the gap at the error's scale
            // (the network's forms keep their full precision).
            if best.lower > 0 {
                let bits = Swift.max(64, Int((-Foundation.log2(best.lower * options.gap)).rounded(.up)) + 64)
                if bits < ballBits.bits { targetBits = Precision(uncheckedBits: bits) }
            }
        }
        // One branch and bound per thread, over every T-th starting box, sharing the best lower
        // bound (so that each settles boxes against the best found anywhere).
        let threads = BatchParallelism.threadCount(for: starts.count, requested: options.threads, minimumPerThread: 8)
        let searches = (0..<threads).map { _ in makeSearch(targetBits) }
        let sink = UncheckedSendable(value: (searches, starts))
        let budget = Swift.max(1, options.maximumBoxes / threads)
        BatchParallelism.forEachChunk(count: threads, threads: threads) { _, range in
            let (searches, starts) = sink.value
            for t in range {
                let search = searches[t]
                for i in stride(from: t, to: starts.count, by: threads) { var b = starts[i]; search.evaluate(&b); search.offer(b) }
                search.run(maximumBoxes: budget)
                search.polish(boxes: Swift.max(512, search.boxes / 20))
            }
        }
        let upper = searches.map(\.upperBound).max() ?? 0
        let boxes = searches.reduce(0) { $0 + $1.boxes }, stuck = searches.reduce(0) { $0 + $1.stuck }
        let open = searches.reduce(0) { $0 + $1.openBoxes }
        let stop = searches.contains(where: \.hitBudget)
            ? "stopped at the budget of \(options.maximumBoxes) boxes with \(open) boxes above (1 + gap)·lower"
            : stuck > 0 ? "\(stuck) boxes could not be split further at \(boxBits.bits) bits" : "within the gap: upper ≤ (1 + \(options.gap))·lower"
        let startText = start != nil
            ? "\(starts.count - zoneCount) linear pieces (their lines proved by replaying the sweep in balls) and \(zoneCount) zones enclosed box by box"
            : "a \(Array(repeating: String(starts.count == 1 ? 1 : Int(pow(Double(starts.count), 1 / Double(d)).rounded())), count: d).joined(separator: "x")) grid of boxes"
        return CertifiedBound(lower: best.lower, upper: upper, argmax: best.point, requestedGap: options.gap, floor: searches[0].floor,
                              boxes: boxes, openBoxes: open, precision: ballBits,
                              method: "branch and bound from \(startText) on \(threads) thread\(threads == 1 ? "" : "s"); Arb balls at \(ballBits.bits) bits; \(boxes) boxes; " + stop,
                              seconds: Date().timeIntervalSince(clock))
    }

    /// A box: ends[k] = lower_k, ends[d + k] = upper_k; `line` indexes the fixed network form of
    /// its piece, or −1 when the network is enclosed on the box itself.
    struct Box {
        let ends: MPFRArray
        var line: Int
        var upper = Double.infinity
        /// 1-D: where the first relaxed unit of the box's network form crosses 0, when inside.
        var cut: MPFRArray? = nil
        /// A degenerate box (a point), whose form is not kept for reuse.
        var isPoint = false
        init(ends: MPFRArray, line: Int) { self.ends = ends; self.line = line }
    }

    /// The best lower bound found by any thread, and where (shared by the threads' searches).
    final class Best: @unchecked Sendable {
        // Sendable: every access holds the lock.
        private let lock = NSLock()
        private var value = 0.0
        private var at: [BigFloat] = []
        /// The largest proved lower bound of ‖f − net‖∞ so far.
        var lower: Double { lock.lock(); defer { lock.unlock() }; return value }
        /// Where it was proved.
        var point: [BigFloat] { lock.lock(); defer { lock.unlock() }; return at }
        /// Keeps `v` (proved at `x`) when it is larger.
        func offer(_ v: Double, at x: () -> [BigFloat]) {
            lock.lock(); defer { lock.unlock() }
            if v > value { value = v; at = x() }
        }
    }

    final class Search {
        let net: NetworkEnclosure
        let target: Target
        let f: ExpressionEnclosure
        let ws: NetworkEnclosure.Workspace
        let d: Int
        let p: Int
        let boxBits: Precision
        var gap: Double
        let b: BallArray              // scratch
        let nb: BallArray             // the box for the network: centre (d), offsets (d), their exact ends (2d)
        /// Bits of the centres and points the network is enclosed at (the measurement's precision).
        var pointBits = 64
        /// Network forms that hold on whole intervals (a sweep piece, or a box where no unit
        /// switched): [centre (d), C, S (d), R] each; a box with `line` ≥ 0 reuses one.
        var lines: [BallArray] = []
        var heap: [Box] = []
        /// The largest upper bound of the boxes settled and let go.
        var maxSettled = 0.0
        /// The settled boxes with the largest upper bounds (a min-heap of at most `keep`), which
        /// the polish takes up again: the maximum lies in one of them.
        var kept: [Box] = []
        var keep = 32
        let best: Best
        var bestLower: Double { best.lower }
        var boxes = 0
        var stuck = 0
        /// Whether the run stopped at its box budget, and how many boxes were then above the gap.
        var hitBudget = false, openBoxes = 0
        /// Scratch of the split: a width, then the cut point.
        let split: MPFRArray

        init(net: NetworkEnclosure, target: Target, targetBits: Precision, ballBits: Precision, boxBits: Precision, gap: Double, best: Best) {
            self.net = net; self.target = target; self.best = best
            f = ExpressionEnclosure(target.program, precision: targetBits)
            ws = net.makeWorkspace()
            d = target.dimension; p = ballBits.bits
            self.boxBits = boxBits; self.gap = gap
            b = BallArray(count: 10 + 4 * d)
            nb = BallArray(count: 4 * d)
            split = MPFRArray(count: 1, precision: boxBits)
        }

        var heapMax: Double { heap.first?.upper ?? 0 }
        /// The largest upper bound over every box of this search's cover.
        var upperBound: Double { Swift.max(maxSettled, heapMax, kept.map(\.upper).max() ?? 0) }
        /// Below this absolute size (2^-(ball bits)) two errors cannot be told apart at the working
        /// precision: an upper bound under it is settled whatever the lower bound (an exact network).
        var floor: Double { Foundation.pow(2, -Double(p)) }
        var threshold: Double { Swift.max((1 + gap) * bestLower, floor) }

        /// The network's form on the current box (f's centre and offsets) into C, S (d), R.
        func networkForm(_ box: inout Box, C: UnsafeMutablePointer<arb_struct>, S: UnsafeMutablePointer<arb_struct>, R: UnsafeMutablePointer<arb_struct>) {
            // A piece whose one form is loose (the sweep merged pieces with the same output line
            // while hidden units switched inside, and the relaxation of those units is wide) is
            // enclosed box by box like a zone, so that splitting it tightens the network too.
            if box.line >= 0, carb_abs_upper_d(lines[box.line][2 * d + 1]) > 1e-3 * gap * Swift.max(bestLower, floor) { box.line = -1 }
            if box.line >= 0 {
                let l = box.line
                // C_P + S_P·(c − c_P): re-centred at this box's centre.
                // C_P + S_P·(c − c_P): re-centred at this box's centre.
                let line = lines[l], t = b[7]
                carb_set(C, line[d])
                for k in 0..<d {
                    arb_sub(t, f.centrePoint + k, line[k], p)
                    arb_addmul(C, t, line[d + 1 + k], p)
                    carb_set(S + k, line[d + 1 + k])
                }
                carb_set(R, line[2 * d + 1])
            } else {
                // The box at the network's own precision (the target's balls may be coarser, and
                // a deep network's plateaus turn a box 2^-76 wide into garbage), then re-centred
                // at the target's centre: C + S·(c_f − c_n).
                let e = box.ends, t = b[7]
                for k in 0..<d {
                    // The centre rounded to the measurement's precision (so that weight × centre
                    // is exact), the offsets x − c over the whole box.
                    carb_set_interval_mpfr(nb[d + k], e[k], e[d + k], p)
                    carb_set(nb[k], nb[d + k]); carb_mid_exact(nb[k]); carb_round_mid(nb[k], Int(pointBits))
                    arb_sub(nb[d + k], nb[d + k], nb[k], p)
                    // The exact ends of the offsets (each rounded outward).
                    carb_set_mpfr(nb[2 * d + k], e[k]); arb_sub(nb[2 * d + k], nb[2 * d + k], nb[k], p)
                    carb_lower_ball(nb[2 * d + k], nb[2 * d + k], p)
                    carb_set_mpfr(nb[3 * d + k], e[d + k]); arb_sub(nb[3 * d + k], nb[3 * d + k], nb[k], p)
                    carb_upper_ball(nb[3 * d + k], nb[3 * d + k], p)
                }
                net.enclose(centre: nb.base, offsets: nb.base + d, ends: nb.base + 2 * d, workspace: ws, value: C, slopes: S, remainder: R)
                for k in 0..<d { arb_sub(t, f.centrePoint + k, nb[k], p); arb_addmul(C, t, S + k, p) }
                if !box.isPoint, carb_abs_upper_d(R) <= 1e-3 * gap * Swift.max(bestLower, floor) {
                    // The form is tight on this box (no unit switches, or only units whose
                    // effect on the output is negligible, such as the digit chain inside a
                    // cut-off zone): it holds on every sub-box, which reuse it.
                    let line = BallArray(count: 2 * d + 2)
                    for k in 0..<d { carb_set(line[k], f.centrePoint + k); carb_set(line[d + 1 + k], S + k) }
                    carb_set(line[d], C); carb_set(line[2 * d + 1], R)
                    lines.append(line)
                    box.line = lines.count - 1
                }
            }
        }

        /// Encloses |f − net| on the box: sets box.upper (rounded up; +∞ when unbounded).
        func evaluate(_ box: inout Box) {
            boxes += 1
            let e = box.ends
            f.enclose(lower: e[0], upper: e[d])
            let Cf = b[0], Rf = b[1], Vf = b[2], Cn = b[3], Rn = b[4], E = b[5], V = b[6], t = b[7]
            let Gf = b[8], Sn = b[8 + d]
            f.parts(centre: Cf, remainder: Rf, gradient: Gf, range: Vf)
            networkForm(&box, C: Cn, S: Sn, R: Rn)
            if box.line < 0, d == 1, let x = ws.firstCrossing {
                let m = MPFRArray(count: 1, precision: boxBits)
                carb_mid_mpfr(m[0], x)
                if mpfr_greater_p(m[0], e[0]) != 0 && mpfr_less_p(m[0], e[1]) != 0 { box.cut = m }
            }
            // Mean-value form of g = f − net.
            arb_sub(E, Cf, Cn, p)
            for k in 0..<d {
                arb_sub(t, Gf + k, Sn + k, p)
                arb_addmul(E, t, f.centredOffsets + k, p)
            }
            arb_add(E, E, Rf, p); arb_sub(E, E, Rn, p)
            // Naive difference of ranges.
            carb_set(t, Cn)
            for k in 0..<d { arb_addmul(t, Sn + k, f.centredOffsets + k, p) }
            arb_add(t, t, Rn, p)
            arb_sub(V, Vf, t, p)
            if carb_is_finite(V) != 0 {
                if carb_is_finite(E) == 0 { carb_set(E, V) } else {
                    carb_set(t, E)
                    if arb_intersection(E, t, V, p) == 0 { carb_set(E, V) }
                }
            }
            box.upper = carb_is_finite(E) != 0 ? carb_abs_upper_d(E) : .infinity
            if box.upper.isNaN { box.upper = .infinity }
        }

        /// A point enclosure of |f − net| at the box's centre; raises the best lower bound.
        func centreLower(_ box: Box) {
            let e = box.ends
            let m = MPFRArray(count: d, precision: boxBits)
            for k in 0..<d { mpfr_add(m[k], e[k], e[d + k], MPFR_RNDN); mpfr_div_2ui(m[k], m[k], 1, MPFR_RNDN) }
            pointLower(m, line: box.line)
        }

        /// A point enclosure of |f − net| at `point`; raises the best lower bound. `line` is the
        /// piece whose form holds there, if known.
        func pointLower(_ point: MPFRArray, line: Int = -1) {
            // The point rounded to `pointBits`, where the network's balls are exact.
            let m = MPFRArray(count: d, precision: Precision(uncheckedBits: pointBits))
            for k in 0..<d { cmpfr_set(m[k], point[k], MPFR_RNDN) }
            f.enclose(lower: m.base, upper: m.base)
            let Cn = b[3], Rn = b[4], E = b[5], Sn = b[8 + d]
            let ends = MPFRArray(count: 2 * d, precision: boxBits)
            for k in 0..<(2 * d) { cmpfr_set(ends[k], m[k % d], MPFR_RNDN) }
            var box = Box(ends: ends, line: line)
            box.isPoint = true
            networkForm(&box, C: Cn, S: Sn, R: Rn)
            f.result(into: E)
            arb_sub(E, E, Cn, p); arb_sub(E, E, Rn, p)
            guard carb_is_finite(E) != 0 else { return }
            let lower = carb_abs_lower_d(E)
            if lower > bestLower { best.offer(lower) { m.values } }
        }

        static func higher(_ a: Box, _ b: Box) -> Bool { a.upper > b.upper }
        static func lower(_ a: Box, _ b: Box) -> Bool { a.upper < b.upper }

        func offer(_ box: Box) {
            if box.upper <= threshold { settle(box); return }
            BinaryHeap.push(box, into: &heap, first: Search.higher)
        }

        func popMax() -> Box { BinaryHeap.pop(&heap, first: Search.higher) }

        /// Lets a box go (its upper bound is within the gap), keeping the `keep` largest.
        func settle(_ box: Box) {
            guard keep > 0 else { maxSettled = Swift.max(maxSettled, box.upper); return }
            if kept.count < keep { BinaryHeap.push(box, into: &kept, first: Search.lower); return }
            var out = box
            if box.upper > kept[0].upper {
                out = kept[0]; kept[0] = box
                BinaryHeap.siftDown(&kept, first: Search.lower)
            }
            maxSettled = Swift.max(maxSettled, out.upper)
        }

        /// After the gap is met: the kept boxes go back on the heap and the search goes on to a
        /// thousandth of the gap for at most `boxes` more boxes. This moves the lower bound up to
        /// the maximum (best first, it works where the maximum is) at a bounded cost; the upper
        /// bound is what every box's says, as before.
        func polish(boxes extra: Int) {
            guard !hitBudget, stuck == 0 else { return }
            let requested = gap
            keep = 0
            for b in kept { BinaryHeap.push(b, into: &heap, first: Search.higher) }
            kept = []
            gap = requested / 1000
            let stuckBefore = stuck
            run(maximumBoxes: boxes + extra)
            gap = requested
            hitBudget = false; openBoxes = 0; stuck = stuckBefore
        }

        /// Best first until the largest upper bound is within the gap or the budget is spent.
        /// A budget stop sets `hitBudget` and `openBoxes`; `stuck` counts boxes too narrow to split.
        func run(maximumBoxes: Int) {
            while let top = heap.first {
                if top.upper <= threshold { return }
                if boxes >= maximumBoxes {
                    hitBudget = true
                    openBoxes = heap.filter { $0.upper > threshold }.count
                    return
                }
                let box = popMax()
                // The largest box's centre is where a larger lower bound is likeliest.
                if box.line >= 0 { centreLower(box); if box.upper <= threshold { settle(box); continue } }
                // Split along the widest side.
                let e = box.ends
                var k = 0, widest = -1.0
                let w = split
                for j in 0..<d {
                    mpfr_sub(w[0], e[d + j], e[j], MPFR_RNDN)
                    let x = mpfr_get_d(w[0], MPFR_RNDN)
                    if x > widest { widest = x; k = j }
                }
                // At the crossing of the first relaxed unit (1-D), else in the middle.
                let mid = box.cut ?? split
                if box.cut == nil { mpfr_add(mid[0], e[k], e[d + k], MPFR_RNDN); mpfr_div_2ui(mid[0], mid[0], 1, MPFR_RNDN) }
                if mpfr_lessequal_p(mid[0], e[k]) != 0 || mpfr_greaterequal_p(mid[0], e[d + k]) != 0 {
                    // Too narrow to split at this precision: it stays a leaf as it is.
                    stuck += 1
                    maxSettled = Swift.max(maxSettled, box.upper)
                    continue
                }
                for half in 0..<2 {
                    let c = MPFRArray(count: 2 * d, precision: boxBits)
                    for j in 0..<(2 * d) { cmpfr_set(c[j], e[j], MPFR_RNDN) }
                    cmpfr_set(c[half == 0 ? d + k : k], mid[0], MPFR_RNDN)
                    var child = Box(ends: c, line: box.line)
                    evaluate(&child)
                    offer(child)
                }
            }
        }
    }
}
