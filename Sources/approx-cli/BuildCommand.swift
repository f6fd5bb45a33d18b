import ArgumentParser
import ApproxRates

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a built-in network to a file.",
        discussion: """
        Networks: tooth (Yarotsky's g), sawtooth (g_s, --s), squaring (f_m, --m).

        Examples:
          approx-cli build squaring --m 20 -o sq20.json
          approx-cli build sawtooth --s 5
        """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable { case tooth, sawtooth, squaring }

    @Argument(help: "tooth, sawtooth or squaring.")
    var kind: Kind

    @Option(name: .long, help: "Number of teeth compositions for sawtooth (s >= 1).")
    var s: Int = 3

    @Option(name: .long, help: "Levels of the squaring network f_m (1 <= m <= 500).")
    var m: Int = 10

    @Option(name: [.short, .long], help: "Output file (default: standard output).")
    var output: String?

    func validate() throws {
        if kind == .sawtooth, !(1...10_000).contains(s) { throw ValidationError("--s \(s): allowed 1 to 10000") }
        if kind == .squaring, !(1...500).contains(m) { throw ValidationError("--m \(m): allowed 1 to 500") }
    }

    func run() throws {
        let net: Network
        switch kind {
        case .tooth: net = Sawtooth.tooth()
        case .sawtooth: net = Sawtooth.sawtooth(s)
        case .squaring: net = Squaring.network(m: m)
        }
        if let path = output {
            try NetworkFile.save(net, to: path)
            printError("wrote \(path): W_all = \(net.counts.weightsAll), depth = \(net.counts.depth)")
        } else {
            print(NetworkFile.encode(net), terminator: "")
        }
    }
}
