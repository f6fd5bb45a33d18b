import Foundation
import PrecisionModule
import FileIOModule

/// The training fraction at which the toy generalises, measured by training, against the effective
/// theory's critical fraction (the probability that the training set fixes the representation).
public struct GrokkingFractionSummary: Sendable, Codable {
    /// One training fraction.
    public struct Point: Sendable, Codable {
        /// Training examples and their share of p(p + 1)/2.
        public let trainCount: Int, fraction: Double
        /// Seeds trained.
        public let seeds: Int
        /// Share of seeds whose validation accuracy reached the threshold within the budget.
        public let generalised: Double
        /// Share of seeds whose RQI exceeded the RQI threshold within the budget.
        public let structured: Double
        /// Means over the seeds of the final validation accuracy, the predicted accuracy Acc^ and
        /// the ideal accuracy Acc̄.
        public let meanValidationAccuracy: Double, meanPredictedAccuracy: Double, meanIdealAccuracy: Double
        /// Share of the trained seeds whose training set has nullity 2.
        public let trainedNullityTwo: Double
        /// The theory: P(nullity = 2) over ``CriticalFraction`` samples at this size.
        public let theoryProbability: Double
        /// Median step at which RQI exceeded the threshold, over the seeds that got there.
        public let medianRQIStep: Int?
    }

    /// By increasing fraction.
    public let points: [Point]
    /// Random training sets per size behind the theory's probabilities.
    public let theorySamples: Int
    /// Fractions at which the share reaches ½ (linear interpolation; nil if never): the theory's
    /// P(nullity = 2), the measured generalisation, and the measured structure (RQI).
    public let theoryCritical: Double?, generalisationCritical: Double?, structureCritical: Double?

    /// The summary of the runs of `records` (one learning rate and weight decay, several
    /// fractions) against `theory`, which must hold every trained training-set size (the fraction
    /// command computes it once over every size, for its picture too).
    public init(records: [GrokkingRecord], theory: CriticalFraction) {
        let byFraction = Dictionary(grouping: records, by: \.fraction)
        let fractions = byFraction.keys.sorted()
        let bySize = Dictionary(uniqueKeysWithValues: theory.points.map { ($0.trainCount, $0) })
        theorySamples = theory.points.first?.samples ?? 0
        points = fractions.map { f in
            let t = bySize[AdditionTask.trainCount(p: theory.p, fraction: f)]!
            let rs = byFraction[f]!
            let n = Double(rs.count)
            func mean(_ v: (GrokkingRecord) -> Double) -> Double { rs.map(v).reduce(0, +) / n }
            let rqiSteps = rs.compactMap(\.run.rqiStep).sorted()
            return Point(trainCount: t.trainCount, fraction: t.fraction, seeds: rs.count,
                         generalised: mean { $0.run.validationStep != nil ? 1 : 0 }, structured: mean { $0.run.rqiStep != nil ? 1 : 0 },
                         meanValidationAccuracy: mean(\.run.finalValidationAccuracy), meanPredictedAccuracy: mean(\.run.predictedAccuracy),
                         meanIdealAccuracy: mean(\.run.idealAccuracy), trainedNullityTwo: mean { $0.run.nullity == 2 ? 1 : 0 },
                         theoryProbability: t.probability, medianRQIStep: rqiSteps.isEmpty ? nil : rqiSteps[rqiSteps.count / 2])
        }
        theoryCritical = CriticalFraction.crossing(points.map { ($0.fraction, $0.theoryProbability) })
        generalisationCritical = CriticalFraction.crossing(points.map { ($0.fraction, $0.generalised) })
        structureCritical = CriticalFraction.crossing(points.map { ($0.fraction, $0.structured) })
    }
}
