import Foundation
import CMPFR
import PrecisionModule
import FileIOModule

/// The linear pieces of a one-input, one-output piecewise-linear network on an interval, found by
/// sweeping x from left to right: each unit keeps the affine form (slope, intercept in x) of its
/// pre-activation and output on the current piece, a heap holds the next zero crossing of every
/// ReLU unit, and when one crosses, only the units downstream of it are updated. The cost is
/// (pieces) × (units downstream of a switching unit) instead of the (pieces) × (weights) of
/// ``Network/linearPieces(from:to:precision:)``: for local constructions (interpolation,
/// Taylor + partition of unity) a few dozen operations per piece.
///
/// Forms are accumulated at `precision` (pick the network's precision plus ~128 bits: each piece's
/// line is then exact to far below anything measured); breakpoints are the roots −c/s rounded to
/// it. Neighbouring pieces with the same line are merged.
public struct SweptPieces: Sendable {
    /// Piece ends, increasing, from the interval's lower end to its upper end.
    public let knots: [BigFloat]
    /// Slope of the network on each piece.
    public let slopes: [BigFloat]
    /// Intercept of the network on each piece.
    public let intercepts: [BigFloat]
    /// Number of pieces.
    public var count: Int { slopes.count }
    /// Unit updates the sweep made (its work).
    public var updates: Int = 0
    /// Where units switched, when the sweep was asked to record it (see ``SweepTrace``).
    public var trace: SweepTrace? = nil
}

/// What a sweep saw, for replaying it in ball arithmetic (``NetworkEnclosure/enclosedPieces(_:)``):
/// the events (every x where some unit's pre-activation crossed 0, in increasing order, after
/// the interval's lower end as event 0) and, per event, the units the sweep re-decided there (the
/// units that crossed, and every unit downstream whose form changed with them). The values
/// are the sweep's rounded MPFR roots: a replay uses them only as the partition of the interval
/// and as the places to re-decide units, and proves every decision on its own.
public struct SweepTrace: Sendable {
    /// Event positions, increasing; events[0] is the interval's lower end.
    public var events: [BigFloat] = []
    /// The interval's upper end.
    public var upper: BigFloat
    /// Re-decision k happened at event `updateEvents[k]` (nondecreasing, from 1) to the global
    /// unit `updateUnits[k]` (units numbered layer by layer).
    public var updateEvents: [Int32] = []
    /// See `updateEvents`.
    public var updateUnits: [Int32] = []
}

extension Network {
    /// True when ``sweptPieces(from:to:precision:maximumPieces:)`` applies: one input, one output,
    /// identity and ReLU units only.
    public var isSweepable: Bool { inputDimension == 1 && outputDimension == 1 && isPiecewiseLinear }

    /// The linear pieces on [lower, upper]; throws for other networks or beyond `maximumPieces`.
    /// `maximumUpdates` bounds the work (unit re-decisions): a network whose hidden units switch
    /// far more often than its output (deep chains folding a ramp) is refused rather than
    /// swept for hours.
    /// With `recordTrace`, the result also carries the ``SweepTrace`` of its unit crossings.
    public func sweptPieces(from lower: BigFloat, to upper: BigFloat, precision: Precision,
                            maximumPieces: Int = 10_000_000, maximumUpdates: Int = 200_000_000,
                            recordTrace: Bool = false) throws -> SweptPieces {
        try sweptPieces(over: [(lower, upper)], precision: precision, maximumPieces: maximumPieces,
                        maximumUpdates: maximumUpdates, recordTrace: recordTrace, threads: 1)[0]
    }

    /// The linear pieces on each of `intervals`, in their order: the same pieces, bit for bit, as
    /// one ``sweptPieces(from:to:precision:maximumPieces:maximumUpdates:recordTrace:)`` (a fresh
    /// sweeper) per interval, swept on up to `threads` threads (default: all cores), each thread
    /// reusing one sweeper over a contiguous run of intervals. `maximumPieces` and `maximumUpdates` bound the
    /// totals over all intervals; passing either throws, whichever interval passed it.
    public func sweptPieces(over intervals: [(lower: BigFloat, upper: BigFloat)], precision: Precision,
                            maximumPieces: Int = 10_000_000, maximumUpdates: Int = 200_000_000,
                            recordTrace: Bool = false, threads: Int? = nil) throws -> [SweptPieces] {
        guard isSweepable else {
            throw NetworkError.unsupported("the piece sweep needs one input, one output and identity or relu units")
        }
        for (lower, upper) in intervals where !(lower < upper) {
            throw NetworkError.unsupported("the interval [\(lower), \(upper)] is empty")
        }
        var parts = [SweptPieces?](repeating: nil, count: intervals.count)
        let budget = SweepBudget(pieces: maximumPieces, updates: maximumUpdates)
        parts.withUnsafeMutableBufferPointer { out in
            let sink = UncheckedSendable(value: out)
            BatchParallelism.forEachChunk(count: intervals.count, threads: BatchParallelism.threadCount(for: intervals.count, requested: threads)) { _, range in
                let sweeper = PieceSweeper(network: self, precision: precision)
                for k in range {
                    guard let left = budget.remaining() else { return }
                    let (lower, upper) = intervals[k]
                    sweeper.maximumUpdates = left.updates
                    sweeper.trace = recordTrace ? SweepTrace(events: [BigFloat(lower, precision: precision)], upper: BigFloat(upper, precision: precision)) : nil
                    do {
                        let part = try sweeper.run(lower, upper, maximumPieces: left.pieces)
                        budget.spend(pieces: part.count, updates: part.updates)
                        sink.value[k] = part
                    } catch {
                        budget.fail(error as? SweepLimit ?? .pieces)   // run throws nothing else
                        return
                    }
                }
            }
        }
        if let limit = budget.failure { throw limit.error(maximumPieces: maximumPieces, maximumUpdates: maximumUpdates) }
        return parts.map { $0! }
    }
}

