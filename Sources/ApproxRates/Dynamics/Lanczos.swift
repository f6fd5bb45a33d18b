import CBLAS
import Foundation
import PrecisionModule
import FileIOModule

/// The largest (most positive) eigenvalue of a symmetric operator given only by its products H·v:
/// the sharpness of a loss.
public struct TopEigenvalue: Sendable, Codable {
    /// The largest Ritz value θ (an estimate of λ_max from below in exact arithmetic).
    public let value: Double
    /// ‖H y − θ y‖ / |θ| for the unit Ritz vector y, measured with one extra product.
    public let residual: Double
    /// Products H·v used, the residual's included.
    public let products: Int
    /// The Ritz vector y (unit length): the warm start of the next estimate.
    public let vector: [Double]
}

/// Lanczos iteration with full reorthogonalisation for the top eigenvalue.
///
/// Unlike power iteration, which finds the eigenvalue of largest *magnitude* (a large negative
/// curvature during a catapult), Lanczos returns the most positive Ritz value. Iterates until the
/// Lanczos residual bound β_j |s_j| / |θ| falls below `tolerance` or `maximumSteps` products,
/// then measures the true residual with one more product.
public enum Lanczos {
    /// The top eigenvalue of the n-dimensional operator `apply` (apply(v, out) writes H·v),
    /// starting from `start` (any nonzero vector; a previous Ritz vector to warm-start).
    public static func top(dimension n: Int, start: [Double], maximumSteps: Int = 20, tolerance: Double = 1e-6,
                           apply: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void) -> TopEigenvalue {
        precondition(start.count == n && n >= 1)
        let steps = Swift.max(1, Swift.min(maximumSteps, n))
        var basis: [[Double]] = []
        var alpha: [Double] = [], beta: [Double] = []
        var q = start
        var norm = (q.reduce(0) { $0 + $1 * $1 }).squareRoot()
        if !(norm > 0) || !norm.isFinite { q = [Double](repeating: 0, count: n); q[0] = 1; norm = 1 }
        for i in 0..<n { q[i] /= norm }
        var w = [Double](repeating: 0, count: n)
        var products = 0
        var best = (value: 0.0, coefficients: [1.0])
        while basis.count < steps {
            basis.append(q)
            q.withUnsafeBufferPointer { qp in w.withUnsafeMutableBufferPointer { wp in apply(qp.baseAddress!, wp.baseAddress!) } }
            products += 1
            let j = basis.count - 1
            let a = dot(w, basis[j])
            alpha.append(a)
            // Full reorthogonalisation, twice (Kahan's "twice is enough").
            for _ in 0..<2 { for b in basis { cblas_daxpy(Int32(n), -dot(w, b), b, 1, &w, 1) } }
            let bnorm = dot(w, w).squareRoot()
            // The j+1 × j+1 tridiagonal T.
            let m = alpha.count
            var t = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
            for i in 0..<m { t[i][i] = alpha[i]; if i + 1 < m { t[i][i + 1] = beta[i]; t[i + 1][i] = beta[i] } }
            let e = SymmetricEigen(t)
            best = (e.values[0], e.vectors[0])
            let bound = bnorm * Swift.abs(e.vectors[0][m - 1]) / Swift.max(Swift.abs(e.values[0]), Double.leastNormalMagnitude)
            if bound < tolerance || bnorm <= 1e-14 * Swift.max(Swift.abs(e.values[0]), 1e-300) { break }
            beta.append(bnorm)
            q = w.map { $0 / bnorm }
        }
        var y = [Double](repeating: 0, count: n)
        for (c, b) in zip(best.coefficients, basis) { for i in 0..<n { y[i] += c * b[i] } }
        let ynorm = dot(y, y).squareRoot()
        for i in 0..<n { y[i] /= ynorm }
        y.withUnsafeBufferPointer { yp in w.withUnsafeMutableBufferPointer { wp in apply(yp.baseAddress!, wp.baseAddress!) } }
        products += 1
        var r = 0.0
        for i in 0..<n { let d = w[i] - best.value * y[i]; r += d * d }
        return TopEigenvalue(value: best.value, residual: r.squareRoot() / Swift.max(Swift.abs(best.value), Double.leastNormalMagnitude),
                             products: products, vector: y)
    }

    @inline(__always) static func dot(_ a: [Double], _ b: [Double]) -> Double {
        cblas_ddot(Int32(a.count), a, 1, b, 1)
    }
}
