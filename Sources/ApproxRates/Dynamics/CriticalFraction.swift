import Foundation
import PrecisionModule
import FileIOModule

/// The effective theory's critical training fraction (Liu et al. 2022, Fig. 4a): the probability
/// that a random training set of a given size fixes the representation up to translation and scale
/// (``ParallelogramSystem/determinesRepresentation``) jumps from 0 to 1 around r_c. Pure linear
/// algebra, exact; no training.
public struct CriticalFraction: Sendable, Codable {
    /// One training-set size.
    public struct Point: Sendable, Codable {
        /// Training examples and their share of p(p + 1)/2.
        public let trainCount: Int, fraction: Double
        /// Random training sets drawn.
        public let samples: Int
        /// Share of them with nullity 2.
        public let probability: Double
        /// Mean ideal test accuracy Acc̄ over them.
        public let idealTestAccuracy: Double
    }

    /// p.
    public let p: Int
    /// By increasing size.
    public let points: [Point]
    /// The fraction where the probability first reaches ½, linearly interpolated between the two
    /// sizes around it (nil if it never does).
    public let critical: Double?

    /// The curve for numbers 0 … p − 1 at `trainCounts` (increasing), `samples` random sets each
    /// (seeds 1 … samples, the same seeds a training run with that seed uses for its split).
    public init(p: Int, trainCounts: [Int], samples: Int) {
        self.p = p
        points = trainCounts.map { n in
            var hits = 0, ideal = 0.0
            for s in 1...UInt64(samples) {
                let system = ParallelogramSystem(task: AdditionTask(p: p, trainCount: n, seed: s))
                if system.determinesRepresentation { hits += 1 }
                ideal += system.idealTestAccuracy
            }
            return Point(trainCount: n, fraction: Double(n) / Double(p * (p + 1) / 2), samples: samples,
                         probability: Double(hits) / Double(samples), idealTestAccuracy: ideal / Double(samples))
        }
        critical = CriticalFraction.crossing(points.map { ($0.fraction, $0.probability) })
    }

    /// The first x at which y reaches ½ along the increasing-x polyline `curve` (interpolated), nil if none.
    public static func crossing(_ curve: [(Double, Double)], level: Double = 0.5) -> Double? {
        guard let first = curve.first else { return nil }
        if first.1 >= level { return first.0 }
        for i in 1..<curve.count where curve[i].1 >= level {
            let (x0, y0) = curve[i - 1], (x1, y1) = curve[i]
            return x0 + (level - y0) / (y1 - y0) * (x1 - x0)
        }
        return nil
    }
}
