import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The deep, discontinuous phase in 1-D (reference notes sections 3.5 and 3.6): a coarse
/// continuous interpolant f₁ on N cells, the residual R = f − f₁ on the fine grid of spacing
/// h = 1/(NM) quantised as q_j = round-ish(R(t_j)/ε), the bounded digits of each coarse cell
/// packed into one weight (``DigitCode``), and one deep narrow chain, shared by all cells, that
/// extracts a digit per step and accumulates the fine piecewise-linear interpolant of q:
///
///   f̃ = f₁ + clamp(ε·g, ±Bχ),   g = the interpolant of q at the fine nodes of x's coarse cell.
///
/// Two digit orders:
/// - **order 1** (0 < r ≤ 1, the team's prototype): digits are first differences s_j = q_{j+1} − q_j
///   ∈ {−1, 0, 1} (q tracks R/ε to ±1/2, ε = the largest jump of R between fine nodes), and
///   g = Σ_j s_j ρ_j(u) with the ramps ρ_j = σ(Mu − j) − σ(Mu − j − 1);
/// - **order 2** (r > 1, the finite-difference form of the Taylor-state variant of section 3.6
///   for k = 1): q_j = round(R(t_j)/ε) with ε = the largest second difference of R, digits are
///   second differences s_l = Δ²q_{l−1} (bounded: |s| ≤ 3), and
///   g = d₀·Mu + Σ_{l≥1} s_l σ(Mu − l), d₀ = q₁ − q₀ stored per cell in a shallow term. The
///   interpolant of q is second-order accurate, so the error is O(h^min(r, 2)).
///
/// Selection is continuous: the plateau functions Z(x) (the cell's code), U(x) = Nx − n and the
/// per-cell term are piecewise linear, exact on [n/N + δ, (n+1)/N − δ]; the cut-off χ is 0 within
/// δ of a coarse node and 1 beyond 2δ, so whatever the chain computes there is clamped away
/// (δ = h for r ≤ 1 and δ = h·(hN)^(r−1)/2 above keep the error of f₁ alone in that zone below
/// h^r; ``zone(cells:fine:smoothness:)``).
/// Depth ≈ 2M, W ≈ 20N + 60M; the packed weights need about M log₂β bits, so the construction
/// carries its own precision (``precision(cells:fine:smoothness:)``).
public enum BitExtraction {
    /// The search hints of a bit-extraction network (deep or fixed-width) from its facts: its
    /// error lives on the fine grid h = 1/(NM), so the sampling search resolves h/2; in 1-D the
    /// cut-off zones (δ around each interior coarse node, with a margin of δ/10⁶ that keeps every
    /// swept interval clear of the zone it borders) are sampled, and the exact sweep, the search
    /// that scales, gets a 10× larger budget (3·10⁸ unit updates).
    public static func searchHints(_ facts: ConstructionFacts, dimension d: Int) -> SearchHints {
        guard let n = facts.cells, let m = facts.fineCells else { return .none }
        var hints = SearchHints(samplingSpacing: 1 / Double(2 * n * m))
        if d == 1 {
            hints.minimumSweepUpdates = 300_000_000
            if let delta = facts.zoneHalfWidth {
                let margin = delta * (1 + 1e-6)
                hints.sampledZones = (1..<n).map { c in (Double(c) / Double(n) - margin)...(Double(c) / Double(n) + margin) }
            }
        }
        return hints
    }

    /// Digit order for smoothness r: 1 for r ≤ 1, 2 above.
    public static func order(smoothness r: Double) -> Int { r <= 1 ? 1 : 2 }

    /// Half-width δ of the cut-off zones around the coarse nodes.
    static func zone(cells n: Int, fine m: Int, smoothness r: Double) -> Double {
        let h = 1 / Double(n * m)
        return r <= 1 ? h : h * pow(h * Double(n), r - 1) / 2
    }

    /// The digit bound the construction assumes before it has seen the target (order 1: K = 1;
    /// order 2: K = 3), for precision planning.
    static func plannedBound(order: Int) -> Int { order == 1 ? 1 : 3 }

