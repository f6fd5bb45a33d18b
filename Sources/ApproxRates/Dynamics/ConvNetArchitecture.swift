import Foundation
import PrecisionModule

/// A Myrtle-style convolutional network (the family of Kalra & Barkeshli's `Myrtle` CNNs, after
/// Shankar et al. 2020) for small square images, without biases, in float64.
///
/// Depth d counts the layers with weights: d − 1 convolutions (3×3, stride 1, "same" zero
/// padding, ``width`` output channels, followed by the activation) and one dense linear head. The
/// image of side s = 2^P (8 for the digits) is halved by P 2×2 average pools, one at the end of
/// each of P stages. The first stage, at full resolution, has one convolution (from the input
/// channels to w); the others are split over the remaining stages front-loaded (stage j gets ⌈·⌉
/// of what is left), as Myrtle puts its pools after the early layers. The last pool leaves a 1×1
/// map of ``width`` channels, which the head maps to the K outputs. For the digits and d = 5:
/// conv at 8×8, pool, conv, conv at 4×4, pool, conv at 2×2, pool, dense.
///
/// Parameterisation: standard, W ~ N(0, σ²/fan_in) with σ² = 2 for the convolutions (fan_in =
/// 9·C_in, He, as Myrtle's `variance_scaling(2, fan_in, normal)`) and 1 for the head (fan_in = w,
/// LeCun, Flax's Dense default; plain rather than truncated normal here). θ holds, per
/// convolution, the C_out × 9 C_in matrix row-major with column (3·k_y + k_x)·C_in + c, then the
/// K × w head.
public struct ConvNetArchitecture: Sendable, Hashable, Codable {
    /// Image side s (a power of 2, at least 2).
    public let side: Int
    /// Input channels (1 for the digits).
    public let channels: Int
    /// Channels of every convolution: the width w of d/w.
    public let width: Int
    /// Layers with weights d ≥ 2 (d − 1 convolutions and the head).
    public let depth: Int
    /// Outputs K.
    public let outputs: Int
    /// The activation after each convolution.
    public let activation: HiddenActivation

    /// A network; `side` must be a power of 2.
    public init(side: Int = 8, channels: Int = 1, width: Int, depth: Int, outputs: Int, activation: HiddenActivation = .relu) {
        precondition(side >= 2 && side & (side - 1) == 0 && channels >= 1 && width >= 1 && depth >= 2 && outputs >= 1)
        self.side = side; self.channels = channels; self.width = width; self.depth = depth; self.outputs = outputs
        self.activation = activation
    }

    /// One step of the forward pass.
    public enum Operation: Sendable, Hashable {
        /// Convolution number `index` (0-based) at `side`×`side`, from `inputChannels` channels.
        case convolution(index: Int, side: Int, inputChannels: Int)
        /// 2×2 average pool of a map of `side`×`side` (to side/2).
        case pool(side: Int)
    }

    /// The operations in order (the head follows them).
    public var operations: [Operation] {
        let stages = side.trailingZeroBitCount
        var left = depth - 1, s = side, c = channels, index = 0
        var ops: [Operation] = []
        for stage in 0..<stages {
            let here = stage == 0 ? (stages == 1 ? left : 1) : (left + (stages - stage) - 1) / (stages - stage)
            for _ in 0..<here { ops.append(.convolution(index: index, side: s, inputChannels: c)); index += 1; c = width }
            left -= here
            ops.append(.pool(side: s)); s /= 2
        }
        return ops
    }

    /// Numbers per input example: side² · channels (NHWC: row, column, channel).
    public var inputs: Int { side * side * channels }

    /// Start of each convolution's weights in θ, then the head's, then the total.
    public var offsets: [Int] {
        var o = [0]
        var c = channels
        for _ in 0..<(depth - 1) { o.append(o.last! + width * 9 * c); c = width }
        o.append(o.last! + outputs * width)
        return o
    }

    /// Length of θ.
    public var parameterCount: Int { offsets.last! }

    /// The standard deviation of layer l's initial weights (0-based; l = depth − 1 is the head).
    public func initialStandardDeviation(layer l: Int) -> Double {
        l == depth - 1 ? (1 / Double(width)).squareRoot() : (2 / Double(9 * (l == 0 ? channels : width))).squareRoot()
    }

    /// θ₀ for `seed` (SplitMix64, Box–Muller).
    public func initialParameters(seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        var gaussian = GaussianSampler()
        var theta = [Double](repeating: 0, count: parameterCount)
        let o = offsets
        for l in 0..<depth {
            let sd = initialStandardDeviation(layer: l)
            for k in o[l]..<o[l + 1] { theta[k] = sd * gaussian.next(using: &rng) }
        }
        return theta
    }

    /// An upper estimate, in bytes, of what training holds at once with chunks of `chunk`
    /// examples: 64 parameter-length vectors and, per example of a chunk, twelve numbers per
    /// activation and per im2col entry of every convolution.
    public static func estimatedTrainingBytes(side: Int, channels: Int, width: Int, depth: Int, outputs: Int, chunk: Int) -> Double {
        let (w, c, d, s) = (Double(width), Double(channels), Double(depth), Double(side))
        let parameters = w * 9 * c + (d - 2) * w * 9 * w + Double(outputs) * w
        return 8 * (64 * parameters + Double(chunk) * 12 * d * s * s * 9 * w)
    }
}

extension ConvNetArchitecture: TrainableModel {
    /// A ``ConvNetEngine``.
    public func makeEngine(capacity: Int, loss: TrainingLoss) -> any TrainingEngine {
        ConvNetEngine(architecture: self, capacity: capacity, loss: loss)
    }
    /// The engine's buffers for chunks of min(samples, 128) examples, θ-length vectors, and the
    /// data set (inputs and targets).
    public func estimatedTrainingBytes(samples: Int) -> Double {
        ConvNetArchitecture.estimatedTrainingBytes(side: side, channels: channels, width: width, depth: depth, outputs: outputs,
                                                   chunk: Swift.min(samples, 128)) + 8 * Double(samples) * Double(inputs + outputs)
    }
    /// "relu Myrtle CNN d = 5, w = 32, …".
    public var summary: String {
        "\(activation.rawValue) Myrtle-style CNN d = \(depth) (\(depth - 1) 3×3 convolutions, \(side.trailingZeroBitCount) 2×2 average pools, a dense head), w = \(width) channels, standard parameterisation, no biases, \(parameterCount) parameters"
    }
}
