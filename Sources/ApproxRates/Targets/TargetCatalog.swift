import PrecisionModule
/// The built-in targets of the reference notes (section 6), each with its smoothness:
///
/// | name | d | function | r | role |
/// |---|---|---|---|---|
/// | `power` | 1 | \|x − x₀\|^r, x₀ = 1/3 | r | class-hard for continuous constructions |
/// | `power` | 2 | ‖x − x₀‖₂^r, x₀ = (1/3, 1/√5) | r | same |
/// | `lacunary` | 1, 2 | Σ_{k=1..K} 2^(−kr) Σ_j ξ_kj φ(2^k x − j), ξ = ±1 seeded | r | class-hard stand-in |
/// | `smooth-sine` | 1 | sin(2πx)/(4π²) | default 2 | single smooth function |
/// | `smooth-sine` | 2 | sin(2πx₁) sin(2πx₂)/(8π²) | default 2 | single smooth function |
/// | `weierstrass` | 1 | Σ_{n<T} 2^(−nα) cos(2^n πx) | α ∈ (0,1) | trap |
/// | `takagi` | 1 | Σ_{n<T} 2^(−nα) dist(2^n x, ℤ) | α ∈ (0,1) | trap |
///
/// φ(t) = exp(4 − 1/(t(1−t))) is the C^∞ bump on (0,1) with φ(1/2) = 1; in 2-D the bumps are
/// tensor products φ(2^k x₁ − j₁) φ(2^k x₂ − j₂). Only one j per level is nonzero at a point,
/// so the lacunary sum costs K bumps per evaluation. The constant c of the notes is 1 (rates
/// do not depend on it). The traps are truncated after T terms (default 40): the truncated
/// sum is the function measured.
public enum TargetCatalog {
    /// Names of the built-in targets.
    public static let names = ["power", "lacunary", "smooth-sine", "weierstrass", "takagi"]

    /// Optional parameters of the built-ins.
    public struct Options: Sendable {
        /// x₀ of `power`, one formula per coordinate (default 1/3, and 1/sqrt(5) in 2-D).
        public var x0: [String]?
        /// Seed of the lacunary signs.
        public var seed: UInt64 = 1
        /// Levels K of the lacunary sum (default 24 in 1-D, 14 in 2-D).
        public var levels: Int?
        /// Terms T of the traps.
        public var terms: Int = 40
        /// Options with the defaults above.
        public init(x0: [String]? = nil, seed: UInt64 = 1, levels: Int? = nil, terms: Int = 40) {
            self.x0 = x0; self.seed = seed; self.levels = levels; self.terms = terms
        }
    }

