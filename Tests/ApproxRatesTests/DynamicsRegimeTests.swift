import Foundation
import PropertyBased
import Testing
import ApproxRates
@testable import DynamicsModule
@testable import PlotsModule

@Suite struct DynamicsRegimeTests {
    /// One gradient-descent step of the engine on the uv model moves (f, λ) exactly as the
    /// closed-form map says.
    @Test func uvModelOneStepMapIsExact() async {
        await propertyCheck(count: 30, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...300), Gen.double(in: 0.1...5)) { seed, n, c in
            let arch = UVModel.architecture(width: n)
            let data = UVModel.data(target: 1)
            let engine = MLPEngine(architecture: arch, capacity: 1)
            var theta = arch.initialParameters(seed: seed)
            var gradient = [Double](repeating: 0, count: theta.count)
            var (f, lambda) = UVModel.state(theta, width: n)
            let eta = c / lambda
            for _ in 0..<5 {
                engine.lossAndGradient(theta, inputs: data.inputs, targets: data.targets, count: 1, gradient: &gradient)
                for i in 0..<theta.count { theta[i] -= eta * gradient[i] }
                (f, lambda) = UVModel.step(output: f, kernel: lambda, target: 1, learningRate: eta, width: n)
                let (f2, lambda2) = UVModel.state(theta, width: n)
                guard f.isFinite, Swift.abs(f) < 1e6 else { break }
                #expect(Swift.abs(f2 - f) <= 1e-10 * Swift.max(1, Swift.abs(f)), "f seed \(seed) n \(n) c \(c)")
                #expect(Swift.abs(lambda2 - lambda) <= 1e-10 * lambda, "λ seed \(seed) n \(n) c \(c)")
            }
        }
    }

    /// The uv model's critical learning rates approach the infinite-width values c_loss = 2 and
    /// c_max = 4 (the one-step map: stable iff c < 2, catapult for 2 < c < 4, divergence beyond).
    /// λ₀ is the Hessian's top eigenvalue, which differs from the NTK by O(1/√n), and the grid
    /// resolves log₂ c to 1/128: at n = 1024 both must be within 3 % of the limit for 3 seeds, and
    /// the c_loss spread over seeds must shrink from n = 16 to n = 1024.
    @Test func uvModelCriticalRatesApproachTwoAndFour() {
        var settings = EarlyTrainingSettings()
        settings.steps = 200
        settings.initialLanczosSteps = 40
        settings.lanczosTolerance = 1e-10
        func critical(_ n: Int, _ seed: UInt64) -> CriticalLearningRates {
            let probe = EarlyTrainingProbe(architecture: UVModel.architecture(width: n), data: UVModel.data(), settings: settings, seed: seed)
            return CriticalLearningRates.find(probe, scan: Array(stride(from: 0.0, through: 3.5, by: 0.125)), refinements: 4)
        }
        var spreads: [Double] = []
        for n in [16, 1024] {
            let results = (UInt64(1)...3).map { critical(n, $0) }
            let losses = results.compactMap(\.cLoss), maxima = results.compactMap(\.cMax)
            #expect(losses.count == 3 && maxima.count == 3)
            spreads.append((losses.max() ?? 0) - (losses.min() ?? 0))
            if n == 1024 {
                for (l, m) in zip(losses, maxima) {
                    #expect(Swift.abs(l - 2) <= 0.06, "c_loss \(l) at n = 1024")
                    #expect(Swift.abs(m - 4) <= 0.12, "c_max \(m) at n = 1024")
                }
            }
        }
        #expect(spreads[1] < spreads[0], "c_loss spread over seeds: \(spreads[0]) at n = 16, \(spreads[1]) at n = 1024")
    }
}

@Suite struct TrainingRegimeRuleTests {
    /// The regime rules on a made-up sharpness curve: a fall to a trough at step 40, a rise past
    /// 1.1× the trough at step 60, λη ≥ 1.9 from step 100, then oscillation about 2.
    @Test func regimesAreLocatedByTheirRules() {
        let eta = 0.1
        let values: [(Int, Double)] = [(0, 10), (10, 8), (20, 6), (30, 5.2), (40, 5), (50, 5.4), (60, 5.6), (80, 12), (100, 19.5), (120, 20.4), (140, 19.8), (160, 20.1)]
        let run = EarlyTrainingRun(c: 1, learningRate: eta, sharpness0: 10, loss0: 1, losses: Array(repeating: 0.5, count: 160),
                                   sharpness: values.map { SharpnessSample(step: $0.0, value: $0.1, residual: 0) }, diverged: false)
        let r = TrainingRegimes(run)
        #expect(r.saturatedSharpness == 5)
        #expect(r.sharpeningStart == 60)
        #expect(r.edgeStart == 100)
        #expect(r.edgeSamples == 4)
        #expect(Swift.abs(r.edgeMean! - 1.995) < 1e-12)
        #expect(r.allFour)
        // Without the rise, no sharpening and no edge.
        let flat = EarlyTrainingRun(c: 1, learningRate: eta, sharpness0: 10, loss0: 1, losses: Array(repeating: 0.5, count: 160),
                                    sharpness: values.prefix(6).map { SharpnessSample(step: $0.0, value: $0.1, residual: 0) }, diverged: false)
        #expect(!TrainingRegimes(flat).allFour)
        #expect(TrainingRegimes(flat).edgeStart == nil)
        // The last 20 % of 160 steps: samples at t > 128, 140 and 160 (19.8 and 20.1 times η).
        #expect(r.finalSamples == 2)
        #expect(Swift.abs(r.finalMean! - 1.995) < 1e-12)
        #expect(Swift.abs(r.finalRange![0] - 1.98) < 1e-12 && Swift.abs(r.finalRange![1] - 2.01) < 1e-12)
        #expect(Swift.abs(r.finalRise! - 0.03) < 1e-12, "\(r.finalRise!)")
    }

