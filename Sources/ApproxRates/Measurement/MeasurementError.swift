import PrecisionModule
import NetworksModule
import TargetsModule
/// Why a measurement could not be made.
public struct MeasurementError: Error, CustomStringConvertible {
    /// The reason, in words.
    public let description: String
    init(_ description: String) { self.description = description }
}
