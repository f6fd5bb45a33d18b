import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs generated cases against the CLI binary, each in its own folder, with a timeout and a
/// memory limit, and counts the outcomes.
public struct FuzzRunner: Sendable {
    /// The approx-cli executable.
    public var executable: String
    /// Wall-clock seconds before a run is killed (and called a hang unless its case may be slow).
    public var timeout: Double = 5
    /// Address-space limit of each run, bytes (`ulimit -v`).
    public var memoryLimit: Int = 4 << 30
    /// Runs at a time.
    public var jobs: Int = 2
    /// A folder for the cases' folders and the shared inputs.
    public var workFolder: String

    public init(executable: String, workFolder: String) { self.executable = executable; self.workFolder = workFolder }

    /// One case's result.
    public struct Result: Sendable, Codable {
        public let index: Int
        public let kind: FuzzKind
        public let outcome: FuzzOutcome
        public let reason: String
        public let arguments: [String]
        public let files: [String: String]
        public let seconds: Double
        public let stderr: String
    }

    /// The shared inputs of every case (a built tooth network): built once per run.
    public func prepareShared() throws -> String {
        let shared = workFolder + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        let run = try execute(["build", "tooth", "-o", shared + "/t.json"], folder: shared)
        guard run.status == 0 else { throw FuzzError("cannot build the shared network: \(run.stderr)") }
        return shared
    }

    /// Runs one case in a fresh folder under the work folder and classifies it.
    public func run(_ fuzzCase: FuzzCase, index: Int, shared: String) -> Result {
        let folder = workFolder + "/case-\(index)"
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, data) in fuzzCase.files { FileManager.default.createFile(atPath: folder + "/" + name, contents: data) }
        let arguments = fuzzCase.arguments.map { $0.replacingOccurrences(of: "@DIR", with: folder).replacingOccurrences(of: "@SHARED", with: shared) }
        let run: FuzzRun
        do { run = try execute(arguments, folder: folder) } catch {
            return Result(index: index, kind: fuzzCase.kind, outcome: .crash, reason: "could not start: \(error)", arguments: fuzzCase.arguments,
                          files: [:], seconds: 0, stderr: "")
        }
        let (outcome, reason) = classify(run, of: fuzzCase)
        let files = outcome.isFailure ? fuzzCase.files.mapValues { String(decoding: $0.prefix(100_000), as: UTF8.self) } : [:]
        return Result(index: index, kind: fuzzCase.kind, outcome: outcome, reason: reason, arguments: outcome.isFailure ? fuzzCase.arguments : [],
                      files: files, seconds: run.seconds, stderr: outcome.isFailure ? String(run.stderr.prefix(2000)) : "")
    }

    /// Runs the CLI with `arguments` in `folder` under the limits.
    public func execute(_ arguments: [String], folder: String) throws -> FuzzRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(memoryLimit / 1024) 2>/dev/null; exec \"$0\" \"$@\"", executable] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("APPROX_") { environment[key] = nil }
        process.environment = environment
        let outPath = folder + "/.fuzz-stdout", errPath = folder + "/.fuzz-stderr"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = FileHandle(forWritingAtPath: outPath)!, err = FileHandle(forWritingAtPath: errPath)!
        defer { try? out.close(); try? err.close() }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        let pid = process.processIdentifier
        let killed = KillFlag()
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { if process.isRunning { killed.set(); kill(pid, SIGKILL) } }
        timer.resume()
        process.waitUntilExit()
        timer.cancel()
        let seconds = Date().timeIntervalSince(start)
        let read = { (path: String) in String(decoding: (FileManager.default.contents(atPath: path) ?? Data()).prefix(1 << 20), as: UTF8.self) }
        let signal: Int32? = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        return FuzzRun(status: process.terminationStatus, signal: signal, timedOut: killed.value, stdout: read(outPath), stderr: read(errPath),
                       folder: folder, seconds: seconds)
    }

    /// Runs `count` cases of `generator` (seeded), `jobs` at a time; `progress` sees each result.
    public func run(count: Int, generator: FuzzGenerator, skipping done: Set<Int> = [],
                    progress: @escaping @Sendable (Result, Int) -> Void = { _, _ in }) throws -> [Result] {
        let shared = try prepareShared()
        let results = ResultSink(count: count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: max(1, jobs)) { _ in
            while true {
                let i = next.take()
                if i >= count { return }
                if done.contains(i) { continue }
                let result = run(generator.make(index: i), index: i, shared: shared)
                results.store(result, at: i)
                progress(result, results.finished)
            }
        }
        return results.all
    }
}

/// The summary of a run: counts per kind and outcome, and the wall time.
public struct FuzzSummary: Codable, Sendable {
    public let seed: UInt64
    public let cases: Int
    public let seconds: Double
    public let timeout: Double
    public let outcomes: [String: Int]
    public let byKind: [String: [String: Int]]
    public let failures: Int

    public init(seed: UInt64, results: [FuzzRunner.Result], seconds: Double, timeout: Double) {
        self.seed = seed; cases = results.count; self.seconds = seconds; self.timeout = timeout
        var outcomes: [String: Int] = [:], byKind: [String: [String: Int]] = [:]
        for r in results {
            outcomes[r.outcome.rawValue, default: 0] += 1
            byKind[r.kind.rawValue, default: [:]][r.outcome.rawValue, default: 0] += 1
        }
        self.outcomes = outcomes; self.byKind = byKind
        failures = results.filter { $0.outcome.isFailure }.count
    }

    /// A few lines for the terminal.
    public var text: String {
        var lines = ["\(cases) cases (seed \(seed)) in \(String(format: "%.0f", seconds)) s, timeout \(timeout) s: \(failures) failures"]
        for kind in FuzzKind.allCases {
            let counts = byKind[kind.rawValue] ?? [:]
            let total = counts.values.reduce(0, +)
            let parts = FuzzOutcome.allCases.compactMap { o in counts[o.rawValue].map { "\(o.rawValue) \($0)" } }
            lines.append("  \(kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(total): " + parts.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

/// An error of the harness itself.
public struct FuzzError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

final class KillFlag: @unchecked Sendable {
    private var flag = false
    private let lock = NSLock()
    func set() { lock.lock(); flag = true; lock.unlock() }
    var value: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}

final class Counter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func take() -> Int { lock.lock(); defer { n += 1; lock.unlock() }; return n }
}

final class ResultSink: @unchecked Sendable {
    private var results: [FuzzRunner.Result?]
    private var done = 0
    private let lock = NSLock()
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func store(_ r: FuzzRunner.Result, at i: Int) { lock.lock(); results[i] = r; done += 1; lock.unlock() }
    var finished: Int { lock.lock(); defer { lock.unlock() }; return done }
    var all: [FuzzRunner.Result] { lock.lock(); defer { lock.unlock() }; return results.compactMap { $0 } }
}
