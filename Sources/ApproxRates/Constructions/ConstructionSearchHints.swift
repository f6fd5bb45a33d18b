import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule

extension ConstructionRegistry {
    /// Sets the search hints of `network` in `options` (``searchHints(of:)``).
    public static func applySearchHints(of network: Network, to options: inout SupNorm.Options) {
        options.apply(searchHints(of: network))
    }

    /// The builders that supply search hints: the registry's constructions and the sine lookup.
    static let hinted: [any SearchHinted.Type] = all + [SineLookup.self]

    /// The search hints of `network`, from its typed ``ConstructionFacts``: the builder of its
    /// kind supplies them (``SearchHinted/searchHints(_:dimension:)``); none for a network
    /// without facts.
    public static func searchHints(of network: Network) -> SearchHints {
        guard let facts = network.construction, let builder = hinted.first(where: { $0.name == facts.kind.rawValue }) else { return .none }
        return builder.searchHints(facts, dimension: network.inputDimension)
    }

    /// The intervals the sup-norm search samples rather than sweeps for `network`: the cut-off
    /// zones of a 1-D deep or fixed-width network (``searchHints(of:)``), none for the others.
    public static func sampledZones(of network: Network) -> [ClosedRange<Double>] { searchHints(of: network).sampledZones }

    /// The grid spacing the sampling search must resolve for `network` (``searchHints(of:)``).
    public static func samplingSpacing(of network: Network) -> Double? { searchHints(of: network).samplingSpacing }
}
