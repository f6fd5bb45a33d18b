import Foundation
import ArgumentParser
import ApproxRates

/// The target of an experiment: a built-in by name or a formula, with its smoothness.
struct TargetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A built-in (power, lacunary, smooth-sine, weierstrass, takagi) or a formula in x or x1..xd, e.g. \"abs(x-1/3)^0.75 + 0.1*sin(7*x)\".", valueName: "name|formula"))
    var target: String = "power"

    @Option(name: .long, help: ArgumentHelp("Smoothness r > 0 of the target (the exponent of power and lacunary; required for formulas; smooth-sine defaults to 2).", valueName: "r"))
    var smoothness: String?

    @Option(name: .long, help: ArgumentHelp("Dimension d of the domain [0,1]^d (default 1, or the largest xk of a formula).", valueName: "d"))
    var dim: Int?

    @Option(name: .long, help: ArgumentHelp("Centre x0 of power, one constant per coordinate, comma separated (default 1/3; 1/3,1/sqrt(5) in 2-D).", valueName: "c1,c2"))
    var x0: String?

    @Option(name: .long, help: "Seed of the lacunary signs.")
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Levels K of the lacunary sum (default 24 in 1-D, 14 in 2-D).", valueName: "K"))
    var levels: Int?

    @Option(name: .long, help: ArgumentHelp("Terms of the weierstrass and takagi sums (default 40).", valueName: "T"))
    var terms: Int?

    /// The smoothness as a number, validated.
    func smoothnessValue() throws -> Double? {
        guard let text = smoothness else { return nil }
        guard let r = Double(text), r.isFinite else {
            throw CLIError("--smoothness '\(text)' is not a number: give r > 0, e.g. 0.5 or 2")
        }
        guard r > 0 else { throw CLIError("--smoothness \(text) is not allowed: r must be > 0") }
        return r
    }

    /// The target described by the options, with its seed advanced by `seedOffset` (draws).
    func make(seedOffset: UInt64 = 0) throws -> Target {
        if let d = dim, !(1...9).contains(d) { throw CLIError("--dim \(d) is not allowed: d must be 1 to 9 (formulas name x1 … x9)") }
        let r = try smoothnessValue()
        // An option of another target is an error, not ignored (a fuzzed `--terms -1` with the
        // power target was accepted).
        if x0 != nil && target != "power" { throw CLIError("--x0 applies to the power target only") }
        if levels != nil && target != "lacunary" { throw CLIError("--levels applies to the lacunary target only") }
        if terms != nil && target != "weierstrass" && target != "takagi" { throw CLIError("--terms applies to the weierstrass and takagi targets only") }
        do {
            if TargetCatalog.names.contains(target) {
                var options = TargetCatalog.Options(seed: seed &+ seedOffset, levels: levels, terms: terms ?? 40)
                options.x0 = x0.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
                return try TargetCatalog.make(target, dimension: dim ?? 1, smoothness: r, smoothnessText: smoothness, options: options)
            }
            return try TargetCatalog.formula(target, dimension: dim, smoothness: r)
        } catch let error as FormulaError {
            // A misspelt built-in name (letters and hyphens, starting with a letter, short), not a
            // formula that happens to use only those characters.
            if target.count <= 40, target.first?.isLetter == true, target.allSatisfy({ $0.isLetter || $0 == "-" }) {
                throw CLIError("unknown target '\(target)': the built-ins are \(TargetCatalog.names.joined(separator: ", ")), or give a formula in x (or x1..xd)")
            }
            throw CLIError("--target: \(error)")
        } catch let error as TargetError {
            throw CLIError("--target: \(error)")
        }
    }
}
