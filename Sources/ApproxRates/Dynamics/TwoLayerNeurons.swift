import Foundation
import PrecisionModule
import FileIOModule

/// Each neuron of a two-layer network as a point of the condensation picture: its amplitude
/// |a_k|·‖(w_k, b_k)‖ and the orientation of (w_k, b_k).
///
/// For 1-D inputs the orientation is the angle atan2(b_k, w_k) ∈ (−π, π] (Luo et al.'s picture).
/// For d > 1 it is the angle in [0, π] between (w_k, b_k) and a reference direction: the
/// (w, b) of the neuron of largest amplitude after training, passed in so that the pictures at
/// initialisation and after training share it.
public struct TwoLayerNeurons: Sendable, Codable {
    /// |a_k|·‖(w_k, b_k)‖, by neuron.
    public let amplitudes: [Double]
    /// Orientation in radians, by neuron.
    public let angles: [Double]
    /// What ``angles`` measures (for the axis label).
    public let angleName: String

    /// The neurons of θ (layout of ``TwoLayerReLU``) for width m and input dimension d; `reference`
    /// is the direction for d > 1 (ignored for d = 1).
    public init(theta: [Double], width m: Int, inputDimension d: Int, reference: [Double]? = nil) {
        let p = d + 1
        var amplitudes = [Double](repeating: 0, count: m), angles = [Double](repeating: 0, count: m)
        let unit: [Double]? = reference.map { r in
            let norm = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? r.map { $0 / norm } : r
        }
        for k in 0..<m {
            let row = theta[(m + k * p)..<(m + (k + 1) * p)]
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            amplitudes[k] = Swift.abs(theta[k]) * norm
            if d == 1 {
                angles[k] = Foundation.atan2(row[row.startIndex + 1], row[row.startIndex])
            } else if let u = unit, norm > 0 {
                var dot = 0.0
                for (i, value) in row.enumerated() { dot += u[i] * value }
                angles[k] = Foundation.acos(Swift.max(-1, Swift.min(1, dot / norm)))
            }
        }
        self.amplitudes = amplitudes; self.angles = angles
        concentration = TwoLayerNeurons.concentration(theta: theta, width: m, columns: p, amplitudes: amplitudes)
        angleName = d == 1 ? "atan2(b, w)" : "angle to the largest neuron's (w, b)"
    }

    /// The (w, b) of the neuron of largest amplitude in θ: the reference direction for d > 1.
    public static func largest(theta: [Double], width m: Int, inputDimension d: Int) -> [Double] {
        let p = d + 1
        var best = 0, bestAmplitude = -1.0
        for k in 0..<m {
            var norm = 0.0
            for c in 0..<p { norm += theta[m + k * p + c] * theta[m + k * p + c] }
            let a = Swift.abs(theta[k]) * norm.squareRoot()
            if a > bestAmplitude { bestAmplitude = a; best = k }
        }
        return Array(theta[(m + best * p)..<(m + (best + 1) * p)])
    }

    /// The share of the total amplitude carried by neurons whose direction (w_k, b_k)/‖(w_k, b_k)‖
    /// is within ``concentrationRadius`` radians of one of the ``concentrationDirections``
    /// directions picked greedily from the largest amplitudes down (each at least twice the radius
    /// from those already picked): near 1 when the network has condensed onto a few directions,
    /// small for directions spread out (at initialisation about the share of a random spread).
    public let concentration: Double
    /// Directions and radius (radians) of ``concentration``.
    public static let concentrationDirections = 4, concentrationRadius = 0.1

    static func concentration(theta: [Double], width m: Int, columns p: Int, amplitudes: [Double]) -> Double {
        let total = amplitudes.reduce(0, +)
        guard total > 0 else { return 0 }
        func unit(_ k: Int) -> [Double] {
            let row = Array(theta[(m + k * p)..<(m + (k + 1) * p)])
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? row.map { $0 / norm } : row
        }
        func angle(_ u: [Double], _ v: [Double]) -> Double {
            var dot = 0.0
            for i in u.indices { dot += u[i] * v[i] }
            return Foundation.acos(Swift.max(-1, Swift.min(1, dot)))
        }
        let r = concentrationRadius
        var centres: [[Double]] = []
        for k in amplitudes.indices.sorted(by: { amplitudes[$0] > amplitudes[$1] }) where centres.count < concentrationDirections {
            let u = unit(k)
            if !centres.contains(where: { angle($0, u) <= 2 * r }) { centres.append(u) }
        }
        var near = 0.0
        for k in amplitudes.indices {
            let u = unit(k)
            if centres.contains(where: { angle($0, u) <= r }) { near += amplitudes[k] }
        }
        return near / total
    }
}