    /// The working precision: the code's bits, the bits the selection of a code loses (the sum of
    /// N ramps with slopes 1/δ), and 64 bits of output accuracy.
    public static func precision(cells n: Int, fine m: Int, smoothness r: Double) -> Precision {
        let k = order(smoothness: r)
        let code = DigitCode(bound: plannedBound(order: k))
        let lost = Int(log2(Double(n) / zone(cells: n, fine: m, smoothness: r)).rounded(.up)) + Precision.Margin.selection
        return Precision(uncheckedBits: code.bits(digits: m) + lost + Precision.Margin.output)
    }

    /// The number of bits one packed weight holds (before the target's digit bound is known, the
    /// planned bound): ⌈(digits)·log₂β⌉.
    public static func bitsPerWeight(fine m: Int, smoothness r: Double) -> Int {
        DigitCode(bound: plannedBound(order: order(smoothness: r))).bits(digits: m)
    }

    /// The quantised residual of one target: per coarse cell, the digits and the first
    /// difference d₀, the quantum ε, the digit code and the bound on |q|.
    struct Quantised {
        var digits: [[Int]]
        var first: [Int]
        var quantum: Double
        var code: DigitCode
        var largest: Int
    }

    /// R = f − f₁ at the NM + 1 fine nodes, from f at those nodes (f₁ linear on each coarse
    /// cell, exact at its ends), computed at `precision` and rounded to float64.
    static func residual(_ f: [BigFloat], cells n: Int, fine m: Int, precision wide: Precision) -> [Double] {
        var residual = Array(repeating: 0.0, count: n * m + 1)
        for c in 0..<n {
            let left = f[c * m], right = f[(c + 1) * m]
            for j in 0...m {
                let line = left.adding(right.subtracting(left, precision: wide).multiplied(by: BigFloat(j, precision: wide), precision: wide)
                    .divided(by: BigFloat(m, precision: wide), precision: wide), precision: wide)
                residual[c * m + j] = f[c * m + j].subtracting(line, precision: wide).toDouble()
            }
        }
        return residual
    }

    static func quantise(_ residual: [Double], cells n: Int, fine m: Int, order k: Int) -> Quantised {
        var digits = Array(repeating: [Int](), count: n)
        var first = Array(repeating: 0, count: n)
        var largest = 0
        if k == 1 {
            var eps = 0.0
            for c in 0..<n { for j in 0..<m { eps = Swift.max(eps, Swift.abs(residual[c * m + j + 1] - residual[c * m + j])) } }
            if eps == 0 { eps = 1 }
            for c in 0..<n {
                var q = 0
                for j in 0..<m {
                    let s = Swift.max(-1, Swift.min(1, Int((residual[c * m + j + 1] / eps).rounded()) - q))
                    digits[c].append(s); q += s
                    largest = Swift.max(largest, Swift.abs(q))
                }
            }
            return Quantised(digits: digits, first: first, quantum: eps, code: DigitCode(bound: 1), largest: largest)
        }
        var eps = 0.0
        for c in 0..<n where m >= 2 {
            for j in 1..<m { eps = Swift.max(eps, Swift.abs(residual[c * m + j + 1] - 2 * residual[c * m + j] + residual[c * m + j - 1])) }
        }
        if eps == 0 { eps = Swift.max(residual.map(Swift.abs).max() ?? 0, 1e-300) }
        var bound = 1
        for c in 0..<n {
            let q = (0...m).map { Int((residual[c * m + $0] / eps).rounded()) }
            largest = Swift.max(largest, q.map(Swift.abs).max() ?? 0)
            first[c] = q[1] - q[0]
            for l in 1..<m {
                let s = q[l + 1] - 2 * q[l] + q[l - 1]
                digits[c].append(s); bound = Swift.max(bound, Swift.abs(s))
            }
        }
        return Quantised(digits: digits, first: first, quantum: eps, code: DigitCode(bound: bound), largest: largest)
    }

