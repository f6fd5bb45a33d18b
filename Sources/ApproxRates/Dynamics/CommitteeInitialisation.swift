import Foundation
import PrecisionModule

/// Where online SGD on a soft committee starts: teacher rows orthogonal with ‖w*_r‖² = d (P = I),
/// student rows with ‖w_j‖² = d (Q_jj = 1).
public enum CommitteeInitialisation: Sendable, Codable, Hashable {
    /// Student rows Gaussian at each d, normalised; M₀ = O(d^−½) and off-diagonal Q₀ = O(d^−½)
    /// then depend on d.
    case random
    /// The same overlaps (Q₀, M₀) at every d, realised exactly (up to rounding) by weights on a
    /// seeded random orthonormal frame; needs p + k ≤ d. Curves at several d then start from one
    /// state, and the ODE starts there too.
    case overlaps(CommitteeOverlaps)

    /// Overlaps of a random start (``random``) drawn at dimension `d` with `seed`: what a run at
    /// d would begin with.
    public static func randomOverlaps(p: Int, k: Int, dimension d: Int, seed: UInt64) -> CommitteeOverlaps {
        let (student, teacher) = randomWeights(p: p, k: k, dimension: d, seed: seed)
        return overlaps(student: student, teacher: teacher, p: p, k: k, dimension: d)
    }

    /// The overlaps of weight matrices (rows of length d): Q = WWᵀ/d, M = WW*ᵀ/d, P = W*W*ᵀ/d.
    public static func overlaps(student w: [Double], teacher t: [Double], p: Int, k: Int, dimension d: Int) -> CommitteeOverlaps {
        func dot(_ a: [Double], _ i: Int, _ b: [Double], _ j: Int) -> Double {
            var s = 0.0
            for x in 0..<d { s += a[i * d + x] * b[j * d + x] }
            return s / Double(d)
        }
        var q = [Double](repeating: 0, count: p * p), m = [Double](repeating: 0, count: p * k), pp = [Double](repeating: 0, count: k * k)
        for j in 0..<p { for l in 0...j { let v = dot(w, j, w, l); q[j * p + l] = v; q[l * p + j] = v } }
        for j in 0..<p { for r in 0..<k { m[j * k + r] = dot(w, j, t, r) } }
        for r in 0..<k { for s in 0...r { let v = dot(t, r, t, s); pp[r * k + s] = v; pp[s * k + r] = v } }
        return CommitteeOverlaps(p: p, k: k, q: q, m: m, teacher: pp)
    }

    /// The weights (student p × d, teacher k × d, row-major) of this start at dimension d.
    /// Throws when `overlaps` cannot be realised (p + k > d, or Q₀ − M₀M₀ᵀ not positive definite).
    public func weights(p: Int, k: Int, dimension d: Int, seed: UInt64) throws -> (student: [Double], teacher: [Double]) {
        try validate(p: p, k: k, dimension: d)
        switch self {
        case .random:
            return CommitteeInitialisation.randomWeights(p: p, k: k, dimension: d, seed: seed)
        case .overlaps(let o):
            let frame = CommitteeInitialisation.orthonormalFrame(count: p + k, dimension: d, seed: seed)
            // P = L Lᵀ: teacher r = √d Σ_s L_rs e_s.  M = A Lᵀ: A = M L^−ᵀ.  Q − AAᵀ = B Bᵀ: student j = √d (Σ A_js e_s + Σ B_ji f_i).
            guard let l = CommitteeInitialisation.cholesky(o.teacher, n: k) else { throw SGDError("the teacher overlaps P are not positive definite") }
            var a = [Double](repeating: 0, count: p * k)
            for j in 0..<p {
                for r in 0..<k {
                    var s = o.m[j * k + r]
                    for t in 0..<r { s -= a[j * k + t] * l[r * k + t] }
                    a[j * k + r] = s / l[r * k + r]
                }
            }
            var rest = o.q
            for j in 0..<p { for i in 0..<p { for r in 0..<k { rest[j * p + i] -= a[j * k + r] * a[i * k + r] } } }
            guard let b = CommitteeInitialisation.cholesky(rest, n: p) else {
                throw SGDError("Q₀ − M₀M₀ᵀ is not positive definite: the initial overlaps are not those of real weights")
            }
            let root = Double(d).squareRoot()
            var teacher = [Double](repeating: 0, count: k * d), student = [Double](repeating: 0, count: p * d)
            for r in 0..<k { for s in 0...r { let c = root * l[r * k + s]; for x in 0..<d { teacher[r * d + x] += c * frame[s * d + x] } } }
            for j in 0..<p {
                for s in 0..<k { let c = root * a[j * k + s]; for x in 0..<d { student[j * d + x] += c * frame[s * d + x] } }
                for i in 0...j { let c = root * b[j * p + i]; for x in 0..<d { student[j * d + x] += c * frame[(k + i) * d + x] } }
            }
            return (student, teacher)
        }
    }

