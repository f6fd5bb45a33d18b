import CBLAS
import Foundation
import PrecisionModule
import FileIOModule

/// The loss of the toy model.
public enum GrokkingLoss: String, Sendable, Codable, CaseIterable {
    /// Regression on fixed random templates Y_s ~ N(0, 1)^K: L = mean over the batch and the K
    /// outputs of (out − Y_{a+b})²; the prediction is the nearest template.
    case mse
    /// Classification into the 2p − 1 sums: L = mean over the batch of −log softmax(out)_{a+b};
    /// the prediction is the largest output.
    case ce
}

/// The model of Liu et al. (2022): learnable embeddings E ∈ R^{p×e} of the numbers, their sum
/// fed to a decoder MLP e → w → w → K with tanh and biases,
///
///   out(a, b) = W₃ tanh(W₂ tanh(W₁ (E_a + E_b) + b₁) + b₂) + b₃,
///
/// in float64, every matrix product through OpenBLAS, tanh by ``FastTanh``. The decoder's parameters are one flat
/// vector θ = [W₁ (w×e), b₁, W₂ (w×w), b₂, W₃ (K×w), b₃], matrices row-major in PyTorch's
/// (out × in) layout.
///
/// Rows: the training examples first (in ``AdditionTask/train`` order), then the test examples.
/// ``forward()`` evaluates all rows at once; ``backward(batch:)`` takes the loss and its
/// gradient over a subset of the training rows. Every buffer is allocated once; calls do not
/// allocate. Not thread-safe: one model per thread.
public final class GrokkingModel {
    /// The task (split included).
    public let task: AdditionTask
    /// Embedding dimension e, hidden width w, outputs K.
    public let embeddingDimension: Int, width: Int, outputs: Int
    /// The loss.
    public let loss: GrokkingLoss
    /// Number of decoder parameters.
    public let parameterCount: Int
    /// Embeddings E, p × e row-major (owned).
    public let embeddings: UnsafeMutablePointer<Double>
    /// Decoder parameters θ (owned).
    public let parameters: UnsafeMutablePointer<Double>
    /// ∂L/∂E after ``backward(batch:)``.
    public let embeddingGradient: UnsafeMutablePointer<Double>
    /// ∂L/∂θ after ``backward(batch:)``.
    public let parameterGradient: UnsafeMutablePointer<Double>
    /// Regression templates Y, (2p − 1) × K (MSE only; empty for CE).
    public let templates: [Double]
    /// The label (sum) of each row.
    public let labels: [Int]
    /// The (a, b) of each row.
    public let rowPairs: [(Int, Int)]
    /// Rows 0 ..< trainCount are training rows.
    public let trainCount: Int
    /// All rows.
    public let rowCount: Int

    let oW1: Int, oB1: Int, oW2: Int, oB2: Int, oW3: Int, oB3: Int
    // Forward buffers over all rows.
    let x: UnsafeMutablePointer<Double>, a1: UnsafeMutablePointer<Double>, a2: UnsafeMutablePointer<Double>
    /// Outputs of ``forward()``, rowCount × K.
    public let out: UnsafeMutablePointer<Double>
    // Batch buffers (gathered rows) and back-propagated signals.
    let xb: UnsafeMutablePointer<Double>, a1b: UnsafeMutablePointer<Double>, a2b: UnsafeMutablePointer<Double>
    let g3: UnsafeMutablePointer<Double>, g2: UnsafeMutablePointer<Double>, g1: UnsafeMutablePointer<Double>
    let gx: UnsafeMutablePointer<Double>
    let batchIndex: UnsafeMutablePointer<Int>
    // MSE prediction: out·Yᵀ (rows × sums) and ‖Y_s‖².
    let dots: UnsafeMutablePointer<Double>
    let templateNorms: [Double]

