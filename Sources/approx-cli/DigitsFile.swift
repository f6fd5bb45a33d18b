import ApproxRates
import Foundation

/// The digits file: `option` when given; else data/digits/digits.csv in the working directory, or
/// in the nearest folder above the running executable that has it (so the built
/// .build/release/approx-cli finds the repository's copy from anywhere). Throws a message naming
/// the places looked in.
func digitsFile(_ option: String?) throws -> String {
    if let option { return option }
    let relative = EarlyPhaseDiagramPlan.defaultDigitsFile
    if FileManager.default.fileExists(atPath: relative) { return relative }
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<6 {
        let candidate = folder.appendingPathComponent(relative).path
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    throw CLIError("the digits file \(relative) is not in the working directory nor above the approx-cli executable: run from the repository's root, or give --data-file PATH (bash scripts/make-digits.sh --write recreates it)")
}
