import Foundation
import Testing
import ApproxRates

@Suite struct RateTests {
    @Test func fitRecoversAnExactPowerLaw() throws {
        let w: [Double] = [100, 300, 1000, 3000, 10000]
        for (p, against) in [(0.5, PowerLawFit.Abscissa.weights), (2.0, .weightsOverLog)] {
            let errors = w.map { 3 * pow(against.value($0), -p) }
            let fit = try PowerLawFit(weights: w, errors: errors, against: against)
            #expect(abs(fit.p - p) < 1e-12)
            #expect(abs(fit.pLow! - p) < 1e-9 && abs(fit.pHigh! - p) < 1e-9)
            #expect(fit.localSlopes.allSatisfy { abs($0 - p) < 1e-12 })
            #expect(abs(fit.logConstant - log(3)) < 1e-9)
        }
    }

    @Test func intervalWidensWithScatterAndCoversTheTruth() throws {
        // Deterministic ±10 % scatter about W^-1: the 95 % interval must contain 1 and be wider
        // than the exact fit's.
        let w: [Double] = (0..<8).map { 100 * pow(10, Double($0) / 2.33) }
        let wobble = [1.1, 0.9, 1.05, 0.95, 1.1, 0.92, 1.0, 1.08]
        let fit = try PowerLawFit(weights: w, errors: zip(w, wobble).map { $1 / $0 }, against: .weights)
        #expect(fit.pLow! < 1 && 1 < fit.pHigh!)
        #expect(fit.pHigh! - fit.pLow! > 0.01)
    }

    @Test func studentQuantiles() {
        #expect(PowerLawFit.studentT975(degreesOfFreedom: 1) == 12.706)
        #expect(PowerLawFit.studentT975(degreesOfFreedom: 6) == 2.447)
        // beyond the table: t_{0.975}(40) = 2.021, t(120) = 1.980
        #expect(abs(PowerLawFit.studentT975(degreesOfFreedom: 40) - 2.021) < 1e-3)
        #expect(abs(PowerLawFit.studentT975(degreesOfFreedom: 120) - 1.980) < 1e-3)
    }

    @Test func fitRefusesTooLittleData() {
        #expect(throws: RateError.self) { try PowerLawFit(weights: [100], errors: [0.1], against: .weights) }
        #expect(throws: RateError.self) { try PowerLawFit(weights: [100, 200], errors: [0.1, 0], against: .weights) }
        #expect(throws: RateError.self) { try PowerLawFit(weights: [100, 100], errors: [0.1, 0.2], against: .weights) }
    }

    @Test func weightGridIsLogUniformAndRefusesEmptyRanges() throws {
        #expect(try RateExperiment.weightGrid(from: 100, to: 100000, points: 4) == [100, 1000, 10000, 100000])
        #expect(try RateExperiment.weightGrid(from: 500, to: 500, points: 1) == [500])
        #expect(throws: RateError.self) { try RateExperiment.weightGrid(from: 1e5, to: 1e2, points: 8) }
        #expect(throws: RateError.self) { try RateExperiment.weightGrid(from: 1e3, to: 1e3, points: 8) }
        #expect(throws: RateError.self) { try RateExperiment.weightGrid(from: 1, to: 1e3, points: 8) }
        #expect(throws: LimitError.self) { try RateExperiment.weightGrid(from: 1e2, to: 1e3, points: 0) }
    }

