import CMPFR
import PrecisionModule
import FileIOModule

/// The ways constructions put networks together. Each keeps the function exactly (no weight
/// is rounded; an optional fusion that would round is not done) and keeps the counts exact:
/// - `composed(after:)`: depth and W add.
/// - `parallel(_:)`: W is the sum of the branches' W plus the identity padding (2 slots per
///   padded channel and layer); depth is the largest branch depth.
/// - `sum(_:)`: as `parallel`, plus a summation layer unless it fuses exactly into the last layers.
extension Network {
    /// `self ∘ inner`: x ↦ self(inner(x)). Throws when the sizes do not meet.
    public func composed(after inner: Network) throws -> Network {
        guard inner.outputDimension == inputDimension else {
            throw NetworkError.mismatchedSizes(layer: inner.layers.count, expected: inputDimension, actual: inner.outputDimension)
        }
        return try Network(inputDimension: inner.inputDimension, layers: inner.layers + layers,
                           metadata: inner.metadata.merging(metadata) { _, b in b })
    }

    /// The identity map of `dimension` coordinates as `depth` layers of identity units
    /// (one weight 1 and one bias 0 per channel and layer).
    public static func identity(dimension: Int, depth: Int, precision: Precision = .double) throws -> Network {
        let layer = try AffineLayer(inputCount: dimension, outputCount: dimension,
                                    entries: (0..<dimension).map { ($0, $0, BigFloat(1.0, precision: precision)) },
                                    bias: Array(repeating: BigFloat(0.0, precision: precision), count: dimension),
                                    activations: Array(repeating: .identity, count: dimension))
        return try Network(inputDimension: dimension, layers: Array(repeating: layer, count: depth))
    }

    /// The same function with `extra` identity layers appended (depth + extra).
    public func padded(by extra: Int) throws -> Network {
        guard extra > 0 else { return self }
        return try Network.identity(dimension: outputDimension, depth: extra).composed(after: self)
    }

    /// x ↦ (f_1(x), ..., f_k(x)): branches side by side on one shared input, outputs concatenated.
    /// Shorter branches are padded at their output end with identity layers.
    public static func parallel(_ branches: [Network]) throws -> Network {
        guard let first = branches.first else { throw NetworkError.unsupported("parallel needs at least one branch") }
        guard branches.allSatisfy({ $0.inputDimension == first.inputDimension }) else {
            throw NetworkError.unsupported("parallel branches must share one input dimension")
        }
        if branches.count == 1 { return first }
        let depth = branches.map(\.layers.count).max()!
        let padded = try branches.map { try $0.padded(by: depth - $0.layers.count) }
        var layers: [AffineLayer] = []
        for l in 0..<depth {
            var entries: [(Int, Int, BigFloat)] = []
            var bias: [BigFloat] = []
            var activations: [Activation] = []
            var rowOffset = 0, columnOffset = 0
            for branch in padded {
                let layer = branch.layers[l]
                for i in 0..<layer.outputCount {
                    for (j, w) in layer.row(i) { entries.append((rowOffset + i, (l == 0 ? 0 : columnOffset) + j, w)) }
                }
                bias += layer.bias
                activations += layer.activations
                rowOffset += layer.outputCount
                columnOffset += layer.inputCount
            }
            let inputs = l == 0 ? first.inputDimension : columnOffset
            layers.append(try AffineLayer(inputCount: inputs, outputCount: rowOffset, entries: entries, bias: bias,
                                          activations: activations, precision: nil, dense: false))
        }
        return try Network(inputDimension: first.inputDimension, layers: layers,
                           metadata: ["combinator": "parallel(\(branches.count))"])
    }

    /// x ↦ f_1(x) + ... + f_k(x) for branches with one output dimension. The summation is fused
    /// into the last layers when they all have identity activations and the biases add exactly;
    /// otherwise it is one more layer.
    public static func sum(_ branches: [Network]) throws -> Network {
        guard let first = branches.first else { throw NetworkError.unsupported("sum needs at least one branch") }
        let m = first.outputDimension
        guard branches.allSatisfy({ $0.outputDimension == m }) else {
            throw NetworkError.unsupported("summed branches must have one output dimension")
        }
        let stacked = try parallel(branches)
        let k = branches.count
        let summation = try AffineLayer(
            inputCount: k * m, outputCount: m,
            entries: (0..<m).flatMap { i in (0..<k).map { b in (i, b * m + i, BigFloat(1.0)) } },
            bias: Array(repeating: BigFloat(0.0), count: m),
            activations: Array(repeating: .identity, count: m), precision: nil, dense: false)
        return try stacked.appending(summation, fuse: true)
    }

    /// x ↦ self(A x + b) with A given by rows (`rows.count` = inputDimension). Fused into the
    /// first layer when that is exact, else a new first layer with identity units.
    public func preAffine(rows: [[BigFloat]], bias: [BigFloat]) throws -> Network {
        let map = try AffineLayer(rows: rows, bias: bias, activations: Array(repeating: .identity, count: rows.count))
        guard map.outputCount == inputDimension else {
            throw NetworkError.mismatchedSizes(layer: 0, expected: inputDimension, actual: map.outputCount)
        }
        guard let firstLayer = layers.first else {
            return try Network(inputDimension: map.inputCount, layers: [map], metadata: metadata)
        }
        if let fused = AffineLayer.fusedExactly(map, then: firstLayer) {
            return try Network(inputDimension: map.inputCount, layers: [fused] + layers.dropFirst(), metadata: metadata)
        }
        return try Network(inputDimension: map.inputCount, layers: [map] + layers, metadata: metadata)
    }

