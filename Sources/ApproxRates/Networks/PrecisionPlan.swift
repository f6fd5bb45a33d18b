import Foundation
import CMPFR
import CFixedPoint
import PrecisionModule

/// How many bits each unit of a network carries in fixed-point evaluation
/// (``FixedPointEvaluator``), derived from the network itself.
///
/// A unit holds a two's-complement integer X of ``UnitPrecision/limbs`` 64-bit limbs and means
/// X / 2^``UnitPrecision/fractionalBits``. The plan is chosen by two analyses over the input box
/// [0, 1]^d:
/// - **Ranges** (integer bits): interval arithmetic forward through the network, capped at
///   ``integerBitsCap`` (a deep chain's intervals grow geometrically while its values on the
///   plateaus stay in [−1, 2]; a value that leaves the planned range is caught at run time and
///   makes that point's certificate infinite, never a wrong number).
/// - **Sensitivities** (fractional bits): S_u (kept as log₂ S_u) bounds |∂ output / ∂ v_u| by |weights| backward
///   (ReLU and identity 1-Lipschitz, a ReLU whose interval is ≤ 0 contributes 0, a step unit
///   ∞). A rounding of 2^−F_u at unit u moves the output by at most S_u 2^−F_u, so
///   F_u = ⌈log₂(S_u (terms_u + 2) U) + accuracyBits⌉ keeps the sum of all roundings below
///   2^−accuracyBits (U units), rounded up to whole limbs. Where S_u is astronomical (the digit-extraction chain of the deep
///   phase, whose Lipschitz constant is 85 per step), F_u is the ``ceiling``: every stored weight's
///   fractional bits plus 64, at which the chain's integer arithmetic on a stored code is exact.
/// - **Bookkeeping** of digit-extraction chains (``DigitChain``): a chain's state after digit i
///   needs i·log₂β fewer bits, which the Lipschitz bound cannot see (the ramps cancel); those
///   units get the bookkeeping's bits instead.
///
/// The plan is a choice, not a proof: each evaluation carries a certificate (the bound E of
/// ``FixedPointEvaluator``), and a point whose certificate exceeds what its caller needs is
/// evaluated again another way.
public struct PrecisionPlan: Sendable, Equatable {
    /// The precision of one unit.
    public struct UnitPrecision: Sendable, Equatable {
        /// Bits after the binary point: the unit's resolution is 2^−fractionalBits.
        public var fractionalBits: Int
        /// Bits before the binary point: |value| < 2^integerBits in the plan's range.
        public var integerBits: Int
        /// 64-bit limbs of the two's-complement value (sign bit included).
        public var limbs: Int { (integerBits + fractionalBits + 1 + 63) / 64 }
    }

    /// One entry per unit: the network's inputs first, then each layer's units in order.
    public let units: [UnitPrecision]
    /// The absolute accuracy the fractional bits aim at: 2^−accuracyBits at the output.
    public let accuracyBits: Int
    /// The most fractional bits any unit gets (every weight's and bias's fractional bits + 64).
    public let ceiling: Int
    /// Fractional bits are 56 more than a multiple of 64: a term between units of different
    /// precisions is then a shift by whole limbs (an offset), not a bit shift, and the top limb
    /// keeps 7 integer bits and the sign.
    static func roundedToLimbs(_ bits: Int) -> Int { (bits + 8 + 63) / 64 * 64 - 8 }

    /// The cap on integer bits.
    public static let integerBitsCap = 64

    /// Total limbs over all units (the size of one workspace's values).
    public var totalLimbs: Int { units.reduce(0) { $0 + $1.limbs } }

    /// Units at the ceiling (those the sensitivity analysis could not lower).
    public var unitsAtCeiling: Int { units.filter { $0.fractionalBits >= ceiling }.count }

    /// Units whose bits the digit-chain bookkeeping lowered (``DigitChain``).
    public let loweredByChains: Int

    /// A plan given unit by unit (a construction's own, or a test's). `units.count` must be
    /// inputs + units of the network it is used with.
    public init(units: [UnitPrecision], accuracyBits: Int, ceiling: Int, loweredByChains: Int = 0) {
        self.units = units
        self.accuracyBits = accuracyBits
        self.ceiling = ceiling
        self.loweredByChains = loweredByChains
    }

