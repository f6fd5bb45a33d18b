import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// Networks kept between planning and measuring, each given out once (then released).
final class NetworkCache: @unchecked Sendable {
    private var networks: [Int: Network] = [:]
    private let lock = NSLock()
    func store(_ network: Network, cells: Int) { lock.withLock { networks[cells] = network } }
    func take(cells: Int) -> Network? { lock.withLock { networks.removeValue(forKey: cells) } }
}
