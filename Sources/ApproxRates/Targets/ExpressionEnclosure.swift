import CMPFR
import PrecisionModule

/// Rigorous enclosures of a ``CompiledExpression`` over a box of [0, 1]^d, in Arb ball
/// arithmetic: the certified half of the sup-norm measurement.
///
/// Every register holds a **first-order centred form**: on the box B with centre c,
///
///     value(x) ∈ C + Σ_k G_k·(x_k − c_k) + R   for every x in B,
///
/// where C is the value at the centre (a ball), G_k a ball enclosing ∂_k of the register over
/// the whole box (or a Lipschitz slope where the register is only Lipschitz: abs, min, max) and
/// R a remainder ball for the parts that have no usable derivative (floor, the random signs of
/// the lacunary sums where a cell boundary crosses the box, sqrt at 0, ...). Next to it every
/// register keeps the naive interval V of its values over B. Sums and constant multiples carry
/// the three parts through exactly, so the smooth part of a sum keeps its first-order
/// cancellation while a rough term only adds its own range; other operations use the mean-value
/// form when their operands are smooth and fall back to the range of their operands' best
/// enclosure otherwise. The enclosure reported is V ∩ (C + G·(B − c) + R).
///
/// Each operation is a ball operation at ``precision`` bits, so every result contains the exact
/// value of the expression (real arithmetic, not MPFR's rounded one) at every point of the box.
/// Where the expression is undefined somewhere on the box (sqrt or a non-integer power of a
/// negative number, log of a non-positive one, division by an interval containing 0) the
/// enclosure is not finite: ``isFinite`` is false and nothing is claimed.
///
/// Special handling, each a theorem about the function rather than about its formula:
/// - `bump(c − floor(c))` (the lacunary sums' periodic bump) is the C^∞ function φ∘frac of c.
///   When c crosses an integer inside the box the two sides are enclosed separately and joined.
/// - `bump(t)`: φ(t) = exp(4 − 1/(t(1 − t))) is unimodal on (0, 1) with φ(1/2) = 1, zero
///   elsewhere, and |φ′(t)| ≤ ψ(t(1 − t)) with ψ(u) = e^(4 − 1/u)/u², increasing for u ≤ 1/2,
///   so |φ′| ≤ 16 everywhere.
public final class ExpressionEnclosure {
    /// The program enclosed.
    public let program: CompiledExpression
    /// Bits of every ball operation.
    public let precision: Precision
    let d: Int
    let count: Int
    let value: BallArray        // V: naive range over the box
    let centre: BallArray       // C: value at the box centre (smooth part)
    let gradient: BallArray     // G: d per register
    let remainder: BallArray    // R
    var rough: [Bool]           // R is not exactly 0
    var nonnegative: [Bool]     // the register is ≥ 0 by construction (abs, sqrt, exp, φ, t^c)
    let literals: BallArray
    let scratch: BallArray
    let box: BallArray          // the box: d balls
    let offsets: BallArray      // x − c over the box: d balls centred at 0
    let point: BallArray        // the centre: d exact balls
    let mpfr: MPFRArray
    /// For `bump(a)`: the register c when a is `c − floor(c)` (a periodic bump), else −1.
    let periodicArgument: [Int]
    var cells: [Int]
    var prec: Int { precision.bits }

