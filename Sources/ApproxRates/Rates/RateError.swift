import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule
/// Why a rate could not be fitted.
public struct RateError: Error, CustomStringConvertible {
    /// The reason, in words.
    public let description: String
    /// An error with the reason `description`.
    public init(_ description: String) { self.description = description }
}
