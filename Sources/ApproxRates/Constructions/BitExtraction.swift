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

    /// The default digit order for smoothness r: ⌊r⌋ + 1 (at most 3), the lowest order whose
    /// differences are O(h^r) on the Hölder class: for integer r (the Zygmund-type lacunary
    /// targets r = 1, 2) the differences of order r are of size h^r log(1/h), so r = 1 takes
    /// order 2 and r = 2 order 3, one above the first wave's encoding; r = ½ keeps order 1.
    public static func order(smoothness r: Double) -> Int { Swift.min(Int(r.rounded(.down)) + 1, 3) }

    /// The digit order the first wave used: 1 for r ≤ 1, 2 above (selectable as `digit-order`).
    public static func firstOrder(smoothness r: Double) -> Int { r <= 1 ? 1 : 2 }

    /// c = a/b for M = c·N: W_all ≈ aN + bM, and at a given W the product NM (so h = 1/(NM)) is
    /// largest when both parts cost the same, aN = bM. Measured on the lacunary target from the
    /// networks at N = M = 70, N = 140 and M = 35 (`build deep --cells N --fine M --digit-order k`):
    /// a ≈ 19, 20, 21 weights per coarse cell and b ≈ 54, 69, 119 per chain step for orders 1, 2, 3.
    /// Against M = N this multiplies NM at equal W by (a + b)²/(4ab) = 1.30, 1.42, 1.96.
    public static func balancedFineRatio(order k: Int) -> Double { [0.35, 0.29, 0.18][Swift.max(1, Swift.min(k, 3)) - 1] }

    /// The digit orders the construction builds.
    public static let orders: ClosedRange<Int> = 1...3

    /// Half-width δ of the cut-off zones around the coarse nodes. The first wave's orders keep
    /// their zones (δ = h for r ≤ 1, h·(hN)^(r−1)/2 above); a higher order divides that by
    /// ⌈log₂(NM)⌉, so that the zone's error, |f − f₁| within 2δ of a coarse node (of size
    /// δ·log(1/δ) on a Zygmund-type target), stays below the O(h^r) of the digits.
    static func zone(cells n: Int, fine m: Int, smoothness r: Double, order k: Int) -> Double {
        let h = 1 / Double(n * m)
        let first = r <= 1 ? h : h * pow(h * Double(n), r - 1) / 2
        return k <= firstOrder(smoothness: r) ? first : first / log2(Double(n * m)).rounded(.up)
    }

    /// The digit bound the construction assumes before it has seen the target: |Δ^k q| ≤
    /// |Δ^k R|/ε + 2^k/2 with ε = max |Δ^k R|/`divisor`, so K = 1, 3, 5 for k = 1, 2, 3 at divisor
    /// 1 and divisor + 2^k/2 in general (order 1 tracks R/ε greedily: K = 1).
    static func plannedBound(order k: Int, divisor: Int = 1) -> Int { k == 1 ? 1 : divisor + (1 << k) / 2 }

    /// Order 3 stores each cell's second difference c₀ = Δ²q₀ as this many balanced digits of
    /// base 2K + 1 ahead of its third differences (planned; a target that needs more gets more,
    /// with the precision to hold them).
    static let plannedLeadingDigits = 3

    /// The working precision: the code's bits, the bits the selection of a code loses (the sum of
    /// N ramps with slopes 1/δ), and 64 bits of output accuracy.
    public static func precision(cells n: Int, fine m: Int, smoothness r: Double, order: Int? = nil, divisor: Int = 1) -> Precision {
        let k = order ?? self.order(smoothness: r)
        let lost = Int(log2(Double(n) / zone(cells: n, fine: m, smoothness: r, order: k)).rounded(.up)) + Precision.Margin.selection
        return Precision(uncheckedBits: bitsPerWeight(fine: m, order: k, smoothness: r, divisor: divisor) + lost + Precision.Margin.output)
    }

    /// The number of bits one packed weight holds (before the target's digit bound is known, the
    /// planned bound): ⌈(digits)·log₂β⌉.
    public static func bitsPerWeight(fine m: Int, smoothness r: Double, order: Int? = nil) -> Int {
        bitsPerWeight(fine: m, order: order ?? self.order(smoothness: r), smoothness: r)
    }

    static func bitsPerWeight(fine m: Int, order k: Int, smoothness r: Double, divisor: Int = 1) -> Int {
        DigitCode(bound: plannedBound(order: k, divisor: divisor)).bits(digits: digitCount(fine: m, order: k, smoothness: r, leading: plannedLeadingDigits))
    }

    /// Digits per cell the precision is planned for: M first differences (order 1), M − 1 second
    /// differences (order 2; the first wave's order 2 at r > 1 planned one spare, M), `leading`
    /// digits of c₀ and M − 2 third differences (order 3).
    static func digitCount(fine m: Int, order k: Int, smoothness r: Double, leading: Int) -> Int {
        switch k {
        case 1: return m
        case 2: return r > 1 ? m : m - 1
        default: return leading + m - 2
        }
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

    static func quantise(_ residual: [Double], cells n: Int, fine m: Int, order k: Int, divisor: Int = 1) -> Quantised {
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
        // Order k ≥ 2: q_j = round(R(t_j)/ε) with ε the largest k-th difference of R inside a
        // coarse cell; the digits are the k-th differences of q.
        func difference(_ v: (Int) -> Double, at j: Int) -> Double {
            k == 2 ? v(j + 1) - 2 * v(j) + v(j - 1) : v(j + 1) - 3 * v(j) + 3 * v(j - 1) - v(j - 2)
        }
        var eps = 0.0
        for c in 0..<n where m >= k {
            for j in (k - 1)..<m { eps = Swift.max(eps, Swift.abs(difference({ residual[c * m + $0] }, at: j))) }
        }
        if eps == 0 { eps = Swift.max(residual.map(Swift.abs).max() ?? 0, 1e-300) }
        // A residual that is (nearly) a polynomial of degree < k, such as x² at order 3, has k-th
        // differences at float64's rounding level: a quantum no finer than 2^−40 of the residual
        // keeps every q within 2^40 (an Int) at a cost of 2^−41 of it.
        eps = Swift.max(eps, (residual.map(Swift.abs).max() ?? 0) * 0x1p-40)
        // A divisor K > 1: a K-th of that quantum, digits up to K + 2^k/2 (the rounding part of
        // the error, ε/2, shrinks K-fold; the digit code widens to hold them).
        eps /= Double(divisor)
        var bound = 1
        var quantised: [[Int]] = []
        for c in 0..<n {
            let q = (0...m).map { Int((residual[c * m + $0] / eps).rounded()) }
            largest = Swift.max(largest, q.map(Swift.abs).max() ?? 0)
            first[c] = q[1] - q[0]
            for l in (k - 1)..<m {
                let s = Int(difference({ Double(q[$0]) }, at: l))
                digits[c].append(s); bound = Swift.max(bound, Swift.abs(s))
            }
            quantised.append(q)
        }
        if k == 3 {
            // c₀ = q₂ − 2q₁ + q₀ as balanced digits of base 2K + 1, least significant first.
            let second = quantised.map { $0[2] - 2 * $0[1] + $0[0] }
            let radix = 2 * bound + 1
            var leading = plannedLeadingDigits
            while (second.map(Swift.abs).max() ?? 0) > (Int(pow(Double(radix), Double(leading))) - 1) / 2 { leading += 1 }
            for c in 0..<n { digits[c] = balancedDigits(second[c], radix: radix, count: leading) + digits[c] }
        }
        return Quantised(digits: digits, first: first, quantum: eps, code: DigitCode(bound: bound), largest: largest)
    }

    /// `value` as `count` digits in {−(radix−1)/2, …, (radix−1)/2} of the odd `radix`, least
    /// significant first (Σ d_i radix^i = value; the caller ensures it fits).
    static func balancedDigits(_ value: Int, radix: Int, count: Int) -> [Int] {
        var v = value, out: [Int] = []
        for _ in 0..<count {
            var d = ((v % radix) + radix) % radix
            if d > radix / 2 { d -= radix }
            out.append(d); v = (v - d) / radix
        }
        precondition(v == 0, "\(value) does not fit \(count) balanced digits of base \(radix)")
        return out
    }

    /// The network for `target` (d = 1) with N = `cells` coarse and M = `fine` fine cells per
    /// coarse cell, at `precision` (default ``precision(cells:fine:smoothness:order:divisor:)``).
    /// Digits of order k ≥ 2 quantise with a `divisor`-th of the largest k-th difference (1: the
    /// difference itself). Metadata records N, M, the order, the digit base, the quantum, the
    /// divisor when it is not 1 and the bits per packed weight.
    public static func network(_ target: Target, cells n: Int, fine m: Int, order: Int? = nil, divisor: Int = 1, precision: Precision? = nil) throws -> Network {
        guard target.dimension == 1 else { throw ConstructionError.dimension("the 1-D deep construction needs d = 1, not d = \(target.dimension)") }
        guard n >= 1, m >= 5 else { throw ConstructionError.parameter("the deep construction needs N >= 1 and M >= 5 fine cells, so that the cut-off zones leave a plateau (got N = \(n), M = \(m))") }
        let r = target.smoothness
        let k = order ?? self.order(smoothness: r)
        guard orders.contains(k) else { throw ConstructionError.invalid(parameter: "digit-order", reason: "\(k) is not allowed: use 1, 2 or 3") }
        guard divisor == 1 || (k >= 2 && divisor >= 1) else {
            throw ConstructionError.invalid(parameter: "digit-bound", reason: "\(divisor) needs digits of order 2 or 3 (order \(k) here)")
        }
        let planned = precision ?? self.precision(cells: n, fine: m, smoothness: r, order: k, divisor: divisor)
        let nm = n * m
        let wide = Precision(uncheckedBits: 128)
        let f = target.values(at: (0...nm).map { [BigFloat($0, precision: wide).divided(by: BigFloat(nm, precision: wide), precision: wide)] }, precision: wide)
        let residual = BitExtraction.residual(f, cells: n, fine: m, precision: wide)
        let qz = quantise(residual, cells: n, fine: m, order: k, divisor: divisor)
        // A target whose digits need more bits than planned (a larger bound, more leading
        // digits) gets them: the code must be exact.
        let needed = qz.code.bits(digits: qz.digits.first?.count ?? 0) - bitsPerWeight(fine: m, order: k, smoothness: r, divisor: divisor)
        let p = needed > 0 ? Precision(uncheckedBits: planned.bits + needed) : planned
        let codes = qz.digits.map { qz.code.encode($0, precision: p) }

        let b = CircuitBuilder(inputDimension: 1, precision: p)
        let x = b.input(0)
        func big(_ v: Double) -> BigFloat { BigFloat(v, precision: p) }
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        let delta = big(zone(cells: n, fine: m, smoothness: r, order: k))
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
        } else if k == 2 {
            // d₀·Mu per cell (shallow), then Σ_l s_l σ(Mu − l).
            acc = b.unit(.identity, axis.plateau(zeros, qz.first.map { big($0 * m) }))
            for l in 1..<m {
                let (e, rest) = b.extractDigit(z, code: qz.code)
                let here = b.delayed(u, to: z.depth)
                let t = b.relu(b.combine([(mm, here)], constant: -Double(l)))
                acc = b.unit(.identity, b.combine([(1.0, acc), (1.0, b.digitTimes(e, offset: qz.code.bound, t, bound: mm))]))
                z = rest
            }
        } else {
            // g = d₀·v + c₀·T₁(v) + Σ_{l=2}^{M−1} t_l T_l(v), v = Mu, T_l(v) = Σ_{i=l}^{M−1} σ(v − i):
            // the slope changes Δ²q_l = c₀ + Σ_{i≤l} t_i summed by parts. T₁ is one layer of M − 1
            // ramps; T_{l+1} = T_l − σ(v − l) along the chain. c₀ comes first, as balanced
            // digits a_i of base 2K + 1 multiplying (2K + 1)^i T₁.
            acc = b.unit(.identity, axis.plateau(zeros, qz.first.map { big($0 * m) }))
            let top = Double(m) * Double(m - 1) / 2
            var t = b.unit(.identity, b.combine((1..<m).map { i in (1.0, b.relu(b.combine([(mm, u)], constant: -Double(i)))) }))
            let leading = (qz.digits.first?.count ?? 0) - (m - 2)
            let radix = Double(2 * qz.code.bound + 1)
            for i in 0..<leading {
                let (e, rest) = b.extractDigit(z, code: qz.code)
                let weight = pow(radix, Double(i))
                let scaled = b.combine([(weight, b.delayed(t, to: z.depth))])
                acc = b.unit(.identity, b.combine([(1.0, acc), (1.0, b.digitTimes(e, offset: qz.code.bound, scaled, bound: weight * top))]))
                z = rest
            }
            for l in 2..<m {
                let (e, rest) = b.extractDigit(z, code: qz.code)
                let here = b.delayed(u, to: z.depth - 1)
                t = b.unit(.identity, b.combine([(1.0, b.delayed(t, to: z.depth)), (-1.0, b.relu(b.combine([(mm, here)], constant: -Double(l - 1))))]))
                acc = b.unit(.identity, b.combine([(1.0, acc), (1.0, b.digitTimes(e, offset: qz.code.bound, t, bound: top))]))
                z = rest
            }
        }
        // f₁ + clamp(ε·acc, ±Bχ).
        let output = b.clampedCorrection(f1, acc, scale: big(qz.quantum), cutoff: chi,
                                         bound: big(qz.quantum * Double(qz.largest + qz.code.bound + 1)))
        let bits = qz.code.bits(digits: qz.digits.first?.count ?? 0)
        return try b.network(outputs: [output], metadata: [
            "construction": "deep", "N": "\(n)", "M": "\(m)", "order": "\(k)", "digit_base": "\(qz.code.base)",
            "bits_per_weight": "\(bits)", "zone": "\(delta.toDouble())", "quantum": "\(qz.quantum)", "target": target.summary]
            .merging(divisor == 1 ? [:] : ["quantum_divisor": "\(divisor)"]) { a, _ in a },
            construction: ConstructionFacts(kind: .deep, cells: n, fineCells: m, zoneHalfWidth: delta.toDouble(), bitsPerWeight: bits))
    }
}
