import Foundation

/// The Saad–Solla ordinary differential equations of online SGD on a soft committee (erf units,
/// second layers fixed at 1/p and 1/k), as extended by Veiga et al. 2022 to learning rates and
/// widths that scale with the input dimension d.
///
/// With u = (λ, ρ), weights w_a = −1/p (student) and +1/k (teacher), so that y − ŷ = Σ_a w_a g(u_a) + √Δ ξ:
///
///     dM_jr/dt = A Σ_a w_a I3(λ_j, ρ_r, u_a)
///     dQ_jl/dt = A Σ_a w_a [I3(λ_j, λ_l, u_a) + I3(λ_l, λ_j, u_a)] + B [Σ_ab w_a w_b I4(λ_j, λ_l, u_a, u_b) + Δ J2(λ_j, λ_l)]
///
/// A (the drift coefficient) and B (the noise coefficient) come from the scaling: one unit of
/// time is d^(1+ϑ) SGD steps, so A = γ d^ϑ/p and B = γ² d^ϑ/p² (``SGDScaling``). The paper's limit
/// equations set the vanishing one to 0: B = 0 in the perfect-learning region (the dynamics is
/// then gradient flow on the population risk), A = 0 in the bad-learning region (M frozen).
///
/// The state is [Q (p × p), M (p × k)], row-major. Only the lower triangle of dQ is computed and
/// it is mirrored, so a symmetric Q stays exactly symmetric (pitfall 2). Work arrays are
/// allocated once; ``derivative(_:_:)`` allocates nothing.
public final class SaadSollaEquations: @unchecked Sendable {
    /// Student units p.
    public let p: Int
    /// Teacher units k.
    public let k: Int
    /// The teacher overlaps P (k × k), fixed.
    public let teacher: [Double]
    /// Drift coefficient A (0 switches the I3 terms off).
    public let drift: Double
    /// Noise coefficient B (0 switches the I4 and J2 terms off).
    public let noise: Double
    /// Label-noise variance Δ.
    public let labelNoise: Double
    /// Right-hand side evaluations so far.
    public private(set) var evaluations = 0

    private let n: Int
    /// Work space, allocated once: the covariance C (n × n), the weights w_a, and per pair (j, l)
    /// the rows C_ja, C_la and Λ_a (n each), n = p + k.
    private let cov: UnsafeMutablePointer<Double>, weight: UnsafeMutablePointer<Double>
    private let rowJ: UnsafeMutablePointer<Double>, rowL: UnsafeMutablePointer<Double>, lambda: UnsafeMutablePointer<Double>

    /// The equations for p student and k teacher units with teacher overlaps `teacher`.
    public init(p: Int, k: Int, teacher: [Double], drift: Double, noise: Double, labelNoise: Double) {
        precondition(p >= 1 && k >= 1 && teacher.count == k * k)
        self.p = p; self.k = k; self.teacher = teacher; self.drift = drift; self.noise = noise; self.labelNoise = labelNoise
        n = p + k
        let block = UnsafeMutablePointer<Double>.allocate(capacity: n * n + 4 * n)
        block.initialize(repeating: 0, count: n * n + 4 * n)
        cov = block; weight = block + n * n; rowJ = weight + n; rowL = rowJ + n; lambda = rowL + n
        for a in 0..<n { weight[a] = a < p ? -1 / Double(p) : 1 / Double(k) }
    }

    deinit { cov.deallocate() }

    /// Length of the state vector: p² + pk.
    public var dimension: Int { p * p + p * k }

    /// The state vector of `overlaps`.
    public func state(_ overlaps: CommitteeOverlaps) -> [Double] { overlaps.q + overlaps.m }

    /// The overlaps of a state vector.
    public func overlaps(_ state: [Double]) -> CommitteeOverlaps {
        CommitteeOverlaps(p: p, k: k, q: Array(state[0..<(p * p)]), m: Array(state[(p * p)...]), teacher: teacher)
    }

