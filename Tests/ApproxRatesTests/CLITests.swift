import Foundation
import Testing
import ApproxRates

/// Runs the built `approx-cli` (found beside the test bundle, or at $APPROX_CLI).
func runCLI(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = try cliURL()
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Both pipes are drained at once: reading one to its end while the process fills the other
    // (more than a pipe's 64 KB) would wait forever.
    let errors = UncheckedBox<Data>()
    let reader = Thread { errors.value = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    while errors.value == nil { usleep(200) }
    let e = errors.value!
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// A value written by one thread and read by another after it is set.
final class UncheckedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

func cliURL() throws -> URL {
    if let path = ProcessInfo.processInfo.environment["APPROX_CLI"] { return URL(fileURLWithPath: path) }
    var candidates: [URL] = []
    for start in [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])] {
        var dir = start
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            candidates.append(dir.appendingPathComponent("approx-cli"))
        }
    }
    if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
    throw CLIMissing(searched: candidates.map(\.path))
}

struct CLIMissing: Error, CustomStringConvertible {
    let searched: [String]
    var description: String { "approx-cli not built (run `swift build --product approx-cli`); looked in \(searched)" }
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "approx-tests-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite(.serialized) struct CLITests {
    @Test func versionAndHelp() throws {
        let v = try runCLI(["--version"])
        #expect(v.status == 0 && v.stdout.contains("approx-cli 0.2.0") && v.stdout.contains("MPFR 4."))
        let h = try runCLI(["--help"])
        #expect(h.status == 0)
        for word in ["eval", "inspect", "build", "export", "demo", "USAGE"] { #expect(h.stdout.contains(word)) }
        let e = try runCLI(["eval", "--help"])
        #expect(e.stdout.contains("--precision") && e.stdout.contains("Examples"))
    }

    @Test func buildInspectEvalExport() throws {
        let dir = temporaryDirectory()
        let file = dir + "/sq.json"
        #expect(try runCLI(["build", "squaring", "--m", "30", "-o", file]).status == 0)
        let inspect = try runCLI(["inspect", file, "--json"])
        #expect(inspect.status == 0)
        let info = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as! [String: Any]
        #expect(info["W_all"] as? Int == 300 && info["depth"] as? Int == 31 && info["pieces"] is NSNull)
        // f_30 at the midpoint 3/2^31 is (3/2^31)^2 + 2^-62 = 10/2^62, exactly.
        let mp = try runCLI(["eval", file, "--at", "0x3p-31", "--precision", "128", "--format", "csv"])
        #expect(mp.status == 0)
        let fields = mp.stdout.split(separator: "\n").last!.split(separator: ",").map(String.init)
        let expected = BigFloat(10, precision: try Precision(bits: 128)).scaled(byPowerOfTwo: -62)
        #expect(try BigFloat(parsing: fields[1], precision: try Precision(bits: 128)).isIdentical(to: expected))
        #expect(try BigFloat(parsing: fields[0], precision: .double) == BigFloat(3.0).scaled(byPowerOfTwo: -31))
        let json = try runCLI(["eval", file, "--grid", "0:1:3", "--double", "--format", "json"])
        #expect(json.status == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect((parsed["points"] as! [Any]).count == 3 && parsed["arithmetic"] as? String == "float64")
        // Pieces of a small net: the sawtooth g_4 has 16 on [0, 1].
        let saw = dir + "/saw.json"
        #expect(try runCLI(["build", "sawtooth", "--s", "4", "-o", saw]).status == 0)
        #expect(try runCLI(["inspect", saw]).stdout.contains("16 on [0, 1], exact"))
        // safetensors: header length, JSON header, offsets that tile the data.
        let st = dir + "/sq.safetensors"
        #expect(try runCLI(["export", file, "--safetensors", st]).status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: st))
        let n = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian)
        #expect(n % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
        let w0 = header["layers.0.weight"] as! [String: Any]
        #expect(w0["dtype"] as? String == "F64" && (w0["shape"] as! [Int]) == [3, 1])
        let ends = header.values.compactMap { ($0 as? [String: Any])?["data_offsets"] as? [Int] }.map { $0[1] }
        #expect(ends.max()! == bytes.count - 8 - n)
    }

