import CMPFR
import Foundation
import PrecisionModule

/// An ``Expression`` flattened once into a list of register instructions, so that evaluating it
/// at a point is a loop over preallocated registers: no parsing, no tree walk, no allocation.
public struct CompiledExpression: Sendable {
    enum Instruction: Sendable {
        case variable(Int)
        case constant(Int)
        case pi
        case unary(Expression.UnaryFunction, Int)
        case binary(Expression.BinaryFunction, Int, Int)
        case hashSign(seed: UInt64, level: Int, [Int])
        case bump(Int)
    }

    /// Number of input coordinates the expression reads.
    public let dimension: Int
    let instructions: [Instruction]
    let literals: [String]

    /// Flattens `expression` for points of `dimension` coordinates (at least the variables used).
    public init(_ expression: Expression, dimension: Int) {
        precondition(dimension >= expression.variableCount)
        self.dimension = dimension
        var instructions: [Instruction] = []
        var literals: [String] = []
        func emit(_ e: Expression) -> Int {
            let i: Instruction
            switch e {
            case .number(let t): literals.append(t); i = .constant(literals.count - 1)
            case .pi: i = .pi
            case .variable(let k): i = .variable(k)
            case .unary(let f, let a): i = .unary(f, emit(a))
            case .binary(let f, let a, let b): let ra = emit(a); i = .binary(f, ra, emit(b))
            case .hashSign(let seed, let level, let args): i = .hashSign(seed: seed, level: level, args.map(emit))
            case .bump(let a): i = .bump(emit(a))
            }
            instructions.append(i)
            return instructions.count - 1
        }
        _ = emit(expression)
        self.instructions = instructions
        self.literals = literals
        var constant = Array(repeating: false, count: instructions.count)
        for (i, ins) in instructions.enumerated() {
            switch ins {
            case .variable: constant[i] = false
            case .constant, .pi: constant[i] = true
            case .unary(_, let a), .bump(let a): constant[i] = constant[a]
            case .binary(_, let a, let b): constant[i] = constant[a] && constant[b]
            case .hashSign(_, _, let args): constant[i] = args.allSatisfy { constant[$0] }
            }
        }
        // The last instruction always runs, so that a constant expression still writes its result.
        variableInstructions = instructions.indices.filter { !constant[$0] || $0 == instructions.count - 1 }
    }

    /// Indices of the instructions that depend on the point; the others are folded once per
    /// evaluator (e.g. the weights 2^(−nα) of a lacunary or Weierstrass sum).
    let variableInstructions: [Int]

    /// The value of an expression without variables, at `precision`.
    public func constantValue(precision: Precision) -> BigFloat {
        let none = MPFRArray(count: 1, precision: precision)
        let out = MPFRArray(count: 1, precision: precision)
        ExpressionEvaluator(self, precision: precision).evaluate(none.base, into: out.base)
        return out.value(at: 0)
    }

    /// ±1 from (seed, level, cells): a SplitMix64 finaliser over the mixed integers.
    static func sign(seed: UInt64, level: Int, cells: UnsafeBufferPointer<Int>) -> Int {
        var h = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: level &+ 1)
        for c in cells {
            var g = SplitMix64(seed: h ^ UInt64(bitPattern: Int64(c)) &* 0xBF58_476D_1CE4_E5B9)
            h = g.next()
        }
        var g = SplitMix64(seed: h)
        return g.next() & 1 == 0 ? 1 : -1
    }
}

/// Evaluates a ``CompiledExpression`` in MPFR at one precision, and in float64. One evaluator
/// per thread: it owns its registers. Each operation is correctly rounded to ``precision``
/// (MPFR's functions), so the value differs from the exact one by a few units in the last
/// place times the expression's condition number; ``SupNorm`` checks the digits it reports by
/// repeating the evaluation at twice the precision.
public final class ExpressionEvaluator {
    /// The program evaluated.
    public let program: CompiledExpression
    /// The working precision of every MPFR operation.
    public let precision: Precision
    let registers: MPFRArray
    let constants: MPFRArray
    let scratch: MPFRArray
    var doubles: [Double]
    var doubleConstants: [Double]
    var cells: [Int]

