import Foundation

/// Runs independent jobs on a few threads and appends each result to a journal as soon as it is
/// finished, so an interrupted sweep loses only the jobs in flight.
public enum JournaledJobs {
    /// Runs `todo` with `workers` threads (at most one per job); each result is appended to
    /// `journal` and passed to `onRecord` with the number finished (counting `finished`) and
    /// `total`, one at a time under a lock. After a failed append no new job starts and the error
    /// is thrown. Returns `finished` plus the new results, in finishing order.
    public static func run<Job: Sendable, Record: Codable & Sendable>(
        _ todo: [Job], workers: Int, finished: [Record], total: Int, journal: JSONLinesJournal<Record>,
        work: @escaping @Sendable (Job) -> Record, onRecord: @escaping @Sendable (Record, Int, Int) -> Void
    ) throws -> [Record] {
        let queue = Queue(results: finished)
        DispatchQueue.concurrentPerform(iterations: Swift.min(Swift.max(1, workers), Swift.max(1, todo.count))) { _ in
            while let i = queue.take(limit: todo.count) {
                let record = work(todo[i])
                queue.finish { results, failure in
                    do { try journal.append(record); results.append(record); onRecord(record, results.count, total) }
                    catch { failure = error }
                }
            }
        }
        if let failure = queue.failure { throw failure }
        return queue.results
    }

    /// The workers' shared queue position, results and first failure, behind one lock.
    final class Queue<Record>: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private(set) var results: [Record]
        private(set) var failure: Error? = nil
        init(results: [Record]) { self.results = results }
        /// The next job index, or nil when all are taken or a job failed.
        func take(limit: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < limit, failure == nil else { return nil }
            next += 1
            return next - 1
        }
        func finish(_ body: (inout [Record], inout Error?) -> Void) {
            lock.lock(); defer { lock.unlock() }
            body(&results, &failure)
        }
    }
}
