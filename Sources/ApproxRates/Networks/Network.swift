import PrecisionModule
import FileIOModule
/// A feed-forward network: a list of affine layers, each followed by per-unit activations.
///
/// The network maps R^inputDimension to R^outputDimension. It is the one representation every
/// construction produces, every evaluator runs and every file holds. A network with no layers is
/// the identity map.
public struct Network: Sendable {
    /// Number of input coordinates.
    public let inputDimension: Int
    /// The stages, input side first.
    public let layers: [AffineLayer]
    /// Free-form provenance for people: construction, target, parameters (written to files as
    /// strings). Nothing in the library reads it to decide anything: typed facts go in
    /// ``construction``.
    public var metadata: [String: String]
    /// What the construction that built the network knows about it (nil for networks that no
    /// construction built, and for networks derived by a map that changes the function).
    public var construction: ConstructionFacts?

    /// Checks that consecutive layers fit together; throws ``NetworkError/mismatchedSizes(layer:expected:actual:)``.
    public init(inputDimension: Int, layers: [AffineLayer], metadata: [String: String] = [:], construction: ConstructionFacts? = nil) throws {
        guard inputDimension >= 1 else {
            throw NetworkError.unsupported("a network needs at least one input (got \(inputDimension))")
        }
        var width = inputDimension
        for (l, layer) in layers.enumerated() {
            guard layer.inputCount == width else {
                throw NetworkError.mismatchedSizes(layer: l, expected: layer.inputCount, actual: width)
            }
            width = layer.outputCount
        }
        self.inputDimension = inputDimension
        self.layers = layers
        self.metadata = metadata
        self.construction = construction
    }

    /// Number of output coordinates.
    public var outputDimension: Int { layers.last?.outputCount ?? inputDimension }

    /// The largest precision among the layers' stored numbers (53 bits for an empty network):
    /// the precision at which the weights are held exactly.
    public var weightPrecision: Precision { layers.map(\.precision).max() ?? .double }

    /// Size and shape in the library's counting conventions.
    public var counts: NetworkCounts { NetworkCounts(self) }

    /// True when every activation is identity or ReLU.
    public var isPiecewiseLinear: Bool { layers.allSatisfy { $0.activations.allSatisfy(\.isPiecewiseLinear) } }
}

extension Network {
    /// The same network with every weight and bias rounded to nearest at `precision` (for
    /// instance 53 bits: the network as float64 would store it). Metadata records the rounding.
    public func rounded(to precision: Precision) throws -> Network {
        let roundedLayers = try layers.map { layer in
            var entries: [(row: Int, column: Int, weight: BigFloat)] = []
            for i in 0..<layer.outputCount {
                for (j, w) in layer.row(i) { entries.append((i, j, BigFloat(w, precision: precision))) }
            }
            let layer2 = try AffineLayer(inputCount: layer.inputCount, outputCount: layer.outputCount, entries: entries,
                                         bias: layer.bias.map { BigFloat($0, precision: precision) },
                                         activations: layer.activations, precision: precision)
            return layer2
        }
        var meta = metadata
        meta["weights_rounded_to_bits"] = "\(precision.bits)"
        return try Network(inputDimension: inputDimension, layers: roundedLayers, metadata: meta, construction: construction)
    }
}
