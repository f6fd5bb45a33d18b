import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// A sine-and-ReLU network that looks up local Taylor coefficients (reference notes section
/// 3.9: "deep Fourier expansion", lookups by dichotomy). For K = 2^k cells, Taylor degree n and
/// B bits per table entry, on two grids (cells [i/K, (i+1)/K) and the same shifted by half a
/// cell):
///
/// 1. **Index by dichotomy**: the bits of i = ⌊Kx⌋ (most significant first) by exact ReLU steps
///    σ(16v + 1) − σ(16v), and with them X = 2^(−B i), built by k exact ReLU products
///    X ← X − (1 − 2^(−B 2^(k−l))) σ(X − 1 + b_l). The remainder y = Kx − i − ½ is the local
///    coordinate.
/// 2. **Lookup**: for each j ≤ n, one sine unit sin(w_j X) with one weight
///    w_j = 2π Σ_i Φ_{j,i} 2^(B(i−1)), where Φ_{j,i} is the B-bit rounding of
///    2^B·(arcsin(a_{j,i}/A_j)/(2π) mod 1) and a_{j,i} = f^(j)(c_i)/(j! K^j) the coefficient of
///    y^j at the cell's centre. For X = 2^(−Bi) the table entries above i are whole turns and those
///    below shift the phase by less than 2^(−B): sin(w_j X) = a_{j,i}/A_j within 4π 2^(−B). The
///    whole table sits in one weight of about K·B bits (the shattering identity, B bits at a time).
/// 3. **Horner** in y with products of two variables from sines,
///    p·q = (sin(δ(p − q) + π/2) − sin(δ(p + q) + π/2)) / (2δ²) to relative δ²(p² + q²)/6,
///    δ = 2^(−70).
/// 4. **Blend**: w_A = clamp(2 g_(k+1)(x) − ½, 0, 1) from Yarotsky's sawtooth g_(k+1)(x) =
///    2 dist(Kx, ℤ), F = F_B + w_A (F_A − F_B): each grid is used only at least 1/(8K) from its own
///    cell boundaries, where its bits are exact (the step windows are 1/16 of a cell).
///
/// Error: the Taylor remainder of degree n on half a cell, (1/(2K))^(n+1) max|f^(n+1)|/(n+1)!,
/// plus the tables' 2^(−B) and the products' 2^(−140). The number of weights grows like n + k,
/// not like K: for an analytic f at fixed K the error falls like exp(−c W) (β = 1; a Hölder
/// class would need K ~ ε^(−1/r) cells and tables of that many entries in one weight).
/// The working precision holds the tables: B(2K + 1) + 256 bits.
public enum SineLookup: SearchHinted {
    /// The kind its networks' facts carry.
    public static let name = ConstructionFacts.Kind.sineLookup.rawValue
    /// A sine lookup is analytic inside each of its K cells (blended near their edges): the
    /// sampling spacing 1/(8K).
    public static func searchHints(_ facts: ConstructionFacts, dimension: Int) -> SearchHints {
        guard let k = facts.lookupCells else { return .none }
        return SearchHints(samplingSpacing: 1 / Double(8 * k), sinePrecision: facts.sineResultBits.map(Precision.init(uncheckedBits:)))
    }

    /// The bits of each sine result the error analysis needs for B = `bits` per table entry:
    /// B (a lookup's result carries the entry to 2^−B), 140 (the product gadget divides a
    /// difference of two sines by 2δ² = 2^−139) and 128 to spare: a sine rounded there moves the
    /// output by at most about 2^−(B + 128), far below the table's own 4π·2^−B.
    public static func resultBits(bits: Int) -> Int { bits + 140 + 128 }

    /// The working precision for K = 2^`levels` cells and `bits` per entry.
    public static func precision(levels k: Int, bits: Int) -> Precision {
        Precision(uncheckedBits: bits * (2 * (1 << k) + 1) + Precision.Margin.exactSums)
    }

    /// The bound (1/(2K))^(n+1) · `derivativeBound`/(n + 1)! on the Taylor part.
    public static func taylorBound(levels k: Int, degree n: Int, derivativeBound: Double) -> Double {
        var v = derivativeBound
        for j in 1...(n + 1) { v *= 1 / (2 * Double(1 << k)) / Double(j) }
        return v
    }

