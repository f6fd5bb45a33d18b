import CMPFR
import PrecisionModule
import FileIOModule

/// A rigorous affine enclosure of a ReLU network over a box of its input space, in Arb ball
/// arithmetic: for every x in the box, with c the box's centre,
///
///     net(x) ∈ C + Σ_k S_k·(x_k − c_k) + R,
///
/// C, S_k and R balls. Each unit carries such a form. Affine layers combine the forms exactly
/// (up to ball rounding); a ReLU whose pre-activation keeps one sign on the box is the identity
/// or zero, exactly; one whose pre-activation range [l, u] straddles 0 is replaced by the chord
/// relaxation λz + [0, max(−λl, (1 − λ)u)] with λ ≈ u/(u − l), the tightest affine enclosure
/// of max(z, 0) on [l, u] (the gap is added to R). So on a box where no unit changes sign the
/// form is the network's exact linear piece, and the only widening is ball rounding at
/// ``precision`` bits; on a box that contains breakpoints it is still valid, only looser.
///
/// A ReLU^k unit (k ≥ 2) is relaxed the same way around the convex max(z, 0)^k: its chord's
/// slope λ and the range of max(z, 0)^k − λz on [l, u] (its ends, and the global minimum at
/// z* = (λ/k)^(1/(k−1))), so its remainder shrinks like the square of the box.
///
/// A group of ReLU^k units that stands for one ReLU (``ReLUByPower``'s window groups,
/// ``WindowGroups``) is enclosed as one unit: the exact affine map above its window, 0 below, a
/// chord where the range meets the window; the copies one by one would lose the cancellation of
/// their δ^−(k−1) weights.
///
/// Supported units: identity, ReLU and ReLU^k. Others (sine, step) make
/// ``init(network:precision:)`` throw: their enclosure is not implemented.
public final class NetworkEnclosure: @unchecked Sendable {
    // Sendable: after init nothing is mutated; each thread uses its own Workspace.

    /// The network enclosed.
    public let network: Network
    /// Bits of every ball operation.
    public let precision: Precision
    let weights: [BallArray]
    let biases: [BallArray]
    let relu: [[Bool]]
    /// Per unit: 0 identity, 1 ReLU, k ReLU^k.
    let powers: [[Int]]
    let positives: [[Bool]]
    let maxWidth: Int
    let groups: WindowGroups

    /// Prepares exact balls for every weight and bias. Throws for units other than identity and
    /// ReLU.
    public init(network: Network, precision: Precision) throws {
        func power(_ a: Activation) -> Int? {
            switch a { case .identity: return 0; case .relu: return 1; case .reluPower(let k): return k; default: return nil }
        }
        let unsupported = Set(network.layers.flatMap { $0.activations.filter { power($0) == nil }.map(\.description) })
        guard unsupported.isEmpty else {
            throw NetworkError.unsupported("certified enclosures cover identity, relu and relu^k units; this network has \(unsupported.sorted().joined(separator: ", "))")
        }
        self.network = network
        self.precision = precision
        var ws: [BallArray] = [], bs: [BallArray] = []
        for layer in network.layers {
            let w = BallArray(count: layer.weights.count)
            for (k, v) in layer.weights.enumerated() { v.withMPFR { carb_set_mpfr(w[k], $0) } }
            let b = BallArray(count: layer.bias.count)
            for (k, v) in layer.bias.enumerated() { v.withMPFR { carb_set_mpfr(b[k], $0) } }
            ws.append(w); bs.append(b)
        }
        weights = ws; biases = bs
        relu = network.layers.map { $0.activations.map { $0 == .relu } }
        powers = network.layers.map { $0.activations.map { power($0)! } }
        positives = network.layers.map { $0.weights.map { $0.signum > 0 } }
        maxWidth = network.layers.map(\.outputCount).max().map { Swift.max($0, network.inputDimension) } ?? network.inputDimension
        groups = WindowGroups(network: network, precision: precision)
    }

    /// Window groups found (ReLU^k units enclosed together as one ReLU, ``WindowGroups``).
    public var windowGroupCount: Int { groups.power.count }

