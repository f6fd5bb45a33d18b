import Foundation
import PrecisionModule
import FileIOModule

/// The network interchange format (docs/network-format.md): JSON whose numbers are decimal
/// strings that read back to the identical bits at their layer's precision.
///
/// ```json
/// {"format": "approxrates-network", "version": 1, "input_dimension": 1,
///  "metadata": {"name": "tooth"},
///  "layers": [
///   {"inputs": 1, "outputs": 3, "precision": 53, "storage": "dense",
///    "weights": [["1"], ["1"], ["1"]], "bias": ["0", "-0.5", "-1"], "activation": "relu"},
///   {"inputs": 3, "outputs": 1, "precision": 53, "storage": "sparse",
///    "entries": [[0, 0, "2"], [0, 1, "-4"], [0, 2, "2"]], "bias": ["0"], "activation": "identity"}]}
/// ```
public enum NetworkFile {
    /// The value of the `format` field.
    public static let formatName = "approxrates-network"
    /// The format version this library writes and reads.
    public static let version = 1

    /// The network as interchange JSON text (ends with a newline).
    public static func encode(_ network: Network) -> String {
        var out = "{\n  \"format\": \"\(formatName)\",\n  \"version\": \(version),\n"
        out += "  \"input_dimension\": \(network.inputDimension),\n"
        let meta = network.metadata.sorted { $0.key < $1.key }.map { "\(quote($0.key)): \(quote($0.value))" }
        out += "  \"metadata\": {\(meta.joined(separator: ", "))},\n"
        if let facts = network.construction {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            // Encoding plain numbers, strings and enums cannot fail.
            out += "  \"construction\": \(String(decoding: (try? encoder.encode(facts)) ?? Data("null".utf8), as: UTF8.self)),\n"
        }
        out += "  \"layers\": [\n"
        for (l, layer) in network.layers.enumerated() {
            out += "    {\"inputs\": \(layer.inputCount), \"outputs\": \(layer.outputCount), "
            out += "\"precision\": \(layer.precision.bits), \"storage\": \"\(layer.isDense ? "dense" : "sparse")\",\n"
            if layer.isDense {
                let rows = (0..<layer.outputCount).map { i in
                    "[" + layer.row(i).map { quote($0.weight.roundTripString) }.joined(separator: ", ") + "]"
                }
                out += "     \"weights\": [\n      " + rows.joined(separator: ",\n      ") + "],\n"
            } else {
                let entries = (0..<layer.outputCount).flatMap { i in
                    layer.row(i).map { "[\(i), \($0.column), \(quote($0.weight.roundTripString))]" }
                }
                out += "     \"entries\": [" + entries.joined(separator: ", ") + "],\n"
            }
            out += "     \"bias\": [" + layer.bias.map { quote($0.roundTripString) }.joined(separator: ", ") + "],\n"
            if let a = layer.uniformActivation {
                out += "     \"activation\": \(quote(a.description))}"
            } else {
                out += "     \"activation\": [" + layer.activations.map { quote($0.description) }.joined(separator: ", ") + "]}"
            }
            out += l + 1 < network.layers.count ? ",\n" : "\n"
        }
        out += "  ]\n}\n"
        return out
    }

    /// Writes the network to `path` atomically.
    public static func save(_ network: Network, to path: String) throws {
        try AtomicFile.write(encode(network), to: path)
    }

    /// Reads a network file. Throws a ``FileError`` for a missing file and a
    /// ``NetworkFileError`` naming the place of any problem in its content.
    public static func load(_ path: String) throws -> Network {
        let data = try AtomicFile.read(path)
        do {
            return try decode(data)
        } catch let e as NetworkFileError {
            throw NetworkFileError(path: path, message: e.message)
        }
    }

