import Foundation
import PrecisionModule
import FileIOModule

/// The four regimes of one long run (Kalra & Barkeshli 2023, abstract): an early transient, an
/// intermediate saturation of the sharpness, progressive sharpening, and the edge of stability,
/// where λ_t hovers near 2/η. Located on the run's sharpness samples by explicit rules:
///
/// - transient: steps 1…``transientSteps`` (the early window);
/// - saturation: from the end of the transient through the trough of λ_t (λ_sat, its smallest
///   value after the transient and before the edge is reached) until λ_t first exceeds
///   (1 + ``rise``)·λ_sat after the trough;
/// - progressive sharpening: from there until λ_t η first reaches ``edge`` (1.9 by default, 95 %
///   of the stability threshold 2);
/// - edge of stability: the rest; summarised by the mean, spread and range of λ_t η.
///
/// Independently of these rules, the run's last ``finalFraction`` of steps (the last 20 % by
/// default: samples at t > 0.8 T) is summarised the same way: where λ_t η settles at the end.
public struct TrainingRegimes: Sendable, Codable {
    /// Steps counted as the early transient.
    public let transientSteps: Int
    /// λ_sat: the saturated sharpness after the transient.
    public let saturatedSharpness: Double?
    /// First step of progressive sharpening (nil: never).
    public let sharpeningStart: Int?
    /// First step at the edge of stability (nil: never reached).
    public let edgeStart: Int?
    /// Mean of λ_t η over the edge-of-stability samples.
    public let edgeMean: Double?
    /// Standard deviation of λ_t η there.
    public let edgeSpread: Double?
    /// Smallest and largest λ_t η there.
    public let edgeRange: [Double]?
    /// Samples at the edge.
    public let edgeSamples: Int
    /// The fraction of the run's last steps summarised below.
    public let finalFraction: Double
    /// Mean of λ_t η over the samples with t > (1 − finalFraction)·T (T the steps run).
    public let finalMean: Double?
    /// Standard deviation of λ_t η there.
    public let finalSpread: Double?
    /// Smallest and largest λ_t η there.
    public let finalRange: [Double]?
    /// Samples there.
    public let finalSamples: Int
    /// The least-squares line of λ_t η against t over those samples: its rise across the window
    /// (value at the last sample minus value at the first). Near 0 on a plateau; positive while
    /// the sharpness is still rising.
    public let finalRise: Double?

    /// The regimes of `run` (λ_t from its sharpness samples, η its learning rate).
    public init(_ run: EarlyTrainingRun, transientSteps: Int = 10, rise: Double = 0.1, edge: Double = 1.9, finalFraction: Double = 0.2) {
        self.transientSteps = transientSteps
        self.finalFraction = finalFraction
        let eta = run.learningRate
        let after = run.sharpness.filter { $0.step >= transientSteps }
        let edgeSample = after.first { $0.value * eta >= edge }
        let before = after.filter { $0.step < (edgeSample?.step ?? Int.max) }
        let trough = before.min { $0.value < $1.value }
        saturatedSharpness = trough?.value
        let rising = trough.flatMap { t in after.first { $0.step > t.step && $0.value > (1 + rise) * t.value } }
        sharpeningStart = rising?.step
        edgeStart = edgeSample?.step
        let edgeValues = edgeSample.map { e in run.sharpness.filter { $0.step >= e.step }.map { $0.value * eta } } ?? []
        edgeSamples = edgeValues.count
        (edgeMean, edgeSpread, edgeRange) = TrainingRegimes.moments(edgeValues)
        let cut = (1 - finalFraction) * Double(run.losses.count)
        let finalPoints = run.sharpness.filter { Double($0.step) > cut }
        let finalValues = finalPoints.map { $0.value * eta }
        finalSamples = finalValues.count
        (finalMean, finalSpread, finalRange) = TrainingRegimes.moments(finalValues)
        finalRise = TrainingRegimes.rise(finalPoints.map { Double($0.step) }, finalValues)
    }

    /// Slope of the least-squares line of `y` on `t`, times the span of `t` (nil below 2 points).
    static func rise(_ t: [Double], _ y: [Double]) -> Double? {
        guard t.count >= 2, let first = t.first, let last = t.last, last > first else { return nil }
        let tm = t.reduce(0, +) / Double(t.count), ym = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0
        for (a, b) in zip(t, y) { sxy += (a - tm) * (b - ym); sxx += (a - tm) * (a - tm) }
        return sxy / sxx * (last - first)
    }

    /// Mean, standard deviation and [min, max] (nils when empty).
    static func moments(_ values: [Double]) -> (Double?, Double?, [Double]?) {
        guard !values.isEmpty else { return (nil, nil, nil) }
        let mean = values.reduce(0, +) / Double(values.count)
        let spread = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        return (mean, spread, [values.min()!, values.max()!])
    }

    /// Whether all four regimes were seen in order.
    public var allFour: Bool {
        guard let s = sharpeningStart, let e = edgeStart else { return false }
        return s > transientSteps && e > s
    }
}