    @Test func dyadicPlanAndUnsupportedDimensions() throws {
        let t = try TargetCatalog.make("power", dimension: 1, smoothness: 1)
        let e = try RateExperiment(target: t, construction: InterpolationConstruction(), requestedWeights: [100, 1000, 10000])
        let plan = try e.plannedCells()
        #expect(plan.map(\.cells) == [32, 256, 4096])          // W = 3N + 1 nearest on a log scale
        let any = try RateExperiment(target: t, construction: InterpolationConstruction(), requestedWeights: [100, 1000], dyadic: false)
        #expect(try any.plannedCells().map(\.cells) == [33, 333])
        let t3 = try TargetCatalog.formula("x1*x2*x3", dimension: 3, smoothness: 2)
        #expect(throws: ConstructionError.self) { try RateExperiment(target: t3, construction: InterpolationConstruction(), requestedWeights: [100]) }
        #expect(throws: ConstructionError.self) { try ConstructionRegistry.named("spline", degree: nil, smoothness: 1) }
        #expect(try ConstructionRegistry.named("taylor", degree: nil, smoothness: 2.5) as? TaylorConstruction == TaylorConstruction(degree: 2, power: 1))
        // Degree 0 in 1-D multiplies nothing: its law is in W, not W/ln W.
        #expect(!TaylorConstruction(degree: 0, power: 1).fitsAgainstWeightsOverLog(dimension: 1))
        #expect(TaylorConstruction(degree: 0, power: 1).fitsAgainstWeightsOverLog(dimension: 2))
        #expect(TaylorConstruction(degree: 1, power: 1).fitsAgainstWeightsOverLog(dimension: 1))
    }

    // x² at digit order 3 floors its quantum at 2^−40 of the residual, so its leading digits are
    // long and the build holds more bits than the construction planned (148 against 111 at N = 1,
    // M = 6): the row is measured at the weights' precision, not at the plan's.
    @Test func aBuildNeedingMoreBitsThanPlannedIsMeasuredAtItsOwn() throws {
        let f = try TargetCatalog.formula("x^2", dimension: 1, smoothness: 2)
        let deep = try ConstructionRegistry.named("deep", degree: nil, smoothness: 2)
        let e = try RateExperiment(target: f, construction: deep, requestedWeights: [1000], dyadic: false)
        let point = try #require(e.plannedCells().first)
        let planned = deep.precision(cells: point.cells, smoothness: 2, dimension: 1)
        let net = try deep.build(f, cells: point.cells)
        #expect(net.weightPrecision > planned, "the case must need more bits than planned: \(net.weightPrecision) vs \(planned)")
        let row = try e.measure(weights: point.requested, cells: point.cells)
        #expect(row.precision == net.weightPrecision.bits)
        #expect(row.guardDigits >= 20)
        // Where the plan holds the weights, it is the precision measured at.
        let lacunary = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 1)
        let k = try RateExperiment(target: lacunary, construction: DeepConstruction(alpha: 1, power: 1), requestedWeights: [1000], dyadic: false)
        let q = try #require(k.plannedCells().first)
        #expect(try k.measure(weights: q.requested, cells: q.cells).precision == k.construction.precision(cells: q.cells, smoothness: 1, dimension: 1).bits)
    }

    @Test func drawsReportTheWorstCase() throws {
        let targets = try (1...3).map { try TargetCatalog.make("lacunary", dimension: 1, smoothness: 0.5, options: .init(seed: UInt64($0))) }
        var one = try RateExperiment(target: targets[0], construction: InterpolationConstruction(), requestedWeights: [200])
        let single = try one.measure(weights: 200, cells: 64)
        one.draws = Array(targets.dropFirst())
        let worst = try one.measure(weights: 200, cells: 64)
        #expect(worst.draws == 3 && single.draws == 1)
        #expect(worst.errorValue >= single.errorValue)
        let each = try targets.map { t in try RateExperiment(target: t, construction: InterpolationConstruction(), requestedWeights: [200]).measure(weights: 200, cells: 64).errorValue }
        #expect(worst.errorValue == each.max()!)
        #expect(each[worst.worstDraw] == worst.errorValue)
    }

    @Test func interpolationRateOnTheCuspIsROverD() throws {
        // A small run of the shallow phase: |x - 1/3|^r, p = r within 0.05 over W = 1e2..1e4.
        for r in [0.5, 1.0] {
            let t = try TargetCatalog.make("power", dimension: 1, smoothness: r)
            let e = try RateExperiment(target: t, construction: InterpolationConstruction(),
                                       requestedWeights: try RateExperiment.weightGrid(from: 100, to: 10000, points: 4))
            let rows = try e.plannedCells().map { try e.measure(weights: $0.requested, cells: $0.cells) }
            let fit = try e.fit(rows)
            #expect(abs(fit.p - r) < 0.05, "r = \(r): p = \(fit.p)")
            #expect(rows.allSatisfy { $0.stable })
        }
    }
}
