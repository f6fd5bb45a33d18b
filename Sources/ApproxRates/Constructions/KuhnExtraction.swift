import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The 2-D chains that rebuild, exactly, the piecewise-linear interpolant on the fine Kuhn
/// triangulation (diagonals along (1, 1)) of an integer field q at the (M + 1)² fine nodes of a
/// coarse cell, all rows read left to right; the output of a copy is then the fine interpolant
/// of f₁ + εq, within ε/2 of the fine interpolant of f at every fine node, so its error is
/// about E + ε/2 with E the error of the fine interpolant itself. Two digit codes:
///
/// - **Rows, order 1, bound K** (``quantiseRows(_:bound:)``): q tracks R/ε down column 0 and then
///   along each row in steps s ∈ {−K, …, K}, ε = (the largest first difference)/K, so
///   q = round(R/ε). g = Σ_r s^v_r A_{r−1}(u₂) + Σ_{r, c ≥ 1} s_{c,r} Ψ_{c,r}, with the row ramps
///   A_r = clamp(Mu₂ − r, 0, 1), the column ramps S_c = clamp(Mu₁ − c + 1, 0, 1) and
///   Ψ_{c,r} = σ(min(A_{r−1}, S_c) − A_r) = min(A_{r−1} − A_r, σ(S_c − A_r)), the interpolant of
///   [row = r, column ≥ c]. Unlike the snake (``SnakeExtraction``), whose right-to-left rows are
///   linear on the other diagonal and leave up to ε/2 between nodes, every term is linear on the
///   fine triangles. The quantum shrinks as 1/K at 4K + 2 more units per chain step and
///   log₂(4K + 1) bits per digit.
/// - **Second differences, order 2** (``quantise(_:)``): ε the largest second difference of R
///   (along rows, down column 0, and mixed between columns 0 and 1), with
///   q(c, r) = d₀ r + Σ_{l<r} v_l (r − l) + e₀ c + Σ_{1≤r'≤r} m_{r'} c + Σ_{2≤c'≤c} t_{r,c'} (c − c' + 1),
///   d₀ = q(0,1), e₀ = q(1,0) (q = 0 at the coarse corners), v_l the second differences down
///   column 0, m_r the mixed ones and t_{r,c} those along row r: all |·| ≤ 3 except d₀ and e₀,
///   which go first as balanced digits of base 7. The bases: Mu₂, σ(Mu₂ − l), Mu₁,
///   Ω_r = Σ_{c=1}^{M} min(A_{r−1}, S_c) (the interpolant of c·[row ≥ r]) and
///   Φ_{r,c} = Σ_{c'≥c} Ψ_{c',r} (Φ_{r,1} = Ω_r − Ω_{r+1}, Φ_{r,c+1} = Φ_{r,c} − Ψ_{c,r} along the
///   chain), all in [0, M]. On the lacunary bumps the second differences at the sizes W ≤ 10⁶
///   reach are not smaller than the first (the bump's φ'' is large), so this code lost to the
///   rows at equal W (docs/deep-phase.md); it stays selectable as `--digit-order 2`.
///
/// min(t, s) and σ(s − t) are linear on both triangles of a fine cell, which is what makes each
/// basis the exact interpolant; the products digit × basis are exact
/// (``CircuitBuilder/digitTimes(_:offset:_:bound:)``).
enum KuhnExtraction {
    /// Balanced base-7 digits planned for each of d₀ and e₀ (more when the target needs them).
    static let plannedLeadingDigits = 3

    /// The digit bound: |Δ²q| ≤ |Δ²R|/ε + 2·(½ + ½) = 3.
    static let secondOrderBound = 3

    /// Digits per cell planned before the target is seen.
    static func plannedDigits(fine m: Int) -> Int { m * m + 2 * m - 2 + 2 * plannedLeadingDigits }

    /// The quantised residual of one cell's (M + 1)² nodes, `residual[c][r]`.
    struct Cell {
        var q: [[Int]]
        /// d₀, e₀ and then, row by row, m_r (r ≥ 1), v_r (1 ≤ r ≤ M − 1), t_{r,c} (c = 2 … M).
        var first: (d0: Int, e0: Int)
        var digits: [Int]
    }

    /// The largest second difference of one cell's residual that the digits see (rows, column 0,
    /// mixed between columns 0 and 1).
    static func largestSecondDifference(_ r: [[Double]], fine m: Int) -> Double {
        var eps = 0.0
        for row in 0...m {
            for c in 1..<m { eps = Swift.max(eps, Swift.abs(r[c + 1][row] - 2 * r[c][row] + r[c - 1][row])) }
            if row >= 1 && row < m { eps = Swift.max(eps, Swift.abs(r[0][row + 1] - 2 * r[0][row] + r[0][row - 1])) }
            if row >= 1 { eps = Swift.max(eps, Swift.abs(r[1][row] - r[0][row] - r[1][row - 1] + r[0][row - 1])) }
        }
        return eps
    }

