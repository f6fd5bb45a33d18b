import Foundation
import PrecisionModule

/// The digit-extraction chains of a network, found from its weights alone, and the bits each of
/// their states needs (reference notes 3.5 and 5 item 7; ``PrecisionPlan``).
///
/// A *step* is an identity unit r = β z + Σ_c a_c σ(β z + b_c) with β ≥ 2 an integer and at least
/// two ReLU units reading only z with the same weight β (seen through identity carries: a unit
/// with one term of weight 1 and no bias is its input). A chain is z₀ → r₁ → r₂ → … where each
/// r_{i+1} is a step from r_i.
///
/// **Bookkeeping.** A state z_i holding a code of the n − i digits still to come, with the gaps
/// of the code leaving the ramps' thresholds at least 1/4 away from β z (``DigitCode``), gives the
/// right digits when its error stays below 1/(4β) at every later step; an error e in z_i becomes
/// β^k e after k steps (the ramps are exactly 0 or 1, constant in z, so they add none). Flooring
/// z_i to F_i = ⌈(n − i) log₂β⌉ + ⌈log₂(n + 1)⌉ + 16 fractional bits keeps the sum of all these
/// errors below 2^−14 at every step: the state needs log₂β fewer bits per digit extracted. The
/// fixed-point certificate (``FixedPointEvaluator``) checks this at every point, with the ramps'
/// cancellation seen through its expansion of certainly-on ReLUs.
public struct DigitChain: Sendable, Equatable {
    /// The states z₀, z₁, …, z_n as global unit indices (inputs first).
    public var states: [Int]
    /// The base β of every step.
    public var base: Int
    /// The ReLU ramps of step i + 1 (reading z_i), for i = 0 ..< n.
    public var ramps: [[Int]]
    /// Identity carries of each state (global indices), state by state.
    public var carries: [[Int]]

    /// Digits extracted: n.
    public var steps: Int { states.count - 1 }

    /// The fractional bits state i needs (before rounding to the plan's limb grid).
    public func fractionalBits(state i: Int) -> Int {
        let n = Double(steps)
        return Int(((n - Double(i)) * log2(Double(base))).rounded(.up)) + Int(log2(n + 1).rounded(.up)) + 16
    }

    /// The chains of `network` (empty when it has none).
    public static func find(in network: Network) -> [DigitChain] {
        let d = network.inputDimension
        // Global view: each unit's terms (source, weight), activation and bias.
        var sources: [[Int]] = Array(repeating: [], count: d), weights: [[BigFloat]] = Array(repeating: [], count: d)
        var activation: [Activation] = Array(repeating: .identity, count: d), zeroBias: [Bool] = Array(repeating: true, count: d)
        var reads = 0, first = d
        for layer in network.layers {
            for i in 0..<layer.outputCount {
                var s: [Int] = [], w: [BigFloat] = []
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] where !layer.weights[k].isZero {
                    s.append(reads + layer.columns[k]); w.append(layer.weights[k])
                }
                sources.append(s); weights.append(w)
                activation.append(layer.activations[i]); zeroBias.append(layer.bias[i].isZero)
            }
            reads = first
            first += layer.outputCount
        }
        let count = first
        func isCarry(_ u: Int) -> Bool {
            u >= d && activation[u] == .identity && zeroBias[u] && sources[u].count == 1 && weights[u][0].toDouble() == 1
        }
        var root = Array(0..<count)
        for u in d..<count where isCarry(u) { root[u] = root[sources[u][0]] }
        func integer(_ w: BigFloat) -> Int? {
            let v = w.toDouble()
            guard v == v.rounded(), Swift.abs(v) < 1e15, BigFloat(v, precision: w.precision) == w else { return nil }
            return Int(v)
        }
        // Steps: r -> (z, base, ramps).
        var stepFrom: [Int: (state: Int, base: Int, ramps: [Int])] = [:]
        for r in d..<count where activation[r] == .identity && !isCarry(r) {
            var direct: (Int, Int)? = nil, ramps: [Int] = [], ok = true
            for (s, w) in zip(sources[r], weights[r]) {
                let z = root[s]
                if activation[s] == .relu, sources[s].count == 1 {
                    ramps.append(s); continue
                }
                if direct == nil, let b = integer(w), b >= 2 { direct = (z, b) } else { ok = false; break }
            }
            guard ok, let (z, beta) = direct, ramps.count >= 2,
                  ramps.allSatisfy({ root[sources[$0][0]] == z && integer(weights[$0][0]) == beta }) else { continue }
            if stepFrom[z] != nil { continue }   // two steps from one state: not a chain
            stepFrom[z] = (r, beta, ramps)
        }
        let stepUnits = Set(stepFrom.values.map(\.state))
        var carriesOf: [Int: [Int]] = [:]
        for u in d..<count where isCarry(u) { carriesOf[root[u], default: []].append(u) }
        var chains: [DigitChain] = []
        for start in stepFrom.keys.sorted() where !stepUnits.contains(start) {
            var states = [start], ramps: [[Int]] = [], base = stepFrom[start]!.base
            var z = start
            while let next = stepFrom[z], next.base == base {
                ramps.append(next.ramps); states.append(next.state); z = next.state
            }
            base = stepFrom[start]!.base
            chains.append(DigitChain(states: states, base: base, ramps: ramps, carries: states.map { carriesOf[$0] ?? [] }))
        }
        return chains
    }
}