    /// The network for `target` (d = 1) with N = `cells` coarse and M = `fine` fine cells per
    /// coarse cell, at `precision` (default ``precision(cells:fine:smoothness:)``). Metadata
    /// records N, M, the order, the digit base and the bits per packed weight.
    public static func network(_ target: Target, cells n: Int, fine m: Int, precision: Precision? = nil) throws -> Network {
        guard target.dimension == 1 else { throw ConstructionError.dimension("the 1-D deep construction needs d = 1, not d = \(target.dimension)") }
        guard n >= 1, m >= 5 else { throw ConstructionError.parameter("the deep construction needs N >= 1 and M >= 5 fine cells, so that the cut-off zones leave a plateau (got N = \(n), M = \(m))") }
        let r = target.smoothness
        let k = order(smoothness: r)
        let p = precision ?? self.precision(cells: n, fine: m, smoothness: r)
        let nm = n * m
        let wide = Precision(uncheckedBits: 128)
        let f = target.values(at: (0...nm).map { [BigFloat($0, precision: wide).divided(by: BigFloat(nm, precision: wide), precision: wide)] }, precision: wide)
        let residual = BitExtraction.residual(f, cells: n, fine: m, precision: wide)
        let qz = quantise(residual, cells: n, fine: m, order: k)
        let codes = qz.digits.map { qz.code.encode($0, precision: p) }

        let b = CircuitBuilder(inputDimension: 1, precision: p)
        let x = b.input(0)
        func big(_ v: Double) -> BigFloat { BigFloat(v, precision: p) }
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        let delta = big(zone(cells: n, fine: m, smoothness: r))
        // Coarse interpolant f₁: one hidden layer, materialised once.
        let fp = f.map { BigFloat($0, precision: p) }
        let slopes = (0..<n).map { fp[($0 + 1) * m].subtracting(fp[$0 * m], precision: p).multiplied(by: big(n), precision: p) }
        let axis = PlateauAxis(b, x, cells: n, zone: delta)
        let coarse = (0..<n).map { c in
            (c == 0 ? slopes[0] : slopes[c].subtracting(slopes[c - 1], precision: p),
             b.relu(b.combine([(big(1), x)], constant: big(c).divided(by: big(n), precision: p).negated)))
        }
        let f1 = b.unit(.identity, b.combine(coarse, constant: fp[0]))
        let zeros = Array(repeating: big(0), count: n), ones = Array(repeating: big(1), count: n)
        var z = b.unit(.identity, axis.plateau(codes, zeros))
        let u = b.unit(.identity, axis.plateau(zeros, ones))
        let chi = b.unit(.identity, axis.cutoff)
        // The chain: one digit per step, two layers per step; u is carried along it and the ramps
        // of step j are computed from the carried copy, next to the digit they multiply.
        var acc: CircuitBuilder.Form
        let mm = Double(m)
        if k == 1 {
            acc = b.constant(big(0))
            for j in 0..<m {
                let (e, rest) = b.extractDigit(z, code: qz.code)
                let here = b.delayed(u, to: z.depth)
                let rho = b.combine([(1.0, b.relu(b.combine([(mm, here)], constant: -Double(j)))),
                                     (-1.0, b.relu(b.combine([(mm, here)], constant: -Double(j + 1))))])
                acc = b.unit(.identity, b.combine([(1.0, acc), (1.0, b.digitTimes(e, offset: qz.code.bound, rho, bound: 1))]))
                z = rest
            }
        } else {
            // d₀·Mu per cell (shallow), then Σ_l s_l σ(Mu − l).
            acc = b.unit(.identity, axis.plateau(zeros, qz.first.map { big($0 * m) }))
            for l in 1..<m {
                let (e, rest) = b.extractDigit(z, code: qz.code)
                let here = b.delayed(u, to: z.depth)
                let t = b.relu(b.combine([(mm, here)], constant: -Double(l)))
                acc = b.unit(.identity, b.combine([(1.0, acc), (1.0, b.digitTimes(e, offset: qz.code.bound, t, bound: mm))]))
                z = rest
            }
        }
        // f₁ + clamp(ε·acc, ±Bχ).
        let output = b.clampedCorrection(f1, acc, scale: big(qz.quantum), cutoff: chi,
                                         bound: big(qz.quantum * Double(qz.largest + qz.code.bound + 1)))
        let bits = qz.code.bits(digits: qz.digits.first?.count ?? 0)
        return try b.network(outputs: [output], metadata: [
            "construction": "deep", "N": "\(n)", "M": "\(m)", "order": "\(k)", "digit_base": "\(qz.code.base)",
            "bits_per_weight": "\(bits)", "zone": "\(delta.toDouble())", "target": target.summary],
            construction: ConstructionFacts(kind: .deep, cells: n, fineCells: m, zoneHalfWidth: delta.toDouble(), bitsPerWeight: bits))
    }
}
