import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// One finished job of a sweep: the experiment it belongs to, the measured row, what the theory
/// says for that experiment, and where and when it was measured. One JSON line of a points file.
public struct SweepPoint: Sendable, Codable, Equatable {
    /// The job id "<experiment>|W=<w>".
    public let id: String
    /// The experiment's spec, as planned.
    public let spec: ExperimentSpec
    /// The measurement.
    public let row: RateRow
    /// The target in words (with its seed).
    public let targetSummary: String
    /// The target's role (class-hard, single function, trap, formula).
    public let role: Target.Role
    /// The theory's exponents for this experiment.
    public let theory: RateExperiment.Theory
    /// Where and how it was measured.
    public let provenance: Provenance

    /// Where and how a point was measured.
    public struct Provenance: Sendable, Codable, Equatable {
        /// Tool and library versions ("approx-cli 0.2.0 (MPFR 4.2.0, GMP 6.2.1)").
        public let tool: String
        /// The host name.
        public let host: String
        /// The shard "i/n" that measured it.
        public let shard: String
        /// ISO 8601 time at which the point finished.
        public let finished: String
        /// The command line.
        public let command: String
        /// A provenance record.
        public init(tool: String, host: String, shard: String, finished: String, command: String) {
            self.tool = tool; self.host = host; self.shard = shard; self.finished = finished; self.command = command
        }
    }

    /// A point.
    public init(id: String, spec: ExperimentSpec, row: RateRow, targetSummary: String, role: Target.Role,
                theory: RateExperiment.Theory, provenance: Provenance) {
        self.id = id; self.spec = spec; self.row = row; self.targetSummary = targetSummary; self.role = role
        self.theory = theory; self.provenance = provenance
    }

    /// Whether two points carry the same measurement (everything but timing and provenance).
    public func sameMeasurement(as other: SweepPoint) -> Bool {
        id == other.id && spec == other.spec && row.error == other.row.error && row.cells == other.row.cells
            && row.weightsAll == other.row.weightsAll && row.precision == other.row.precision && row.argmax == other.row.argmax
    }
}

/// The sweep's journal: one ``SweepPoint`` per line (see ``JSONLinesJournal``).
public typealias PointJournal = JSONLinesJournal<SweepPoint>