    /// Prepares registers for `program` at `precision` (literals and π rounded once).
    public init(_ program: CompiledExpression, precision: Precision) {
        self.program = program
        self.precision = precision
        registers = MPFRArray(count: program.instructions.count, precision: precision)
        let constants = MPFRArray(count: program.literals.count + 1, precision: precision)
        for (k, t) in program.literals.enumerated() {
            t.withCString { _ = mpfr_strtofr(constants[k], $0, nil, 0, MPFR_RNDN) }
        }
        mpfr_const_pi(constants[program.literals.count], MPFR_RNDN)
        self.constants = constants
        scratch = MPFRArray(count: 2, precision: precision)
        doubles = Array(repeating: 0, count: program.instructions.count)
        doubleConstants = program.literals.map { Double($0) ?? (try? BigFloat(parsing: $0, precision: .double).toDouble()) ?? .nan }
        cells = Array(repeating: 0, count: 16)
        // Fold the constant instructions once (they read no coordinate, so any point will do).
        let variable = Set(program.variableInstructions)
        let folded = program.instructions.indices.filter { !variable.contains($0) }
        let origin = MPFRArray(count: Swift.max(1, program.dimension), precision: precision)
        run(folded, origin.base)
        let zeros = [Double](repeating: 0, count: Swift.max(1, program.dimension))
        zeros.withUnsafeBufferPointer { runDouble(folded, $0.baseAddress!) }
    }

    /// Writes f(x) rounded to ``precision`` into `result` (then to `result`'s own precision).
    /// `x` points to ``CompiledExpression/dimension`` numbers.
    public func evaluate(_ x: UnsafePointer<__mpfr_struct>, into result: UnsafeMutablePointer<__mpfr_struct>) {
        run(program.variableInstructions, x)
        cmpfr_set(result, registers.base + (program.instructions.count - 1), MPFR_RNDN)
    }

    /// Runs the instructions `indices` (in order) at the point `x`.
    func run(_ indices: [Int], _ x: UnsafePointer<__mpfr_struct>) {
        let r = registers.base
        let piIndex = program.literals.count
        for i in indices {
            let ins = program.instructions[i]
            let out = r + i
            switch ins {
            case .variable(let k): cmpfr_set(out, x + k, MPFR_RNDN)
            case .constant(let k): cmpfr_set(out, constants[k], MPFR_RNDN)
            case .pi: cmpfr_set(out, constants[piIndex], MPFR_RNDN)
            case .unary(let f, let a):
                let v = r + a
                switch f {
                case .negate: mpfr_neg(out, v, MPFR_RNDN)
                case .abs: mpfr_abs(out, v, MPFR_RNDN)
                case .sqrt: mpfr_sqrt(out, v, MPFR_RNDN)
                case .exp: mpfr_exp(out, v, MPFR_RNDN)
                case .log: mpfr_log(out, v, MPFR_RNDN)
                case .sin: mpfr_sin(out, v, MPFR_RNDN)
                case .cos: mpfr_cos(out, v, MPFR_RNDN)
                case .floor: mpfr_rint_floor(out, v, MPFR_RNDN)
                }
            case .binary(let f, let a, let b):
                let u = r + a, v = r + b
                switch f {
                case .add: mpfr_add(out, u, v, MPFR_RNDN)
                case .subtract: mpfr_sub(out, u, v, MPFR_RNDN)
                case .multiply: mpfr_mul(out, u, v, MPFR_RNDN)
                case .divide: mpfr_div(out, u, v, MPFR_RNDN)
                case .power: mpfr_pow(out, u, v, MPFR_RNDN)
                // MPFR's min and max return the other operand when one is NaN; a formula
                // undefined in one branch is undefined (issue 19), so NaN propagates.
                case .min: if cmpfr_nan_p(u) != 0 || cmpfr_nan_p(v) != 0 { mpfr_set_nan(out) } else { mpfr_min(out, u, v, MPFR_RNDN) }
                case .max: if cmpfr_nan_p(u) != 0 || cmpfr_nan_p(v) != 0 { mpfr_set_nan(out) } else { mpfr_max(out, u, v, MPFR_RNDN) }
                }
            case .hashSign(let seed, let level, let args):
                for (j, a) in args.enumerated() { cells[j] = mpfr_get_si(r + a, MPFR_RNDD) }
                let s = cells.withUnsafeBufferPointer { CompiledExpression.sign(seed: seed, level: level, cells: UnsafeBufferPointer(rebasing: $0[0..<args.count])) }
                mpfr_set_si(out, s, MPFR_RNDN)
            case .bump(let a):
                let t = r + a
                if cmpfr_sgn(t) <= 0 || cmpfr_cmp_ui(t, 1) >= 0 {
                    cmpfr_set_zero_pos(out)
                } else {
                    let u = scratch[0]
                    mpfr_ui_sub(u, 1, t, MPFR_RNDN)      // 1 - t
                    mpfr_mul(u, u, t, MPFR_RNDN)         // t (1 - t)
                    mpfr_ui_div(u, 1, u, MPFR_RNDN)      // 1 / (t (1 - t))
                    mpfr_ui_sub(u, 4, u, MPFR_RNDN)      // 4 - 1/(t(1-t))
                    mpfr_exp(out, u, MPFR_RNDN)
                }
            }
        }
    }

