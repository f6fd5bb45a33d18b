import CMPFR
import PrecisionModule
import FileIOModule

/// The window groups of a ReLU^k network: k consecutive ReLU^k units of one layer with the same
/// weights and shifted biases, read by the next layer with weights whose combination cancels
/// every power of the pre-activation above the first. ``ReLUByPower`` writes each ReLU unit of
/// a ReLU network as such a group, ρ_δ(t) = Σ_j c_j σ_k(t + s_j): t for t above a window of
/// width (k − 1)δ, 0 below it, bounded inside.
///
/// Relaxing each copy separately (``NetworkEnclosure``'s chord for σ_k) loses the cancellation:
/// the copies' weights are of order δ^−(k−1) and their chord remainders of order (box width)²,
/// so the enclosure of a deep ReLU^k network grows like width²/δ. Enclosed as one unit, with
/// h_c(t) = Σ_j w_cj σ_k(t + D_j) for each reader c (D_j = b_j − b_0 exactly, in balls),
/// the group is exactly the affine a_1 t + a_0 above the window (the cancelled powers enter the
/// remainder with their ball bounds), 0 below it, and chord-relaxed only where the box's range
/// of t meets the window (`carb_window_term`).
///
/// Nothing is trusted from the construction: a group is recognised from the stored numbers (same
/// row, every reader reading all k copies, |a_n| ≤ 2^−64 |a_1| for n ≥ 2), and its
/// coefficients are computed in balls, so the enclosure holds whatever the group computes.
struct WindowGroups {
    /// Per layer, per unit: −1 an ordinary unit, −2 a copy other than the first (its reader
    /// entries are skipped), g ≥ 0 the first copy of group g (its form is the pre-activation t).
    let role: [[Int]]
    /// Per layer, per stored entry: −1 ordinary, −2 skipped (a later copy of a group), τ ≥ 0 the
    /// term τ (this reader's share of a group), on the entry of the group's first copy.
    let entryTerm: [[Int]]
    /// Per group: its power k.
    let power: [Int]
    /// Per group: exact point balls Lw (every copy off for t ≤ Lw) and Uw (every copy on for t ≥ Uw).
    let windowLower: BallArray
    let windowUpper: BallArray
    /// Per group: the shifts D_j (k balls from ``shiftStart``).
    let shifts: BallArray
    let shiftStart: [Int]
    /// Per term: its group, the reader's weights w_cj (k balls) and the coefficients a_0 … a_k.
    let termGroup: [Int]
    let termWeights: BallArray
    let termWeightStart: [Int]
    let termCoefficients: BallArray
    let termCoefficientStart: [Int]

