import ApproxRates

/// The commands' checks of sizes against ``ResourceLimits``: each names the flag as typed.

/// Checks `--threads` (or `flag`) against the threads cap; nil (all cores) passes.
func checkThreads(_ threads: Int?, _ flag: String = "--threads") throws {
    if let t = threads { try ResourceLimits.check(t, flag, against: ResourceLimits.threads) }
}

/// A precision the user asked for: at least `minimum` bits and at most the precision cap.
func checkedPrecision(_ bits: Int, _ flag: String = "--precision", minimum: Int = Precision.minimumBits) throws -> Precision {
    try ResourceLimits.check(bits, flag, against: ResourceLimits.precision, minimum: minimum)
    return try Precision(bits: bits)
}

/// Checks `--search-points` (at least 64, at most the cap) and the memory of its float64 grid:
/// per point, its d coordinates, its error and its rank (8 bytes each); with `bits` (a precision
/// the user chose), also one MPFR number per point at that precision and one at twice it (the
/// guard): `sup-norm --precision 9000000` with 4,096 points aborted allocating 4.6 GB.
func checkSearchPoints(_ points: Int, dimension: Int, bits: Int? = nil) throws {
    try ResourceLimits.check(points, "--search-points", against: ResourceLimits.searchPoints, minimum: 64)
    // The dimension itself is checked with the target (1 to 9); bounded here so that a huge
    // --dim reports its own error, not this one.
    let d = Double(min(max(dimension, 1), 9))
    // In floating point: the precision is checked against its own range by the caller, and an
    // unchecked one (Int.min, Int.max) must not overflow here (fuzz seed 20261203, case 10694:
    // `rate --precision=-9223372036854775808` trapped on 2 * bits).
    let numbers = bits.map { b in Double(max(b, 0)) / 8 * 3 + 96 } ?? 0
    try ResourceLimits.checkMemory(Double(points) * (8 * d + 16 + numbers), for: "--search-points \(ResourceLimits.grouped(points))" + (bits.map { " at \($0) bits" } ?? ""))
}

/// Checks `--digits` against the digits cap.
func checkDigits(_ digits: Int?) throws {
    if let d = digits { try ResourceLimits.check(d, "--digits", against: ResourceLimits.digits) }
}

/// Checks the memory of training `parallel` copies of `model` at once
/// (``TrainableModel/estimatedTrainingBytes(samples:)`` each).
func checkTrainingMemory(_ model: any TrainableModel, samples: Int, parallel: Double, _ what: String) throws {
    try ResourceLimits.checkMemory(parallel * model.estimatedTrainingBytes(samples: samples), for: parallel > 1 ? "\(what), \(Int(parallel)) jobs at once," : what)
}
