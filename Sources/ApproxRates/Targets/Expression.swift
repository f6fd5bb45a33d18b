import PrecisionModule
/// A real function of d variables as a tree, the common form of every target: the built-ins
/// are written as expressions and a user's formula is parsed into one. Numbers are kept as
/// text and rounded once to the working precision, so the same tree evaluates correctly at
/// 53 bits or at 5,000.
public indirect enum Expression: Sendable, Equatable {
    /// A decimal or hexadecimal literal, read at the working precision.
    case number(String)
    /// π at the working precision.
    case pi
    /// Coordinate `i` (0-based) of the input point.
    case variable(Int)
    /// A function of one argument.
    case unary(UnaryFunction, Expression)
    /// A function or operator of two arguments.
    case binary(BinaryFunction, Expression, Expression)
    /// ±1 chosen by a hash of (seed, level, ⌊arguments⌋): the random signs ξ of the lacunary
    /// sums. Piecewise constant: its derivatives are zero.
    case hashSign(seed: UInt64, level: Int, [Expression])
    /// The C^∞ bump φ(t) = exp(4 − 1/(t(1 − t))) on (0, 1), 0 elsewhere; φ(1/2) = 1.
    case bump(Expression)

    /// Functions of one argument.
    public enum UnaryFunction: String, Sendable, CaseIterable {
        case negate, abs, sqrt, exp, log, sin, cos, floor
    }

    /// Functions of two arguments.
    public enum BinaryFunction: String, Sendable, CaseIterable {
        case add, subtract, multiply, divide, power, min, max
    }

    /// The largest variable index used plus one (0 for a constant).
    public var variableCount: Int {
        switch self {
        case .number, .pi: 0
        case .variable(let i): i + 1
        case .unary(_, let a), .bump(let a): a.variableCount
        case .binary(_, let a, let b): Swift.max(a.variableCount, b.variableCount)
        case .hashSign(_, _, let args): args.map(\.variableCount).max() ?? 0
        }
    }

    /// The expression in the formula syntax the parser reads (fully parenthesised where needed).
    public var formula: String {
        switch self {
        case .number(let t): return t
        case .pi: return "pi"
        case .variable(let i): return "x\(i + 1)"
        case .unary(.negate, let a): return "-(\(a.formula))"
        case .unary(let f, let a): return "\(f.rawValue)(\(a.formula))"
        case .binary(let f, let a, let b):
            switch f {
            case .add: return "(\(a.formula) + \(b.formula))"
            case .subtract: return "(\(a.formula) - \(b.formula))"
            case .multiply: return "\(a.formula)*\(b.formula)"
            case .divide: return "\(a.formula)/(\(b.formula))"
            case .power: return "(\(a.formula))^(\(b.formula))"
            case .min, .max: return "\(f.rawValue)(\(a.formula), \(b.formula))"
            }
        case .hashSign(let seed, let level, let args):
            return "sign[\(seed),\(level)](\(args.map(\.formula).joined(separator: ", ")))"
        case .bump(let a): return "bump(\(a.formula))"
        }
    }

    // Builders used by the built-in targets.
    static func + (a: Expression, b: Expression) -> Expression { .binary(.add, a, b) }
    static func - (a: Expression, b: Expression) -> Expression { .binary(.subtract, a, b) }
    static func * (a: Expression, b: Expression) -> Expression { .binary(.multiply, a, b) }
    static func / (a: Expression, b: Expression) -> Expression { .binary(.divide, a, b) }
    static func int(_ n: Int) -> Expression { .number(String(n)) }
    func power(_ e: Expression) -> Expression { .binary(.power, self, e) }
}

extension Expression {
    /// The variables the expression reads (0-based).
    public var variables: Set<Int> {
        switch self {
        case .number, .pi: return []
        case .variable(let i): return [i]
        case .unary(_, let a), .bump(let a): return a.variables
        case .binary(_, let a, let b): return a.variables.union(b.variables)
        case .hashSign(_, _, let args): return args.reduce(into: Set<Int>()) { $0.formUnion($1.variables) }
        }
    }

    /// The expression with variable `k` replaced by `e`.
    public func substituting(_ k: Int, with e: Expression) -> Expression {
        switch self {
        case .number, .pi: return self
        case .variable(let i): return i == k ? e : self
        case .unary(let f, let a): return .unary(f, a.substituting(k, with: e))
        case .bump(let a): return .bump(a.substituting(k, with: e))
        case .binary(let f, let a, let b): return .binary(f, a.substituting(k, with: e), b.substituting(k, with: e))
        case .hashSign(let s, let l, let args): return .hashSign(seed: s, level: l, args.map { $0.substituting(k, with: e) })
        }
    }

