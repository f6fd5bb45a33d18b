import ArgumentParser
import ApproxRates

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a network file: float64 safetensors, or re-written exact JSON.",
        discussion: """
        safetensors holds each layer as layers.<l>.weight [outputs, inputs] and layers.<l>.bias \
        in float64 (PyTorch nn.Linear convention), with the activations in the metadata. Float64 \
        rounds weights that need more than 53 bits; the command says so.

        Example:
          approx-cli export net.json --safetensors net.safetensors
        """
    )

    @Argument(help: "Network file (JSON).")
    var network: String

    @Option(name: .long, help: "Write float64 safetensors here.")
    var safetensors: String?

    @Option(name: .long, help: "Write the network again as JSON here (normalised).")
    var json: String?

    func validate() throws {
        if safetensors == nil && json == nil { throw ValidationError("nothing to do: give --safetensors FILE and/or --json FILE") }
    }

    func run() throws {
        let net = try loadNetwork(network)
        if let path = safetensors {
            let rounded = DoubleEvaluator(network: net).roundedWeightCount
            try Safetensors.save(net, to: path)
            printError("wrote \(path)" + (rounded > 0 ? " (\(rounded) numbers rounded to float64)" : " (every number exact in float64)"))
        }
        if let path = json {
            try NetworkFile.save(net, to: path)
            printError("wrote \(path)")
        }
    }
}
