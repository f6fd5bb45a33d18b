import Foundation

/// A network that the training-dynamics experiments can train: a flat float64 parameter vector θ,
/// a seeded initialisation, and an engine for its loss, gradient and exact Hessian-vector
/// products. ``MLPArchitecture`` (fully connected, and the uv model) and ``ConvNetArchitecture``
/// (Myrtle-style convolutional) are the two kinds.
public protocol TrainableModel: Sendable {
    /// Numbers per input example (n₀ for an MLP, 64 for an 8×8 image).
    var inputs: Int { get }
    /// Outputs K.
    var outputs: Int { get }
    /// Length of θ.
    var parameterCount: Int { get }
    /// The depth d that enters Kalra & Barkeshli's d/w (layers with weights).
    var depth: Int { get }
    /// The width w that enters d/w (hidden units, or channels of a convolutional layer).
    var width: Int { get }
    /// θ₀ for `seed`.
    func initialParameters(seed: UInt64) -> [Double]
    /// An engine for batches of at most `capacity` examples under `loss`.
    func makeEngine(capacity: Int, loss: TrainingLoss) -> any TrainingEngine
    /// One line naming the network (kind, depth, width, parameterisation).
    var summary: String { get }
    /// An upper estimate, in bytes, of what training on `samples` examples holds at once,
    /// computed in floating point (no integer product that could overflow).
    func estimatedTrainingBytes(samples: Int) -> Double
}

/// Loss, gradient and exact Hessian-vector products of a ``TrainableModel`` on batches of
/// examples (`inputs` row-major count × ``TrainableModel/inputs``, `targets` count × K), in
/// float64. Calls do not allocate; an engine is not thread-safe (one per thread).
public protocol TrainingEngine: AnyObject {
    /// L(θ) on `count` examples.
    func loss(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> Double
    /// L(θ), and ∇L into `gradient`.
    @discardableResult
    func lossAndGradient(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>,
                         count: Int, gradient: UnsafeMutablePointer<Double>) -> Double
    /// L(θ), and H·v into `product` (H the Hessian of L at θ on these examples, exact
    /// forward-over-reverse up to float64 rounding).
    @discardableResult
    func hessianVectorProduct(_ theta: UnsafePointer<Double>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>,
                              count: Int, vector v: UnsafePointer<Double>, product: UnsafeMutablePointer<Double>) -> Double
}

extension MLPArchitecture: TrainableModel {
    /// An ``MLPEngine``.
    public func makeEngine(capacity: Int, loss: TrainingLoss) -> any TrainingEngine {
        MLPEngine(architecture: self, capacity: capacity, loss: loss)
    }
    /// ``MLPArchitecture/estimatedTrainingBytes(inputs:width:depth:outputs:samples:)``.
    public func estimatedTrainingBytes(samples: Int) -> Double {
        MLPArchitecture.estimatedTrainingBytes(inputs: inputs, width: width, depth: depth, outputs: outputs, samples: samples)
    }
    /// "relu FCN d = 4, w = 64, standard".
    public var summary: String {
        "\(activation.rawValue) FCN d = \(depth), w = \(width), \(parameterisation.rawValue) parameterisation, no biases, \(parameterCount) parameters"
    }
}
