import Foundation

/// The loss of a training-dynamics network on a batch of B examples with K outputs f_bk and
/// targets y_bk (one-hot for classification), in float64.
///
/// Each case gives the loss, its gradient with respect to the outputs, and the directional
/// derivative of that gradient along a change R{f} of the outputs (the top of Pearlmutter's
/// R-operator), so every engine shares one definition of each loss.
public enum TrainingLoss: String, Sendable, CaseIterable, Codable {
    /// L = 1/(2BK) Σ_b Σ_k (f_bk − y_bk)²: the mean over the batch *and* the classes, as Kalra &
    /// Barkeshli's code computes it.
    case mse
    /// L = −1/B Σ_b Σ_k y_bk log softmax(f_b)_k: softmax cross-entropy, the mean over the batch.
    case xent

    /// L for `count` examples of `k` outputs (`f` and `y` row-major count × k).
    public func value(_ f: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int, k: Int) -> Double {
        switch self {
        case .mse:
            var sum = 0.0
            for i in 0..<(count * k) { let r = f[i] - y[i]; sum += r * r }
            return sum / Double(2 * count * k)
        case .xent:
            var sum = 0.0
            for b in 0..<count {
                let row = f + b * k
                var top = -Double.infinity
                for j in 0..<k { top = Swift.max(top, row[j]) }
                var z = 0.0
                for j in 0..<k { z += Foundation.exp(row[j] - top) }
                let logZ = top + Foundation.log(z)
                for j in 0..<k where y[b * k + j] != 0 { sum += y[b * k + j] * (logZ - row[j]) }
            }
            return sum / Double(count)
        }
    }

    /// ∂L/∂f into `out` (count × k).
    public func gradient(_ f: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int, k: Int, into out: UnsafeMutablePointer<Double>) {
        switch self {
        case .mse:
            let norm = 1 / Double(count * k)
            for i in 0..<(count * k) { out[i] = (f[i] - y[i]) * norm }
        case .xent:
            let norm = 1 / Double(count)
            for b in 0..<count {
                softmax(f + b * k, k, out + b * k)
                var mass = 0.0
                for j in 0..<k { mass += y[b * k + j] }
                for j in 0..<k { out[b * k + j] = (mass * out[b * k + j] - y[b * k + j]) * norm }
            }
        }
    }

    /// R{∂L/∂f} = (∂²L/∂f²)·R{f} into `out` (count × k); `scratch` holds k numbers.
    public func gradientDirectionalDerivative(_ f: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ rf: UnsafePointer<Double>,
                                              count: Int, k: Int, into out: UnsafeMutablePointer<Double>,
                                              scratch: UnsafeMutablePointer<Double>) {
        switch self {
        case .mse:
            let norm = 1 / Double(count * k)
            for i in 0..<(count * k) { out[i] = rf[i] * norm }
        case .xent:
            // ∂²/∂f² of m·logsumexp(f) − y·f is m (diag(p) − p pᵀ), m = Σ_k y_k.
            let norm = 1 / Double(count)
            for b in 0..<count {
                softmax(f + b * k, k, scratch)
                var mass = 0.0, pr = 0.0
                for j in 0..<k { mass += y[b * k + j]; pr += scratch[j] * rf[b * k + j] }
                for j in 0..<k { out[b * k + j] = mass * scratch[j] * (rf[b * k + j] - pr) * norm }
            }
        }
    }

    @inline(__always) func softmax(_ row: UnsafePointer<Double>, _ k: Int, _ out: UnsafeMutablePointer<Double>) {
        var top = -Double.infinity
        for j in 0..<k { top = Swift.max(top, row[j]) }
        var z = 0.0
        for j in 0..<k { out[j] = Foundation.exp(row[j] - top); z += out[j] }
        for j in 0..<k { out[j] /= z }
    }
}