    /// The risk of a state vector (``CommitteeOverlaps/risk``).
    public func risk(_ y: UnsafePointer<Double>) -> Double {
        teacher.withUnsafeBufferPointer { CommitteeOverlaps.risk(p: p, k: k, q: y, m: y + p * p, teacher: $0.baseAddress!) }
    }

    /// Writes d(state)/dt at `y` into `dy` (both of length ``dimension``).
    public func derivative(_ y: UnsafePointer<Double>, _ dy: UnsafeMutablePointer<Double>) {
        evaluations += 1
        let p = self.p, k = self.k, n = self.n
        let c = cov
        for a in 0..<n {
            for b in 0..<n {
                let v: Double
                if a < p { v = b < p ? y[a * p + b] : y[p * p + a * k + (b - p)] }
                else { v = b < p ? y[p * p + b * k + (a - p)] : teacher[(a - p) * k + (b - p)] }
                c[a * n + b] = v
            }
        }
        fill(c: c, w: weight, cj: rowJ, cl: rowL, lam: lambda, y: y, dy: dy)
    }

    private func fill(c: UnsafeMutablePointer<Double>, w: UnsafeMutablePointer<Double>, cj: UnsafeMutablePointer<Double>, cl: UnsafeMutablePointer<Double>,
                      lam: UnsafeMutablePointer<Double>, y: UnsafePointer<Double>, dy: UnsafeMutablePointer<Double>) {
        let p = self.p, k = self.k, n = self.n
        // dM_jr = A Σ_a w_a I3(λ_j, ρ_r, u_a).
        for j in 0..<p {
            let c11 = c[j * n + j]
            for r in 0..<k {
                var s = 0.0
                if drift != 0 {
                    let t = p + r
                    for a in 0..<n {
                        s += w[a] * ErfIntegrals.i3(c11: c11, c12: c[j * n + t], c13: c[j * n + a], c23: c[t * n + a], c33: c[a * n + a])
                    }
                }
                dy[p * p + j * k + r] = drift * s
            }
        }
        for j in 0..<p {
            for l in 0...j {
                let c11 = c[j * n + j], c22 = c[l * n + l], c12 = c[j * n + l]
                var value = 0.0
                if drift != 0 {
                    var s = 0.0
                    for a in 0..<n {
                        let caa = c[a * n + a]
                        s += w[a] * (ErfIntegrals.i3(c11: c11, c12: c12, c13: c[j * n + a], c23: c[l * n + a], c33: caa)
                                     + ErfIntegrals.i3(c11: c22, c12: c12, c13: c[l * n + a], c23: c[j * n + a], c33: caa))
                    }
                    value += drift * s
                }
                if noise != 0 {
                    // Σ_ab w_a w_b I4(λ_j, λ_l, u_a, u_b): Λ₄ per pair, Λ_a per (pair, a), the arcsine per (a ≤ b).
                    let l4 = (1 + c11) * (1 + c22) - c12 * c12
                    for a in 0..<n {
                        let x = c[j * n + a], z = c[l * n + a]
                        cj[a] = x; cl[a] = z
                        lam[a] = l4 * (1 + c[a * n + a]) - z * z * (1 + c11) - x * x * (1 + c22) + 2 * c12 * x * z
                    }
                    var s = 0.0
                    for a in 0..<n {
                        let x3 = cj[a], z3 = cl[a], la = lam[a], wa = w[a]
                        var row = 0.0
                        for b in a..<n {
                            let x4 = cj[b], z4 = cl[b]
                            let l0 = l4 * c[a * n + b] - z3 * z4 * (1 + c11) - x3 * x4 * (1 + c22) + c12 * (x3 * z4 + x4 * z3)
                            let term = w[b] * ErfIntegrals.clampedArcsin(l0 / (la * lam[b]).squareRoot())
                            row += b == a ? term : 2 * term
                        }
                        s += wa * row
                    }
                    let i4 = 4 / (Double.pi * Double.pi * l4.squareRoot()) * s
                    value += noise * (i4 + labelNoise * ErfIntegrals.j2(c11: c11, c12: c12, c22: c22))
                }
                dy[j * p + l] = value
                dy[l * p + j] = value
            }
        }
    }
}
