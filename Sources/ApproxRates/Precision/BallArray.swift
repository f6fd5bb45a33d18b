
import CMPFR

/// A fixed number of Arb balls [m ± r], allocated once, at addresses that never move: the
/// workspace of the certified enclosures (``ExpressionEnclosure``, ``NetworkEnclosure``).
///
/// A ball is a set: every operation returns a ball that contains the exact result for every
/// point of its inputs (Arb's contract), whatever the working precision; the precision only
/// sets how wide the result is. Elements start as exact 0 and are updated in place with `arb_*`
/// calls; nothing allocates per operation once the limbs have grown.
public final class BallArray: @unchecked Sendable {
    /// Number of balls.
    public let count: Int
    /// Element `i` is `base + i`.
    public let base: UnsafeMutablePointer<arb_struct>

    /// `count` balls, all exactly 0.
    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        base = .allocate(capacity: Swift.max(count, 1))
        for i in 0..<count { carb_init(base + i) }
    }

    deinit {
        for i in 0..<count { carb_clear(base + i) }
        base.deallocate()
    }

    /// Pointer to ball `i`.
    @inlinable
    public subscript(_ i: Int) -> UnsafeMutablePointer<arb_struct> {
        assert(i >= 0 && i < count)
        return base + i
    }
}

/// Bounds of a ball as MPFR values (directed rounding: the lower bound rounded down, the upper
/// rounded up, each at the precision of the value it is written into).
public enum BallBounds {
    /// An upper bound of ball `x`, rounded up to `precision` (+∞ for an unbounded ball).
    public static func upper(_ x: UnsafePointer<arb_struct>, precision: Precision) -> BigFloat {
        let out = MPFRArray(count: 1, precision: precision)
        carb_upper_mpfr(out[0], x)
        return out.value(at: 0)
    }

    /// A lower bound of ball `x`, rounded down to `precision` (−∞ for an unbounded ball).
    public static func lower(_ x: UnsafePointer<arb_struct>, precision: Precision) -> BigFloat {
        let out = MPFRArray(count: 1, precision: precision)
        carb_lower_mpfr(out[0], x)
        return out.value(at: 0)
    }
}
