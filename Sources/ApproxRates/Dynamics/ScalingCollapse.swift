import Foundation
import PrecisionModule

/// Whether a critical learning rate collapses onto one variable of the network (Kalra &
/// Barkeshli's claim: c_loss is a function of d/w).
///
/// Two measures for each candidate variable v (d/w, (d − 1)/w, √d/w, 1/w, d):
///
/// - groups: the networks with equal v; within each group of two or more, the spread is the
///   largest median c over the smallest (1 for a perfect collapse);
/// - the curve: the least-squares quadratic of log c in log v over all networks, and the RMS of
///   the residuals, reported as a factor e^RMS (1 for a perfect collapse onto a smooth curve).
///   It needs no equal values, so it also scores variables the design does not group.
///
/// Within a group the medians come from a few seeds each, so each pair of networks also gets a
/// 95 % percentile-bootstrap interval for the ratio of its medians (the seeds of each network
/// drawn with replacement, 2,000 times, from a fixed generator: the same data give the same
/// interval). A group *agrees* within the band (1.25× by default) when every pair's interval lies
/// inside it, *differs* when some pair's interval lies wholly outside it, and is *unresolved*
/// otherwise: the seeds cannot tell.
///
/// The report names the variable with the smallest curve factor.
public struct ScalingCollapse: Sendable, Codable {
    /// A variable of (d, w).
    public enum Variable: String, Sendable, Codable, CaseIterable {
        /// d/w.
        case depthOverWidth = "d/w"
        /// (d − 1)/w: hidden layers over width.
        case hiddenLayersOverWidth = "(d−1)/w"
        /// √d/w.
        case rootDepthOverWidth = "√d/w"
        /// 1/w.
        case inverseWidth = "1/w"
        /// d.
        case depth = "d"

        /// Its value at (d, w), exactly where it is a ratio of integers (so equal ratios group);
        /// √d/w groups by (d, w²).
        func key(depth d: Int, width w: Int) -> [Int] {
            switch self {
            case .depthOverWidth: let g = gcd(d, w); return [d / g, w / g]
            case .hiddenLayersOverWidth: let g = gcd(d - 1, w); return g == 0 ? [0, 1] : [(d - 1) / g, w / g]
            case .rootDepthOverWidth: let g = gcd(d, w * w); return [d / g, w * w / g]
            case .inverseWidth: return [1, w]
            case .depth: return [d, 1]
            }
        }

        /// Its value at (d, w).
        public func value(depth d: Int, width w: Int) -> Double {
            switch self {
            case .depthOverWidth: return Double(d) / Double(w)
            case .hiddenLayersOverWidth: return Double(d - 1) / Double(w)
            case .rootDepthOverWidth: return Double(d).squareRoot() / Double(w)
            case .inverseWidth: return 1 / Double(w)
            case .depth: return Double(d)
            }
        }
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    }

    /// The ratio of two networks' medians with its bootstrap interval.
    public struct PairRatio: Sendable, Codable {
        /// The two networks, "dxw", the one with the larger median first.
        public let networks: [String]
        /// Larger median over smaller (≥ 1).
        public let ratio: Double
        /// The 2.5 % and 97.5 % points of the resampled ratio, in the same orientation (the lower
        /// end can be below 1). nil when either network has a single seed.
        public let low: Double?
        /// See `low`.
        public let high: Double?
    }

    /// What the seeds say about a group's agreement within the band.
    public enum Verdict: String, Sendable, Codable {
        /// Every pair's interval lies inside [1/band, band].
        case agree
        /// Some pair's interval lies wholly outside [1/band, band].
        case differ
        /// Neither: the intervals straddle the band's edge.
        case unresolved
        /// Some network has one seed: no interval.
        case noInterval = "no interval"
    }