    /// Finds the groups of `network`, computing in balls of `precision` bits.
    init(network: Network, precision: Precision) {
        let p = precision.bits
        var role = network.layers.map { Array(repeating: -1, count: $0.outputCount) }
        var entryTerm = network.layers.map { Array(repeating: -1, count: $0.weights.count) }
        var power: [Int] = [], groupCopies: [(layer: Int, unit: Int)] = []
        var shiftValues: [(BigFloat, BigFloat)] = []          // (b_j, b_0) per copy
        var shiftStart: [Int] = []
        var termGroup: [Int] = []
        var termEntries: [[BigFloat]] = [], termEntryIndices: [[Int]] = []
        let layers = network.layers
        for l in 0..<Swift.max(0, layers.count - 1) {
            let layer = layers[l], reader = layers[l + 1]
            // Reader entries by column: (row, entry index).
            var readers = Array(repeating: [(row: Int, entry: Int)](), count: layer.outputCount)
            for r in 0..<reader.outputCount {
                for e in reader.rowStart[r]..<reader.rowStart[r + 1] { readers[reader.columns[e]].append((r, e)) }
            }
            var i = 0
            while i < layer.outputCount {
                guard case .reluPower(let k) = layer.activations[i], i + k <= layer.outputCount,
                      (i..<(i + k)).allSatisfy({ layer.activations[$0] == .reluPower(k) }),
                      Self.sameRows(layer, i, k),
                      let terms = Self.readerTerms(readers, i, k) else { i += 1; continue }
                let g = power.count
                power.append(k)
                groupCopies.append((l, i))
                shiftStart.append(shiftValues.count)
                for j in 0..<k { shiftValues.append((layer.bias[i + j], layer.bias[i])) }
                role[l][i] = g
                for j in 1..<k { role[l][i + j] = -2 }
                for entries in terms {
                    entryTerm[l + 1][entries[0]] = termGroup.count
                    for e in entries.dropFirst() { entryTerm[l + 1][e] = -2 }
                    termGroup.append(g)
                    termEntries.append(entries.map { reader.weights[$0] })
                    termEntryIndices.append(entries)
                }
                i += k
            }
        }
        // Balls: shifts, window ends, the readers' weights and coefficients.
        let shifts = BallArray(count: shiftValues.count)
        let scratch = BallArray(count: 2)
        for (n, (b, b0)) in shiftValues.enumerated() {
            b.withMPFR { carb_set_mpfr(scratch[0], $0) }
            b0.withMPFR { carb_set_mpfr(scratch[1], $0) }
            arb_sub(shifts[n], scratch[0], scratch[1], p)
        }
        let wl = BallArray(count: power.count), wu = BallArray(count: power.count)
        for g in 0..<power.count {
            carb_window_ends(wl[g], wu[g], shifts[shiftStart[g]], UInt(power[g]), p)
        }
        var weightStart: [Int] = [], coefficientStart: [Int] = []
        let weightCount = termEntries.reduce(0) { $0 + $1.count }
        let tw = BallArray(count: weightCount), ta = BallArray(count: weightCount + termEntries.count)
        var wn = 0, an = 0
        for (t, ws) in termEntries.enumerated() {
            let g = termGroup[t], k = power[g]
            weightStart.append(wn); coefficientStart.append(an)
            for (j, w) in ws.enumerated() { w.withMPFR { carb_set_mpfr(tw[wn + j], $0) } }
            carb_window_coefficients(ta[an], tw[wn], shifts[shiftStart[g]], UInt(k), p)
            wn += k; an += k + 1
        }
        // A group some reader of which does not cancel to 2^-64 is made ordinary units again.
        let failed = Set((0..<termGroup.count).filter {
            carb_window_cancels(ta[coefficientStart[$0]], UInt(power[termGroup[$0]]), 64) == 0
        }.map { termGroup[$0] })
        for t in 0..<termGroup.count where failed.contains(termGroup[t]) {
            let (l, i) = groupCopies[termGroup[t]]
            for j in 0..<power[termGroup[t]] { role[l][i + j] = -1 }
            for e in termEntryIndices[t] { entryTerm[l + 1][e] = -1 }
        }
        self.role = role
        self.entryTerm = entryTerm
        self.power = power
        windowLower = wl; windowUpper = wu
        self.shifts = shifts
        self.shiftStart = shiftStart
        self.termGroup = termGroup
        termWeights = tw; termWeightStart = weightStart
        termCoefficients = ta; termCoefficientStart = coefficientStart
    }

    /// Units i..<i+k of `layer` read the same inputs with identical weights.
    private static func sameRows(_ layer: AffineLayer, _ i: Int, _ k: Int) -> Bool {
        let s0 = layer.rowStart[i], n = layer.rowStart[i + 1] - s0
        for j in 1..<k {
            let s = layer.rowStart[i + j]
            guard layer.rowStart[i + j + 1] - s == n else { return false }
            for e in 0..<n where layer.columns[s + e] != layer.columns[s0 + e] || !layer.weights[s + e].isIdentical(to: layer.weights[s0 + e]) {
                return false
            }
        }
        return !(1..<k).allSatisfy { layer.bias[i + $0].isIdentical(to: layer.bias[i]) }
    }

    /// Each reader of units i..<i+k as its k entries (in copy order), or nil when some reader
    /// reads only part of the group. (Whether the group cancels is checked on the balls.)
    private static func readerTerms(_ readers: [[(row: Int, entry: Int)]], _ i: Int, _ k: Int) -> [[Int]]? {
        let rows = readers[i].map(\.row)
        guard !rows.isEmpty else { return nil }
        var terms: [[Int]] = []
        for (n, r) in rows.enumerated() {
            var entries = [readers[i][n].entry]
            for j in 1..<k {
                guard let hit = readers[i + j].first(where: { $0.row == r }) else { return nil }
                entries.append(hit.entry)
            }
            terms.append(entries)
        }
        for j in 1..<k where readers[i + j].count != rows.count { return nil }
        return terms
    }
}
