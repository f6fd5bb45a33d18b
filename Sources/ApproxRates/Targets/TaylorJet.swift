import PrecisionModule
/// The Taylor coefficients a_α = ∂^α f(x₀) / α! of a target at a point, for all multi-indices
/// |α| ≤ degree, computed by automatic differentiation: the expression is evaluated on truncated
/// multivariate power series in MPFR. Each coefficient is accurate to a few units in the last
/// place of ``precision`` times the expression's condition number.
///
/// Conventions at non-smooth points: abs is expanded on its right side at 0 (|u| = u there),
/// floor and the lacunary signs have derivative 0, min/max follow the branch
/// of the value. A coefficient that does not exist (u^a at u = 0 with an order above a) is
/// +∞, and ``isFinite`` says so.
public struct TaylorJet: Sendable {
    /// Number of variables.
    public let dimension: Int
    /// Highest total degree kept.
    public let degree: Int
    /// The multi-indices, in the order of ``coefficients`` (graded: total degree 0, 1, …).
    public let indices: [[Int]]
    /// a_α for each multi-index of ``indices``.
    public let coefficients: [BigFloat]

    /// a_α for the multi-index `alpha` (nil when |α| > degree).
    public func coefficient(_ alpha: [Int]) -> BigFloat? {
        indices.firstIndex(of: alpha).map { coefficients[$0] }
    }

    /// True when every coefficient is a finite number.
    public var isFinite: Bool { coefficients.allSatisfy(\.isFinite) }

    /// The multi-indices of d variables with total degree ≤ n, graded then lexicographic
    /// (largest first power first): for d = 2, n = 2: (0,0), (1,0), (0,1), (2,0), (1,1), (0,2).
    public static func multiIndices(dimension d: Int, degree n: Int) -> [[Int]] {
        var result: [[Int]] = []
        func fill(_ prefix: [Int], _ remaining: Int, _ slots: Int) {
            if slots == 1 { result.append(prefix + [remaining]); return }
            for k in stride(from: remaining, through: 0, by: -1) { fill(prefix + [k], remaining - k, slots - 1) }
        }
        for total in 0...n { fill([], total, d) }
        return result
    }
}

extension CompiledExpression {
    /// The Taylor coefficients of the expression at `point` up to total degree `degree`.
    public func taylorCoefficients(at point: [BigFloat], degree: Int, precision: Precision) -> TaylorJet {
        precondition(point.count == dimension && degree >= 0)
        let space = SeriesSpace(dimension: dimension, degree: degree, precision: precision)
        var values: [Series] = []
        values.reserveCapacity(instructions.count)
        let piValue = BigFloat.pi(precision: precision)
        for ins in instructions {
            let v: Series
            switch ins {
            case .variable(let k): v = space.variable(k, at: point[k])
            case .constant(let k): v = space.constant((try? BigFloat(parsing: literals[k], precision: precision)) ?? BigFloat(Double.nan, precision: precision))
            case .pi: v = space.constant(piValue)
            case .unary(let f, let a): v = space.apply(f, values[a])
            case .binary(let f, let a, let b): v = space.apply(f, values[a], values[b])
            case .hashSign(let seed, let level, let args):
                let cells = args.map { values[$0].c[0].floor().toDouble() }.map { Int($0) }
                let s = cells.withUnsafeBufferPointer { CompiledExpression.sign(seed: seed, level: level, cells: $0) }
                v = space.constant(BigFloat(s, precision: precision))
            case .bump(let a): v = space.bump(values[a])
            }
            values.append(v)
        }
        return TaylorJet(dimension: dimension, degree: degree, indices: space.indices, coefficients: values.last!.c)
    }
}

/// Truncated power series in d variables of total degree ≤ n: the arithmetic behind TaylorJet.
struct Series { var c: [BigFloat] }

struct SeriesSpace {
    let dimension: Int
    let degree: Int
    let precision: Precision
    let indices: [[Int]]
    let products: [(Int, Int, Int)]   // (i, j, k): e_i * e_j contributes to e_k

    init(dimension: Int, degree: Int, precision: Precision) {
        self.dimension = dimension
        self.degree = degree
        self.precision = precision
        indices = TaylorJet.multiIndices(dimension: dimension, degree: degree)
        var position: [[Int]: Int] = [:]
        for (k, a) in indices.enumerated() { position[a] = k }
        var products: [(Int, Int, Int)] = []
        for (i, a) in indices.enumerated() {
            for (j, b) in indices.enumerated() where a.reduce(0, +) + b.reduce(0, +) <= degree {
                products.append((i, j, position[zip(a, b).map(+)]!))
            }
        }
        self.products = products
    }

    var zero: BigFloat { BigFloat(0, precision: precision) }

    func constant(_ v: BigFloat) -> Series {
        var c = Array(repeating: zero, count: indices.count)
        c[0] = BigFloat(v, precision: precision)
        return Series(c: c)
    }

    func variable(_ k: Int, at x: BigFloat) -> Series {
        var s = constant(x)
        if degree >= 1 { s.c[1 + k] = BigFloat(1, precision: precision) }
        return s
    }

    func add(_ a: Series, _ b: Series, sign: Int = 1) -> Series {
        Series(c: zip(a.c, b.c).map { sign > 0 ? $0.adding($1, precision: precision) : $0.subtracting($1, precision: precision) })
    }

