import Foundation
import PrecisionModule
import FileIOModule

/// Which ODE a comparison integrates.
public enum SGDODEMode: String, Sendable, Codable, Hashable, CaseIterable {
    /// The paper's limit equations: the term that vanishes as d → ∞ is switched off.
    case limit
    /// Both terms with the exact coefficients at each d (A = γd^ϑ/p, B = γ²d^ϑ/p²): the mean
    /// drift of SGD at that d, which also predicts its finite-d floor.
    case finite
}

/// A risk curve R(t) of the ODE, with what the integrator did.
public struct SGDODECurve: Sendable, Codable {
    /// Rescaled times.
    public let times: [Double]
    /// R at each time.
    public let risks: [Double]
    /// Drift and noise coefficients A, B used.
    public let drift: Double, noise: Double
    /// Accepted and rejected Dormand–Prince steps, right-hand-side evaluations, seconds.
    public let acceptedSteps: Int, rejectedSteps: Int, evaluations: Int, seconds: Double
    /// The overlaps at the last time.
    public let final: CommitteeOverlaps

    /// Integrates the Saad–Solla equations with coefficients (`drift`, `noise`) and label noise
    /// `labelNoise` from `start` through `times` (increasing, from 0) with Dormand–Prince 5(4).
    public static func integrate(from start: CommitteeOverlaps, drift: Double, noise: Double, labelNoise: Double, times: [Double],
                                 settings: DormandPrince45.Settings = DormandPrince45.Settings()) throws -> SGDODECurve {
        let clock = DispatchTime.now().uptimeNanoseconds
        let equations = SaadSollaEquations(p: start.p, k: start.k, teacher: start.teacher, drift: drift, noise: noise, labelNoise: labelNoise)
        let integrator = DormandPrince45(dimension: equations.dimension, settings: settings)
        var y = equations.state(start)
        var risks: [Double] = [], t = 0.0
        for time in times {
            try integrator.integrate(&y, from: t, to: time) { _, state, slope in equations.derivative(state, slope) }
            t = time
            risks.append(y.withUnsafeBufferPointer { equations.risk($0.baseAddress!) })
        }
        return SGDODECurve(times: times, risks: risks, drift: drift, noise: noise, acceptedSteps: integrator.acceptedSteps,
                           rejectedSteps: integrator.rejectedSteps, evaluations: equations.evaluations,
                           seconds: Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9, final: equations.overlaps(y))
    }
}

/// ODE against SGD at one scaling: SGD over seeds at each of several d, against the ODE from
/// the same start, on the rescaled time axis t = ν/d^(1+ϑ).
///
/// At κ = 0 every d starts from the same overlaps (Q₀, M₀) (drawn as a random start at the largest
/// d, realised exactly at each d), so the curves of all d and the ODE share one start; for
/// κ ≠ 0 the width changes with d and each d starts from its own random draw. The sample seeds
/// are 1…S; the start's seed is ``initialSeed``.
public struct SGDComparePlan: Sendable, Codable, Hashable {
    /// The scaling.
    public var scaling: SGDScaling
    /// Teacher units k.
    public var k: Int
    /// Label noise Δ.
    public var labelNoise: Double
    /// Dimensions, increasing.
    public var dimensions: [Int]
    /// Sample seeds per dimension.
    public var seeds: Int
    /// Seed of the initial weights.
    public var initialSeed: UInt64
    /// The times the report is about.
    public var requestedTimes: [Double]
    /// Curve points per decade of t.
    public var perDecade: Int
    /// Limit or finite-d ODE.
    public var ode: SGDODEMode
    /// Integrator tolerances.
    public var integrator: DormandPrince45.Settings

    /// A plan.
    public init(scaling: SGDScaling, k: Int, labelNoise: Double, dimensions: [Int], seeds: Int, initialSeed: UInt64 = 1,
                requestedTimes: [Double], perDecade: Int = 10, ode: SGDODEMode = .limit, integrator: DormandPrince45.Settings = DormandPrince45.Settings()) {
        self.scaling = scaling; self.k = k; self.labelNoise = labelNoise; self.dimensions = dimensions.sorted(); self.seeds = seeds
        self.initialSeed = initialSeed; self.requestedTimes = requestedTimes.sorted(); self.perDecade = perDecade; self.ode = ode
        self.integrator = integrator
    }

    /// Fingerprint of the settings that change an SGD run (journal lines carry it); the ODE's
    /// mode and tolerances are left out, so another ODE reuses the runs.
    public var fingerprint: String {
        var runs = self
        runs.ode = .limit; runs.integrator = DormandPrince45.Settings()
        return "sgd-compare-" + Fingerprint.of(runs)
    }

