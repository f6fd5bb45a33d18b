import Foundation
import PrecisionModule
import FileIOModule

/// The learning phase of one run, by the rule of Liu et al. (2022) from the first steps at which
/// training and validation (test) accuracy reach the threshold, plus a fifth label for the case
/// that rule leaves unassigned.
public enum GrokkingPhase: String, Sendable, Codable, CaseIterable {
    /// Both reached, validation no more than `lag` steps after training.
    case comprehension
    /// Both reached, validation more than `lag` steps after training: generalisation long after
    /// the training set was fitted.
    case grokking
    /// Training reached, validation not within the budget.
    case memorization
    /// Neither reached.
    case confusion
    /// Validation reached but training not within the budget (the authors' classifier leaves this
    /// unassigned and colours it as comprehension; it is neither).
    case slow

    /// The phase from the first threshold steps (nil: not reached within the budget) and the lag
    /// threshold (the authors': 10³ at 10⁴ steps).
    public static func of(trainStep: Int?, validationStep: Int?, lag: Int) -> GrokkingPhase {
        switch (trainStep, validationStep) {
        case let (t?, v?): return v - t > lag ? .grokking : .comprehension
        case (.some, nil): return .memorization
        case (nil, .some): return .slow
        case (nil, nil): return .confusion
        }
    }

    /// The first index at which `values` reaches `threshold` (≥), nil if none.
    public static func firstReaching(_ values: [Double], threshold: Double) -> Int? {
        values.firstIndex { $0 >= threshold }
    }

    /// True for the two phases in which the network generalises (the "Goldilocks zone").
    public var generalises: Bool { self == .comprehension || self == .grokking || self == .slow }
}