    /// One group of networks with equal value of the variable.
    public struct Group: Sendable, Codable {
        /// The value, as text ("1/32").
        public let value: String
        /// The networks, "dxw".
        public let networks: [String]
        /// Their median c.
        public let medians: [Double]
        /// Largest over smallest median.
        public let spread: Double
        /// Every pair of the group, with its bootstrap interval.
        public let pairs: [PairRatio]
        /// The group's verdict against `band`.
        public let verdict: Verdict
    }

    /// The grouping by one variable.
    public struct Grouping: Sendable, Codable {
        /// The variable.
        public let variable: Variable
        /// Groups with at least two networks.
        public let groups: [Group]
        /// The largest spread of a group (nil: no group of two).
        public let worstSpread: Double?
        /// exp of the mean log spread.
        public let meanSpread: Double?
        /// e^RMS of the residuals of log c about its least-squares quadratic in log v (nil with
        /// fewer than four networks, fewer than three distinct values, or a zero value).
        public let curveFactor: Double?
    }

    /// What is compared ("c_loss").
    public let quantity: String
    /// One grouping per variable.
    public let groupings: [Grouping]
    /// The variable with the smallest curve factor.
    public let best: Variable?
    /// The agreement band of the verdicts (a factor > 1).
    public let band: Double

    /// The collapse of the per-seed values of each network (depth, width, the c of each seed where
    /// it was found; networks without a value are left out). `band` is the factor within which a
    /// group counts as agreeing; `resamples` and `seed` fix the bootstrap.
    public init(quantity: String, samples: [(depth: Int, width: Int, values: [Double])], band: Double = 1.25,
                resamples: Int = 2000, seed: UInt64 = 20230601) {
        self.quantity = quantity
        self.band = band
        let networks = samples.filter { !$0.values.isEmpty }.map { (depth: $0.depth, width: $0.width, values: $0.values, median: $0.values.sorted().medianOfSorted) }
        var generator = SplitMix64(seed: seed)
        groupings = Variable.allCases.map { variable in
            var byKey: [[Int]: [(depth: Int, width: Int, values: [Double], median: Double)]] = [:]
            for m in networks { byKey[variable.key(depth: m.depth, width: m.width), default: []].append(m) }
            let groups = byKey.filter { $0.value.count >= 2 }.sorted { Double($0.key[0]) / Double($0.key[1]) < Double($1.key[0]) / Double($1.key[1]) }
                .map { key, members in
                    let values = members.map(\.median)
                    var pairs: [PairRatio] = []
                    for i in members.indices { for j in members.indices where j > i {
                        let (a, b) = members[i].median >= members[j].median ? (members[i], members[j]) : (members[j], members[i])
                        let interval = ScalingCollapse.ratioInterval(a.values, b.values, resamples: resamples, using: &generator)
                        pairs.append(PairRatio(networks: ["\(a.depth)x\(a.width)", "\(b.depth)x\(b.width)"], ratio: a.median / b.median,
                                               low: interval?.low, high: interval?.high))
                    } }
                    return Group(value: key[1] == 1 ? "\(key[0])" : "\(key[0])/\(key[1])", networks: members.map { "\($0.depth)x\($0.width)" },
                                 medians: values, spread: values.max()! / values.min()!, pairs: pairs,
                                 verdict: ScalingCollapse.verdict(pairs, band: band))
                }
            let spreads = groups.map(\.spread)
            let points = networks.map { (variable.value(depth: $0.depth, width: $0.width), $0.median) }
            return Grouping(variable: variable, groups: groups, worstSpread: spreads.max(),
                            meanSpread: spreads.isEmpty ? nil : Foundation.exp(spreads.map(Foundation.log).reduce(0, +) / Double(spreads.count)),
                            curveFactor: ScalingCollapse.curveFactor(points))
        }
        best = groupings.filter { $0.curveFactor != nil }.min { $0.curveFactor! < $1.curveFactor! }?.variable
    }

    /// The collapse of one median per network (no seeds to resample: every group's verdict is
    /// "no interval").
    public init(quantity: String, medians: [(depth: Int, width: Int, median: Double)], band: Double = 1.25) {
        self.init(quantity: quantity, samples: medians.map { ($0.depth, $0.width, [$0.median]) }, band: band)
    }

