import PrecisionModule
import FileIOModule
/// The nonlinearity a unit applies after its affine map.
///
/// Names (used in files and on the command line): `identity`, `relu`, `relu^k` (k >= 2),
/// `sine`, `step`.
public enum Activation: Hashable, Sendable, CustomStringConvertible {
    /// t ↦ t.
    case identity
    /// t ↦ max(t, 0), the ReLU σ.
    case relu
    /// t ↦ max(t, 0)^k for an integer k >= 2 (ReLU^k, "RePU"); exact for exact t when the
    /// precision holds the k-th power.
    case reluPower(Int)
    /// t ↦ sin(t), t in radians.
    case sine
    /// The Heaviside step t ↦ 1 for t >= 0, 0 for t < 0 (so step(0) = 1).
    case step

    /// Reads a name as written by ``description``. Throws for an unknown name.
    public init(name: String) throws {
        switch name {
        case "identity", "linear": self = .identity
        case "relu": self = .relu
        case "sine", "sin": self = .sine
        case "step", "heaviside": self = .step
        default:
            if name.hasPrefix("relu^"), let k = Int(name.dropFirst(5)), k >= 1 {
                self = k == 1 ? .relu : .reluPower(k)
            } else {
                throw NetworkError.unknownActivation(name)
            }
        }
    }

    /// The file and command-line name.
    public var description: String {
        switch self {
        case .identity: return "identity"
        case .relu: return "relu"
        case .reluPower(let k): return "relu^\(k)"
        case .sine: return "sine"
        case .step: return "step"
        }
    }

    /// True for the continuous piecewise-linear activations (identity and ReLU), whose networks
    /// have finitely many linear pieces on a 1-D input.
    public var isPiecewiseLinear: Bool { self == .identity || self == .relu }

    /// The activation applied to a `Double`.
    @inlinable
    public func apply(_ t: Double) -> Double {
        switch self {
        case .identity: return t
        case .relu: return t > 0 ? t : 0
        case .reluPower(let k):
            guard t > 0 else { return 0 }
            var r = t
            for _ in 1..<k { r *= t }
            return r
        case .sine: return _sin(t)
        case .step: return t >= 0 ? 1 : 0
        }
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _sin(_ t: Double) -> Double { Glibc.sin(t) }
#elseif canImport(Darwin)
import Darwin
@usableFromInline func _sin(_ t: Double) -> Double { Darwin.sin(t) }
#endif
