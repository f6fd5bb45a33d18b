import CMPFR
import PrecisionModule
import FileIOModule

/// Rigorous lines of a 1-D ReLU network on a partition of an interval: for every piece k and
/// every x in [knots[k], knots[k + 1]],
///
///     net(x) ∈ C_k + S_k·x + R_k,
///
/// with C_k, S_k and R_k Arb balls (R_k centred at 0). On a piece where no unit switches the
/// form is the network's exact line up to ball rounding; where a unit's sign could not be proved
/// constant it carries that unit's chord relaxation, so R_k is wide and says so.
public struct EnclosedPieces: Sendable {
    /// Piece ends, increasing; `count + 1` values.
    public let knots: [BigFloat]
    /// Per piece k: C at 3k, S at 3k + 1, R at 3k + 2.
    public let forms: BallArray
    /// Number of pieces.
    public var count: Int { knots.count - 1 }
}

extension NetworkEnclosure {
    /// The network's lines on the pieces of a recorded sweep (``SweepTrace``), by replaying the
    /// sweep in ball arithmetic at `precision` bits.
    ///
    /// Every unit keeps the form C + S·x + R of its output (uncentred, so that a form computed
    /// once holds unchanged on every later piece until the unit is recomputed). At each event of
    /// the trace the units the sweep re-decided there are recomputed from their inputs, and so is
    /// every unit whose inputs' balls changed, layer by layer; a unit whose new form is the same
    /// ball as before stops the propagation. A ReLU is decided on its whole lifetime, from the
    /// event where it is recomputed to the next event where the sweep re-decides it (no later
    /// than its next recomputation here): the exact ends of its pre-activation form over that
    /// interval are computed in balls, and it is the identity, zero or (when the range straddles
    /// 0) the chord relaxation, exactly as in
    /// ``enclose(centre:offsets:workspace:value:slopes:remainder:)``. The sweep's MPFR roots are
    /// used only as the partition and as the times to re-decide; nothing it computed is trusted,
    /// so a crossing it missed makes a wide form, never a wrong one.
    ///
    /// Cost: the sweep's own (units downstream of each crossing), in ball operations. Pieces whose
    /// output form did not change are merged.
    public func enclosedPieces(_ trace: SweepTrace, precision: Precision) -> EnclosedPieces {
        let p = precision.bits
        let layers = network.layers
        var offset: [Int] = [], layerOf: [Int] = []
        var total = 0
        for (l, layer) in layers.enumerated() {
            offset.append(total); total += layer.outputCount
            layerOf += Array(repeating: l, count: layer.outputCount)
        }
        var dependents = Array(repeating: [Int](), count: total)
        for l in 1..<Swift.max(1, layers.count) {
            for i in 0..<layers[l].outputCount {
                for e in layers[l].rowStart[i]..<layers[l].rowStart[i + 1] { dependents[offset[l - 1] + layers[l].columns[e]].append(offset[l] + i) }
            }
        }
        // Each unit's next re-decision in the trace.
        let updates = trace.updateUnits.count
        var nextOfUnit = Array(repeating: -1, count: updates)
        var cursor = Array(repeating: -1, count: total)
        for k in stride(from: updates - 1, through: 0, by: -1) {
            let u = Int(trace.updateUnits[k])
            nextOfUnit[k] = cursor[u]; cursor[u] = k
        }
        let C = BallArray(count: total), S = BallArray(count: total), R = BallArray(count: total)
        let t = BallArray(count: 8), scratch = BallArray(count: 8)
        let nc = t[0], ns = t[1], nr = t[2], range = t[3], lo = t[4], hi = t[5], lam = t[6], half = t[7]
        let X = BallArray(count: 2)
        var dirty = Array(repeating: [Int](), count: layers.count)
        var isDirty = Array(repeating: false, count: total)
        func markDirty(_ u: Int) { if !isDirty[u] { isDirty[u] = true; dirty[layerOf[u]].append(u) } }

        /// Recomputes unit u (layer l, row i) for the lifetime starting at event e; true when its
        /// form changed.
        func recompute(_ u: Int, _ l: Int, _ i: Int, _ e: Int) -> Bool {
            let layer = layers[l], w = weights[l]
            carb_set(nc, biases[l][i]); carb_zero(ns); carb_zero(nr)
            for k in layer.rowStart[i]..<layer.rowStart[i + 1] {
                if arb_is_zero(w[k]) != 0 { continue }
                if l == 0 { arb_add(ns, ns, w[k], p); continue }   // input x = 0 + 1·x
                let j = offset[l - 1] + layer.columns[k]
                if arb_is_zero(C[j]) == 0 { arb_addmul(nc, w[k], C[j], p) }
                if arb_is_zero(S[j]) == 0 { arb_addmul(ns, w[k], S[j], p) }
                if arb_is_zero(R[j]) == 0 { arb_addmul(nr, w[k], R[j], p) }
            }
            // The pre-activation's range over the lifetime [x_e, x_next re-decision].
            let end = cursor[u] >= 0 ? Int(trace.updateEvents[cursor[u]]) : -1
            trace.events[e].withMPFR { a in
                (end >= 0 ? trace.events[end] : trace.upper).withMPFR { b in
                    carb_affine_ends(lo, hi, nc, ns, nr, a, b, p, X.base)
                }
            }
            carb_union(range, lo, hi, p)
            switch carb_unit_bounds(range, lo, hi, lam, half, relu[l][i] ? 1 : 0, p, scratch.base) {
            case 1: break
            case 0: carb_zero(nc); carb_zero(ns); carb_zero(nr)
            case 2:
                arb_mul(nc, nc, lam, p); arb_add(nc, nc, half, p)
                arb_mul(ns, ns, lam, p)
                arb_mul(nr, nr, lam, p); carb_add_radius(nr, half)
            default:
                carb_indeterminate(nc); carb_indeterminate(ns); carb_indeterminate(nr)
            }
            if arb_equal(nc, C[u]) != 0 && arb_equal(ns, S[u]) != 0 && arb_equal(nr, R[u]) != 0 { return false }
            carb_swap(C[u], nc); carb_swap(S[u], ns); carb_swap(R[u], nr)
            return true
        }

        let out = offset[layers.count - 1]
        var knots: [BigFloat] = []
        var pieces = 0
        let kept = BallArray(count: 3 * trace.events.count)
        var pointer = 0
        for e in 0..<trace.events.count {
            if e == 0 {
                for u in 0..<total { markDirty(u) }
            } else {
                while pointer < updates && Int(trace.updateEvents[pointer]) == e {
                    let u = Int(trace.updateUnits[pointer])
                    cursor[u] = nextOfUnit[pointer]
                    markDirty(u); pointer += 1
                }
            }
            var outputChanged = e == 0
            for l in 0..<layers.count {
                let units = dirty[l]
                dirty[l].removeAll(keepingCapacity: true)
                for u in units {
                    isDirty[u] = false
                    guard recompute(u, l, u - offset[l], e) else { continue }
                    if u == out { outputChanged = true }
                    for v in dependents[u] { markDirty(v) }
                }
            }
            if outputChanged {
                knots.append(trace.events[e])
                carb_set(kept[3 * pieces], C[out]); carb_set(kept[3 * pieces + 1], S[out]); carb_set(kept[3 * pieces + 2], R[out])
                pieces += 1
            }
        }
        knots.append(trace.upper)
        let forms = BallArray(count: 3 * pieces)
        for k in 0..<(3 * pieces) { carb_swap(forms[k], kept[k]) }
        return EnclosedPieces(knots: knots, forms: forms)
    }
}