    /// q = round(R/ε) and its digits in chain order.
    static func quantise(_ r: [[Double]], fine m: Int, quantum eps: Double) -> Cell {
        let q = r.map { column in column.map { Int(($0 / eps).rounded()) } }
        var digits: [Int] = []
        for row in 0...m {
            if row >= 1 { digits.append(q[1][row] - q[0][row] - q[1][row - 1] + q[0][row - 1]) }
            if row >= 1 && row < m { digits.append(q[0][row + 1] - 2 * q[0][row] + q[0][row - 1]) }
            for c in 2...m { digits.append(q[c][row] - 2 * q[c - 1][row] + q[c - 2][row]) }
        }
        return Cell(q: q, first: (q[0][1] - q[0][0], q[1][0] - q[0][0]), digits: digits)
    }

    /// The order-2 digits of one copy: ε the largest second difference over all its cells (at
    /// least 2^−40 of max|R|, so that a nearly bilinear residual keeps q an Int), d₀ and e₀ as
    /// balanced base-7 digits (``plannedLeadingDigits``, more if needed), then each cell's digits.
    static func quantise(_ grid: SnakeExtraction.Grid) -> SnakeExtraction.Quantised {
        let m = grid.m
        let residuals = (0..<grid.n * grid.n).map { grid.residual(cell: $0) }
        var eps = residuals.map { largestSecondDifference($0, fine: m) }.max() ?? 0
        let largestR = residuals.flatMap { $0.flatMap { $0.map(Swift.abs) } }.max() ?? 0
        if eps == 0 { eps = Swift.max(largestR, 1e-300) }
        eps = Swift.max(eps, largestR * 0x1p-40)
        let cells = residuals.map { quantise($0, fine: m, quantum: eps) }
        let largest = cells.map { $0.q.flatMap { $0.map(Swift.abs) }.max() ?? 0 }.max() ?? 0
        let radix = 2 * secondOrderBound + 1
        let firstLargest = cells.map { Swift.max(Swift.abs($0.first.d0), Swift.abs($0.first.e0)) }.max() ?? 0
        var leading = plannedLeadingDigits
        while firstLargest > (Int(pow(Double(radix), Double(leading))) - 1) / 2 { leading += 1 }
        let digits = cells.map { cell in
            BitExtraction.balancedDigits(cell.first.d0, radix: radix, count: leading)
                + BitExtraction.balancedDigits(cell.first.e0, radix: radix, count: leading) + cell.digits
        }
        precondition(digits.allSatisfy { $0.allSatisfy { Swift.abs($0) <= secondOrderBound } }, "a second difference exceeds the digit bound")
        return SnakeExtraction.Quantised(grid: grid, digits: digits, code: DigitCode(bound: secondOrderBound), quantum: eps, largest: largest, order: 2, leading: leading)
    }

    /// The order-1 digits along rows: q tracks R/ε down column 0 and then along each row, with
    /// steps in {−K, …, K}, ε = (the largest first difference of R along rows and down column 0)/K,
    /// so q = round(R/ε) at every node.
    static func quantiseRows(_ grid: SnakeExtraction.Grid, bound k: Int) -> SnakeExtraction.Quantised {
        let m = grid.m
        let residuals = (0..<grid.n * grid.n).map { grid.residual(cell: $0) }
        var eps = 0.0
        for r in residuals {
            for row in 0...m {
                for c in 1...m { eps = Swift.max(eps, Swift.abs(r[c][row] - r[c - 1][row])) }
                if row >= 1 { eps = Swift.max(eps, Swift.abs(r[0][row] - r[0][row - 1])) }
            }
        }
        eps = eps == 0 ? 1 : eps / Double(k)
        var largest = 0
        let digits: [[Int]] = residuals.map { r in
            var out: [Int] = []
            var start = 0
            func track(_ q: inout Int, _ value: Double) -> Int {
                let s = Swift.max(-k, Swift.min(k, Int((value / eps).rounded()) - q))
                q += s; largest = Swift.max(largest, Swift.abs(q))
                return s
            }
            for row in 0...m {
                if row >= 1 { out.append(track(&start, r[0][row])) }
                var q = start
                for c in 1...m { out.append(track(&q, r[c][row])) }
            }
            return out
        }
        return SnakeExtraction.Quantised(grid: grid, digits: digits, code: DigitCode(bound: k), quantum: eps, largest: largest, order: 1, rows: true)
    }

