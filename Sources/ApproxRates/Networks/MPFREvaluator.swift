import CMPFR
import PrecisionModule
import FileIOModule

/// Evaluates a network in MPFR at one precision, in place, with no allocation per operation.
///
/// Semantics (what "the bits" of a result are): the inputs and every stored weight and bias are
/// first rounded to ``precision`` (round-to-nearest); then each unit computes
/// `acc = b_i; acc = acc + (W_ij * x_j)` over its stored entries in increasing j, rounding every
/// product and every sum to ``precision`` (round-to-nearest), and applies its activation, itself
/// correctly rounded (`relu` and `step` are exact; `relu^k` is one `mpfr_pow_ui`; `sine` is
/// `mpfr_sin`). Any program doing the same operations in the same order with correctly rounded
/// arithmetic (C over MPFR, gmpy2, mpmath) gets identical bits.
///
/// Sine results at a lower precision (``sinePrecision``, when set below ``precision``): a sine
/// unit's result is `mpfr_sin` of its exact ``precision``-bit argument correctly rounded to
/// ``sinePrecision`` bits, then used exactly. The argument keeps every bit (a lookup's argument
/// holds a whole table, 10⁵ bits), only the result is shorter: the sine lookups need about 300
/// bits of each result, and `mpfr_sin` of a 98,560-bit argument costs 0.7 ms at a 512-bit result
/// against 49 ms at 98,560 bits (MPFR 4.2.0, one core). Still one correctly rounded operation per
/// unit, so the bits stay reproducible the same way.
///
/// Speed without changing a bit: a weight whose significand has at most 62 bits (the integers,
/// ±1, the dyadic rationals the constructions use) is applied as `mpfr_mul_si` by its integer
/// significand and an exact `mpfr_mul_2si` (±1 as a plain `mpfr_add`/`mpfr_sub`). Both round
/// the same exact product once to ``precision``, so the result is the one `mpfr_mul` gives, at
/// the cost of one limb pass instead of a full product; only the long packed weights pay for a
/// full multiplication. A term w·(±0), or (±0)·x with x finite, added to a nonzero sum leaves it
/// unchanged and is skipped (the zeros of a padded fully-connected layer cost one test each).
public final class MPFREvaluator: @unchecked Sendable {
    // Sendable: after init nothing is mutated; each thread evaluates with its own Workspace.

    /// The network being evaluated.
    public let network: Network
    /// The working precision of every operation.
    public let precision: Precision
    /// True when every stored weight and bias fits this precision exactly (no rounding on load).
    public let weightsExact: Bool
    /// The precision of each sine unit's result: ``precision`` unless a lower one was asked for.
    public let sinePrecision: Precision

    /// One stored weight as the evaluator applies it: 16 bytes, all layers in one array, so that
    /// a point streams through the network once (the deep constructions have hundreds of layers).
    struct Term {
        /// The integer significand m (``Kind/short``) or the index into ``longWeights``.
        var value: Int64
        /// The input column j of the weight.
        var column: Int32
        /// The exact scaling 2^shift of a ``Kind/short`` weight.
        var shift: Int16
        var kind: Kind
        enum Kind: UInt8 { case plusOne, minusOne, short, long, nonFinite, zero }
    }

    /// One unit: its terms end at `termEnd` (they start where the previous unit's end), its bias
    /// is `biases[bias]` (or +0 when `bias < 0`), then `activation`.
    struct Unit {
        var termEnd: Int32
        var bias: Int32
        var activation: Activation
    }

    let terms: [Term]
    let units: [Unit]
    /// Units of layer l end at `layerEnds[l]`.
    let layerEnds: [Int]
    /// The weights that need a full `mpfr_mul`, at ``precision``.
    let longWeights: MPFRArray
    /// The biases other than +0, at ``precision``.
    let biases: MPFRArray
    let maxWidth: Int

