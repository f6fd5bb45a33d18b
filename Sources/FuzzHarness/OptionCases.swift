import Foundation

/// One option of a command template: its flag, the largest value that runs fast, and the
/// documented cap above which the value must be refused (nil: no numeric cap).
struct FuzzOption {
    let flag: String
    let fast: Double
    let cap: Double?
    /// Values that parse but are outside the option's domain (must be refused).
    var invalid: (Double) -> Bool = { $0 < 1 }
    /// True for options that take a number (text that is not one must be refused).
    var numeric = true
}

/// A command with small valid arguments, and the options the fuzzer replaces one at a time.
struct FuzzCommand {
    let base: [String]
    let options: [FuzzOption]
}

nonisolated(unsafe) let fuzzCommands: [FuzzCommand] = [
    FuzzCommand(base: ["eval", "@SHARED/t.json", "--at", "0.5", "--format", "json"], options: [
        FuzzOption(flag: "--precision", fast: 65536, cap: Double(1 << 24), invalid: { $0 < 2 || $0.rounded() != $0 }),
        FuzzOption(flag: "--digits", fast: 100_000, cap: 1_000_000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--threads", fast: 64, cap: 1024, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--at", fast: .infinity, cap: nil, invalid: { !$0.isFinite }),
    ]),
    FuzzCommand(base: ["eval", "@SHARED/t.json", "--grid", "0:1:5"], options: [
        FuzzOption(flag: "--grid", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
    ]),
    FuzzCommand(base: ["sup-norm", "@SHARED/t.json", "--target", "x^2", "--smoothness", "1", "--search-points", "4096", "--json"], options: [
        FuzzOption(flag: "--search-points", fast: 1048576, cap: Double(1 << 24), invalid: { $0 < 64 || $0.rounded() != $0 }),
        FuzzOption(flag: "--precision", fast: 16384, cap: Double(1 << 24), invalid: { $0 < 2 || $0.rounded() != $0 }),
        FuzzOption(flag: "--smoothness", fast: .infinity, cap: nil, invalid: { !($0 > 0) || !$0.isFinite }),
        FuzzOption(flag: "--gap", fast: .infinity, cap: nil, invalid: { _ in false }),
        FuzzOption(flag: "--certify-boxes", fast: 1e5, cap: 1e8, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["rate", "--target", "power", "--smoothness", "1", "--weights", "1e1...4e1", "--points", "2", "--json"], options: [
        FuzzOption(flag: "--points", fast: 4, cap: 1000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--weights", fast: 1e3, cap: 1e8, invalid: { $0 < 4 }),
        FuzzOption(flag: "--smoothness", fast: .infinity, cap: nil, invalid: { !($0 > 0) || !$0.isFinite }),
        FuzzOption(flag: "--search-points", fast: 1048576, cap: Double(1 << 24), invalid: { $0 < 64 || $0.rounded() != $0 }),
        FuzzOption(flag: "--draws", fast: 3, cap: 1000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--precision", fast: 4096, cap: 100_000, invalid: { $0 < 16 || $0.rounded() != $0 }),
        FuzzOption(flag: "--dim", fast: 1, cap: nil, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--x0", fast: .infinity, cap: nil, invalid: { !$0.isFinite }),
    ]),
    FuzzCommand(base: ["build", "interpolation", "--target", "power", "--smoothness", "1", "--cells", "8", "-o", "@DIR/n.json"], options: [
        FuzzOption(flag: "--cells", fast: 100_000, cap: 1_000_000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--smoothness", fast: .infinity, cap: nil, invalid: { !($0 > 0) || !$0.isFinite }),
        FuzzOption(flag: "--x0", fast: .infinity, cap: nil, invalid: { !$0.isFinite }),
        FuzzOption(flag: "--terms", fast: 1000, cap: nil, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["build", "deep", "--target", "power", "--smoothness", "1", "--cells", "4", "-o", "@DIR/n.json"], options: [
        FuzzOption(flag: "--cells", fast: 64, cap: 1_000_000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--fine", fast: 64, cap: 100_000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--alpha", fast: .infinity, cap: nil, invalid: { !($0 > 0 && $0 <= 1) }),
    ]),
    FuzzCommand(base: ["build", "sawtooth", "--s", "3", "-o", "@DIR/n.json"], options: [
        FuzzOption(flag: "--s", fast: 10_000, cap: 10_000, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["build", "squaring", "--m", "3", "-o", "@DIR/n.json"], options: [
        FuzzOption(flag: "--m", fast: 500, cap: 500, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["dynamics", "early", "--networks", "2x8", "--seeds", "1", "--samples", "16", "--steps", "5", "--scan", "0:1:0.5",
                       "--refinements", "1", "--measurement", "16", "--out", "@DIR/d", "--json"], options: [
        FuzzOption(flag: "--steps", fast: 200, cap: 1_000_000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--networks", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        // The digits (the default data) have 1,797 examples.
        FuzzOption(flag: "--samples", fast: 2000, cap: nil, invalid: { $0 < 1 || $0 > 1797 || $0.rounded() != $0 }),
        FuzzOption(flag: "--seeds", fast: 3, cap: nil, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--saturation-k", fast: 200, cap: nil, invalid: { !($0 >= 1 && $0 <= 100_000) }),
        FuzzOption(flag: "--scan", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--refinements", fast: 3, cap: 20, invalid: { $0 < 0 || $0.rounded() != $0 }),
        FuzzOption(flag: "--sharpness-tolerance", fast: .infinity, cap: nil, invalid: { !($0 >= 0) || !$0.isFinite }),
        FuzzOption(flag: "--jobs", fast: 64, cap: 1024, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["dynamics", "long", "--depth", "2", "--width", "8", "--steps", "10", "--samples", "16", "--out", "@DIR/l", "--json"], options: [
        FuzzOption(flag: "--steps", fast: 2000, cap: 1_000_000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--width", fast: 256, cap: nil, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--depth", fast: 8, cap: nil, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--c", fast: .infinity, cap: nil, invalid: { !($0 > 0) || !$0.isFinite }),
        FuzzOption(flag: "--save-every", fast: .infinity, cap: nil, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["dynamics", "two-layer", "--gammas", "0.5", "--gamma-primes", "0", "--widths", "8,16", "--seeds", "1", "--max-steps", "50",
                       "--out", "@DIR/t", "--json"], options: [
        FuzzOption(flag: "--widths", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--gammas", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--gamma-primes", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--init", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--data", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--seeds", fast: 1000, cap: 1000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--max-steps", fast: 100_000, cap: 1_000_000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--step-factor", fast: .infinity, cap: nil, invalid: { !($0 > 0 && $0 < 2) }),
        FuzzOption(flag: "--tolerance", fast: .infinity, cap: nil, invalid: { !($0 > 0) || !$0.isFinite }),
        FuzzOption(flag: "--band", fast: .infinity, cap: nil, invalid: { !($0 >= 0) || !$0.isFinite }),
        FuzzOption(flag: "--resamples", fast: 100_000, cap: 100_000, invalid: { $0 < 10 || $0.rounded() != $0 }),
        FuzzOption(flag: "--jobs", fast: 64, cap: 1024, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["dynamics", "sgd", "compare", "--d", "64", "--p", "2", "--k", "1", "--times", "1", "--seeds", "1", "--per-decade", "2",
                       "--out", "@DIR/c", "--json"], options: [
        FuzzOption(flag: "--d", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--times", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--delta", fast: 2, cap: nil, invalid: { !(-4...4).contains($0) }),
        FuzzOption(flag: "--kappa", fast: 1, cap: nil, invalid: { !(-1...2).contains($0) }),
        FuzzOption(flag: "--p", fast: 64, cap: 65_536, invalid: { !($0 > 0) }),
        FuzzOption(flag: "--k", fast: 64, cap: 256, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--gamma0", fast: .infinity, cap: 1e6, invalid: { !($0 > 0) }),
        FuzzOption(flag: "--noise", fast: .infinity, cap: 1e6, invalid: { $0 < 0 }),
        FuzzOption(flag: "--seeds", fast: 100, cap: 1000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--per-decade", fast: 100, cap: 100, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--rtol", fast: .infinity, cap: 1e-2, invalid: { $0 < 1e-13 }),
        FuzzOption(flag: "--jobs", fast: 64, cap: 1024, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["dynamics", "sgd", "map", "--deltas", "0", "--kappas", "0", "--d", "16,32", "--p", "1", "--k", "1", "--seeds", "1",
                       "--horizon", "2", "--out", "@DIR/m", "--json"], options: [
        FuzzOption(flag: "--deltas", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--kappas", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--d", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--horizon", fast: 1000, cap: 1e9, invalid: { !($0 > 0) }),
        FuzzOption(flag: "--seeds", fast: 100, cap: 1000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--band", fast: .infinity, cap: nil, invalid: { $0 < 0 }),
        FuzzOption(flag: "--resamples", fast: 100_000, cap: 100_000, invalid: { $0 < 10 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["dynamics", "sgd", "plateau", "--gamma0s", "8", "--noises", "0.001", "--p", "2", "--k", "1", "--horizon", "10",
                       "--out", "@DIR/p", "--json"], options: [
        FuzzOption(flag: "--gamma0s", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--noises", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--p", fast: 16, cap: 64, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--k", fast: 16, cap: 64, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--horizon", fast: 1e5, cap: 1e7, invalid: { !($0 > 0) }),
    ]),
    FuzzCommand(base: ["dynamics", "grokking", "--learning-rates", "1e-3", "--weight-decays", "0", "--seeds", "1", "--width", "8", "--steps", "20",
                       "--out", "@DIR/g", "--json"], options: [
        FuzzOption(flag: "--learning-rates", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--weight-decays", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--fraction", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--seeds", fast: 100, cap: 1000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--steps", fast: 5000, cap: 1_000_000, invalid: { $0 < 1 || $0.rounded() != $0 }),
        FuzzOption(flag: "--batch", fast: .infinity, cap: nil, invalid: { $0 < 0 || $0 > 55 || $0.rounded() != $0 }),
        FuzzOption(flag: "--p", fast: .infinity, cap: nil, invalid: { $0 < 2 || $0 > 24 || $0.rounded() != $0 }),
        FuzzOption(flag: "--width", fast: 256, cap: nil, invalid: { $0 < 1 || $0 > 4096 || $0.rounded() != $0 }),
        FuzzOption(flag: "--threshold", fast: .infinity, cap: nil, invalid: { !($0 > 0 && $0 <= 1) }),
        FuzzOption(flag: "--embedding-learning-rate", fast: .infinity, cap: nil, invalid: { !($0 > 0 && $0 <= 1000) }),
        FuzzOption(flag: "--jobs", fast: 64, cap: 1024, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["dynamics", "grokking", "run", "--width", "8", "--steps", "20", "--json"], options: [
        FuzzOption(flag: "--learning-rate", fast: .infinity, cap: nil, invalid: { !($0 > 0 && $0 <= 10) || $0 * 0 != 0 }),
        FuzzOption(flag: "--weight-decay", fast: .infinity, cap: nil, invalid: { !(0...1e4).contains($0) || $0 * 1e-4 >= 1 }),
        FuzzOption(flag: "--fraction", fast: .infinity, cap: nil, invalid: { !($0 > 0 && $0 < 1) }),
        FuzzOption(flag: "--snapshots", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
        FuzzOption(flag: "--log-every", fast: .infinity, cap: nil, invalid: { $0 < 1 || $0.rounded() != $0 }),
    ]),
    FuzzCommand(base: ["inspect", "@SHARED/t.json", "--json"], options: [
        FuzzOption(flag: "--pieces-on", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
    ]),
    FuzzCommand(base: ["sine", "--target", "smooth-sine", "--smoothness", "1", "--cells", "4", "--degrees", "1,2", "--bits", "64", "--json"], options: [
        FuzzOption(flag: "--cells", fast: 16, cap: 1024, invalid: { $0 < 2 || $0.rounded() != $0 }),
        FuzzOption(flag: "--bits", fast: 256, cap: 4096, invalid: { $0 < 16 || $0.rounded() != $0 }),
        FuzzOption(flag: "--degrees", fast: .infinity, cap: nil, invalid: { _ in false }, numeric: false),
    ]),
]

extension FuzzGenerator {
    /// One option of one command replaced by a hostile or a random value. A number above the
    /// option's cap or outside its domain, and text that is not a number for a numeric option,
    /// must be refused; a value between "fast" and the cap may run past the timeout.
    func optionCase(_ rng: inout FuzzRandom) -> FuzzCase {
        let command = rng.pick(fuzzCommands)
        let option = rng.pick(command.options)
        var value: String
        switch rng.below(4) {
        case 0: value = rng.pick(hostileValues)
        case 1: value = "\(Int(pow(10, Double(rng.below(19)))) * (1 + rng.below(9)))"
        case 2: value = "\(rng.below(2000) - 100)"
        default: value = rng.pick(["1e\(rng.below(40))", "\(rng.unit() * 3)", "0:1:\(rng.below(1000))", "2x\(rng.below(64))", "0:\(rng.below(8)):0.5",
                                    "\(rng.below(4)):\(rng.below(4))", "1,\(rng.below(70))", "1e1...\(rng.below(9) + 1)e\(rng.below(12))"])
        }
        var arguments = command.base
        if let i = arguments.firstIndex(of: option.flag) { arguments[i + 1] = value } else { arguments += [option.flag, value] }
        // `--flag=value` so that a value starting with '-' reaches the option.
        if let i = arguments.firstIndex(of: option.flag) { arguments.replaceSubrange(i...(i + 1), with: ["\(option.flag)=\(value)"]) }
        let number = finiteNumber(value.trimmingCharacters(in: .whitespaces))
        var must: String? = nil
        var slow = false
        if option.numeric && option.flag != "--weights" {
            if let v = number {
                if option.invalid(v) { must = "\(option.flag) \(value) is outside the option's domain" }
                else if let cap = option.cap, v > cap { must = "\(option.flag) \(value) is above the cap \(cap)" }
                else if v > option.fast { slow = true }
            } else if option.flag != "--at" && option.flag != "--x0" || value.trimmingCharacters(in: .whitespaces).isEmpty {
                must = "\(option.flag) '\(value.prefix(40))' is not a number"
            }
        } else {
            slow = true   // text options (grids, ranges, network lists) may ask for any amount of work within the caps
        }
        if let must { return FuzzCase(kind: .option, arguments: arguments, oracle: .mustFail(must)) }
        return FuzzCase(kind: .option, arguments: arguments, oracle: .either { run in
            nonFiniteWord(run.stdout).map { "printed '\($0)' with exit 0" }
        }, mayBeSlow: slow)
    }
}
