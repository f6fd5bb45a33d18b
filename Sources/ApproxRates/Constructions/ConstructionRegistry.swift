import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

/// The constructions a rate experiment can grow, in the order the tool lists them. The CLI, the
/// sweep plans, the phase diagram's markers and the sweep's cost estimate read them from here.
public enum ConstructionRegistry {
    /// Every construction, one line each.
    public static let all: [any Construction.Type] = [
        InterpolationConstruction.self,
        TaylorConstruction.self,
        DeepConstruction.self,
        FixedWidthConstruction.self,
        QuadraticSplineConstruction.self,
    ]

    /// The registry names, in order.
    public static var names: [String] { all.map { $0.name } }

    /// The construction named `name`, or nil.
    public static func type(named name: String) -> (any Construction.Type)? { all.first { $0.name == name } }

    /// The construction `name` made from `parameters`. Throws naming the parameter when one is
    /// given to a construction that does not take it, or has a value it does not allow, and
    /// naming the constructions when `name` is not one of them.
    public static func make(_ name: String, _ parameters: ConstructionParameters) throws -> any Construction {
        guard let type = type(named: name) else {
            throw ConstructionError.parameter("unknown construction '\(name)': use \(names.joined(separator: " or "))")
        }
        for p in ConstructionParameter.allCases where !type.parameters.contains(p) {
            let given: Bool
            switch p {
            case .degree: given = parameters.degree != nil
            case .alpha: given = parameters.alpha != nil
            case .digitOrder: given = parameters.digitOrder != nil
            case .fineRatio: given = parameters.fineRatio != nil
            case .digitBound: given = parameters.digitBound != nil
            }
            if given {
                let takers = all.filter { $0.parameters.contains(p) }.map { $0.name }
                throw ConstructionError.invalid(parameter: p.rawValue, reason: "applies to the \(takers.joined(separator: " and ")) construction\(takers.count == 1 ? "" : "s") only")
            }
        }
        guard parameters.smoothness.isFinite, parameters.smoothness > 0, parameters.smoothness <= maximumSmoothness else {
            throw ConstructionError.invalid(parameter: "smoothness", reason: "r = \(parameters.smoothness) is not allowed: the constructions take 0 < r <= \(Int(maximumSmoothness)) (their degrees and orders come from r)")
        }
        return try type.make(parameters)
    }

    /// The largest smoothness a construction is planned for: r sets Taylor degrees (at most 8),
    /// the deep construction's order and its precision, all of which overflow long before r = 10⁴.
    public static let maximumSmoothness = 100.0

    /// `name` with its options; `degree` nil for taylor means ⌈r⌉ − 1; `activation` (default
    /// ReLU) is the unit of the construction.
    public static func named(_ name: String, degree: Int?, smoothness: Double, alpha: Double? = nil,
                             activation: Activation = .relu, digitOrder: Int? = nil, fineRatio: Double? = nil,
                             digitBound: Int? = nil) throws -> any Construction {
        try make(name, ConstructionParameters(smoothness: smoothness, degree: degree, alpha: alpha, activation: activation,
                                              digitOrder: digitOrder, fineRatio: fineRatio, digitBound: digitBound))
    }

    /// The kinds of the gadgets and other networks built outside the registry (their facts name
    /// them; they have no rate experiment).
    public static let otherKinds: [ConstructionFacts.Kind] = [.tooth, .sawtooth, .squaring, .multiply, .partition, .sineLookup, .sineShattering]

    /// Whether `kind` names a registered construction or one of ``otherKinds``.
    public static func isKnown(_ kind: ConstructionFacts.Kind) -> Bool {
        type(named: kind.rawValue) != nil || otherKinds.contains(kind)
    }

    /// Throws unless the facts of `network` (if any) name a known construction: a network file
    /// whose kind is misspelt is refused, not measured with the default search.
    public static func checkKind(of network: Network) throws {
        guard let kind = network.construction?.kind, !isKnown(kind) else { return }
        throw ConstructionError.parameter("the network's construction kind '\(kind)' is not known: use \((names + otherKinds.map(\.rawValue)).joined(separator: ", "))")
    }

    /// The phase diagram's marker of the construction `name` (a diamond for names not registered).
    public static func marker(_ name: String) -> ConstructionMarker { type(named: name)?.marker ?? .diamond }

    /// The sweep's relative cost per weight of the construction `name` (1 for names not registered).
    public static func costPerWeight(_ name: String) -> Double { type(named: name)?.costPerWeight ?? 1 }
}
