import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The deep, discontinuous phase in 2-D for 0 < r ≤ 1 (reference notes sections 3.5 and 3.6,
/// "For d ≥ 2"): the coarse interpolant f₁ on the Kuhn triangulation of N×N cells, the residual at
/// the (M + 1)² fine nodes of each coarse cell walked in snake (boustrophedon) order, so that
/// consecutive nodes are neighbours and the residual moves by at most one quantum ε per step,
/// the first differences s_i ∈ {−1, 0, 1} of the tracked q_i ≈ R(v_i)/ε packed into one weight
/// per coarse cell, and one chain shared by all cells:
///
///   g(u) = Σ_i s_i Ψ_i(u),   Ψ_i = max(A_r, min(A_{r−1}, S_i)),
///
/// for node i = (c₀, r) (column, row in fine units), A_r = clamp(Mu₂ − r, 0, 1) and
/// S_i = clamp(1 + dir·(Mu₁ − c₀), 0, 1), dir = ±1 the direction of row r. Ψ_i is continuous,
/// 1 at the nodes at or after i in snake order and 0 at those before, so g interpolates q at
/// every fine node; on a fine cell only the Ψ of its corners are not constant, and the rest
/// telescope to the linear interpolation between its rows: |g − R/ε| = O(1) and the error is
/// O(ε) = O(ω_f(h)), h = 1/(NM). Products s·Ψ are exact (``CircuitBuilder/digitTimes(_:offset:_:bound:)``).
///
/// The selection is continuous as in 1-D: Z = Σ_c z_c·min(I_{c₁}(x₁), I_{c₂}(x₂)) with the
/// plateau indicators of each axis, U_a = plateau functions, χ = min(χ₁, χ₂).
/// One such copy equals f₁ in its cut-off strips, so ``network(_:cells:fine:order:bound:precision:)``
/// blends four copies on shifted grids. Depth ≈ 2(M + 1)², W ≈ 4(a(N + 1)² + b(M + 1)²); each
/// packed weight holds ((M + 1)² − 1)·log₂(4K + 1) bits.
///
/// That is the first wave's code (K = 1, a ≈ 32, b ≈ 80). The default since issue 24 reads the
/// rows left to right with digits in {−3, …, 3} (``KuhnExtraction``, K = 3, b ≈ 141): its quantum
/// is a third of the largest first difference and its chain rebuilds the fine Kuhn interpolant
/// exactly. On the 2-D lacunary target at N = M = 13 it lowers err·W^r (the constant of the
/// deep rate) from 122.8 to 96.5 at r = ½ and from 6.0·10³ to 4.2·10³ at r = 1
/// (docs/deep-phase.md). The digits of order 2 are selectable but lost there.
public enum SnakeExtraction {
    /// The snake order of the (M + 1)² nodes: (column, row).
    public static func snake(fine m: Int) -> [(column: Int, row: Int)] {
        (0...m).flatMap { r in (r % 2 == 0 ? Array(0...m) : Array((0...m).reversed())).map { (column: $0, row: r) } }
    }

    /// The digit orders the 2-D construction builds: 1 (first differences: the snake at K = 1,
    /// rows at K ≥ 2) and 2 (second differences, ``KuhnExtraction``).
    public static let orders: ClosedRange<Int> = 1...2

    /// The digit bounds K of the order-1 digits.
    public static let digitBounds: ClosedRange<Int> = 1...8

    /// The default K. The error of the rows encoding is about E + D/(2K), E the error of the fine
    /// Kuhn interpolant and D the largest first difference of R; a larger K costs 4K + 2 more
    /// units per chain step and log₂(4K + 1) bits per digit. Measured on the 2-D lacunary target
    /// at N = M = 13 (docs/deep-phase.md).
    public static let defaultDigitBound = 3

    /// Bits of one packed weight before the target is seen: (M + 1)² − 1 digits of base 4K + 1
    /// at order 1; M² + 2M − 2 digits and the planned leading ones of base 13 at order 2.
    public static func bitsPerWeight(fine m: Int, order k: Int = 1, bound: Int = 1) -> Int {
        k == 1 ? DigitCode(bound: bound).bits(digits: (m + 1) * (m + 1) - 1)
               : DigitCode(bound: KuhnExtraction.secondOrderBound).bits(digits: KuhnExtraction.plannedDigits(fine: m))
    }

    /// Working precision: the code's bits, what the selection loses, and 64 bits.
    public static func precision(cells n: Int, fine m: Int, order k: Int = 1, bound: Int = 1) -> Precision {
        let lost = Int(log2(Double((n + 1) * (n + 1) * m * (n + 1))).rounded(.up)) + Precision.Margin.selection
        return Precision(uncheckedBits: bitsPerWeight(fine: m, order: k, bound: bound) + lost + Precision.Margin.output)
    }

    /// The network for `target` (d = 2, r ≤ 1) with N×N coarse cells of M×M fine cells each
    /// (M ≥ 9). Four copies of the snake construction on coarse grids shifted by 0 or H/2 along each
    /// axis (H = 1/N; N + 1 cells each, the target extended by f(clamp(x))) are blended so that
    /// the output never comes from a copy inside its cut-off strips: a single copy equals the coarse
    /// interpolant f₁ within 2h of its coarse lines, where f₁ is only O(H^r) accurate along the
    /// whole line, which caps one copy's sup-norm rate at r/d. With w_a(x_a) = 1 within 2h of the
    /// lines c/N and 0 within 2h of (c + ½)/N (M ≥ 9 leaves room between),
    ///
    ///   G_o = g_{o,0} + clamp(g_{o,½} − g_{o,0}, ±K w₂),   F = G_0 + clamp(G_½ − G_0, ±K w₁),
    ///
    /// is exact in ReLU arithmetic and takes, at every x, a value between copies that are outside
    /// their strips (K bounds any difference of copies).
    ///
    /// `order` 1 is the snake; 2 packs second differences and rebuilds the fine Kuhn interpolant
    /// (``KuhnExtraction``), whose quantum is the largest second difference of R instead of the
    /// largest first difference. A target whose leading digits need more bits than planned gets
    /// them, with the precision to hold them.
    ///
    /// At order 1, `bound` K = 1 is the first wave's snake; K ≥ 2 reads the rows left to right
    /// (``KuhnExtraction/quantiseRows(_:bound:)``) with steps in {−K, …, K} and a quantum of
    /// (the largest first difference)/K, and rebuilds the fine Kuhn interpolant of q exactly.
    public static func network(_ target: Target, cells n: Int, fine m: Int, order: Int = 1, bound: Int = 1,
                               precision: Precision? = nil) throws -> Network {
        guard target.dimension == 2 else { throw ConstructionError.dimension("the 2-D deep construction needs d = 2, not d = \(target.dimension)") }
        guard target.smoothness <= 1 else {
            throw ConstructionError.parameter("the deep construction in 2-D is implemented for r <= 1 (r = \(target.smoothness)); use d = 1 for r > 1")
        }
        guard n >= 1, m >= 9 else { throw ConstructionError.parameter("the 2-D deep construction needs N >= 1 and M >= 9 fine cells (got N = \(n), M = \(m))") }
        guard orders.contains(order) else {
            throw ConstructionError.invalid(parameter: "digit-order", reason: "\(order) is not allowed in 2-D: use 1 (first differences, the default) or 2 (second differences)")
        }
        guard digitBounds.contains(bound) else {
            throw ConstructionError.invalid(parameter: "digit-bound", reason: "\(bound) is not allowed: use \(digitBounds.lowerBound)...\(digitBounds.upperBound)")
        }
        // Quantise the four copies first: a target whose order-2 leading digits need more bits
        // than planned gets them, with the precision to hold them.
        var quantised: [Quantised] = []
        for o1 in 0...1 { for o2 in 0...1 {
            let grid = Grid(target, cells: n, fine: m, offsets: [o1, o2])
            quantised.append(order == 2 ? KuhnExtraction.quantise(grid) : bound == 1 ? quantise(grid) : KuhnExtraction.quantiseRows(grid, bound: bound))
        } }
        let planned = precision ?? self.precision(cells: n, fine: m, order: order, bound: bound)
        let needed = (quantised.map(\.bits).max() ?? 0) - bitsPerWeight(fine: m, order: order, bound: bound)
        let p = needed > 0 ? Precision(uncheckedBits: planned.bits + needed) : planned
        let b = CircuitBuilder(inputDimension: 2, precision: p)
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        let x = [b.input(0), b.input(1)]
        let built = quantised.map { copy($0, order: order, b, x) }
        let copies = [[built[0].output, built[1].output], [built[2].output, built[3].output]]
        let range = built.map(\.range).max() ?? 0, quantum = built.map(\.quantum).max() ?? 0
        let bits = built.map(\.bits).max() ?? 0, code = built[0].code
        // w: 1 within 2h of the lines c/N, 0 beyond R = H/2 − 2h from them (so within 2h of (c + ½)/N).
        let h = big(1).divided(by: big(n * m), precision: p)
        let twoH = h.multiplied(by: big(2), precision: p)
        let reach = big(1).divided(by: big(2 * n), precision: p).subtracting(twoH, precision: p)
        let slope = big(1).divided(by: reach.subtracting(twoH, precision: p), precision: p)
        func weight(_ t: CircuitBuilder.Form) -> CircuitBuilder.Form {
            var parts: [(BigFloat, CircuitBuilder.Form)] = []
            for c in 0...n {
                let node = big(c).divided(by: big(n), precision: p)
                let distance = b.combine([(big(1), b.relu(b.combine([(big(1), t)], constant: node.negated))),
                                          (big(1), b.relu(b.combine([(big(-1), t)], constant: node)))])
                // clamp((R − |t − c/N|)/(R − 2h), 0, 1) = σ(u) − σ(u − 1)
                let u = b.combine([(slope.negated, distance)], constant: reach.multiplied(by: slope, precision: p))
                parts += [(big(1), b.relu(u)), (big(-1), b.relu(b.combine([(big(1), u)], constant: big(-1))))]
            }
            return b.combine(parts)
        }
        let w1 = b.unit(.identity, weight(x[0])), w2 = b.unit(.identity, weight(x[1]))
        let k = BigFloat(2 * range + 1, precision: p)
        func blend(_ g0: CircuitBuilder.Form, _ g1: CircuitBuilder.Form, _ w: CircuitBuilder.Form) -> CircuitBuilder.Form {
            b.unit(.identity, b.clampedCorrection(g0, b.combine([(big(1), g1), (big(-1), g0)]), scale: big(1), cutoff: w, bound: k))
        }
        let output = blend(blend(copies[0][0], copies[0][1], w2), blend(copies[1][0], copies[1][1], w2), w1)
        return try b.network(outputs: [output], metadata: [
            "construction": "deep", "N": "\(n)", "M": "\(m)", "order": "\(order)", "digit_base": "\(code.base)", "copies": "4",
            "encoding": order == 2 ? "second differences" : bound == 1 ? "snake" : "rows, K = \(bound)", "quantum": "\(quantum)",
            "bits_per_weight": "\(bits)", "zone": "\(h.toDouble())", "target": target.summary],
            construction: ConstructionFacts(kind: .deep, cells: n, fineCells: m, zoneHalfWidth: h.toDouble(), bitsPerWeight: bits))
    }

    /// One copy's output f₁ + clamped correction, a bound on its magnitude, the bits of its
    /// packed weights, its digit code and its quantum ε.
    struct Copy {
        var output: CircuitBuilder.Form
        var range: Double
        var bits: Int
        var code: DigitCode
        var quantum: Double
    }

    /// The fine grid of one copy: N + 1 coarse cells per axis starting at −o_a·H/2, M fine cells
    /// each; the fine node (a, b) sits at x = (2a − o₁M, 2b − o₂M)/(2NM), clamped to [0, 1]
    /// (the target extended by f(clamp(x))), with f computed at 128 bits and kept in float64.
    struct Grid {
        let coarse: Int, m: Int, n: Int, offsets: [Int]
        let f: [Double]

        init(_ target: Target, cells coarse: Int, fine m: Int, offsets: [Int]) {
            self.coarse = coarse; self.m = m; self.offsets = offsets
            n = coarse + 1
            let nm = n * m
            let wide = Precision(uncheckedBits: 128)
            func coordinate(_ k: Int, _ axis: Int) -> BigFloat {
                let v = BigFloat(2 * k - offsets[axis] * m, precision: wide).divided(by: BigFloat(2 * coarse * m, precision: wide), precision: wide)
                return v.toDouble() < 0 ? BigFloat(0, precision: wide) : (v.toDouble() > 1 ? BigFloat(1, precision: wide) : v)
            }
            f = target.values(at: (0...nm).flatMap { a in (0...nm).map { [coordinate(a, 0), coordinate($0, 1)] } }, precision: wide).map { $0.toDouble() }
        }

        /// f at the fine node (a, b) of the whole grid.
        func value(_ a: Int, _ b: Int) -> Double { f[a * (n * m + 1) + b] }

        /// R = f − f₁ at the fine nodes of coarse cell c₁·n + c₂, as residual[column][row], with f₁
        /// linear on the two triangles of the coarse cell (diagonal along (1, 1)).
        func residual(cell: Int) -> [[Double]] {
            let c1 = cell / n, c2 = cell % n
            let v00 = value(c1 * m, c2 * m), v10 = value((c1 + 1) * m, c2 * m)
            let v01 = value(c1 * m, (c2 + 1) * m), v11 = value((c1 + 1) * m, (c2 + 1) * m)
            return (0...m).map { column in (0...m).map { row in
                let s = Double(column) / Double(m), t = Double(row) / Double(m)
                let f1 = s >= t ? v00 + s * (v10 - v00) + t * (v11 - v10) : v00 + t * (v01 - v00) + s * (v11 - v01)
                return value(c1 * m + column, c2 * m + row) - f1
            } }
        }

        /// The continuous selection of this copy: local coordinates y_a = (N x_a + o_a/2)/(N + 1),
        /// f₁ (the Courant interpolant of the coarse values), the plateau functions u_a, the
        /// selected code Z = Σ_c z_c min(I_{c₁}, I_{c₂}) and the cut-off χ = min(χ₁, χ₂), zones δ = h.
        func selection(_ b: CircuitBuilder, _ x: [CircuitBuilder.Form], codes: [BigFloat])
            -> (f1: CircuitBuilder.Form, u: [CircuitBuilder.Form], z: CircuitBuilder.Form, chi: CircuitBuilder.Form) {
            let p = b.precision
            func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
            let y = (0..<2).map { a in
                b.unit(.identity, b.combine([(big(coarse).divided(by: big(n), precision: p), x[a])],
                                            constant: big(offsets[a]).divided(by: big(2 * n), precision: p)))
            }
            let coarseValues = (0...n).flatMap { i in (0...n).map { j in BigFloat(value(i * m, j * m), precision: p) } }
            let f1 = b.unit(.identity, b.courantInterpolant(y[0], y[1], cells: n, values: coarseValues))
            let delta = BigFloat(1, precision: p).divided(by: big(n * m), precision: p)
            let axes = [PlateauAxis(b, y[0], cells: n, zone: delta), PlateauAxis(b, y[1], cells: n, zone: delta)]
            let zeros = Array(repeating: big(0), count: n), ones = Array(repeating: big(1), count: n)
            let u = axes.map { b.unit(.identity, $0.plateau(zeros, ones)) }
            var zParts: [(BigFloat, CircuitBuilder.Form)] = []
            for c1 in 0..<n { for c2 in 0..<n {
                zParts.append((codes[c1 * n + c2], b.minimum(axes[0].indicator(c1), axes[1].indicator(c2))))
            } }
            return (f1, u, b.unit(.identity, b.combine(zParts)), b.unit(.identity, b.minimum(axes[0].cutoff, axes[1].cutoff)))
        }
    }

    /// One copy's quantised residual: the digits of each coarse cell in chain order, their
    /// code, the quantum ε, the largest |q| and (order 2) the leading digits per slope.
    struct Quantised {
        var grid: Grid
        var digits: [[Int]]
        var code: DigitCode
        var quantum: Double
        var largest: Int
        /// 1: first differences (the snake or rows), 2: second differences.
        var order: Int = 1
        /// Rows read left to right (``KuhnExtraction``) instead of the snake.
        var rows = false
        var leading: Int = 0
        /// Bits of the longest packed weight.
        var bits: Int { code.bits(digits: digits.map(\.count).max() ?? 0) }
    }

    /// The order-1 digits of one copy: s ∈ {−1, 0, 1} tracking R/ε along the snake, ε the
    /// largest jump of R between consecutive nodes.
    static func quantise(_ grid: Grid) -> Quantised {
        let order = snake(fine: grid.m)
        let residual = (0..<grid.n * grid.n).map { cell in
            let r = grid.residual(cell: cell)
            return order.map { r[$0.column][$0.row] }
        }
        var eps = 0.0
        for r in residual { for i in 1..<r.count { eps = Swift.max(eps, Swift.abs(r[i] - r[i - 1])) } }
        if eps == 0 { eps = 1 }
        var largest = 0
        let digits: [[Int]] = residual.map { r in
            var q = 0
            return (1..<r.count).map { i in
                let s = Swift.max(-1, Swift.min(1, Int((r[i] / eps).rounded()) - q))
                q += s; largest = Swift.max(largest, Swift.abs(q))
                return s
            }
        }
        return Quantised(grid: grid, digits: digits, code: DigitCode(bound: 1), quantum: eps, largest: largest)
    }

    /// One copy built from its quantised residual: f₁ + clamp(ε·g, ±Bχ), g from the order-1 snake
    /// chain or the order-2 chain of ``KuhnExtraction``, with B = ε(max|q| + 2).
    static func copy(_ qz: Quantised, order: Int, _ b: CircuitBuilder, _ x: [CircuitBuilder.Form]) -> Copy {
        let p = b.precision
        let s = qz.grid.selection(b, x, codes: qz.digits.map { qz.code.encode($0, precision: p) })
        let acc = qz.order == 1 && !qz.rows ? snakeChain(b, s.u, s.z, fine: qz.grid.m) : KuhnExtraction.chain(b, s.u, s.z, qz)
        let bound = qz.quantum * Double(qz.largest + 2)
        let output = b.clampedCorrection(s.f1, acc, scale: BigFloat(qz.quantum, precision: p), cutoff: s.chi, bound: BigFloat(bound, precision: p))
        let range = (qz.grid.f.map(Swift.abs).max() ?? 0) + bound
        return Copy(output: b.unit(.identity, output), range: range, bits: qz.bits, code: qz.code, quantum: qz.quantum)
    }

    /// g = Σ_i s_i Ψ_i over the snake, the digits read from `code` by the chain.
    static func snakeChain(_ b: CircuitBuilder, _ u: [CircuitBuilder.Form], _ code: CircuitBuilder.Form, fine m: Int) -> CircuitBuilder.Form {
        let p = b.precision
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        let order = snake(fine: m)
        let u1 = u[0], u2 = u[1]
        var z = code
        let digitCode = DigitCode(bound: 1)
        // The chain over the snake; Ψ_i is computed from copies of u carried along the chain so
        // that it is ready when digit i is.
        let mm = Double(m)
        var acc = b.constant(big(0))
        var rowRamps: (above: CircuitBuilder.Form, below: CircuitBuilder.Form)? = nil
        var currentRow = -1
        for (i, node) in order.enumerated() where i > 0 {
            let lead = Swift.max(0, z.depth - 2)
            let v1 = b.delayed(u1, to: lead), v2 = b.delayed(u2, to: lead)
            if node.row != currentRow {
                rowRamps = (b.ramp(v2, scale: mm, shift: node.row), b.ramp(v2, scale: mm, shift: node.row - 1))
                currentRow = node.row
            }
            let dir = node.row % 2 == 0 ? 1.0 : -1.0
            let t = b.combine([(dir * mm, v1)], constant: -dir * Double(node.column))   // dir·(Mu₁ − c₀)
            let s = b.combine([(1.0, b.relu(b.combine([(1.0, t)], constant: 1))), (-1.0, b.relu(t))])
            let psi = b.combine([(1.0, rowRamps!.above), (1.0, b.relu(b.combine([(1.0, b.minimum(rowRamps!.below, s)), (-1.0, rowRamps!.above)])))])
            let (e, rest) = b.extractDigit(z, code: digitCode)
            acc = b.unit(.identity, b.combine([(1.0, acc), (1.0, b.digitTimes(e, offset: 1, psi, bound: 1))]))
            z = rest
        }
        return acc
    }
}