    /// Throws the error ``weights(p:k:dimension:seed:)`` would throw for these sizes, without building weights.
    public func validate(p: Int, k: Int, dimension d: Int) throws {
        guard k <= d else { throw SGDError("k = \(k) teacher units need d >= \(k) (orthogonal teacher rows)") }
        if case .overlaps(let o) = self {
            guard o.p == p, o.k == k else { throw SGDError("the initial overlaps are for p = \(o.p), k = \(o.k), not p = \(p), k = \(k)") }
            guard p + k <= d else { throw SGDError("d = \(d) is too small to realise given overlaps of p + k = \(p + k) units: give d >= \(p + k)") }
        }
    }

    /// Gaussian student rows scaled to norm √d; teacher rows a seeded orthonormal frame scaled by √d.
    public static func randomWeights(p: Int, k: Int, dimension d: Int, seed: UInt64) -> (student: [Double], teacher: [Double]) {
        let teacher = orthonormalFrame(count: k, dimension: d, seed: seed &+ 0x5EED).map { $0 * Double(d).squareRoot() }
        var rng = SplitMix64(seed: seed)
        let z = ZigguratNormal()
        var student = [Double](repeating: 0, count: p * d)
        for j in 0..<p {
            var norm = 0.0
            for x in 0..<d { let v = z.next(using: &rng); student[j * d + x] = v; norm += v * v }
            let scale = (Double(d) / norm).squareRoot()
            for x in 0..<d { student[j * d + x] *= scale }
        }
        return (student, teacher)
    }

    /// `count` orthonormal rows of length d (modified Gram–Schmidt, twice, on seeded Gaussians).
    static func orthonormalFrame(count: Int, dimension d: Int, seed: UInt64) -> [Double] {
        precondition(count <= d)
        var rng = SplitMix64(seed: seed ^ 0x0F0F_1234_ABCD_5678)
        let z = ZigguratNormal()
        var e = [Double](repeating: 0, count: count * d)
        for i in 0..<count {
            for x in 0..<d { e[i * d + x] = z.next(using: &rng) }
            for _ in 0..<2 {
                for j in 0..<i {
                    var s = 0.0
                    for x in 0..<d { s += e[i * d + x] * e[j * d + x] }
                    for x in 0..<d { e[i * d + x] -= s * e[j * d + x] }
                }
            }
            var n = 0.0
            for x in 0..<d { n += e[i * d + x] * e[i * d + x] }
            let inv = 1 / n.squareRoot()
            for x in 0..<d { e[i * d + x] *= inv }
        }
        return e
    }

    /// The lower Cholesky factor of a symmetric n × n matrix, or nil when it is not positive definite.
    static func cholesky(_ a: [Double], n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for t in 0..<j { s -= l[i * n + t] * l[j * n + t] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        return l
    }
}

/// A run of the SGD experiments that cannot be done as asked (sizes, initial state); the message
/// names the value and what is allowed.
public struct SGDError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public let description: String
    /// An error with `message`.
    public init(_ message: String) { description = message }
}
