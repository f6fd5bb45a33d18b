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
    // Finished lines only: a SIGKILL can land inside the write of a line (Linux stops a write
    // between pages when a fatal signal is pending), and the torn rest is not a finished record.
    func lines() -> [Substring] {
        var pieces = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false)
        pieces.removeLast()   // after the last newline: empty, or a torn line
        return pieces
    }
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
        let arguments = ["dynamics", "early", "--data", "teacher", "--networks", "2x64,6x16", "--seeds", "2", "--samples", "64", "--input-dim", "8",
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
        let arguments = ["dynamics", "early", "--data", "teacher", "--networks", "2x32,3x16,4x8", "--seeds", "3", "--samples", "48", "--input-dim", "6",
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
        let arguments = ["dynamics", "long", "--data", "teacher", "--steps", "4000", "--sharpness-every", "100", "--save-every", "200", "--width", "16",
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
        let r = try runCLI(["dynamics", "long", "--data", "teacher", "--steps", "60", "--sharpness-every", "10", "--width", "16", "--samples", "64",
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
        (["--model", "mlp"], "--model mlp: give fcn, cnn or uv"),
        (["--model", "cnn", "--data", "teacher"], "--model cnn needs images"),
        (["--model", "cnn", "--networks", "1x8"], "a CNN has depth at least 2"),
        (["--data", "mnist"], "--data mnist: give digits or teacher"),
        (["--samples", "1798"], "--samples 1798: the digits have 1797 examples"),
        (["--samples", "0"], "--samples 0: the digits have 1797 examples"),
        (["--loss", "hinge"], "hinge"),
        (["--saturation-k", "0"], "--saturation-k 0.0: give K in 1…100000"),
        (["--saturation-k", "nan"], "--saturation-k nan: give K in 1…100000"),
        (["--saturation-k", "200", "--saturation-c", "1,-2"], "--saturation-c: '-2' is not a positive c"),
        (["--saturation-k", "200", "--saturation-c", "1e-9"], "--saturation-c: '1e-9' is not a positive c"),
        (["--data-file", "/nonexistent/digits.csv", "--networks", "2x8", "--seeds", "1"], "/nonexistent/digits.csv"),
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

    /// The digits, the CNN, the saturation measurement and the collapse report end to end:
    /// `dynamics early --model cnn` on 96 digits and `--model fcn` with `--saturation-k`, JSON
    /// keys, λ_τ/λ₀ for each c, the collapse groups of an equal-d/w pair, a rerun that measures
    /// nothing again, and `dynamics long` on the digits with the last-20 % summary.
    @Test func digitsCNNSaturationAndCollapseEndToEnd() throws {
        let dir = temporaryDirectory()
        let cnn = try runCLI(["dynamics", "early", "--model", "cnn", "--networks", "2x4,3x6", "--seeds", "2", "--samples", "96",
                              "--batch", "32", "--measurement", "48", "--steps", "4", "--scan", "0:5:1", "--refinements", "1",
                              "--out", dir + "/cnn", "--json"])
        #expect(cnn.status == 0, "\(cnn.stderr)")
        let cnnObject = try JSONSerialization.jsonObject(with: Data(cnn.stdout.utf8)) as! [String: Any]
        #expect((cnnObject["data"] as? String)?.hasPrefix("digits: the first 96") == true, "\(cnnObject["data"] ?? "")")
        #expect((cnnObject["plan"] as? [String: Any])?["model"] as? String == "cnn")
        #expect((cnnObject["summaries"] as! [[String: Any]]).allSatisfy { ($0["c_max"] as? [String: Double])?["median"] != nil })
        let arguments = ["dynamics", "early", "--networks", "2x16,4x32,2x8", "--seeds", "2", "--samples", "128", "--batch", "32",
                         "--measurement", "64", "--steps", "5", "--scan", "0:5:1", "--refinements", "1", "--saturation-k", "20",
                         "--saturation-c", "0.5,1.5", "--out", dir + "/fcn", "--json"]
        let fcn = try runCLI(arguments)
        #expect(fcn.status == 0, "\(fcn.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(fcn.stdout.utf8)) as! [String: Any]
        for s in object["summaries"] as! [[String: Any]] {
            let saturation = s["saturation"] as! [[String: Any]]
            #expect(saturation.map { $0["c"] as! Double } == [0.5, 1.5])
            #expect(saturation.map { $0["step"] as! Int } == [40, 14])
            #expect(saturation.allSatisfy { (($0["ratio"] as? [String: Double])?["median"] ?? -1) > 0 }, "\(saturation)")
            #expect((s["ordered_seeds"] as? Int).map { $0 >= 0 && $0 <= 2 } == true)
        }
        let collapse = object["collapse"] as! [String: Any]
        let groupings = collapse["groupings"] as! [[String: Any]]
        let byRatio = groupings.first { $0["variable"] as? String == "d/w" }!
        let groups = byRatio["groups"] as! [[String: Any]]
        #expect(groups.count == 1 && (groups[0]["networks"] as? [String]) == ["2x16", "4x32"], "\(groups)")
        // The pair's bootstrap interval over the seeds, when both networks found c_loss at both seeds.
        let verdict = groups[0]["verdict"] as? String ?? ""
        #expect(["agree", "differ", "unresolved", "no interval"].contains(verdict), "\(groups)")
        let seedValues = (object["summaries"] as! [[String: Any]]).filter { [16, 32].contains($0["width"] as? Int ?? 0) }
            .map { $0["c_loss_values"] as? [Double] ?? [] }
        let pair = (groups[0]["pairs"] as! [[String: Any]])[0]
        if seedValues.count == 2 && seedValues.allSatisfy({ $0.count == 2 }) {
            #expect(verdict != "no interval" && (pair["low"] as? Double ?? .infinity) <= (pair["high"] as? Double ?? -1), "\(pair)")
        }
        let notes = try String(contentsOfFile: dir + "/fcn/early.md", encoding: .utf8)
        #expect(notes.contains("Collapse of c_loss onto d/w"))
        let csv = try String(contentsOfFile: dir + "/fcn/early.csv", encoding: .utf8)
        #expect(csv.hasPrefix("depth,width,d_over_w,seeds,sharpness0,c_loss") && csv.contains("ordered_seeds,saturation_ratio_c0.5,saturation_ratio_c1.5"))
        let again = try runCLI(arguments)
        #expect(again.stderr.contains("6 already in") && again.stdout == fcn.stdout, "\(again.stderr)")
        // Fewer seeds and one network of the same journal: only those records, nothing measured.
        var fewer = arguments
        fewer[fewer.firstIndex(of: "--seeds")! + 1] = "1"
        fewer[fewer.firstIndex(of: "--networks")! + 1] = "2x16"
        let subset = try runCLI(fewer)
        #expect(subset.status == 0 && subset.stderr.contains("1 (network, seed) jobs, 1 already in"), "\(subset.stderr)")
        let subsetObject = try JSONSerialization.jsonObject(with: Data(subset.stdout.utf8)) as! [String: Any]
        #expect((subsetObject["summaries"] as! [[String: Any]]).map { $0["seeds"] as? Int } == [1])
        let long = try runCLI(["dynamics", "long", "--model", "cnn", "--depth", "3", "--width", "4", "--samples", "64", "--steps", "50",
                               "--sharpness-every", "5", "--c", "1", "--out", dir + "/long", "--json"])
        #expect(long.status == 0, "\(long.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(long.stdout.utf8)) as! [String: Any]
        let regimes = report["regimes"] as! [String: Any]
        #expect(regimes["final_samples"] as? Int == 2 && regimes["final_mean"] != nil, "\(regimes)")
    }
}