    /// The cheapest exact way to form w·x for one stored weight w (at the evaluator's precision).
    enum WeightKind {
        /// w = +1: acc + x.
        case plusOne
        /// w = −1: acc − x.
        case minusOne
        /// w = m·2^shift with |m| < 2^62: round(x·m) then an exact scaling by 2^shift.
        case short(m: Int, shift: Int)
        /// Any other finite weight: a full `mpfr_mul`.
        case long
        /// ±∞ or NaN (a file may hold one): a full `mpfr_mul`, never skipped (∞·0 is NaN).
        case nonFinite

        /// Whether w·(±0) is a zero, so that adding it to a nonzero sum changes nothing.
        @inline(__always) var timesZeroIsZero: Bool {
            if case .nonFinite = self { return false }
            return true
        }

        /// The kind of the (already rounded) weight `w`; `scratch` is a 64-bit number to work in.
        init(_ w: UnsafePointer<__mpfr_struct>, scratch: UnsafeMutablePointer<__mpfr_struct>) {
            guard cmpfr_number_p(w) != 0 else { self = .nonFinite; return }
            guard cmpfr_zero_p(w) == 0 else { self = .long; return }
            let bits = mpfr_min_prec(w)
            guard bits <= 62 else { self = .long; return }
            // w = 0.1b…b × 2^e with `bits` significant bits: w = m·2^(e − bits), m an integer.
            let e = Int(cmpfr_get_exp(w))
            mpfr_mul_2si(scratch, w, bits - e, MPFR_RNDN)
            let m = mpfr_get_si(scratch, MPFR_RNDN)
            let shift = e - bits
            if shift == 0 && m == 1 { self = .plusOne } else if shift == 0 && m == -1 { self = .minusOne } else {
                self = .short(m: m, shift: shift)
            }
        }
    }