    /// The fitted rise of a straight line is its change across the window; of a constant, 0.
    @Test func finalRiseIsTheFittedChangeAcrossTheWindow() {
        #expect(Swift.abs(TrainingRegimes.rise([0, 1, 2, 3], [1, 1.5, 2, 2.5])! - 1.5) < 1e-12)
        #expect(Swift.abs(TrainingRegimes.rise([10, 20, 30], [2, 2, 2])!) < 1e-15)
        #expect(TrainingRegimes.rise([5], [1]) == nil)
    }

    /// Grouping by d/w, (d−1)/w, √d/w, 1/w and d: equal ratios group exactly (2/64 with 4/128),
    /// each group's spread is its largest median over its smallest; the curve factor is 1 for
    /// medians that are a power of d/w, above 1 for the other variables, and names d/w best.
    @Test func scalingCollapseGroupsEqualValuesAndNamesTheBestVariable() {
        let shapes = [(2, 64), (4, 128), (8, 256), (2, 32), (4, 64), (8, 128), (2, 16), (4, 32), (8, 64)]
        let exact = shapes.map { (depth: $0.0, width: $0.1, median: 0.1 * Foundation.pow(Double($0.0) / Double($0.1), -0.8)) }
        let collapse = ScalingCollapse(quantity: "c_loss", medians: exact)
        let ratio = collapse.groupings.first { $0.variable == .depthOverWidth }!
        #expect(ratio.groups.map(\.value) == ["1/32", "1/16", "1/8"])
        #expect(ratio.groups[0].networks == ["2x64", "4x128", "8x256"])
        #expect(ratio.groups.allSatisfy { Swift.abs($0.spread - 1) < 1e-12 })
        #expect(Swift.abs(ratio.curveFactor! - 1) < 1e-9)
        for other in collapse.groupings where other.variable != .depthOverWidth { #expect(other.curveFactor! > 1.05, "\(other.variable)") }
        #expect(collapse.best == .depthOverWidth)
        let width = collapse.groupings.first { $0.variable == .inverseWidth }!
        #expect(width.groups.map(\.value) == ["1/128", "1/64", "1/32"])  // (4x128, 8x128), (4x64, 8x64), (2x32, 4x32)
        // Medians 2.0 and 2.4 in one group: spread 1.2.
        let noisy = ScalingCollapse(quantity: "c_loss", medians: [(2, 64, 2.0), (4, 128, 2.4), (2, 32, 3.0), (3, 16, 7.0)])
        #expect(Swift.abs(noisy.groupings.first { $0.variable == .depthOverWidth }!.worstSpread! - 1.2) < 1e-12)
        // Too few networks for a curve, and no equal values: no verdict.
        #expect(ScalingCollapse(quantity: "c_loss", medians: [(2, 64, 2.0), (3, 32, 4.0)]).best == nil)
        // One median per network: no seeds to resample, so no interval and no verdict.
        #expect(ratio.groups.allSatisfy { $0.verdict == .noInterval && $0.pairs.allSatisfy { $0.low == nil } })
    }

    /// The seeds decide a group's verdict: equal seeds agree, separated seeds differ, overlapping
    /// wide seeds are unresolved; the same data give the same intervals.
    @Test func scalingCollapseVerdictsFollowTheSeeds() {
        func group(_ a: [Double], _ b: [Double]) -> ScalingCollapse.Group {
            ScalingCollapse(quantity: "c_loss", samples: [(2, 64, a), (4, 128, b)]).groupings.first { $0.variable == .depthOverWidth }!.groups[0]
        }
        // Every seed of 4x128 within 1.1× of 2x64's: every resample's ratio is within 1.1×.
        let close = group([2.0, 2.05, 2.1, 2.02, 2.08], [2.1, 2.15, 2.2, 2.12, 2.18])
        #expect(close.verdict == .agree)
        #expect(close.pairs[0].networks == ["4x128", "2x64"] && close.pairs[0].low! >= 2.1 / 2.1 && close.pairs[0].high! <= 2.2 / 2.0)
        // Every seed of one above 1.5× every seed of the other: the whole interval is above 1.25.
        let apart = group([2.0, 2.1, 2.2, 2.05, 2.15], [3.4, 3.6, 3.5, 3.45, 3.55])
        #expect(apart.verdict == .differ && apart.pairs[0].low! >= 3.4 / 2.2)
        // Medians 1.2× apart but seeds spread over ×3: neither.
        let wide = group([1.0, 2.0, 3.0, 1.5, 2.5], [1.2, 2.4, 3.6, 1.8, 3.0])
        #expect(wide.verdict == .unresolved)
        #expect(Swift.abs(wide.pairs[0].ratio - 1.2) < 1e-12)
        let again = group([1.0, 2.0, 3.0, 1.5, 2.5], [1.2, 2.4, 3.6, 1.8, 3.0])
        #expect(again.pairs[0].low == wide.pairs[0].low && again.pairs[0].high == wide.pairs[0].high)
    }

    /// The shipped collapse run (three networks at each of three d/w): the networks of a row are
    /// drawn side by side, 3.5 pt apart, and each critical curve joins the rows, not the networks
    /// (two segments for three rows; before, eight segments zigzagged through the nine networks).
    @Test func phaseDiagramDrawsEqualRatiosAsOneRow() throws {
        func shippedRecords(_ run: String) throws -> [EarlyPhaseRecord] {
            let text = try String(contentsOfFile: repositoryRoot() + "/data/reference/\(run)/critical.jsonl", encoding: .utf8)
            return try text.split(separator: "\n").map { try JSONDecoder().decode(EarlyPhaseRecord.self, from: Data($0.utf8)) }
        }
        let records = try shippedRecords("dynamics-early-collapse")
        let shapes = Dictionary(grouping: records) { "\($0.depth)x\($0.width)" }
        let summaries = shapes.values.map { EarlyPhaseSummary(depth: $0[0].depth, width: $0[0].width, records: $0) }
        #expect(summaries.count == 9)
        let svg = EarlyPhasePlot(summaries: summaries, caption: "test").svg()
        let lossColor = "#0072B2"
        let circles = svg.components(separatedBy: "<circle ").dropFirst().filter { $0.contains("stroke=\"\(lossColor)\"") }
        let ys = circles.compactMap { c -> Double? in
            guard let r = c.range(of: "cy=\"") else { return nil }
            return Double(c[r.upperBound...].prefix { $0 != "\"" })
        }
        #expect(ys.count == 10)  // nine networks and the legend's
        // Nine distinct heights: three rows of three, 3.5 pt apart within a row.
        let heights = Set(ys.dropLast().map { ($0 * 100).rounded() / 100 }).sorted()
        #expect(heights.count == 9, "\(heights)")
        for row in 0..<3 {
            let h = Array(heights[(3 * row)..<(3 * row + 3)])
            #expect(Swift.abs(h[1] - h[0] - 3.5) < 0.02 && Swift.abs(h[2] - h[1] - 3.5) < 0.02, "\(h)")
        }
        let curve = svg.split(separator: "\n").filter { $0.hasPrefix("<line ") && $0.contains("stroke=\"\(lossColor)\" stroke-width=\"0.8\"") }
        #expect(curve.count == 2, "\(curve)")
        // The CNN collapse run fills all four corners at the usual headroom; the axis grows
        // downwards until the legend has a free corner (before, it was drawn over a curve).
        let cnnRecords = try shippedRecords("dynamics-early-cnn-collapse")
        let cnn = [(2, 32), (3, 48), (2, 16), (3, 24), (4, 32)].map { d, w in
            EarlyPhaseSummary(depth: d, width: w, records: cnnRecords.filter { $0.depth == d && $0.width == w })
        }
        let plot = EarlyPhasePlot(summaries: cnn, caption: "test")
        #expect(plot.render(roomBelow: 1.6).legendIsFree == false)
        let chosen = [1.6, 4, 10].first { plot.render(roomBelow: $0).legendIsFree }
        #expect(chosen != nil && plot.svg() == plot.render(roomBelow: chosen!).svg)
    }

    /// A resampled median lies between the smallest and largest value, so every bootstrap ratio,
    /// and both ends of the interval, lie in [min a / max b, max a / min b].
    @Test func collapseIntervalsLieWithinTheSeedsExtremes() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 2...12), Gen.int(in: 2...12)) { seed, n, m in
            var g = SplitMix64(seed: seed)
            let a = (0..<n).map { _ in 1 + Double(g.next() % 10_000) / 100 }, b = (0..<m).map { _ in 1 + Double(g.next() % 10_000) / 100 }
            var generator = SplitMix64(seed: seed ^ 0x5555)
            let interval = ScalingCollapse.ratioInterval(a, b, resamples: 200, using: &generator)!
            #expect(interval.low <= interval.high)
            #expect(interval.low >= a.min()! / b.max()! * (1 - 1e-15) && interval.high <= a.max()! / b.min()! * (1 + 1e-15), "a \(a) b \(b)")
        }
    }
}
