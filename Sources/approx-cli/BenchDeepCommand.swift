import ApproxRates
import ArgumentParser
import CFixedPoint
import CMPFR
import Foundation

/// The deep-network evaluation benchmark (scripts/bench-fixed.sh; docs/performance.md): the
/// fixed-point evaluator against the MPFR evaluator and a plain C loop of generic mpfr_mul +
/// mpfr_add, on one deep network and one set of points, in one run.
struct BenchDeep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-deep",
        abstract: "Benchmark: a deep construction's network evaluated in fixed point, in MPFR and by a generic C loop.",
        discussion: "Prints one JSON line: the network, seconds per point of each evaluator, and how far their outputs differ.",
        shouldDisplay: false
    )

    @Option(help: "Input dimension: 1 (bit extraction) or 2 (snake, four copies).") var dim: Int = 1
    @Option(help: "Coarse cells N.") var cells: Int
    @Option(help: "Fine cells M per coarse cell.") var fine: Int
    @Option(help: "Points evaluated.") var points: Int = 64
    @Option(help: "grid: consecutive points of the search's grid (spacing h/2, rows along x1, from the middle of the domain); column: the same along x2; random: uniform points.")
    var order: String = "grid"
    @Option(help: "Seed of the lacunary target.") var seed: UInt64 = 1
    @Option(help: "Times each evaluator runs over the points; the fastest run is reported (this machine's timings vary by 10-30 % from run to run).")
    var repeats: Int = 3
    @Flag(help: "Time only the fixed-point evaluator with reuse (for profiling).") var onlyFixed = false

    func run() throws {
        guard dim == 1 || dim == 2 else { throw ValidationError("--dim must be 1 or 2, not \(dim)") }
        guard ["grid", "column", "random"].contains(order) else { throw ValidationError("--order must be grid, column or random, not \(order)") }
        guard points >= 2 else { throw ValidationError("--points must be at least 2, not \(points)") }
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be 1 to 100, not \(repeats)") }
        let target = try TargetCatalog.make("lacunary", dimension: dim, smoothness: 1, options: .init(seed: seed))
        let build = DispatchTime.now().uptimeNanoseconds
        let net = dim == 1 ? try BitExtraction.network(target, cells: cells, fine: fine)
                           : try SnakeExtraction.network(target, cells: cells, fine: fine)
        let p = net.weightPrecision
        let h = 1 / Double(cells * fine)
        var rng = SplitMix64(seed: 99)
        let xs: [[Double]] = (0..<points).map { i in
            if order == "random" { return (0..<dim).map { _ in Double.random(in: 0...1, using: &rng) } }
            // The search's grid: spacing h/2, rows along x1 (2NM + 1 points each) from x2 = 1/2.
            let row = 2 * cells * fine + 1
            if dim == 2 && order == "column" { return [Swift.min(1, 0.5 + Double(i / row) * h / 2), Double(i % row) * h / 2] }
            return dim == 1 ? [0.25 + Double(i) * h / 2] : [Double(i % row) * h / 2, Swift.min(1, 0.5 + Double(i / row) * h / 2)]
        }
        let plan = try PrecisionPlan.derive(for: net)
        let fixed = try FixedPointEvaluator(network: net, plan: plan)
        let buildSeconds = Double(DispatchTime.now().uptimeNanoseconds - build) / 1e9
        // The fastest of `repeats` runs.
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            var best = Double.infinity
            for _ in 0..<repeats {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try body()
                best = Swift.min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            return best
        }
        // Fixed point, points in order on one workspace (reuse), then each point afresh.
        let out = MPFRArray(count: points, precision: Precision(uncheckedBits: 2 * p.bits + 64))
        var bounds = [Double](repeating: 0, count: points)
        var computed = 0
        let fixedReuse = seconds {
            let w = fixed.makeWorkspace()
            for (i, x) in xs.enumerated() {
                bounds[i] = x.withUnsafeBufferPointer { fixed.evaluate($0.baseAddress!, workspace: w) }
                fixed.output(into: out[i], workspace: w)
            }
            computed = w.totalComputedUnits
        }
        if onlyFixed {
            print("{\"fixed_1\": \(fixedReuse / Double(points)), \"recomputed_share\": \(Double(computed) / Double(points * plan.units.count)), \"merged_units\": \(fixed.mergedUnits), \"build_seconds\": \(buildSeconds)}")
            return
        }
        let fixedFresh = seconds {
            let w = fixed.makeWorkspace()
            for x in xs { w.reset(); _ = x.withUnsafeBufferPointer { fixed.evaluate($0.baseAddress!, workspace: w) } }
        }
        let fixedTwo = seconds {
            BatchParallelism.forEachChunk(count: points, threads: 2) { _, range in
                let w = fixed.makeWorkspace()
                for i in range { _ = xs[i].withUnsafeBufferPointer { fixed.evaluate($0.baseAddress!, workspace: w) } }
            }
        }
        // (a) the MPFR evaluator at the network's precision.
        let mpfr = MPFREvaluator(network: net, precision: p)
        let inputs = MPFRArray(xs.flatMap { $0.map { BigFloat($0, precision: .double) } }, precision: p)
        var a = MPFRArray(count: 0, precision: p)
        let mpfrOne = try seconds { a = try mpfr.evaluate(batch: inputs, threads: 1) }
        let mpfrTwo = try seconds { _ = try mpfr.evaluate(batch: inputs, threads: 2) }
        // (b) the plain C loop: every stored term as mpfr_mul + mpfr_add at the same precision.
        let loop = GenericLoop(net, precision: p)
        var b = [BigFloat]()
        let generic = seconds { b = xs.map { loop.evaluate($0) } }
        // Reference at twice the precision (not timed).
        let reference = try MPFREvaluator(network: net, precision: Precision(uncheckedBits: 2 * p.bits))
            .evaluate(batch: MPFRArray(xs.flatMap { $0.map { BigFloat($0, precision: .double) } }, precision: Precision(uncheckedBits: 2 * p.bits)), threads: 2)
        let wide = Precision(uncheckedBits: 4 * p.bits)
        func gap(_ x: BigFloat, _ y: BigFloat) -> Double { x.subtracting(y, precision: wide).magnitude().toDouble() }
        var fixedVsLoop = 0.0, loopVsReference = 0.0, fixedVsReference = 0.0, within = 0, identicalAB = 0
        for i in 0..<points {
            let f = out.value(at: i), r = reference.value(at: i)
            fixedVsLoop = max(fixedVsLoop, gap(f, b[i]))
            loopVsReference = max(loopVsReference, gap(b[i], r))
            fixedVsReference = max(fixedVsReference, gap(f, r))
            // Agreement with (b) to the reported error: the certificate plus (b)'s own rounding.
            if gap(f, b[i]) <= bounds[i] + gap(b[i], r) + gap(r, r) { within += 1 }
            if a.value(at: i).isIdentical(to: b[i]) { identicalAB += 1 }
        }
        let counts = net.counts
        let fields: [String] = [
            "\"dim\": \(dim)", "\"cells\": \(cells)", "\"fine\": \(fine)", "\"weights\": \(counts.weightsAll)", "\"depth\": \(counts.depth)",
            "\"precision\": \(p.bits)", "\"points\": \(points)", "\"order\": \"\(order)\"",
            "\"units\": \(plan.units.count)", "\"units_at_ceiling\": \(plan.unitsAtCeiling)", "\"ceiling\": \(plan.ceiling)",
            "\"limbs_per_unit\": \(Double(plan.totalLimbs) / Double(plan.units.count))", "\"mpfr_limbs\": \((p.bits + 63) / 64)",
            "\"recomputed_share\": \(Double(computed) / Double(points * plan.units.count))", "\"merged_units\": \(fixed.mergedUnits)",
            "\"fixed_1\": \(fixedReuse / Double(points))", "\"fixed_1_fresh\": \(fixedFresh / Double(points))", "\"fixed_2\": \(fixedTwo / Double(points))",
            "\"mpfr_1\": \(mpfrOne / Double(points))", "\"mpfr_2\": \(mpfrTwo / Double(points))", "\"generic_c\": \(generic / Double(points))",
            "\"max_bound\": \(bounds.max()!)", "\"max_fixed_vs_generic\": \(fixedVsLoop)", "\"max_generic_vs_2p\": \(loopVsReference)",
            "\"max_fixed_vs_2p\": \(fixedVsReference)", "\"within_bound\": \(within)", "\"mpfr_identical_to_generic\": \(identicalAB)",
            "\"repeats\": \(repeats)", "\"build_seconds\": \(buildSeconds)",
        ]
        print("{" + fields.joined(separator: ", ") + "}")
    }
}