    /// Derives the plan of `network` for an output accuracy of 2^−`accuracyBits` (absolute).
    /// Throws ``NetworkError/unsupported(_:)`` for units other than identity, ReLU and step, or
    /// a weight that is not a finite number.
    public static func derive(for network: Network, accuracyBits: Int = 96) throws -> PrecisionPlan {
        let d = network.inputDimension
        var ceiling = accuracyBits
        for layer in network.layers {
            for a in Set(layer.activations) where a != .identity && a != .relu && a != .step {
                throw NetworkError.unsupported("fixed-point evaluation covers identity, ReLU and step units, not \(a.description)")
            }
            for w in layer.weights + layer.bias {
                guard w.isFinite else { throw NetworkError.unsupported("fixed-point evaluation needs finite weights, not \(w)") }
                ceiling = Swift.max(ceiling, w.fractionalBits)
            }
        }
        ceiling = roundedToLimbs(ceiling + 64)
        // Layer l's units start at first[l] (global index) and read the units starting at reads[l].
        var first: [Int] = [], reads: [Int] = []
        var start = d, previous = 0
        for layer in network.layers { first.append(start); reads.append(previous); previous = start; start += layer.outputCount }
        let count = start
        // Forward: intervals over [0, 1]^d.
        var lo = [Double](repeating: 0, count: count), hi = [Double](repeating: 0, count: count)
        for j in 0..<d { hi[j] = 1 }
        for (l, layer) in network.layers.enumerated() {
            for i in 0..<layer.outputCount {
                var a = layer.bias[i].toDouble(), b = a
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] {
                    let w = layer.weights[k].toDouble(), j = reads[l] + layer.columns[k]
                    if w == 0 { continue }
                    let (p, q) = (w * lo[j], w * hi[j])
                    a += Swift.min(p, q); b += Swift.max(p, q)
                }
                let slack = 1e-12 * (Swift.abs(a) + Swift.abs(b)) + 1e-300
                a -= slack; b += slack
                switch layer.activations[i] {
                case .relu: a = Swift.max(0, a); b = Swift.max(0, b)
                case .step: a = 0; b = 1
                default: break
                }
                if a.isNaN || a == .infinity { a = -.infinity }
                if b.isNaN || b == -.infinity { b = .infinity }
                lo[first[l] + i] = a; hi[first[l] + i] = b
            }
        }
        // Backward: sensitivities, as base-2 logarithms (a chain of 1,250 digits has a Lipschitz
        // bound of 85^1250, far beyond float64; −∞ is a sensitivity of 0).
        var s = [Double](repeating: -.infinity, count: count)
        s[count - 1] = 0
        var terms = [Int](repeating: 0, count: count)
        for (l, layer) in network.layers.enumerated().reversed() {
            for i in 0..<layer.outputCount {
                let u = first[l] + i
                terms[u] = layer.rowStart[i + 1] - layer.rowStart[i]
                var gain = s[u]
                switch layer.activations[i] {
                case .relu: if hi[u] <= 0 { gain = -.infinity }
                case .step: gain = s[u] > -.infinity ? .infinity : -.infinity
                default: break
                }
                guard gain > -.infinity else { continue }
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] {
                    let w = Swift.abs(layer.weights[k].toDouble())
                    guard w > 0 else { continue }
                    let j = reads[l] + layer.columns[k]
                    s[j] = log2Sum(s[j], log2(w) + gain)
                }
            }
        }
        let logUnits = log2(Double(count))
        var units: [UnitPrecision] = []
        units.reserveCapacity(count)
        for u in 0..<count {
            let range = Swift.max(Swift.abs(lo[u]), Swift.abs(hi[u]), 1)
            let integerBits = range.isFinite ? Swift.min(integerBitsCap, Int(log2(range).rounded(.up)) + 1) : integerBitsCap
            var fractional = ceiling
            if s[u] == -.infinity { fractional = Swift.min(ceiling, roundedToLimbs(accuracyBits)) }
            else if s[u].isFinite {
                let need = s[u] + log2(Double(terms[u] + 2)) + logUnits + Double(accuracyBits)
                if need.isFinite { fractional = Swift.min(ceiling, roundedToLimbs(Swift.max(64, Int(need.rounded(.up))))) }
            }
            units.append(UnitPrecision(fractionalBits: fractional, integerBits: integerBits))
        }
        // Digit-extraction chains: their states need fewer bits as digits are consumed.
        var lowered = 0
        for chain in DigitChain.find(in: network) {
            for (i, z) in chain.states.enumerated() {
                let f = roundedToLimbs(chain.fractionalBits(state: i))
                var group = [z] + chain.carries[i]
                if i < chain.ramps.count { group += chain.ramps[i] }
                for u in group where units[u].fractionalBits > f { units[u].fractionalBits = f; lowered += 1 }
            }
        }
        return PrecisionPlan(units: units, accuracyBits: accuracyBits, ceiling: ceiling, loweredByChains: lowered)
    }
}

/// log₂(2^a + 2^b), with −∞ for 0 and +∞ absorbing.
func log2Sum(_ a: Double, _ b: Double) -> Double {
    let (hi, lo) = a >= b ? (a, b) : (b, a)
    guard lo > -.infinity, hi < .infinity else { return hi }
    return hi + log2(1 + exp2(lo - hi))
}

extension BigFloat {
    /// Bits after the binary point of this (finite) dyadic number: 0 for an integer.
    var fractionalBits: Int {
        withMPFR { x in
            var e: Int64 = 0, negative: Int32 = 0
            let n = Int((cmpfr_get_prec(x) + 63) / 64)
            var limbs = [UInt64](repeating: 0, count: Swift.max(1, n))
            guard cfx_dyadic(x, &limbs, Int32(limbs.count), &e, &negative) > 0 else { return 0 }
            return e < 0 ? Int(-e) : 0
        }
    }
}
