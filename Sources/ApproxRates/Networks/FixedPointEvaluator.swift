import CMPFR
import CFixedPoint
import PrecisionModule

/// Evaluates a network of identity, ReLU and step units in fixed point over GMP's mpn layer,
/// each unit at the precision of a ``PrecisionPlan``, and certifies every result.
///
/// **Arithmetic.** Unit u holds X_u / 2^F_u with X_u a two's-complement integer of the plan's
/// limbs. Its sum is formed exactly in one more limb: a weight m·2^s with |m| < 2^62 is one
/// `mpn_addmul_1` (plus a shift when 2^s does not line up with the scales), a longer weight (the
/// packed codes of the deep phase) one `mpn_mul`; a term shifted right is floored and counts as
/// inexact. No exponents, no allocation, ReLU is a sign test. Stored weights are used exactly
/// (they are dyadic); inputs are float64 values, exact when F_input covers their bits.
///
/// **Certificate.** With every result comes E, a rigorous bound on |result − exact|, where
/// "exact" is the network's value in real arithmetic with the same stored weights at the same
/// input: E_u = Σ_j |w_uj| E_j (rounded up) + (inexact terms)·2^−F_u; ReLU passes E on, except
/// that a ReLU whose pre-activation is certainly ≤ 0 is exactly 0 with E = 0 (decided by value
/// and bound, or by the one-sided bound that ReLU outputs are never negative). A sum that leaves
/// its planned range has E = +∞. So E = 0 means the result is the exact value, bit for bit.
///
/// **Reuse.** A workspace keeps every unit's value from its previous point; a unit none of whose
/// inputs changed is not recomputed (same operations on the same bits give the same bits). On a
/// grid walked in order, the digit-extraction chain of a deep network is recomputed only when
/// the point changes coarse cell.
public final class FixedPointEvaluator: @unchecked Sendable {
    // Sendable: the tables are written once in init; each thread evaluates with its own Workspace.

    /// The network evaluated.
    public let network: Network
    /// The plan: per-unit limbs and fractional bits.
    public let plan: PrecisionPlan
    let units: UnsafeMutableBufferPointer<cfx_unit>
    let terms: UnsafeMutableBufferPointer<cfx_term>
    let pool: UnsafeMutableBufferPointer<UInt64>
    let consumerEnd: UnsafeMutableBufferPointer<Int32>
    let consumers: UnsafeMutableBufferPointer<Int32>
    let offsets: UnsafeMutableBufferPointer<Int64>
    let unitLimbs: UnsafeMutableBufferPointer<Int16>
    let nonneg: UnsafeMutableBufferPointer<UInt8>
    var table: cfx_network