    /// Registers for one thread.
    public final class Workspace {
        let d: Int
        var c: [BallArray]     // two layers' centre values, ping-pong
        var s: [BallArray]     // slopes: d per unit
        var r: [BallArray]     // remainders
        var lo: [BallArray]    // each unit's range: lower end (exact), by interval arithmetic and by its form
        var hi: [BallArray]    // upper end
        let z: BallArray       // [range, λ, half, crossing, t]
        let bounds: BallArray  // temporaries of carb_unit_bounds
        let ends: BallArray    // the offsets' exact ends: lower (d), upper (d)
        let term: BallArray    // a window group's share: [λ, mid, half, range low, range high], and x* − c
        /// Units whose pre-activation straddled 0 in the last enclosure (relaxed).
        public internal(set) var relaxedUnits = 0
        /// 1-D: the zero x* = c − C/S of the first unit relaxed in the last enclosure whose zero
        /// lies inside the box (the lowest layer's, whose form is the most exact): where to cut
        /// the box so that this unit keeps one sign on each side. Units that meet their switch
        /// only at an end of the box are passed over: a cut there would not split the box. Nil
        /// when there is no such unit.
        public var firstCrossing: UnsafeMutablePointer<arb_struct>? { hasCrossing ? z[3] : nil }
        var hasCrossing = false
        init(width: Int, d: Int) {
            self.d = d
            c = [BallArray(count: width), BallArray(count: width)]
            s = [BallArray(count: width * d), BallArray(count: width * d)]
            r = [BallArray(count: width), BallArray(count: width)]
            lo = [BallArray(count: width), BallArray(count: width)]
            hi = [BallArray(count: width), BallArray(count: width)]
            z = BallArray(count: 5)
            bounds = BallArray(count: 8)
            term = BallArray(count: 6)
            ends = BallArray(count: 2 * d)
        }
    }

    /// A workspace for one thread.
    public func makeWorkspace() -> Workspace { Workspace(width: maxWidth, d: network.inputDimension) }

