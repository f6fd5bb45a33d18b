import Foundation
import PrecisionModule
import FileIOModule

/// The representation quality index of Liu et al. (2022) and the test accuracy it predicts.
///
/// The embeddings are first standardised per dimension, Ẽ = (E − mean)/std (unbiased std over the
/// p numbers). A parallelogram (i, n, j, m) with i + n = j + m is *realised* when
/// mean over dimensions of (Ẽ_i + Ẽ_n − Ẽ_j − Ẽ_m)² < δ. RQI is the share of the ideal
/// parallelograms (``AdditionTask/idealParallelograms(p:)``) that are realised: 1 for any
/// arithmetic progression E_k = a + k·b, about 0 for random embeddings.
///
/// A dimension with zero spread (a collapsed coordinate) carries no information and is left out
/// of the mean; if every dimension has collapsed, nothing is realised (RQI = 0) rather than
/// everything. Holds its scratch; ``index(_:)`` does not allocate. Not thread-safe.
public final class RepresentationQuality {
    /// Numbers 0 … p − 1, embedding dimension e.
    public let p: Int, dimension: Int
    /// The tolerance δ on the mean squared defect.
    public let tolerance: Double
    /// The ideal parallelograms (i, n, j, m).
    public let parallelograms: [(Int, Int, Int, Int)]
    let scaled: UnsafeMutablePointer<Double>
    let active: UnsafeMutablePointer<Bool>

    /// An index for p numbers in `dimension` dimensions with tolerance δ (the authors': 0.01).
    public init(p: Int, dimension: Int, tolerance: Double = 0.01) {
        self.p = p; self.dimension = dimension; self.tolerance = tolerance
        parallelograms = AdditionTask.idealParallelograms(p: p)
        scaled = .allocate(capacity: p * dimension); scaled.initialize(repeating: 0, count: p * dimension)
        active = .allocate(capacity: dimension); active.initialize(repeating: false, count: dimension)
    }

    deinit { scaled.deallocate(); active.deallocate() }

    /// Standardises `embeddings` (p × e row-major) into the scratch; returns the number of
    /// dimensions with nonzero spread.
    @discardableResult
    func standardise(_ embeddings: UnsafePointer<Double>) -> Int {
        let e = dimension
        var live = 0
        for c in 0..<e {
            var mean = 0.0
            for k in 0..<p { mean += embeddings[k * e + c] }
            mean /= Double(p)
            var ss = 0.0
            for k in 0..<p { let d = embeddings[k * e + c] - mean; ss += d * d }
            let sd = (ss / Double(p - 1)).squareRoot()
            active[c] = sd > 0 && sd.isFinite
            if active[c] { live += 1 }
            for k in 0..<p { scaled[k * e + c] = active[c] ? (embeddings[k * e + c] - mean) / sd : 0 }
        }
        return live
    }

    /// The mean squared defect of E_a + E_b − E_c − E_d over the live dimensions of the scratch.
    @inline(__always) func defect(_ a: Int, _ b: Int, _ c: Int, _ d: Int, live: Int) -> Double {
        let e = dimension
        var s = 0.0
        for k in 0..<e where active[k] {
            let t = scaled[a * e + k] + scaled[b * e + k] - scaled[c * e + k] - scaled[d * e + k]
            s += t * t
        }
        return s / Double(live)
    }

    /// RQI of `embeddings` (p × e row-major), in [0, 1].
    public func index(_ embeddings: UnsafePointer<Double>) -> Double {
        let live = standardise(embeddings)
        guard live > 0, !parallelograms.isEmpty else { return 0 }
        var realised = 0
        for (i, n, j, m) in parallelograms where defect(i, n, j, m, live: live) < tolerance { realised += 1 }
        return Double(realised) / Double(parallelograms.count)
    }

    /// RQI of embeddings given as an array (p·e numbers).
    public func index(_ embeddings: [Double]) -> Double {
        precondition(embeddings.count == p * dimension)
        return embeddings.withUnsafeBufferPointer { index($0.baseAddress!) }
    }

    /// The test accuracy the representation predicts (the paper's Acc^): the share of test examples
    /// (a, b) for which some training example (c, d) with c + d = a + b forms a realised
    /// parallelogram, E_a + E_b ≈ E_c + E_d, so that the decoder, having fitted (c, d), answers
    /// (a, b) alike.
    public func predictedTestAccuracy(_ embeddings: [Double], task: AdditionTask) -> Double {
        precondition(embeddings.count == p * dimension && task.p == p)
        let live = embeddings.withUnsafeBufferPointer { standardise($0.baseAddress!) }
        guard live > 0, !task.test.isEmpty else { return 0 }
        var answerable = 0
        for k in task.test {
            let (a, b) = task.pairs[k]
            if task.train.contains(where: { l in
                let (c, d) = task.pairs[l]
                return a + b == c + d && defect(a, b, c, d, live: live) < tolerance
            }) { answerable += 1 }
        }
        return Double(answerable) / Double(task.test.count)
    }
}
