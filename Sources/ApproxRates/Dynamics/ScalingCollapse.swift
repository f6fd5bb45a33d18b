import Foundation

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

    /// The collapse of `medians` (one per network: depth, width, median c; networks without a
    /// value are left out).
    public init(quantity: String, medians: [(depth: Int, width: Int, median: Double)]) {
        self.quantity = quantity
        groupings = Variable.allCases.map { variable in
            var byKey: [[Int]: [(Int, Int, Double)]] = [:]
            for m in medians { byKey[variable.key(depth: m.depth, width: m.width), default: []].append((m.depth, m.width, m.median)) }
            let groups = byKey.filter { $0.value.count >= 2 }.sorted { Double($0.key[0]) / Double($0.key[1]) < Double($1.key[0]) / Double($1.key[1]) }
                .map { key, members in
                    let values = members.map(\.2)
                    return Group(value: key[1] == 1 ? "\(key[0])" : "\(key[0])/\(key[1])", networks: members.map { "\($0.0)x\($0.1)" },
                                 medians: values, spread: values.max()! / values.min()!)
                }
            let spreads = groups.map(\.spread)
            let points = medians.map { (variable.value(depth: $0.depth, width: $0.width), $0.median) }
            return Grouping(variable: variable, groups: groups, worstSpread: spreads.max(),
                            meanSpread: spreads.isEmpty ? nil : Foundation.exp(spreads.map(Foundation.log).reduce(0, +) / Double(spreads.count)),
                            curveFactor: ScalingCollapse.curveFactor(points))
        }
        best = groupings.filter { $0.curveFactor != nil }.min { $0.curveFactor! < $1.curveFactor! }?.variable
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
