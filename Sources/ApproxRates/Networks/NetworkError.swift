import PrecisionModule
import FileIOModule
/// A network that is not well formed, or an input it cannot take.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    /// An activation name that is not one of identity, relu, relu^k, sine, step.
    case unknownActivation(String)
    /// Layer `layer` expects `expected` inputs but the previous stage gives `actual`.
    case mismatchedSizes(layer: Int, expected: Int, actual: Int)
    /// A layer's arrays disagree with its declared shape.
    case malformedLayer(layer: Int, reason: String)
    /// An input point has the wrong number of coordinates.
    case wrongInputDimension(expected: Int, actual: Int)
    /// An input coordinate is NaN or infinite.
    case nonFiniteInput(point: Int, coordinate: Int)
    /// The operation needs something of the network that it does not have.
    case unsupported(String)

    public var description: String {
        switch self {
        case .unknownActivation(let name):
            return "unknown activation '\(name)': expected identity, relu, relu^k (k >= 2), sine or step"
        case .mismatchedSizes(let layer, let expected, let actual):
            return "layer \(layer) takes \(expected) inputs but the stage before it has \(actual) outputs"
        case .malformedLayer(let layer, let reason):
            return "layer \(layer) is malformed: \(reason)"
        case .wrongInputDimension(let expected, let actual):
            return "an input point has \(actual) coordinates; the network takes \(expected)"
        case .nonFiniteInput(let point, let coordinate):
            return "input point \(point) has a NaN or infinite coordinate (number \(coordinate)); inputs must be finite"
        case .unsupported(let what):
            return what
        }
    }
}