    /// Every bad input gets a one-line message naming the problem and a non-zero exit, never a trace.
    @Test(arguments: [
        ("{\"format\": \"approxrates-network\", \"version\": 1, ", "not valid JSON"),
        ("{\"format\": \"approxrates-network\", \"version\": 1, \"input_dimension\": 1, \"layers\": [{\"inputs\": 1, \"outputs\": 1, \"precision\": 53, \"storage\": \"dense\", \"weights\": [[\"abc\"]], \"bias\": [\"0\"], \"activation\": \"relu\"}]}", "layer 0, weight (0, 0): 'abc' is not a number"),
        ("{\"format\": \"approxrates-network\", \"version\": 1, \"input_dimension\": 1, \"layers\": [{\"inputs\": 2, \"outputs\": 1, \"precision\": 53, \"storage\": \"dense\", \"weights\": [[\"1\", \"2\"]], \"bias\": [\"0\"], \"activation\": \"relu\"}]}", "layer 0 takes 2 inputs but the stage before it has 1 outputs"),
        ("{\"format\": \"approxrates-network\", \"version\": 1, \"input_dimension\": 1, \"layers\": [{\"inputs\": 1, \"outputs\": 1, \"precision\": 1, \"storage\": \"dense\", \"weights\": [[\"1\"]], \"bias\": [\"0\"], \"activation\": \"relu\"}]}", "layer 0: precision 1: give at least 2 bits"),
        ("{\"format\": \"approxrates-network\", \"version\": 1, \"input_dimension\": 1, \"layers\": [{\"inputs\": 1, \"outputs\": 1, \"precision\": 53, \"storage\": \"dense\", \"weights\": [[1.5]], \"bias\": [\"0\"], \"activation\": \"tanh\"}]}", "expected a number as a string"),
        ("[1, 2", "not valid JSON"),
    ])
    func badNetworkFiles(content: String, message: String) throws {
        let file = temporaryDirectory() + "/bad.json"
        try content.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try runCLI(["eval", file, "--at", "0.5"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "stderr was: \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
    }

    @Test(arguments: [
        (["--precision", "1"], "--precision 1: give at least 2 bits"),
        (["--precision", "9223372036854775807"], "--precision 9223372036854775807: at most 16,777,216 bits (the precision cap"),
        (["--precision", "many"], "is not a whole number of bits"),
        (["--at", "nan"], "is not finite"),
        (["--at", "inf"], "is not finite"),
        (["--at", "0.5,1"], "has 2 coordinates; the network takes 1"),
        (["--at", "0.5x"], "'0.5x' is not a number"),
        (["--grid", "0:1"], "expected a:b:n"),
    ])
    func badEvalArguments(arguments: [String], message: String) throws {
        let dir = temporaryDirectory()
        let file = dir + "/t.json"
        #expect(try runCLI(["build", "tooth", "-o", file]).status == 0)
        let pointArgs = arguments.contains("--at") || arguments.contains("--grid") ? [] : ["--at", "0.5"]
        let r = try runCLI(["eval", file] + pointArgs + arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "stderr was: \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test func missingFile() throws {
        let r = try runCLI(["inspect", "/nonexistent/net.json"])
        #expect(r.status != 0 && r.stderr.contains("/nonexistent/net.json: no such file"))
        let e = try runCLI(["export", "/nonexistent/net.json", "--safetensors", "/tmp/x.safetensors"])
        #expect(e.status != 0 && e.stderr.contains("no such file"))
    }
}

@Suite struct BadInputLibraryTests {
    @Test func mismatchedLayersAreRefused() throws {
        let a = try AffineLayer.dense([[1, 2]], bias: [0], activation: .relu)
        #expect(throws: NetworkError.mismatchedSizes(layer: 0, expected: 2, actual: 1)) {
            try Network(inputDimension: 1, layers: [a])
        }
        #expect(throws: NetworkError.self) { try AffineLayer.dense([[1], [2]], bias: [0], activation: .relu) }
    }

    @Test func nonFiniteInputsAreRefused() throws {
        let net = Sawtooth.tooth()
        #expect(throws: NetworkError.nonFiniteInput(point: 1, coordinate: 0)) {
            try DoubleEvaluator(network: net).evaluate([[0.5], [.nan]])
        }
        let nan = try BigFloat(parsing: "nan", precision: .double)
        #expect(throws: NetworkError.nonFiniteInput(point: 0, coordinate: 0)) {
            try MPFREvaluator(network: net, precision: .double).evaluate([[nan]])
        }
    }
}