    /// The chain: g, the fine Kuhn interpolant of q, from the code read digit by digit
    /// (u = the plateau coordinates u₁, u₂ in [0, 1]).
    static func chain(_ b: CircuitBuilder, _ u: [CircuitBuilder.Form], _ selected: CircuitBuilder.Form,
                      _ qz: SnakeExtraction.Quantised) -> CircuitBuilder.Form {
        let p = b.precision
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        let m = qz.grid.m, code = qz.code, leading = qz.leading, radix = 2 * secondOrderBound + 1
        let u1 = u[0], u2 = u[1]
        var z = selected
        let mm = Double(m)
        var acc = b.constant(big(0))
        /// Adds digit × t (t ∈ [0, limit]) to the accumulator and moves z on.
        func stepBounded(_ t: CircuitBuilder.Form, bound limit: Double, offset: Int) {
            let (e, rest) = b.extractDigit(z, code: code)
            acc = b.unit(.identity, b.combine([(1.0, acc), (1.0, b.digitTimes(e, offset: offset, t, bound: limit))]))
            z = rest
        }
        func step(_ t: CircuitBuilder.Form, bound limit: Double) { stepBounded(t, bound: limit, offset: secondOrderBound) }
        /// u₁ and u₂ carried to `back` layers above the next digit's extraction.
        func carried(_ back: Int) -> (CircuitBuilder.Form, CircuitBuilder.Form) {
            let layer = Swift.max(0, z.depth - back)
            return (b.delayed(u1, to: layer), b.delayed(u2, to: layer))
        }
        func clampRow(_ v2: CircuitBuilder.Form, _ shift: Int) -> CircuitBuilder.Form {   // A_shift = clamp(Mu₂ − shift, 0, 1)
            b.ramp(v2, scale: mm, shift: shift)
        }
        func column(_ v1: CircuitBuilder.Form, _ c: Int) -> CircuitBuilder.Form {   // S_c = clamp(Mu₁ − c + 1, 0, 1)
            b.ramp(v1, scale: mm, shift: c - 1)
        }
        if qz.order == 1 {
            // g = Σ_r s^v_r A_{r−1}(u₂) + Σ_{r, c≥1} s_{c,r} Ψ_{c,r}: column 0, then the row.
            let k = code.bound
            for row in 0...m {
                if row >= 1 {
                    let (_, w2) = carried(2)
                    stepBounded(clampRow(w2, row - 1), bound: 1, offset: k)
                }
                for c in 1...m {
                    // Ψ_{c,row} as one unit, so that the 2K products read one value, not its terms.
                    let (w1, w2) = carried(4)
                    let below = clampRow(w2, row)
                    let band = b.combine([(1.0, clampRow(w2, row - 1)), (-1.0, below)])
                    let psi = b.unit(.identity, b.minimum(band, b.relu(b.combine([(1.0, column(w1, c)), (-1.0, below)]))))
                    stepBounded(psi, bound: 1, offset: k)
                }
            }
            return acc
        }
        // d₀·Mu₂, then e₀·Mu₁, as balanced digits, least significant first.
        for axis in [1, 0] {
            for i in 0..<leading {
                let w = pow(Double(radix), Double(i))
                let (v1, v2) = carried(1)
                step(b.combine([(w * mm, axis == 0 ? v1 : v2)]), bound: w * mm)
            }
        }
        var omegaHere: CircuitBuilder.Form? = nil   // Ω_row (Ω_0 = Mu₁)
        for row in 0...m {
            // Ω_{row+1} = Σ_c min(A_row, S_c), computed ahead of the row's digits.
            let (v1, v2) = carried(6)
            var next = b.constant(big(0))
            if row < m {
                let a = clampRow(v2, row)
                next = b.unit(.identity, b.combine((1...m).map { c in (1.0, b.minimum(a, column(v1, c))) }))
            }
            var phi = b.unit(.identity, b.combine([(1.0, omegaHere ?? b.combine([(mm, v1)])), (-1.0, next)]))   // Φ_{row,1}
            if row >= 1, let o = omegaHere { step(o, bound: mm) }
            if row >= 1 && row < m {
                let (_, w2) = carried(2)
                step(b.relu(b.combine([(mm, w2)], constant: -Double(row))), bound: mm)
            }
            for c in 2...m {
                // Φ_{row,c} = Φ_{row,c−1} − Ψ_{c−1,row}, Ψ = min(A_{row−1} − A_row, σ(S_{c−1} − A_row)).
                let (w1, w2) = carried(3)
                let above = clampRow(w2, row - 1), below = clampRow(w2, row)
                let band = b.combine([(1.0, above), (-1.0, below)])
                let psi = b.minimum(band, b.relu(b.combine([(1.0, column(w1, c - 1)), (-1.0, below)])))
                phi = b.unit(.identity, b.combine([(1.0, phi), (-1.0, psi)]))
                step(phi, bound: mm)
            }
            omegaHere = next
        }
        return acc
    }
}