    /// The network for `target` (d = 1) with K = 2^`levels` cells, local polynomials of degree
    /// `degree` and `bits` bits per table entry.
    public static func network(_ target: Target, levels k: Int, degree n: Int, bits: Int, precision: Precision? = nil) throws -> Network {
        guard target.dimension == 1 else { throw ConstructionError.dimension("the sine lookup needs d = 1, not d = \(target.dimension)") }
        guard (1...12).contains(k) else { throw ConstructionError.parameter("--levels \(k) is not allowed: use 1...12 (K = 2^levels cells)") }
        guard (0...60).contains(n) else { throw ConstructionError.parameter("--degree \(n) is not allowed: use 0...60") }
        guard (16...4096).contains(bits) else { throw ConstructionError.parameter("--bits \(bits) is not allowed: use 16...4096") }
        let p = precision ?? self.precision(levels: k, bits: bits)
        let b = CircuitBuilder(inputDimension: 1, precision: p)
        let cells = 1 << k
        func big(_ v: Double) -> BigFloat { BigFloat(v, precision: p) }
        let x = b.input(0)
        let pi = BigFloat.pi(precision: p)
        let halfPi = pi.scaled(byPowerOfTwo: -1), twoPi = pi.scaled(byPowerOfTwo: 1)
        let delta = big(0x1p-70)
        let productScale = BigFloat(1, precision: p).divided(by: delta.multiplied(by: delta, precision: p).scaled(byPowerOfTwo: 1), precision: p)

        /// p·q from two sine units.
        func product(_ u: CircuitBuilder.Form, _ v: CircuitBuilder.Form) -> CircuitBuilder.Form {
            let minus = b.unit(.sine, b.combine([(delta, u), (delta.negated, v)], constant: halfPi))
            let plus = b.unit(.sine, b.combine([(delta, u), (delta, v)], constant: halfPi))
            return b.combine([(productScale, minus), (productScale.negated, plus)])
        }
        func step(_ v: CircuitBuilder.Form) -> CircuitBuilder.Form {
            b.combine([(1.0, b.relu(b.combine([(16.0, v)], constant: 1))), (-1.0, b.relu(b.combine([(16.0, v)])))])
        }

        /// F on the grid with cells [(i − shift)/K, (i + 1 − shift)/K), shift = 0 or ½.
        func grid(shifted: Bool) throws -> CircuitBuilder.Form {
            let levels = shifted ? k + 1 : k
            var t = b.combine([(Double(cells), x)], constant: shifted ? 0.5 : 0)
            var power = b.constant(big(1))
            for l in 1...levels {
                let threshold = 1 << (levels - l)
                let bit = step(b.combine([(1.0, t)], constant: -Double(threshold)))
                t = b.unit(.identity, b.combine([(1.0, t), (-Double(threshold), bit)]))
                let factor = BigFloat(1, precision: p).subtracting(BigFloat(1, precision: p).scaled(byPowerOfTwo: -bits * threshold), precision: p)
                power = b.unit(.identity, b.combine([(big(1), power), (factor.negated, b.relu(b.combine([(1.0, power), (1.0, bit)], constant: -1)))]))
            }
            let y = b.combine([(1.0, t)], constant: -0.5)
            // Taylor coefficients of y^j at the centres (i + ½ − shift)/K of the cells that meet [0, 1].
            let used = shifted ? cells + 1 : cells
            let centres = (0..<used).map { i in [BigFloat(2 * i + (shifted ? 0 : 1), precision: p).divided(by: BigFloat(2 * cells, precision: p), precision: p)] }
            let jets = target.taylorCoefficients(at: centres, degree: n, precision: p)
            if let bad = jets.firstIndex(where: { !$0.isFinite }) {
                throw ConstructionError.target("the target has no Taylor expansion of degree \(n) at x = \(centres[bad][0].toDouble()); use a lower --degree")
            }
            // One weight per coefficient table: w_j = 2π Σ_i Φ_{j,i} 2^(B(i−1)), and its scale A_j.
            var tables: [(w: BigFloat, scale: BigFloat)] = []
            for j in 0...n {
                let scaleK = BigFloat(cells, precision: p).pow(j, precision: p)
                let a = jets.map { $0.coefficients[j].divided(by: scaleK, precision: p) }
                let largest = a.map { abs($0.toDouble()) }.max() ?? 0
                let scale = big(largest > 0 ? pow(2, ceil(log2(largest)) + 1) : 1)   // |a/A| ≤ ½
                var v = BigFloat(0, precision: p)
                for (i, ai) in a.enumerated() {
                    var phase = ai.divided(by: scale, precision: p).arcsin(precision: p).divided(by: twoPi, precision: p)
                    if phase.signum < 0 { phase = phase.adding(big(1), precision: p) }
                    let numerator = phase.scaled(byPowerOfTwo: bits).adding(big(0.5), precision: p).floor(precision: p)
                    v = v.adding(numerator.scaled(byPowerOfTwo: bits * (i - 1)), precision: p)
                }
                tables.append((twoPi.multiplied(by: v, precision: p), scale))
            }
            // Each lookup is made just in time, next to the Horner step that uses it: only X and
            // y are carried along the depth, so W grows like n, not n².
            func lookup(_ j: Int, at layer: Int) -> CircuitBuilder.Form {
                b.combine([(tables[j].scale, b.unit(.sine, b.combine([(tables[j].w, b.delayed(power, to: layer))])))])
            }
            var value = lookup(n, at: power.depth)
            for j in stride(from: n - 1, through: 0, by: -1) {
                value = b.combine([(1.0, product(value, y)), (1.0, lookup(j, at: value.depth))])
            }
            return value
        }

        let fa = try grid(shifted: false), fb = try grid(shifted: true)
        // w_A = clamp(2 g − ½, 0, 1), g = g_(k+1)(x) = 2 dist(Kx, ℤ) (k + 1 teeth).
        var g = x
        for _ in 0...k {
            g = b.combine([(2.0, b.relu(g)), (-4.0, b.relu(b.combine([(1.0, g)], constant: -0.5))), (2.0, b.relu(b.combine([(1.0, g)], constant: -1)))])
        }
        let v = b.combine([(2.0, g)], constant: -0.5)
        let weightA = b.combine([(1.0, b.relu(v)), (-1.0, b.relu(b.combine([(1.0, v)], constant: -1)))])
        let output = b.combine([(1.0, fb), (1.0, product(weightA, b.combine([(1.0, fa), (-1.0, fb)])))])
        return try b.network(outputs: [output], metadata: [
            "construction": "sine-lookup", "K": "\(cells)", "levels": "\(k)", "degree": "\(n)", "bits": "\(bits)",
            "target": target.summary],
            construction: ConstructionFacts(kind: .sineLookup, lookupCells: cells, sineResultBits: resultBits(bits: bits)))
    }
}
