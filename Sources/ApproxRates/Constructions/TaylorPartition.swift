import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// Yarotsky's Theorem 1 construction (Yarotsky 2017; reference notes section 3.4): local Taylor
/// polynomials glued by a partition of unity, every product computed by the multiplication
/// gadget:
///
///   f̃(x) = Σ_{m ∈ {0..N}^d} Σ_{|α| ≤ n−1} a_{m,α} ×̃(φ_m(x), y_m(x)^α),
///   φ_m(x) = Π_k ψ(3N x_k − 3m_k),  y_m = clamp(N x − m, −1, 1),  a_{m,α} = ∂^α f(m/N) / (α! N^|α|).
///
/// The trapezoids ψ sum to 1 on [0, 1]; on the support of φ_m, |x_k − m_k/N| < 2/(3N), so
/// y_m ∈ (−2/3, 2/3) and every factor is bounded by 1 (M = 1 in the gadgets). Only the output
/// layer depends on f, and linearly: the weights are continuous in f (the shallow phase).
/// The Taylor part is within 2^d d^n N^(−n)/n! of f for ‖f‖_{W^{n,∞}} ≤ 1 and every
/// multiplication within 2^(−2m) (m the squaring depth); W = O(N^d log N), so
/// error ≍ (W/ln W)^(−n/d).
public enum TaylorPartition {
    /// The default squaring depth for N cells and polynomial degree n − 1: ⌈(n/2) log₂ N⌉ + 2,
    /// which puts the multiplication error 2^(−2m) a factor ≥ 16 below N^(−n).
    public static func defaultSquaringDepth(cells: Int, degree: Int) -> Int {
        Swift.max(1, Int((Double(degree + 1) / 2 * log2(Double(Swift.max(cells, 1)))).rounded(.up)) + 2)
    }

    /// The network for `target` on N = `cells` cells per axis with local polynomials of total
    /// degree `degree` (n − 1) and squaring depth `squaringDepth` (default above). Coefficients
    /// come from the target's automatic Taylor expansion at `precision`. Supports d = 1, 2, 3.
    public static func network(_ target: Target, cells n: Int, degree: Int, squaringDepth: Int? = nil,
                               precision: Precision) throws -> Network {
        let d = target.dimension
        guard (1...3).contains(d) else { throw ConstructionError.dimension("taylor supports d = 1, 2 or 3, not d = \(d)") }
        guard n >= 1 else { throw ConstructionError.parameter("taylor needs N >= 1 cells, not \(n)") }
        guard (0...8).contains(degree) else { throw ConstructionError.parameter("--degree \(degree) is not allowed: use 0...8") }
        let m = squaringDepth ?? defaultSquaringDepth(cells: n, degree: degree)
        guard (1...200).contains(m) else { throw ConstructionError.parameter("squaring depth \(m) is not allowed: use 1...200") }
        let b = CircuitBuilder(inputDimension: d, precision: precision)
        let three = Double(3 * n)

        // Per coordinate and grid index: ψ(3N x_k − 3j), y = clamp(N x_k − j), and powers y^e.
        var psi: [[Form?]] = Array(repeating: Array(repeating: nil, count: n + 1), count: d)
        var powers: [[[Form]]] = Array(repeating: Array(repeating: [], count: n + 1), count: d)
        func factor(_ k: Int, _ j: Int) -> Form {
            if let f = psi[k][j] { return f }
            let f = b.trapezoid(b.combine([(three, b.input(k))], constant: -Double(3 * j)))
            psi[k][j] = f
            return f
        }
        func power(_ k: Int, _ j: Int, _ e: Int) -> Form {
            if powers[k][j].isEmpty {
                powers[k][j] = [b.clampUnit(b.combine([(Double(n), b.input(k))], constant: -Double(j)))]
            }
            while powers[k][j].count < e {
                powers[k][j].append(b.multiply(powers[k][j].last!, powers[k][j][0], m: m))
            }
            return powers[k][j][e - 1]
        }

        let output = try LocalTaylor.terms(target, cells: n, degree: degree, precision: precision,
                                           factor: factor, power: power, multiply: { b.multiply($0, $1, m: m) })
        return try b.network(outputs: [b.combine(output)],
                             metadata: ["construction": "taylor", "N": "\(n)", "degree": "\(degree)",
                                        "squaring_depth": "\(m)", "target": target.summary],
                             construction: ConstructionFacts(kind: .taylor, cells: n, partition: .trapezoid))
    }

    typealias Form = CircuitBuilder.Form
}