/// The budget a sweep passed.
private enum SweepLimit: Error {
    case pieces, updates

    /// The refusal, naming the budget given.
    func error(maximumPieces: Int, maximumUpdates: Int) -> NetworkError {
        switch self {
        case .pieces: return .unsupported("more than \(maximumPieces) linear pieces")
        case .updates: return .unsupported("the sweep passed \(maximumUpdates) unit updates (hidden units switch far more often than the output)")
        }
    }
}

/// What the sweeps of ``Network/sweptPieces(over:precision:maximumPieces:maximumUpdates:recordTrace:threads:)``
/// have left of their shared budgets, and the first budget passed (every access holds the lock).
private final class SweepBudget: @unchecked Sendable {
    private let lock = NSLock()
    private var pieces: Int, updates: Int
    private(set) var failure: SweepLimit? = nil
    init(pieces: Int, updates: Int) { self.pieces = pieces; self.updates = updates }
    /// What is left, or nil once a sweep has failed.
    func remaining() -> (pieces: Int, updates: Int)? {
        lock.lock(); defer { lock.unlock() }
        return failure == nil ? (pieces, updates) : nil
    }
    /// Takes a finished sweep's use off the budget: sweeps that ran side by side may together pass
    /// it, which is then the same failure as one sweep passing it.
    func spend(pieces used: Int, updates made: Int) {
        lock.lock(); defer { lock.unlock() }
        pieces -= used; updates -= made
        if failure == nil && pieces < 0 { failure = .pieces }
        if failure == nil && updates < 0 { failure = .updates }
    }
    func fail(_ limit: SweepLimit) { lock.lock(); if failure == nil { failure = limit }; lock.unlock() }
}

private final class PieceSweeper {
    let network: Network
    let precision: Precision
    let offset: [Int]            // first global unit index of each layer
    let layerOf: [Int]
    let weights: [MPFRArray]
    let pre: MPFRArray           // [s, c] per unit
    let out: MPFRArray           // [s, c] per unit
    let delta: MPFRArray         // [s, c] per unit, pending change of the output
    var relu: [Bool]
    var active: [Bool]
    var version: [Int]
    var dirty: [[Int]]
    var isDirty: [Bool]
    var dependents: [[(unit: Int, weight: Int)]]   // per global unit: (global unit, index into the next layer's weights)
    let scratch: MPFRArray
    let current: MPFRArray       // [x]
    let roots = RootPool()
    var heap: [(slot: Int, unit: Int, version: Int)] = []
    var updates = 0
    var maximumUpdates = Int.max
    var trace: SweepTrace? = nil