    /// The recording times: 0, a log grid from horizon/10⁴ (or one step at the smallest d, if
    /// later) to the horizon, and the requested times.
    public var times: [Double] {
        let high = requestedTimes.last ?? 1
        let oneStep = 1 / scaling.stepsPerUnitTime(dimension: dimensions.first ?? 1)
        return SGDRunner.timeGrid(low: Swift.max(high / 1e4, oneStep), high: high, perDecade: perDecade, extra: requestedTimes)
    }

    /// Whether all dimensions share one start (κ = 0: the width does not change with d).
    public var sharedStart: Bool { Set(dimensions.map { scaling.width(dimension: $0) }).count == 1 }

    /// The start at dimension d.
    public func initialisation(dimension d: Int) -> CommitteeInitialisation {
        sharedStart ? .overlaps(initialOverlaps(dimension: dimensions.last!)) : .random
    }

    /// The initial overlaps of the runs at dimension d (for the ODE).
    public func initialOverlaps(dimension d: Int) -> CommitteeOverlaps {
        let at = sharedStart ? dimensions.last! : d
        return CommitteeInitialisation.randomOverlaps(p: scaling.width(dimension: at), k: k, dimension: at, seed: initialSeed)
    }

    /// Every run: each dimension × seeds 1…S.
    public var jobs: [SGDRunSpec] {
        let grid = times
        return dimensions.flatMap { d in
            let start = initialisation(dimension: d)
            return (1...Swift.max(1, seeds)).map { s in
                SGDRunSpec(scaling: scaling, k: k, labelNoise: labelNoise, dimension: d, seed: UInt64(s), initialSeed: initialSeed,
                           initialisation: start, times: grid)
            }
        }
    }

    /// The times SGD records at dimension d: the grid rounded to whole steps, steps/d^(1+ϑ) (at
    /// most half a step from the grid; where a unit of t is only a few steps, visibly so).
    public func recordedTimes(dimension d: Int) -> [Double] {
        let unit = scaling.stepsPerUnitTime(dimension: d)
        return SGDRunSpec.steps(times: times, perUnitTime: unit).map { Double($0) / unit }
    }

    /// The ODE curve for dimension d at the times SGD records there (``recordedTimes(dimension:)``),
    /// so that both are compared at the same t.
    public func odeCurve(dimension d: Int) throws -> SGDODECurve {
        let (a, b) = scaling.coefficients(dimension: d, limit: ode == .limit)
        return try SGDODECurve.integrate(from: initialOverlaps(dimension: d), drift: a, noise: b, labelNoise: labelNoise,
                                         times: recordedTimes(dimension: d), settings: integrator)
    }
}

/// The comparison at one dimension: SGD's mean and standard error over seeds, and the ODE.
public struct SGDCompareCurve: Sendable, Codable {
    /// d, p, γ, d^(1+ϑ).
    public let dimension: Int, width: Int, learningRate: Double, stepsPerUnitTime: Double
    /// Seeds with a complete record.
    public let seeds: Int
    /// Rescaled times: the plan's grid rounded to whole SGD steps at this d (the ODE is evaluated there too).
    public let times: [Double]
    /// Mean SGD risk over seeds, and its standard error (sample standard deviation / √S).
    public let sgdRisk: [Double], sgdStandardError: [Double]
    /// Q₁₁ over seeds: mean and sample standard deviation (the concentration of one order parameter).
    public let selfOverlapMean: [Double], selfOverlapDeviation: [Double]
    /// The ODE's risk.
    public let odeRisk: [Double]

    /// The curve from the records of one dimension (complete ones only) and its ODE.
    public init(dimension: Int, records: [SGDRunRecord], times: [Double], ode: SGDODECurve) {
        let complete = records.filter { $0.risks.count == times.count }
        self.dimension = dimension
        width = records.first?.width ?? 0
        learningRate = records.first?.learningRate ?? .nan
        stepsPerUnitTime = records.first?.stepsPerUnitTime ?? .nan
        seeds = complete.count
        self.times = ode.times
        let stats = { (values: (SGDRunRecord) -> [Double]) -> (mean: [Double], deviation: [Double]) in
            let n = Double(complete.count)
            var mean: [Double] = [], deviation: [Double] = []
            for i in times.indices {
                let v = complete.map { values($0)[i] }
                let m = v.reduce(0, +) / Swift.max(n, 1)
                mean.append(complete.isEmpty ? .nan : m)
                deviation.append(n > 1 ? (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (n - 1)).squareRoot() : .nan)
            }
            return (mean, deviation)
        }
        let risk = stats(\.risks), q = stats(\.selfOverlap)
        sgdRisk = risk.mean
        sgdStandardError = risk.deviation.map { $0 / Double(Swift.max(1, complete.count)).squareRoot() }
        selfOverlapMean = q.mean; selfOverlapDeviation = q.deviation
        odeRisk = ode.risks
    }

    /// Index of time `t` in the grid (the nearest).
    public func index(of t: Double) -> Int {
        times.indices.min { Swift.abs(times[$0] - t) < Swift.abs(times[$1] - t) } ?? 0
    }
}
