import Foundation
import PrecisionModule
import FileIOModule

/// Export of a network's weights as float64 safetensors, for PyTorch and JAX users.
///
/// Layout (the safetensors format): an 8-byte little-endian header length N, N bytes of JSON
/// (padded with spaces to a multiple of 8), then the tensors' little-endian bytes back to back.
/// Layer l gives `layers.l.weight` (F64, shape [outputs, inputs], dense: unstored slots are 0,
/// the PyTorch `nn.Linear` convention y = x W^T + b) and `layers.l.bias` (F64, [outputs]).
/// `__metadata__` holds `format` = "approxrates-network", `input_dimension`, and `activations`
/// (a JSON array with one name, or one array of names, per layer). Every number is the stored
/// value rounded to nearest double: float64 cannot hold the deep-phase weights, so the exact
/// network stays in the JSON format.
public enum Safetensors {
    /// The file's bytes.
    public static func encode(_ network: Network) -> Data {
        var tensors: [(name: String, shape: [Int], values: [Double])] = []
        for (l, layer) in network.layers.enumerated() {
            var dense = [Double](repeating: 0, count: layer.outputCount * layer.inputCount)
            for i in 0..<layer.outputCount {
                for (j, w) in layer.row(i) { dense[i * layer.inputCount + j] = w.toDouble() }
            }
            tensors.append(("layers.\(l).weight", [layer.outputCount, layer.inputCount], dense))
            tensors.append(("layers.\(l).bias", [layer.outputCount], layer.bias.map { $0.toDouble() }))
        }
        let activations = "[" + network.layers.map { layer -> String in
            if let a = layer.uniformActivation { return NetworkFile.quote(a.description) }
            return "[" + layer.activations.map { NetworkFile.quote($0.description) }.joined(separator: ",") + "]"
        }.joined(separator: ",") + "]"
        var header = "{\"__metadata__\":{\"format\":\"approxrates-network\",\"input_dimension\":\"\(network.inputDimension)\","
        header += "\"activations\":\(NetworkFile.quote(activations))}"
        var offset = 0
        for t in tensors {
            let size = t.values.count * 8
            header += ",\(NetworkFile.quote(t.name)):{\"dtype\":\"F64\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + size)]}"
            offset += size
        }
        header += "}"
        while header.utf8.count % 8 != 0 { header += " " }
        var data = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        for t in tensors {
            for v in t.values {
                var bits = v.bitPattern.littleEndian
                withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Writes the file atomically.
    public static func save(_ network: Network, to path: String) throws {
        try AtomicFile.write(encode(network), to: path)
    }
}
