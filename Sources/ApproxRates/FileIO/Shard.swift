import Foundation

/// A deterministic split of a sweep's jobs (rate sweeps, training-dynamics sweeps): shard `index` (1-based) of `count`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based index.
    public let index: Int
    /// Number of shards.
    public let count: Int
    /// The whole plan.
    public static let all = Shard(index: 1, count: 1)

    /// Shard `index` (1-based) of `count`; ``parse(_:)`` and ``fromSlurm(_:)`` validate their input.
    public init(index: Int, count: Int) {
        self.index = index; self.count = count
    }

    /// Parses "i/n" (1-based).
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
            throw ShardError("--shard \(text) is not allowed: give i/n with 1 <= i <= n, e.g. 2/8")
        }
        return Shard(index: i, count: n)
    }

    /// The shard from Slurm's SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN, default 0) and
    /// SLURM_ARRAY_TASK_COUNT, when both are set; nil otherwise.
    public static func fromSlurm(_ environment: [String: String]) throws -> Shard? {
        guard let idText = environment["SLURM_ARRAY_TASK_ID"], let countText = environment["SLURM_ARRAY_TASK_COUNT"] else { return nil }
        guard let id = Int(idText), let count = Int(countText), count >= 1 else {
            throw ShardError("SLURM_ARRAY_TASK_ID=\(idText), SLURM_ARRAY_TASK_COUNT=\(countText): expected integers")
        }
        if let step = environment["SLURM_ARRAY_TASK_STEP"], step != "1" {
            throw ShardError("SLURM_ARRAY_TASK_STEP=\(step): array steps other than 1 cannot be mapped to shards; use --array=0-(n-1)")
        }
        let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
        guard (0..<count).contains(id - minimum) else {
            throw ShardError("SLURM_ARRAY_TASK_ID=\(id) is outside \(minimum)...\(minimum + count - 1) (SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT)")
        }
        return Shard(index: id - minimum + 1, count: count)
    }

    /// The shard a command runs: `option` (the `--shard I/N` text) when given, else Slurm's array
    /// variables in `environment` when set, else the whole plan. `fromSlurm` says the second.
    public static func resolve(option: String?, environment: [String: String]) throws -> (shard: Shard, fromSlurm: Bool) {
        if let text = option { return (try parse(text), false) }
        if let s = try fromSlurm(environment) { return (s, true) }
        return (.all, false)
    }

    /// This shard's jobs: the jobs sorted by decreasing `cost` (ties by `id`) are dealt
    /// round-robin, so that the same (index, count) always selects the same jobs, every job is in
    /// exactly one shard and shards get similar costs. Returned in the given order.
    public func select<Job>(_ jobs: [Job], cost: (Job) -> Double, id: (Job) -> String) -> [Job] {
        let ranked = jobs.enumerated().sorted { a, b in
            cost(a.element) != cost(b.element) ? cost(a.element) > cost(b.element) : id(a.element) < id(b.element)
        }
        let mine = Set(ranked.enumerated().filter { $0.offset % count == index - 1 }.map { $0.element.offset })
        return jobs.enumerated().filter { mine.contains($0.offset) }.map(\.element)
    }

    public var description: String { "\(index)/\(count)" }
}

/// A shard given as text or by Slurm that is not one (names the value and what is allowed).
public struct ShardError: Error, CustomStringConvertible, Sendable {
    /// The whole message.
    public let description: String
    /// An error with this message.
    public init(_ message: String) { description = message }
}
