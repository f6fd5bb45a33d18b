import ArgumentParser
import ApproxRates

@main
struct ApproxCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approx-cli",
        abstract: "Approximation rates of deep networks, checked in MPFR.",
        discussion: """
        Builds the explicit networks of approximation theory, evaluates them in float64 or at any \
        MPFR precision, reports their size in the toolkit's counting conventions \
        (W_all, W_nz, depth L, widths), and measures sup-norm errors and rates against the theory.

        Examples:
          approx-cli rate --target power --smoothness 0.5 --weights 1e2...1e5
          approx-cli sweep data/plans/default.json --out out
          approx-cli phase-diagram out/rates.json -o phase.svg
          approx-cli build squaring --m 30 -o sq30.json
          approx-cli inspect sq30.json
          approx-cli eval sq30.json --grid 0:1:5 --precision 128
          approx-cli export sq30.json --safetensors sq30.safetensors
          approx-cli demo --output out
        """,
        version: ToolVersion.text,
        subcommands: [Rate.self, Sine.self, Sweep.self, Dynamics.self, Merge.self, Table.self, PhaseDiagram.self, SupNormCommand.self, Demo.self, Build.self, Eval.self, Inspect.self, Export.self, CostModelCommand.self, BenchEval.self, BenchDeep.self]
    )

    /// Runs the command; an error's message is printed with long values shortened (a value
    /// typed with thousands of characters is quoted by its first and last 60), and the exit code
    /// is ArgumentParser's.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
            } else {
                printError(message.split(separator: "\n", omittingEmptySubsequences: false).map { shortened(String($0)) }.joined(separator: "\n"))
            }
            exit(withError: code == .success ? nil : ExitCode(code.rawValue))
        }
    }

    /// `line`, or its first and last 60 characters around the number left out when it is longer
    /// than 400 characters.
    static func shortened(_ line: String) -> String {
        guard line.count > 400 else { return line }
        return "\(line.prefix(60))… (\(line.count - 120) characters left out) …\(line.suffix(60))"
    }
}

enum ToolVersion {
    static let number = "0.2.0"
    static var text: String { "approx-cli \(number) (MPFR \(Library.mpfrVersion), GMP \(Library.gmpVersion))" }
}
