import ArgumentParser
import Foundation
import ApproxRates

/// `--certify`, `--gap` and `--certify-boxes`: the certified bracket of a sup norm
/// (``CertifiedSupNorm``), shared by `sup-norm` and `rate`.
struct CertifyOptions: ParsableArguments {
    @Flag(name: .long, help: "Also compute a rigorous upper bound (Arb ball arithmetic, branch and bound) and a rigorous lower bound.")
    var certify = false

    @Option(name: .long, help: ArgumentHelp("With --certify: refine until upper ≤ (1 + gap)·lower.", valueName: "fraction"))
    var gap: Double = 0.01

    @Option(name: .customLong("certify-boxes"), help: ArgumentHelp("With --certify: most boxes enclosed before giving up on the gap.", valueName: "K"))
    var certifyBoxes: Int = 4_000_000

    func check() throws {
        guard gap.isFinite, gap > 0, gap < 10 else { throw ValidationError("--gap \(gap) is not allowed: give a fraction in (0, 10), e.g. 0.01 for 1 %") }
        try ResourceLimits.check(certifyBoxes, "--certify-boxes", against: ResourceLimits.boxes)
    }

    /// The library's options, or nil without --certify.
    func options(threads: Int?) -> CertifiedSupNorm.Options? {
        guard certify else { return nil }
        return CertifiedSupNorm.Options(gap: gap, maximumBoxes: certifyBoxes, threads: threads)
    }

    /// The JSON keys of a certified bracket.
    static func json(_ c: CertifiedBound) -> [String: Any] {
        ["certified": c.upperText(digits: 8), "certified_value": c.upper.isFinite ? c.upper : NSNull(), "certified_lower": c.lowerText(digits: 8),
         "gap": c.gap.isFinite ? c.gap : -1, "requested_gap": c.requestedGap, "within_gap": c.isWithinGap,
         "certify_boxes": c.boxes, "certify_open_boxes": c.openBoxes, "certify_method": c.method, "certify_seconds": c.seconds,
         "certify_precision": c.precision.bits]
    }

    /// The human-readable lines of a certified bracket.
    static func lines(_ c: CertifiedBound) -> String {
        let verdict = c.isWithinGap ? "certified within \(percent(c.requestedGap))" : "NOT within the gap of \(percent(c.requestedGap))"
        return """
        certified  \(c.lowerText()) ≤ ‖f − net‖∞ ≤ \(c.upperText())  (gap \(c.gap.isFinite ? percent(c.gap) : "∞"); \(verdict))
        certify    \(c.method); \(String(format: "%.2f", c.seconds)) s
        """
    }

    static func percent(_ x: Double) -> String { String(format: "%.3g %%", 100 * x) }
}
