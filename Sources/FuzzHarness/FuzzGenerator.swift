import Foundation
import PrecisionModule

/// The harness's seeded generator (the library's SplitMix64): a case is a function of the run's
/// seed and its index.
public struct FuzzRandom {
    var generator: SplitMix64
    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    public mutating func next() -> UInt64 { generator.next() }
    /// Uniform in 0..<n.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    public mutating func chance(_ p: Double) -> Bool { unit() < p }
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Makes case `index` of a run from the run's seed: formulas, network files, plans and option
/// values in fixed proportions (30 %, 30 %, 10 %, 30 %).
public struct FuzzGenerator: Sendable {
    public let seed: UInt64
    /// Only these kinds (all by default).
    public var kinds: [FuzzKind] = FuzzKind.allCases

    public init(seed: UInt64) { self.seed = seed }

    public func make(index: Int) -> FuzzCase {
        var rng = FuzzRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        _ = rng.next()
        let weights: [(FuzzKind, Int)] = [(.formula, 3), (.network, 3), (.plan, 1), (.option, 3)].filter { kinds.contains($0.0) }
        var r = rng.below(weights.map(\.1).reduce(0, +))
        var kind = weights[0].0
        for (k, w) in weights { if r < w { kind = k; break }; r -= w }
        switch kind {
        case .formula: return formulaCase(&rng)
        case .network: return networkCase(&rng)
        case .plan: return planCase(&rng)
        case .option: return optionCase(&rng)
        }
    }
}

/// Hostile text values shared by the generators.
let hostileValues = ["", " ", "-1", "0", "nan", "NaN", "inf", "-inf", "1e309", "-1e309", "1e-400", "99999999999999999999",
                     "4611686018427387904", "9223372036854775807", "-9223372036854775808", "1099511627776", "1e30", "0x10",
                     "abc", "1,5", "1.5", "１２", "1e2...1e12", "0:1:10000000", "1/0", String(repeating: "9", count: 400),
                     String(repeating: "(", count: 3000), "${HOME}", "'; rm -rf /", "-", "--", "1e", ".", "+1", "2147483648"]

/// True when `text` is a finite number (as Swift's Double parser reads it).
func finiteNumber(_ text: String) -> Double? {
    guard let v = Double(text), v.isFinite else { return nil }
    return v
}

/// Words "nan" or "inf" in an output: a number that is not one.
func nonFiniteWord(_ text: String) -> String? {
    let lowered = text.lowercased()
    for word in lowered.split(whereSeparator: { !$0.isLetter }) where word == "nan" || word == "inf" || word == "infinity" {
        return String(word)
    }
    return nil
}
