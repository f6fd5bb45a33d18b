import CMPFR
import Foundation
import PrecisionModule
import NetworksModule
import TargetsModule

/// The sup-norm error ‖f − net‖_∞ on [0, 1]^d, searched for and then computed in MPFR.
///
/// Two searches, chosen by the network's form:
/// - **Exact pieces** (1-D networks of identity and ReLU units, up to `maximumPieces` pieces):
///   the network is swept into its exact linear pieces (``Network/sweptPieces(from:to:precision:maximumPieces:)``);
///   the target's special points split pieces further. On each piece,
///   e = |f − ℓ| is sampled at `samplesPerPiece` points (ends included; more when the pieces are
///   few, so that all pieces together take `minimumPieceSamples`) and the best sample is
///   refined by golden-section search between its neighbours (at most `iterations`, 60, steps,
///   stopping when the bracket is 10⁻¹² of the piece). This is exact (to that tolerance) whenever e is unimodal on the piece, which holds for an
///   interpolant of a function convex or concave on the piece (then f − ℓ keeps one sign and
///   |f − ℓ| is concave); for rougher targets it is a dense local search.
/// - **Adaptive sampling** (any network, d ≤ 3): a grid of spacing `spacing`, sized to a budget
///   of operations, plus the target's special points; the best `candidates` points are
///   refined by a pattern search whose step halves down to spacing/2^12.
///
/// Both searches rank points with a **locator**: float64 when a check on 64 random points
/// shows the float64 error within 1/1000 of the MPFR error scale, else MPFR. The reported error
/// is always the MPFR value of |f − net| with the full network at the best candidates.
/// The **guard** repeats the evaluation of every candidate at twice the precision (same stored
/// weights) and reports how many significant digits the two maxima share; fewer than 6 flags the
/// result.
public enum SupNorm {
    /// How hard to search.
    public struct Options: Sendable {
        /// Working precision of the MPFR evaluation (network and target).
        public var precision: Precision
        /// Threads (default: all cores).
        public var threads: Int?
        /// Cap on grid points of the sampling search.
        public var maximumGridPoints: Int = 1 << 18
        /// Budget of float64 weight-operations of the sampling grid (points × stored weights).
        public var operationBudget: Double = 4e9
        /// Candidates refined and re-evaluated in MPFR.
        public var candidates: Int = 24
        /// Samples per linear piece in the exact-pieces search, at least (raised to
        /// ⌈``minimumPieceSamples`` / pieces⌉ when that is more).
        public var samplesPerPiece: Int = 8
        /// Samples all pieces of the exact-pieces search take together, at least (at most
        /// ``maximumGridPoints``): a network of few pieces is not sampled at 8 points a piece.
        public var minimumPieceSamples: Int = 4096
        /// Most linear pieces the exact-pieces search enumerates; beyond, it samples instead.
        public var maximumPieces: Int = 2_000_000
        /// Most unit updates of the piece sweep (the Taylor network at N = 256 needs 4.7 million,
        /// about 10 s); beyond, it samples instead.
        public var maximumSweepUpdates: Int = 30_000_000
        /// Whether to run the twice-the-precision guard.
        public var guardCheck: Bool = true
        /// When set below ``precision``: each sine unit's result is rounded to this precision
        /// (``MPFREvaluator/sinePrecision``; its argument keeps all of ``precision``). The guard
        /// doubles it with the precision, so the digits reported are the ones it does not move.
        public var sinePrecision: Precision? = nil
        /// Whether points that float64 cannot rank are ranked in certified fixed point
        /// (``FixedPointEvaluator``) when the network allows it, instead of in MPFR. The reported
        /// error is the MPFR value either way.
        public var fixedPointRanking: Bool = true
        /// 1-D only: intervals the exact-pieces search samples instead of sweeping (with the full
        /// network in MPFR, `zoneSamples` points each plus golden section), because the network is
        /// known to fold there into more pieces than any sweep can follow while its output stays
        /// simple (the cut-off zones of ``BitExtraction``). The rest of [0, 1] is swept exactly.
        public var sampledZones: [ClosedRange<Double>] = []
        /// Samples per sampled zone.
        public var zoneSamples: Int = 17
        /// When set, the sampling search uses this grid spacing whatever its budget (a network
        /// whose error lives on a known fine grid, such as a 2-D deep network: see
        /// ``SearchHints``).
        public var samplingSpacing: Double? = nil
        /// When set, the sampled maximum is followed by a certified bracket
        /// (``CertifiedSupNorm``): ``SupNormResult/certified`` then holds lower ≤ ‖f − net‖ ≤ upper,
        /// and a certified lower bound above the sampled one replaces it as the error.
        public var certification: CertifiedSupNorm.Options? = nil
        /// Default search settings at `precision`, on `threads` threads (default: all cores).
        public init(precision: Precision, threads: Int? = nil) { self.precision = precision; self.threads = threads }
    }

