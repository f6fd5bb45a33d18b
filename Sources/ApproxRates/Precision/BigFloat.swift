import CMPFR

/// An arbitrary-precision binary floating-point number backed by MPFR, with value semantics.
///
/// Every `BigFloat` has its own ``precision`` (significand bits), fixed when the value is
/// created; an operation rounds its exact mathematical result once, to the precision and in the
/// direction it is given (round-to-nearest by default). Like a ball in Arb says how wide it is,
/// a `BigFloat` says whether it is exact: ``isExact`` is true when the value equals the exact
/// result of the operations that produced it from exact inputs (every MPFR ternary value was 0).
///
/// This type is for construction code, tests and the API's edges: each operation allocates its
/// result. Hot loops (network evaluation, sup-norm search) work in place on an ``MPFRArray``.
public struct BigFloat: @unchecked Sendable {
    // Sendable: the storage is never mutated once shared (copy on write), and MPFR reads of a
    // number are thread-safe.

    /// Owns one initialised `__mpfr_struct` at a stable address, cleared on deinit. The number
    /// is only ever passed to MPFR by pointer, never copied as a struct (that would alias limbs).
    @usableFromInline
    final class Storage {
        @usableFromInline let pointer: UnsafeMutablePointer<__mpfr_struct>

        @usableFromInline
        init(precision: Precision) {
            pointer = .allocate(capacity: 1)
            mpfr_init2(pointer, precision.mpfr)
        }

        deinit {
            mpfr_clear(pointer)
            pointer.deallocate()
        }
    }

    @usableFromInline var storage: Storage

    /// True when this value is exactly the mathematical result of the computation that produced
    /// it: every input was exact and no operation rounded. Conversions from decimal text that
    /// is not a dyadic rational, and most transcendental results, are inexact.
    public internal(set) var isExact: Bool

    /// A new number of the given precision, set by `body` (which returns MPFR's ternary value).
    @usableFromInline
    init(precision: Precision, exactInputs: Bool = true, _ body: (UnsafeMutablePointer<__mpfr_struct>) -> Int32) {
        storage = Storage(precision: precision)
        let ternary = body(storage.pointer)
        isExact = exactInputs && ternary == 0
    }

    /// The significand size of this value.
    public var precision: Precision { Precision(uncheckedBits: Int(storage.pointer.pointee._mpfr_prec)) }

    /// Calls `body` with a read-only pointer to the MPFR number; the pointer is valid only there.
    public func withMPFR<R>(_ body: (UnsafePointer<__mpfr_struct>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(UnsafePointer(storage.pointer)) }
    }

    /// Copies this value into an initialised MPFR number `destination`, rounding to the
    /// destination's precision. Returns MPFR's ternary value (0 when the copy is exact).
    @discardableResult
    public func copy(into destination: UnsafeMutablePointer<__mpfr_struct>, rounding: Rounding = .nearest) -> Int32 {
        withMPFR { cmpfr_set(destination, $0, rounding.mpfr) }
    }

    /// Reads an initialised MPFR number into a new value of the same precision (exact).
    public init(copying source: UnsafePointer<__mpfr_struct>) {
        self.init(precision: Precision(uncheckedBits: Int(source.pointee._mpfr_prec))) { cmpfr_set($0, source, MPFR_RNDN) }
    }

    /// The same number, marked exact: the stored value taken as the exact input of what follows.
    public var asStoredValue: BigFloat {
        var copy = self
        copy.isExact = true
        return copy
    }

    // MARK: Classification

    /// Whether the value is NaN.
    public var isNaN: Bool { withMPFR { cmpfr_nan_p($0) != 0 } }
    /// Whether the value is plus or minus infinity.
    public var isInfinite: Bool { withMPFR { cmpfr_inf_p($0) != 0 } }
    /// Whether the value is neither NaN nor infinite.
    public var isFinite: Bool { withMPFR { cmpfr_number_p($0) != 0 } }
    /// Whether the value is +0 or -0.
    public var isZero: Bool { withMPFR { cmpfr_zero_p($0) != 0 } }
    /// -1, 0 or +1 (0 for zeros and NaN).
    public var signum: Int { withMPFR { cmpfr_nan_p($0) != 0 ? 0 : Int(cmpfr_sgn($0)) } }

    /// Bit-for-bit identity: same precision, same sign, same exponent, same significand
    /// (two NaNs of one precision are identical; +0 and -0 are not).
    public func isIdentical(to other: BigFloat) -> Bool {
        guard precision == other.precision else { return false }
        return withMPFR { a in
            other.withMPFR { b in
                if cmpfr_nan_p(a) != 0 || cmpfr_nan_p(b) != 0 { return cmpfr_nan_p(a) != 0 && cmpfr_nan_p(b) != 0 }
                return cmpfr_signbit(a) == cmpfr_signbit(b) && mpfr_equal_p(a, b) != 0
            }
        }
    }
}

extension BigFloat: Equatable, Comparable {
    /// Numeric equality (precision is ignored; NaN is unequal to everything; +0 == -0).
    public static func == (a: BigFloat, b: BigFloat) -> Bool {
        a.withMPFR { x in b.withMPFR { y in mpfr_equal_p(x, y) != 0 } }
    }

    /// Numeric order (false whenever a NaN is involved).
    public static func < (a: BigFloat, b: BigFloat) -> Bool {
        a.withMPFR { x in b.withMPFR { y in mpfr_less_p(x, y) != 0 } }
    }
}