    /// Reads interchange JSON.
    public static func decode(_ data: Data) throws -> Network {
        let root: Any
        do { try ResourceLimits.checkJSONNesting(data, source: "the file") } catch { throw NetworkFileError(message: "\(error)") }
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw NetworkFileError(message: "not valid JSON (malformed or truncated): \(describe(error))")
        }
        let top = try Fields(root, at: "the top level")
        let format = try top.string("format")
        guard format == formatName else { throw NetworkFileError(message: "format is '\(format)', expected '\(formatName)'") }
        let v = try top.int("version")
        guard v == version else { throw NetworkFileError(message: "version \(v) is not supported (this tool reads version \(version))") }
        let inputDimension = try top.int("input_dimension")
        guard inputDimension >= 1 else { throw NetworkFileError(message: "input_dimension is \(inputDimension); it must be at least 1") }
        var metadata: [String: String] = [:]
        if let m = top.dictionary["metadata"] {
            guard let m = m as? [String: Any] else { throw NetworkFileError(message: "metadata must be an object of strings") }
            for (k, v) in m { metadata[k] = (v as? String) ?? "\(v)" }
        }
        var construction: ConstructionFacts? = nil
        if let raw = top.dictionary["construction"] {
            guard raw is [String: Any], let json = try? JSONSerialization.data(withJSONObject: raw) else {
                throw NetworkFileError(message: "construction must be an object")
            }
            do { construction = try JSONDecoder().decode(ConstructionFacts.self, from: json) }
            catch { throw NetworkFileError(message: "construction: \(decodingText(error))") }
        } else {
            construction = ConstructionFacts(legacyMetadata: metadata)
        }
        guard let rawLayers = top.dictionary["layers"] as? [Any] else { throw NetworkFileError(message: "missing array 'layers'") }
        guard !rawLayers.isEmpty else { throw NetworkFileError(message: "'layers' is empty: a network has at least one layer") }
        var layers: [AffineLayer] = []
        var width = inputDimension
        for (l, raw) in rawLayers.enumerated() {
            let place = "layer \(l)"
            let f = try Fields(raw, at: place)
            let inputs = try f.int("inputs"), outputs = try f.int("outputs")
            guard inputs == width else {
                throw NetworkFileError(message: "\(place) takes \(inputs) inputs but the stage before it has \(width) outputs")
            }
            guard outputs >= 1 else { throw NetworkFileError(message: "\(place) has \(outputs) outputs; it needs at least 1") }
            let bits = try f.int("precision")
            let precision: Precision
            do {
                try ResourceLimits.check(bits, "precision", against: ResourceLimits.precision, minimum: Precision.minimumBits)
                precision = try Precision(bits: bits)
            } catch {
                throw NetworkFileError(message: "\(place): \(error)")
            }
            func number(_ any: Any, _ what: String) throws -> BigFloat {
                guard let s = any as? String else {
                    throw NetworkFileError(message: "\(place), \(what): expected a number as a string, found \(describe(any))")
                }
                let value: BigFloat
                do { value = try BigFloat(parsing: s, precision: precision) } catch {
                    throw NetworkFileError(message: "\(place), \(what): \(error)")
                }
                // A NaN or infinite weight is refused, not carried: a ReLU can turn a NaN bias into
                // 0 and print a plausible wrong number.
                guard value.isFinite else {
                    throw NetworkFileError(message: "\(place), \(what): '\(s)' is not a finite number at \(precision.bits) bits: weights and biases must be finite")
                }
                return value
            }
            let storage = try f.string("storage")
            var entries: [(Int, Int, BigFloat)] = []
            switch storage {
            case "dense":
                guard let rows = f.dictionary["weights"] as? [Any], rows.count == outputs else {
                    throw NetworkFileError(message: "\(place): 'weights' must be an array of \(outputs) rows")
                }
                for (i, r) in rows.enumerated() {
                    guard let row = r as? [Any], row.count == inputs else {
                        throw NetworkFileError(message: "\(place): weight row \(i) must have \(inputs) numbers")
                    }
                    for (j, w) in row.enumerated() { entries.append((i, j, try number(w, "weight (\(i), \(j))"))) }
                }
            case "sparse":
                guard let list = f.dictionary["entries"] as? [Any] else {
                    throw NetworkFileError(message: "\(place): a sparse layer needs 'entries' = [[row, column, \"weight\"], ...]")
                }
                for (k, e) in list.enumerated() {
                    guard let triple = e as? [Any], triple.count == 3,
                          let i = exactInt(triple[0]), let j = exactInt(triple[1]) else {
                        throw NetworkFileError(message: "\(place), entry \(k): expected [row, column, \"weight\"]")
                    }
                    guard (0..<outputs).contains(i), (0..<inputs).contains(j) else {
                        throw NetworkFileError(message: "\(place), entry \(k): (\(i), \(j)) is outside a \(outputs) x \(inputs) matrix")
                    }
                    entries.append((i, j, try number(triple[2], "entry \(k)")))
                }
            default:
                throw NetworkFileError(message: "\(place): storage is '\(storage)', expected 'dense' or 'sparse'")
            }
            guard let rawBias = f.dictionary["bias"] as? [Any], rawBias.count == outputs else {
                throw NetworkFileError(message: "\(place): 'bias' must be an array of \(outputs) numbers")
            }
            let bias = try rawBias.enumerated().map { try number($0.element, "bias \($0.offset)") }
            let activations: [Activation]
            do {
                if let name = f.dictionary["activation"] as? String {
                    activations = Array(repeating: try Activation(name: name), count: outputs)
                } else if let names = f.dictionary["activation"] as? [Any], names.count == outputs {
                    activations = try names.map { n in
                        guard let s = n as? String else { throw NetworkError.unknownActivation(describe(n)) }
                        return try Activation(name: s)
                    }
                } else {
                    throw NetworkFileError(message: "\(place): 'activation' must be a name or an array of \(outputs) names")
                }
            } catch let e as NetworkError {
                throw NetworkFileError(message: "\(place): \(e)")
            }
            do {
                layers.append(try AffineLayer(inputCount: inputs, outputCount: outputs, entries: entries, bias: bias,
                                              activations: activations, precision: precision, dense: storage == "dense"))
            } catch let e as NetworkError {
                throw NetworkFileError(message: "\(place): \(e)".replacingOccurrences(of: "layer 0 is malformed: ", with: ""))
            }
            width = outputs
        }
        return try Network(inputDimension: inputDimension, layers: layers, metadata: metadata, construction: construction)
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    static func exactInt(_ any: Any) -> Int? {
        if let n = any as? NSNumber, String(cString: n.objCType) != "c" {
            let d = n.doubleValue
            if d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        }
        return nil
    }

