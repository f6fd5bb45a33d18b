import Foundation
import PrecisionModule
import FileIOModule

/// The activation of the hidden layers of a training-dynamics network (the last layer is linear).
public enum HiddenActivation: String, Sendable, CaseIterable, Codable {
    /// max(0, z); its derivative at 0 is taken as 0 and its second derivative as 0.
    case relu
    /// tanh(z).
    case tanh
    /// z (a deep linear network; the uv model is the depth-2 one).
    case linear

    /// The default hidden-layer weight variance σ_w² (He for ReLU, 1 otherwise).
    public var defaultVariance: Double { self == .relu ? 2 : 1 }

    /// a_i = φ(z_i) for i < n.
    @inline(__always) public func apply(_ z: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>, _ n: Int) {
        switch self {
        case .relu: for i in 0..<n { a[i] = z[i] > 0 ? z[i] : 0 }
        case .tanh: for i in 0..<n { a[i] = Foundation.tanh(z[i]) }
        case .linear: a.update(from: z, count: n)
        }
    }

    /// φ'(z) (0 for ReLU at z ≤ 0).
    @inline(__always) public func slope(_ z: Double) -> Double {
        switch self {
        case .relu: return z > 0 ? 1 : 0
        case .tanh: let t = Foundation.tanh(z); return 1 - t * t
        case .linear: return 1
        }
    }

    /// φ''(z) (0 for ReLU and linear).
    @inline(__always) public func curvature(_ z: Double) -> Double {
        switch self {
        case .relu, .linear: return 0
        case .tanh: let t = Foundation.tanh(z); return -2 * t * (1 - t * t)
        }
    }
}

/// How weights enter the forward pass.
public enum Parameterisation: String, Sendable, CaseIterable, Codable {
    /// Standard: z = W a with W_ij ~ N(0, σ²/fan_in) (Kalra & Barkeshli's setup).
    case standard
    /// NTK: z = (σ/√fan_in) W a with W_ij ~ N(0, 1).
    case ntk
}

/// A fully connected network without biases: `depth` dense layers (the last one linear), all
/// hidden layers `width` wide, in float64.
///
/// The parameters are one flat vector θ: layer l (1-based) is the n_l × n_{l−1} matrix W_l stored
/// row-major at ``offsets``[l − 1], with n_0 = ``inputs``, n_1 … n_{d−1} = ``width`` and
/// n_d = ``outputs``. The forward pass is Z_l = s_l A_{l−1} W_lᵀ, A_l = φ(Z_l) (A_0 = X, f = Z_d),
/// with s_l = 1 in the standard parameterisation and σ_l/√n_{l−1} in the NTK one.
public struct MLPArchitecture: Sendable, Hashable, Codable {
    /// Input dimension n_0.
    public let inputs: Int
    /// Width of every hidden layer.
    public let width: Int
    /// Number of dense layers d ≥ 1 (d − 1 hidden layers).
    public let depth: Int
    /// Output dimension n_d.
    public let outputs: Int
    /// Activation of the hidden layers.
    public let activation: HiddenActivation
    /// Standard or NTK.
    public let parameterisation: Parameterisation
    /// σ_w² of the hidden layers.
    public let hiddenVariance: Double
    /// σ_w² of the last layer.
    public let lastVariance: Double

    /// A network; the variances default to ``HiddenActivation/defaultVariance`` and 1.
    public init(inputs: Int, width: Int, depth: Int, outputs: Int, activation: HiddenActivation = .relu,
                parameterisation: Parameterisation = .standard, hiddenVariance: Double? = nil, lastVariance: Double = 1) {
        precondition(inputs >= 1 && width >= 1 && depth >= 1 && outputs >= 1)
        self.inputs = inputs; self.width = width; self.depth = depth; self.outputs = outputs
        self.activation = activation; self.parameterisation = parameterisation
        self.hiddenVariance = hiddenVariance ?? activation.defaultVariance
        self.lastVariance = lastVariance
    }

    /// n_0 … n_d.
    public var sizes: [Int] { [inputs] + Array(repeating: width, count: depth - 1) + [outputs] }

    /// Start of W_l in θ for l = 1 … d (index l − 1), and the total count at the end.
    public var offsets: [Int] {
        var o = [0]
        let n = sizes
        for l in 1...depth { o.append(o[l - 1] + n[l] * n[l - 1]) }
        return o
    }

    /// Number of parameters.
    public var parameterCount: Int { offsets[depth] }

    /// An upper estimate, in bytes, of what training a network of this shape on `samples`
    /// examples holds at once: 64 float64 vectors of the parameters' length (θ, gradients, the
    /// Lanczos basis of the sharpness) and, per example, its input, its target and four
    /// activations per hidden unit. Computed in floating point before any architecture exists,
    /// so that sizes whose product overflows `Int` are refused instead of trapping.
    public static func estimatedTrainingBytes(inputs: Int, width: Int, depth: Int, outputs: Int, samples: Int) -> Double {
        let (n0, w, d, m, s) = (Double(inputs), Double(width), Double(depth), Double(outputs), Double(samples))
        let parameters = depth <= 1 ? n0 * m : n0 * w + (d - 2) * w * w + w * m
        return 8 * (64 * parameters + s * (n0 + m + 4 * w * (d - 1)))
    }

    /// σ_l² of layer l (1-based).
    public func variance(layer l: Int) -> Double { l == depth ? lastVariance : hiddenVariance }

    /// The forward multiplier s_l of layer l (1-based).
    public func scale(layer l: Int) -> Double {
        parameterisation == .standard ? 1 : (variance(layer: l) / Double(sizes[l - 1])).squareRoot()
    }

    /// Standard deviation of the initial W_l entries.
    public func initialStandardDeviation(layer l: Int) -> Double {
        parameterisation == .ntk ? 1 : (variance(layer: l) / Double(sizes[l - 1])).squareRoot()
    }

    /// The initial θ for `seed`: independent Gaussians (Box–Muller on SplitMix64).
    public func initialParameters(seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        var gaussian = GaussianSampler()
        var theta = [Double](repeating: 0, count: parameterCount)
        let o = offsets
        for l in 1...depth {
            let sd = initialStandardDeviation(layer: l)
            for k in o[l - 1]..<o[l] { theta[k] = sd * gaussian.next(using: &rng) }
        }
        return theta
    }
}

/// Standard normal samples by the Box–Muller transform (two per pair of uniforms).
public struct GaussianSampler: Sendable {
    private var spare: Double? = nil
    /// A sampler with no stored value.
    public init() {}
    /// The next N(0, 1) sample.
    public mutating func next<G: RandomNumberGenerator>(using rng: inout G) -> Double {
        if let s = spare { spare = nil; return s }
        // u1 in (0, 1]: 53 random bits, never 0.
        let u1 = (Double(rng.next() >> 11) + 1) / 9007199254740992.0
        let u2 = Double(rng.next() >> 11) / 9007199254740992.0
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        spare = radius * Foundation.sin(2 * Double.pi * u2)
        return radius * Foundation.cos(2 * Double.pi * u2)
    }
}