    func scale(_ a: Series, _ s: BigFloat) -> Series { Series(c: a.c.map { $0.multiplied(by: s, precision: precision) }) }

    func multiply(_ a: Series, _ b: Series) -> Series {
        var c = Array(repeating: zero, count: indices.count)
        for (i, j, k) in products where !a.c[i].isZero && !b.c[j].isZero {
            c[k] = c[k].adding(a.c[i].multiplied(by: b.c[j], precision: precision), precision: precision)
        }
        return Series(c: c)
    }

    /// g(u) for a scalar g given by its Taylor coefficients g_k = g^(k)(u₀)/k! at u₀ = u.c[0].
    func compose(_ u: Series, _ g: [BigFloat]) -> Series {
        var shifted = u
        shifted.c[0] = zero
        var result = constant(g[degree])
        for k in stride(from: degree - 1, through: 0, by: -1) {
            result = multiply(result, shifted)
            result.c[0] = result.c[0].adding(g[k], precision: precision)
        }
        return result
    }

    func isConstant(_ s: Series) -> Bool { s.c.dropFirst().allSatisfy(\.isZero) }

    /// Coefficients of t ↦ (u₀ + t)^a.
    func powerCoefficients(_ u0: BigFloat, _ a: BigFloat) -> [BigFloat] {
        var g = [u0.pow(a, precision: precision)]
        if degree == 0 { return g }
        if u0.isZero {
            // binom(a, k) 0^(a-k): 0 below a, binom(a, a) = 1 at an integer a, +inf above.
            let ad = a.toDouble()
            for k in 1...degree {
                g.append(Double(k) < ad ? zero : (Double(k) == ad ? BigFloat(1, precision: precision) : BigFloat(Double.infinity, precision: precision)))
            }
            return g
        }
        for k in 1...degree {
            let factor = a.subtracting(BigFloat(k - 1, precision: precision), precision: precision)
                .divided(by: u0.multiplied(by: BigFloat(k, precision: precision), precision: precision), precision: precision)
            g.append(g[k - 1].multiplied(by: factor, precision: precision))
        }
        return g
    }

    func apply(_ f: Expression.UnaryFunction, _ u: Series) -> Series {
        let u0 = u.c[0]
        let one = BigFloat(1, precision: precision)
        switch f {
        case .negate: return Series(c: u.c.map(\.negated))
        case .abs:
            return u0.signum >= 0 ? u : Series(c: u.c.map(\.negated))   // right-sided at 0
        case .floor: return constant(u0.floor(precision: precision))
        case .sqrt: return compose(u, powerCoefficients(u0, BigFloat(0.5, precision: precision)))
        case .exp:
            let e = u0.exp(precision: precision)
            var g = [e], factorial = one
            if degree >= 1 {
                for k in 1...degree {
                    factorial = factorial.multiplied(by: BigFloat(k, precision: precision), precision: precision)
                    g.append(e.divided(by: factorial, precision: precision))
                }
            }
            return compose(u, g)
        case .log:
            var g = [u0.log(precision: precision)]
            if degree >= 1 {
                for k in 1...degree {
                    let v = one.divided(by: u0.pow(k, precision: precision).multiplied(by: BigFloat(k, precision: precision), precision: precision), precision: precision)
                    g.append(k % 2 == 1 ? v : v.negated)
                }
            }
            return compose(u, g)
        case .sin, .cos:
            let s = u0.sin(precision: precision), c = u0.cos(precision: precision)
            let cycle = f == .sin ? [s, c, s.negated, c.negated] : [c, s.negated, c.negated, s]
            var g: [BigFloat] = [], factorial = one
            for k in 0...degree {
                if k > 0 { factorial = factorial.multiplied(by: BigFloat(k, precision: precision), precision: precision) }
                g.append(cycle[k % 4].divided(by: factorial, precision: precision))
            }
            return compose(u, g)
        }
    }

    func apply(_ f: Expression.BinaryFunction, _ a: Series, _ b: Series) -> Series {
        switch f {
        case .add: return add(a, b)
        case .subtract: return add(a, b, sign: -1)
        case .multiply: return multiply(a, b)
        case .divide: return multiply(a, compose(b, powerCoefficients(b.c[0], BigFloat(-1, precision: precision))))
        case .power:
            if isConstant(b) { return compose(a, powerCoefficients(a.c[0], b.c[0])) }
            return apply(.exp, multiply(b, apply(.log, a)))
        case .min: return b.c[0] < a.c[0] ? b : a
        case .max: return a.c[0] < b.c[0] ? b : a
        }
    }

    /// φ(t) = exp(4 − 1/(t(1 − t))) on (0, 1), identically 0 (with all derivatives) elsewhere.
    func bump(_ t: Series) -> Series {
        let t0 = t.c[0]
        guard t0.signum > 0, t0 < BigFloat(1, precision: precision) else { return constant(zero) }
        let oneMinus = add(constant(BigFloat(1, precision: precision)), t, sign: -1)
        let q = multiply(t, oneMinus)
        let inverse = compose(q, powerCoefficients(q.c[0], BigFloat(-1, precision: precision)))
        return apply(.exp, add(constant(BigFloat(4, precision: precision)), inverse, sign: -1))
    }
}
