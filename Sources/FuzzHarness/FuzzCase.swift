import Foundation

/// The four kinds of hostile input the harness generates (issue 19).
public enum FuzzKind: String, CaseIterable, Codable, Sendable {
    /// Formulas typed as `--target`.
    case formula
    /// Network files given to `eval`.
    case network
    /// Sweep plans given to `sweep`.
    case plan
    /// Option values of every command.
    case option
}

/// What a case's outcome must be for the harness to call it right.
public enum FuzzOracle: Sendable {
    /// The input is invalid: only a clean error is right; exit 0 is silent nonsense.
    case mustFail(String)
    /// Either a clean error or a success that `check` accepts (it returns why the output is
    /// wrong, or nil).
    case either(@Sendable (FuzzRun) -> String?)
}

/// One generated case: a command line, the files it reads, and its oracle.
public struct FuzzCase: Sendable {
    /// Which generator made it.
    public let kind: FuzzKind
    /// Arguments after the executable; `@DIR` is replaced by the case's folder and `@SHARED` by
    /// the run's shared folder.
    public let arguments: [String]
    /// Files written into the case's folder before the run (name → bytes).
    public let files: [String: Data]
    /// The judgement of the outcome.
    public let oracle: FuzzOracle
    /// True when the case asks for work that a stated limit allows and that may take longer
    /// than the timeout: a timeout is then "slow, allowed", not a hang.
    public let mayBeSlow: Bool

    public init(kind: FuzzKind, arguments: [String], files: [String: Data] = [:], oracle: FuzzOracle, mayBeSlow: Bool = false) {
        self.kind = kind; self.arguments = arguments; self.files = files; self.oracle = oracle; self.mayBeSlow = mayBeSlow
    }
}

/// What one run of the CLI did.
public struct FuzzRun: Sendable {
    /// Exit status (when it exited).
    public let status: Int32
    /// The signal that ended it, if any (the timeout's kill included).
    public let signal: Int32?
    /// True when the harness killed it at the timeout.
    public let timedOut: Bool
    public let stdout: String
    public let stderr: String
    /// The case's folder after the run (to inspect files it wrote).
    public let folder: String
    public let seconds: Double

    public init(status: Int32, signal: Int32?, timedOut: Bool, stdout: String, stderr: String, folder: String, seconds: Double) {
        self.status = status; self.signal = signal; self.timedOut = timedOut; self.stdout = stdout; self.stderr = stderr
        self.folder = folder; self.seconds = seconds
    }
}

/// How a case ended, in the classes.
public enum FuzzOutcome: String, CaseIterable, Codable, Sendable {
    /// A non-zero exit with a one-line `Error:` message (and usage lines for option errors).
    case cleanError = "clean error"
    /// Exit 0 and the oracle accepted the output.
    case success
    /// Ended by a signal (a trap, an abort, a segmentation fault).
    case crash
    /// Still running at the timeout, on work no limit allows.
    case hang
    /// Still running at the timeout on work a stated limit allows (counted apart, not a failure).
    case slowAllowed = "slow (allowed by a stated limit)"
    /// Exit 0 with output the oracle rejects, or exit 0 for input that must be refused.
    case silentWrong = "silent wrong"
    /// A non-zero exit without a clean message (a backtrace, an empty or multi-page message).
    case uncleanError = "unclean error"

    /// True for the outcomes that are bugs.
    public var isFailure: Bool { [.crash, .hang, .silentWrong, .uncleanError].contains(self) }
}

/// Classifies `run` of `fuzzCase`; the second value says why, for failures.
public func classify(_ run: FuzzRun, of fuzzCase: FuzzCase) -> (FuzzOutcome, String) {
    if run.timedOut { return fuzzCase.mayBeSlow ? (.slowAllowed, "") : (.hang, "no output after the timeout") }
    if let s = run.signal { return (.crash, "signal \(s)") }
    if run.status >= 128 { return (.crash, "exit \(run.status)") }
    let trap = ["Fatal error", "Backtrac", "Segmentation", "Illegal instruction", "Assertion", "Precondition failed"]
    if let t = trap.first(where: { run.stderr.contains($0) }) { return (.crash, "stderr shows '\(t)'") }
    if run.status != 0 {
        // Progress lines may come first (sweep, dynamics); then exactly one `Error: ` line, and
        // for option errors ArgumentParser's usage and help lines.
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        let errors = lines.indices.filter { lines[$0].hasPrefix("Error: ") }
        guard errors.count == 1, let at = errors.first else {
            return (.uncleanError, "\(errors.count) 'Error: ' lines in stderr: \(run.stderr.prefix(200))")
        }
        let extra = lines[(at + 1)...].filter { !($0.hasPrefix("Usage:") || $0.hasPrefix("  See '") || $0.hasPrefix("  ") || $0.hasPrefix("Help:")) }
        guard extra.count <= 3, lines[at].count <= 2000 else { return (.uncleanError, "a long error: \(run.stderr.prefix(200))") }
        return (.cleanError, "")
    }
    switch fuzzCase.oracle {
    case .mustFail(let why): return (.silentWrong, "exit 0 for invalid input (\(why))")
    case .either(let check):
        if let wrong = check(run) { return (.silentWrong, wrong) }
        return (.success, "")
    }
}
