import PrecisionModule
/// What a construction knows about where its network's error lives, for the sampled search
/// (``SupNorm``) beyond its defaults. Typed: a misspelt hint does not compile. The constructions
/// floor derives it from a network's typed ``ConstructionFacts``
/// (``ConstructionRegistry/searchHints(of:)``); ``SupNorm/Options/apply(_:)`` sets it.
public struct SearchHints: Sendable, Equatable {
    /// 1-D intervals sampled rather than swept (the cut-off zones of the deep constructions,
    /// where the network folds into more pieces than a sweep can follow while its output stays
    /// simple). Lengths on [0, 1].
    public var sampledZones: [ClosedRange<Double>]
    /// A grid spacing the sampling search must resolve whatever its budget (a length on [0, 1]):
    /// the fine grid a deep network's error lives on, or the cell size of a smooth-per-cell
    /// network.
    public var samplingSpacing: Double?
    /// A floor for the exact sweep's budget of unit updates (a deep 1-D network's error lives in
    /// single fine cells, so the sweep is the search that scales).
    public var minimumSweepUpdates: Int?

    /// The precision each sine unit's result needs (``SupNorm/Options/sinePrecision``): a sine
    /// lookup needs a few hundred bits of results whose arguments hold 10⁵.
    public var sinePrecision: Precision?

    /// Hints with the given values (by default none).
    public init(sampledZones: [ClosedRange<Double>] = [], samplingSpacing: Double? = nil, minimumSweepUpdates: Int? = nil,
                sinePrecision: Precision? = nil) {
        self.sampledZones = sampledZones; self.samplingSpacing = samplingSpacing; self.minimumSweepUpdates = minimumSweepUpdates
        self.sinePrecision = sinePrecision
    }

    /// No hints: the search's defaults.
    public static let none = SearchHints()
}

extension SupNorm.Options {
    /// Sets the hints: the sampled zones, the sampling spacing and the sine precision are
    /// replaced, the sweep budget is raised to the hint's floor.
    public mutating func apply(_ hints: SearchHints) {
        sampledZones = hints.sampledZones
        samplingSpacing = hints.samplingSpacing
        sinePrecision = hints.sinePrecision
        if let floor = hints.minimumSweepUpdates { maximumSweepUpdates = Swift.max(maximumSweepUpdates, floor) }
    }
}
