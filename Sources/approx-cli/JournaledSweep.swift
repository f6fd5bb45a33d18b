import ApproxRates
import Foundation

/// What differs between the journaled dynamics sweeps (`dynamics sgd`, `dynamics grokking`): the
/// spec and record types, how a spec is costed and keyed, how the plan's records are read, how the
/// runs are executed, and the line printed for each finished run.
struct JournaledSweep<Spec: Sendable, Record: Codable & Sendable> {
    /// The journal's name for one record ("SGD run").
    let recordName: String
    /// "about" or "at most": how the operation count estimates the work left.
    let estimate: String
    /// Operations per second per core for the time estimate, and its text ("5·10⁹").
    let rate: Double, rateText: String
    /// Cost (operations) and key of a spec; key of a record.
    let cost: (Spec) -> Double, specKey: (Spec) -> String, recordKey: @Sendable (Record) -> String
    /// The records of the plan in these journals.
    let records: ([JSONLinesJournal<Record>]) throws -> [Record]
    /// Runs `todo` with `workers` threads, starting from `finished` of `total`, appending to the journal.
    let execute: (_ todo: [Spec], _ workers: Int, _ finished: [Record], _ total: Int, _ journal: JSONLinesJournal<Record>,
                  _ onRecord: @escaping @Sendable (Record, Int, Int) -> Void) throws -> [Record]
    /// The progress line of a finished record (number finished, total).
    let line: @Sendable (Record, Int, Int) -> String
}

extension DynamicsJobOptions {
    /// Runs the jobs that OUT's journal for this shard does not have (costliest first), then returns
    /// every record of the plan in OUT's journals, or nil (after saying so) while some are missing.
    func run<Spec, Record>(_ jobs: [Spec], sweep: JournaledSweep<Spec, Record>, out: String, command: String) throws -> [Record]? {
        try checkThreads(jobCount, "--jobs")
        let part = try resolveShard(shard)
        try makeFolder(out)
        let file = journalFile(in: out, shard: part)
        let journal = JSONLinesJournal<Record>(path: file, recordName: sweep.recordName)
        let mine = part.select(jobs, cost: sweep.cost, id: sweep.specKey).sorted { sweep.cost($0) > sweep.cost($1) }
        let keys = Set(mine.map(sweep.specKey))
        let done = try wrap { try sweep.records([journal]) }.filter { keys.contains(sweep.recordKey($0)) }
        let have = Set(done.map(sweep.recordKey))
        let todo = mine.filter { !have.contains(sweep.specKey($0)) }
        let workers = jobCount ?? ProcessInfo.processInfo.activeProcessorCount
        let flops = todo.map(sweep.cost).reduce(0, +)
        printError(String(format: "%@: %d runs; %d in shard %@, %d already in %@; %@ %.3g operations left (%.0f s at %@ per second per core, on %d)",
                          command, jobs.count, mine.count, part.description, done.count, file, sweep.estimate, flops,
                          flops / sweep.rate / Double(Swift.min(workers, Swift.max(1, todo.count))), sweep.rateText, workers))
        let costs = Dictionary(uniqueKeysWithValues: mine.map { (sweep.specKey($0), sweep.cost($0)) })
        let bar = ProgressBar(costTotal: mine.map(sweep.cost).reduce(0, +), costDone: done.map { costs[sweep.recordKey($0)] ?? 0 }.reduce(0, +))
        let line = sweep.line, recordKey = sweep.recordKey
        _ = try wrap {
            try sweep.execute(todo, workers, done, mine.count, journal) { record, finished, count in
                bar.finished(cost: costs[recordKey(record)] ?? 0, measured: true, line: line(record, finished, count))
                bar.update(done: finished, total: count, note: recordKey(record))
            }
        }
        bar.end()
        let journals = try journalFiles(in: out).map { JSONLinesJournal<Record>(path: $0, recordName: sweep.recordName) }
        let records = try wrap { try sweep.records(journals) }
        let present = Set(records.map(sweep.recordKey))
        let missing = jobs.filter { !present.contains(sweep.specKey($0)) }
        guard missing.isEmpty else {
            printError("shard \(part) done; \(missing.count) of \(jobs.count) runs of the plan are not yet in \(out) (e.g. \(sweep.specKey(missing[0]))); run the other shards into the same folder, then rerun any shard to write the outputs")
            return nil
        }
        return records
    }
}
