import Foundation

/// The order parameters of a soft committee student (p hidden units, weights w_j ∈ ℝ^d) learning a
/// soft committee teacher (k units, w*_r): Q_jl = w_j·w_l/d, M_jr = w_j·w*_r/d, P_rs = w*_r·w*_s/d.
///
/// The pre-activations λ_j = w_j·x/√d and ρ_r = w*_r·x/√d of a Gaussian input x ~ N(0, I_d) are
/// jointly Gaussian with covariance [[Q, M], [Mᵀ, P]], so every expectation the dynamics needs is
/// a function of these numbers. Row-major float64 storage; Q and P symmetric.
public struct CommitteeOverlaps: Sendable, Codable, Hashable {
    /// Student hidden units p.
    public let p: Int
    /// Teacher hidden units k.
    public let k: Int
    /// Q, p × p, row-major.
    public var q: [Double]
    /// M, p × k, row-major.
    public var m: [Double]
    /// P, k × k, row-major (fixed during training).
    public var teacher: [Double]

    /// Overlaps from their matrices (sizes are checked).
    public init(p: Int, k: Int, q: [Double], m: [Double], teacher: [Double]) {
        precondition(p >= 1 && k >= 1 && q.count == p * p && m.count == p * k && teacher.count == k * k, "overlap sizes")
        self.p = p; self.k = k; self.q = q; self.m = m; self.teacher = teacher
    }

    /// Entry (a, b) of the covariance of u = (λ₁…λ_p, ρ₁…ρ_k).
    @inline(__always)
    public func covariance(_ a: Int, _ b: Int) -> Double {
        switch (a < p, b < p) {
        case (true, true): return q[a * p + b]
        case (true, false): return m[a * k + (b - p)]
        case (false, true): return m[b * k + (a - p)]
        case (false, false): return teacher[(a - p) * k + (b - p)]
        }
    }

    /// The population risk R = ½ E[(ŷ − y*)²] of the student ŷ = (1/p) Σ g(λ_j) against the clean
    /// teacher y* = (1/k) Σ g(ρ_r), g = erf(·/√2), exactly:
    /// R = (1/π)[(1/p²) Σ_jl arcsin(Q_jl/√((1+Q_jj)(1+Q_ll))) + (1/k²) Σ_rs arcsin(P_rs/√((1+P_rr)(1+P_ss)))
    ///     − (2/(pk)) Σ_jr arcsin(M_jr/√((1+Q_jj)(1+P_rr)))].
    /// Label noise is not part of it (it adds Δ/2 to the expected loss of a noisy label).
    public var risk: Double { CommitteeOverlaps.risk(p: p, k: k, q: q, m: m, teacher: teacher) }

    /// ``risk`` from raw row-major storage (the ODE state and the simulator use it in place).
    public static func risk(p: Int, k: Int, q: UnsafePointer<Double>, m: UnsafePointer<Double>, teacher: UnsafePointer<Double>) -> Double {
        var ss = 0.0, tt = 0.0, st = 0.0
        for j in 0..<p {
            let qjj = 1 + q[j * p + j]
            for l in 0..<p { ss += ErfIntegrals.clampedArcsin(q[j * p + l] / (qjj * (1 + q[l * p + l])).squareRoot()) }
            for r in 0..<k { st += ErfIntegrals.clampedArcsin(m[j * k + r] / (qjj * (1 + teacher[r * k + r])).squareRoot()) }
        }
        for r in 0..<k {
            for s in 0..<k { tt += ErfIntegrals.clampedArcsin(teacher[r * k + s] / ((1 + teacher[r * k + r]) * (1 + teacher[s * k + s])).squareRoot()) }
        }
        let pd = Double(p), kd = Double(k)
        return (ss / (pd * pd) + tt / (kd * kd) - 2 * st / (pd * kd)) / Double.pi
    }

    /// ``risk`` from arrays.
    public static func risk(p: Int, k: Int, q: [Double], m: [Double], teacher: [Double]) -> Double {
        q.withUnsafeBufferPointer { qb in m.withUnsafeBufferPointer { mb in teacher.withUnsafeBufferPointer { tb in
            risk(p: p, k: k, q: qb.baseAddress!, m: mb.baseAddress!, teacher: tb.baseAddress!)
        } } }
    }
}
