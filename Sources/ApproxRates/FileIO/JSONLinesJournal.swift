import Foundation

/// A JSON Lines file of records that only grows: each finished record (a sweep point, a training
/// run) is appended as one line and flushed to disk, so an interruption loses at most the records
/// being computed. A trailing partial line (the process killed mid-write) is ignored on reading
/// and cut off before the next append.
public struct JSONLinesJournal<Record: Codable>: Sendable {
    /// The file.
    public let path: String
    /// What one record is called in error messages ("checkpoint row", "sweep point").
    public let recordName: String

    /// A journal at `path` (created on the first append); `recordName` names a record in errors
    /// (default: the type's name).
    public init(path: String, recordName: String? = nil) {
        self.path = path
        self.recordName = recordName ?? "\(Record.self)"
        AtomicFile.registerInput(path)
    }

    /// The records in the file, in order; a missing file holds none. Throws, naming the line, when a
    /// complete line is not a point.
    public func read() throws -> [Record] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        try AtomicFile.checkRegularOrMissing(path)
        let data = try AtomicFile.read(path)
        var points: [Record] = []
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        let complete = data.last == 0x0A ? lines.dropLast() : lines.dropLast()   // the last piece is empty or partial
        for (n, line) in complete.enumerated() where !line.isEmpty {
            do {
                try ResourceLimits.checkJSONNesting(line, source: "line \(n + 1)")
                points.append(try JSONDecoder().decode(Record.self, from: Data(line)))
            }
            catch { throw FileError(path: path, reason: "line \(n + 1) is not a \(recordName) (\(error)); give another file") }
        }
        return points
    }

    /// Appends `point` as one line and flushes it to disk, after cutting off a partial last line.
    public func append(_ point: Record) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(point)
        line.append(0x0A)
        try AtomicFile.checkRegularOrMissing(path)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw FileError(path: path, reason: "cannot be created") }
            AtomicFile.registerInput(path)
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
