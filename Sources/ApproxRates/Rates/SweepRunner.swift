import Foundation

/// Runs one shard of a sweep plan into a ``PointJournal``: the jobs already in the journal are
/// skipped, the others are measured one after another (each measurement uses every thread given)
/// and appended as they finish. A job whose grid size N was already measured for its experiment
/// (two W rounding to one N) reuses that row instead of measuring it again.
public struct SweepRunner {
    /// The plan.
    public let plan: SweepPlan
    /// The part of it this process runs.
    public let shard: Shard
    /// Where finished points go.
    public let journal: PointJournal
    /// Threads per measurement (nil: all cores).
    public var threads: Int?
    /// Tool version, host and command line for the points' provenance.
    public var tool: String, host: String, command: String

    /// What happens during a run, for progress reports.
    public enum Event {
        /// Building the networks of an experiment to choose its grid sizes.
        case planning(experiment: String)
        /// A job starts; `done` jobs of the shard's `total` are finished.
        case started(SweepPlan.Job, done: Int, total: Int)
        /// A job finished (measured, or `reused` from a point with the same N).
        case finished(SweepPoint, reused: Bool, done: Int, total: Int)
    }

    /// A runner of `shard` of `plan` into `journal`.
    public init(plan: SweepPlan, shard: Shard, journal: PointJournal, threads: Int? = nil, tool: String, host: String, command: String) {
        self.plan = plan; self.shard = shard; self.journal = journal; self.threads = threads
        self.tool = tool; self.host = host; self.command = command
    }

    /// The shard's jobs and which of them the journal already holds.
    public func status() throws -> (jobs: [SweepPlan.Job], done: Set<String>) {
        let jobs = shard.select(try plan.jobs())
        let ids = Set(jobs.map(\.id))
        return (jobs, Set(try journal.read().map(\.id).filter { ids.contains($0) }))
    }

    /// Runs the shard's missing jobs; returns every point of the shard (old and new), in plan order.
    public func run(_ report: (Event) -> Void = { _ in }) throws -> [SweepPoint] {
        let (jobs, _) = try status()
        var points = Dictionary(try journal.read().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var done = jobs.filter { points[$0.id] != nil }.count
        var experiments: [Int: (RateExperiment, [Int: Int])] = [:]
        for job in jobs where points[job.id] == nil {
            let spec = plan.experiments[job.experiment]
            if experiments[job.experiment] == nil {
                report(.planning(experiment: spec.name))
                let e = try spec.experiment(threads: threads)
                let sizes = try e.gridSizes()
                experiments[job.experiment] = (e, Dictionary(sizes.map { ($0.requested, $0.cells) }, uniquingKeysWith: { a, _ in a }))
            }
            let (experiment, sizes) = experiments[job.experiment]!
            guard let n = sizes[job.weights] else { throw RateError("experiment '\(spec.name)': no grid size for W = \(job.weights)") }
            report(.started(job, done: done, total: jobs.count))
            let sibling = points.values.first { $0.spec.name == spec.name && $0.row.cells == n && $0.spec == spec }
            var row: RateRow
            if let sibling { row = sibling.row; row.requestedWeights = job.weights }
            else {
                do { row = try experiment.measure(weights: job.weights, cells: n) }
                catch { throw RateError("experiment '\(spec.name)', W = \(job.weights): \(error)") }
            }
            let point = SweepPoint(id: job.id, spec: spec, row: row, targetSummary: experiment.target.summary, role: experiment.target.role,
                                   theory: experiment.theory,
                                   provenance: .init(tool: tool, host: host, shard: shard.description,
                                                     finished: ISO8601DateFormatter().string(from: Date()), command: command))
            try journal.append(point)
            points[job.id] = point
            done += 1
            report(.finished(point, reused: sibling != nil, done: done, total: jobs.count))
        }
        return jobs.compactMap { points[$0.id] }
    }
}
