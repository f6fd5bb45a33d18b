import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// One experiment of a sweep plan: a target with its smoothness and dimension, a construction and
/// an activation, and a range of W. Decoded from JSON; every field but `target`, `smoothness` and
/// `construction` has a default.
public struct ExperimentSpec: Sendable, Codable, Equatable {
    /// Unique name in the plan (the prefix of every job id); default "<construction>-<target>-r<r>-d<d>[-a<alpha>]".
    public var name: String
    /// A built-in target name or a formula in x (x1..xd).
    public var target: String
    /// The smoothness r claimed for the target.
    public var smoothness: Double
    /// The dimension d.
    public var dimension: Int
    /// interpolation, taylor or deep.
    public var construction: String
    /// The activation of the construction's units: relu, or relu^k (k ≥ 2) for taylor.
    public var activation: String
    /// Depth exponent of the deep construction (M = N^alpha).
    public var alpha: Double?
    /// Degree of the taylor construction.
    public var degree: Int?
    /// Digit order of the 1-D deep construction (plan key `digit_order`; nil: its default).
    public var digitOrder: Int? = nil
    /// c in M = c·N^α of the deep construction (plan key `fine_ratio`; nil: its default).
    public var fineRatio: Double? = nil
    /// K, the digit bound of the deep construction (plan key `digit_bound`; nil: its default): in
    /// 2-D the largest first-difference digit; in 1-D at digit orders 2 and 3 the divisor of the
    /// quantum (a K-th of the largest k-th difference).
    public var digitBound: Int? = nil
    /// The W range "A...B", log-uniform.
    public var weights: String
    /// Number of W values.
    public var points: Int
    /// Draws of the lacunary target (seeds seed, seed+1, …): each point is the worst over them.
    public var draws: Int
    /// Seed of the lacunary target.
    public var seed: UInt64
    /// "dyadic" (N = 2^k) or "any".
    public var grid: String
    /// Fixed power q of the fit's log correction (error ≈ C W^-p (ln W)^q).
    public var logPower: Double
    /// When set, every point is certified (``CertifiedSupNorm``) to this gap (plan key
    /// `certify`, e.g. 0.01): its row carries the rigorous upper bound beside the error.
    public var certify: Double? = nil

    static let keys: Set<String> = ["name", "target", "smoothness", "dimension", "construction", "activation", "alpha", "degree",
                                    "weights", "points", "draws", "seed", "grid", "log_power", "certify", "digit_order", "fine_ratio", "digit_bound"]
    enum CodingKeys: String, CodingKey {
        case name, target, smoothness, dimension, construction, activation, alpha, degree, weights, points, draws, seed, grid, certify
        case logPower = "log_power"
        case digitOrder = "digit_order"
        case fineRatio = "fine_ratio"
        case digitBound = "digit_bound"
    }

    /// A spec with the defaults filled in.
    public init(target: String, smoothness: Double, dimension: Int = 1, construction: String, activation: String = "relu",
                alpha: Double? = nil, degree: Int? = nil, weights: String = "1e2...1e4", points: Int = 5, draws: Int = 1,
                seed: UInt64 = 1, grid: String = "dyadic", logPower: Double = 0, name: String? = nil) {
        self.target = target; self.smoothness = smoothness; self.dimension = dimension; self.construction = construction
        self.activation = activation; self.alpha = alpha; self.degree = degree; self.weights = weights; self.points = points
        self.draws = draws; self.seed = seed; self.grid = grid; self.logPower = logPower
        self.name = name ?? ExperimentSpec.defaultName(construction: construction, target: target, r: smoothness, d: dimension, alpha: alpha)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let target = try c.decode(String.self, forKey: .target), r = try c.decode(Double.self, forKey: .smoothness)
        let construction = try c.decode(String.self, forKey: .construction)
        self.init(target: target, smoothness: r, dimension: try c.decodeIfPresent(Int.self, forKey: .dimension) ?? 1,
                  construction: construction, activation: try c.decodeIfPresent(String.self, forKey: .activation) ?? "relu",
                  alpha: try c.decodeIfPresent(Double.self, forKey: .alpha), degree: try c.decodeIfPresent(Int.self, forKey: .degree),
                  weights: try c.decodeIfPresent(String.self, forKey: .weights) ?? "1e2...1e4",
                  points: try c.decodeIfPresent(Int.self, forKey: .points) ?? 5, draws: try c.decodeIfPresent(Int.self, forKey: .draws) ?? 1,
                  seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1, grid: try c.decodeIfPresent(String.self, forKey: .grid) ?? "dyadic",
                  logPower: try c.decodeIfPresent(Double.self, forKey: .logPower) ?? 0, name: try c.decodeIfPresent(String.self, forKey: .name))
        certify = try c.decodeIfPresent(Double.self, forKey: .certify)
        digitOrder = try c.decodeIfPresent(Int.self, forKey: .digitOrder)
        fineRatio = try c.decodeIfPresent(Double.self, forKey: .fineRatio)
        digitBound = try c.decodeIfPresent(Int.self, forKey: .digitBound)
    }