    /// Prepares registers for `program` at `precision` bits (literals enclosed once, outward).
    public init(_ program: CompiledExpression, precision: Precision) {
        self.program = program
        self.precision = precision
        d = Swift.max(1, program.dimension)
        count = program.instructions.count
        value = BallArray(count: count)
        centre = BallArray(count: count)
        gradient = BallArray(count: count * d)
        remainder = BallArray(count: count)
        rough = Array(repeating: false, count: count)
        nonnegative = Array(repeating: false, count: count)
        scratch = BallArray(count: 12)
        box = BallArray(count: d)
        offsets = BallArray(count: d)
        point = BallArray(count: d)
        mpfr = MPFRArray(count: 4, precision: precision)
        cells = Array(repeating: 0, count: 16)
        literals = BallArray(count: program.literals.count + 1)
        let lo = MPFRArray(count: 2, precision: precision)
        for (k, t) in program.literals.enumerated() {
            // Round down and up: the literal's exact value lies between.
            t.withCString { s in
                _ = mpfr_strtofr(lo[0], s, nil, 0, MPFR_RNDD)
                _ = mpfr_strtofr(lo[1], s, nil, 0, MPFR_RNDU)
            }
            carb_set_interval_mpfr(literals[k], lo[0], lo[1], precision.bits)
        }
        arb_const_pi(literals[program.literals.count], precision.bits)
        let instructions = program.instructions
        func same(_ i: Int, _ j: Int) -> Bool {
            if i == j { return true }
            switch (instructions[i], instructions[j]) {
            case (.variable(let a), .variable(let b)): return a == b
            case (.constant(let a), .constant(let b)): return program.literals[a] == program.literals[b]
            case (.pi, .pi): return true
            case (.unary(let f, let a), .unary(let g, let b)): return f == g && same(a, b)
            case (.binary(let f, let a1, let a2), .binary(let g, let b1, let b2)): return f == g && same(a1, b1) && same(a2, b2)
            case (.bump(let a), .bump(let b)): return same(a, b)
            default: return false
            }
        }
        periodicArgument = instructions.map { ins in
            guard case .bump(let a) = ins, case .binary(.subtract, let c, let f) = instructions[a],
                  case .unary(.floor, let c2) = instructions[f], same(c, c2) else { return -1 }
            return c
        }
        // The constant instructions (no coordinate read) are enclosed once, here; every box
        // then runs only the others.
        let variable = Set(program.variableInstructions)
        folded = instructions.indices.filter { !variable.contains($0) }
        running = folded
        for k in 0..<d { carb_zero(box[k]); carb_zero(offsets[k]); carb_zero(point[k]) }
        run()
        running = program.variableInstructions
    }

    /// Indices of the constant instructions, enclosed once.
    let folded: [Int]
    /// The instructions ``run()`` executes.
    var running: [Int] = []

    // MARK: the box

    /// Encloses the expression over the box [lower_k, upper_k] (k < d), given as MPFR numbers.
    /// Afterwards ``result(into:)`` writes the enclosure of the whole expression.
    public func enclose(lower: UnsafePointer<__mpfr_struct>, upper: UnsafePointer<__mpfr_struct>) {
        for k in 0..<d { carb_set_interval_mpfr(box[k], lower + k, upper + k, prec) }
        encloseBox()
    }


    func encloseBox() {
        for k in 0..<d {
            // centre: the exact midpoint; offsets: [−rad, rad].
            carb_set(point[k], box[k]); carb_set(offsets[k], box[k])
            carb_mid_exact(point[k])
            carb_mid_zero(offsets[k])
        }
        run()
    }

    /// The enclosure of the expression over the last box: V ∩ (C + G·(x − c) + R).
    public func result(into out: UnsafeMutablePointer<arb_struct>) { best(count - 1, into: out) }

    /// The first-order parts of the result over the last box: its centre value C, its remainder
    /// R and its gradient G (d balls), for callers that subtract an affine function before
    /// bounding (the certified sup norm subtracts the network's linear piece).
    public func parts(centre c: UnsafeMutablePointer<arb_struct>, remainder r: UnsafeMutablePointer<arb_struct>,
                      gradient g: UnsafeMutablePointer<arb_struct>, range v: UnsafeMutablePointer<arb_struct>) {
        let i = count - 1
        carb_set(c, centre[i]); carb_set(r, remainder[i]); carb_set(v, value[i])
        for k in 0..<d { carb_set(g + k, gradient[i * d + k]) }
    }

    /// The box's centre (d exact balls) and offsets x − c (d balls centred at 0) of the last box.
    public var centrePoint: UnsafeMutablePointer<arb_struct> { point.base }
    /// x − c over the last box, one ball per coordinate (midpoint 0).
    public var centredOffsets: UnsafeMutablePointer<arb_struct> { offsets.base }

