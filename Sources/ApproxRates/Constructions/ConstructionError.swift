import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule
/// Why a construction could not be built.
public enum ConstructionError: Error, Equatable, CustomStringConvertible {
    /// The construction does not support the target's dimension.
    case dimension(String)
    /// A bad parameter (N, degree, squaring depth, name).
    case parameter(String)
    /// The target lacks what the construction needs (a Taylor coefficient).
    case target(String)
    public var description: String {
        switch self {
        case .dimension(let s), .parameter(let s), .target(let s): s
        }
    }
}
