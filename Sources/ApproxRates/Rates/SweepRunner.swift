import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// Runs one shard of a sweep plan into a ``PointJournal``: the jobs already in the journal are
/// skipped, the others are measured by ``workers`` concurrent workers, costliest first, and
/// appended as they finish. A job whose grid size N was already measured for its experiment
/// (two W rounding to one N) reuses that row instead of measuring it again.
public struct SweepRunner: Sendable {
    /// The plan.
    public let plan: SweepPlan
    /// The part of it this process runs.
    public let shard: Shard
    /// Where finished points go.
    public let journal: PointJournal
    /// Threads per measurement (nil: all cores).
    public var threads: Int?
    /// Measurements run at the same time (default 1: one at a time, each on ``threads`` threads).
    public var workers: Int = 1
    /// Tool version, host and command line for the points' provenance.
    public var tool: String, host: String, command: String

    /// What happens during a run, for progress reports.
    public enum Event: Sendable {
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

    /// Runs the shard's missing jobs on ``workers`` concurrent measurements, the costliest first;
    /// returns every point of the shard (old and new), in plan order. Jobs of one experiment that
    /// share a grid size are measured once. Events are reported one at a time (under a lock).
    /// After a failure no new job starts; the running ones finish and are kept, then it throws.
    public func run(_ report: @escaping @Sendable (Event) -> Void = { _ in }) throws -> [SweepPoint] {
        let jobs = shard.select(try plan.jobs())
        let state = RunState(points: Dictionary(try journal.read().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
        state.done = jobs.filter { state.points[$0.id] != nil }.count
        // Plan the experiments with pending jobs (this builds their networks once) and group the
        // pending jobs into units of one (experiment, N).
        var experiments: [Int: (RateExperiment, [Int: Int])] = [:]
        var units: [(experiment: Int, cells: Int, jobs: [SweepPlan.Job])] = []
        for job in jobs where state.points[job.id] == nil {
            let spec = plan.experiments[job.experiment]
            if experiments[job.experiment] == nil {
                report(.planning(experiment: spec.name))
                let e = try spec.experiment(threads: threads)
                let sizes = try e.gridSizes()
                experiments[job.experiment] = (e, Dictionary(sizes.map { ($0.requested, $0.cells) }, uniquingKeysWith: { a, _ in a }))
            }
            guard let n = experiments[job.experiment]!.1[job.weights] else {
                throw RateError("experiment '\(spec.name)': no grid size for W = \(job.weights)")
            }
            if let k = units.firstIndex(where: { $0.experiment == job.experiment && $0.cells == n }) { units[k].jobs.append(job) }
            else { units.append((job.experiment, n, [job])) }
        }
        units.sort { $0.jobs.map(\.cost).reduce(0, +) > $1.jobs.map(\.cost).reduce(0, +) }
        let (units_, experiments_) = (units, experiments)
        let total = jobs.count
        let finish: @Sendable (SweepPlan.Job, RateRow, RateExperiment, Bool) throws -> Void = { job, measured, experiment, reused in
            var row = measured
            row.requestedWeights = job.weights
            let point = SweepPoint(id: job.id, spec: self.plan.experiments[job.experiment], row: row, targetSummary: experiment.target.summary,
                                   role: experiment.target.role, theory: experiment.theory,
                                   provenance: .init(tool: self.tool, host: self.host, shard: self.shard.description,
                                                     finished: ISO8601DateFormatter().string(from: Date()), command: self.command))
            try self.journal.append(point)
            state.points[job.id] = point
            state.done += 1
            report(.finished(point, reused: reused, done: state.done, total: total))
        }
        let workers = Swift.max(1, Swift.min(self.workers, units.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let units = units_, experiments = experiments_
            while true {
                state.lock.lock()
                guard state.failure == nil, state.next < units.count else { state.lock.unlock(); return }
                let unit = units[state.next]
                state.next += 1
                let (experiment, _) = experiments[unit.experiment]!
                let spec = plan.experiments[unit.experiment]
                // A point of the same experiment and N already in the journal (an earlier run) is reused.
                let sibling = state.points.values.first { $0.spec == spec && $0.row.cells == unit.cells }
                if sibling == nil { report(.started(unit.jobs[0], done: state.done, total: total)) }
                state.lock.unlock()
                let row: RateRow
                if let sibling { row = sibling.row }
                else {
                    do { row = try self.measure(experiment, spec: spec, weights: unit.jobs[0].weights, cells: unit.cells) }
                    catch {
                        state.lock.withLock { state.failure = state.failure ?? RateError("experiment '\(spec.name)', W = \(unit.jobs[0].weights): \(error)") }
                        return
                    }
                }
                state.lock.withLock {
                    do { for (k, job) in unit.jobs.enumerated() { try finish(job, row, experiment, sibling != nil || k > 0) } }
                    catch { state.failure = state.failure ?? error }
                }
            }
        }
        if let failure = state.failure { throw failure }
        return jobs.compactMap { state.points[$0.id] }
    }

    /// The draws' checkpoint next to the journal (`<journal>.draws.jsonl`): a point of several
    /// draws keeps each finished draw there, so an interrupted sweep resumes inside a point
    /// (a ten-seed 2-D point takes hours) and loses at most the draw being measured.
    public var drawCheckpoint: RateCheckpoint { RateCheckpoint(path: SweepRunner.drawsPath(journal: journal.path)) }

    /// The path of the draws' checkpoint of the journal at `path`.
    public static func drawsPath(journal path: String) -> String { path + ".draws.jsonl" }

    /// The row of one (experiment, N): one draw straight away; several draw by draw through
    /// ``drawCheckpoint``, keyed by the experiment's name (a plan's identity for an experiment, as
    /// in the points' ids) and the draw's target (seed included), then the worst of them
    /// (``RateExperiment/worst(of:)``).
    func measure(_ experiment: RateExperiment, spec: ExperimentSpec, weights: Int, cells n: Int) throws -> RateRow {
        guard !experiment.draws.isEmpty else { return try experiment.measure(weights: weights, cells: n) }
        let keys = experiment.drawnTargets.map { "\(spec.name)|\($0.summary)" }
        return try experiment.run(plan: [(weights, n)], checkpoint: drawCheckpoint, keys: keys)[0]
    }
}

/// The mutable state of a run, shared by its workers under `lock`.
private final class RunState: @unchecked Sendable {
    let lock = NSLock()
    var points: [String: SweepPoint]
    var done = 0
    var next = 0
    var failure: Error?
    init(points: [String: SweepPoint]) { self.points = points }
}