    /// Whether the last enclosure is finite (the expression is defined on the whole box).
    public var isFinite: Bool {
        let s = scratch[11]
        best(count - 1, into: s)
        return carb_is_finite(s) != 0
    }

    // MARK: registers

    func g(_ i: Int, _ k: Int) -> UnsafeMutablePointer<arb_struct> { gradient[i * d + k] }

    /// out := V_i ∩ (C_i + Σ G_ik·offset_k + R_i).
    func best(_ i: Int, into out: UnsafeMutablePointer<arb_struct>) {
        let t = scratch[10]
        carb_set(out, centre[i])
        for k in 0..<d { arb_addmul(out, g(i, k), offsets[k], prec) }
        if rough[i] { arb_add(out, out, remainder[i], prec) }
        if carb_is_finite(value[i]) != 0 {
            if carb_is_finite(out) == 0 { carb_set(out, value[i]); return }
            carb_set(t, out)
            if arb_intersection(out, t, value[i], prec) == 0 { carb_set(out, value[i]) }
        }
    }

    /// Makes register i a constant or pure-remainder register holding the ball `v`.
    func collapse(_ i: Int, to v: UnsafePointer<arb_struct>) {
        carb_set(value[i], v)
        carb_zero(centre[i])
        for k in 0..<d { carb_zero(g(i, k)) }
        carb_set(remainder[i], v)
        rough[i] = true
    }

    /// Register i is the exact constant ball `v` (no gradient, no remainder).
    func constant(_ i: Int, _ v: UnsafePointer<arb_struct>) {
        carb_set(value[i], v); carb_set(centre[i], v)
        for k in 0..<d { carb_zero(g(i, k)) }
        carb_zero(remainder[i]); rough[i] = false
    }

    func isConstant(_ i: Int) -> Bool {
        guard !rough[i] else { return false }
        for k in 0..<d where !(carb_is_exact(g(i, k)) != 0 && arb_is_zero(g(i, k)) != 0) { return false }
        return true
    }

    /// Register i := h(register a) where h is smooth on the operand's range: C = h(C_a),
    /// G = h′(E_a)·G_a, V = h(E_a). `h` writes h(x) into its first argument; `dh` writes h′(x).
    func smoothUnary(_ i: Int, _ a: Int, _ h: (UnsafeMutablePointer<arb_struct>, UnsafePointer<arb_struct>) -> Void,
                     _ dh: (UnsafeMutablePointer<arb_struct>, UnsafePointer<arb_struct>) -> Void) {
        let e = scratch[0], dv = scratch[1]
        best(a, into: e)
        h(value[i], e)
        if rough[a] {
            carb_set(remainder[i], value[i]); carb_zero(centre[i])
            for k in 0..<d { carb_zero(g(i, k)) }
            rough[i] = true
            return
        }
        h(centre[i], centre[a])
        dh(dv, e)
        for k in 0..<d { arb_mul(g(i, k), dv, g(a, k), prec) }
        carb_zero(remainder[i]); rough[i] = false
    }