    /// Measures ‖target − network‖_∞ on [0, 1]^d.
    public static func measure(_ network: Network, against target: Target, options: Options) throws -> SupNormResult {
        guard network.inputDimension == target.dimension else {
            throw MeasurementError("the network has \(network.inputDimension) inputs but the target has dimension \(target.dimension)")
        }
        guard network.outputDimension == 1 else { throw MeasurementError("the network has \(network.outputDimension) outputs; the sup norm needs 1") }
        guard (1...3).contains(target.dimension) else { throw MeasurementError("the sup-norm search supports d = 1, 2, 3, not \(target.dimension)") }
        // A target must be a finite number on all of [0, 1]^d: where it is NaN the comparisons of
        // the search would skip the point, and a finite "error" would be reported.
        if !FiniteTargets.shared.contains(target), let (x, value) = target.firstNonFinitePoint() {
            throw MeasurementError("the target \(target.summary) is \(value.isNaN ? "undefined" : "infinite") at x = \(x.map { String($0) }.joined(separator: ", ")) (value \(value)): a target must be a finite number on all of [0, 1]^\(target.dimension)")
        }
        FiniteTargets.shared.insert(target)
        let mpfr = MPFREvaluator(network: network, precision: options.precision, sinePrecision: options.sinePrecision)
        var search: Search
        let high = Precision(uncheckedBits: network.weightPrecision.bits + options.precision.bits + Precision.Margin.exactProduct)
        var swept: [SweptPieces]? = nil
        if network.isSweepable, let pieces = try? sweep(network, precision: high, options: options) {
            swept = pieces
            search = try exactPieces(pieces, network, target, mpfr, options)
        } else {
            search = try sampling(network, target, mpfr, options)
        }
        // Final MPFR evaluation of the best candidates with the full network, and of the
        // target's special points and lines with their coordinates exact.
        var (error, argmax) = largest(search.candidates, ErrorProbe(network: mpfr, target: target))
        search.mpfrPoints += search.candidates.count
        var exactArgmax = argmax.map { BigFloat($0, precision: .double) }
        var exact = exactCandidates(target, mpfr, options)
        search.mpfrPoints += exact.evaluated
        if !exact.points.isEmpty {
            let (e, x) = largestExact(exact.points, ErrorProbe(network: mpfr, target: target))
            if error < e { error = e; exactArgmax = x; argmax = x.map { $0.toDouble() } }
        }
        var certified: CertifiedBound? = nil
        if let certification = options.certification {
            let start = swept.map { parts in
                CertifiedSupNorm.Partition(sweeps: parts.compactMap(\.trace),
                                           zones: options.sampledZones.filter { $0.upperBound > $0.lowerBound }
                                               .map { (BigFloat(Swift.max(0, $0.lowerBound)), BigFloat(Swift.min(1, $0.upperBound))) })
            }
            let bound: CertifiedBound
            do {
                bound = try CertifiedSupNorm.certify(network, against: target, precision: options.precision, options: certification,
                                                     start: start, hint: exactArgmax)
            } catch NetworkError.unsupported(let why) {
                // Units the enclosures do not cover: no bound, and the result says so.
                bound = .notCertified(because: why, gap: certification.gap)
            }
            certified = bound
            // The branch and bound found a larger error than the sample: it becomes the measurement
            // (and an exact candidate of the guard like the special points).
            if !bound.argmax.isEmpty {
                let point = bound.argmax.map(Coordinate.exact)
                let (e, x) = largestExact([point], ErrorProbe(network: mpfr, target: target))
                search.mpfrPoints += 1
                if error < e { error = e; exactArgmax = x; argmax = x.map { $0.toDouble() }; exact.points.append(x.map(Coordinate.exact)) }
            }
        }
        var guardError = error, digits = options.precision.roundTripDecimalDigits
        if options.guardCheck {
            // Every candidate again at twice the precision: the largest there must be the same
            // value (to the digits reported) as the largest here.
            let high = Precision(uncheckedBits: 2 * options.precision.bits)
            let probe = ErrorProbe(network: MPFREvaluator(network: network, precision: high,
                                                          sinePrecision: options.sinePrecision.map { Precision(uncheckedBits: 2 * $0.bits) }),
                                   target: target)
            guardError = largest(search.candidates, probe).0
            if !exact.points.isEmpty {
                let e = largestExact(exact.points, probe).0
                if guardError < e { guardError = e }
            }
            digits = agreeingDigits(error, guardError, cap: options.precision.roundTripDecimalDigits)
        }
        guard error.isFinite, guardError.isFinite else {
            throw MeasurementError("the error is \(error) at x = \(argmax.map { String($0) }.joined(separator: ", ")): the target or the network is not a finite number there")
        }
        return SupNormResult(error: error, argmax: argmax, exactArgmax: exactArgmax, certified: certified,
                             precision: options.precision, guardError: guardError,
                             agreeingDigits: digits, search: search.kind, rankedInFloat64: search.rankedInFloat64,
                             method: search.method, locator: search.locator,
                             locatorPoints: search.locatorPoints, mpfrPoints: search.mpfrPoints, spacing: search.spacing)
    }