    /// f(x) in float64 (each operation rounded to double): the fast locator of the sup-norm
    /// search, never a reported value.
    public func evaluateDouble(_ x: UnsafePointer<Double>) -> Double {
        runDouble(program.variableInstructions, x)
        return doubles[program.instructions.count - 1]
    }

    func runDouble(_ indices: [Int], _ x: UnsafePointer<Double>) {
        let pi = Double.pi
        doubles.withUnsafeMutableBufferPointer { r in
            for i in indices {
                let ins = program.instructions[i]
                switch ins {
                case .variable(let k): r[i] = x[k]
                case .constant(let k): r[i] = doubleConstants[k]
                case .pi: r[i] = pi
                case .unary(let f, let a):
                    let v = r[a]
                    switch f {
                    case .negate: r[i] = -v
                    case .abs: r[i] = Swift.abs(v)
                    case .sqrt: r[i] = v.squareRoot()
                    case .exp: r[i] = Foundation.exp(v)
                    case .log: r[i] = Foundation.log(v)
                    case .sin: r[i] = Foundation.sin(v)
                    case .cos: r[i] = Foundation.cos(v)
                    case .floor: r[i] = v.rounded(.down)
                    }
                case .binary(let f, let a, let b):
                    let u = r[a], v = r[b]
                    switch f {
                    case .add: r[i] = u + v
                    case .subtract: r[i] = u - v
                    case .multiply: r[i] = u * v
                    case .divide: r[i] = u / v
                    case .power: r[i] = Foundation.pow(u, v)
                    case .min: r[i] = u.isNaN || v.isNaN ? .nan : Swift.min(u, v)
                    case .max: r[i] = u.isNaN || v.isNaN ? .nan : Swift.max(u, v)
                    }
                case .hashSign(let seed, let level, let args):
                    for (j, a) in args.enumerated() { cells[j] = Int(r[a].rounded(.down)) }
                    r[i] = Double(cells.withUnsafeBufferPointer { CompiledExpression.sign(seed: seed, level: level, cells: UnsafeBufferPointer(rebasing: $0[0..<args.count])) })
                case .bump(let a):
                    let t = r[a]
                    r[i] = t <= 0 || t >= 1 ? 0 : Foundation.exp(4 - 1 / (t * (1 - t)))
                }
            }
        }
    }
}
