import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The deep phase in a fully-connected ReLU network of fixed width 2d + 10 = 12 (d = 1; YZ20's
/// adaptive architecture, reference notes section 3.8): only the depth grows with W, and only the
/// weights depend on the target and its smoothness r ≤ 1.
///
/// It computes the function of ``BitExtraction`` (order 1: the coarse interpolant f₁ on N cells,
/// the residual's first-difference digits of the M fine cells of each coarse cell packed into
/// one weight per cell, one extraction chain, the clamped correction) with every wide layer of
/// that network turned into a scan along the depth:
///
/// - **scan**, one layer per coarse node c = 0 … N: from x (carried), the ramps
///   σ(x − c/N), σ(x − c/N ± δ) and σ(x − c/N ± 2δ) (5 units), added into four accumulators:
///   f₁ (the coarse interpolant), Z (the cell's code), U = Nx − n and the cut-off χ (exact sums of
///   the node's terms of ``PlateauAxis``). 10 units per layer.
/// - **chain**, two layers per digit, as in ``BitExtraction``, with f₁ and χ carried.
/// - **output** f₁ + clamp(ε g, ±Bχ).
///
/// Every unit is a ReLU (the output unit is linear): a carried value v ≥ 0 is σ(v), and the two
/// signed accumulators are carried as σ(v + C) with a bound C known from the construction (on
/// the plateaus; in the cut-off zones the chain's values are clamped away whatever they are).
/// Every hidden layer is then padded to exactly `width` units and stored densely, so that W_all
/// counts the whole fully-connected architecture: W = 2·width + (L − 2)·width·(width + 1) + width + 1
/// for d = 1 and L affine maps, L ≈ N + 2M + 5.
///
/// The error is that of ``BitExtraction`` with the same N and M: O(h^r), h = 1/(NM); with
/// M = N^α, W ~ N and the rate is (1 + α) r: 2r at α = 1, the deep phase's edge, from one
/// architecture for every r ≤ 1.
public enum FixedWidthExtraction {
    /// The architecture's width for d = 1: 2d + 10.
    public static let width = 12

    /// The network for `target` (d = 1, 0 < r ≤ 1) with N = `cells` coarse cells and M = `fine`
    /// fine cells per cell, at `precision` (default ``BitExtraction/precision(cells:fine:smoothness:)``).
    public static func network(_ target: Target, cells n: Int, fine m: Int, precision: Precision? = nil) throws -> Network {
        guard target.dimension == 1 else { throw ConstructionError.dimension("the fixed-width construction needs d = 1, not d = \(target.dimension)") }
        guard target.smoothness <= 1 else { throw ConstructionError.parameter("the fixed-width construction is built for r <= 1 (first-difference digits), not r = \(target.smoothness)") }
        guard n >= 1, m >= 5 else { throw ConstructionError.parameter("the fixed-width construction needs N >= 1 and M >= 5 (got N = \(n), M = \(m))") }
        let r = target.smoothness
        let p = precision ?? BitExtraction.precision(cells: n, fine: m, smoothness: r, order: 1)
        let nm = n * m
        let wide = Precision(uncheckedBits: 128)
        let f = target.values(at: (0...nm).map { [BigFloat($0, precision: wide).divided(by: BigFloat(nm, precision: wide), precision: wide)] }, precision: wide)
        let residual = BitExtraction.residual(f, cells: n, fine: m, precision: wide)
        let qz = BitExtraction.quantise(residual, cells: n, fine: m, order: 1)
        let codes = qz.digits.map { qz.code.encode($0, precision: p) }

        let b = CircuitBuilder(inputDimension: 1, precision: p)
        b.carryActivation = .relu
        func big(_ v: Double) -> BigFloat { BigFloat(v, precision: p) }
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        let x = b.input(0)
        let delta = big(BitExtraction.zone(cells: n, fine: m, smoothness: r, order: 1))
        let twice = delta.multiplied(by: big(2), precision: p)
        let overDelta = big(1).divided(by: delta, precision: p)
        let fp = f.map { BigFloat($0, precision: p) }
        let slopes = (0..<n).map { fp[($0 + 1) * m].subtracting(fp[$0 * m], precision: p).multiplied(by: big(n), precision: p) }
        let zeros = Array(repeating: big(0), count: n), ones = Array(repeating: big(1), count: n)
        let zc = PlateauAxis.plateauCoefficients(codes, zeros, cells: n, zone: delta)
        let uc = PlateauAxis.plateauCoefficients(zeros, ones, cells: n, zone: delta)
        // f₁'s partial sums are interpolants continued linearly: within max|f| + max|slope|.
        let fBound = (fp.map { abs($0.toDouble()) }.max() ?? 0) + (slopes.map { abs($0.toDouble()) }.max() ?? 0) + 1
        let c1 = big(pow(2, ceil(log2(fBound))))

        // Scan: the accumulators start as the x-terms and constants, then take node c's terms at
        // layer c + 2 (its ramps at layer c + 1, from x carried to layer c).
        var f1 = b.relu(b.combine([(slopes[0], x)], constant: fp[0].adding(c1, precision: p)))   // f₁ + C
        var z = b.relu(b.combine([(zc.x, x)], constant: zc.constant))
        var u = b.relu(b.combine([(uc.x, x)], constant: uc.constant))
        var chi: CircuitBuilder.Form?
        for c in 0...n {
            let here = b.delayed(x, to: c)
            let node = big(c).divided(by: big(n), precision: p)
            func ramp(_ shift: BigFloat) -> CircuitBuilder.Form {
                b.relu(b.combine([(big(1), here)], constant: node.adding(shift, precision: p).negated))
            }
            let minus = ramp(delta.negated), plus = ramp(delta), farMinus = ramp(twice.negated), farPlus = ramp(twice)
            let dip: [(BigFloat, CircuitBuilder.Form)] = [(overDelta.negated, farMinus), (overDelta, minus), (overDelta, plus), (overDelta.negated, farPlus)]
            chi = b.relu(chi.map { b.combine([(big(1), $0)] + dip) } ?? b.combine(dip, constant: big(1)))
            if c >= 1 && c < n {
                let kink = ramp(big(0))
                f1 = b.relu(b.combine([(big(1), f1), (slopes[c].subtracting(slopes[c - 1], precision: p), kink)]))
                z = b.relu(b.combine([(big(1), z), (zc.minus[c], minus), (zc.plus[c], plus)]))
                u = b.relu(b.combine([(big(1), u), (uc.minus[c], minus), (uc.plus[c], plus)]))
            }
        }
        let f1Value = b.combine([(big(1), f1)], constant: c1.negated)
        // The chain starts where the scan ends (for small N it would otherwise overlap it).
        z = b.delayed(z, to: chi!.depth)

        // Chain: as BitExtraction order 1, every carried value through ReLUs; g carried as σ(g + C).
        let cg = big(qz.largest + qz.code.bound + 1)
        var acc = b.constant(cg)   // g + C
        let beta = Double(qz.code.base)
        for j in 0..<m {
            var indicators: [CircuitBuilder.Form] = []
            for c in 1...(2 * qz.code.bound) {
                let hi = b.relu(b.combine([(beta, z)], constant: -Double(2 * c) + 0.75))
                let lo = b.relu(b.combine([(beta, z)], constant: -Double(2 * c) + 0.25))
                indicators.append(b.combine([(2.0, hi), (-2.0, lo)]))
            }
            let rest = b.relu(b.combine([(beta, z)] + indicators.map { (-2.0, $0) }))
            let there = b.delayed(u, to: z.depth)
            let rho = b.combine([(1.0, b.relu(b.combine([(Double(m), there)], constant: -Double(j)))),
                                 (-1.0, b.relu(b.combine([(Double(m), there)], constant: -Double(j + 1))))])
            acc = b.relu(b.combine([(1.0, acc), (1.0, b.digitTimes(indicators, offset: qz.code.bound, rho, bound: 1))]))
            z = rest
        }
        let g = b.combine([(big(1), acc)], constant: cg.negated)
        let output = b.clampedCorrection(f1Value, g, scale: big(qz.quantum), cutoff: chi!,
                                         bound: big(qz.quantum * Double(qz.largest + qz.code.bound + 1)))
        let sparse = try b.network(outputs: [output])
        let bits = qz.code.bits(digits: m)
        var net = try sparse.fullyConnected(width: width, metadata: [
            "construction": "fixed-width", "N": "\(n)", "M": "\(m)", "order": "1", "digit_base": "\(qz.code.base)",
            "bits_per_weight": "\(bits)", "zone": "\(delta.toDouble())", "width": "\(width)", "target": target.summary])
        net.construction = ConstructionFacts(kind: .fixedWidth, cells: n, fineCells: m, zoneHalfWidth: delta.toDouble(), bitsPerWeight: bits)
        return net
    }
}
