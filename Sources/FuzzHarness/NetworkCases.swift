import Foundation

/// A network the harness builds, writes in the toolkit's format and evaluates in float64.
struct FuzzNetwork {
    struct Layer { var weights: [[String]]; var bias: [String]; var activation: String }
    var inputs: Int
    var layers: [Layer]

    static func random(_ rng: inout FuzzRandom) -> FuzzNetwork {
        let d = 1 + rng.below(3)
        var widths = [d]
        for _ in 0..<(1 + rng.below(3)) { widths.append(1 + rng.below(6)) }
        widths.append(1 + rng.below(2))
        var layers: [Layer] = []
        for l in 1..<widths.count {
            let w = (0..<widths[l]).map { _ in (0..<widths[l - 1]).map { _ in number(&rng) } }
            let b = (0..<widths[l]).map { _ in number(&rng) }
            layers.append(Layer(weights: w, bias: b, activation: l == widths.count - 1 ? "identity" : "relu"))
        }
        return FuzzNetwork(inputs: d, layers: layers)
    }

    static func number(_ rng: inout FuzzRandom) -> String {
        switch rng.below(4) {
        case 0: return "\(rng.below(11) - 5)"
        case 1: return String(format: "%.3f", rng.unit() * 4 - 2)
        case 2: return "\(rng.below(9) + 1)e-\(rng.below(6))"
        default: return "-\(rng.below(100))/64".replacingOccurrences(of: "/64", with: "e-2")
        }
    }

    var json: String {
        var text = "{\n  \"format\": \"approxrates-network\",\n  \"version\": 1,\n  \"input_dimension\": \(inputs),\n  \"layers\": [\n"
        var n = inputs
        text += layers.map { layer in
            defer { n = layer.bias.count }
            let rows = layer.weights.map { "[" + $0.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }.joined(separator: ",\n      ")
            return "    {\"inputs\": \(n), \"outputs\": \(layer.bias.count), \"precision\": 53, \"storage\": \"dense\",\n     \"weights\": [\n      \(rows)],\n     \"bias\": [" + layer.bias.map { "\"\($0)\"" }.joined(separator: ", ") + "],\n     \"activation\": \"\(layer.activation)\"}"
        }.joined(separator: ",\n")
        return text + "\n  ]\n}\n"
    }

    /// The outputs at x in float64, and a scale (the same network on |weights|, |x|) for the
    /// tolerance of the comparison.
    func evaluate(_ x: [Double]) -> (values: [Double], scale: Double) {
        var v = x, s = x.map(abs)
        for layer in layers {
            var next: [Double] = [], nextScale: [Double] = []
            for (row, b) in zip(layer.weights, layer.bias) {
                var sum = Double(b)!, mag = abs(Double(b)!)
                for (w, (xi, si)) in zip(row, zip(v, s)) { sum += Double(w)! * xi; mag += abs(Double(w)!) * si }
                next.append(layer.activation == "relu" ? max(0, sum) : sum)
                nextScale.append(mag)
            }
            v = next; s = nextScale
        }
        return (v, s.max() ?? 0)
    }

    /// Reads a network file the way docs/network-format.md defines it (dense layers, decimal
    /// strings), or nil: the harness's own reader, for mutated files.
    static func read(_ data: Data) -> FuzzNetwork? {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              root["format"] as? String == "approxrates-network", root["version"] as? Int == 1,
              let d = root["input_dimension"] as? Int, d >= 1, let list = root["layers"] as? [[String: Any]], !list.isEmpty else { return nil }
        var n = d
        var layers: [Layer] = []
        for (i, l) in list.enumerated() {
            guard l["inputs"] as? Int == n, let m = l["outputs"] as? Int, m >= 1, l["precision"] as? Int == 53, l["storage"] as? String == "dense",
                  let w = l["weights"] as? [[String]], w.count == m, w.allSatisfy({ $0.count == n }), let b = l["bias"] as? [String], b.count == m,
                  let a = l["activation"] as? String, a == "relu" || a == "identity" else { return nil }
            guard (w.flatMap { $0 } + b).allSatisfy({ Double($0).map { $0.isFinite && abs($0) < 1e100 && ($0 == 0 || abs($0) > 1e-100) } ?? false }) else { return nil }
            if i == list.count - 1 && a != "identity" { return nil }
            layers.append(Layer(weights: w, bias: b, activation: a)); n = m
        }
        return FuzzNetwork(inputs: d, layers: layers)
    }
}

