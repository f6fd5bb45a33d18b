import Foundation
import PrecisionModule
import FileIOModule

/// The toy addition task of Liu et al. (2022): the unordered pairs (a, b), 0 ≤ a ≤ b < p, labelled
/// by their sum, split at random into a training set and a test set.
///
/// There are p(p + 1)/2 examples and 2p − 1 possible sums. Example k is the k-th pair in the
/// order (0,0), (0,1), …, (0,p−1), (1,1), … (the authors' `D0_id`). Everything here is exact
/// (integers); the random split is a seeded partial Fisher–Yates shuffle on SplitMix64.
public struct AdditionTask: Sendable, Hashable {
    /// The modulus-free range: numbers 0 … p − 1.
    public let p: Int
    /// All examples, in the order above: (a, b) with a ≤ b.
    public let pairs: [(Int, Int)]
    /// The seed that drew the split.
    public let seed: UInt64
    /// Indices into ``pairs`` of the training examples, in increasing order.
    public let train: [Int]
    /// Indices into ``pairs`` of the test examples, in increasing order.
    public let test: [Int]

    /// The largest p the toy accepts (the exact fraction-free rank of the parallelogram equations stays within Int64: its products are bounded by 6^(p−1)).
    public static let maximumP = 24

    /// The task for numbers 0 … p − 1 (2 ≤ p ≤ ``maximumP``) with `trainCount` training examples
    /// (1 … p(p+1)/2) drawn by `seed`.
    public init(p: Int, trainCount: Int, seed: UInt64) {
        precondition((2...AdditionTask.maximumP).contains(p))
        self.p = p
        self.seed = seed
        pairs = AdditionTask.allPairs(p: p)
        precondition((1...pairs.count).contains(trainCount))
        var order = Array(0..<pairs.count)
        var rng = SplitMix64(seed: seed ^ 0x5350_4C49_5400_0000)
        for i in 0..<trainCount {
            let j = i + Int(rng.next() % UInt64(order.count - i))
            order.swapAt(i, j)
        }
        train = order[..<trainCount].sorted()
        test = order[trainCount...].sorted()
    }

    /// The unordered pairs of 0 … p − 1 in the authors' order.
    public static func allPairs(p: Int) -> [(Int, Int)] {
        (0..<p).flatMap { a in (a..<p).map { (a, $0) } }
    }

    /// p(p + 1)/2.
    public var exampleCount: Int { pairs.count }
    /// 2p − 1.
    public var sumCount: Int { 2 * p - 1 }
    /// The label (sum) of example k.
    public func sum(_ k: Int) -> Int { pairs[k].0 + pairs[k].1 }
    /// The training fraction |train| / (p(p + 1)/2).
    public var fraction: Double { Double(train.count) / Double(pairs.count) }

    /// The number of training examples for a fraction: round(fraction · p(p + 1)/2), at least 1 and at
    /// most all but one (so the test set is not empty).
    public static func trainCount(p: Int, fraction: Double) -> Int {
        let n = p * (p + 1) / 2
        return Swift.min(n - 1, Swift.max(1, Int((fraction * Double(n)).rounded())))
    }

    public static func == (l: AdditionTask, r: AdditionTask) -> Bool { l.p == r.p && l.train == r.train }
    public func hash(into h: inout Hasher) { h.combine(p); h.combine(train) }

    /// The "ideal" parallelograms of the representation-quality index: every (i, n, j, m) with
    /// i < j ≤ m < n and i + n = j + m (the authors' enumeration; 1-D: E_i + E_n = E_j + E_m).
    public static func idealParallelograms(p: Int) -> [(Int, Int, Int, Int)] {
        var out: [(Int, Int, Int, Int)] = []
        for i in 0..<p { for j in (i + 1)..<Swift.max(i + 1, p) { for m in j..<p { for n in (m + 1)..<Swift.max(m + 1, p) where i + n == j + m {
            out.append((i, n, j, m))
        } } } }
        return out
    }

    /// Pairs of examples (k, l), k < l, with equal sums: the parallelograms E_a + E_b = E_c + E_d of
    /// the full set (the authors' `P0`), as indices into ``pairs``.
    public var examplePairsWithEqualSums: [(Int, Int)] {
        var out: [(Int, Int)] = []
        for k in 0..<pairs.count { for l in (k + 1)..<pairs.count where sum(k) == sum(l) { out.append((k, l)) } }
        return out
    }

    /// The parallelograms with both examples in the training set (P₀(D) in the paper).
    public var trainingParallelograms: [(Int, Int)] {
        let inTrain = Set(train)
        return examplePairsWithEqualSums.filter { inTrain.contains($0.0) && inTrain.contains($0.1) }
    }

    /// The row of the linear system for the parallelogram of examples (k, l): the coefficients c of
    /// Σ_i c_i E_i = E_a + E_b − E_c − E_d = 0, length p.
    public func equation(_ k: Int, _ l: Int) -> [Int] {
        var row = [Int](repeating: 0, count: p)
        row[pairs[k].0] += 1; row[pairs[k].1] += 1; row[pairs[l].0] -= 1; row[pairs[l].1] -= 1
        return row
    }
}
