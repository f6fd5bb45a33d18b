import Foundation
import CMPFR
import CFixedPoint
import PrecisionModule

/// Evaluates a network of identity, ReLU and step units in fixed point over GMP's mpn layer,
/// each unit at the precision of a ``PrecisionPlan``, and certifies every result.
///
/// **Arithmetic.** Unit u holds X_u / 2^F_u with X_u a two's-complement integer of the plan's
/// limbs. Its sum is formed exactly in one more limb. Every term lands on a whole-limb offset
/// (the sub-limb part of its shift is folded into the multiplier when the network is prepared): a
/// multiplier of one limb is one `mpn_addmul_1`/`mpn_submul_1`, a longer one (the packed codes of
/// the deep phase) one `mpn_mul`, or only its top limbs where most would be dropped (a short
/// product, 2 units in the last place); a term below the unit's last limb is floored and counts
/// as inexact. No exponents, no allocation, ReLU is a sign test. Stored weights are used exactly
/// (they are dyadic); inputs are float64 values, exact when F_input covers their bits.
///
/// **Certificate.** With every result comes E, a rigorous bound on |result − exact|, where
/// "exact" is the network's value in real arithmetic with the same stored weights at the same
/// input: E_u = Σ_j |w_uj| E_j (rounded up) + (inexact terms)·2^−F_u; ReLU passes E on, except
/// that a ReLU whose pre-activation is certainly ≤ 0 is exactly 0 with E = 0 (decided by value
/// and bound, or by the one-sided bound that ReLU outputs are never negative). A sum that leaves
/// its planned range has E = +∞. So E = 0 means the result is the exact value, bit for bit.
/// Bounds are float64, but a unit of F > 960 fractional bits keeps its bound scaled by 2^(F − 960)
/// (a deep chain's first states carry thousands of bits, and their roundings, far below 2^−1074,
/// are multiplied by 5 per digit); readers rescale, rounding up (docs/fixed-point.md).
///
/// **Reuse.** A workspace keeps every unit's value from its previous point; a unit none of whose
/// inputs changed is not recomputed (same operations on the same bits give the same bits). On a
/// grid walked in order, the digit-extraction chain of a deep network is recomputed only when
/// the point changes coarse cell. Identity carries and copies of earlier units are read through
/// and never computed (``readThrough(_:)``).
public final class FixedPointEvaluator: @unchecked Sendable {
    // Sendable: the tables are written once in init; each thread evaluates with its own Workspace.

    /// The network evaluated.
    public let network: Network
    /// The plan: per-unit limbs and fractional bits.
    public let plan: PrecisionPlan
    /// Units not computed because an earlier unit computes the same thing (read through to it).
    public let mergedUnits: Int
    let units: UnsafeMutableBufferPointer<cfx_unit>
    let terms: UnsafeMutableBufferPointer<cfx_term>
    let pool: UnsafeMutableBufferPointer<UInt64>
    let consumerEnd: UnsafeMutableBufferPointer<Int32>
    let consumers: UnsafeMutableBufferPointer<Int32>
    var table: cfx_network

