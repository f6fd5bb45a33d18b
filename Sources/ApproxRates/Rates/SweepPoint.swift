import Foundation

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

/// A JSON Lines file of ``SweepPoint``s that only grows: each finished point is appended as one
/// line and flushed to disk, so an interruption loses at most the points being measured. A
/// trailing partial line (the process killed mid-write) is ignored on reading and cut off
/// before the next append.
public struct PointJournal: Sendable {
    /// The file.
    public let path: String

    /// A journal at `path` (created on the first append).
    public init(path: String) { self.path = path }

    /// The points in the file, in order; a missing file holds none. Throws, naming the line, when a
    /// complete line is not a point.
    public func read() throws -> [SweepPoint] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data = try AtomicFile.read(path)
        var points: [SweepPoint] = []
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        let complete = data.last == 0x0A ? lines.dropLast() : lines.dropLast()   // the last piece is empty or partial
        for (n, line) in complete.enumerated() where !line.isEmpty {
            do { points.append(try JSONDecoder().decode(SweepPoint.self, from: Data(line))) }
            catch { throw RateError("\(path): line \(n + 1) is not a sweep point (\(error)); give another file") }
        }
        return points
    }

    /// Appends `point` as one line and flushes it to disk, after cutting off a partial last line.
    public func append(_ point: SweepPoint) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(point)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw FileError(path: path, reason: "cannot be created") }
        }
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw FileError(path: path, reason: "cannot be written") }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        if size > 0 {
            try handle.seek(toOffset: size - 1)
            if try handle.read(upToCount: 1) != Data([0x0A]) {   // a torn last line: cut it off
                try handle.seek(toOffset: 0)
                let data = try handle.readToEnd() ?? Data()
                try handle.truncate(atOffset: UInt64((data.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0))
            }
            try handle.seekToEnd()
        }
        try handle.write(contentsOf: line)
        try handle.synchronize()
    }
}