    func run() {
        let p = prec
        let instructions = program.instructions
        for i in running {
            switch instructions[i] {
            case .variable(let k):
                carb_set(value[i], box[k]); carb_set(centre[i], point[k])
                for j in 0..<d { if j == k { carb_one(g(i, j)) } else { carb_zero(g(i, j)) } }
                carb_zero(remainder[i]); rough[i] = false
            case .constant(let k): constant(i, literals[k])
            case .pi: constant(i, literals[program.literals.count])
            case .unary(let f, let a): unary(f, i, a, p)
            case .binary(let f, let a, let b): binary(f, i, a, b, p)
            case .hashSign(let seed, let level, let args):
                var exact = true
                let fl = scratch[0]
                for (j, a) in args.enumerated() {
                    best(a, into: fl)
                    arb_floor(fl, fl, p)
                    if carb_is_exact(fl) == 0 || carb_is_finite(fl) == 0 { exact = false; break }
                    cells[j] = Int(carb_mid_d(fl))
                }
                if exact {
                    let s = cells.withUnsafeBufferPointer { CompiledExpression.sign(seed: seed, level: level, cells: UnsafeBufferPointer(rebasing: $0[0..<args.count])) }
                    carb_set_si(scratch[1], s)
                    constant(i, scratch[1])
                } else {
                    // ±1 on either side of a cell boundary: the range [−1, 1], no derivative.
                    carb_zero(scratch[1]); carb_rad_one(scratch[1])
                    collapse(i, to: scratch[1])
                }
            case .bump(let a):
                if periodicArgument[i] >= 0 { periodicBump(i, periodicArgument[i], p) } else { bump(i, a, p) }
            }
            nonnegative[i] = producesNonnegative(instructions[i])
            if nonnegative[i] { clipAtZero(i) }
        }
    }

    /// Whether an instruction's value is ≥ 0 wherever it is defined, by its form alone.
    func producesNonnegative(_ ins: CompiledExpression.Instruction) -> Bool {
        switch ins {
        case .unary(let f, _): return f == .abs || f == .sqrt || f == .exp
        case .bump: return true
        case .binary(.power, let a, _): return nonnegative[a]
        case .binary(.multiply, let a, let b): return nonnegative[a] && nonnegative[b]
        default: return false
        }
    }

    /// A register known to be ≥ 0: its range loses the negative part that the balls' outward
    /// rounding adds (so that [0, u] is not read as reaching below 0).
    func clipAtZero(_ i: Int) {
        if carb_is_finite(value[i]) != 0 && arb_contains_negative(value[i]) != 0 { carb_clip_nonnegative(value[i], value[i], prec) }
    }

    func unary(_ f: Expression.UnaryFunction, _ i: Int, _ a: Int, _ p: Int) {
        let e = scratch[0]
        switch f {
        case .negate:
            arb_neg(value[i], value[a]); arb_neg(centre[i], centre[a]); arb_neg(remainder[i], remainder[a])
            for k in 0..<d { arb_neg(g(i, k), g(a, k)) }
            rough[i] = rough[a]
        case .abs:
            best(a, into: e)
            if arb_is_nonnegative(e) != 0 || arb_is_positive(e) != 0 {
                copy(i, a)
            } else if arb_is_negative(e) != 0 || (arb_contains_positive(e) == 0) {
                unary(.negate, i, a, p)
            } else {
                // |t| is 1-Lipschitz: slope within [−1, 1]·|G|.
                carb_abs_range(value[i], e, p)
                if rough[a] { collapse(i, to: value[i]); return }
                arb_abs(centre[i], centre[a])
                for k in 0..<d { carb_symmetric(g(i, k), g(a, k)) }
                carb_zero(remainder[i]); rough[i] = false
            }
        case .sqrt:
            best(a, into: e)
            if arb_is_positive(e) != 0 {
                smoothUnary(i, a, { arb_sqrt($0, $1, p) }, { out, x in arb_sqrt(out, x, p); arb_mul_2exp_si(out, out, 1); arb_inv(out, out, p) })
            } else if arb_is_nonnegative(e) != 0 || nonnegative[a] {
                monotoneRange(into: value[i], e, p) { arb_sqrtpos($0, $1, p) }
                collapse(i, to: value[i])
            } else { undefined(i) }
        case .exp: smoothUnary(i, a, { arb_exp($0, $1, p) }, { arb_exp($0, $1, p) })
        case .log:
            best(a, into: e)
            if arb_is_positive(e) != 0 {
                smoothUnary(i, a, { arb_log($0, $1, p) }, { arb_inv($0, $1, p) })
            } else { undefined(i) }
        case .sin: smoothUnary(i, a, { arb_sin($0, $1, p) }, { arb_cos($0, $1, p) })
        case .cos: smoothUnary(i, a, { arb_cos($0, $1, p) }, { out, x in arb_sin(out, x, p); arb_neg(out, out) })
        case .floor:
            best(a, into: e)
            arb_floor(scratch[1], e, p)
            if carb_is_exact(scratch[1]) != 0 && carb_is_finite(scratch[1]) != 0 { constant(i, scratch[1]) }
            else { collapse(i, to: scratch[1]) }
        }
    }