    /// Prepares `network` with `plan` (default: ``PrecisionPlan/derive(for:accuracyBits:)``).
    /// Throws for units or weights the fixed-point path does not cover.
    public init(network: Network, plan: PrecisionPlan? = nil) throws {
        let derived = try plan ?? PrecisionPlan.derive(for: network)
        let d = network.inputDimension
        let count = d + network.layers.reduce(0) { $0 + $1.outputCount }
        guard derived.units.count == count else {
            throw NetworkError.unsupported("a precision plan for \(derived.units.count) units given for a network of \(count) (inputs included)")
        }
        guard network.outputDimension == 1 else {
            throw NetworkError.unsupported("fixed-point evaluation gives one output; the network has \(network.outputDimension)")
        }
        // Units read through (never computed): identity carries, and units computing what an
        // earlier unit computes; the unit read keeps the larger precision of the two.
        let (root, carry, merged) = try Self.readThrough(network)
        var widened = derived.units
        for u in 0..<count where root[u] != u && !carry[u] {
            let c = root[u]
            widened[c].fractionalBits = Swift.max(widened[c].fractionalBits, widened[u].fractionalBits)
            widened[c].integerBits = Swift.max(widened[c].integerBits, widened[u].integerBits)
        }
        let plan = widened == derived.units ? derived
            : PrecisionPlan(units: widened, accuracyBits: derived.accuracyBits, ceiling: derived.ceiling, loweredByChains: derived.loweredByChains)
        guard plan.units.allSatisfy({ $0.limbs < Int(Int16.max) }) else { throw NetworkError.unsupported("a unit of more than 32767 limbs") }
        self.network = network
        self.plan = plan
        var unitTable: [cfx_unit] = []
        var termTable: [cfx_term] = []
        var termColumns: [Int32] = []   // the unit each term reads
        var limbPool: [UInt64] = []
        // Each unit's record in a workspace: a 4-limb header, then its value.
        var offset: Int64 = 0
        unitTable.reserveCapacity(count)
        for j in 0..<d {
            let p = plan.units[j]
            unitTable.append(cfx_unit(record: offset, bias_offset: -1, limbs: Int32(p.limbs), frac: Int32(p.fractionalBits),
                                      term_start: 0, term_end: 0, activation: 0, bias_inexact: 0, expand: 0, wide: 0, bound_scale: 0, pad: (0, 0), bias_double: 0))
            offset += 4 + Int64(p.limbs)
        }
        var maxLong: Int32 = 1
        var scratch = [UInt64](repeating: 0, count: 64)
        var reads = 0, first = d
        for layer in network.layers {
            for i in 0..<layer.outputCount {
                let u = first + i
                let p = plan.units[u]
                let fu = Int64(p.fractionalBits)
                let scale = Self.boundScale(fractionalBits: p.fractionalBits)
                let termStart = termTable.count
                // Terms hold the records of earlier units, all below `offset`, as Int32.
                guard offset < Int64(Int32.max) else { throw NetworkError.unsupported("more than 2^31 limbs of unit records") }
                if root[u] != u {
                    // Read through: no terms, no bias, never computed.
                    unitTable.append(cfx_unit(record: offset, bias_offset: -1, limbs: Int32(p.limbs), frac: Int32(p.fractionalBits),
                                              term_start: Int32(termStart), term_end: Int32(termStart), activation: 0, bias_inexact: 0,
                                              expand: 0, wide: 0, bound_scale: scale, pad: (0, 0), bias_double: 0))
                    offset += 4 + Int64(p.limbs)
                    continue
                }
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] {
                    let w = layer.weights[k]
                    guard w.isFinite else { throw NetworkError.unsupported("fixed-point evaluation needs finite weights, not \(w)") }
                    if w.isZero { continue }
                    let j = root[reads + layer.columns[k]]
                    let need = (w.precision.bits + 63) / 64
                    if scratch.count < need { scratch = [UInt64](repeating: 0, count: need) }
                    var e: Int64 = 0, negative: Int32 = 0
                    let n = w.withMPFR { cfx_dyadic($0, &scratch, Int32(scratch.count), &e, &negative) }
                    // w x_j adds ±M 2^shift X_j to X_u; the shift's sub-limb part r goes into M,
                    // so that every term lands on whole limbs.
                    let shift = e - Int64(plan.units[j].fractionalBits) + fu
                    let r = ((shift % 64) + 64) % 64, q = (shift - r) / 64
                    var folded = [UInt64](repeating: 0, count: Int(n) + 1)
                    _ = cfx_scaled(scratch, n, 0, r, &folded, n + 1)
                    while folded.count > 1 && folded.last == 0 { folded.removeLast() }
                    let wd = w.toDouble()
                    let sign: UInt8 = negative != 0 ? 4 : 0
                    guard let sh = Int16(exactly: q), folded.count <= 255 else {
                        throw NetworkError.unsupported("a weight of \(n) limbs at a shift of \(shift) bits")
                    }
                    let record = Int32(unitTable[j].record)
                    if folded.count == 1 {
                        let exact: UInt8 = BigFloat(wd, precision: .double) == w ? 2 : 0
                        termTable.append(cfx_term(m: folded[0], w: wd, record: record, shift: sh, kind: exact | sign, long_limbs: 0))
                    } else {
                        termTable.append(cfx_term(m: UInt64(limbPool.count), w: wd, record: record, shift: sh,
                                                  kind: 1 | sign, long_limbs: UInt8(folded.count)))
                        limbPool += folded
                        maxLong = Swift.max(maxLong, Int32(folded.count))
                    }
                    termColumns.append(Int32(j))
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
                if case .identity = layer.activations[i] {} else if code == 0 {
                    throw NetworkError.unsupported("fixed-point evaluation covers identity, ReLU and step units, not \(layer.activations[i])")
                }
                // Tighten bounds through ReLU inputs where the expansion is small (a chain's
                // steps) or the unit is at the ceiling (whatever a deep chain amplifies).
                var expansion = 0, reluInputs = false
                for t in termStart..<termTable.count {
                    let j = Int(termColumns[t])
                    if j >= d, unitTable[j].activation == 1 {
                        reluInputs = true
                        expansion += Int(unitTable[j].term_end) - Int(unitTable[j].term_start)
                    } else { expansion += 1 }
                }
                let expand = reluInputs && expansion <= 32
                // Rescale bounds term by term where this unit, an input or an input's input
                // (through a ReLU the bound expands through) keeps a scaled bound.
                var wide = scale > 0
                for t in termStart..<termTable.count where !wide {
                    let input = unitTable[Int(termColumns[t])]
                    wide = input.bound_scale > 0
                        || (input.activation == 1 && (input.term_start..<input.term_end).contains { unitTable[Int(termColumns[Int($0)])].bound_scale > 0 })
                }
                unitTable.append(cfx_unit(record: offset, bias_offset: biasOffset, limbs: Int32(p.limbs), frac: Int32(p.fractionalBits),
                                          term_start: Int32(termStart), term_end: Int32(termTable.count), activation: code, bias_inexact: inexact,
                                          expand: expand ? 1 : 0, wide: wide ? 1 : 0, bound_scale: scale, pad: (0, 0),
                                          bias_double: b.toDouble()))
                offset += 4 + Int64(p.limbs)
            }
            reads = first
            first += layer.outputCount
        }
        mergedUnits = merged
        guard termTable.count < Int(Int32.max) else { throw NetworkError.unsupported("more than 2^31 weights") }
        // Who reads each unit, so that a changed unit marks its readers for the next point.
        var readers = [[Int32]](repeating: [], count: count)
        for u in d..<count {
            for t in Int(unitTable[u].term_start)..<Int(unitTable[u].term_end) where readers[Int(termColumns[t])].last != Int32(u) {
                readers[Int(termColumns[t])].append(Int32(u))
            }
        }
        var ends: [Int32] = [], flat: [Int32] = []
        for r in readers { flat += r; ends.append(Int32(flat.count)) }
        consumerEnd = try Self.table(ends)
        consumers = try Self.table(flat)
        units = try Self.table(unitTable)
        terms = try Self.table(termTable)
        pool = try Self.table(limbPool)
        table = cfx_network(units: UnsafePointer(units.baseAddress!), terms: UnsafePointer(terms.baseAddress!),
                            limb_pool: UnsafePointer(pool.baseAddress!), consumer_end: UnsafePointer(consumerEnd.baseAddress!),
                            consumers: UnsafePointer(consumers.baseAddress!), unit_count: Int64(count), inputs: Int64(d),
                            state_limbs: offset, max_limbs: Int32(plan.units.map(\.limbs).max() ?? 1) + 1, max_long_limbs: maxLong)
    }