    /// The exact pieces of a 1-D network on [0, 1] minus the sampled zones, one sweep per
    /// interval on the options' threads, within the options' budgets (shared by all intervals).
    static func sweep(_ network: Network, precision high: Precision, options: Options) throws -> [SweptPieces] {
        let intervals = sweptIntervals(options.sampledZones).map { (lower: BigFloat($0.0, precision: high), upper: BigFloat($0.1, precision: high)) }
        return try network.sweptPieces(over: intervals, precision: high, maximumPieces: options.maximumPieces,
                                       maximumUpdates: options.maximumSweepUpdates, recordTrace: options.certification != nil,
                                       threads: options.threads)
    }

    /// [0, 1] minus the zones, as increasing intervals.
    static func sweptIntervals(_ zones: [ClosedRange<Double>]) -> [(Double, Double)] {
        var intervals: [(Double, Double)] = []
        var start = 0.0
        for z in zones.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if z.lowerBound > start { intervals.append((start, Swift.min(1, z.lowerBound))) }
            start = Swift.max(start, z.upperBound)
        }
        if start < 1 { intervals.append((start, 1)) }
        return intervals
    }

    /// The largest MPFR error over `points` (at least one) and where it is attained.
    static func largest(_ points: [[Double]], _ probe: ErrorProbe) -> (BigFloat, [Double]) {
        var best: (BigFloat, [Double])? = nil
        for c in points {
            c.withUnsafeBufferPointer { _ = probe.error(at: $0.baseAddress!) }
            let e = probe.lastError
            if best == nil || best!.0 < e { best = (e, c) }
        }
        return best!
    }

    /// One coordinate of an exact candidate: a float64 value, a number at full precision (the
    /// certified maximiser), or a constant expression evaluated at the precision of each
    /// evaluation.
    enum Coordinate { case value(Double), exact(BigFloat), expression(CompiledExpression) }

    /// The largest MPFR error over exact candidates (at least one), at the probe's precision.
    static func largestExact(_ points: [[Coordinate]], _ probe: ErrorProbe) -> (BigFloat, [BigFloat]) {
        var best: (BigFloat, [BigFloat])? = nil
        let p = probe.point.precision
        for c in points {
            let x = c.map { co -> BigFloat in
                switch co {
                case .value(let v): return BigFloat(v, precision: .double)
                case .exact(let v): return v
                case .expression(let e): return e.constantValue(precision: p)
                }
            }
            let e = probe.error(atExact: x)
            if best == nil || best!.0 < e { best = (e, probe.pointValue) }
        }
        return best!
    }

    /// The target's exact special points, and on each special line (d ≥ 2) the best of a
    /// sample along the line refined by golden section, all with the line's coordinate exact.
    static func exactCandidates(_ target: Target, _ mpfr: MPFREvaluator, _ options: Options) -> (points: [[Coordinate]], evaluated: Int) {
        var points: [[Coordinate]] = target.exactSpecialPoints.map { $0.map { .expression(CompiledExpression($0, dimension: 0)) } }
        var evaluated = points.count
        let d = target.dimension
        guard d >= 2, !target.specialLines.isEmpty else { return (points, evaluated) }
        let probe = ErrorProbe(network: mpfr, target: target)
        let samples = d == 2 ? 257 : 33
        for line in target.specialLines {
            let value = CompiledExpression(line.value, dimension: 0)
            let fixed = value.constantValue(precision: probe.point.precision)
            guard fixed.signum >= 0, fixed.toDouble() <= 1 else { continue }
            let free = (0..<d).filter { $0 != line.axis }
            // The grid on the free coordinates.
            var best: [(Double, [Double])] = []
            var index = Array(repeating: 0, count: free.count)
            repeat {
                let y = index.map { Double($0) / Double(samples - 1) }
                var x = Array(repeating: fixed, count: d)
                for (j, k) in free.enumerated() { x[k] = BigFloat(y[j], precision: .double) }
                let e = probe.error(atExact: x).toDouble()
                evaluated += 1
                best.append((e, y))
                var j = 0
                while j < free.count { index[j] += 1; if index[j] < samples { break }; index[j] = 0; j += 1 }
                if j == free.count { break }
            } while true
            best.sort { $0.0 > $1.0 }
            for (_, y0) in best.prefix(4) {
                // Golden section on each free coordinate in turn, the others held.
                var y = y0
                for j in 0..<free.count {
                    let h = 1 / Double(samples - 1)
                    let r = maximise(Swift.max(0, y[j] - h), Swift.min(1, y[j] + h), 3) { t in
                        var x = Array(repeating: fixed, count: d)
                        for (i, k) in free.enumerated() { x[k] = BigFloat(i == j ? t : y[i], precision: .double) }
                        evaluated += 1
                        return probe.error(atExact: x).toDouble()
                    }
                    y[j] = r.1
                }
                var c = Array(repeating: Coordinate.expression(value), count: d)
                for (i, k) in free.enumerated() { c[k] = .value(y[i]) }
                points.append(c)
            }
        }
        return (points, evaluated)
    }

    /// Significant decimal digits on which a and b agree (cap when identical).
    static func agreeingDigits(_ a: BigFloat, _ b: BigFloat, cap: Int) -> Int {
        if a.isIdentical(to: b) || (a.isZero && b.isZero) { return cap }
        guard a.isFinite, b.isFinite else { return 0 }
        let p = Precision(uncheckedBits: Swift.max(a.precision.bits, b.precision.bits))
        // The ratio in MPFR: values beyond float64's range (a target of 1e309) have a ratio that
        // float64 holds, where their float64 images would be ∞/∞.
        let diff = a.subtracting(b, precision: p).magnitude()
        let scale = a.magnitude() > b.magnitude() ? a.magnitude() : b.magnitude()
        guard !scale.isZero, !diff.isZero else { return cap }
        let ratio = diff.divided(by: scale, precision: Precision(uncheckedBits: 64)).toDouble()
        guard ratio > 0, ratio.isFinite else { return cap }
        return Swift.max(0, Swift.min(cap, Int((-log10(ratio)).rounded(.down))))
    }

    struct Search {
        var candidates: [[Double]]
        var kind: SupNormResult.SearchKind
        var rankedInFloat64: Bool
        var method: String
        var locator: String
        var locatorPoints: Int
        var mpfrPoints: Int
        var spacing: Double
    }

    // MARK: the locator

    /// Errors at `points` (row-major, d per point) with one ``LocatorProbe`` per thread.
    static func errors(_ points: [Double], dimension d: Int, threads: Int?, probe makeProbe: () -> LocatorProbe) -> [Double] {
        let count = points.count / d
        var errors = Array(repeating: 0.0, count: count)
        errors.withUnsafeMutableBufferPointer { out in
            let sink = UncheckedSendable(value: out)
            points.withUnsafeBufferPointer { p in
                BatchParallelism.forEachChunk(count: count, threads: BatchParallelism.threadCount(for: count, requested: threads, minimumPerThread: 64)) { _, range in
                    let probe = makeProbe()
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let block = Swift.min(DoubleEvaluator.blockSize, range.upperBound - start)
                        probe.errors(p.baseAddress! + start * d, count: block, into: sink.value.baseAddress! + start)
                        start += block
                    }
                }
            }
        }
        return errors
    }

    /// The 64 seeded random points (row-major, d per point) on which a cheaper ranking is checked
    /// against MPFR before it is used.
    static func checkPoints(dimension d: Int) -> [Double] {
        var rng = SplitMix64(seed: DefaultSeed.measurement)
        return (0..<(64 * d)).map { _ in Double.random(in: 0...1, using: &rng) }
    }

    /// Whether float64 can rank points: on 64 seeded random points the float64 and MPFR errors
    /// differ by at most 1/1000 of the largest MPFR error. Returns the decision and its words.
    static func float64Locator(_ network: Network, _ target: Target, _ mpfr: MPFREvaluator, threads: Int?) throws -> (DoubleEvaluator?, String, scale: Double) {
        let d = target.dimension
        let points = checkPoints(dimension: d)
        let double = DoubleEvaluator(network: network)
        let exact = errors(points, dimension: d, threads: threads) { LocatorProbe(mpfr: mpfr, target: target) }
        let approximate = errors(points, dimension: d, threads: threads) { LocatorProbe(double: double, target: target) }
        let scale = exact.max() ?? 0
        let deviation = zip(exact, approximate).map { Swift.abs($0 - $1) }.max() ?? 0
        let (usable, text) = locatorVerdict(deviation: deviation, scale: scale, what: "float64 deviation", on: "on 64 points")
        return (usable ? double : nil, text, scale)
    }

    /// The largest certified error bound a fixed-point ranking value may carry (absolute): below
    /// the float64 resolution, at which the ranking is done, of any error above 10⁻⁸.
    static let fixedTolerance = 0x1p-80

    /// How the fixed-point locator ranked, after the float64 verdict that sent the search to it.
    static func fixedLocatorText(_ fixed: FixedPointEvaluator, _ counts: FixedPointCounts, target: String, after float64: String) -> String {
        let plan = fixed.plan
        let share = Double(counts.computedUnits) / Swift.max(1, Double(counts.certified + counts.fallback) * Double(plan.units.count))
        return String(format: "fixed point (per-unit precision: %d of %d units at the %d-bit ceiling, %d limbs in all; %d points certified within 2^-80, %d ranked in MPFR; %.0f%% of the units recomputed from point to point; %@) after %@",
                      plan.unitsAtCeiling, plan.units.count, plan.ceiling, plan.totalLimbs, counts.certified, counts.fallback, 100 * share, target, float64)
    }

    /// Bits of the target while a fixed-point locator ranks (the network's side is certified to
    /// ``fixedTolerance``; the target needs no more): 128 bits when, on the float64 check's 64·d
    /// seeded points and the target's special points, f at 128 bits is within 2^-100 of f at the
    /// measurement's precision, else the measurement's precision. The candidates are measured
    /// at the full precision afterwards whatever the ranking used. Returns the precision and its words.
    ///
    /// With `errorScale` (the largest MPFR error on those points, when MPFR ranks in float64
    /// doubles): 128 bits below the scale instead, 128 + ⌈log₂(1/scale)⌉ bits, accepted when f
    /// there is within 2^-100·scale of f at the full precision (far below the doubles' 2^-53
    /// relative resolution, however small the error: a sine lookup's 10⁻³⁹).
    static func rankingTarget(_ target: Target, precision: Precision, errorScale: Double? = nil) -> (Precision, String) {
        if let scale = errorScale, !(scale > 0 && scale.isFinite) { return (precision, "target at \(precision.bits) bits") }
        let below = errorScale.map { Swift.max(0, Int((-log2($0)).rounded(.up))) } ?? 0
        let allowed = errorScale.map { 0x1p-100 * $0 } ?? 0x1p-100
        let low = Precision(uncheckedBits: 128 + below)
        guard precision.bits > low.bits else { return (precision, "target at \(precision.bits) bits") }
        let d = target.dimension
        let seeded = checkPoints(dimension: d)
        let points = stride(from: 0, to: seeded.count, by: d).map { Array(seeded[$0..<($0 + d)]) } + target.specialPoints.filter { $0.count == d }
        let exact = points.map { $0.map { BigFloat($0, precision: .double) } }
        let full = target.values(at: exact, precision: precision, threads: 1)
        let ranked = target.values(at: exact, precision: low, threads: 1)
        let deviation = zip(full, ranked).map { $0.subtracting($1, precision: precision).magnitude().toDouble() }.max() ?? .infinity
        if deviation.isFinite, deviation <= allowed {
            return (low, String(format: "target at %d bits: within %.1e of %d bits on %d points", low.bits, deviation, precision.bits, points.count))
        }
        return (precision, String(format: "target at %d bits: %d bits deviated by %.1e on %d points", precision.bits, low.bits, deviation, points.count))
    }

    /// The locator rule: float64 ranks when its largest deviation from MPFR is at most 1/1000 of
    /// the largest MPFR error. Returns the decision and its words.
    static func locatorVerdict(deviation: Double, scale: Double, what: String, on points: String) -> (Bool, String) {
        let text = String(format: "%@ %.1e vs error scale %.1e %@", what, deviation, scale, points)
        if deviation.isFinite, scale > 0, deviation <= 1e-3 * scale { return (true, "float64 (" + text + ")") }
        return (false, "MPFR (" + text + ")")
    }

    // MARK: exact pieces

    static func exactPieces(_ parts: [SweptPieces], _ network: Network, _ target: Target, _ mpfr: MPFREvaluator, _ options: Options) throws -> Search {
        // Pieces as (lower, upper, line) in float64 ends, split at the target's special points.
        var lower: [Double] = [], upper: [Double] = []
        var lines: [(BigFloat, BigFloat)] = []
        let special = target.specialPoints.map { $0[0] }.sorted()
        for part in parts {
            let ends = part.knots.map { $0.toDouble() }
            for k in 0..<part.count {
                var a = ends[k]
                for s in special where a < s && s < ends[k + 1] {
                    lower.append(a); upper.append(s); lines.append((part.slopes[k], part.intercepts[k])); a = s
                }
                lower.append(a); upper.append(ends[k + 1]); lines.append((part.slopes[k], part.intercepts[k]))
            }
        }
        let count = lines.count
        // Samples per piece: `samplesPerPiece`, raised so that the pieces together take at least
        // `minimumPieceSamples` (capped by `maximumGridPoints`). With 8 per piece, a network of
        // few pieces against an oscillating target (cos(100x)·x³ against the 2-piece tooth) had
        // its error found 3 % short (the fuzzer, issue 19). Networks of 512 pieces or more are
        // searched as before.
        let total = Swift.min(options.minimumPieceSamples, options.maximumGridPoints)
        let samples = Swift.max(3, options.samplesPerPiece, (total + count - 1) / Swift.max(1, count))
        let doubleLines = lines.map { ($0.0.toDouble(), $0.1.toDouble()) }
        let (useDouble, locatorText) = pieceLocator(lower, upper, lines, doubleLines, target, mpfr)
        var located = Array(repeating: (0.0, 0.0), count: count)   // (error, x) per piece
        located.withUnsafeMutableBufferPointer { out in
            let sink = UncheckedSendable(value: out)
            BatchParallelism.forEachChunk(count: count, threads: BatchParallelism.threadCount(for: count, requested: options.threads, minimumPerThread: 64)) { _, range in
                if useDouble {
                    let f = target.makeEvaluator(precision: .double)
                    for k in range {
                        let (s, c) = doubleLines[k]
                        sink.value[k] = maximise(lower[k], upper[k], samples) { x in
                            var t = x
                            return Swift.abs(f.evaluateDouble(&t) - (s * x + c))
                        }
                    }
                } else {
                    let probe = ErrorProbe(network: mpfr, target: target)
                    for k in range {
                        lines[k].0.copy(into: probe.line[0]); lines[k].1.copy(into: probe.line[1])
                        sink.value[k] = maximise(lower[k], upper[k], samples) { probe.lineError(at: $0) }
                    }
                }
            }
        }
        // The best pieces, re-searched in MPFR on their exact lines.
        let order = located.indices.sorted { located[$0].0 > located[$1].0 }
        let top = Array(order.prefix(options.candidates))
        var candidates: [[Double]] = []
        let probe = ErrorProbe(network: mpfr, target: target)
        for k in top {
            lines[k].0.copy(into: probe.line[0]); lines[k].1.copy(into: probe.line[1])
            let width = (upper[k] - lower[k]) / Double(samples - 1)
            let x = located[k].1
            let refined = maximise(Swift.max(lower[k], x - width), Swift.min(upper[k], x + width), 3) { probe.lineError(at: $0) }
            candidates.append([refined.1])
        }
        // The sampled zones, with the full network.
        let zones = options.sampledZones.filter { $0.upperBound > $0.lowerBound }
        var zoneBest = Array(repeating: (0.0, 0.0), count: zones.count)
        // Ranked in fixed point where the network allows it (certified per point, else MPFR).
        let fixed = zones.isEmpty || !options.fixedPointRanking ? nil : try? FixedPointEvaluator(network: network)
        let counts = FixedPointCounts()
        let (targetPrecision, targetText) = fixed == nil ? (mpfr.precision, "") : rankingTarget(target, precision: mpfr.precision)
        zoneBest.withUnsafeMutableBufferPointer { out in
            let sink = UncheckedSendable(value: out)
            BatchParallelism.forEachChunk(count: zones.count, threads: BatchParallelism.threadCount(for: zones.count, requested: options.threads, minimumPerThread: 4)) { _, range in
                let probe = fixed.map { LocatorProbe(fixed: $0, mpfr: mpfr, target: target, targetPrecision: targetPrecision, tolerance: fixedTolerance, counts: counts) }
                    ?? LocatorProbe(mpfr: mpfr, target: target)
                for z in range {
                    sink.value[z] = maximise(Swift.max(0, zones[z].lowerBound), Swift.min(1, zones[z].upperBound), Swift.max(3, options.zoneSamples),
                                             iterations: 24) { x in
                        var t = x, e = 0.0
                        probe.errors(&t, count: 1, into: &e)
                        return e
                    }
                }
            }
        }
        let zoneTop = zoneBest.indices.sorted { zoneBest[$0].0 > zoneBest[$1].0 }.prefix(options.candidates)
        candidates += zoneTop.map { [zoneBest[$0].1] }
        let finest = zip(upper, lower).map { $0 - $1 }.filter { $0 > 0 }.min() ?? 1
        let pieceCount = parts.reduce(0) { $0 + $1.count }
        var zoneText = zones.isEmpty ? "" : String(format: "; %d zones (%.2g of [0, 1]) sampled with the full network, %d points + golden section each",
                                                   zones.count, zones.reduce(0) { $0 + $1.upperBound - $1.lowerBound }, Swift.max(3, options.zoneSamples))
        if fixed != nil { zoneText += String(format: ", ranked in fixed point (%d points certified within 2^-80, %d in MPFR; %@)", counts.certified, counts.fallback, targetText) }
        return Search(candidates: candidates, kind: .exactPieces, rankedInFloat64: useDouble,
                      method: "exact pieces (\(pieceCount) linear pieces, \(count) after splitting at special points) + \(samples) samples and golden section per piece" + zoneText,
                      locator: locatorText, locatorPoints: count * (samples + 60), mpfrPoints: 128 + top.count * 64 + zones.count * (options.zoneSamples + 24),
                      spacing: finest / Double(samples - 1) * pow(0.618, 40))
    }

    /// Whether float64 can rank the pieces: on 64 seeded random points of random pieces, |f − ℓ|
    /// with the target and the line in float64 is within 1/1000 of the error scale of the MPFR
    /// values (the line is exact in either; only the target's float64 evaluation is checked).
    static func pieceLocator(_ lower: [Double], _ upper: [Double], _ lines: [(BigFloat, BigFloat)], _ doubleLines: [(Double, Double)],
                             _ target: Target, _ mpfr: MPFREvaluator) -> (Bool, String) {
        guard !lines.isEmpty else { return (false, "MPFR (no pieces)") }
        var rng = SplitMix64(seed: DefaultSeed.measurement)
        let probe = ErrorProbe(network: mpfr, target: target)
        let f = target.makeEvaluator(precision: .double)
        var scale = 0.0, deviation = 0.0
        for _ in 0..<64 {
            let k = Int.random(in: 0..<lines.count, using: &rng)
            let x = lower[k] + (upper[k] - lower[k]) * Double.random(in: 0...1, using: &rng)
            lines[k].0.copy(into: probe.line[0]); lines[k].1.copy(into: probe.line[1])
            let exact = probe.lineError(at: x)
            var t = x
            let approximate = Swift.abs(f.evaluateDouble(&t) - (doubleLines[k].0 * x + doubleLines[k].1))
            scale = Swift.max(scale, exact); deviation = Swift.max(deviation, Swift.abs(exact - approximate))
        }
        return locatorVerdict(deviation: deviation, scale: scale, what: "float64 target deviation", on: "on 64 points of the pieces")
    }

    /// Maximises g on [a, b]: `samples` equally spaced samples (ends included), then golden-section
    /// search on the bracket around the best sample. Returns (max, argmax).
    static func maximise(_ a: Double, _ b: Double, _ samples: Int, iterations: Int = 60, _ g: (Double) -> Double) -> (Double, Double) {
        guard b > a else { return (g(a), a) }
        var bestValue = -Double.infinity, bestIndex = 0
        let h = (b - a) / Double(samples - 1)
        for i in 0..<samples {
            let x = i == samples - 1 ? b : a + Double(i) * h
            let v = g(x)
            if v > bestValue { bestValue = v; bestIndex = i }
        }
        var lo = Swift.max(a, a + Double(bestIndex - 1) * h), hi = Swift.min(b, a + Double(bestIndex + 1) * h)
        var bestX = bestIndex == samples - 1 ? b : a + Double(bestIndex) * h
        let ratio = (5.0.squareRoot() - 1) / 2
        var x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo)
        var g1 = g(x1), g2 = g(x2)
        for _ in 0..<iterations where hi - lo > 1e-12 * Swift.max(1e-300, b - a) {
            if g1 >= g2 { hi = x2; x2 = x1; g2 = g1; x1 = hi - ratio * (hi - lo); g1 = g(x1) }
            else { lo = x1; x1 = x2; g1 = g2; x2 = lo + ratio * (hi - lo); g2 = g(x2) }
        }
        if g1 > bestValue { bestValue = g1; bestX = x1 }
        if g2 > bestValue { bestValue = g2; bestX = x2 }
        return (bestValue, bestX)
    }

    // MARK: adaptive sampling

    static func sampling(_ network: Network, _ target: Target, _ mpfr: MPFREvaluator, _ options: Options) throws -> Search {
        let d = target.dimension
        let (locator, locatorText, scale) = try float64Locator(network, target, mpfr, threads: options.threads)
        let nnz = Swift.max(1, network.counts.weightsNonzero)
        let budget = locator != nil ? options.operationBudget : options.operationBudget / 400
        let points = Swift.max(1024.0, Swift.min(Double(options.maximumGridPoints), budget / Double(nnz)))
        let perAxis = options.samplingSpacing.map { Int((1 / $0).rounded(.up)) + 1 } ?? Swift.max(8, Int(pow(points, 1 / Double(d)).rounded(.down)))
        let spacing = 1 / Double(perAxis - 1)
        var grid: [Double] = []
        grid.reserveCapacity(Int(pow(Double(perAxis), Double(d))) * d + target.specialPoints.count * d)
        var index = Array(repeating: 0, count: d)
        repeat {
            for k in 0..<d { grid.append(Double(index[k]) * spacing) }
            var k = 0
            while k < d { index[k] += 1; if index[k] < perAxis { break }; index[k] = 0; k += 1 }
            if k == d { break }
        } while true
        for s in target.specialPoints where s.count == d { grid += s }
        // Where float64 cannot rank, fixed point can when the network's units allow it: each
        // point's certificate must be within `fixedTolerance` of the exact value, else that point
        // is ranked in MPFR (docs/sup-norm.md, "Ranking").
        let fixed = locator == nil && options.fixedPointRanking ? try? FixedPointEvaluator(network: network) : nil
        let counts = FixedPointCounts()
        // Ranked in fixed point or in MPFR, the target needs only the ranking's precision (the
        // candidates are measured again at full precision).
        let (targetPrecision, targetText) = locator != nil ? (mpfr.precision, "")
            : rankingTarget(target, precision: mpfr.precision, errorScale: fixed == nil ? scale : nil)
        let makeProbe: () -> LocatorProbe = {
            if let locator { return LocatorProbe(double: locator, target: target) }
            if let fixed { return LocatorProbe(fixed: fixed, mpfr: mpfr, target: target, targetPrecision: targetPrecision, tolerance: fixedTolerance, counts: counts) }
            return LocatorProbe(mpfr: mpfr, target: target, targetPrecision: targetPrecision)
        }
        let errors = errors(grid, dimension: d, threads: options.threads, probe: makeProbe)
        let order = errors.indices.sorted { errors[$0] > errors[$1] }
        let top = Array(order.prefix(locator != nil ? options.candidates : Swift.max(4, options.candidates / 4)))
        // Pattern search around each candidate: all 3^d − 1 neighbours at the current step; move
        // to the best if it improves, else halve the step, down to spacing / 2^12.
        var offsets: [[Double]] = [[]]
        for _ in 0..<d { offsets = offsets.flatMap { o in [-1.0, 0, 1].map { o + [$0] } } }
        offsets.removeAll { $0.allSatisfy { $0 == 0 } }
        var refined = Array(repeating: [Double](), count: top.count)
        var steps = Array(repeating: 0, count: top.count)
        refined.withUnsafeMutableBufferPointer { out in
            steps.withUnsafeMutableBufferPointer { counted in
                let sink = UncheckedSendable(value: (out, counted))
                BatchParallelism.forEachChunk(count: top.count, threads: BatchParallelism.threadCount(for: top.count, requested: options.threads)) { _, range in
                    let probe = makeProbe()
                    var batch = [Double](repeating: 0, count: offsets.count * d)
                    var e = [Double](repeating: 0, count: offsets.count)
                    for t in range {
                        let c = top[t]
                        var x = Array(grid[(c * d)..<(c * d + d)])
                        var value = errors[c]
                        var step = spacing / 2
                        var evaluated = 0
                        while step >= spacing / 4096 {
                            for (o, offset) in offsets.enumerated() {
                                for k in 0..<d { batch[o * d + k] = Swift.min(1, Swift.max(0, x[k] + offset[k] * step)) }
                            }
                            var start = 0
                            while start < offsets.count {
                                let block = Swift.min(DoubleEvaluator.blockSize, offsets.count - start)
                                batch.withUnsafeBufferPointer { b in e.withUnsafeMutableBufferPointer { v in
                                    probe.errors(b.baseAddress! + start * d, count: block, into: v.baseAddress! + start)
                                } }
                                start += block
                            }
                            evaluated += offsets.count
                            if let j = e.indices.max(by: { e[$0] < e[$1] }), e[j] > value {
                                value = e[j]; x = Array(batch[(j * d)..<(j * d + d)])
                            } else { step /= 2 }
                        }
                        sink.value.0[t] = x
                        sink.value.1[t] = evaluated
                    }
                }
            }
        }
        let evaluated = errors.count + steps.reduce(0, +)
        let candidates = refined
        let grid_ = "\(Array(repeating: String(perAxis), count: d).joined(separator: "x")) grid"
        var text = locatorText, ranked = locator != nil ? evaluated : 0, inMPFR = locator != nil ? 0 : evaluated
        if let fixed {
            text = fixedLocatorText(fixed, counts, target: targetText, after: locatorText)
            ranked = counts.certified; inMPFR = counts.fallback
        } else if locator == nil {
            text += "; ranked in MPFR, " + targetText
        }
        return Search(candidates: candidates, kind: .adaptiveSampling, rankedInFloat64: locator != nil,
                      method: "adaptive sampling: \(grid_) (spacing \(String(format: "%.3g", spacing))) + special points, pattern search around the best \(top.count) down to spacing/4096",
                      locator: text, locatorPoints: ranked,
                      mpfrPoints: 64 + inMPFR, spacing: spacing / 4096)
    }
}

/// The targets already found finite on the check grid in this process (a rate experiment measures
/// one target many times; the check costs about 1,000 MPFR evaluations). Keyed by name, summary
/// (which holds a formula's text and a random target's seed) and dimension.
final class FiniteTargets: @unchecked Sendable {
    // Sendable: every access holds the lock.
    static let shared = FiniteTargets()
    private let lock = NSLock()
    private var keys = Set<String>()
    private func key(_ t: Target) -> String { "\(t.name)|\(t.summary)|\(t.dimension)" }
    func contains(_ t: Target) -> Bool { lock.lock(); defer { lock.unlock() }; return keys.contains(key(t)) }
    func insert(_ t: Target) { lock.lock(); keys.insert(key(t)); lock.unlock() }
}