    func binary(_ f: Expression.BinaryFunction, _ i: Int, _ a: Int, _ b: Int, _ p: Int) {
        switch f {
        case .add, .subtract:
            let op: (UnsafeMutablePointer<arb_struct>, UnsafePointer<arb_struct>, UnsafePointer<arb_struct>, Int) -> Void =
                f == .add ? { arb_add($0, $1, $2, $3) } : { arb_sub($0, $1, $2, $3) }
            op(value[i], value[a], value[b], p); op(centre[i], centre[a], centre[b], p)
            for k in 0..<d { op(g(i, k), g(a, k), g(b, k), p) }
            op(remainder[i], remainder[a], remainder[b], p)
            rough[i] = rough[a] || rough[b]
        case .multiply:
            if isConstant(a) { scale(i, b, by: centre[a], p) }
            else if isConstant(b) { scale(i, a, by: centre[b], p) }
            else {
                let ea = scratch[2], eb = scratch[3]
                best(a, into: ea); best(b, into: eb)
                arb_mul(value[i], ea, eb, p)
                if rough[a] || rough[b] { collapse(i, to: value[i]); return }
                arb_mul(centre[i], centre[a], centre[b], p)
                for k in 0..<d {
                    arb_mul(g(i, k), g(a, k), eb, p)
                    arb_addmul(g(i, k), ea, g(b, k), p)
                }
                carb_zero(remainder[i]); rough[i] = false
            }
        case .divide:
            let ea = scratch[2], eb = scratch[3], t = scratch[4]
            best(a, into: ea); best(b, into: eb)
            if arb_contains_zero(eb) != 0 { undefined(i); return }
            arb_div(value[i], ea, eb, p)
            if rough[a] || rough[b] { collapse(i, to: value[i]); return }
            arb_div(centre[i], centre[a], centre[b], p)
            // (a/b)' = (a′ − (a/b)·b′)/b
            for k in 0..<d {
                arb_mul(t, value[i], g(b, k), p)
                arb_sub(t, g(a, k), t, p)
                arb_div(g(i, k), t, eb, p)
            }
            carb_zero(remainder[i]); rough[i] = false
        case .power: power(i, a, b, p)
        case .min, .max:
            let ea = scratch[2], eb = scratch[3]
            best(a, into: ea); best(b, into: eb)
            let aBelow = arb_lt(ea, eb) != 0, bBelow = arb_lt(eb, ea) != 0
            if (f == .min && aBelow) || (f == .max && bBelow) { copy(i, a); return }
            if (f == .min && bBelow) || (f == .max && aBelow) { copy(i, b); return }
            if f == .min { arb_min(value[i], ea, eb, p) } else { arb_max(value[i], ea, eb, p) }
            if rough[a] || rough[b] { collapse(i, to: value[i]); return }
            // Lipschitz: the slope lies in the hull of the two gradients.
            if f == .min { arb_min(centre[i], centre[a], centre[b], p) } else { arb_max(centre[i], centre[a], centre[b], p) }
            for k in 0..<d { carb_union(g(i, k), g(a, k), g(b, k), p) }
            carb_zero(remainder[i]); rough[i] = false
        }
    }

    func copy(_ i: Int, _ a: Int) {
        carb_set(value[i], value[a]); carb_set(centre[i], centre[a]); carb_set(remainder[i], remainder[a])
        for k in 0..<d { carb_set(g(i, k), g(a, k)) }
        rough[i] = rough[a]
    }