    /// The untrained model: E ~ U(−½, ½)·`embeddingScale`, decoder layers in PyTorch's default
    /// initialisation (weights and biases U(−1/√fan_in, 1/√fan_in)) times `decoderScale`, and
    /// (MSE) templates N(0, 1)·`labelScale`, each from its own stream of `seed`.
    public init(task: AdditionTask, embeddingDimension e: Int = 1, width w: Int = 200, outputs k: Int = 30, loss: GrokkingLoss = .mse,
                seed: UInt64, embeddingScale: Double = 1, decoderScale: Double = 1, labelScale: Double = 1) {
        precondition(e >= 1 && w >= 1 && k >= 1)
        self.task = task
        embeddingDimension = e; width = w; self.loss = loss
        let kk = loss == .ce ? task.sumCount : k
        outputs = kk
        oW1 = 0; oB1 = w * e; oW2 = oB1 + w; oB2 = oW2 + w * w; oW3 = oB2 + w; oB3 = oW3 + kk * w
        parameterCount = oB3 + kk
        let p = task.p
        embeddings = .allocate(capacity: p * e); embeddingGradient = .allocate(capacity: p * e)
        parameters = .allocate(capacity: parameterCount); parameterGradient = .allocate(capacity: parameterCount)
        embeddingGradient.initialize(repeating: 0, count: p * e); parameterGradient.initialize(repeating: 0, count: parameterCount)
        var rng = SplitMix64(seed: seed ^ 0x454D_4245_4400_0000)
        for i in 0..<(p * e) { embeddings[i] = (GrokkingModel.uniform(&rng) - 0.5) * embeddingScale }
        rng = SplitMix64(seed: seed ^ 0x4445_434F_4445_5200)
        let layers = [(oW1, oB1, e, w), (oW2, oB2, w, w), (oW3, oB3, w, kk)]
        for (ow, ob, fanIn, fanOut) in layers {
            let bound = 1 / Double(fanIn).squareRoot()
            for i in 0..<(fanIn * fanOut) { parameters[ow + i] = (2 * GrokkingModel.uniform(&rng) - 1) * bound * decoderScale }
            for i in 0..<fanOut { parameters[ob + i] = (2 * GrokkingModel.uniform(&rng) - 1) * bound * decoderScale }
        }
        if loss == .mse {
            rng = SplitMix64(seed: seed ^ 0x5445_4D50_4C41_5400)
            var gaussian = GaussianSampler()
            templates = (0..<(task.sumCount * kk)).map { _ in gaussian.next(using: &rng) * labelScale }
        } else {
            templates = []
        }
        let rows = task.train + task.test
        rowPairs = rows.map { task.pairs[$0] }
        labels = rows.map { task.sum($0) }
        trainCount = task.train.count
        rowCount = rows.count
        let n = rowCount
        func buffer(_ c: Int) -> UnsafeMutablePointer<Double> {
            let b = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, c)); b.initialize(repeating: 0, count: Swift.max(1, c)); return b
        }
        x = buffer(n * e); a1 = buffer(n * w); a2 = buffer(n * w); out = buffer(n * kk)
        let b = trainCount
        xb = buffer(b * e); a1b = buffer(b * w); a2b = buffer(b * w)
        g3 = buffer(b * kk); g2 = buffer(b * w); g1 = buffer(b * w); gx = buffer(b * e)
        batchIndex = .allocate(capacity: b); batchIndex.initialize(repeating: 0, count: b)
        dots = buffer(n * task.sumCount)
        let y = templates
        var norms: [Double] = []
        if loss == .mse {
            for s in 0..<task.sumCount {
                var total = 0.0
                for c in 0..<kk { total += y[s * kk + c] * y[s * kk + c] }
                norms.append(total)
            }
        }
        templateNorms = norms
    }

    deinit {
        for buffer in [embeddings, embeddingGradient, parameters, parameterGradient, x, a1, a2, out, xb, a1b, a2b, g3, g2, g1, gx, dots] { buffer.deallocate() }
        batchIndex.deallocate()
    }

    /// A uniform number in [0, 1) with 53 random bits.
    @inline(__always) static func uniform(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) / 9007199254740992.0 }

    /// One dense layer on `rows` rows: Y = tanh?(X Wᵀ + b).
    func dense(_ input: UnsafePointer<Double>, _ rows: Int, _ fanIn: Int, _ fanOut: Int, weights ow: Int, bias ob: Int,
               _ output: UnsafeMutablePointer<Double>, activate: Bool) {
        let bias = parameters + ob
        for r in 0..<rows { (output + r * fanOut).update(from: bias, count: fanOut) }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(fanOut), Int32(fanIn), 1,
                    input, Int32(fanIn), parameters + ow, Int32(fanIn), 1, output, Int32(fanOut))
        if activate { FastTanh.apply(output, count: rows * fanOut) }
    }

    /// Evaluates every row at the current (E, θ) into ``out``.
    public func forward() {
        let e = embeddingDimension
        for r in 0..<rowCount {
            let (a, b) = rowPairs[r]
            for c in 0..<e { x[r * e + c] = embeddings[a * e + c] + embeddings[b * e + c] }
        }
        dense(x, rowCount, e, width, weights: oW1, bias: oB1, a1, activate: true)
        dense(a1, rowCount, width, width, weights: oW2, bias: oB2, a2, activate: true)
        dense(a2, rowCount, width, outputs, weights: oW3, bias: oB3, out, activate: false)
    }

    /// Correct predictions among rows `range` (from the last ``forward()``). The prediction is the
    /// largest output (CE) or the nearest template (MSE): arg min_s ‖out − Y_s‖² = arg min_s
    /// (‖Y_s‖² − 2 out·Y_s), the products by one `dgemm`; ties go to the smaller sum.
    public func correct(rows range: Range<Int>) -> Int {
        guard !range.isEmpty else { return 0 }
        let k = outputs, sums = task.sumCount
        var n = 0
        if loss == .ce {
            for r in range {
                let o = out + r * k
                var best = 0
                for s in 1..<k where o[s] > o[best] { best = s }
                if best == labels[r] { n += 1 }
            }
            return n
        }
        templates.withUnsafeBufferPointer { y in
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(range.count), Int32(sums), Int32(k), 1,
                        out + range.lowerBound * k, Int32(k), y.baseAddress!, Int32(k), 0, dots, Int32(sums))
        }
        for (i, r) in range.enumerated() {
            let d = dots + i * sums
            var best = 0, bestDistance = Double.infinity
            for s in 0..<sums {
                let distance = templateNorms[s] - 2 * d[s]
                if distance < bestDistance { bestDistance = distance; best = s }
            }
            if best == labels[r] { n += 1 }
        }
        return n
    }

    /// The loss of row r from ``out`` (MSE: mean over the K outputs; CE: −log softmax).
    @inline(__always) public func rowLoss(_ r: Int) -> Double {
        let k = outputs, o = out + r * k
        if loss == .ce {
            var m = o[0]
            for s in 1..<k { m = Swift.max(m, o[s]) }
            var z = 0.0
            for s in 0..<k { z += Foundation.exp(o[s] - m) }
            return m + Foundation.log(z) - o[labels[r]]
        }
        var sum = 0.0
        templates.withUnsafeBufferPointer { y in
            let base = labels[r] * k
            for c in 0..<k { let t = o[c] - y[base + c]; sum += t * t }
        }
        return sum / Double(k)
    }

    /// The mean loss over rows `range` (from the last ``forward()``).
    public func meanLoss(rows range: Range<Int>) -> Double {
        guard !range.isEmpty else { return .nan }
        var s = 0.0
        for r in range { s += rowLoss(r) }
        return s / Double(range.count)
    }

    /// The loss over the training rows `batch` (indices in 0 ..< trainCount, distinct) at the
    /// state of the last ``forward()``, and its gradient into ``embeddingGradient`` and
    /// ``parameterGradient``. With `batch` nil, all training rows (no copying).
    @discardableResult
    public func backward(batch: UnsafeBufferPointer<Int>?) -> Double {
        let e = embeddingDimension, w = width, k = outputs
        let bsize = batch?.count ?? trainCount
        precondition(bsize >= 1 && bsize <= trainCount)
        let xs: UnsafeMutablePointer<Double>, h1: UnsafeMutablePointer<Double>, h2: UnsafeMutablePointer<Double>
        if let batch {
            for (i, r) in batch.enumerated() {
                (xb + i * e).update(from: x + r * e, count: e)
                (a1b + i * w).update(from: a1 + r * w, count: w)
                (a2b + i * w).update(from: a2 + r * w, count: w)
                batchIndex[i] = r
            }
            xs = xb; h1 = a1b; h2 = a2b
        } else {
            for i in 0..<bsize { batchIndex[i] = i }
            xs = x; h1 = a1; h2 = a2
        }
        // Top signal ∂L/∂out.
        var total = 0.0
        if loss == .ce {
            for i in 0..<bsize {
                let r = batchIndex[i], o = out + r * k, g = g3 + i * k
                var m = o[0]
                for s in 1..<k { m = Swift.max(m, o[s]) }
                var z = 0.0
                for s in 0..<k { g[s] = Foundation.exp(o[s] - m); z += g[s] }
                total += m + Foundation.log(z) - o[labels[r]]
                for s in 0..<k { g[s] /= z * Double(bsize) }
                g[labels[r]] -= 1 / Double(bsize)
            }
            total /= Double(bsize)
        } else {
            let scale = 2 / Double(bsize * k)
            templates.withUnsafeBufferPointer { y in
                for i in 0..<bsize {
                    let r = batchIndex[i], o = out + r * k, g = g3 + i * k, base = labels[r] * k
                    for c in 0..<k { let t = o[c] - y[base + c]; total += t * t; g[c] = scale * t }
                }
            }
            total /= Double(bsize * k)
        }
        // Layer 3: ∂W₃ = G₃ᵀ H₂, ∂b₃ = Σ G₃, ∂H₂ = G₃ W₃.
        layerGradient(g3, h2, bsize, fanIn: w, fanOut: k, weights: oW3, bias: oB3)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(bsize), Int32(w), Int32(k), 1,
                    g3, Int32(k), parameters + oW3, Int32(w), 0, g2, Int32(w))
        FastTanh.backward(g2, activations: h2, count: bsize * w)
        // Layer 2.
        layerGradient(g2, h1, bsize, fanIn: w, fanOut: w, weights: oW2, bias: oB2)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(bsize), Int32(w), Int32(w), 1,
                    g2, Int32(w), parameters + oW2, Int32(w), 0, g1, Int32(w))
        FastTanh.backward(g1, activations: h1, count: bsize * w)
        // Layer 1 and the input: ∂X = G₁ W₁, then ∂E_a, ∂E_b += ∂X.
        layerGradient(g1, xs, bsize, fanIn: e, fanOut: w, weights: oW1, bias: oB1)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(bsize), Int32(e), Int32(w), 1,
                    g1, Int32(w), parameters + oW1, Int32(e), 0, gx, Int32(e))
        embeddingGradient.update(repeating: 0, count: task.p * e)
        for i in 0..<bsize {
            let (a, b) = rowPairs[batchIndex[i]]
            for c in 0..<e { embeddingGradient[a * e + c] += gx[i * e + c]; embeddingGradient[b * e + c] += gx[i * e + c] }
        }
        return total
    }

    /// ∂W = Gᵀ H (fanOut × fanIn) and ∂b = column sums of G, for one layer.
    func layerGradient(_ g: UnsafePointer<Double>, _ h: UnsafePointer<Double>, _ rows: Int, fanIn: Int, fanOut: Int, weights ow: Int, bias ob: Int) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(fanOut), Int32(fanIn), Int32(rows), 1,
                    g, Int32(fanOut), h, Int32(fanIn), 0, parameterGradient + ow, Int32(fanIn))
        let gb = parameterGradient + ob
        gb.update(repeating: 0, count: fanOut)
        for i in 0..<rows { for j in 0..<fanOut { gb[j] += g[i * fanOut + j] } }
    }
}
