import Foundation
import PrecisionModule
import FileIOModule

/// The linear system of parallelogram equations E_a + E_b − E_c − E_d = 0, one per pair of examples
/// with equal sums, and what it says about a training set (Liu et al. 2022, section 3):
///
/// - its null space holds the representations the training set allows; translation and scale
///   (E_k = α + βk) always solve it, so the nullity is at least 2, and nullity 2 means the
///   training set fixes the linear representation;
/// - the ideal accuracy: a test example (a, b) can be answered when some training example (c, d)
///   with c + d = a + b has its parallelogram implied by the training ones (its row lies in their
///   span).
///
/// Ranks are exact: fraction-free (Bareiss) elimination in Int64, whose entries are minors of
/// the integer matrix (every product stays below 6^(p−1) < 2^63 for p ≤ ``AdditionTask/maximumP``).
public struct ParallelogramSystem: Sendable {
    /// The task.
    public let task: AdditionTask
    /// The equations (rows of length p): of P₀(D) (both examples in the training set).
    public let rows: [[Int]]
    /// The exact rank of ``rows``.
    public let rank: Int

    /// The pivot rows of the elimination, in order: the column, the row as it was when it became the
    /// pivot, and the previous pivot (Bareiss's divisor at that stage). Reducing any further row
    /// through these stages repeats exactly what elimination of the augmented matrix would do.
    let stages: [(column: Int, row: [Int], previous: Int)]

    /// The system of `task`'s training parallelograms.
    public init(task: AdditionTask) {
        self.task = task
        rows = task.trainingParallelograms.map { task.equation($0.0, $0.1) }
        stages = ParallelogramSystem.eliminate(rows, columns: task.p)
        rank = stages.count
    }

    /// p − rank: the dimension of the representations the training set allows (≥ 2).
    public var nullity: Int { task.p - rank }

    /// True when the training set fixes the representation up to translation and scale.
    public var determinesRepresentation: Bool { nullity == 2 }

    /// The exact rank of an integer matrix (`rows`, each `columns` long).
    public static func rank(_ rows: [[Int]], columns: Int) -> Int { eliminate(rows, columns: columns).count }

    /// Fraction-free elimination; returns the pivot stages (their count is the rank).
    static func eliminate(_ rows: [[Int]], columns: Int) -> [(column: Int, row: [Int], previous: Int)] {
        var a = rows
        let m = a.count
        var r = 0, previous = 1
        var stages: [(column: Int, row: [Int], previous: Int)] = []
        for c in 0..<columns where r < m {
            guard let pivot = (r..<m).first(where: { a[$0][c] != 0 }) else { continue }
            a.swapAt(r, pivot)
            for i in (r + 1)..<m { reduce(&a[i], by: a[r], column: c, previous: previous, columns: columns) }
            stages.append((c, a[r], previous))
            previous = a[r][c]
            r += 1
        }
        return stages
    }

    /// One Bareiss step on `row` against the pivot row at column c: entries right of c become
    /// (pivot_c·row_j − row_c·pivot_j)/previous (exact), and row_c becomes 0.
    @inline(__always)
    static func reduce(_ row: inout [Int], by pivot: [Int], column c: Int, previous: Int, columns: Int) {
        for j in (c + 1)..<columns {
            let (x, o1) = pivot[c].multipliedReportingOverflow(by: row[j])
            let (y, o2) = row[c].multipliedReportingOverflow(by: pivot[j])
            precondition(!o1 && !o2, "parallelogram system too large for exact Int64 elimination")
            row[j] = (x - y) / previous
        }
        row[c] = 0
    }

    /// True when `equation` (length p) is a rational combination of ``rows``: the parallelogram it
    /// states is implied by the training ones. Exact; O(rank · p).
    public func implies(_ equation: [Int]) -> Bool {
        var row = equation
        var next = 0
        for stage in stages {
            // A nonzero entry in a column without a pivot would raise the rank.
            while next < stage.column { if row[next] != 0 { return false }; next += 1 }
            ParallelogramSystem.reduce(&row, by: stage.row, column: stage.column, previous: stage.previous, columns: task.p)
            next = stage.column + 1
        }
        return row.allSatisfy { $0 == 0 }
    }

    /// The first of seeds 1 … 10⁴ whose split of `trainCount` examples has ideal test accuracy 1
    /// (nil if none).
    public static func firstIdealSplitSeed(p: Int, trainCount: Int) -> UInt64? {
        (1...UInt64(10_000)).first { ParallelogramSystem(task: AdditionTask(p: p, trainCount: trainCount, seed: $0)).idealTestAccuracy == 1 }
    }

    /// The share of `task`'s test examples whose sum some training example also has: the most any
    /// representation can answer (a test sum never seen in training has no template to match).
    public static func answerableShare(_ task: AdditionTask) -> Double {
        guard !task.test.isEmpty else { return .nan }
        let seen = Set(task.train.map(task.sum))
        return Double(task.test.filter { seen.contains(task.sum($0)) }.count) / Double(task.test.count)
    }

    /// The test accuracy a perfect use of the implied parallelograms allows (the paper's Acc̄ on
    /// the test set): the share of test examples (a, b) for which some training example (c, d)
    /// with the same sum has E_a + E_b − E_c − E_d = 0 in the span of ``rows``.
    public var idealTestAccuracy: Double {
        guard !task.test.isEmpty else { return .nan }
        var answerable = 0
        for k in task.test where task.train.contains(where: { l in
            task.sum(l) == task.sum(k) && implies(task.equation(k, l))
        }) { answerable += 1 }
        return Double(answerable) / Double(task.test.count)
    }
}