    /// Register i := s · register a for a constant ball s.
    func scale(_ i: Int, _ a: Int, by s: UnsafePointer<arb_struct>, _ p: Int) {
        let c = scratch[5]
        carb_set(c, s)
        arb_mul(value[i], value[a], c, p); arb_mul(centre[i], centre[a], c, p); arb_mul(remainder[i], remainder[a], c, p)
        for k in 0..<d { arb_mul(g(i, k), g(a, k), c, p) }
        rough[i] = rough[a]
    }

    func undefined(_ i: Int) {
        carb_indeterminate(scratch[6])
        collapse(i, to: scratch[6])
        carb_indeterminate(value[i])
    }

    /// out := [h(lower e), h(upper e)] for h increasing on [0, ∞), with each end a point ball
    /// (a lower end below 0 is taken as 0: e encloses a nonnegative quantity).
    func monotoneRange(into out: UnsafeMutablePointer<arb_struct>, _ e: UnsafePointer<arb_struct>, _ p: Int,
                       _ h: (UnsafeMutablePointer<arb_struct>, UnsafePointer<arb_struct>) -> Void) {
        let lo = scratch[7], hi = scratch[8]
        carb_lower_mpfr(mpfr[0], e); carb_upper_mpfr(mpfr[1], e)
        if cmpfr_sgn(mpfr[0]) < 0 { cmpfr_set_zero_pos(mpfr[0]) }
        carb_set_mpfr(lo, mpfr[0]); carb_set_mpfr(hi, mpfr[1])
        h(lo, lo); h(hi, hi)
        carb_union(out, lo, hi, p)
    }

    func power(_ i: Int, _ a: Int, _ b: Int, _ p: Int) {
        let ea = scratch[2], eb = scratch[3], t = scratch[4]
        best(a, into: ea); best(b, into: eb)
        if isConstant(b) {
            let n = scratch[9]; carb_set(n, centre[b])
            if carb_is_exact(n) != 0 && arb_is_int(n) != 0 {
                // Integer exponent: x^n is smooth (for n ≥ 0, or away from 0).
                if arb_is_negative(n) != 0 && arb_contains_zero(ea) != 0 { undefined(i); return }
                smoothUnary(i, a, { arb_pow($0, $1, n, p) }) { out, x in
                    arb_sub_ui(t, n, 1, p); arb_pow(out, x, t, p); arb_mul(out, out, n, p)
                }
                return
            }
            if arb_is_positive(ea) != 0 {
                smoothUnary(i, a, { arb_pow($0, $1, n, p) }) { out, x in
                    arb_sub_ui(t, n, 1, p); arb_pow(out, x, t, p); arb_mul(out, out, n, p)
                }
                return
            }
            if (arb_is_nonnegative(ea) != 0 || nonnegative[a]) && arb_is_positive(n) != 0 {
                // A non-integer power c > 0 on [0, u]: increasing from 0; its derivative is
                // bounded (c ≥ 1: c·t^(c−1) on [0, u]) or unbounded (c < 1): then no gradient.
                monotoneRange(into: value[i], ea, p) { out, x in arb_pow(out, x, n, p) }
                let c1 = scratch[1]
                arb_sub_ui(c1, n, 1, p)
                if arb_is_nonnegative(c1) != 0 && !rough[a] {
                    // derivative c·t^(c−1) over [0, u], also increasing
                    if arb_is_zero(c1) != 0 { carb_one(t) } else { monotoneRange(into: t, ea, p) { out, x in arb_pow(out, x, c1, p) } }
                    arb_mul(t, t, n, p)
                    arb_pow(centre[i], centre[a], n, p)
                    for k in 0..<d { arb_mul(g(i, k), t, g(a, k), p) }
                    carb_zero(remainder[i]); rough[i] = false
                } else {
                    collapse(i, to: value[i])
                }
                return
            }
            undefined(i); return
        }
        // A variable exponent: only a positive base is defined; x^y = exp(y log x).
        guard arb_is_positive(ea) != 0 else { undefined(i); return }
        arb_pow(value[i], ea, eb, p)
        if rough[a] || rough[b] { collapse(i, to: value[i]); return }
        arb_pow(centre[i], centre[a], centre[b], p)
        // d(x^y) = x^y (y′ log x + y x′/x)
        let lx = scratch[5], q = scratch[6]
        arb_log(lx, ea, p); arb_div(q, eb, ea, p)
        for k in 0..<d {
            arb_mul(t, g(b, k), lx, p); arb_addmul(t, q, g(a, k), p)
            arb_mul(g(i, k), t, value[i], p)
        }
        carb_zero(remainder[i]); rough[i] = false
    }