    /// Prepares `network` with `plan` (default: ``PrecisionPlan/derive(for:accuracyBits:)``).
    /// Throws for units or weights the fixed-point path does not cover.
    public init(network: Network, plan: PrecisionPlan? = nil) throws {
        let plan = try plan ?? PrecisionPlan.derive(for: network)
        let d = network.inputDimension
        let count = d + network.layers.reduce(0) { $0 + $1.outputCount }
        guard plan.units.count == count else {
            throw NetworkError.unsupported("a precision plan for \(plan.units.count) units given for a network of \(count) (inputs included)")
        }
        guard plan.units.allSatisfy({ $0.limbs < Int(Int16.max) }) else { throw NetworkError.unsupported("a unit of more than 32767 limbs") }
        guard network.outputDimension == 1 else {
            throw NetworkError.unsupported("fixed-point evaluation gives one output; the network has \(network.outputDimension)")
        }
        self.network = network
        self.plan = plan
        var unitTable: [cfx_unit] = []
        var termTable: [cfx_term] = []
        var limbPool: [UInt64] = []
        var offset: Int64 = 0
        unitTable.reserveCapacity(count)
        for j in 0..<d {
            let p = plan.units[j]
            unitTable.append(cfx_unit(offset: offset, bias_offset: -1, limbs: Int32(p.limbs), frac: Int32(p.fractionalBits),
                                      term_end: 0, activation: 0, bias_inexact: 0, expand: 0, pad: 0, bias_double: 0))
            offset += Int64(p.limbs)
        }
        var maxLong: Int32 = 1
        var scratch = [UInt64](repeating: 0, count: 64)
        // Identity carries (one weight exactly 1, no bias) are read through: a term reading a carry
        // reads the unit it carries, and the carry is never computed (its value would be the same
        // number, or that number floored to fewer bits). A deep chain carries its local
        // coordinates through every layer: on the 2-D network these were 60 % of the units that
        // change from point to point.
        var root = Array(0..<count)
        var reads = 0, first = d
        for layer in network.layers {
            for i in 0..<layer.outputCount {
                let u = first + i
                let p = plan.units[u]
                let fu = Int64(p.fractionalBits)
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] {
                    let w = layer.weights[k]
                    guard w.isFinite else { throw NetworkError.unsupported("fixed-point evaluation needs finite weights, not \(w)") }
                    if w.isZero { continue }
                    let j = root[reads + layer.columns[k]]
                    let need = (w.precision.bits + 63) / 64
                    if scratch.count < need { scratch = [UInt64](repeating: 0, count: need) }
                    var e: Int64 = 0, negative: Int32 = 0
                    let n = w.withMPFR { cfx_dyadic($0, &scratch, Int32(scratch.count), &e, &negative) }
                    let shift = e - Int64(plan.units[j].fractionalBits) + fu
                    let wd = w.toDouble()
                    let bits = n == 1 ? 64 - scratch[0].leadingZeroBitCount : 64 * Int(n)
                    if n == 1 && bits <= 62 {
                        var m = Int64(scratch[0]), s = shift
                        // Fold a left shift into the multiplier while it stays below 2^62.
                        if s > 0 && s + Int64(bits) <= 62 { m <<= s; s = 0 }
                        guard let sh = Int16(exactly: s) else { throw NetworkError.unsupported("a weight shift of \(s) bits") }
                        let exact: UInt8 = BigFloat(wd, precision: .double) == w ? 2 : 0
                        termTable.append(cfx_term(m: negative != 0 ? -m : m, w: wd, column: Int32(j), shift: sh, kind: exact, long_limbs: 0))
                    } else {
                        guard let sh = Int16(exactly: shift), n <= 255 else {
                            throw NetworkError.unsupported("a weight of \(n) limbs at a shift of \(shift) bits")
                        }
                        termTable.append(cfx_term(m: Int64(limbPool.count), w: wd, column: Int32(j), shift: sh,
                                                  kind: 1 | (negative != 0 ? 4 : 0), long_limbs: UInt8(n)))
                        limbPool += scratch[0..<Int(n)]
                        maxLong = Swift.max(maxLong, n)
                    }
                }
                // The bias at the unit's scale, floored, in limbs + 1 limbs.
                let b = layer.bias[i]
                guard b.isFinite else { throw NetworkError.unsupported("fixed-point evaluation needs finite biases, not \(b)") }
                var biasOffset: Int64 = -1, inexact: UInt8 = 0
                if !b.isZero {
                    let need = (b.precision.bits + 63) / 64
                    if scratch.count < need { scratch = [UInt64](repeating: 0, count: need) }
                    var e: Int64 = 0, negative: Int32 = 0
                    let n = b.withMPFR { cfx_dyadic($0, &scratch, Int32(scratch.count), &e, &negative) }
                    var limbs = [UInt64](repeating: 0, count: p.limbs + 1)
                    inexact = UInt8(cfx_scaled(scratch, n, negative, e + fu, &limbs, Int32(p.limbs + 1)))
                    biasOffset = Int64(limbPool.count)
                    limbPool += limbs
                }
                let code: UInt8 = switch layer.activations[i] { case .relu: 1; case .step: 2; default: 0 }
                let own = termTable.count - Int(unitTable.last!.term_end)
                if code == 0, b.isZero, own == 1, u < count - 1, case .identity = layer.activations[i],
                   termTable.last!.kind == 2, termTable.last!.w == 1 {
                    root[u] = Int(termTable.last!.column)
                    termTable.removeLast()
                }
                if case .identity = layer.activations[i] {} else if code == 0 {
                    throw NetworkError.unsupported("fixed-point evaluation covers identity, ReLU and step units, not \(layer.activations[i])")
                }
                // Tighten bounds through ReLU inputs where the expansion is small (a chain's
                // steps) or the unit is at the ceiling (whatever a deep chain amplifies).
                var expansion = 0, reluInputs = false
                for t in Int(unitTable.last!.term_end)..<termTable.count {
                    let j = Int(termTable[t].column)
                    if j >= d, unitTable[j].activation == 1 {
                        reluInputs = true
                        expansion += Int(unitTable[j].term_end) - Int(j == d ? 0 : unitTable[j - 1].term_end)
                    } else { expansion += 1 }
                }
                let expand = reluInputs && expansion <= 32
                unitTable.append(cfx_unit(offset: offset, bias_offset: biasOffset, limbs: Int32(p.limbs), frac: Int32(p.fractionalBits),
                                          term_end: Int32(termTable.count), activation: code, bias_inexact: inexact,
                                          expand: expand ? 1 : 0, pad: 0,
                                          bias_double: b.toDouble()))
                offset += Int64(p.limbs)
            }
            reads = first
            first += layer.outputCount
        }
        guard termTable.count < Int(Int32.max) else { throw NetworkError.unsupported("more than 2^31 weights") }
        // Who reads each unit, so that a changed unit marks its readers for the next point.
        var readers = [[Int32]](repeating: [], count: count)
        var begin = 0
        for u in d..<count {
            let end = Int(unitTable[u].term_end)
            for t in begin..<end where readers[Int(termTable[t].column)].last != Int32(u) { readers[Int(termTable[t].column)].append(Int32(u)) }
            begin = end
        }
        var ends: [Int32] = [], flat: [Int32] = []
        for r in readers { flat += r; ends.append(Int32(flat.count)) }
        consumerEnd = .allocate(capacity: count); _ = consumerEnd.initialize(from: ends)
        consumers = .allocate(capacity: Swift.max(1, flat.count)); _ = consumers.initialize(from: flat)
        offsets = .allocate(capacity: count); _ = offsets.initialize(from: unitTable.map(\.offset))
        unitLimbs = .allocate(capacity: count); _ = unitLimbs.initialize(from: unitTable.map { Int16($0.limbs) })
        nonneg = .allocate(capacity: count); _ = nonneg.initialize(from: unitTable.map { $0.activation != 0 ? 1 : 0 })
        units = .allocate(capacity: unitTable.count); _ = units.initialize(from: unitTable)
        terms = .allocate(capacity: Swift.max(1, termTable.count)); _ = terms.initialize(from: termTable)
        pool = .allocate(capacity: Swift.max(1, limbPool.count)); _ = pool.initialize(from: limbPool)
        table = cfx_network(units: UnsafePointer(units.baseAddress!), terms: UnsafePointer(terms.baseAddress!),
                            limb_pool: UnsafePointer(pool.baseAddress!), consumer_end: UnsafePointer(consumerEnd.baseAddress!),
                            consumers: UnsafePointer(consumers.baseAddress!), offsets: UnsafePointer(offsets.baseAddress!),
                            unit_limbs: UnsafePointer(unitLimbs.baseAddress!), nonneg: UnsafePointer(nonneg.baseAddress!), unit_count: Int64(count), inputs: Int64(d),
                            value_limbs: offset, max_limbs: Int32(plan.units.map(\.limbs).max() ?? 1) + 1, max_long_limbs: maxLong)
    }

    deinit {
        units.deallocate(); terms.deallocate(); pool.deallocate(); consumerEnd.deallocate(); consumers.deallocate()
        offsets.deallocate(); unitLimbs.deallocate(); nonneg.deallocate()
    }

    /// One thread's state: every unit's value and bound from its last point.
    public final class Workspace {
        let pointer: OpaquePointer
        init(_ table: UnsafePointer<cfx_network>) {
            guard let p = cfx_workspace_create(table) else { fatalError("out of memory for a fixed-point workspace") }
            pointer = p
        }
        deinit { cfx_workspace_destroy(pointer) }
        /// Units computed at the last evaluation (the rest were reused).
        public internal(set) var computedUnits = 0
        /// Units computed over all evaluations on this workspace.
        public internal(set) var totalComputedUnits = 0
        /// Tallies a caller may keep: points whose certificate it accepted, and the others.
        public var certifiedPoints = 0, fallbackPoints = 0
        /// Forgets the previous point: the next evaluation computes every unit.
        public func reset() { cfx_workspace_reset(pointer) }
    }

    /// A workspace; make one per thread and reuse it (points in order reuse the most).
    public func makeWorkspace() -> Workspace { withUnsafePointer(to: &table) { Workspace($0) } }

    /// Evaluates at `x` (``Network/inputDimension`` float64 values) and returns the certified
    /// bound E on |result − exact value| (+∞ when none could be given: a unit left its range).
    @discardableResult
    public func evaluate(_ x: UnsafePointer<Double>, workspace: Workspace) -> Double {
        withUnsafePointer(to: &table) { t in
            workspace.computedUnits = Int(cfx_evaluate(t, workspace.pointer, x))
            workspace.totalComputedUnits += workspace.computedUnits
            var limbs: Int32 = 0, frac: Int32 = 0, bound = 0.0
            _ = cfx_output(t, workspace.pointer, &limbs, &frac, &bound)
            return bound
        }
    }

    /// The last result of `workspace`, rounded to nearest at `output`'s precision.
    public func output(into output: UnsafeMutablePointer<__mpfr_struct>, workspace: Workspace) {
        withUnsafePointer(to: &table) { t in
            var limbs: Int32 = 0, frac: Int32 = 0, bound = 0.0
            let x = cfx_output(t, workspace.pointer, &limbs, &frac, &bound)!
            cfx_to_mpfr(output, x, limbs, frac)
        }
    }

    /// Evaluates the points (each ``Network/inputDimension`` values, in order, one workspace) and
    /// returns each output at `precision` with its certified bound.
    public func evaluate(_ points: [[Double]], precision: Precision) throws -> [(value: BigFloat, bound: Double)] {
        let d = network.inputDimension
        let workspace = makeWorkspace()
        let out = MPFRArray(count: 1, precision: precision)
        return try points.enumerated().map { p, x in
            guard x.count == d else { throw NetworkError.wrongInputDimension(expected: d, actual: x.count) }
            if let j = x.firstIndex(where: { !$0.isFinite }) { throw NetworkError.nonFiniteInput(point: p, coordinate: j) }
            let bound = x.withUnsafeBufferPointer { evaluate($0.baseAddress!, workspace: workspace) }
            output(into: out[0], workspace: workspace)
            return (out.value(at: 0), bound)
        }
    }

    /// The bound and approximate value (float64) of unit `u` (global index: inputs first) after
    /// the last evaluation on `workspace`.
    public func unit(_ u: Int, workspace: Workspace) -> (value: Double, bound: Double) {
        (cfx_unit_value(workspace.pointer, Int64(u)), cfx_unit_bound(workspace.pointer, Int64(u)))
    }
}