    /// Prepares `network` for evaluation at `precision`: rounds its numbers once. `sinePrecision`,
    /// when set and below `precision`, is the precision sine results are rounded to (see the
    /// type's semantics); above `precision` it is `precision`.
    public init(network: Network, precision: Precision, sinePrecision: Precision? = nil) {
        self.network = network
        self.precision = precision
        self.sinePrecision = sinePrecision.map { $0.bits < precision.bits ? $0 : precision } ?? precision
        var exact = true
        let scratch = MPFRArray(count: 1, precision: Precision(uncheckedBits: 64))
        let rounded = MPFRArray(count: 1, precision: precision)
        var terms: [Term] = [], units: [Unit] = [], layerEnds: [Int] = []
        var longValues: [BigFloat] = [], biasValues: [BigFloat] = []
        terms.reserveCapacity(network.layers.reduce(0) { $0 + $1.weights.count })
        for layer in network.layers {
            for i in 0..<layer.outputCount {
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] {
                    if layer.weights[k].copy(into: rounded[0]) != 0 { exact = false }
                    let column = Int32(layer.columns[k])
                    if cmpfr_zero_p(rounded[0]) != 0 {
                        // ±0 (the padding of a fully-connected layer): skipped when it cannot change the sum.
                        terms.append(Term(value: Int64(longValues.count), column: column, shift: 0, kind: .zero))
                        longValues.append(rounded.value(at: 0))
                        continue
                    }
                    switch WeightKind(rounded[0], scratch: scratch[0]) {
                    case .plusOne: terms.append(Term(value: 0, column: column, shift: 0, kind: .plusOne))
                    case .minusOne: terms.append(Term(value: 0, column: column, shift: 0, kind: .minusOne))
                    case .short(let m, let shift) where Int(Int16.min)...Int(Int16.max) ~= shift:
                        terms.append(Term(value: Int64(m), column: column, shift: Int16(shift), kind: .short))
                    case let kind:
                        terms.append(Term(value: Int64(longValues.count), column: column, shift: 0,
                                          kind: kind.timesZeroIsZero ? .long : .nonFinite))
                        longValues.append(rounded.value(at: 0))
                    }
                }
                if layer.bias[i].copy(into: rounded[0]) != 0 { exact = false }
                var bias: Int32 = -1
                if !(cmpfr_zero_p(rounded[0]) != 0 && cmpfr_signbit(rounded[0]) == 0) {
                    bias = Int32(biasValues.count)
                    biasValues.append(rounded.value(at: 0))
                }
                units.append(Unit(termEnd: Int32(terms.count), bias: bias, activation: layer.uniformActivation ?? layer.activations[i]))
            }
            layerEnds.append(units.count)
        }
        precondition(terms.count <= Int(Int32.max), "more than 2^31 weights")
        self.terms = terms
        self.units = units
        self.layerEnds = layerEnds
        longWeights = MPFRArray(longValues, precision: precision)
        biases = MPFRArray(biasValues, precision: precision)
        weightsExact = exact
        maxWidth = ([network.inputDimension] + network.layers.map(\.outputCount)).max()!
    }

    /// Scratch space for one thread: two activation vectors and one temporary at ``precision``,
    /// and the sine result at ``sinePrecision``.
    public final class Workspace {
        let a: MPFRArray
        let b: MPFRArray
        let temporary: MPFRArray
        let sine: MPFRArray
        init(width: Int, precision: Precision, sinePrecision: Precision) {
            a = MPFRArray(count: width, precision: precision)
            b = MPFRArray(count: width, precision: precision)
            temporary = MPFRArray(count: 1, precision: precision)
            sine = MPFRArray(count: 1, precision: sinePrecision)
        }
    }

    /// A workspace for ``evaluate(input:output:workspace:)``; make one per thread and reuse it.
    public func makeWorkspace() -> Workspace { Workspace(width: maxWidth, precision: precision, sinePrecision: sinePrecision) }

    /// Evaluates one point without allocating. `input` points to `inputDimension` initialised
    /// MPFR numbers (any precision: they are rounded to ``precision``), `output` to
    /// `outputDimension` initialised numbers that receive the result rounded to their own
    /// precision (exact when theirs is at least ``precision``).
    public func evaluate(input: UnsafePointer<__mpfr_struct>, output: UnsafeMutablePointer<__mpfr_struct>,
                         workspace: Workspace) {
        var current = workspace.a.base, next = workspace.b.base
        for j in 0..<network.inputDimension { cmpfr_set(current + j, input + j, MPFR_RNDN) }
        let t = workspace.temporary[0], long = longWeights.base, bias = biases.base
        let shortSine: UnsafeMutablePointer<__mpfr_struct>? = sinePrecision.bits < precision.bits ? workspace.sine[0] : nil
        terms.withUnsafeBufferPointer { terms in
            units.withUnsafeBufferPointer { units in
                var u = 0, k = 0
                for layerEnd in layerEnds {
                    let x = current, y = next
                    var acc = y
                    while u < layerEnd {
                        let unit = units[u]
                        if unit.bias < 0 { cmpfr_set_zero_pos(acc) } else { cmpfr_set(acc, bias + Int(unit.bias), MPFR_RNDN) }
                        let end = Int(unit.termEnd)
                        while k < end {
                            let term = terms[k]
                            k += 1
                            let xj = x + Int(term.column)
                            // acc + w·(±0) is acc itself unless acc is a zero (whose sign the sum
                            // may change): skip it then (a ReLU network is mostly zeros).
                            if cmpfr_zero_p(xj) != 0 && cmpfr_zero_p(acc) == 0 && term.kind != .nonFinite { continue }
                            // (±0)·x with x finite is a zero: the same unless acc is itself a zero.
                            if term.kind == .zero && cmpfr_zero_p(acc) == 0 && cmpfr_number_p(xj) != 0 { continue }
                            switch term.kind {
                            case .plusOne: mpfr_add(acc, acc, xj, MPFR_RNDN)
                            case .minusOne: mpfr_sub(acc, acc, xj, MPFR_RNDN)
                            case .short:
                                mpfr_mul_si(t, xj, Int(term.value), MPFR_RNDN)
                                if term.shift != 0 { mpfr_mul_2si(t, t, Int(term.shift), MPFR_RNDN) }
                                mpfr_add(acc, acc, t, MPFR_RNDN)
                            case .long, .nonFinite, .zero:
                                mpfr_mul(t, long + Int(term.value), xj, MPFR_RNDN)
                                mpfr_add(acc, acc, t, MPFR_RNDN)
                            }
                        }
                        if let s = shortSine, case .sine = unit.activation {
                            // Correctly rounded to sinePrecision, then exact in acc.
                            mpfr_sin(s, acc, MPFR_RNDN)
                            cmpfr_set(acc, s, MPFR_RNDN)
                        } else {
                            MPFREvaluator.activate(acc, unit.activation)
                        }
                        u += 1
                        acc += 1
                    }
                    swap(&current, &next)
                }
            }
        }
        for i in 0..<network.outputDimension { cmpfr_set(output + i, current + i, MPFR_RNDN) }
    }

    @inline(__always)
    static func activate(_ x: UnsafeMutablePointer<__mpfr_struct>, _ activation: Activation) {
        switch activation {
        case .identity: break
        case .relu: if cmpfr_sgn(x) <= 0 { cmpfr_set_zero_pos(x) }  // -0 becomes +0, as in float64
        case .reluPower(let k):
            if cmpfr_sgn(x) <= 0 { cmpfr_set_zero_pos(x) } else { mpfr_pow_ui(x, x, UInt(k), MPFR_RNDN) }
        case .sine: mpfr_sin(x, x, MPFR_RNDN)
        case .step: if cmpfr_sgn(x) >= 0 { cmpfr_set_one(x) } else { cmpfr_set_zero_pos(x) }
        }
    }

    /// Evaluates `count` points stored row-major in `inputs` (`count * inputDimension` numbers)
    /// and returns `count * outputDimension` numbers at ``precision``. Uses up to `threads`
    /// cores (default: all). Throws for a wrong size or a NaN or infinite input.
    public func evaluate(batch inputs: MPFRArray, threads: Int? = nil) throws -> MPFRArray {
        let d = network.inputDimension, m = network.outputDimension
        guard inputs.count % d == 0 else { throw NetworkError.wrongInputDimension(expected: d, actual: inputs.count % d) }
        let count = inputs.count / d
        for p in 0..<count { for j in 0..<d where cmpfr_number_p(inputs[p * d + j]) == 0 {
            throw NetworkError.nonFiniteInput(point: p, coordinate: j)
        } }
        let outputs = MPFRArray(count: count * m, precision: precision)
        let n = BatchParallelism.threadCount(for: count, requested: threads)
        BatchParallelism.forEachChunk(count: count, threads: n) { _, range in
            let workspace = makeWorkspace()
            for p in range { evaluate(input: inputs[p * d], output: outputs[p * m], workspace: workspace) }
        }
        return outputs
    }

    /// Evaluates the points (each `inputDimension` values) and returns one output vector each.
    public func evaluate(_ points: [[BigFloat]], threads: Int? = nil) throws -> [[BigFloat]] {
        let d = network.inputDimension, m = network.outputDimension
        let inputs = MPFRArray(count: points.count * d, precision: Precision.max(precision, points.flatMap { $0 }.map(\.precision).max() ?? precision))
        for (p, point) in points.enumerated() {
            guard point.count == d else { throw NetworkError.wrongInputDimension(expected: d, actual: point.count) }
            for (j, v) in point.enumerated() { v.copy(into: inputs[p * d + j]) }
        }
        let outputs = try evaluate(batch: inputs, threads: threads)
        return (0..<points.count).map { p in (0..<m).map { outputs.value(at: p * m + $0) } }
    }
}