    // MARK: the bump

    /// φ at the exact point ball x (0 outside (0, 1)), into out.
    func phi(_ out: UnsafeMutablePointer<arb_struct>, _ x: UnsafePointer<arb_struct>, _ p: Int) {
        if arb_is_positive(x) == 0 { carb_zero(out); return }
        let u = scratch[9]
        arb_sub_ui(u, x, 1, p); arb_neg(u, u)            // 1 − x
        if arb_is_positive(u) == 0 { carb_zero(out); return }
        arb_mul(u, u, x, p); arb_inv(u, u, p)             // 1/(x(1−x))
        arb_neg(u, u); arb_add_si(u, u, 4, p)
        arb_exp(out, u, p)
    }

    /// The range of φ over [lo, hi] (MPFR ends, lo ≤ hi) into out, and a bound on |φ′| there
    /// into slope (a ball [−s, s]).
    func phiRange(_ lo: UnsafePointer<__mpfr_struct>, _ hi: UnsafePointer<__mpfr_struct>,
                  into out: UnsafeMutablePointer<arb_struct>, slope: UnsafeMutablePointer<arb_struct>, _ p: Int) {
        let x = scratch[7], m = scratch[8]
        if cmpfr_sgn(hi) <= 0 || cmpfr_cmp_ui(lo, 1) >= 0 { carb_zero(out); carb_zero(slope); return }
        // The point of [lo, hi] nearest 1/2 gives the maximum of φ and of t(1 − t).
        mpfr_set_d(mpfr[2], 0.5, MPFR_RNDN)
        if mpfr_less_p(mpfr[2], lo) != 0 { cmpfr_set(mpfr[2], lo, MPFR_RNDN) }
        if mpfr_greater_p(mpfr[2], hi) != 0 { cmpfr_set(mpfr[2], hi, MPFR_RNDN) }
        carb_set_mpfr(x, mpfr[2])
        phi(m, x, p)                                      // the maximum
        // ψ(u) at u = x(1 − x), the largest u on [lo, hi] (ψ is increasing for u ≤ 1/4 < 1/2).
        let u = scratch[9]
        arb_sub_ui(u, x, 1, p); arb_neg(u, u); arb_mul(u, u, x, p)
        if arb_is_positive(u) == 0 { carb_zero(slope) } else {
            let e = slope
            arb_inv(e, u, p); arb_neg(e, e); arb_add_si(e, e, 4, p); arb_exp(e, e, p)
            arb_sqr(u, u, p); arb_div(e, e, u, p)
            carb_symmetric(slope, e)
        }
        if cmpfr_sgn(lo) <= 0 || cmpfr_cmp_ui(hi, 1) >= 0 {
            // reaches 0 at an end
            carb_zero(x); carb_union(out, x, m, p)
        } else {
            let a = scratch[10]
            carb_set_mpfr(x, lo); phi(a, x, p)
            carb_set_mpfr(x, hi); phi(out, x, p)
            carb_union(out, out, a, p); carb_union(out, out, m, p)
        }
    }

    func bump(_ i: Int, _ a: Int, _ p: Int) {
        let e = scratch[0], s = scratch[1]
        best(a, into: e)
        guard carb_is_finite(e) != 0 else { undefined(i); return }
        carb_lower_mpfr(mpfr[0], e); carb_upper_mpfr(mpfr[1], e)
        phiRange(mpfr[0], mpfr[1], into: value[i], slope: s, p)
        finishBump(i, a, e, s, p)
    }

