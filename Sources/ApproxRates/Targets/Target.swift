import PrecisionModule
/// A function on [0, 1]^d to approximate, with its smoothness stated.
///
/// `smoothness` is the r of the class F_{r,d} the target stands for (Hölder r = k + α, or
/// W^{r,∞} for integer r); rates are read against r/d. ``role`` says how far one function can
/// speak for the whole class: the theory's rates are worst cases over the class, and some single
/// functions are much easier (reference notes, section 6).
public struct Target: Sendable {
    /// How much a measured rate on this function says about the class rate.
    public enum Role: String, Sendable, Equatable, Codable {
        /// A stand-in for the worst case of the class (random lacunary sums, |x − x₀|^r for
        /// continuous constructions).
        case classHard = "class-hard"
        /// One smooth function: nominal rates hold for the fixed constructions, but it is not
        /// hard for the class and adaptive networks may beat them.
        case singleFunction = "single function"
        /// Has the stated Hölder exponent yet is easy for deep networks (Weierstrass, Takagi):
        /// a rate above 2r/d on it is expected, not a bug.
        case trap
        /// A user formula: the stated smoothness is the user's claim.
        case formula
    }

    /// Short name: a built-in's name, or "formula".
    public let name: String
    /// Input dimension d (the domain is [0, 1]^d).
    public let dimension: Int
    /// The stated smoothness r > 0.
    public let smoothness: Double
    /// The function as an expression tree.
    public let expression: Expression
    /// The flattened form evaluated by ``ExpressionEvaluator``.
    public let program: CompiledExpression
    /// See ``Role``.
    public let role: Role
    /// The function in words and symbols, for tables and plots.
    public let summary: String
    /// Points where the target is not smooth or its error is likely largest (e.g. x₀ of
    /// |x − x₀|^r), rounded to float64: the sup-norm search always looks there.
    public let specialPoints: [[Double]]
    /// The same points exactly: each coordinate a constant expression, evaluated at the
    /// precision of the evaluation that uses it, with the same operations as the target's own
    /// constants, so that x − x₀ is exactly 0 at x₀ whatever the precision.
    public let exactSpecialPoints: [[Expression]]
    /// Lines {x_axis = value} (d ≥ 2) on which the target is not smooth, such as x₁ = 0.4 for
    /// |x₁ − 0.4|^½·cos(3x₂): the sup-norm search samples along them with the line's coordinate
    /// exact.
    public let specialLines: [SpecialLine]

    /// A line (hyperplane) {x_axis = value} of [0, 1]^d.
    public struct SpecialLine: Sendable, Equatable {
        /// The fixed coordinate (0-based).
        public let axis: Int
        /// Its value, a constant expression evaluated at the working precision.
        public let value: Expression
        /// The line x_axis = value.
        public init(axis: Int, value: Expression) { self.axis = axis; self.value = value }
    }

    /// A target from an expression; throws when r is not a finite positive number or the
    /// expression uses more coordinates than `dimension`. `exactSpecialPoints` (constant
    /// expressions) also fill ``specialPoints`` with their float64 values.
    public init(name: String, expression: Expression, dimension: Int, smoothness: Double, role: Role,
                summary: String, specialPoints: [[Double]] = [], exactSpecialPoints: [[Expression]] = [],
                specialLines: [SpecialLine] = []) throws {
        guard smoothness.isFinite, smoothness > 0 else { throw TargetError.badSmoothness(smoothness) }
        guard dimension >= 1, expression.variableCount <= dimension else {
            throw TargetError.dimension("the formula uses x\(expression.variableCount) but the dimension is \(dimension)")
        }
        self.name = name
        self.dimension = dimension
        self.smoothness = smoothness
        self.expression = expression
        self.program = CompiledExpression(expression, dimension: dimension)
        self.role = role
        self.summary = summary
        self.exactSpecialPoints = exactSpecialPoints.filter { $0.count == dimension }
        let exactDoubles = self.exactSpecialPoints.map { $0.map { CompiledExpression($0, dimension: 0).constantValue(precision: .double).toDouble() } }
        self.specialPoints = specialPoints + exactDoubles.filter { p in !specialPoints.contains(p) }
        self.specialLines = specialLines.filter { $0.axis < dimension }
    }