    /// The zero of an argument `a` that is affine in its one variable x_k, as a constant
    /// expression: exactly the constant c for x_k − c, c − x_k and x_k + c (then −c), so that
    /// the target evaluated there at any precision gives an exact 0; −a(0)/(a(1) − a(0))
    /// otherwise. Nil when `a` reads more than one variable, is not affine, or has no zero in
    /// (0, 1).
    static func affineZero(_ a: Expression) -> (axis: Int, value: Expression)? {
        let vars = a.variables
        guard vars.count == 1, let k = vars.first else { return nil }
        let v = Expression.variable(k)
        var root: Expression
        switch a {
        case .binary(.subtract, let x, let c) where x == v && c.variables.isEmpty: root = c
        case .binary(.subtract, let c, let x) where x == v && c.variables.isEmpty: root = c
        case .binary(.add, let x, let c) where x == v && c.variables.isEmpty: root = .unary(.negate, c)
        case .binary(.add, let c, let x) where x == v && c.variables.isEmpty: root = .unary(.negate, c)
        default:
            let a0 = a.substituting(k, with: .number("0")), a1 = a.substituting(k, with: .number("1"))
            let half = a.substituting(k, with: .number("0.5"))
            let ev = { (e: Expression) in CompiledExpression(e, dimension: 0).constantValue(precision: .double).toDouble() }
            let (y0, y1, ym) = (ev(a0), ev(a1), ev(half))
            guard y0.isFinite, y1.isFinite, ym.isFinite, y1 != y0,
                  Swift.abs(ym - (y0 + y1) / 2) <= 1e-12 * Swift.max(1, Swift.abs(y0), Swift.abs(y1)) else { return nil }
            root = .unary(.negate, a0) / (a1 - a0)
        }
        let x = CompiledExpression(root, dimension: 0).constantValue(precision: .double).toDouble()
        guard x > 0, x < 1 else { return nil }
        return (k, root)
    }

    /// The arguments whose zeros are kinks: of abs, sqrt, a non-integer power, and the
    /// difference of the arguments of min and max.
    func kinkArguments() -> [Expression] {
        var found: [Expression] = []
        func visit(_ e: Expression) {
            switch e {
            case .number, .pi, .variable: return
            case .unary(let f, let a):
                if f == .abs || f == .sqrt { found.append(a) }
                visit(a)
            case .binary(let f, let a, let b):
                switch f {
                case .power:
                    if case .number(let t) = b, let c = Double(t), c != c.rounded() { found.append(a) }
                case .min, .max: found.append(.binary(.subtract, a, b))
                default: break
                }
                visit(a); visit(b)
            case .hashSign(_, _, let args): args.forEach(visit)
            case .bump(let a): visit(a)
            }
        }
        visit(self)
        return found
    }

    /// The kinks of a 1-D expression as exact constant expressions (see ``affineZero(_:)``):
    /// the special points the sup-norm search evaluates at full precision.
    public func exactKinks(limit: Int = 64) -> [Expression] {
        guard variableCount <= 1 else { return [] }
        var seen: [Expression] = []
        for a in kinkArguments() { if let z = Expression.affineZero(a), !seen.contains(z.value) { seen.append(z.value) } }
        return Array(seen.prefix(limit))
    }

    /// The lines {x_k = c} of a d-D expression (d ≥ 2) where an argument of abs, sqrt, a
    /// non-integer power, min or max that reads only x_k, affinely, is zero.
    public func kinkLines(limit: Int = 64) -> [Target.SpecialLine] {
        var seen: [Target.SpecialLine] = []
        for a in kinkArguments() {
            if let z = Expression.affineZero(a) {
                let line = Target.SpecialLine(axis: z.axis, value: z.value)
                if !seen.contains(line) { seen.append(line) }
            }
        }
        return Array(seen.prefix(limit))
    }

    /// Points of [0, 1] where a 1-D expression is not smooth, found where that is cheap: the
    /// zeros of affine arguments of abs, sqrt, a non-integer power, min and max (their
    /// difference), and the integer crossings of affine arguments of floor (at most `limit`).
    /// Arguments that are not affine in x are skipped, so the list can miss kinks; it only
    /// guides the sup-norm search, which also searches everywhere else.
    public func kinks(limit: Int = 64) -> [Double] {
        guard variableCount <= 1 else { return [] }
        var found: [Double] = []
        func affine(_ e: Expression) -> (Double, Double)? {
            let p = CompiledExpression(e, dimension: 1)
            let f = ExpressionEvaluator(p, precision: .double)
            var x = 0.0
            let a = f.evaluateDouble(&x); x = 1
            let b = f.evaluateDouble(&x); x = 0.5
            let m = f.evaluateDouble(&x)
            guard a.isFinite, b.isFinite, m.isFinite, Swift.abs(m - (a + b) / 2) <= 1e-12 * Swift.max(1, Swift.abs(a), Swift.abs(b)) else { return nil }
            return (a, b - a)
        }
        func zero(_ e: Expression) {
            guard let (a, s) = affine(e), s != 0 else { return }
            let x = -a / s
            if x > 0 && x < 1 { found.append(x) }
        }
        func visit(_ e: Expression) {
            switch e {
            case .number, .pi, .variable: return
            case .unary(let f, let a):
                switch f {
                case .abs, .sqrt: zero(a)
                case .floor:
                    if let (a0, s) = affine(a), s != 0 {
                        let lo = Swift.min(a0, a0 + s), hi = Swift.max(a0, a0 + s)
                        if hi - lo <= Double(limit) {
                            var k = lo.rounded(.up)
                            while k <= hi { let x = (k - a0) / s; if x > 0 && x < 1 { found.append(x) }; k += 1 }
                        }
                    }
                default: break
                }
                visit(a)
            case .binary(let f, let a, let b):
                switch f {
                case .power:
                    if case .number(let t) = b, let c = Double(t), c != c.rounded() { zero(a) }
                case .min, .max: zero(.binary(.subtract, a, b))
                default: break
                }
                visit(a); visit(b)
            case .hashSign(_, _, let args): args.forEach(visit)
            case .bump(let a): visit(a)
            }
        }
        visit(self)
        return Array(Set(found)).sorted().prefix(limit).map { $0 }
    }
}
