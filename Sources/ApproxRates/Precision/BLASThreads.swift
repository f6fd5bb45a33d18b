import CBLAS
import Foundation

/// The number of threads OpenBLAS uses inside one product. OpenBLAS keeps a single count for the
/// whole process (0.3.21, Debian's, has no per-thread setting), so this is the one place that
/// sets it. Every caller that runs BLAS takes the count it wants as an explicit parameter
/// (``DoubleEvaluator``'s `blasThreads`, the early-phase runner's) and passes it here before its
/// products; the count is changed only when it differs.
public enum BLASThreads {
    private static let lock = NSLock()
    // Guarded by `lock`.
    nonisolated(unsafe) private static var current: Int32 = -1

    /// Makes OpenBLAS use `n` threads (at least 1) for the products that follow.
    public static func use(_ n: Int) {
        let wanted = Int32(Swift.max(1, Swift.min(n, Int(Int32.max))))
        lock.lock(); defer { lock.unlock() }
        if wanted != current { openblas_set_num_threads(wanted); current = wanted }
    }
}