    deinit {
        for p in [UnsafeMutableRawPointer(units.baseAddress), UnsafeMutableRawPointer(terms.baseAddress), UnsafeMutableRawPointer(pool.baseAddress),
                  UnsafeMutableRawPointer(consumerEnd.baseAddress), UnsafeMutableRawPointer(consumers.baseAddress)] { cfx_table_free(p) }
    }

    /// The unit each unit is read as (itself unless read through), whether it is an identity
    /// carry, and how many units were merged. Identity carries (one weight exactly 1, no bias,
    /// not the output) read as what they carry: a deep chain carries its local coordinates
    /// through every layer (on the 2-D network 60 % of the units that change from point to
    /// point). A unit with the same activation, bias and weights on the same inputs (after
    /// read-through) as an earlier unit reads as that unit: the same operations on the same bits
    /// give the same bits. The 2-D snake builds each column's ramp once per node of the column:
    /// 3,220 of the N = M = 17 network's 51,033 units are such copies.
    static func readThrough(_ network: Network) throws -> (root: [Int], carry: [Bool], merged: Int) {
        let d = network.inputDimension
        let count = d + network.layers.reduce(0) { $0 + $1.outputCount }
        var root = Array(0..<count), carry = [Bool](repeating: false, count: count)
        var seen: [[UInt64]: Int] = [:], merged = 0
        var scratch = [UInt64](repeating: 0, count: 64)
        // x as words: limb count, exponent, sign, then the odd magnitude's limbs.
        func append(_ x: BigFloat, to key: inout [UInt64]) throws {
            guard x.isFinite else { throw NetworkError.unsupported("fixed-point evaluation needs finite weights and biases, not \(x)") }
            let need = (x.precision.bits + 63) / 64
            if scratch.count < need { scratch = [UInt64](repeating: 0, count: need) }
            var e: Int64 = 0, negative: Int32 = 0
            let n = x.withMPFR { cfx_dyadic($0, &scratch, Int32(scratch.count), &e, &negative) }
            key += [UInt64(n), UInt64(bitPattern: e), UInt64(negative)]
            key += scratch[0..<Int(n)]
        }
        var reads = 0, first = d
        for layer in network.layers {
            for i in 0..<layer.outputCount {
                let u = first + i
                let activation = layer.activations[i]
                var key: [UInt64] = switch activation {
                case .identity: [0]
                case .relu: [1]
                case .step: [2]
                case .sine: [3]
                case .reluPower(let k): [4, UInt64(bitPattern: Int64(k))]
                }
                var inputs = 0, last = -1, one = false
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] where !layer.weights[k].isZero {
                    let w = layer.weights[k]
                    last = root[reads + layer.columns[k]]
                    key.append(UInt64(last))
                    try append(w, to: &key)
                    inputs += 1
                    one = w == BigFloat(1, precision: w.precision)
                }
                try append(layer.bias[i], to: &key)
                guard u < count - 1 else { continue }
                if case .identity = activation, inputs == 1, one, layer.bias[i].isZero { root[u] = last; carry[u] = true }
                else if let earlier = seen[key] { root[u] = earlier; merged += 1 }
                else { seen[key] = u }
            }
            reads = first
            first += layer.outputCount
        }
        return (root, carry, merged)
    }

    /// The power of two by which a unit of `fractionalBits` keeps its bound: 2^−F must stay in
    /// float64's range (a deep chain's first states carry thousands of fractional bits, and their
    /// roundings, multiplied by 5 per digit, decide whether the chain's ReLUs are certain).
    static func boundScale(fractionalBits f: Int) -> Int16 { Int16(clamping: Swift.max(0, f - Int(CFX_BOUND_RESOLUTION))) }

    /// A copy of `values` in memory from `cfx_table_alloc` (2 MB pages for large tables).
    static func table<T>(_ values: [T]) throws -> UnsafeMutableBufferPointer<T> {
        let n = Swift.max(1, values.count)
        guard let raw = cfx_table_alloc(MemoryLayout<T>.stride * n) else { throw NetworkError.unsupported("out of memory for a table of \(n) entries") }
        let table = UnsafeMutableBufferPointer(start: raw.bindMemory(to: T.self, capacity: n), count: n)
        _ = table.initialize(from: values)
        return table
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

    /// The approximate value (float64) of unit `u` (global index: inputs first) after the last
    /// evaluation on `workspace`, and its bound: `bound` as a float64 (rounded up to 2^−1022
    /// when smaller) and `log2Bound`, its base-2 logarithm to float64 accuracy (−∞ for an exact
    /// unit), which stays meaningful far below float64's range.
    public func unit(_ u: Int, workspace: Workspace) -> (value: Double, bound: Double, log2Bound: Double) {
        withUnsafePointer(to: &table) { t in
            var e: Int32 = 0
            let m = cfx_unit_bound(t, workspace.pointer, Int64(u), &e)
            let bound = m == 0 || !m.isFinite || e == 0 ? m : Swift.max(0x1p-1022, scalbn(m, Int(e)))
            return (cfx_unit_value(t, workspace.pointer, Int64(u)), bound, log2(m) + Double(e))
        }
    }
}