    /// Encloses output 0 over the box with centre `centre` (d exact balls) and offsets x − c
    /// `offsets` (d balls centred at 0): writes C, S (d balls) and R. Returns false when some
    /// pre-activation is unbounded on the box (nothing is claimed then).
    ///
    /// `ends`, when given, are the exact ends of the offsets (2d exact point balls: the lower
    /// end of x_k − c_k at k, the upper at d + k). Each unit's range is then computed at those
    /// ends, to the full precision; without them, from the offsets' balls, whose radii Arb
    /// keeps to 30 bits (so a range overshoots by 2^-30 of the unit's swing over the box).
    @discardableResult
    public func enclose(centre: UnsafePointer<arb_struct>, offsets: UnsafePointer<arb_struct>, ends: UnsafePointer<arb_struct>? = nil,
                        workspace ws: Workspace, value: UnsafeMutablePointer<arb_struct>, slopes: UnsafeMutablePointer<arb_struct>,
                        remainder: UnsafeMutablePointer<arb_struct>) -> Bool {
        let d = ws.d, p = precision.bits
        var cur = 0
        // The exact ends of the offsets.
        let olo = ws.ends.base, ohi = ws.ends.base + d
        for k in 0..<d {
            if let ends { carb_set(olo + k, ends + k); carb_set(ohi + k, ends + d + k) }
            else { carb_lower_ball(olo + k, offsets + k, p); carb_upper_ball(ohi + k, offsets + k, p) }
        }
        // The input: x_k = c_k + 1·(x_k − c_k).
        for k in 0..<d {
            carb_set(ws.c[0][k], centre + k); carb_zero(ws.r[0][k])
            for j in 0..<d { if j == k { carb_one(ws.s[0][k * d + j]) } else { carb_zero(ws.s[0][k * d + j]) } }
            carb_indeterminate(ws.lo[0][k]); carb_indeterminate(ws.hi[0][k])
            carb_form_ends(ws.lo[0][k], ws.hi[0][k], ws.c[0][k], ws.s[0][k * d], ws.r[0][k], olo, ohi, d, p, ws.bounds.base)
        }
        ws.relaxedUnits = 0
        ws.hasCrossing = false
        let range = ws.z[0], lam = ws.z[1], half = ws.z[2]
        var finite = true
        for (l, layer) in network.layers.enumerated() {
            let nxt = 1 - cur
            let C = ws.c[nxt], S = ws.s[nxt], R = ws.r[nxt], pc = ws.c[cur], ps = ws.s[cur], pr = ws.r[cur]
            let LO = ws.lo[nxt], HI = ws.hi[nxt], plo = ws.lo[cur], phi = ws.hi[cur]
            let positive = positives[l]
            let w = weights[l], b = biases[l]
            let role = groups.role[l], entryTerm = groups.entryTerm[l]
            for i in 0..<layer.outputCount {
                if role[i] == -2 { continue }       // a later copy of a window group: read through the first
                carb_set(C[i], b[i]); carb_zero(R[i]); carb_set(LO[i], b[i]); carb_set(HI[i], b[i])
                for k in 0..<d { carb_zero(S[i * d + k]) }
                for e in layer.rowStart[i]..<layer.rowStart[i + 1] {
                    let j = layer.columns[e]
                    let t = entryTerm[e]
                    if t == -2 { continue }
                    if t >= 0 {
                        if !addWindowTerm(t, unit: j, centre: centre, offsets: offsets, C: C[i], S: S[i * d], R: R[i], lo: LO[i], hi: HI[i],
                                          pc: pc, ps: ps, pr: pr, plo: plo, phi: phi, ws: ws) { finite = false }
                        continue
                    }
                    if arb_is_zero(w[e]) != 0 { continue }
                    arb_addmul(C[i], w[e], pc[j], p)
                    for k in 0..<d { arb_addmul(S[i * d + k], w[e], ps[j * d + k], p) }
                    if arb_is_zero(pr[j]) == 0 { arb_addmul(R[i], w[e], pr[j], p) }
                    if positive[e] { arb_addmul(LO[i], w[e], plo[j], p); arb_addmul(HI[i], w[e], phi[j], p) }
                    else { arb_addmul(LO[i], w[e], phi[j], p); arb_addmul(HI[i], w[e], plo[j], p) }
                }
                // The range of the pre-activation over the box: its form's range, intersected
                // with the interval sum of its inputs' ranges (which knows, for instance, that
                // 0 − σ(c) is never positive, where the forms have relaxed σ(c)).
                carb_set(range, C[i])
                for k in 0..<d { arb_addmul(range, S[i * d + k], offsets + k, p) }
                arb_add(range, range, R[i], p)
                if (powers[l][i] != 0 || role[i] >= 0) && arb_contains_zero(range) != 0 {
                    // A unit that may switch on the box: its range at the offsets' exact ends
                    // (the ball above overshoots by 2^-30 of the unit's swing, and a deep chain
                    // multiplies a spurious switch by the base at every digit).
                    carb_form_ends(LO[i], HI[i], C[i], S[i * d], R[i], olo, ohi, d, p, ws.bounds.base)
                    carb_indeterminate(range)
                }
                if role[i] >= 0 {
                    // The first copy of a window group carries its pre-activation t, with its
                    // range's exact ends; the readers apply the group.
                    if carb_unit_bounds(range, LO[i], HI[i], lam, half, 0, p, ws.bounds.base) == 3 {
                        finite = false
                        carb_indeterminate(C[i])
                    }
                    continue
                }
                if powers[l][i] >= 2 {
                    // ReLU^k: zero, or λz + mid ± half (ws.z[4] holds mid).
                    switch carb_unit_power_bounds(range, LO[i], HI[i], lam, ws.z[4], half, UInt(powers[l][i]), p, ws.bounds.base) {
                    case 0:
                        carb_zero(C[i]); carb_zero(R[i])
                        for k in 0..<d { carb_zero(S[i * d + k]) }
                    case 4:
                        ws.relaxedUnits += 1
                        arb_mul(C[i], C[i], lam, p); arb_add(C[i], C[i], ws.z[4], p)
                        for k in 0..<d { arb_mul(S[i * d + k], S[i * d + k], lam, p) }
                        arb_mul(R[i], R[i], lam, p); carb_add_radius(R[i], half)
                    default:
                        finite = false
                        carb_indeterminate(C[i])
                    }
                    continue
                }
                switch carb_unit_bounds(range, LO[i], HI[i], lam, half, relu[l][i] ? 1 : 0, p, ws.bounds.base) {
                case 1: break
                case 0:
                    carb_zero(C[i]); carb_zero(R[i])
                    for k in 0..<d { carb_zero(S[i * d + k]) }
                case 2:
                    if !ws.hasCrossing && d == 1 && arb_contains_zero(S[i]) == 0 {
                        let x = ws.z[3]
                        arb_div(x, C[i], S[i], p); arb_sub(x, centre, x, p)
                        noteCrossing(centre: centre, offsets: offsets, ws)
                    }
                    ws.relaxedUnits += 1
                    arb_mul(C[i], C[i], lam, p); arb_add(C[i], C[i], half, p)
                    for k in 0..<d { arb_mul(S[i * d + k], S[i * d + k], lam, p) }
                    arb_mul(R[i], R[i], lam, p); carb_add_radius(R[i], half)
                default:
                    finite = false
                    carb_indeterminate(C[i])
                }
            }
            cur = nxt
        }
        carb_set(value, ws.c[cur][0]); carb_set(remainder, ws.r[cur][0])
        for k in 0..<d { carb_set(slopes + k, ws.s[cur][k]) }
        return finite && carb_is_finite(value) != 0 && carb_is_finite(remainder) != 0
    }