    /// φ(c − floor(c)): c's range split at the integer it crosses, each side enclosed.
    func periodicBump(_ i: Int, _ c: Int, _ p: Int) {
        let e = scratch[0], s = scratch[1], other = scratch[2], s2 = scratch[3]
        best(c, into: e)
        guard carb_is_finite(e) != 0 else { undefined(i); return }
        carb_lower_mpfr(mpfr[0], e); carb_upper_mpfr(mpfr[1], e)
        mpfr_rint_floor(mpfr[2], mpfr[0], MPFR_RNDD)
        mpfr_rint_floor(mpfr[3], mpfr[1], MPFR_RNDD)
        mpfr_sub(mpfr[0], mpfr[0], mpfr[2], MPFR_RNDD)   // frac(lo), rounded down
        if mpfr_equal_p(mpfr[2], mpfr[3]) != 0 {
            mpfr_sub(mpfr[1], mpfr[1], mpfr[3], MPFR_RNDU)
            phiRange(mpfr[0], mpfr[1], into: value[i], slope: s, p)
        } else {
            mpfr_sub(mpfr[2], mpfr[3], mpfr[2], MPFR_RNDN)
            if cmpfr_cmp_ui(mpfr[2], 1) > 0 {
                // two or more integers inside: every value of φ.
                carb_zero(value[i]); carb_one(other); carb_union(value[i], value[i], other, p)
                mpfr_set_d(mpfr[0], 0.5, MPFR_RNDN); mpfr_set_d(mpfr[1], 0.5, MPFR_RNDN)
                phiRange(mpfr[0], mpfr[1], into: other, slope: s, p)
            } else {
                mpfr_sub(mpfr[1], mpfr[1], mpfr[3], MPFR_RNDU)   // the right side: [0, hi − n]
                mpfr_set_ui(mpfr[3], 1, MPFR_RNDN)
                phiRange(mpfr[0], mpfr[3], into: value[i], slope: s, p)        // [frac(lo), 1]
                cmpfr_set_zero_pos(mpfr[3])
                phiRange(mpfr[3], mpfr[1], into: other, slope: s2, p)          // [0, hi − n]
                carb_union(value[i], value[i], other, p)
                carb_union(s, s, s2, p)
            }
        }
        // The centre value with the ordinary evaluation of φ(c − floor c) at the centre.
        if rough[c] { collapse(i, to: value[i]); return }
        let x = scratch[4]
        carb_set(x, centre[c]); arb_floor(other, x, p)
        if carb_is_exact(other) == 0 { collapse(i, to: value[i]); return }   // the centre on an integer: exact φ = 0
        arb_sub(x, x, other, p)
        phiPoint(centre[i], x, p)
        for k in 0..<d { arb_mul(g(i, k), s, g(c, k), p) }
        carb_zero(remainder[i]); rough[i] = false
    }

    /// φ at a ball x (not necessarily a point): exact zero where x is outside (0, 1), the
    /// range by ``phiRange`` otherwise.
    func phiPoint(_ out: UnsafeMutablePointer<arb_struct>, _ x: UnsafePointer<arb_struct>, _ p: Int) {
        if carb_is_exact(x) != 0 { phi(out, x, p); return }
        let s = scratch[11]
        carb_lower_mpfr(mpfr[0], x); carb_upper_mpfr(mpfr[1], x)
        phiRange(mpfr[0], mpfr[1], into: out, slope: s, p)
    }

    func finishBump(_ i: Int, _ a: Int, _ e: UnsafePointer<arb_struct>, _ s: UnsafePointer<arb_struct>, _ p: Int) {
        if rough[a] { collapse(i, to: value[i]); return }
        phiPoint(centre[i], centre[a], p)
        for k in 0..<d { arb_mul(g(i, k), s, g(a, k), p) }
        carb_zero(remainder[i]); rough[i] = false
    }
}

