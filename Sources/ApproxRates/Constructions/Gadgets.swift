import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule
/// Yarotsky's gadgets (Yarotsky 2017, section 3; reference notes sections 3.2 to 3.4) as circuit
/// pieces. Every weight and bias they write is a small dyadic or integer, exact at any precision
/// ≥ 64 bits, so the only rounding in a gadget is that of the evaluation itself.
extension CircuitBuilder {
    /// |u| = σ(u) + σ(−u): 2 units, one layer.
    public func abs(_ u: Form) -> Form {
        combine([(1.0, relu(u)), (1.0, relu(combine([(-1.0, u)])))])
    }

    /// clamp(u, −1, 1) = σ(u + 1) − σ(u − 1) − 1: 2 units, one layer.
    public func clampUnit(_ u: Form) -> Form {
        combine([(1.0, relu(combine([(1.0, u)], constant: 1))), (-1.0, relu(combine([(1.0, u)], constant: -1)))], constant: -1)
    }

    /// clamp(scale·u − shift, 0, 1) = σ(scale·u − shift) − σ(scale·u − shift − 1): the unit ramp
    /// that rises over scale·u ∈ [shift, shift + 1]; 2 units, one layer. With scale = M and u a
    /// coordinate of the cell, it is the fine-node ramp of the 2-D digit chains.
    public func ramp(_ u: Form, scale: Double, shift: Int) -> Form {
        combine([(1.0, relu(combine([(scale, u)], constant: -Double(shift)))),
                 (-1.0, relu(combine([(scale, u)], constant: -Double(shift + 1))))])
    }

    /// f_m(u) = u − Σ_{s=1..m} g_s(u)/4^s for u ∈ [0, 1] (Yarotsky's squaring, m ≥ 1): the
    /// piecewise-linear interpolant of u² at the nodes k/2^m, within 2^(−2m−2) of u².
    /// Accumulator design: level s has σ(g_{s−1}), σ(g_{s−1} − 1/2) and σ(f_{s−1}) (f ≥ 0 on
    /// [0, 1], so the ReLU passes it unchanged; at level 1, σ(u) serves as both). Depth m.
    public func square(_ u: Form, m: Int) -> Form {
        precondition(m >= 1 && m < 500)
        var a = relu(u)
        var b = relu(combine([(1.0, u)], constant: -0.5))
        var g = combine([(2.0, a), (-4.0, b)])
        var f = combine([(1.0, a), (-0.25, g)])
        if m >= 2 {
            for s in 2...m {
                a = relu(g)
                b = relu(combine([(1.0, g)], constant: -0.5))
                let c = relu(f)
                g = combine([(2.0, a), (-4.0, b)])
                f = combine([(1.0, c), (-Double(sign: .plus, exponent: -2 * s, significand: 1), g)])
            }
        }
        return f
    }

    /// ×̃(x, y) = 2M² [f_m(|x + y|/(2M)) − f_m(|x|/(2M)) − f_m(|y|/(2M))] for |x|, |y| ≤ M:
    /// |×̃ − xy| ≤ M² 2^(−2m), ×̃(0, y) = ×̃(x, 0) = 0 (Yarotsky 2017, Proposition 3, with the
    /// tight bound of reference notes section 3.3). `scale` is M; a power of two keeps the
    /// weights exact.
    public func multiply(_ x: Form, _ y: Form, bound scale: Double = 1, m: Int) -> Form {
        let inverse = 1 / (2 * scale)
        let s = square(combine([(inverse, abs(combine([(1.0, x), (1.0, y)])))]), m: m)
        let sx = square(combine([(inverse, abs(x))]), m: m)
        let sy = square(combine([(inverse, abs(y))]), m: m)
        let c = 2 * scale * scale
        return combine([(c, s), (-c, sx), (-c, sy)])
    }

    /// The trapezoid ψ(t) = σ(t + 2) − σ(t + 1) − σ(t − 1) + σ(t − 2): 1 on |t| ≤ 1, 0 on
    /// |t| ≥ 2, linear between. Written as σ(2 − |t|) − σ(1 − |t|), which is the same function
    /// and is exactly 0 (not a cancellation) off its support: 4 units, two layers.
    public func trapezoid(_ t: Form) -> Form {
        let a = abs(t)
        return combine([(1.0, relu(combine([(-1.0, a)], constant: 2))), (-1.0, relu(combine([(-1.0, a)], constant: 1)))])
    }

    /// min(a, c) = a − σ(a − c): one ReLU unit, exact.
    public func minimum(_ a: Form, _ c: Form) -> Form {
        combine([(1.0, a), (-1.0, relu(combine([(1.0, a), (-1.0, c)])))])
    }
}