    init(network: Network, precision: Precision) {
        self.network = network
        self.precision = precision
        var offsets: [Int] = [], layerOf: [Int] = []
        var total = 0
        for (l, layer) in network.layers.enumerated() {
            offsets.append(total); total += layer.outputCount
            layerOf += Array(repeating: l, count: layer.outputCount)
        }
        offset = offsets
        self.layerOf = layerOf
        weights = network.layers.map { MPFRArray($0.weights, precision: precision) }
        pre = MPFRArray(count: 2 * total, precision: precision)
        out = MPFRArray(count: 2 * total, precision: precision)
        delta = MPFRArray(count: 2 * total, precision: precision)
        relu = network.layers.flatMap { $0.activations.map { $0 == .relu } }
        active = Array(repeating: true, count: total)
        version = Array(repeating: 0, count: total)
        dirty = Array(repeating: [], count: network.layers.count)
        isDirty = Array(repeating: false, count: total)
        dependents = Array(repeating: [], count: total)
        for l in 1..<Swift.max(1, network.layers.count) {
            let layer = network.layers[l]
            for i in 0..<layer.outputCount {
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] {
                    dependents[offsets[l - 1] + layer.columns[k]].append((offsets[l] + i, k))
                }
            }
        }
        scratch = MPFRArray(count: 4, precision: precision)
        current = MPFRArray(count: 1, precision: precision)
        roots.precision = precision
    }

    // MARK: heap of next crossings, ordered by root value

    func earlier(_ a: (slot: Int, unit: Int, version: Int), _ b: (slot: Int, unit: Int, version: Int)) -> Bool {
        mpfr_less_p(roots[a.slot], roots[b.slot]) != 0
    }

    func push(_ slot: Int, _ unit: Int) { BinaryHeap.push((slot, unit, version[unit]), into: &heap, first: earlier) }

    func popMin() { roots.release(BinaryHeap.pop(&heap, first: earlier).slot) }

    /// Invalidates u's pending crossing and schedules its next one strictly right of x.
    func schedule(_ u: Int) {
        version[u] += 1
        guard relu[u], cmpfr_zero_p(pre[2 * u]) == 0 else { return }
        // A form that is zero up to the rounding of its incremental updates has no crossing:
        // its root would be noise, and following it would flip the unit back and forth.
        if isNoise(pre[2 * u]) && isNoise(pre[2 * u + 1]) { return }
        let slot = roots.acquire()
        let r = roots[slot]
        mpfr_div(r, pre[2 * u + 1], pre[2 * u], MPFR_RNDN)
        mpfr_neg(r, r, MPFR_RNDN)
        if mpfr_greater_p(r, current[0]) != 0 { push(slot, u) } else { roots.release(slot) }
    }

    /// |v| ≤ 2^(−(precision − 64)): below anything a weight or an input of the network can make,
    /// only what rounding leaves behind when contributions that cancel are added one by one.
    func isNoise(_ v: UnsafePointer<__mpfr_struct>) -> Bool {
        cmpfr_zero_p(v) != 0 || Int(cmpfr_get_exp(v)) < -(precision.bits - 64)
    }

    /// Whether u's pre-activation is positive just right of x (its slope decides at a zero, and
    /// a value within rounding of zero counts as zero).
    func positiveRight(_ u: Int) -> Bool {
        let s = pre[2 * u], c = pre[2 * u + 1], v = scratch[0], m = scratch[1]
        mpfr_mul(v, s, current[0], MPFR_RNDN)
        mpfr_abs(m, v, MPFR_RNDN)
        mpfr_add(v, v, c, MPFR_RNDN)
        mpfr_abs(scratch[2], c, MPFR_RNDN)
        mpfr_add(m, m, scratch[2], MPFR_RNDN)
        mpfr_mul_2si(m, m, -(precision.bits - 16), MPFR_RNDN)
        mpfr_abs(scratch[2], v, MPFR_RNDN)
        if mpfr_lessequal_p(scratch[2], m) != 0 { return cmpfr_sgn(s) > 0 }
        return cmpfr_sgn(v) > 0
    }

    func markDirty(_ u: Int) { if !isDirty[u] { isDirty[u] = true; dirty[layerOf[u]].append(u) } }

    /// Re-decides every dirty unit, layer by layer, and pushes output changes downstream.
    func settle(from firstLayer: Int) {
        let t = scratch[3]
        for l in firstLayer..<network.layers.count {
            let units = dirty[l]
            dirty[l].removeAll(keepingCapacity: true)
            updates += units.count
            if trace != nil {
                let event = Int32(trace!.events.count - 1)
                for u in units { trace!.updateEvents.append(event); trace!.updateUnits.append(Int32(u)) }
            }
            for u in units {
                isDirty[u] = false
                let now = relu[u] ? positiveRight(u) : true
                // delta = new output − old output
                if now {
                    mpfr_sub(delta[2 * u], pre[2 * u], out[2 * u], MPFR_RNDN)
                    mpfr_sub(delta[2 * u + 1], pre[2 * u + 1], out[2 * u + 1], MPFR_RNDN)
                    cmpfr_set(out[2 * u], pre[2 * u], MPFR_RNDN); cmpfr_set(out[2 * u + 1], pre[2 * u + 1], MPFR_RNDN)
                } else {
                    mpfr_neg(delta[2 * u], out[2 * u], MPFR_RNDN); mpfr_neg(delta[2 * u + 1], out[2 * u + 1], MPFR_RNDN)
                    cmpfr_set_zero_pos(out[2 * u]); cmpfr_set_zero_pos(out[2 * u + 1])
                }
                active[u] = now
                schedule(u)
                if cmpfr_zero_p(delta[2 * u]) != 0 && cmpfr_zero_p(delta[2 * u + 1]) != 0 { continue }
                guard l + 1 < network.layers.count else { continue }
                let w = weights[l + 1]
                for (v, k) in dependents[u] {
                    mpfr_mul(t, w[k], delta[2 * u], MPFR_RNDN); mpfr_add(pre[2 * v], pre[2 * v], t, MPFR_RNDN)
                    mpfr_mul(t, w[k], delta[2 * u + 1], MPFR_RNDN); mpfr_add(pre[2 * v + 1], pre[2 * v + 1], t, MPFR_RNDN)
                    markDirty(v)
                }
            }
        }
    }

    /// Sweeps [lower, upper] from scratch: a sweeper may run interval after interval (every unit's
    /// forms are set by the forward pass, the heap's pending crossings are released first).
    func run(_ lower: BigFloat, _ upper: BigFloat, maximumPieces: Int) throws -> SweptPieces {
        for entry in heap { roots.release(entry.slot) }
        heap.removeAll(keepingCapacity: true)
        updates = 0
        lower.copy(into: current[0])
        let end = MPFRArray([upper], precision: precision)
        // Forward pass at the lower end: x = 1·x + 0 feeds layer 0.
        let t = scratch[3]
        for (l, layer) in network.layers.enumerated() {
            let w = weights[l]
            for i in 0..<layer.outputCount {
                let u = offset[l] + i
                cmpfr_set_zero_pos(pre[2 * u])
                layer.bias[i].copy(into: pre[2 * u + 1])
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] {
                    if l == 0 {
                        mpfr_add(pre[2 * u], pre[2 * u], w[k], MPFR_RNDN)
                    } else {
                        let j = offset[l - 1] + layer.columns[k]
                        mpfr_mul(t, w[k], out[2 * j], MPFR_RNDN); mpfr_add(pre[2 * u], pre[2 * u], t, MPFR_RNDN)
                        mpfr_mul(t, w[k], out[2 * j + 1], MPFR_RNDN); mpfr_add(pre[2 * u + 1], pre[2 * u + 1], t, MPFR_RNDN)
                    }
                }
                active[u] = relu[u] ? positiveRight(u) : true
                if active[u] {
                    cmpfr_set(out[2 * u], pre[2 * u], MPFR_RNDN); cmpfr_set(out[2 * u + 1], pre[2 * u + 1], MPFR_RNDN)
                } else {
                    cmpfr_set_zero_pos(out[2 * u]); cmpfr_set_zero_pos(out[2 * u + 1])
                }
                schedule(u)
            }
        }
        let o = offset[network.layers.count - 1]
        var knots = [BigFloat(lower, precision: precision)], slopes: [BigFloat] = [], intercepts: [BigFloat] = []
        func emit(upTo x: UnsafePointer<__mpfr_struct>) throws {
            if let s = slopes.last, s.withMPFR({ mpfr_equal_p($0, out[2 * o]) != 0 }),
               intercepts.last!.withMPFR({ mpfr_equal_p($0, out[2 * o + 1]) != 0 }) {
                knots[knots.count - 1] = BigFloat(copying: x)
                return
            }
            guard slopes.count < maximumPieces else { throw SweepLimit.pieces }
            slopes.append(BigFloat(copying: out[2 * o])); intercepts.append(BigFloat(copying: out[2 * o + 1]))
            knots.append(BigFloat(copying: x))
        }
        while let top = heap.first {
            if heap[0].version != version[top.unit] { popMin(); continue }   // stale
            let x = roots[top.slot]
            if mpfr_greaterequal_p(x, end[0]) != 0 { break }
            try emit(upTo: x)
            cmpfr_set(current[0], x, MPFR_RNDN)
            if trace != nil { trace!.events.append(BigFloat(copying: x)) }
            // Every crossing at this x flips now.
            var first = network.layers.count
            while let next = heap.first, mpfr_lessequal_p(roots[next.slot], current[0]) != 0 {
                if next.version == version[next.unit] { markDirty(next.unit); first = Swift.min(first, layerOf[next.unit]) }
                popMin()
            }
            settle(from: first)
            if updates > maximumUpdates { throw SweepLimit.updates }
        }

        try emit(upTo: end[0])
        return SweptPieces(knots: knots, slopes: slopes, intercepts: intercepts, updates: updates, trace: trace)
    }
}

/// MPFR slots for the heap's roots, recycled so the sweep allocates only as the heap grows.
private final class RootPool {
    var precision = Precision.double
    var chunks: [MPFRArray] = []
    var free: [Int] = []
    let chunkSize = 4096

    func acquire() -> Int {
        if let i = free.popLast() { return i }
        let base = chunks.count * chunkSize
        chunks.append(MPFRArray(count: chunkSize, precision: precision))
        free.append(contentsOf: ((base + 1)..<(base + chunkSize)).reversed())
        return base
    }

    func release(_ i: Int) { free.append(i) }

    subscript(_ i: Int) -> UnsafeMutablePointer<__mpfr_struct> { chunks[i / chunkSize][i % chunkSize] }
}
