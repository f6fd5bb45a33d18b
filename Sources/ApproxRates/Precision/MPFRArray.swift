import CMPFR

/// A fixed number of MPFR numbers of one precision, allocated once, at addresses that never
/// move: the workspace of every hot loop.
///
/// All headers sit in one buffer and all significands in another (MPFR's custom interface), so
/// creating an array costs two allocations whatever its size, and no arithmetic on its elements
/// allocates. Elements are reached by pointer (``subscript(_:)``) and updated in place with
/// `mpfr_*` calls. New elements are +0.
public final class MPFRArray: @unchecked Sendable {
    // Sendable only in the sense that it may be handed to another thread; concurrent writes to
    // one element are the caller's to avoid (evaluators give each thread its own array).

    /// Number of elements.
    public let count: Int
    /// Precision of every element.
    public let precision: Precision
    /// The headers; element `i` is `base + i`.
    public let base: UnsafeMutablePointer<__mpfr_struct>
    private let limbs: UnsafeMutableRawPointer

    /// `count` numbers of `precision` bits, all +0.
    public init(count: Int, precision: Precision) {
        precondition(count >= 0)
        self.count = count
        self.precision = precision
        let raw = Int(cmpfr_custom_size(precision.mpfr))
        let stride = (raw + 15) & ~15
        base = .allocate(capacity: Swift.max(count, 1))
        limbs = .allocate(byteCount: Swift.max(count * stride, 16), alignment: 16)
        for i in 0..<count {
            cmpfr_custom_init_zero(base + i, precision.mpfr, limbs + i * stride)
        }
    }

    /// The numbers `values`, each rounded to `precision` (round-to-nearest).
    public convenience init(_ values: [BigFloat], precision: Precision) {
        self.init(count: values.count, precision: precision)
        for (i, v) in values.enumerated() { v.copy(into: base + i) }
    }

    deinit {
        // Custom-interface numbers are never mpfr_clear'ed: their limbs belong to `limbs`.
        base.deallocate()
        limbs.deallocate()
    }

    /// Pointer to element `i` (no bounds check in release builds).
    @inlinable
    public subscript(_ i: Int) -> UnsafeMutablePointer<__mpfr_struct> {
        assert(i >= 0 && i < count)
        return base + i
    }

    /// Element `i` as a value (a copy).
    public func value(at i: Int) -> BigFloat { BigFloat(copying: base + i) }

    /// All elements as values (copies).
    public var values: [BigFloat] { (0..<count).map(value(at:)) }
}