    /// Takes the zero in ws.z[3] as the box's cut when it lies in the interior of the box
    /// (centre + offsets).
    private func noteCrossing(centre: UnsafePointer<arb_struct>, offsets: UnsafePointer<arb_struct>, _ ws: Workspace) {
        let x = ws.z[3], t = ws.term[5]
        guard carb_is_finite(x) != 0 else { return }
        arb_sub(t, x, centre, precision.bits)
        ws.hasCrossing = arb_contains_interior(offsets, t) != 0
    }

    /// Adds reader term `t` of a window group, whose first copy is unit `j` of the previous
    /// layer (its pre-activation form and exact range), to the reader's form and range.
    /// Returns false when the range is not finite.
    private func addWindowTerm(_ t: Int, unit j: Int, centre: UnsafePointer<arb_struct>, offsets: UnsafePointer<arb_struct>,
                               C: UnsafeMutablePointer<arb_struct>, S: UnsafeMutablePointer<arb_struct>,
                               R: UnsafeMutablePointer<arb_struct>, lo: UnsafeMutablePointer<arb_struct>,
                               hi: UnsafeMutablePointer<arb_struct>, pc: BallArray, ps: BallArray, pr: BallArray,
                               plo: BallArray, phi: BallArray, ws: Workspace) -> Bool {
        let d = ws.d, p = precision.bits, g = groups.termGroup[t], k = groups.power[g]
        let lam = ws.term[0], mid = ws.term[1], half = ws.term[2], vlo = ws.term[3], vhi = ws.term[4]
        let kind = carb_window_term(plo[j], phi[j], groups.windowLower[g], groups.windowUpper[g],
                                    groups.termWeights[groups.termWeightStart[t]], groups.shifts[groups.shiftStart[g]],
                                    groups.termCoefficients[groups.termCoefficientStart[t]], UInt(k),
                                    lam, mid, half, vlo, vhi, p, ws.bounds.base)
        switch kind {
        case 0: return true
        case 1, 4:
            if kind == 4 {
                if !ws.hasCrossing && d == 1 && arb_contains_zero(ps[j]) == 0 {
                    // Where t meets the window's lower end: a cut that takes the group out of it.
                    let x = ws.z[3]
                    arb_sub(x, pc[j], groups.windowLower[g], p); arb_div(x, x, ps[j], p); arb_sub(x, centre, x, p)
                    noteCrossing(centre: centre, offsets: offsets, ws)
                }
                ws.relaxedUnits += 1
            }
            arb_addmul(C, lam, pc[j], p); arb_add(C, C, mid, p)
            for k in 0..<d { arb_addmul(S + k, lam, ps[j * d + k], p) }
            if arb_is_zero(pr[j]) == 0 { arb_addmul(R, lam, pr[j], p) }
            carb_add_radius(R, half)
            arb_add(lo, lo, vlo, p); arb_add(hi, hi, vhi, p)
            return true
        default:
            carb_indeterminate(C)
            return false
        }
    }
}
