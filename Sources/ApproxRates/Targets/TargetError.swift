import PrecisionModule
/// Why a target could not be made.
public enum TargetError: Error, Equatable, CustomStringConvertible {
    /// A smoothness that is not a finite number > 0.
    case badSmoothness(Double)
    /// A dimension the target does not have.
    case dimension(String)
    /// An unknown target name.
    case unknown(String)
    /// A bad or missing parameter.
    case parameter(String)

    public var description: String {
        switch self {
        case .badSmoothness(let r): "smoothness \(r) is not allowed: it must be a finite number > 0"
        case .dimension(let s): s
        case .unknown(let s): s
        case .parameter(let s): s
        }
    }
}