/// The peer (b): the network as flat MPFR arrays for `cfx_generic_mpfr`, every weight rounded to
/// the precision once, one value per unit.
final class GenericLoop {
    let inputs: Int, count: Int
    let termEnd: [Int32], columns: [Int32], activations: [UInt8]
    let weights: MPFRArray, biases: MPFRArray, values: MPFRArray, scratch: MPFRArray

    init(_ net: Network, precision: Precision) {
        inputs = net.inputDimension
        var termEnd: [Int32] = [], columns: [Int32] = [], activations: [UInt8] = []
        var w: [BigFloat] = [], b: [BigFloat] = []
        var reads = 0, first = inputs
        for layer in net.layers {
            for i in 0..<layer.outputCount {
                for k in layer.rowStart[i]..<layer.rowStart[i + 1] { columns.append(Int32(reads + layer.columns[k])); w.append(layer.weights[k]) }
                termEnd.append(Int32(columns.count))
                b.append(layer.bias[i])
                activations.append(layer.activations[i] == .relu ? 1 : (layer.activations[i] == .step ? 2 : 0))
            }
            reads = first
            first += layer.outputCount
        }
        count = first
        self.termEnd = termEnd; self.columns = columns; self.activations = activations
        weights = MPFRArray(w, precision: precision)
        biases = MPFRArray(b, precision: precision)
        values = MPFRArray(count: count, precision: precision)
        scratch = MPFRArray(count: 1, precision: precision)
    }

    func evaluate(_ x: [Double]) -> BigFloat {
        for j in 0..<inputs { mpfr_set_d(values[j], x[j], MPFR_RNDN) }
        termEnd.withUnsafeBufferPointer { te in columns.withUnsafeBufferPointer { c in activations.withUnsafeBufferPointer { a in
            cfx_generic_mpfr(count, inputs, te.baseAddress!, c.baseAddress!, weights.base, biases.base, a.baseAddress!, values.base, scratch.base)
        } } }
        return values.value(at: count - 1)
    }
}
