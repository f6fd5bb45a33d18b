import PrecisionModule
import FileIOModule
/// How big a network is, in the conventions of the whole toolkit. Every count anywhere in the
/// library (tables, fits, depth laws) comes from here.
///
/// - `weightsAll` (W_all): every stored weight slot plus one bias slot per unit, zeros included.
/// - `weightsNonzero` (W_nz): the stored weights and biases that are not zero.
/// - `depth` (L): the number of affine maps, so a one-hidden-layer network has L = 2.
/// - `widths`: the hidden widths n_1 ... n_{L-1} (the outputs of every layer but the last).
public struct NetworkCounts: Hashable, Sendable, Codable {
    /// W_all: every weight and bias slot.
    public let weightsAll: Int
    /// W_nz: nonzero weights and biases.
    public let weightsNonzero: Int
    /// L: number of affine maps.
    public let depth: Int
    /// Hidden widths n_1 ... n_{L-1}.
    public let widths: [Int]
    /// Input coordinates.
    public let inputDimension: Int
    /// Output coordinates.
    public let outputDimension: Int

    /// Counts of `network`.
    public init(_ network: Network) {
        weightsAll = network.layers.reduce(0) { $0 + $1.weights.count + $1.outputCount }
        weightsNonzero = network.layers.reduce(0) { acc, layer in
            acc + layer.weights.filter { !$0.isZero }.count + layer.bias.filter { !$0.isZero }.count
        }
        depth = network.layers.count
        widths = network.layers.dropLast().map(\.outputCount)
        inputDimension = network.inputDimension
        outputDimension = network.outputDimension
    }

    /// Hidden units: the sum of the hidden widths.
    public var hiddenUnits: Int { widths.reduce(0, +) }

    /// The largest hidden width (0 without hidden layers).
    public var maximumWidth: Int { widths.max() ?? 0 }

    /// The bound prod_l (n_l + 1) on the number of linear pieces of a ReLU network on a 1-D
    /// input (Serra, Tjandraatmadja & Ramalingam 2018; section 5 item 8 of the reference notes),
    /// saturating at `Int.max`.
    public var pieceBound: Int {
        widths.reduce(1) { acc, n in
            let (r, overflow) = acc.multipliedReportingOverflow(by: n + 1)
            return overflow ? Int.max : r
        }
    }
}
