import ArgumentParser
import ApproxRates
import Foundation

struct SupNormCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sup-norm",
        abstract: "Measure ‖f − net‖∞ on [0,1]^d for a network file and a target, in MPFR.",
        discussion: """
        The search is the one `rate` uses (exact pieces for one-hidden-layer 1-D networks, \
        adaptive sampling otherwise); the error is computed in MPFR at --precision (default: the \
        network's weight precision, at least 64 bits) and checked at twice that precision.

        Examples:
          approx-cli build squaring --m 8 -o sq8.json
          approx-cli sup-norm sq8.json --target "x^2" --smoothness 2
          approx-cli sup-norm taylor.json --target smooth-sine --dim 2 --json
        """
    )

    @Argument(help: "Network file (JSON, docs/network-format.md).")
    var network: String

    @OptionGroup var targetOptions: TargetOptions

    @Option(name: .long, help: ArgumentHelp("Working precision in bits.", valueName: "bits"))
    var precision: Int?

    @Option(name: .long, help: ArgumentHelp("Most grid points of the adaptive sampling search.", valueName: "K"))
    var searchPoints: Int = 1 << 18

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @OptionGroup var certify: CertifyOptions

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let p = precision { _ = try checkedPrecision(p) }
        try checkSearchPoints(searchPoints, dimension: targetOptions.dim ?? 1)
        try checkThreads(threads)
        try certify.check()
    }

    func run() throws {
        let net = try loadNetwork(network)
        var target = try targetOptions.make()
        if targetOptions.dim == nil && target.dimension != net.inputDimension && net.inputDimension > 1 {
            var again = targetOptions
            again.dim = net.inputDimension
            target = try again.make()
        }
        let bits = precision ?? max(64, net.weightPrecision.bits)
        try checkSearchPoints(searchPoints, dimension: net.inputDimension, bits: bits)
        var options = SupNorm.Options(precision: try Precision(bits: bits), threads: threads)
        options.maximumGridPoints = searchPoints
        ConstructionRegistry.applySearchHints(of: net, to: &options)
        options.certification = certify.options(threads: threads)
        let start = Date()
        let r: SupNormResult
        do { r = try SupNorm.measure(net, against: target, options: options) } catch { throw CLIError("\(error)") }
        let seconds = Date().timeIntervalSince(start)
        let digits = max(3, min(r.agreeingDigits, 30))
        if json {
            var object: [String: Any] = ["error": r.error.formatted(significantDigits: digits), "error_value": r.error.toDouble(),
                                         "argmax": r.argmax, "precision": bits, "guard_digits": r.agreeingDigits,
                                         "stable": r.isStable, "method": r.method, "locator": r.locator,
                                         "locator_points": r.locatorPoints, "mpfr_points": r.mpfrPoints,
                                         "resolved": r.spacing, "seconds": seconds, "W_all": net.counts.weightsAll,
                                         "depth": net.counts.depth, "target": target.summary,
                                         "argmax_exact": r.exactArgmax.map { $0.formatted(significantDigits: max(17, bits * 3 / 10 + 2)) }]
            if let c = r.certified { object.merge(CertifyOptions.json(c)) { $1 } }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("target     \(target.summary)  (d = \(target.dimension))")
        print("network    \(network): W_all = \(net.counts.weightsAll), depth = \(net.counts.depth)")
        print("error      \(r.error.formatted(significantDigits: digits))  at x = (\(r.argmax.map { String(format: "%.17g", $0) }.joined(separator: ", ")))")
        if r.exactArgmax.map({ $0.toDouble() }) != r.exactArgmax.map({ BigFloat($0, precision: .double).toDouble() }) || r.exactArgmax.contains(where: { !$0.isExact || $0.precision.bits > 53 }) {
            print("argmax     (\(r.exactArgmax.map { $0.formatted(significantDigits: max(17, bits * 3 / 10 + 2)) }.joined(separator: ", ")))  (full precision)")
        }
        if let c = r.certified { print(CertifyOptions.lines(c)) }
        print("precision  \(bits) bits; \(r.agreeingDigits) digits agree at \(2 * bits) bits\(r.isStable ? "" : "  (UNSTABLE)")")
        print("search     \(r.method)")
        print("ranking    \(r.locator); \(r.locatorPoints) points ranked, \(r.mpfrPoints) in MPFR; resolved \(String(format: "%.1e", r.spacing))")
        print("time       \(String(format: "%.2f", seconds)) s")
    }
}
