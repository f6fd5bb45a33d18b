import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The shallow-phase construction of ReLU^k networks (k ≥ 2; reference notes section 3.7):
/// local Taylor polynomials glued by the B-spline partition of unity, every product exact,
///
///   f̃(x) = Σ_{m ∈ {0..N}^d} φ_m(x) Σ_{|α| ≤ n−1} a_{m,α} y_m(x)^α,
///   φ_m(x) = Π_i Φ_{m_i}(N x_i),  y_m = N x − m,  a_{m,α} = ∂^α f(m/N) / (α! N^|α|),
///
/// where Φ_j(s) = B_k(s − j) for 0 < j < N, and the boundary nodes j = 0, N also take the
/// B-splines centred outside [0, N] that reach into it (so that Σ_j Φ_j = 1 on [0, N]). B_k is
/// the centred B-spline of degree k (``CircuitBuilder/bSpline(_:power:)``), ≥ 0 and supported on
/// |s − j| ≤ R = (k + 1)/2, so f̃ is a convex combination of the local polynomials, each used
/// only within R/N of its node (in the max norm):
///
///   ‖f − f̃‖_∞ ≤ (d R / N)^n / n! · max_{|α| = n} ‖∂^α f‖_∞.
///
/// The products φ_m · y^α and the powers are exact identities of σ_k
/// (``CircuitBuilder/product(_:_:power:)``), so W = O(N^d) with a constant that depends on d,
/// n and k only, the depth does not grow with N, and the error is O(W^(−n/d)) with no log
/// factor: the ReLU construction (``TaylorPartition``) pays O(log N) weights per product and is
/// O((W/ln W)^(−n/d)). The weights depend continuously (linearly) on f: the shallow phase.
public enum SplineTaylorPartition {
    /// The working precision for N cells: the B-splines vanish off their support by cancelling
    /// terms of size N^k, and the products square terms of size N^(n−1); the bits lost there,
    /// summed over the (N + 1)^d nodes, stay ≥ 64 bits below the rounding of the result.
    public static func precision(cells n: Int, degree: Int, power k: Int, dimension d: Int) -> Precision {
        let logN = Int(log2(Double(n + 2)).rounded(.up))
        return Precision(uncheckedBits: Precision.Margin.output + (Swift.max(k, 2 * degree) + d + degree + 2) * logN)
    }

    /// The bound (d R/N)^n/n! · `derivativeBound` of the type comment, R = (k + 1)/2, n =
    /// degree + 1, for a target whose n-th partial derivatives are bounded by `derivativeBound`.
    public static func errorBound(cells n: Int, degree: Int, power k: Int, dimension d: Int, derivativeBound: Double) -> Double {
        let order = degree + 1
        let radius = Double(d) * Double(k + 1) / 2 / Double(n)
        return pow(radius, Double(order)) / Double(factorial(order)) * derivativeBound
    }

    /// The network for `target` on N = `cells` cells per axis, local polynomials of total degree
    /// `degree` (n − 1), units σ_k with k = `power` ≥ 2. Supports d = 1, 2, 3.
    public static func network(_ target: Target, cells n: Int, degree: Int, power k: Int, precision: Precision) throws -> Network {
        let d = target.dimension
        guard (1...3).contains(d) else { throw ConstructionError.dimension("taylor supports d = 1, 2 or 3, not d = \(d)") }
        guard n >= 1 else { throw ConstructionError.parameter("taylor needs N >= 1 cells, not \(n)") }
        guard (0...8).contains(degree) else { throw ConstructionError.parameter("--degree \(degree) is not allowed: use 0...8") }
        guard (2...8).contains(k) else { throw ConstructionError.parameter("relu^\(k) is not allowed here: use k = 2...8") }
        let b = CircuitBuilder(inputDimension: d, precision: precision)
        let reach = k / 2   // the B-splines centred at −1 … −reach (and N + 1 … N + reach) reach into [0, N]

        // Per axis: s = N x_i, the factor Φ_j(s) for each node j, and the powers (s − j)^e.
        var factors: [[Form?]] = Array(repeating: Array(repeating: nil, count: n + 1), count: d)
        var powers: [[[Form]]] = Array(repeating: Array(repeating: [], count: n + 1), count: d)
        func shifted(_ i: Int, _ j: Int) -> Form { b.combine([(Double(n), b.input(i))], constant: -Double(j)) }
        func factor(_ i: Int, _ j: Int) -> Form {
            if let f = factors[i][j] { return f }
            var centres = [j]
            if j == 0 { centres += (1...reach).map { -$0 } }
            if j == n { centres += (1...reach).map { n + $0 } }
            let f = b.combine(centres.map { (1.0, b.bSpline(shifted(i, $0), power: k)) })
            factors[i][j] = f
            return f
        }
        func power(_ i: Int, _ j: Int, _ e: Int) -> Form {
            if powers[i][j].isEmpty { powers[i][j] = [shifted(i, j)] }
            while powers[i][j].count < e {
                let next = powers[i][j].count + 1
                powers[i][j].append(next % 2 == 0 ? b.square(powers[i][j][next / 2 - 1], power: k)
                                                  : b.product(powers[i][j][next - 2], powers[i][j][0], power: k))
            }
            return powers[i][j][e - 1]
        }

        let output = try LocalTaylor.terms(target, cells: n, degree: degree, precision: precision,
                                           factor: factor, power: power, multiply: { b.product($0, $1, power: k) })
        return try b.network(outputs: [b.combine(output)],
                             metadata: ["construction": "taylor", "activation": "relu^\(k)", "N": "\(n)", "degree": "\(degree)",
                                        "partition": "B-spline", "target": target.summary],
                             construction: ConstructionFacts(kind: .taylor, cells: n, partition: .bSpline, reluPower: k))
    }

    typealias Form = CircuitBuilder.Form
}
