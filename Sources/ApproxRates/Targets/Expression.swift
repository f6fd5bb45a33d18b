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