    /// Whether this experiment compares against a shallow baseline: the deep and fixed-width
    /// constructions.
    public var needsBaseline: Bool { construction == DeepConstruction.name || construction == FixedWidthConstruction.name }

    /// The shallow baseline of a deep or fixed-width experiment: interpolation (ReLU) on the same
    /// target, smoothness, dimension, seeds and W range, any grid size; nil for the others.
    public var baseline: ExperimentSpec? {
        guard needsBaseline else { return nil }
        var b = ExperimentSpec(target: target, smoothness: smoothness, dimension: dimension, construction: InterpolationConstruction.name,
                               weights: weights, points: points, draws: draws, seed: seed, grid: "any")
        let range = weights.replacingOccurrences(of: "...", with: "-")
        b.name = ExperimentSpec.defaultName(construction: b.construction, target: target, r: smoothness, d: dimension, alpha: nil)
            + "-W\(range)" + (draws > 1 ? "-draws\(draws)" : "") + (seed != 1 ? "-seed\(seed)" : "")
        return b
    }

    /// Whether this experiment measures what ``baseline`` of `other` would (same target, r, d,
    /// seeds, W range and points; interpolation with ReLU units).
    public func isBaseline(of other: ExperimentSpec) -> Bool {
        guard let b = other.baseline else { return false }
        return construction == b.construction && activation == "relu" && target == b.target && smoothness == b.smoothness
            && dimension == b.dimension && seed == b.seed && draws == b.draws && weights == b.weights && points >= b.points
    }

    static func defaultName(construction: String, target: String, r: Double, d: Int, alpha: Double?) -> String {
        let t = TargetCatalog.names.contains(target) ? target : "formula"
        return "\(construction)-\(t)-r\(r.formatted())-d\(d)" + (alpha.map { "-a\($0.formatted())" } ?? "")
    }

    /// The W values of the experiment (``RateExperiment/weightGrid(from:to:points:)``).
    public func weightGrid() throws -> [Int] {
        do { return try RateExperiment.weightGrid(weights, points: points) }
        catch { throw RateError("experiment '\(name)': weights '\(weights)': \(error)") }
    }

    /// The experiment this spec describes, with `threads` worker threads per measurement.
    public func experiment(threads: Int? = nil) throws -> RateExperiment {
        func named(_ e: Error) -> RateError { RateError("experiment '\(name)': \(e)") }
        let unit: Activation
        do { unit = try Activation(name: activation) } catch { throw RateError("experiment '\(name)': activation '\(activation)' is unknown: use relu or relu^k") }
        guard ["dyadic", "any", "exact-ratio"].contains(grid) else { throw RateError("experiment '\(name)': grid '\(grid)' is not allowed: use dyadic, any or exact-ratio") }
        guard (1...1000).contains(draws) else { throw RateError("experiment '\(name)': draws \(draws) is not allowed: use 1 to 1000") }
        guard smoothness > 0, smoothness.isFinite else { throw RateError("experiment '\(name)': smoothness \(smoothness) is not allowed: r must be > 0") }
        if let g = certify, !(g > 0 && g < 10) { throw RateError("experiment '\(name)': certify \(g) is not allowed: give the gap, a fraction in (0, 10) such as 0.01") }
        func make(_ offset: UInt64) throws -> Target {
            if TargetCatalog.names.contains(target) {
                return try TargetCatalog.make(target, dimension: dimension, smoothness: smoothness,
                                              options: TargetCatalog.Options(seed: seed &+ offset))
            }
            return try TargetCatalog.formula(target, dimension: dimension, smoothness: smoothness)
        }
        do {
            let f = try make(0)
            if draws > 1 && f.name != "lacunary" { throw RateError("draws \(draws): only the lacunary target is random") }
            let kind = try ConstructionRegistry.named(construction, degree: degree, smoothness: smoothness, alpha: alpha, activation: unit, digitOrder: digitOrder, fineRatio: fineRatio, digitBound: digitBound)
            var e = try RateExperiment(target: f, construction: kind, requestedWeights: try weightGrid(), threads: threads,
                                       dyadic: grid == "dyadic")
            if grid == "exact-ratio" { e.gridPeriod = try RateExperiment.exactRatioPeriod(construction: kind, dimension: dimension, smoothness: smoothness) }
            e.draws = try (1..<Swift.max(draws, 1)).map { try make(UInt64($0)) }
            e.certification = certify.map { CertifiedSupNorm.Options(gap: $0, threads: threads) }
            return e
        } catch let e as RateError where e.description.hasPrefix("experiment '") { throw e }
        catch { throw named(error) }
    }
}

/// A sweep plan: named experiments, each a range of W. The jobs are (experiment, W) pairs with
/// stable ids "<name>|W=<w>".
public struct SweepPlan: Sendable, Codable, Equatable {
    /// A name for the whole plan (used in provenance).
    public var name: String
    /// The experiments, in the order they are run and tabulated.
    public var experiments: [ExperimentSpec]

