import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule
/// The continuous selection of the deep constructions along one input axis: ReLU ramps at the
/// coarse nodes c/N ± δ and ± 2δ, and from them the functions that are exact on the plateaus
/// [c/N + δ, (c+1)/N − δ] and linear across the zones between (reference notes section 3.5,
/// "Selection"). All are affine combinations of one layer of units.
struct PlateauAxis {
    let builder: CircuitBuilder
    let x: CircuitBuilder.Form
    let cells: Int
    let delta: BigFloat
    /// σ(x − c/N + δ), σ(x − c/N − δ), σ(x − c/N + 2δ), σ(x − c/N − 2δ) for c = 0 … N.
    let minus: [CircuitBuilder.Form], plus: [CircuitBuilder.Form]
    let farMinus: [CircuitBuilder.Form], farPlus: [CircuitBuilder.Form]

    init(_ b: CircuitBuilder, _ x: CircuitBuilder.Form, cells n: Int, zone delta: BigFloat) {
        builder = b; self.x = x; cells = n; self.delta = delta
        let p = b.precision
        func ramp(_ c: Int, _ shift: BigFloat) -> CircuitBuilder.Form {
            let node = BigFloat(c, precision: p).divided(by: BigFloat(n, precision: p), precision: p)
            return b.relu(b.combine([(BigFloat(1, precision: p), x)], constant: node.adding(shift, precision: p).negated))
        }
        let twice = delta.multiplied(by: BigFloat(2, precision: p), precision: p)
        minus = (0...n).map { ramp($0, delta.negated) }
        plus = (0...n).map { ramp($0, delta) }
        farMinus = (0...n).map { ramp($0, twice.negated) }
        farPlus = (0...n).map { ramp($0, twice) }
    }

    var p: Precision { builder.precision }
    func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }

    /// The function equal to a_c + b_c (Nx − c) on plateau c and linear across each zone.
    func plateau(_ a: [BigFloat], _ slope: [BigFloat]) -> CircuitBuilder.Form {
        let c = PlateauAxis.plateauCoefficients(a, slope, cells: cells, zone: delta)
        var parts: [(BigFloat, CircuitBuilder.Form)] = [(c.x, x)]
        for node in 1..<cells { parts += [(c.minus[node], minus[node]), (c.plus[node], plus[node])] }
        return builder.combine(parts, constant: c.constant)
    }

    /// The plateau function a_c + b_c (Nx − c) as constant + x-coefficient·x + Σ_node
    /// (minus[node]·σ(x − node/N + δ) + plus[node]·σ(x − node/N − δ)), nodes 1 … N − 1 (entries
    /// 0 and N are zero): across each zone the function runs linearly from the end of one
    /// plateau to the start of the next.
    static func plateauCoefficients(_ a: [BigFloat], _ slope: [BigFloat], cells n: Int, zone delta: BigFloat)
        -> (constant: BigFloat, x: BigFloat, minus: [BigFloat], plus: [BigFloat]) {
        let p = delta.precision
        func big(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        let twice = delta.multiplied(by: big(2), precision: p)
        let nb = slope.map { $0.multiplied(by: big(n), precision: p) }
        let nd = big(n).multiplied(by: delta, precision: p)
        var minus = Array(repeating: big(0), count: n + 1), plus = minus
        for c in 1..<n {
            let left = a[c - 1].adding(slope[c - 1].multiplied(by: big(1).subtracting(nd, precision: p), precision: p), precision: p)
            let right = a[c].adding(slope[c].multiplied(by: nd, precision: p), precision: p)
            let zoneSlope = right.subtracting(left, precision: p).divided(by: twice, precision: p)
            minus[c] = zoneSlope.subtracting(nb[c - 1], precision: p)
            plus[c] = nb[c].subtracting(zoneSlope, precision: p)
        }
        return (a[0], nb[0], minus, plus)
    }

    /// 1 on plateau c, 0 on every other plateau and beyond the zones next to it; in [0, 1].
    func indicator(_ c: Int) -> CircuitBuilder.Form {
        let inverse = big(1).divided(by: delta.multiplied(by: big(2), precision: p), precision: p)
        var parts: [(BigFloat, CircuitBuilder.Form)] = []
        var constant = big(0)
        // ramp_k = (σ(x − k/N + δ) − σ(x − k/N − δ))/(2δ), with ramp_0 ≡ 1 and ramp_N ≡ 0.
        if c == 0 { constant = big(1) } else { parts += [(inverse, minus[c]), (inverse.negated, plus[c])] }
        if c + 1 < cells { parts += [(inverse.negated, minus[c + 1]), (inverse, plus[c + 1])] }
        return builder.combine(parts, constant: constant)
    }

    /// The cut-off: 0 within δ of every coarse node (the ends included), 1 beyond 2δ, linear between.
    var cutoff: CircuitBuilder.Form {
        let overDelta = big(1).divided(by: delta, precision: p)
        var parts: [(BigFloat, CircuitBuilder.Form)] = []
        for c in 0...cells {
            parts += [(overDelta.negated, farMinus[c]), (overDelta, minus[c]), (overDelta, plus[c]), (overDelta.negated, farPlus[c])]
        }
        return builder.combine(parts, constant: big(1))
    }
}

extension CircuitBuilder {
    /// f₁ + clamp(c, −a, a) with a = bound·χ ≥ 0, as a − σ(2a − σ(c + a)) (reference notes
    /// section 5 item 6): the correction of the deep constructions, exactly 0 where χ = 0.
    func clampedCorrection(_ f1: Form, _ c: Form, scale: BigFloat, cutoff chi: Form, bound: BigFloat) -> Form {
        let cPlusA = relu(combine([(scale, c), (bound, chi)]))
        let v = relu(combine([(bound.multiplied(by: number(2), precision: precision), chi), (number(-1), cPlusA)]))
        return combine([(number(1), f1), (bound, chi), (number(-1), v)])
    }
}