    /// A fresh evaluator (registers for one thread) at `precision`.
    public func makeEvaluator(precision: Precision) -> ExpressionEvaluator { ExpressionEvaluator(program, precision: precision) }

    /// f(point) at `precision` (allocating; for the hot loops use ``makeEvaluator(precision:)``).
    public func value(at point: [BigFloat], precision: Precision) -> BigFloat {
        values(at: [point], precision: precision, threads: 1)[0]
    }

    /// ∂^α f(point)/α! for |α| ≤ degree (see ``TaylorJet``).
    public func taylorCoefficients(at point: [BigFloat], degree: Int, precision: Precision) -> TaylorJet {
        program.taylorCoefficients(at: point, degree: degree, precision: precision)
    }
}

extension Target {
    /// f at each of `points` (d coordinates each) at `precision`, spread over the cores: the
    /// node values and Taylor coefficients that constructions read.
    public func values(at points: [[BigFloat]], precision: Precision, threads: Int? = nil) -> [BigFloat] {
        var out = Array(repeating: BigFloat(0, precision: precision), count: points.count)
        // Coordinates are read exactly: the point array is at least as wide as any of them.
        let inputPrecision = points.lazy.flatMap { $0 }.map(\.precision).reduce(precision, Precision.max)
        out.withUnsafeMutableBufferPointer { buffer in
            let sink = UncheckedSendable(value: buffer)
            BatchParallelism.forEachChunk(count: points.count, threads: BatchParallelism.threadCount(for: points.count, requested: threads, minimumPerThread: 64)) { _, range in
                let evaluator = makeEvaluator(precision: precision)
                let x = MPFRArray(count: dimension, precision: inputPrecision)
                let y = MPFRArray(count: 1, precision: precision)
                for i in range {
                    for (k, v) in points[i].enumerated() { v.copy(into: x[k]) }
                    evaluator.evaluate(x.base, into: y[0])
                    sink.value[i] = y.value(at: 0)
                }
            }
        }
        return out
    }

    /// ``taylorCoefficients(at:degree:precision:)`` at each of `points`, spread over the cores.
    public func taylorCoefficients(at points: [[BigFloat]], degree: Int, precision: Precision, threads: Int? = nil) -> [TaylorJet] {
        var out: [TaylorJet?] = Array(repeating: nil, count: points.count)
        out.withUnsafeMutableBufferPointer { buffer in
            let sink = UncheckedSendable(value: buffer)
            BatchParallelism.forEachChunk(count: points.count, threads: BatchParallelism.threadCount(for: points.count, requested: threads, minimumPerThread: 8)) { _, range in
                for i in range { sink.value[i] = taylorCoefficients(at: points[i], degree: degree, precision: precision) }
            }
        }
        return out.map { $0! }
    }
}

extension Target {
    /// The first point (with the target's value there) of a grid over [0, 1]^d (1,025 points in 1-D, 65² in 2-D, 17³ in 3-D, all
    /// binary fractions, so exact) and of the special points where the target is not a finite
    /// number (NaN: undefined there, such as sqrt of a negative; ±∞: a pole), or nil when it is
    /// finite at all of them. Evaluated in MPFR at 64 bits; a domain error does not depend on
    /// the precision.
    public func firstNonFinitePoint() -> (point: [Double], value: BigFloat)? {
        let n = [1024, 64, 16][Swift.min(dimension, 3) - 1]
        var points: [[Double]] = []
        var index = Array(repeating: 0, count: dimension)
        repeat {
            points.append(index.map { Double($0) / Double(n) })
            var k = 0
            while k < dimension { index[k] += 1; if index[k] <= n { break }; index[k] = 0; k += 1 }
            if k == dimension { break }
        } while true
        points += specialPoints.filter { $0.count == dimension && $0.allSatisfy { (0...1).contains($0) } }
        let precision = Precision(uncheckedBits: 64)
        let values = self.values(at: points.map { $0.map { BigFloat($0, precision: precision) } }, precision: precision)
        return zip(points, values).first { !$0.1.isFinite }.map { (point: $0.0, value: $0.1) }
    }
}