    /// The 95 % percentile-bootstrap interval of median(a)/median(b): each list drawn with
    /// replacement at its own size; nil when either has fewer than two values.
    static func ratioInterval(_ a: [Double], _ b: [Double], resamples: Int, using generator: inout SplitMix64) -> (low: Double, high: Double)? {
        guard a.count >= 2, b.count >= 2, resamples >= 40 else { return nil }
        var drawA = [Double](repeating: 0, count: a.count), drawB = [Double](repeating: 0, count: b.count)
        var ratios = [Double](repeating: 0, count: resamples)
        func resampledMedian(_ source: [Double], into draw: inout [Double]) -> Double {
            for i in draw.indices { draw[i] = source[Int(generator.next() % UInt64(source.count))] }
            draw.sort()
            return draw.medianOfSorted
        }
        for r in 0..<resamples { ratios[r] = resampledMedian(a, into: &drawA) / resampledMedian(b, into: &drawB) }
        ratios.sort()
        let lowIndex = Int((0.025 * Double(resamples - 1)).rounded()), highIndex = Int((0.975 * Double(resamples - 1)).rounded())
        return (ratios[lowIndex], ratios[highIndex])
    }

    /// agree / differ / unresolved / no interval, from the pairs' intervals against `band`.
    static func verdict(_ pairs: [PairRatio], band: Double) -> Verdict {
        var inside = true
        for p in pairs {
            guard let low = p.low, let high = p.high else { return .noInterval }
            if low > band || high < 1 / band { return .differ }
            if low < 1 / band || high > band { inside = false }
        }
        return inside ? .agree : .unresolved
    }

    /// e^RMS of the residuals of log y about the least-squares quadratic in log x.
    static func curveFactor(_ points: [(Double, Double)]) -> Double? {
        guard points.count >= 4, points.allSatisfy({ $0.0 > 0 && $0.1 > 0 }) else { return nil }
        let x = points.map { Foundation.log($0.0) }, y = points.map { Foundation.log($0.1) }
        guard Set(x.map { ($0 * 1e9).rounded() }).count >= 3 else { return nil }
        // Normal equations of y ≈ a + b x + c x², x centred for conditioning.
        let mean = x.reduce(0, +) / Double(x.count)
        let u = x.map { $0 - mean }
        var m = [[Double]](repeating: [0, 0, 0], count: 3), r = [0.0, 0, 0]
        for (ui, yi) in zip(u, y) {
            let basis = [1, ui, ui * ui]
            for i in 0..<3 { r[i] += basis[i] * yi; for j in 0..<3 { m[i][j] += basis[i] * basis[j] } }
        }
        // Gaussian elimination with partial pivoting on the 3 × 3 system.
        for col in 0..<3 {
            let pivot = (col..<3).max { Swift.abs(m[$0][col]) < Swift.abs(m[$1][col]) }!
            m.swapAt(col, pivot); r.swapAt(col, pivot)
            guard Swift.abs(m[col][col]) > 1e-300 else { return nil }
            for row in (col + 1)..<3 {
                let f = m[row][col] / m[col][col]
                for k in col..<3 { m[row][k] -= f * m[col][k] }
                r[row] -= f * r[col]
            }
        }
        var coefficients = [0.0, 0, 0]
        for row in stride(from: 2, through: 0, by: -1) {
            var v = r[row]
            for k in (row + 1)..<3 { v -= m[row][k] * coefficients[k] }
            coefficients[row] = v / m[row][row]
        }
        let residuals = zip(u, y).map { ui, yi in yi - (coefficients[0] + coefficients[1] * ui + coefficients[2] * ui * ui) }
        return Foundation.exp((residuals.map { $0 * $0 }.reduce(0, +) / Double(residuals.count)).squareRoot())
    }
}
