import PrecisionModule
import FileIOModule
/// One stage of a feed-forward network: y_i = act_i( sum_j W_ij x_j + b_i ).
///
/// Weights are held in compressed sparse rows (CSR). A *dense* layer stores every slot (zeros
/// included), a *sparse* layer only the slots it lists; the distinction matters for counting
/// (``NetworkCounts/weightsAll``) and for evaluation (dense float64 layers go through BLAS).
/// Every weight and bias is a ``BigFloat`` of the layer's ``precision``: that is the precision
/// the numbers are stored, written and read at.
public struct AffineLayer: Sendable {
    /// Number of inputs x_j.
    public let inputCount: Int
    /// Number of outputs (units) y_i.
    public let outputCount: Int
    /// Precision of every stored weight and bias.
    public let precision: Precision
    /// True when every slot is stored.
    public let isDense: Bool
    /// CSR row offsets: row i holds entries `rowStart[i]..<rowStart[i+1]`; `outputCount + 1` values.
    public let rowStart: [Int]
    /// Column (input index) of each stored entry, increasing within a row.
    public let columns: [Int]
    /// Value of each stored entry.
    public let weights: [BigFloat]
    /// One bias per unit.
    public let bias: [BigFloat]
    /// One activation per unit.
    public let activations: [Activation]

    /// A dense layer from its rows (`rows[i][j]` = W_ij). `precision` defaults to the largest
    /// precision among the numbers given; numbers are rounded to it (exact when it is larger).
    public init(rows: [[BigFloat]], bias: [BigFloat], activations: [Activation], precision: Precision? = nil) throws {
        let m = rows.count
        let n = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == n }) else {
            throw NetworkError.malformedLayer(layer: 0, reason: "rows have different lengths")
        }
        var entries: [(Int, Int, BigFloat)] = []
        entries.reserveCapacity(m * n)
        for (i, row) in rows.enumerated() { for (j, w) in row.enumerated() { entries.append((i, j, w)) } }
        try self.init(inputCount: n, outputCount: m, entries: entries, bias: bias,
                      activations: activations, precision: precision, dense: true)
    }

    /// A sparse layer from its nonzero pattern. Entries are (row, column, weight); they may come
    /// in any order, but each slot at most once.
    public init(inputCount: Int, outputCount: Int, entries: [(row: Int, column: Int, weight: BigFloat)],
                bias: [BigFloat], activations: [Activation], precision: Precision? = nil) throws {
        try self.init(inputCount: inputCount, outputCount: outputCount,
                      entries: entries.map { ($0.row, $0.column, $0.weight) }, bias: bias,
                      activations: activations, precision: precision, dense: false)
    }

    init(inputCount: Int, outputCount: Int, entries: [(Int, Int, BigFloat)], bias: [BigFloat],
         activations: [Activation], precision: Precision?, dense: Bool) throws {
        guard inputCount >= 0, outputCount >= 1 else {
            throw NetworkError.malformedLayer(layer: 0, reason: "a layer needs at least one output (has \(outputCount))")
        }
        guard bias.count == outputCount else {
            throw NetworkError.malformedLayer(layer: 0, reason: "\(bias.count) biases for \(outputCount) units")
        }
        guard activations.count == outputCount else {
            throw NetworkError.malformedLayer(layer: 0, reason: "\(activations.count) activations for \(outputCount) units")
        }
        for a in activations { if case .reluPower(let k) = a, k < 2 { throw NetworkError.unknownActivation("relu^\(k)") } }
        let sorted = entries.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var rowStart = [Int](repeating: 0, count: outputCount + 1)
        var previous: (Int, Int)? = nil
        for (i, j, _) in sorted {
            guard (0..<outputCount).contains(i), (0..<inputCount).contains(j) else {
                throw NetworkError.malformedLayer(layer: 0, reason: "entry (\(i), \(j)) outside a \(outputCount) x \(inputCount) matrix")
            }
            if let p = previous, p == (i, j) {
                throw NetworkError.malformedLayer(layer: 0, reason: "entry (\(i), \(j)) given twice")
            }
            previous = (i, j)
            rowStart[i + 1] += 1
        }
        for i in 0..<outputCount { rowStart[i + 1] += rowStart[i] }
        if dense && sorted.count != inputCount * outputCount {
            throw NetworkError.malformedLayer(layer: 0, reason: "a dense layer needs all \(inputCount * outputCount) weights")
        }
        let p = precision ?? (sorted.map(\.2) + bias).map(\.precision).max() ?? .double
        self.inputCount = inputCount
        self.outputCount = outputCount
        self.precision = p
        self.isDense = dense
        self.rowStart = rowStart
        self.columns = sorted.map(\.1)
        self.weights = sorted.map { $0.2.precision == p ? $0.2 : BigFloat($0.2, precision: p) }
        self.bias = bias.map { $0.precision == p ? $0 : BigFloat($0, precision: p) }
        self.activations = activations
    }

    /// The activation shared by every unit, or nil when units differ.
    public var uniformActivation: Activation? {
        guard let first = activations.first, activations.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    /// The stored entries of row `i` as (column, weight) pairs.
    public func row(_ i: Int) -> [(column: Int, weight: BigFloat)] {
        (rowStart[i]..<rowStart[i + 1]).map { (columns[$0], weights[$0]) }
    }

    /// W_ij if stored, else nil (an unstored slot is a structural zero).
    public func weight(row i: Int, column j: Int) -> BigFloat? {
        let range = rowStart[i]..<rowStart[i + 1]
        guard let k = range.first(where: { columns[$0] == j }) else { return nil }
        return weights[k]
    }

    /// The same layer with another activation on every unit.
    public func with(activations: [Activation]) throws -> AffineLayer {
        try AffineLayer(inputCount: inputCount, outputCount: outputCount,
                        entries: (0..<outputCount).flatMap { i in row(i).map { (i, $0.column, $0.weight) } },
                        bias: bias, activations: activations, precision: precision, dense: isDense)
    }
}

extension AffineLayer {
    /// A dense layer from `Double` values (exact: every double is a 53-bit binary number).
    public static func dense(_ rows: [[Double]], bias: [Double], activation: Activation,
                             precision: Precision = .double) throws -> AffineLayer {
        try AffineLayer(rows: rows.map { $0.map { BigFloat($0, precision: precision) } },
                        bias: bias.map { BigFloat($0, precision: precision) },
                        activations: Array(repeating: activation, count: rows.count), precision: precision)
    }

    /// A sparse layer from `Double` entries (exact).
    public static func sparse(inputs: Int, entries: [(row: Int, column: Int, weight: Double)], bias: [Double],
                              activation: Activation, precision: Precision = .double) throws -> AffineLayer {
        try AffineLayer(inputCount: inputs, outputCount: bias.count,
                        entries: entries.map { ($0.row, $0.column, BigFloat($0.weight, precision: precision)) },
                        bias: bias.map { BigFloat($0, precision: precision) },
                        activations: Array(repeating: activation, count: bias.count), precision: precision)
    }
}
