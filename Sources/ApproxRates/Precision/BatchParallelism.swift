import Foundation

/// Splits a batch of independent points over the machine's cores.
package enum BatchParallelism {
    /// Number of worker threads to use for `count` points: at most the active cores, at most
    /// `requested` when given, and at least `minimumPerThread` points per thread.
    package static func threadCount(for count: Int, requested: Int?, minimumPerThread: Int = 1) -> Int {
        let cores = requested ?? ProcessInfo.processInfo.activeProcessorCount
        return Swift.max(1, Swift.min(cores, count / Swift.max(1, minimumPerThread)))
    }

    /// Calls `body(thread, range)` for contiguous chunks covering 0..<count, concurrently.
    package static func forEachChunk(count: Int, threads: Int, _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        if threads <= 1 { body(0, 0..<count); return }
        withoutActuallyEscaping(body) { escaping in
            // Each chunk touches only its own rows of the caller's buffers.
            let work = UncheckedSendable(value: escaping)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let lower = count * t / threads, upper = count * (t + 1) / threads
                if lower < upper { work.value(t, lower..<upper) }
            }
        }
    }
}

/// A value handed across threads whose safety the caller has checked.
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(value: T) { self.value = value }
}