@Suite(.serialized) struct RateCLITests {
    @Test func rateTableJSONAndCSV() throws {
        let table = try runCLI(["rate", "--target", "power", "--smoothness", "1", "--weights", "1e2...3e3", "--points", "4"])
        #expect(table.status == 0, "\(table.stderr)")
        for word in ["W_all", "W_nz", "depth", "precision", "argmax", "fit", "p_shallow = r/d = 1", "p_max = 2r/d = 2"] {
            #expect(table.stdout.contains(word), "\(word)")
        }
        let json = try runCLI(["rate", "--target", "smooth-sine", "--construction", "taylor", "--weights", "5e2...3e3", "--points", "3", "--search-points", "2048", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let rows = object["rows"] as! [[String: Any]]
        #expect(rows.count >= 2)
        for key in ["W_all", "W_nz", "depth", "width", "precision", "error", "argmax", "seconds"] { #expect(rows[0][key] != nil, "\(key)") }
        let fit = object["fit"] as! [String: Any]
        for key in ["p", "p_low", "p_high", "against"] { #expect(fit[key] != nil, "\(key)") }
        #expect(fit["against"] as? String == "W/lnW")
        let theory = object["theory"] as! [String: Any]
        #expect(theory["p_shallow"] as? Double == 2 && theory["p_max"] as? Double == 4)
        let csv = try runCLI(["rate", "--target", "abs(x-1/3)^0.75 + 0.1*sin(7*x)", "--smoothness", "0.75", "--weights", "1e2...1e3", "--points", "3", "--csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.hasPrefix("W_all,W_nz,depth,width,N,precision,error,argmax,digits,resolved,seconds\n"))
        #expect(csv.stdout.split(separator: "\n").count == 4)
    }

    // ReLU² Taylor from the CLI: the JSON names the activation, the fit is against W (no log),
    // the VC check uses the piecewise-polynomial bound, and p is r/d = 2 within 0.15.
    @Test func reluSquaredTaylorRate() throws {
        let json = try runCLI(["rate", "--target", "smooth-sine", "--construction", "taylor", "--activation", "relu^2",
                               "--weights", "3e2...1e4", "--points", "4", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(object["activation"] as? String == "relu^2")
        let fit = object["fit"] as! [String: Any]
        #expect(fit["against"] as? String == "W")
        let p = try #require(fit["p"] as? Double)
        #expect(abs(p - 2) <= 0.15, "p = \(p)")
        let consistency = object["consistency"] as! [String: Any]
        #expect(consistency["vc_bound"] as? String == "min(W^2, W L^2 log W)")
        #expect(consistency["vc_bound_holds"] as? Bool == true)
    }

    // The sine lookup from the CLI: rows, a fit of exp(-c W^beta) with beta > 0.5 on an analytic
    // target (the degree grows at fixed K), the plot written, and bad options refused.
    @Test func sineLookupCommand() throws {
        let dir = temporaryDirectory()
        let json = try runCLI(["sine", "--target", "smooth-sine", "--cells", "4", "--degrees", "2,5,8", "--bits", "96",
                               "--json", "-o", dir + "/sine.svg"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let rows = object["rows"] as! [[String: Any]]
        #expect(rows.count == 3)
        let errors = rows.map { $0["error_value"] as! Double }
        #expect(errors[2] < errors[1] / 100 && errors[1] < errors[0] / 10, "\(errors)")
        let beta = try #require((object["fit"] as? [String: Any])?["beta"] as? Double)
        #expect(beta > 0.5, "beta \(beta)")
        #expect(FileManager.default.fileExists(atPath: dir + "/sine.svg"))
        for (arguments, message) in [(["--cells", "6"], "--cells '6' is not allowed"), (["--cells", "4,8192"], "--cells '4,8192' is not allowed"),
                                     (["--cells", "4,,8"], "--cells '4,,8' is not allowed"), (["--degrees", "2,x"], "--degrees '2,x' is not allowed"),
                                     (["--bits", "8"], "--bits 8 is not allowed"), (["--dim", "2"], "needs a 1-D target")] {
            let bad = try runCLI(["sine", "--target", "smooth-sine"] + arguments)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains(message), "\(bad.stderr)")
        }
    }

    // Growing tables on a Hölder target (degree 0, K = 4, 8, 16): one row per K with the bits a
    // table weight holds, the local slopes, and a checkpoint that a rerun reads back instead of
    // measuring (the same rows, bit for bit).
    @Test func sineLookupGrowsItsTablesOnAHolderTarget() throws {
        let dir = temporaryDirectory()
        let arguments = ["sine", "--target", "lacunary", "--smoothness", "0.5", "--degrees", "0", "--cells", "4,8,16", "--bits", "24",
                         "--checkpoint", dir + "/rows.jsonl", "--json"]
        let first = try runCLI(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [String: Any]
        let rows = object["rows"] as! [[String: Any]]
        #expect(rows.map { $0["cells"] as! Int } == [4, 8, 16] && rows.allSatisfy { $0["degree"] as! Int == 0 })
        #expect((object["local_slopes"] as! [Double]).count == 2)
        #expect(try String(contentsOfFile: dir + "/rows.jsonl", encoding: .utf8).split(separator: "\n").count == 3)
        let again = try runCLI(arguments)
        #expect(again.status == 0 && again.stdout == first.stdout)
        #expect(rows.allSatisfy { $0["sine_precision"] as? Int == 24 + 268 }, "\(rows)")
        // Rows measured with sine results at the full precision (no sinePrecision, as written
        // before it existed) are measured again, not read back: here they carry a false error.
        let lines = try String(contentsOfFile: dir + "/rows.jsonl", encoding: .utf8).split(separator: "\n").map { line -> String in
            var row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            row["sinePrecision"] = nil; row["errorValue"] = 9.0; row["error"] = "9"
            return String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/old.jsonl", atomically: true, encoding: .utf8)
        let remeasured = try runCLI(arguments.map { $0 == dir + "/rows.jsonl" ? dir + "/old.jsonl" : $0 })
        #expect(remeasured.status == 0, "\(remeasured.stderr)")
        let remeasuredRows = (try JSONSerialization.jsonObject(with: Data(remeasured.stdout.utf8)) as! [String: Any])["rows"] as! [[String: Any]]
        #expect(remeasuredRows.map { $0["error"] as! String } == rows.map { $0["error"] as! String })
        #expect(try String(contentsOfFile: dir + "/old.jsonl", encoding: .utf8).split(separator: "\n").count == 6)
        // A checkpoint that is not one is refused by name, not overwritten.
        try "{\"bad\": 1}\n".write(toFile: dir + "/other.jsonl", atomically: true, encoding: .utf8)
        let bad = try runCLI(["sine", "--target", "power", "--smoothness", "0.5", "--degrees", "0", "--cells", "4", "--checkpoint", dir + "/other.jsonl"])
        #expect(bad.status != 0 && bad.stderr.contains("other.jsonl: line 1 is not a sine row"), "\(bad.stderr)")
        #expect(try String(contentsOfFile: dir + "/other.jsonl", encoding: .utf8) == "{\"bad\": 1}\n")
    }

    @Test func deepRateWithDoublePrecisionColumn() throws {
        let json = try runCLI(["rate", "--target", "lacunary", "--smoothness", "1", "--construction", "deep", "--weights", "1e3...5e3",
                               "--points", "3", "--compare-precision", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let rows = object["rows"] as! [[String: Any]]
        #expect(rows.count == 3)
        for row in rows {
            let bits = try #require(row["bits_per_weight"] as? Int)
            #expect(bits > 20)
            #expect(row["error_53"] as? String != nil)
            #expect((row["precision"] as! Int) > bits)
        }
        // 75-bit codes (N = M = 32) cannot live in 53 bits: the double-precision error is larger.
        let last = rows.last!
        #expect((last["error_53_value"] as! Double) > 2 * (last["error_value"] as! Double))
        #expect(object["alpha"] as? Double == 1)
        let consistency = object["consistency"] as! [String: Any]
        #expect(consistency["depth_law_holds"] as? Bool == true)
        let table = try runCLI(["rate", "--target", "lacunary", "--smoothness", "0.5", "--construction", "deep", "--alpha", "0.5",
                                "--weights", "1e3...3e3", "--points", "2"])
        #expect(table.status == 0, "\(table.stderr)")
        for word in ["bits/weight", "depth law", "VC bound", "deep by its own bound: 0.75"] { #expect(table.stdout.contains(word), "\(word)") }
        for (arguments, message) in [(["--alpha", "1.5"], "--alpha 1.5 is not allowed: use 0 < alpha <= 1"),
                                     (["--alpha", "0.5", "--construction", "taylor"], "--alpha applies to the deep and fixed-width constructions only"),
                                     (["--precision", "8"], "--precision 8 is not allowed"),
                                     (["--precision", "53", "--compare-precision"], "exclude each other")] {
            var full = ["rate", "--target", "lacunary", "--smoothness", "1"]
            if !arguments.contains("taylor") { full += ["--construction", "deep"] }
            let bad = try runCLI(full + arguments)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains(message), "\(bad.stderr)")
        }
    }

    @Test func rateCheckpointResumes() throws {
        let dir = temporaryDirectory()
        let file = dir + "/rows.jsonl"
        let args = ["rate", "--target", "power", "--smoothness", "0.5", "--weights", "1e2...1e3", "--points", "3", "--checkpoint", file, "--json"]
        let first = try runCLI(args)
        #expect(first.status == 0)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let second = try runCLI(args)
        #expect(second.status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count == 3)   // nothing re-measured
        let a = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [String: Any]
        let b = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as! [String: Any]
        #expect((a["rows"] as! [[String: Any]]).map { $0["error"] as! String } == (b["rows"] as! [[String: Any]]).map { $0["error"] as! String })
        // A trimmed range whose W pick the same grid sizes reuses their rows (matched by N, not by W).
        var trimmed = args
        trimmed[trimmed.firstIndex(of: "1e2...1e3")!] = "1.1e2...3e2"
        trimmed[trimmed.firstIndex(of: "3")!] = "2"
        let third = try runCLI(trimmed)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count == 3)   // nothing re-measured
        let c = try JSONSerialization.jsonObject(with: Data(third.stdout.utf8)) as! [String: Any]
        #expect((c["rows"] as! [[String: Any]]).map { $0["error"] as! String } == Array((a["rows"] as! [[String: Any]]).map { $0["error"] as! String }.prefix(2)))
        #expect((c["rows"] as! [[String: Any]]).map { $0["W_requested"] as! Int } == [110, 300])
        try "not json\n".write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try runCLI(args)
        #expect(bad.status != 0 && bad.stderr.contains("line 1 is not a checkpoint row"))
    }

    /// `rate --checkpoint` killed with SIGKILL part way, with a torn last line as a kill in the
    /// middle of a write leaves, then resumed: the rows kept are not measured again, and the
    /// report equals an uninterrupted run's (every field but the seconds).
    @Test func rateCheckpointKilledAndResumedEqualsAnUninterruptedRun() throws {
        let dir = temporaryDirectory()
        let base = ["rate", "--target", "lacunary", "--smoothness", "1", "--construction", "deep", "--weights", "2e2...3e3",
                    "--points", "4", "--grid", "any", "--threads", "1", "--json"]
        let whole = try runCLI(base + ["--checkpoint", dir + "/whole.jsonl"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let file = dir + "/killed.jsonl"
        func lines() -> Int { ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").filter { $0 == "\n" }.count }
        let wasRunning = try runCLIKilled(base + ["--checkpoint", file]) { lines() >= 2 }
        #expect(wasRunning, "the run finished before it could be killed: make it slower")
        let kept = try String(contentsOfFile: file, encoding: .utf8)
        #expect(lines() >= 2 && lines() < 4)
        let handle = FileHandle(forWritingAtPath: file)!
        handle.seekToEndOfFile(); handle.write(Data("{\"key\": \"approx-cli".utf8)); try handle.close()
        let resumed = try runCLI(base + ["--checkpoint", file])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try String(contentsOfFile: file, encoding: .utf8)
        #expect(after.hasPrefix(kept))                                   // the finished rows kept as they were
        #expect(after.filter { $0 == "\n" }.count == 4 && after.hasSuffix("}\n"))   // the torn line cut off, the rest measured once
        func withoutSeconds(_ json: String) throws -> NSDictionary {
            var o = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            o["rows"] = (o["rows"] as! [[String: Any]]).map { r in var r = r; r["seconds"] = nil; return r }
            return o as NSDictionary
        }
        #expect(try withoutSeconds(whole.stdout) == withoutSeconds(resumed.stdout))
    }

    /// Each draw is checkpointed on its own: a run with 2 draws, then one with 3, measures only
    /// the third draw; every row is the worst of its draws, as the single runs of each seed say.
    @Test func rateCheckpointKeepsEachDraw() throws {
        let dir = temporaryDirectory()
        let file = dir + "/rows.jsonl"
        let base = ["rate", "--target", "lacunary", "--smoothness", "1", "--weights", "1e2...4e2", "--points", "2", "--checkpoint", file, "--json"]
        let two = try runCLI(base + ["--draws", "2"])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count == 4)
        let three = try runCLI(base + ["--draws", "3"])
        #expect(three.status == 0, "\(three.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count == 6)   // only draw 3 measured
        func errors(_ out: String) -> [Double] {
            ((try! JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any])["rows"] as! [[String: Any]]).map { $0["error_value"] as! Double }
        }
        let singles = try (1...3).map { seed in
            errors(try runCLI(["rate", "--target", "lacunary", "--smoothness", "1", "--weights", "1e2...4e2", "--points", "2", "--seed", "\(seed)", "--json"]).stdout)
        }
        let worst = (0..<singles[0].count).map { i in singles.map { $0[i] }.max()! }
        #expect(errors(three.stdout) == worst)
    }

    @Test(arguments: [
        (["--target", "sinn(x)", "--smoothness", "1"], "unknown function 'sinn'"),
        (["--target", "abs(x-1/3", "--smoothness", "1"], "position 10"),
        (["--target", "sine", "--smoothness", "1"], "unknown target 'sine'"),
        (["--target", "power", "--smoothness", "0"], "r must be > 0"),
        (["--target", "power", "--smoothness=-1.5"], "r must be > 0"),
        (["--target", "power", "--smoothness", "abc"], "'abc' is not a number"),
        (["--target", "power"], "needs --smoothness"),
        (["--target", "x1*x2*x3", "--smoothness", "2"], "supports d = 1...2, not d = 3"),
        (["--target", "power", "--smoothness", "1", "--dim", "3"], "defined for d = 1 or 2"),
        (["--target", "power", "--smoothness", "1", "--weights", "1e5...1e2"], "is empty"),
        (["--target", "power", "--smoothness", "1", "--weights", "1e3...1e3"], "holds one value"),
        (["--target", "power", "--smoothness", "1", "--weights", "lots"], "expected A...B"),
        (["--target", "power", "--smoothness", "1", "--construction", "spline"], "unknown construction 'spline'"),
        (["--target", "power", "--smoothness", "1", "--x0", "2"], "outside [0, 1]"),
        (["--target", "weierstrass", "--smoothness", "1.5"], "in (0, 1)"),
        (["--target", "power", "--smoothness", "1", "--draws", "3"], "only the lacunary target is random"),
        (["--target", "lacunary", "--smoothness", "1", "--draws", "0"], "--draws 0 is not allowed"),
        (["--target", "power", "--smoothness", "1", "--activation", "tanh"], "--activation tanh: unknown"),
        (["--target", "power", "--smoothness", "1", "--activation", "relu^2"], "is not built for the interpolation construction"),
        (["--target", "power", "--smoothness", "1", "--construction", "taylor", "--activation", "relu^9"], "relu^9 is not allowed"),
        (["--target", "power", "--smoothness", "1", "--construction", "taylor", "--activation", "sine"], "sine is not built for the taylor construction"),
    ])
    func rateBadInput(arguments: [String], message: String) throws {
        let r = try runCLI(["rate"] + arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }
}

@Suite(.serialized) struct BuildAndSupNormCLITests {
    @Test func buildConstructionsAndMeasureThem() throws {
        let dir = temporaryDirectory()
        let sq = dir + "/sq.json"
        #expect(try runCLI(["build", "squaring", "--m", "6", "-o", sq]).status == 0)
        let r = try runCLI(["sup-norm", sq, "--target", "x^2", "--smoothness", "2", "--precision", "128", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let e = object["error_value"] as! Double
        #expect(abs(e - 0x1p-14) <= 0x1p-14 * 1e-9)                     // ‖f_6 − x²‖ = 2^(−14)
        #expect(object["stable"] as? Bool == true)
        #expect((object["method"] as! String).hasPrefix("exact pieces (64 linear pieces"))

        let taylor = dir + "/taylor.json"
        let b = try runCLI(["build", "taylor", "--target", "smooth-sine", "--dim", "2", "--cells", "2", "-o", taylor])
        #expect(b.status == 0, "\(b.stderr)")
        let t = try runCLI(["sup-norm", taylor, "--target", "smooth-sine", "--search-points", "4096"])
        #expect(t.status == 0 && t.stdout.contains("(d = 2)") && t.stdout.contains("adaptive sampling"), "\(t.stdout)\(t.stderr)")

        for args in [["multiply", "--m", "8", "--bound", "2"], ["partition", "--cells", "4"],
                     ["interpolation", "--target", "power", "--smoothness", "0.5", "--cells", "16"]] {
            let file = dir + "/\(args[0]).json"
            let out = try runCLI(["build"] + args + ["-o", file])
            #expect(out.status == 0, "\(args): \(out.stderr)")
            let net = try NetworkFile.load(file)
            #expect(net.metadata["construction"] == args[0])
        }
        let partition = try NetworkFile.load(dir + "/partition.json")
        #expect(partition.outputDimension == 5)
    }

    @Test func buildAndSupNormBadInput() throws {
        let dir = temporaryDirectory()
        let sq = dir + "/sq.json"
        #expect(try runCLI(["build", "squaring", "--m", "3", "-o", sq]).status == 0)
        let cases: [([String], String)] = [
            (["build", "taylor", "--target", "power", "--smoothness", "1", "--dim", "3", "--cells", "2"], "defined for d = 1 or 2"),
            (["build", "taylor", "--target", "smooth-sine", "--cells", "2", "--degree", "12"], "--degree 12 is not allowed"),
            (["build", "interpolation", "--target", "power", "--smoothness", "1", "--cells", "0"], "--cells 0"),
            (["build", "multiply", "--bound=-1"], "--bound -1.0"),
            (["sup-norm", sq, "--target", "x1*x2", "--smoothness", "2"], "the network has 1 inputs but the target has dimension 2"),
            (["sup-norm", sq, "--target", "x^2", "--smoothness", "2", "--precision", "1"], "--precision 1: give at least 2 bits"),
            (["sup-norm", dir + "/none.json", "--target", "x^2", "--smoothness", "2"], "no such file"),
        ]
        for (args, message) in cases {
            let r = try runCLI(args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}