    /// The built-in `name` in dimension `dimension` with smoothness `smoothness` (nil: the
    /// target's default, required for `power`, `lacunary` and the traps). `smoothnessText` is
    /// the decimal the exponent is read from (defaults to the shortest form of `smoothness`).
    public static func make(_ name: String, dimension: Int, smoothness: Double?, smoothnessText: String? = nil,
                            options: Options = Options()) throws -> Target {
        guard names.contains(name) else {
            throw TargetError.unknown("unknown target '\(name)': the built-ins are \(names.joined(separator: ", ")), or give a formula in x (or x1..xd)")
        }
        let r: Double
        if let s = smoothness { r = s } else if name == "smooth-sine" { r = 2 } else {
            throw TargetError.parameter("target '\(name)' needs --smoothness r (its exponent)")
        }
        guard r.isFinite, r > 0 else { throw TargetError.badSmoothness(r) }
        let rText = smoothnessText ?? "\(r)"
        let rExpr = Expression.number(rText)
        let x1 = Expression.variable(0), x2 = Expression.variable(1)
        func needDimension(_ allowed: [Int]) throws {
            guard allowed.contains(dimension) else {
                throw TargetError.dimension("target '\(name)' is defined for d = \(allowed.map(String.init).joined(separator: " or ")), not d = \(dimension)")
            }
        }
        switch name {
        case "power":
            try needDimension([1, 2])
            let texts = options.x0 ?? (dimension == 1 ? ["1/3"] : ["1/3", "1/sqrt(5)"])
            guard texts.count == dimension else {
                throw TargetError.parameter("--x0 has \(texts.count) coordinates; the dimension is \(dimension)")
            }
            let centre = try texts.map { t -> Expression in
                let e = try FormulaParser.parse(t)
                guard e.variableCount == 0 else { throw TargetError.parameter("--x0 '\(t)' must be a constant") }
                return e
            }
            let point = centre.map { CompiledExpression($0, dimension: 0).constantValue(precision: .double).toDouble() }
            guard point.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                throw TargetError.parameter("--x0 \(texts.joined(separator: ",")) is outside [0, 1]^\(dimension)")
            }
            if dimension == 1 {
                return try Target(name: name, expression: Expression.unary(.abs, x1 - centre[0]).power(rExpr), dimension: 1,
                                  smoothness: r, role: .classHard, summary: "|x - \(texts[0])|^\(rText)", exactSpecialPoints: [centre])
            }
            let d1 = x1 - centre[0], d2 = x2 - centre[1]
            return try Target(name: name, expression: (d1 * d1 + d2 * d2).power(rExpr / .int(2)), dimension: 2,
                              smoothness: r, role: .classHard,
                              summary: "||x - (\(texts.joined(separator: ", ")))||^\(rText)", exactSpecialPoints: [centre])
        case "lacunary":
            try needDimension([1, 2])
            let levels = options.levels ?? (dimension == 1 ? 24 : 14)
            guard (1...60).contains(levels) else { throw TargetError.parameter("--levels \(levels) is not allowed: use 1...60") }
            var sum: Expression?
            for k in 1...levels {
                let scale = Expression.number("0x1p\(k)")
                let coords = (0..<dimension).map { scale * Expression.variable($0) }
                var term = Expression.number("0x1p-\(k)").power(rExpr) * .hashSign(seed: options.seed, level: k, coords)
                for c in coords { term = term * .bump(c - .unary(.floor, c)) }
                sum = sum.map { $0 + term } ?? term
            }
            let levelText = "K = \(levels), seed \(options.seed)"
            return try Target(name: name, expression: sum!, dimension: dimension, smoothness: r, role: .classHard,
                              summary: dimension == 1 ? "sum_k 2^(-k \(rText)) sum_j xi_kj phi(2^k x - j), \(levelText)"
                                                      : "sum_k 2^(-k \(rText)) sum_j xi_kj phi(2^k x1 - j1) phi(2^k x2 - j2), \(levelText)")
        case "smooth-sine":
            try needDimension([1, 2])
            let twoPi = Expression.int(2) * .pi
            if dimension == 1 {
                return try Target(name: name, expression: .unary(.sin, twoPi * x1) / (.int(4) * .pi * .pi), dimension: 1,
                                  smoothness: r, role: .singleFunction, summary: "sin(2 pi x)/(4 pi^2)")
            }
            return try Target(name: name, expression: .unary(.sin, twoPi * x1) * .unary(.sin, twoPi * x2) / (.int(8) * .pi * .pi),
                              dimension: 2, smoothness: r, role: .singleFunction, summary: "sin(2 pi x1) sin(2 pi x2)/(8 pi^2)")
        default:  // weierstrass, takagi
            try needDimension([1])
            guard r < 1 else { throw TargetError.parameter("target '\(name)' needs a smoothness (Hölder exponent) in (0, 1), not \(rText)") }
            guard (1...200).contains(options.terms) else { throw TargetError.parameter("--terms \(options.terms) is not allowed: use 1...200") }
            var sum: Expression?
            for n in 0..<options.terms {
                let weight = Expression.number("0x1p-\(n)").power(rExpr)
                let term: Expression
                if name == "weierstrass" {
                    term = weight * .unary(.cos, .number("0x1p\(n)") * .pi * x1)
                } else {
                    let t = Expression.number("0x1p\(n)") * x1
                    term = weight * .unary(.abs, t - .unary(.floor, t + .number("0.5")))
                }
                sum = sum.map { $0 + term } ?? term
            }
            return try Target(name: name, expression: sum!, dimension: 1, smoothness: r, role: .trap,
                              summary: name == "weierstrass" ? "sum_{n<\(options.terms)} 2^(-n \(rText)) cos(2^n pi x)"
                                                             : "sum_{n<\(options.terms)} 2^(-n \(rText)) dist(2^n x, Z)")
        }
    }

    /// A user formula as a target: `dimension` defaults to the largest variable used.
    public static func formula(_ text: String, dimension: Int?, smoothness: Double?) throws -> Target {
        let e = try FormulaParser.parse(text)
        guard let r = smoothness else { throw TargetError.parameter("a formula target needs --smoothness r (the r you claim for it)") }
        let d = dimension ?? Swift.max(1, e.variableCount)
        return try Target(name: "formula", expression: e, dimension: d, smoothness: r, role: .formula, summary: text,
                          specialPoints: d == 1 ? e.kinks().map { [$0] } : [],
                          exactSpecialPoints: d == 1 ? e.exactKinks().map { [$0] } : [],
                          specialLines: d > 1 ? e.kinkLines() : [])
    }
}
