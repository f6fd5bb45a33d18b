/// A small seeded random generator (SplitMix64, Steele, Lea & Flood 2014): the same seed gives the
/// same sequence on every machine, so samples, benchmarks and test networks are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state.
    public var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension BigFloat {
    /// A random number ±0.b1b2…bP × 2^exponent (so of magnitude below 2^exponent) whose
    /// significand bits are all drawn from `generator`: a test and benchmark input that
    /// exercises every bit of `precision`. Exact (no rounding).
    public static func random<G: RandomNumberGenerator>(precision: Precision, exponent: Int, using generator: inout G) -> BigFloat {
        var text = (generator.next() & 1 == 0 ? "" : "-") + "0x0."
        for _ in 0..<((precision.bits + 3) / 4) { text += String(generator.next() % 16, radix: 16) }
        return try! BigFloat(parsing: text + "p\(exponent)", precision: precision, rounding: .towardZero)
    }
}
