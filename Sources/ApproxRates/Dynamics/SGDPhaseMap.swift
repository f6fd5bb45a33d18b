import Foundation
import PrecisionModule
import FileIOModule

/// The (δ, κ) phase map of online SGD on soft committees: for each point, SGD at several input
/// dimensions d (width p = p₀d^κ, learning rate γ₀d^−δ, from a random start per seed) to the
/// rescaled time T, and the long-time trend of the risk read from how its late level moves with d.
public struct SGDMapPlan: Sendable, Codable, Hashable {
    /// One point of the map.
    public struct Point: Sendable, Codable, Hashable {
        /// δ and κ.
        public var delta: Double, kappa: Double
        /// A point.
        public init(delta: Double, kappa: Double) { self.delta = delta; self.kappa = kappa }
    }

    /// The points.
    public var points: [Point]
    /// Dimensions (at least two), increasing.
    public var dimensions: [Int]
    /// Seeds 1…S per (point, d); each seed has its own start and samples.
    public var seeds: Int
    /// p₀ (the width at κ = 0).
    public var width0: Double
    /// γ₀ (nil: p₀).
    public var gamma0: Double?
    /// Teacher units k.
    public var k: Int
    /// Label noise Δ.
    public var labelNoise: Double
    /// The horizon T in rescaled time.
    public var horizon: Double
    /// Recording points per decade of t.
    public var perDecade: Int
    /// A slope of log R_late against log d inside [−band, band] reads as a plateau.
    public var band: Double
    /// Bootstrap resamples for the slope interval.
    public var resamples: Int

    /// A plan.
    public init(points: [Point], dimensions: [Int], seeds: Int, width0: Double, gamma0: Double?, k: Int, labelNoise: Double, horizon: Double,
                perDecade: Int = 8, band: Double = 0.1, resamples: Int = 2000) {
        self.points = points; self.dimensions = dimensions.sorted(); self.seeds = seeds; self.width0 = width0; self.gamma0 = gamma0; self.k = k
        self.labelNoise = labelNoise; self.horizon = horizon; self.perDecade = perDecade; self.band = band; self.resamples = resamples
    }

    /// Fingerprint of the settings that change a run (not band or resamples, which only read them).
    public var fingerprint: String {
        var runOnly = self
        runOnly.band = 0; runOnly.resamples = 0
        return "sgd-map-" + Fingerprint.of(runOnly)
    }

    /// The scaling of a point.
    public func scaling(_ point: Point) -> SGDScaling { SGDScaling(delta: point.delta, kappa: point.kappa, width0: width0, gamma0: gamma0) }

    /// The recording times of a point: 0 and a log grid from T/10⁴ (or one step at the smallest
    /// d, if later) to T.
    public func times(_ point: Point) -> [Double] {
        let oneStep = 1 / scaling(point).stepsPerUnitTime(dimension: dimensions.first ?? 1)
        return SGDRunner.timeGrid(low: Swift.max(horizon / 1e4, oneStep), high: horizon, perDecade: perDecade)
    }

    /// Every run: point × d × seed.
    public var jobs: [SGDRunSpec] {
        points.flatMap { point in
            let grid = times(point), s = scaling(point)
            return dimensions.flatMap { d in
                (1...Swift.max(1, seeds)).map { seed in
                    SGDRunSpec(scaling: s, k: k, labelNoise: labelNoise, dimension: d, seed: UInt64(seed), initialSeed: UInt64(seed),
                               initialisation: .random, times: grid)
                }
            }
        }
    }
}

/// What the map measured at one (δ, κ).
public struct SGDMapSummary: Sendable, Codable {
    /// δ, κ, ϑ.
    public let delta: Double, kappa: Double, theta: Double
    /// The region by each candidate no-ODE boundary, and the settled one (nil on the wedge where they differ).
    public let regionScaling: SGDRegion, regionCode: SGDRegion, region: SGDRegion?
    /// The trend the settled region predicts (nil on the wedge: rise either way, but the ODE question is open).
    public let predictedTrend: SGDTrend?
    /// Dimensions, widths p(d), and learning rates γ(d).
    public let dimensions: [Int], widths: [Int], learningRates: [Double]
    /// Complete seeds per d.
    public let seeds: [Int]
    /// Runs per d whose weights overflowed before T (their records stop early; counted as a rise).
    public let diverged: [Int]
    /// Mean initial risk over seeds, by d.
    public let initialRisk: [Double]
    /// R_late: the mean over seeds of each run's mean risk over its recording times in
    /// [T/2, T], by d.
    public let lateRisk: [Double]
    /// Standard error of R_late over seeds, by d.
    public let lateRiskStandardError: [Double]
    /// Sample standard deviation over seeds of the risk at T, by d (the spread that a
    /// deterministic limit must shrink).
    public let finalSpread: [Double]
    /// Least-squares slope of log R_late against log d, and its 95 % bootstrap interval (seeds resampled within each d).
    public let slope: Double?, slopeLow: Double?, slopeHigh: Double?
    /// Slope of log(spread at T) against log d: negative when runs concentrate as d grows.
    public let spreadSlope: Double?
    /// The same for one order parameter, Q₁₁ = ‖w₁‖²/d at T (the risk averages p² overlaps and
    /// may concentrate for that reason alone).
    public let selfOverlapSpreadSlope: Double?
    /// R_late/R₀ at the largest d (above 1: SGD made the student worse than its start).
    public let riseFactor: Double
    /// The measured trend (nil without data): rise if R_late > R₀ at the largest d, the slope
    /// interval is above +band or a run diverged; decay if the interval is below −band; plateau otherwise.
    public let trend: SGDTrend?