    /// A decoding error in one line: what is wrong and where.
    static func decodingText(_ error: Error) -> String {
        func place(_ path: [CodingKey]) -> String { path.isEmpty ? "" : " at '\(path.map(\.stringValue).joined(separator: "."))'" }
        switch error as? DecodingError {
        case .dataCorrupted(let c)?: return c.debugDescription + place(c.codingPath)
        case .keyNotFound(let key, _)?: return "missing key '\(key.stringValue)'"
        case .typeMismatch(let type, let c)?: return "expected \(type)" + place(c.codingPath)
        case .valueNotFound(let type, let c)?: return "expected \(type), found null" + place(c.codingPath)
        default: return describe(error)
        }
    }

    static func describe(_ any: Any) -> String {
        if let e = any as? NSError {
            if let detail = e.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
            return e.localizedDescription
        }
        if any is NSNull { return "null" }
        if let n = any as? NSNumber { return "the bare number \(n) (write numbers as strings to keep every bit)" }
        if any is [Any] { return "an array" }
        if any is [String: Any] { return "an object" }
        return "\(any)"
    }

    /// A JSON object with typed look-ups that name the field in their errors.
    struct Fields {
        let dictionary: [String: Any]
        let place: String
        init(_ any: Any, at place: String) throws {
            guard let d = any as? [String: Any] else { throw NetworkFileError(message: "\(place) must be a JSON object") }
            dictionary = d
            self.place = place
        }
        func string(_ key: String) throws -> String {
            guard let v = dictionary[key] else { throw NetworkFileError(message: "\(place): missing field '\(key)'") }
            guard let s = v as? String else { throw NetworkFileError(message: "\(place): '\(key)' must be a string, found \(NetworkFile.describe(v))") }
            return s
        }
        func int(_ key: String) throws -> Int {
            guard let v = dictionary[key] else { throw NetworkFileError(message: "\(place): missing field '\(key)'") }
            guard let n = NetworkFile.exactInt(v) else {
                throw NetworkFileError(message: "\(place): '\(key)' must be a whole number, found \(v is NSNumber ? "\(v)" : NetworkFile.describe(v))")
            }
            return n
        }
    }
}

/// A network file whose content is not a valid network; the message names the place.
public struct NetworkFileError: Error, CustomStringConvertible {
    /// The file, when known.
    public var path: String? = nil
    /// What is wrong and where.
    public let message: String
    public var description: String { path.map { "\($0): \(message)" } ?? message }
}

extension ConstructionFacts {
    /// The facts of a version-1 file written before networks carried typed facts, read once from
    /// the metadata keys those files used ("construction", "N", "M", "zone", "bits_per_weight",
    /// "K", "partition", "activation"), so that such files keep their search. Nil when the
    /// metadata names no construction or a value does not read. This file-format migration is
    /// the only place that reads the metadata's text; files written now carry the
    /// `"construction"` object instead.
    init?(legacyMetadata m: [String: String]) {
        guard let name = m["construction"], Kind.isWellFormed(name) else { return nil }
        let kind = Kind(rawValue: name)
        func int(_ key: String) -> Int? { m[key].flatMap(Int.init).flatMap { $0 >= 1 ? $0 : nil } }
        let zone = m["zone"].flatMap(Double.init).flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        let power = m["activation"].flatMap { $0.hasPrefix("relu^") ? Int($0.dropFirst(5)) : nil }
        self.init(kind: kind, cells: int("N"), fineCells: int("M"), zoneHalfWidth: zone, bitsPerWeight: int("bits_per_weight"),
                  lookupCells: int("K"), partition: m["partition"].flatMap(Partition.init(rawValue:)), reluPower: power)
    }
}
