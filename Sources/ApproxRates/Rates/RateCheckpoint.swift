import Foundation
import FileIOModule

/// The checkpoint of a rate experiment run draw by draw (`approx-cli rate --checkpoint`): one
/// line per measured draw, `{"key": …, "row": …}`, appended through the same
/// ``JSONLinesJournal`` as the sweep's points, so that it keeps the same crash rule: each
/// finished row is one flushed line, and a torn last line (a kill in the middle of a write) is
/// ignored on reading and cut off before the next append.
///
/// The key names what was measured (the caller's identity of the run and the draw's target,
/// seed included); rows are matched by key and grid size N, since the network depends on N only.
public struct RateCheckpoint: Sendable {
    /// One line of the file.
    public struct Line: Codable, Sendable {
        /// The run's identity and the draw's target.
        public let key: String
        /// The measured row (one draw).
        public let row: RateRow
        /// A line for `row` under `key`.
        public init(key: String, row: RateRow) { self.key = key; self.row = row }
    }

    /// The journal behind the file.
    public let journal: JSONLinesJournal<Line>

    /// The checkpoint at `path` (created on the first append).
    public init(path: String) { journal = JSONLinesJournal(path: path, recordName: "checkpoint row") }

    /// The rows in the file by key, then by grid size N (later lines win). Throws, naming the
    /// line, when a complete line is not a checkpoint row.
    public func rows() throws -> [String: [Int: RateRow]] {
        var rows: [String: [Int: RateRow]] = [:]
        for line in try journal.read() { rows[line.key, default: [:]][line.row.cells] = line.row }
        return rows
    }

    /// Appends `row` under `key` and flushes it to disk; appends from concurrent measurements
    /// (a sweep's workers share one checkpoint) take turns.
    public func append(key: String, row: RateRow) throws {
        try RateCheckpoint.appending.withLock { try journal.append(Line(key: key, row: row)) }
    }

    /// Serialises appends within the process.
    private static let appending = NSLock()
}

extension RateExperiment {
    /// What a run reports as it goes: a row taken from the checkpoint, a measurement started, or
    /// a measurement finished (`index` counts the planned grid sizes from 0, `draw` the draws).
    public enum RunEvent: Sendable {
        case resumed(index: Int, draw: Int)
        case started(index: Int, draw: Int, cells: Int)
        case finished(index: Int, draw: Int, row: RateRow)
    }

    /// Measures every planned grid size, each draw on its own, and returns one row per grid size
    /// (the worst of its draws, ``worst(of:)``). With a checkpoint, a draw already in it under
    /// `keys[draw]` with the same N is taken from it (its `requestedWeights` updated), and every
    /// new row is appended as soon as it is measured, so an interruption loses at most the draw
    /// being measured. `keys` holds one key per ``drawnTargets`` entry.
    public func run(plan: [(requested: Int, cells: Int)], checkpoint: RateCheckpoint?, keys: [String],
                    onEvent: (RunEvent) -> Void = { _ in }) throws -> [RateRow] {
        precondition(keys.count == drawnTargets.count, "one checkpoint key per draw")
        var done = try checkpoint?.rows() ?? [:]
        var rows: [RateRow] = []
        for (i, (w, n)) in plan.enumerated() {
            var drawRows: [RateRow] = []
            for (k, key) in keys.enumerated() {
                if var row = done[key]?[n] {
                    row.requestedWeights = w
                    drawRows.append(row); onEvent(.resumed(index: i, draw: k)); continue
                }
                onEvent(.started(index: i, draw: k, cells: n))
                let row: RateRow
                do { row = try measure(weights: w, cells: n, draw: k) } catch { throw RateError("W≈\(w): \(error)") }
                drawRows.append(row)
                done[key, default: [:]][n] = row
                try checkpoint?.append(key: key, row: row)
                onEvent(.finished(index: i, draw: k, row: row))
            }
            rows.append(RateExperiment.worst(of: drawRows))
        }
        return rows
    }
}
