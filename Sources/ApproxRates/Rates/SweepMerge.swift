import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule
/// Joins the points of several shards (or runs) into one list.
public enum SweepMerge {
    /// The union of `files` by job id. The same id twice is kept once when both carry the same
    /// measurement, and is an error otherwise. With a plan, the points come in plan order and the
    /// plan's ids that no file holds are returned as `missing`; without one, in order of first
    /// appearance.
    public static func merge(_ files: [(name: String, points: [SweepPoint])], plan: SweepPlan?) throws -> (points: [SweepPoint], missing: [String]) {
        var byId: [String: (SweepPoint, String)] = [:]
        var order: [String] = []
        for (name, points) in files {
            for p in points {
                if let (q, other) = byId[p.id] {
                    guard q.sameMeasurement(as: p) else {
                        throw RateError("job \(p.id) differs between \(other) (error \(q.row.error)) and \(name) (error \(p.row.error)); remove one")
                    }
                    continue
                }
                byId[p.id] = (p, name)
                order.append(p.id)
            }
        }
        guard let plan else { return (order.map { byId[$0]!.0 }, []) }
        let ids = try plan.jobs().map(\.id)
        let known = Set(ids)
        if let stray = order.first(where: { !known.contains($0) }) {
            throw RateError("job \(stray) (in \(byId[stray]!.1)) is not in the plan '\(plan.name)'; merge it with its own plan")
        }
        return (ids.compactMap { byId[$0]?.0 }, ids.filter { byId[$0] == nil })
    }
}
