import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule
/// Why a construction could not be built.
public enum ConstructionError: Error, Equatable, CustomStringConvertible {
    /// The construction does not support the target's dimension.
    case dimension(String)
    /// A bad parameter (N, degree, squaring depth, name), in words.
    case parameter(String)
    /// A parameter of a construction's choice (`alpha`, `degree`, `activation`) with a value
    /// that is not allowed: `reason` follows the parameter's name
    /// ("alpha 1.5 is not allowed: use 0 < alpha <= 1"). The library names parameters; a caller
    /// maps them to its own spelling (the CLI's `--alpha`, a plan's `"alpha"`).
    case invalid(parameter: String, reason: String)
    /// The target lacks what the construction needs (a Taylor coefficient).
    case target(String)
    public var description: String {
        switch self {
        case .dimension(let s), .parameter(let s), .target(let s): s
        case .invalid(let parameter, let reason): "\(parameter) \(reason)"
        }
    }

    /// The message with the parameter spelt by `spelling` (the CLI passes { "--" + $0 }).
    public func described(naming spelling: (String) -> String) -> String {
        switch self {
        case .invalid(let parameter, let reason): "\(spelling(parameter)) \(reason)"
        default: description
        }
    }
}
