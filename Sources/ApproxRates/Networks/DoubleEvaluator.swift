import CBLAS
import PrecisionModule
import FileIOModule

/// Evaluates a network in IEEE 754 binary64 over a batch.
///
/// Weights are the stored numbers rounded to nearest double. Dense layers are one BLAS `dgemm`
/// per chunk of the batch (OpenBLAS; summation order and fused multiply-adds are BLAS's, so
/// results can differ from a sequential loop in the last bits unless every operation is exact);
/// sparse layers loop over their stored entries in the order of ``MPFREvaluator``. Activations as
/// ``Activation/apply(_:)``.
public final class DoubleEvaluator: @unchecked Sendable {
    /// The network being evaluated.
    public let network: Network
    /// How many stored weights and biases were changed by rounding to float64 (0: the float64
    /// network is the stored network exactly).
    public let roundedWeightCount: Int

    struct Layer {
        let rows: Int
        let columnsCount: Int
        let dense: Bool
        let rowStart: [Int]
        let columns: [Int]
        /// Dense: row-major rows x columnsCount. Sparse: one value per stored entry.
        let weights: [Double]
        let bias: [Double]
        let activations: [Activation]
        let uniform: Activation?
    }

    let layers: [Layer]
    let maxWidth: Int

    /// Prepares `network`: rounds its numbers to doubles once.
    public init(network: Network, blasThreads: Int = 1) {
        self.blasThreads = blasThreads
        self.network = network
        var rounded = 0
        func toDouble(_ values: [BigFloat]) -> [Double] {
            values.map { v in
                let d = v.toDouble()
                if BigFloat(d) != v { rounded += 1 }
                return d
            }
        }
        layers = network.layers.map { layer in
            Layer(rows: layer.outputCount, columnsCount: layer.inputCount, dense: layer.isDense,
                  rowStart: layer.rowStart, columns: layer.columns, weights: toDouble(layer.weights),
                  bias: toDouble(layer.bias), activations: layer.activations, uniform: layer.uniformActivation)
        }
        roundedWeightCount = rounded
        maxWidth = ([network.inputDimension] + network.layers.map(\.outputCount)).max()!
        BLASThreads.use(blasThreads)
    }

    /// OpenBLAS threads per product (default 1: the evaluator parallelises over the batch itself,
    /// and `threads` workers each running a multi-threaded product would oversubscribe the cores).
    public let blasThreads: Int

    /// Evaluates `count` points stored row-major in `inputs` (`count * inputDimension` doubles)
    /// and returns `count * outputDimension` doubles. Uses up to `threads` cores (default: all).
    public func evaluate(batch inputs: [Double], threads: Int? = nil) throws -> [Double] {
        let d = network.inputDimension, m = network.outputDimension
        guard inputs.count % d == 0 else { throw NetworkError.wrongInputDimension(expected: d, actual: inputs.count % d) }
        if let bad = inputs.firstIndex(where: { !$0.isFinite }) {
            throw NetworkError.nonFiniteInput(point: bad / d, coordinate: bad % d)
        }
        let count = inputs.count / d
        var outputs = [Double](repeating: 0, count: count * m)
        BLASThreads.use(blasThreads)
        let n = BatchParallelism.threadCount(for: count, requested: threads, minimumPerThread: 16)
        inputs.withUnsafeBufferPointer { x in
            outputs.withUnsafeMutableBufferPointer { y in
                let xBase = x.baseAddress!, yBase = y.baseAddress!
                BatchParallelism.forEachChunk(count: count, threads: n) { _, range in
                    let workspace = makeWorkspace()
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let block = Swift.min(DoubleEvaluator.blockSize, range.upperBound - start)
                        evaluate(xBase + start * d, count: block, output: yBase + start * m, workspace: workspace)
                        start += block
                    }
                }
            }
        }
        return outputs
    }

    /// Evaluates the points (each `inputDimension` values).
    public func evaluate(_ points: [[Double]], threads: Int? = nil) throws -> [[Double]] {
        let d = network.inputDimension, m = network.outputDimension
        for p in points where p.count != d { throw NetworkError.wrongInputDimension(expected: d, actual: p.count) }
        let flat = try evaluate(batch: points.flatMap { $0 }, threads: threads)
        return (0..<points.count).map { Array(flat[$0 * m..<($0 + 1) * m]) }
    }

    /// Points per block of a batch: the two activation buffers of a block (2 × block × width
    /// doubles) stay small enough for the cache and never grow with the batch.
    public static let blockSize = 64

    /// Two activation buffers for blocks of up to ``blockSize`` points; one per thread, reused.
    public final class Workspace {
        var current: [Double]
        var next: [Double]
        init(size: Int) { current = [Double](repeating: 0, count: size); next = current }
    }

    /// A workspace for ``evaluate(_:count:output:workspace:)``.
    public func makeWorkspace() -> Workspace { Workspace(size: DoubleEvaluator.blockSize * maxWidth) }

    /// Evaluates `count` ≤ ``blockSize`` points (row-major at `input`) into `output`, with no
    /// allocation.
    public func evaluate(_ input: UnsafePointer<Double>, count: Int, output: UnsafeMutablePointer<Double>, workspace: Workspace) {
        precondition(count <= DoubleEvaluator.blockSize)
        let d = network.inputDimension, m = network.outputDimension
        var current = workspace.current, next = workspace.next
        workspace.current = []; workspace.next = []
        defer { workspace.current = current; workspace.next = next }
        current.withUnsafeMutableBufferPointer { c in c.baseAddress!.update(from: input, count: count * d) }
        var width = d
        for layer in layers {
            current.withUnsafeBufferPointer { cBuffer in
                next.withUnsafeMutableBufferPointer { nBuffer in
                    let x = cBuffer.baseAddress!, y = nBuffer.baseAddress!
                    DoubleEvaluator.apply(layer, x: x, inputWidth: width, y: y, count: count)
                }
            }
            swap(&current, &next)
            width = layer.rows
        }
        current.withUnsafeBufferPointer { c in output.update(from: c.baseAddress!, count: count * m) }
    }

    static func apply(_ layer: Layer, x: UnsafePointer<Double>, inputWidth: Int, y: UnsafeMutablePointer<Double>, count: Int) {
        let rows = layer.rows
        // y <- bias (every point), then y += x W^T.
        layer.bias.withUnsafeBufferPointer { b in
            for p in 0..<count { (y + p * rows).update(from: b.baseAddress!, count: rows) }
        }
        if layer.dense {
            layer.weights.withUnsafeBufferPointer { w in
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(rows), Int32(inputWidth),
                            1.0, x, Int32(inputWidth), w.baseAddress!, Int32(inputWidth), 1.0, y, Int32(rows))
            }
        } else {
            layer.weights.withUnsafeBufferPointer { w in
                layer.columns.withUnsafeBufferPointer { col in
                    layer.rowStart.withUnsafeBufferPointer { start in
                        for p in 0..<count {
                            let xp = x + p * inputWidth, yp = y + p * rows
                            for i in 0..<rows {
                                var acc = yp[i]
                                for k in start[i]..<start[i + 1] { acc += w[k] * xp[col[k]] }
                                yp[i] = acc
                            }
                        }
                    }
                }
            }
        }
        if let a = layer.uniform {
            if a != .identity { for k in 0..<(count * rows) { y[k] = a.apply(y[k]) } }
        } else {
            for p in 0..<count { for i in 0..<rows { y[p * rows + i] = layer.activations[i].apply(y[p * rows + i]) } }
        }
    }
}