extension FuzzGenerator {
    /// A network file given to `eval` at three points: valid (the outputs must match the
    /// harness's float64 evaluation), broken on purpose (it must be refused) or mutated at random
    /// bytes (judged by the harness's reader when it still reads, else no non-finite output).
    func networkCase(_ rng: inout FuzzRandom) -> FuzzCase {
        let net = FuzzNetwork.random(&rng)
        let points = (0..<3).map { _ in (0..<net.inputs).map { _ in (rng.unit() * 4 - 2 ) } }
        var arguments = ["eval", "@DIR/n.json", "--format", "json", "--threads", "1"]
        for p in points { arguments += ["--at", p.map { "\($0)" }.joined(separator: ",")] }
        var text = net.json
        let mode = rng.below(10)
        if mode < 3 {
            return FuzzCase(kind: .network, arguments: arguments, files: ["n.json": Data(text.utf8)], oracle: .either(evalOracle(net, points)))
        }
        if mode < 7 {
            let (broken, why) = breakNetwork(text, net, &rng)
            return FuzzCase(kind: .network, arguments: arguments, files: ["n.json": Data(broken.utf8)], oracle: .mustFail(why))
        }
        var bytes = Array(text.utf8)
        for _ in 0..<(1 + rng.below(4)) {
            let i = rng.below(bytes.count)
            switch rng.below(3) {
            case 0: bytes[i] = UInt8(rng.below(256))
            case 1: bytes.remove(at: i)
            default: bytes.insert(rng.pick(Array("0123456789.-e[]{}\",: nNaI".utf8)), at: i)
            }
        }
        text = String(decoding: bytes, as: UTF8.self)
        let data = Data(bytes)
        if let mutated = FuzzNetwork.read(data) {
            return FuzzCase(kind: .network, arguments: arguments, files: ["n.json": data], oracle: .either(evalOracle(mutated, points)))
        }
        return FuzzCase(kind: .network, arguments: arguments, files: ["n.json": data], oracle: .either { run in
            nonFiniteWord(run.stdout).map { "printed '\($0)' with exit 0" }
        })
    }

    func evalOracle(_ net: FuzzNetwork, _ points: [[Double]]) -> @Sendable (FuzzRun) -> String? {
        let expected = points.map { net.evaluate($0) }
        return { run in
            guard let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                  let list = object["points"] as? [[String: Any]], list.count == expected.count else { return "no points in the JSON output: \(run.stdout.prefix(200))" }
            for (item, (values, scale)) in zip(list, expected) {
                guard let y = item["y"] as? [String], y.count == values.count else { return "wrong output count: \(item)" }
                for (text, v) in zip(y, values) {
                    guard let got = Double(text), got.isFinite else { return "output '\(text)' is not a finite number" }
                    if abs(got - v) > 1e-9 * (scale + 1) { return "output \(text) differs from the float64 value \(v) (scale \(scale))" }
                }
            }
            return nil
        }
    }

    /// A copy of the file broken in one way that the format forbids.
    func breakNetwork(_ text: String, _ net: FuzzNetwork, _ rng: inout FuzzRandom) -> (String, String) {
        let someWeight = "\"\(net.layers[0].weights[0][0])\""
        func replacingFirst(_ a: String, _ b: String) -> String {
            guard let r = text.range(of: a) else { return text }
            return text.replacingCharacters(in: r, with: b)
        }
        switch rng.below(14) {
        case 0: let bad = rng.pick(["NaN", "nan", "inf", "-inf", "Infinity", "1e999999999", "-1e999999999"]); return (replacingFirst(someWeight, "\"\(bad)\""), "weight \(bad)")
        case 1: let bad = rng.pick(["abc", "", "1..2", "0x", "--1", "1e", "١"]); return (replacingFirst(someWeight, "\"\(bad)\""), "weight '\(bad)'")
        case 2: return (replacingFirst("\"inputs\": \(net.inputs)", "\"inputs\": \(net.inputs + 1 + rng.below(3))"), "wrong inputs count")
        case 3: return (replacingFirst("\"activation\": \"relu\"", "\"activation\": \"\(rng.pick(["sigmoid", "", "RELU", "relu^0", "relu^-1", "relu^x", "relu^"]))\""), "unknown activation")
        case 4: return (replacingFirst("\"version\": 1", "\"version\": \(rng.pick(["2", "0", "-1", "1e30", "\"1\"", "null"]))"), "unknown version")
        case 5: return (replacingFirst("\"input_dimension\": \(net.inputs)", "\"input_dimension\": \(rng.pick(["0", "-1", "1e30", "99999999999999999999", "\"1\"", "1.5", "null"]))"), "bad input_dimension")
        case 6: let cut = 1 + rng.below(max(1, text.utf8.count - 2)); return (String(decoding: Array(text.utf8).prefix(cut), as: UTF8.self), "truncated at byte \(cut)")
        case 7: let n = 65 + rng.below(100_000); return (replacingFirst(someWeight, String(repeating: "[", count: n) + someWeight + String(repeating: "]", count: n)), "nested \(n) deep")
        case 8: return (replacingFirst("\"layers\": [", "\"layers\": [], \"x\": ["), "layers empty")
        case 9: return (replacingFirst(someWeight + ",", "").replacingOccurrences(of: "[" + someWeight + "]", with: "[]"), "a row too short")
        case 10: return (replacingFirst("\"format\": \"approxrates-network\"", "\"format\": \"\(rng.pick(["", "approxrates", "onnx"]))\""), "wrong format")
        case 11: return (replacingFirst("\"storage\": \"dense\"", "\"storage\": \"\(rng.pick(["sparse-ish", "", "DENSE"]))\""), "unknown storage")
        case 12: return (replacingFirst("\"bias\": [", "\"bias\": [\"1\", "), "a bias too many")
        default: return (replacingFirst("\"precision\": 53", "\"precision\": \(rng.pick(["0", "1", "-53", "1e30", "9223372036854775807", "1099511627776", "null"]))"), "bad precision")
        }
    }
}