    /// One job: an experiment's requested W.
    public struct Job: Sendable, Equatable {
        /// "<experiment name>|W=<requested W>": stable across runs and machines.
        public let id: String
        /// Index into ``experiments``.
        public let experiment: Int
        /// The W asked for.
        public let weights: Int
        /// A relative cost estimate (W × draws, ×4 for the deep construction, ×2k more when its
        /// units are ReLU^k, and ×4 per extra dimension), used only to balance shards and weight
        /// the ETA. Calibrated on the default plan: about 2.5·10⁻⁴ s per unit on one thread for
        /// deep ReLU, deep ReLU² and fixed-width alike.
        public let cost: Double
    }

    /// A plan of `experiments`.
    public init(name: String, experiments: [ExperimentSpec]) { self.name = name; self.experiments = experiments }

    /// Reads a JSON plan: {"name": …, "experiments": [{…}, …]}. Unknown keys, duplicate names and
    /// bad ranges are refused with a message naming the experiment and the value.
    public static func read(json data: Data, source: String) throws -> SweepPlan {
        try ResourceLimits.checkJSONNesting(data, source: source)
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) }
        catch { throw RateError("\(source): not valid JSON (malformed or truncated): \((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error)") }
        guard let object = parsed as? [String: Any] else {
            throw RateError("\(source): not a JSON object; a plan is {\"name\": …, \"experiments\": [ … ]}")
        }
        for key in object.keys where !["name", "experiments"].contains(key) {
            throw RateError("\(source): unknown key '\(key)'; a plan has name and experiments")
        }
        guard let list = object["experiments"] as? [[String: Any]], !list.isEmpty else {
            throw RateError("\(source): 'experiments' must be a non-empty list of objects")
        }
        for (i, e) in list.enumerated() {
            for key in e.keys where !ExperimentSpec.keys.contains(key) {
                throw RateError("\(source): experiment \(i + 1) has unknown key '\(key)'; allowed: \(ExperimentSpec.keys.sorted().joined(separator: ", "))")
            }
            for key in ["target", "smoothness", "construction"] where e[key] == nil {
                throw RateError("\(source): experiment \(i + 1) lacks '\(key)'")
            }
        }
        let plan: SweepPlan
        do {
            let specs = try JSONDecoder().decode([ExperimentSpec].self, from: JSONSerialization.data(withJSONObject: list))
            plan = SweepPlan(name: object["name"] as? String ?? source, experiments: specs)
        } catch { throw RateError("\(source): \(describe(error))") }
        var names = Set<String>()
        for e in plan.experiments {
            guard names.insert(e.name).inserted else { throw RateError("\(source): two experiments are named '\(e.name)'; give each a unique name") }
            _ = try e.weightGrid()
        }
        return plan.withShallowBaselines()
    }

    /// The plan with a shallow baseline for every deep or fixed-width experiment: the
    /// interpolation network on the same target, seeds and W range (``ExperimentSpec/baseline``),
    /// added after the experiment unless the plan already has it. The table compares each deep
    /// rate with it (``ShallowComparison``).
    public func withShallowBaselines() -> SweepPlan {
        var out: [ExperimentSpec] = []
        var have = Set(experiments.map(\.name))
        for e in experiments {
            out.append(e)
            guard let b = e.baseline, !have.contains(b.name) else { continue }
            if experiments.contains(where: { $0.isBaseline(of: e) }) { continue }
            out.append(b); have.insert(b.name)
        }
        return SweepPlan(name: name, experiments: out)
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.typeMismatch(let type, let c), DecodingError.valueNotFound(let type, let c):
            return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): expected \(type)"
        default: return "\(error)"
        }
    }

    /// Every job, experiment by experiment, W increasing. With a `costModel`, a job's cost is its
    /// predicted seconds (per draw × draws); classes the model lacks get the relative estimate
    /// times 2.5·10⁻⁴ s.
    public func jobs(costModel: CostModel? = nil) throws -> [Job] {
        try experiments.enumerated().flatMap { (i, e) in
            try e.weightGrid().map { w in
                var deep = ConstructionRegistry.costPerWeight(e.construction)
                if deep > 1, case .reluPower(let k)? = try? Activation(name: e.activation) { deep *= Double(2 * k) }
                var cost = Double(w) * Double(e.draws) * deep * Foundation.pow(4, Double(e.dimension - 1))
                if let model = costModel { cost = (model.secondsPerDraw(e, weights: w) ?? 2.5e-4 * cost / Double(e.draws)) * Double(e.draws) }
                return Job(id: "\(e.name)|W=\(w)", experiment: i, weights: w, cost: cost)
            }
        }
    }
}

extension Shard {
    /// This shard's sweep points (``select(_:cost:id:)`` by the points' cost and id), in plan order.
    public func select(_ jobs: [SweepPlan.Job]) -> [SweepPlan.Job] { select(jobs, cost: \.cost, id: \.id) }
}
