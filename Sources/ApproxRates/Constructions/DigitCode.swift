import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The gapped positional code that packs a string of bounded digits into one weight
/// (reference notes sections 3.5 and 5 item 7).
///
/// A digit s ∈ {−K, …, K} is written as the even symbol 2(s + K) in base β = 4K + 1, so that
/// z = Σ_j 2(s_j + K) β^(−j−1) gives βz ∈ [2a, 2a + 1] for the leading symbol a = s + K: the
/// symbol classes are separated by gaps of width 1, and two ReLU ramps placed inside each gap,
/// e_c = 2σ(βz − 2c + 3/4) − 2σ(βz − 2c + 1/4) for c = 1 … 2K, are exactly 0 or 1 whatever the
/// tail of the code is. Then a = Σ_c e_c and the rest of the code is βz − 2a. K = 1 is the base-5
/// code with symbols {0, 2, 4} of the team's prototype.
///
/// Exactness needs every code rounded to at least ``bits(digits:)`` bits plus the slack of the
/// evaluation (each step multiplies the rounding error by β); below that, the digits past about
/// precision/log₂β come out wrong (the breakdown measured in section 4 of the notes).
public struct DigitCode: Sendable, Equatable {
    /// Largest digit magnitude K ≥ 1.
    public let bound: Int

    /// The code for digits in {−`bound`, …, `bound`}.
    public init(bound: Int) {
        precondition(bound >= 1, "a digit code needs K >= 1")
        self.bound = bound
    }

    /// The base β = 4K + 1.
    public var base: Int { 4 * bound + 1 }

    /// log₂β: bits one digit costs.
    public var bitsPerDigit: Double { log2(Double(base)) }

    /// Bits of a code of `n` digits: ⌈n log₂β⌉, the significand length that holds it exactly.
    public func bits(digits n: Int) -> Int { Int((Double(n) * bitsPerDigit).rounded(.up)) }

    /// z = Σ_j 2(s_j + K) β^(−j−1), exact (computed as an integer over β^n), then rounded once to
    /// `precision`. Digits outside {−K, …, K} are a programming error.
    public func encode(_ digits: [Int], precision: Precision) -> BigFloat {
        let exact = Precision(uncheckedBits: bits(digits: digits.count) + Precision.Margin.selection)
        let b = BigFloat(base, precision: exact)
        var numerator = BigFloat(0, precision: exact)
        for s in digits {
            precondition(abs(s) <= bound, "digit \(s) outside -\(bound)...\(bound)")
            numerator = numerator.multiplied(by: b, precision: exact).adding(BigFloat(2 * (s + bound), precision: exact), precision: exact)
        }
        return numerator.divided(by: b.pow(digits.count, precision: exact), precision: precision)
    }

    /// The digits of `code` read back by the same arithmetic the network does (at the code's own
    /// precision): each step the symbol is the number of gap thresholds passed, then z ← βz − 2a.
    /// The reference for the extraction chain; wrong digits past the precision are returned as
    /// they come out.
    public func decode(_ code: BigFloat, count: Int) -> [Int] {
        let p = code.precision
        var z = code
        var digits: [Int] = []
        let b = BigFloat(base, precision: p)
        for _ in 0..<count {
            let t = z.multiplied(by: b, precision: p)
            var a = 0
            for c in 1...(2 * bound) {
                let hi = t.subtracting(BigFloat(2 * c, precision: p), precision: p).adding(BigFloat(0.75, precision: p), precision: p)
                let lo = t.subtracting(BigFloat(2 * c, precision: p), precision: p).adding(BigFloat(0.25, precision: p), precision: p)
                let e = 2 * (Swift.max(0, hi.toDouble()) - Swift.max(0, lo.toDouble()))
                if e >= 0.5 { a += 1 }
            }
            digits.append(a - bound)
            z = t.subtracting(BigFloat(2 * a, precision: p), precision: p)
        }
        return digits
    }
}

extension CircuitBuilder {
    /// One step of the extraction chain for `code`: the gap indicators e_c (c = 1 … 2K, each
    /// exactly 0 or 1, as forms over 2 units each) and the rest of the code, βz − 2Σe_c (one
    /// identity unit). The digit is Σ_c e_c − K. One layer for the indicators, one for the rest.
    public func extractDigit(_ z: Form, code: DigitCode) -> (indicators: [Form], rest: Form) {
        let beta = Double(code.base)
        var indicators: [Form] = []
        for c in 1...(2 * code.bound) {
            let hi = relu(combine([(beta, z)], constant: -Double(2 * c) + 0.75))
            let lo = relu(combine([(beta, z)], constant: -Double(2 * c) + 0.25))
            indicators.append(combine([(2.0, hi), (-2.0, lo)]))
        }
        let rest = unit(.identity, combine([(beta, z)] + indicators.map { (-2.0, $0) }))
        return (indicators, rest)
    }

    /// s·T for a digit s = Σ_c e_c − K given by its indicators e_c ∈ {0, 1} and a value
    /// T ∈ [0, `bound`]: Σ_c σ(T + B e_c − B) − K T, exact (σ(T + B e − B) = eT for e ∈ {0, 1},
    /// 0 ≤ T ≤ B; reference notes section 5 item 6). One unit per indicator.
    public func digitTimes(_ indicators: [Form], offset k: Int, _ t: Form, bound: Double) -> Form {
        var parts: [(Double, Form)] = indicators.map { e in (1.0, relu(combine([(1.0, t), (bound, e)], constant: -bound))) }
        parts.append((-Double(k), t))
        return combine(parts)
    }

    /// The form re-expressed on units of layer `layer` (carried there by shared identity
    /// units), so that a unit reading it is placed at layer + 1: used to compute a value just in
    /// time for a deep chain instead of early and carried as many separate values.
    public func delayed(_ form: Form, to layer: Int) -> Form {
        var terms: [Node: BigFloat] = [:]
        for (node, w) in form.sortedTerms {
            let moved = node.layer >= layer ? node : carry(node, to: layer)
            terms[moved] = terms[moved].map { $0.adding(w, precision: precision) } ?? w
        }
        return Form(terms: terms, constant: form.constant)
    }
}