    /// x ↦ C self(x) + d with C given by rows. Fused into the last layer when its units are
    /// identity and the product is exact, else a new last layer with identity units.
    public func postAffine(rows: [[BigFloat]], bias: [BigFloat]) throws -> Network {
        let map = try AffineLayer(rows: rows, bias: bias, activations: Array(repeating: .identity, count: rows.count))
        return try appending(map, fuse: true)
    }

    /// Appends `layer`, fusing it into the current last layer when that is exact.
    func appending(_ layer: AffineLayer, fuse: Bool) throws -> Network {
        guard layer.inputCount == outputDimension else {
            throw NetworkError.mismatchedSizes(layer: layers.count, expected: layer.inputCount, actual: outputDimension)
        }
        if fuse, let last = layers.last, let fused = AffineLayer.fusedExactly(last, then: layer) {
            return try Network(inputDimension: inputDimension, layers: layers.dropLast() + [fused], metadata: metadata)
        }
        return try Network(inputDimension: inputDimension, layers: layers + [layer], metadata: metadata)
    }
}

extension AffineLayer {
    /// The single layer equal to `second ∘ first` when `first` has identity units:
    /// W = W2 W1, b = W2 b1 + b2, computed exactly. Nil when `first` has a nonlinear unit or a
    /// sum would round. The result keeps `second`'s activations, is stored sparse (structural
    /// product pattern) and has the smallest precision holding every number exactly.
    static func fusedExactly(_ first: AffineLayer, then second: AffineLayer) -> AffineLayer? {
        guard first.activations.allSatisfy({ $0 == .identity }), first.outputCount == second.inputCount else { return nil }
        let work = Precision(uncheckedBits: first.precision.bits + second.precision.bits + Precision.Margin.exactSums)
        var entries: [(Int, Int, BigFloat)] = []
        var bias: [BigFloat] = []
        for i in 0..<second.outputCount {
            var accumulated: [Int: BigFloat] = [:]
            // Stored values are taken as exact: only rounding by this fusion disqualifies it.
            var b = BigFloat(second.bias[i].asStoredValue, precision: work)
            for (k, w2s) in second.row(i) {
                let w2 = w2s.asStoredValue
                for (j, w1) in first.row(k) {
                    let product = w2.multiplied(by: w1.asStoredValue, precision: work)
                    accumulated[j] = accumulated[j].map { $0.adding(product, precision: work) } ?? product
                }
                b = b.adding(w2.multiplied(by: first.bias[k].asStoredValue, precision: work), precision: work)
            }
            for (j, w) in accumulated.sorted(by: { $0.key < $1.key }) { entries.append((i, j, w)) }
            bias.append(b)
        }
        guard entries.allSatisfy({ $0.2.isExact }), bias.allSatisfy(\.isExact) else { return nil }
        let needed = (entries.map(\.2) + bias).map { v in v.withMPFR { Int(mpfr_min_prec($0)) } }.max() ?? 2
        let p = Precision(uncheckedBits: Swift.max(needed, first.precision.bits, second.precision.bits, 2))
        return try? AffineLayer(inputCount: first.inputCount, outputCount: second.outputCount, entries: entries,
                                bias: bias, activations: second.activations, precision: p, dense: false)
    }

}

extension Network {
    /// The same function as a fully-connected network of the given hidden `width`: every hidden
    /// layer padded with units that are identically 0 (no weights, zero bias, the layer's first
    /// activation) and stored densely, so that ``NetworkCounts/weightsAll`` counts every slot of
    /// the architecture. Throws when a hidden layer is wider than `width`. `metadata` replaces
    /// the network's.
    public func fullyConnected(width: Int, metadata: [String: String]) throws -> Network {
        var layers: [AffineLayer] = []
        var inputs = inputDimension
        for (l, layer) in self.layers.enumerated() {
            let hidden = l < self.layers.count - 1
            guard !hidden || layer.outputCount <= width else {
                throw NetworkError.unsupported("hidden layer \(l + 1) has \(layer.outputCount) units, more than the width \(width)")
            }
            let units = hidden ? width : layer.outputCount
            let zero = BigFloat(0, precision: layer.precision)
            var rows = Array(repeating: Array(repeating: zero, count: inputs), count: units)
            for i in 0..<layer.outputCount { for k in layer.rowStart[i]..<layer.rowStart[i + 1] { rows[i][layer.columns[k]] = layer.weights[k] } }
            let bias = layer.bias + Array(repeating: zero, count: units - layer.outputCount)
            let activations = layer.activations + Array(repeating: layer.activations.first ?? .relu, count: units - layer.outputCount)
            layers.append(try AffineLayer(rows: rows, bias: bias, activations: activations, precision: layer.precision))
            inputs = units
        }
        return try Network(inputDimension: inputDimension, layers: layers, metadata: metadata)
    }
}