    /// The summary of a point from its records.
    public init(point: SGDMapPlan.Point, plan: SGDMapPlan, records: [SGDRunRecord]) {
        let scaling = plan.scaling(point)
        delta = point.delta; kappa = point.kappa; theta = scaling.theta
        regionScaling = scaling.region(boundary: .scaling); regionCode = scaling.region(boundary: .code); region = scaling.settledRegion
        predictedTrend = region?.predictedTrend
        dimensions = plan.dimensions
        widths = plan.dimensions.map { scaling.width(dimension: $0) }
        learningRates = plan.dimensions.map { scaling.learningRate(dimension: $0) }
        let count = plan.times(point).count
        let byD = plan.dimensions.map { d in records.filter { $0.dimension == d && $0.risks.count == count }.sorted { $0.seed < $1.seed } }
        seeds = byD.map(\.count)
        diverged = plan.dimensions.map { d in records.filter { $0.dimension == d && $0.risks.count < count && !$0.risks.isEmpty }.count }
        let late = byD.map { rs in rs.map { r -> Double in
            let window = r.times.indices.filter { r.times[$0] >= plan.horizon / 2 * (1 - 1e-12) }
            return window.map { r.risks[$0] }.reduce(0, +) / Double(Swift.max(1, window.count))
        } }
        func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
        func deviation(_ v: [Double]) -> Double {
            guard v.count > 1 else { return .nan }
            let m = mean(v)
            return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
        }
        initialRisk = byD.map { mean($0.map { $0.risks[0] }) }
        lateRisk = late.map(mean)
        lateRiskStandardError = late.map { deviation($0) / Double(Swift.max(1, $0.count)).squareRoot() }
        finalSpread = byD.map { deviation($0.map { $0.risks.last! }) }
        riseFactor = (lateRisk.last ?? .nan) / (initialRisk.last ?? .nan)
        let x = plan.dimensions.map { Foundation.log(Double($0)) }
        let logs = late.map { $0.map { Foundation.log($0) } }
        guard plan.dimensions.count >= 2, logs.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isFinite) }) else {
            slope = nil; slopeLow = nil; slopeHigh = nil; spreadSlope = nil; selfOverlapSpreadSlope = nil
            trend = diverged.contains(where: { $0 > 0 }) || (riseFactor.isFinite && riseFactor > 1) ? .rise : nil
            return
        }
        let fitted = LeastSquaresLine(x: x, y: logs.map(mean)).slope
        let (low, high) = LeastSquaresLine.bootstrapSlopeInterval(x: x, groups: logs, resamples: plan.resamples, seed: DefaultSeed.measurement)
        slope = fitted; slopeLow = Swift.min(low, fitted); slopeHigh = Swift.max(high, fitted)
        let spreads = finalSpread.map { Foundation.log($0) }
        spreadSlope = spreads.allSatisfy(\.isFinite) ? LeastSquaresLine(x: x, y: spreads).slope : nil
        let qSpreads = byD.map { Foundation.log(deviation($0.map { $0.selfOverlap.last! })) }
        selfOverlapSpreadSlope = qSpreads.allSatisfy(\.isFinite) ? LeastSquaresLine(x: x, y: qSpreads).slope : nil
        if riseFactor > 1 || slopeLow! > plan.band || diverged.contains(where: { $0 > 0 }) { trend = .rise }
        else if slopeHigh! < -plan.band { trend = .decay }
        else { trend = .plateau }
    }

    /// One summary per point of `plan`, in plan order, from the records that belong to it.
    public static func all(plan: SGDMapPlan, records: [SGDRunRecord]) -> [SGDMapSummary] {
        plan.points.map { point in
            let prefix = SGDRunSpec.pointKey(plan.scaling(point)) + "|"
            return SGDMapSummary(point: point, plan: plan, records: records.filter { $0.key.hasPrefix(prefix) })
        }
    }
}
