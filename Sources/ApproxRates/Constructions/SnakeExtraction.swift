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
/// One such copy equals f₁ in its cut-off strips, so ``network(_:cells:fine:precision:)`` blends
/// four copies on shifted grids. Depth ≈ 2(M + 1)², W ≈ 4(40(N + 1)² + 60M²); each packed weight
/// holds ((M + 1)² − 1)·log₂5 bits.
public enum SnakeExtraction {
    /// The snake order of the (M + 1)² nodes: (column, row).
    public static func snake(fine m: Int) -> [(column: Int, row: Int)] {
        (0...m).flatMap { r in (r % 2 == 0 ? Array(0...m) : Array((0...m).reversed())).map { (column: $0, row: r) } }
    }

    /// Working precision: the code's bits, what the selection loses, and 64 bits.
    public static func precision(cells n: Int, fine m: Int) -> Precision {
        let code = DigitCode(bound: 1)
        let lost = Int(log2(Double((n + 1) * (n + 1) * m * (n + 1))).rounded(.up)) + Precision.Margin.selection
        return Precision(uncheckedBits: code.bits(digits: (m + 1) * (m + 1) - 1) + lost + Precision.Margin.output)
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
    public static func network(_ target: Target, cells n: Int, fine m: Int, precision: Precision? = nil) throws -> Network {
        guard target.dimension == 2 else { throw ConstructionError.dimension("the 2-D deep construction needs d = 2, not d = \(target.dimension)") }
        guard target.smoothness <= 1 else {
            throw ConstructionError.parameter("the deep construction in 2-D is implemented for r <= 1 (r = \(target.smoothness)); use d = 1 for r > 1")
        }
        guard n >= 1, m >= 9 else { throw ConstructionError.parameter("the 2-D deep construction needs N >= 1 and M >= 9 fine cells (got N = \(n), M = \(m))") }
        let p = precision ?? self.precision(cells: n, fine: m)
        let b = CircuitBuilder(inputDimension: 2, precision: p)
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        let x = [b.input(0), b.input(1)]
        var copies: [[CircuitBuilder.Form]] = [[], []]
        var bound = 0.0, bits = 0, code = DigitCode(bound: 1)
        for o1 in 0...1 { for o2 in 0...1 {
            let c = try copy(target, b, x, cells: n, fine: m, offsets: [o1, o2])
            copies[o1].append(c.output)
            bound = Swift.max(bound, c.range)
            bits = c.bits; code = c.code
        } }
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
        let k = BigFloat(2 * bound + 1, precision: p)
        func blend(_ g0: CircuitBuilder.Form, _ g1: CircuitBuilder.Form, _ w: CircuitBuilder.Form) -> CircuitBuilder.Form {
            b.unit(.identity, b.clampedCorrection(g0, b.combine([(big(1), g1), (big(-1), g0)]), scale: big(1), cutoff: w, bound: k))
        }
        let output = blend(blend(copies[0][0], copies[0][1], w2), blend(copies[1][0], copies[1][1], w2), w1)
        return try b.network(outputs: [output], metadata: [
            "construction": "deep", "N": "\(n)", "M": "\(m)", "order": "1", "digit_base": "\(code.base)", "copies": "4",
            "bits_per_weight": "\(bits)", "zone": "\(h.toDouble())", "target": target.summary],
            construction: ConstructionFacts(kind: .deep, cells: n, fineCells: m, zoneHalfWidth: h.toDouble(), bitsPerWeight: bits))
    }

    /// One copy: the snake construction on N + 1 coarse cells per axis starting at −o_a·H/2, in the
    /// local coordinates y_a = (N x_a + o_a/2)/(N + 1). Returns its output (f₁ + clamped
    /// correction) and a bound on |output|.
    static func copy(_ target: Target, _ b: CircuitBuilder, _ x: [CircuitBuilder.Form], cells coarse: Int, fine m: Int,
                     offsets: [Int]) throws -> (output: CircuitBuilder.Form, range: Double, bits: Int, code: DigitCode) {
        let p = b.precision
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        let n = coarse + 1, nm = n * m
        let wide = Precision(uncheckedBits: 128)
        // The fine node (a, b) of this copy sits at x = (2a − o₁M, 2b − o₂M)/(2NM), clamped to [0, 1].
        func coordinate(_ k: Int, _ axis: Int) -> BigFloat {
            let v = BigFloat(2 * k - offsets[axis] * m, precision: wide).divided(by: BigFloat(2 * coarse * m, precision: wide), precision: wide)
            return v.toDouble() < 0 ? BigFloat(0, precision: wide) : (v.toDouble() > 1 ? BigFloat(1, precision: wide) : v)
        }
        let f = target.values(at: (0...nm).flatMap { a in (0...nm).map { [coordinate(a, 0), coordinate($0, 1)] } }, precision: wide).map { $0.toDouble() }
        func value(_ a: Int, _ b: Int) -> Double { f[a * (nm + 1) + b] }
        // R = f − f₁ with f₁ linear on the two triangles of each coarse cell (diagonal along (1, 1)).
        let order = snake(fine: m)
        var residual = Array(repeating: [Double](), count: n * n)
        for c1 in 0..<n { for c2 in 0..<n {
            let v00 = value(c1 * m, c2 * m), v10 = value((c1 + 1) * m, c2 * m)
            let v01 = value(c1 * m, (c2 + 1) * m), v11 = value((c1 + 1) * m, (c2 + 1) * m)
            residual[c1 * n + c2] = order.map { node in
                let s = Double(node.column) / Double(m), t = Double(node.row) / Double(m)
                let f1 = s >= t ? v00 + s * (v10 - v00) + t * (v11 - v10) : v00 + t * (v01 - v00) + s * (v11 - v01)
                return value(c1 * m + node.column, c2 * m + node.row) - f1
            }
        } }
        // Tracked digits in snake order.
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
        let code = DigitCode(bound: 1)
        let codes = digits.map { code.encode($0, precision: p) }
        // Local coordinates y_a = (N x_a + o_a/2)/(N + 1).
        let y = (0..<2).map { a in
            b.unit(.identity, b.combine([(big(coarse).divided(by: big(n), precision: p), x[a])],
                                        constant: big(offsets[a]).divided(by: big(2 * n), precision: p)))
        }
        let y1 = y[0], y2 = y[1]
        let coarseValues = (0...n).flatMap { i in (0...n).map { j in BigFloat(value(i * m, j * m), precision: p) } }
        let f1 = b.unit(.identity, b.courantInterpolant(y1, y2, cells: n, values: coarseValues))
        let delta = BigFloat(1, precision: p).divided(by: big(nm), precision: p)
        let axes = [PlateauAxis(b, y1, cells: n, zone: delta), PlateauAxis(b, y2, cells: n, zone: delta)]
        let zeros = Array(repeating: big(0), count: n), ones = Array(repeating: big(1), count: n)
        let u1 = b.unit(.identity, axes[0].plateau(zeros, ones)), u2 = b.unit(.identity, axes[1].plateau(zeros, ones))
        func minimum(_ a: CircuitBuilder.Form, _ c: CircuitBuilder.Form) -> CircuitBuilder.Form {
            b.combine([(1.0, a), (-1.0, b.relu(b.combine([(1.0, a), (-1.0, c)])))])
        }
        var zParts: [(BigFloat, CircuitBuilder.Form)] = []
        for c1 in 0..<n { for c2 in 0..<n {
            zParts.append((codes[c1 * n + c2], minimum(axes[0].indicator(c1), axes[1].indicator(c2))))
        } }
        var z = b.unit(.identity, b.combine(zParts))
        let chi = b.unit(.identity, minimum(axes[0].cutoff, axes[1].cutoff))
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
                func clampRow(_ shift: Int) -> CircuitBuilder.Form {   // clamp(Mu₂ − shift, 0, 1)
                    b.combine([(1.0, b.relu(b.combine([(mm, v2)], constant: -Double(shift)))),
                               (-1.0, b.relu(b.combine([(mm, v2)], constant: -Double(shift + 1))))])
                }
                rowRamps = (clampRow(node.row), clampRow(node.row - 1))
                currentRow = node.row
            }
            let dir = node.row % 2 == 0 ? 1.0 : -1.0
            let t = b.combine([(dir * mm, v1)], constant: -dir * Double(node.column))   // dir·(Mu₁ − c₀)
            let s = b.combine([(1.0, b.relu(b.combine([(1.0, t)], constant: 1))), (-1.0, b.relu(t))])
            let psi = b.combine([(1.0, rowRamps!.above), (1.0, b.relu(b.combine([(1.0, minimum(rowRamps!.below, s)), (-1.0, rowRamps!.above)])))])
            let (e, rest) = b.extractDigit(z, code: code)
            acc = b.unit(.identity, b.combine([(1.0, acc), (1.0, b.digitTimes(e, offset: 1, psi, bound: 1))]))
            z = rest
        }
        let bound = eps * Double(largest + 2)
        let output = b.clampedCorrection(f1, acc, scale: BigFloat(eps, precision: p), cutoff: chi, bound: BigFloat(bound, precision: p))
        let range = (f.map(Swift.abs).max() ?? 0) + bound
        return (b.unit(.identity, output), range, code.bits(digits: order.count - 1), code)
    }
}
