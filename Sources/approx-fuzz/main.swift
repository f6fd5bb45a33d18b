import ArgumentParser
import Foundation
import FuzzHarness

/// `approx-fuzz`: the black-box fuzzer of issue 19 (docs/fuzzing.md).
struct ApproxFuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approx-fuzz",
        abstract: "Run generated hostile inputs (formulas, network files, sweep plans, option values) against approx-cli.",
        discussion: """
        Each case runs in its own folder with a timeout and a memory limit and ends in one class: \
        clean error, success (checked by an oracle), crash, hang, slow (allowed by a stated limit), \
        silent wrong or unclean error. Every finished case is appended to --journal, so an \
        interrupted run resumes where it stopped. Exits 1 when any case is a crash, a hang, a \
        silent wrong result or an unclean error; the failures are written to --failures.
        """
    )

    @Option(help: ArgumentHelp("The approx-cli executable.", valueName: "path")) var cli: String = ".build/release/approx-cli"
    @Option(help: "Number of cases.") var cases: Int = 1000
    @Option(help: "Seed (default: random, printed).") var seed: UInt64?
    @Option(help: "Cases at a time.") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seconds before a run counts as a hang.") var timeout: Double = 5
    @Option(help: ArgumentHelp("Address-space limit per run, GiB.", valueName: "GiB")) var memory: Int = 4
    @Option(help: ArgumentHelp("Only these kinds, comma separated (formula, network, plan, option).", valueName: "kinds")) var kinds: String?
    @Option(help: ArgumentHelp("Folder for the cases' working folders.", valueName: "dir")) var work: String = NSTemporaryDirectory() + "approx-fuzz"
    @Option(help: ArgumentHelp("JSON-lines journal of finished cases (resume).", valueName: "file")) var journal: String?
    @Option(help: ArgumentHelp("Write the summary JSON here.", valueName: "file")) var summary: String?
    @Option(help: ArgumentHelp("Write the failing cases (JSON lines) here.", valueName: "file")) var failures: String = "fuzz-failures.jsonl"
    @Option(help: ArgumentHelp("Run only these case indices of the seed's run (comma separated): a failure again, on a new build.", valueName: "i,j,..."))
    var only: String?

    func validate() throws {
        guard cases >= 1, cases <= 10_000_000 else { throw ValidationError("--cases \(cases): give 1 to 10,000,000") }
        guard jobs >= 1, jobs <= 256 else { throw ValidationError("--jobs \(jobs): give 1 to 256") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout \(timeout): give 0 to 3600 seconds") }
        guard memory >= 1, memory <= 1024 else { throw ValidationError("--memory \(memory): give 1 to 1024 GiB") }
        guard FileManager.default.isExecutableFile(atPath: cli) else { throw ValidationError("--cli \(cli): not an executable; build it with swift build -c release --product approx-cli") }
    }

    func run() throws {
        let seed = self.seed ?? UInt64.random(in: 0...UInt64.max)
        var generator = FuzzGenerator(seed: seed)
        if let kinds {
            generator.kinds = try kinds.split(separator: ",").map { name in
                guard let k = FuzzKind(rawValue: String(name)) else { throw ValidationError("--kinds: '\(name)' is not formula, network, plan or option") }
                return k
            }
        }
        var runner = FuzzRunner(executable: URL(fileURLWithPath: cli).standardizedFileURL.path, workFolder: work)
        runner.timeout = timeout; runner.memoryLimit = memory << 30; runner.jobs = jobs
        let log = try journal.map { try FuzzJournal(path: $0, seed: seed, cases: cases) }
        let previous = log?.results ?? []
        var skipped = Set(previous.map(\.index))
        if let only {
            let chosen = try Set(only.split(separator: ",").map { text -> Int in
                guard let i = Int(text.trimmingCharacters(in: .whitespaces)), (0..<cases).contains(i) else {
                    throw ValidationError("--only: '\(text)' is not a case index below --cases \(cases)")
                }
                return i
            })
            skipped.formUnion(Set(0..<cases).subtracting(chosen))
        }
        FileHandle.standardError.write(Data("approx-fuzz: \(cases) cases, seed \(seed), \(jobs) at a time, timeout \(timeout) s, \(memory) GiB each; \(previous.count) already in the journal\n".utf8))
        let terminal = isatty(2) != 0
        let start = Date()
        let fresh = try runner.run(count: cases, generator: generator, skipping: skipped) { result, finished in
            log?.append(result)
            if terminal && finished % 50 == 0 {
                FileHandle.standardError.write(Data("\r\u{1B}[K\(finished + previous.count)/\(cases) cases, \(Int(Date().timeIntervalSince(start))) s".utf8))
            }
            if result.outcome.isFailure {
                FileHandle.standardError.write(Data("\(terminal ? "\r\u{1B}[K" : "")case \(result.index): \(result.outcome.rawValue): \(result.reason.prefix(300))\n".utf8))
            }
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let results = (previous + fresh).sorted { $0.index < $1.index }
        let seconds = (log?.previousSeconds ?? 0) + Date().timeIntervalSince(start)
        log?.finish(seconds: seconds)
        let report = FuzzSummary(seed: seed, results: results, seconds: seconds, timeout: timeout)
        print(report.text)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        if let summary { try encoder.encode(report).write(to: URL(fileURLWithPath: summary), options: .atomic) }
        let failed = results.filter { $0.outcome.isFailure }
        encoder.outputFormatting = [.sortedKeys]
        let lines = try failed.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
        try Data((lines.isEmpty ? "" : lines + "\n").utf8).write(to: URL(fileURLWithPath: failures), options: .atomic)
        if !failed.isEmpty {
            print("\(failed.count) failing cases written to \(failures); reproduce one with its arguments, or rerun with --seed \(seed)")
            throw ExitCode(1)
        }
    }
}

ApproxFuzz.main()
