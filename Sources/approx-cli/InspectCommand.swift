import ArgumentParser
import ApproxRates

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Size, shape and linear pieces of a network file.",
        discussion: """
        Prints W_all (every weight and bias slot), W_nz (nonzero ones), the depth L (number of \
        affine maps), the hidden widths, the activations and the weight precision. For a network \
        with one input and identity/ReLU units it also enumerates the linear pieces exactly, on \
        [0, 1] or the interval given, when the bound prod(n_l + 1) is at most 100000 or \
        --pieces-on is given.

        Examples:
          approx-cli inspect net.json
          approx-cli inspect net.json --pieces-on -1:2 --json
        """
    )

    @Argument(help: "Network file (JSON).")
    var network: String

    @Option(name: .long, help: ArgumentHelp("Enumerate linear pieces on [a, b].", valueName: "a:b"))
    var piecesOn: String?

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func run() throws {
        let net = try loadNetwork(network)
        let c = net.counts
        var pieces: (count: Int, interval: String, exact: Bool)? = nil
        var piecesNote = "not enumerated"
        if net.inputDimension == 1 && net.isPiecewiseLinear {
            if piecesOn != nil || c.pieceBound <= 100_000 {
                let (a, b) = try interval()
                let p = try net.linearPieces(from: a, to: b)
                pieces = (p.count, "[\(a), \(b)]", p.coefficientsExact)
            } else {
                piecesNote = "not enumerated (bound \(c.pieceBound == Int.max ? "> 9.2e18" : String(c.pieceBound)) > 100000; use --pieces-on a:b)"
            }
        } else {
            piecesNote = "only for one input and identity/relu units"
        }
        var activationCounts: [String: Int] = [:]
        for layer in net.layers { for a in layer.activations { activationCounts[a.description, default: 0] += 1 } }
        let activations = activationCounts.sorted { $0.key < $1.key }.map { "\($0.key) x \($0.value)" }.joined(separator: ", ")
        if json {
            var fields = [
                "\"file\": \"\(network)\"", "\"input_dimension\": \(c.inputDimension)", "\"output_dimension\": \(c.outputDimension)",
                "\"W_all\": \(c.weightsAll)", "\"W_nz\": \(c.weightsNonzero)", "\"depth\": \(c.depth)",
                "\"widths\": [\(c.widths.map(String.init).joined(separator: ", "))]",
                "\"activations\": {\(activationCounts.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", "))}",
                "\"weight_precision\": \(net.weightPrecision.bits)",
                "\"piece_bound\": \(c.pieceBound)",
            ]
            if let p = pieces {
                fields.append("\"pieces\": \(p.count)")
                fields.append("\"pieces_interval\": \"\(p.interval)\"")
                fields.append("\"pieces_exact\": \(p.exact)")
            } else {
                fields.append("\"pieces\": null")
            }
            print("{" + fields.joined(separator: ", ") + "}")
            return
        }
        var lines: [(String, String)] = [
            ("network", network),
            ("input dimension", "\(c.inputDimension)"),
            ("output dimension", "\(c.outputDimension)"),
            ("depth L", "\(c.depth) affine maps"),
            ("hidden widths", describeWidths(c.widths)),
            ("W_all", "\(c.weightsAll) (every weight and bias slot)"),
            ("W_nz", "\(c.weightsNonzero) (nonzero)"),
            ("activations", activations.isEmpty ? "none" : activations),
            ("weight precision", "\(net.weightPrecision.bits) bits"),
        ]
        if let p = pieces {
            lines.append(("linear pieces", "\(p.count) on \(p.interval)\(p.exact ? ", exact" : ", coefficients rounded") (bound prod(n_l+1) = \(c.pieceBound))"))
        } else {
            lines.append(("linear pieces", piecesNote))
        }
        for (k, v) in net.metadata.sorted(by: { $0.key < $1.key }) { lines.append(("meta \(k)", v)) }
        let w = lines.map(\.0.count).max()!
        for (k, v) in lines { print(k + String(repeating: " ", count: w - k.count) + "  " + v) }
    }

    func interval() throws -> (BigFloat, BigFloat) {
        let text = piecesOn ?? "0:1"
        let parts = text.split(separator: ":").map(String.init)
        let p = try Precision(bits: 256)
        guard parts.count == 2, let a = try? BigFloat(parsing: parts[0], precision: p), let b = try? BigFloat(parsing: parts[1], precision: p),
              a.isFinite, b.isFinite, a < b else {
            throw CLIError("--pieces-on '\(text)': expected a:b with finite a < b, e.g. 0:1")
        }
        return (a, b)
    }

    func describeWidths(_ widths: [Int]) -> String {
        if widths.isEmpty { return "none" }
        if widths.count > 8, Set(widths).count == 1 { return "\(widths[0]) x \(widths.count) layers" }
        if widths.count > 12 { return widths.prefix(6).map(String.init).joined(separator: ", ") + ", ... (\(widths.count) layers, max \(widths.max()!))" }
        return widths.map(String.init).joined(separator: ", ")
    }
}
