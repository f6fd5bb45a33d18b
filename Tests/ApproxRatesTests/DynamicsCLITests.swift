import Foundation
import Testing
import ApproxRates

/// Runs the CLI with `arguments`, waits until `ready()` holds (polling every millisecond), then
/// kills it with SIGKILL (no clean-up). Returns whether it was still running when killed.
func runCLIKilled(_ arguments: [String], when ready: () -> Bool) throws -> Bool {
    let process = Process()
    process.executableURL = try cliURL()
    process.arguments = arguments
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    while process.isRunning, !ready() { usleep(1_000) }
    let wasRunning = process.isRunning
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    return wasRunning
}

/// Runs `arguments` into DIR/whole, then again into DIR/killed, killed (SIGKILL) once the journal
/// `journal` (a file in the output folder) has `atLeast` lines; appends a torn line to it and
/// reruns. Expects the killed run to have been running with fewer than `below` lines, the rerun to
/// succeed reporting the finished lines as "N already in", and those lines to be kept byte for
/// byte. Returns DIR, for the caller to compare the two folders' tables.
func killTearAndResume(_ arguments: [String], journal: String, atLeast: Int, below: Int) throws -> String {
    let dir = temporaryDirectory()
    let whole = try runCLI(arguments + ["--out", dir + "/whole"])
    #expect(whole.status == 0, "\(whole.stderr)")
    let file = dir + "/killed/" + journal
    func lines() -> [Substring] { ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n") }
    let wasRunning = try runCLIKilled(arguments + ["--out", dir + "/killed"]) { lines().count >= atLeast }
    #expect(wasRunning, "the run finished before it could be killed: make it slower")
    let before = lines()
    #expect(before.count >= atLeast && before.count < below)
    let handle = FileHandle(forWritingAtPath: file)!
    handle.seekToEndOfFile(); handle.write(Data("{\"plan\": \"".utf8)); try handle.close()
    let resumed = try runCLI(arguments + ["--out", dir + "/killed"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("\(before.count) already in"), "\(resumed.stderr)")
    #expect(Array(lines().prefix(before.count)) == before)
    return dir
}

@Suite(.serialized) struct DynamicsCLITests {
    /// `dynamics early --json` end to end on small ReLU networks: the summaries carry c_loss,
    /// c_sharp and c_max with their seed spread, the files are written, the ordering holds, the
    /// deeper/narrower network has the larger c_loss, and a rerun measures nothing again.
    @Test func earlyPhaseDiagramEndToEnd() throws {
        let dir = temporaryDirectory()
        let arguments = ["dynamics", "early", "--networks", "2x64,6x16", "--seeds", "2", "--samples", "64", "--input-dim", "8",
                         "--classes", "3", "--steps", "10", "--scan", "0:6:0.5", "--refinements", "2", "--out", dir, "--json"]
        let r = try runCLI(arguments)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["schema_version"] as? Int == 1)
        let summaries = object["summaries"] as! [[String: Any]]
        #expect(summaries.count == 2)
        var medians: [Double] = []
        for s in summaries {
            for key in ["c_loss", "c_sharp", "c_max"] {
                let spread = s[key] as? [String: Double]
                #expect(spread?["median"] != nil && spread?["min"] != nil && spread?["max"] != nil, "\(key) in \(s)")
            }
            #expect(s["ordered"] as? Bool == true, "\(s)")
            medians.append((s["c_loss"] as! [String: Double])["median"]!)
        }
        #expect(medians[1] > medians[0], "c_loss at d/w = 6/16 (\(medians[1])) vs 2/64 (\(medians[0]))")
        for file in ["critical.jsonl", "trajectories.jsonl", "early.csv", "early.json", "early.md", "early.tex", "phase-diagram.svg", "plots/trajectories-d2-w64.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)")
        }
        let lines = try String(contentsOfFile: dir + "/trajectories.jsonl", encoding: .utf8).split(separator: "\n")
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        for key in ["depth", "width", "seed", "c", "eta", "lambda0", "loss0", "losses", "sharpness", "regime", "diverged"] {
            #expect(first[key] != nil, "\(key)")
        }
        let again = try runCLI(arguments)
        #expect(again.status == 0)
        #expect(again.stderr.contains("4 already in"), "\(again.stderr)")
        #expect(again.stdout == r.stdout)
    }

    /// Killed (SIGKILL) once some (network, seed) records are in the journal, with a torn line
    /// appended, `dynamics early` resumes: the finished records are kept byte for byte and the
    /// table equals an uninterrupted run's.
    @Test func earlyKilledPartWayResumesToTheSameTable() throws {
        let arguments = ["dynamics", "early", "--networks", "2x32,3x16,4x8", "--seeds", "3", "--samples", "48", "--input-dim", "6",
                         "--classes", "3", "--steps", "8", "--scan", "0:6:0.5", "--refinements", "2", "--jobs", "1", "--json"]
        let dir = try killTearAndResume(arguments, journal: "critical.jsonl", atLeast: 3, below: 9)
        let a = try String(contentsOfFile: dir + "/whole/early.csv", encoding: .utf8)
        let b = try String(contentsOfFile: dir + "/killed/early.csv", encoding: .utf8)
        #expect(a == b)
    }

    /// `dynamics long` killed (SIGKILL) after it saved a state resumes from it, and its samples
    /// and regimes equal an uninterrupted run's.
    @Test func longRunKilledAndResumedEqualsAnUninterruptedRun() throws {
        let dir = temporaryDirectory()
        let arguments = ["dynamics", "long", "--steps", "4000", "--sharpness-every", "100", "--save-every", "200", "--width", "16",
                         "--samples", "64", "--input-dim", "8", "--classes", "3", "--c", "1.5"]
        let whole = try runCLI(arguments + ["--out", dir + "/whole"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let wasRunning = try runCLIKilled(arguments + ["--out", dir + "/killed"]) {
            FileManager.default.fileExists(atPath: dir + "/killed/state.json")
        }
        #expect(wasRunning, "the run finished before it could be killed: make it longer")
        let resumed = try runCLI(arguments + ["--out", dir + "/killed"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming from"), "\(resumed.stderr)")
        let a = try String(contentsOfFile: dir + "/whole/long.jsonl", encoding: .utf8)
        let b = try String(contentsOfFile: dir + "/killed/long.jsonl", encoding: .utf8)
        #expect(a == b)
        #expect(whole.stdout == resumed.stdout)
    }

    /// `dynamics long --json` writes its files and reports the regimes; λ₀ and the first
    /// sharpness sample agree, and λ_t η at step 0 is c.
    @Test func longRunEndToEnd() throws {
        let dir = temporaryDirectory()
        let r = try runCLI(["dynamics", "long", "--steps", "60", "--sharpness-every", "10", "--width", "16", "--samples", "64",
                            "--input-dim", "8", "--classes", "3", "--c", "1.5", "--out", dir, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        for key in ["regimes", "all_four", "lambda0", "eta", "final_loss", "steps"] { #expect(object[key] != nil, "\(key)") }
        #expect(object["steps"] as? Int == 60)
        let lines = try String(contentsOfFile: dir + "/long.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 7)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(Swift.abs((first["sharpness_times_eta"] as! Double) - 1.5) < 1e-12)
        for file in ["long.json", "long.svg"] { #expect(FileManager.default.fileExists(atPath: dir + "/" + file)) }
        let bad = try runCLI(["dynamics", "long", "--c=-1", "--out", dir])
        #expect(bad.status != 0 && bad.stderr.contains("--c -1.0: give a positive number"), "\(bad.stderr)")
    }

    @Test(arguments: [
        (["--networks", "4"], "is not (depth)x(width)"),
        (["--model", "uv", "--networks", "3x8"], "the uv model has depth 2"),
        (["--model", "cnn"], "--model cnn: give fcn or uv"),
        (["--scan", "0:2"], "--scan 0:2: give from:to:step"),
        (["--seeds", "0"], "--seeds 0: give at least 1"),
        (["--batch=-3"], "--batch -3"),
    ])
    func earlyBadInput(arguments: [String], message: String) throws {
        let r = try runCLI(["dynamics", "early", "--out", temporaryDirectory()] + arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }
}
