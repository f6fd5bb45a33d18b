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

    /// The regimes of `run` (λ_t from its sharpness samples, η its learning rate).
    public init(_ run: EarlyTrainingRun, transientSteps: Int = 10, rise: Double = 0.1, edge: Double = 1.9) {
        self.transientSteps = transientSteps
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
        if edgeValues.isEmpty {
            edgeMean = nil; edgeSpread = nil; edgeRange = nil
        } else {
            let mean = edgeValues.reduce(0, +) / Double(edgeValues.count)
            edgeMean = mean
            edgeSpread = (edgeValues.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(edgeValues.count)).squareRoot()
            edgeRange = [edgeValues.min()!, edgeValues.max()!]
        }
    }

    /// Whether all four regimes were seen in order.
    public var allFour: Bool {
        guard let s = sharpeningStart, let e = edgeStart else { return false }
        return s > transientSteps && e > s
    }
}
