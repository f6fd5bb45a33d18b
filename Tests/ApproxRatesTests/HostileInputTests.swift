import Foundation
import Testing
import ApproxRates

/// Hostile inputs of issue 19 that end in a clean one-line error (or, for the long print, a
/// prompt answer) instead of a crash or a silent wrong number.
@Suite(.serialized) struct HostileInputTests {
    func tooth(_ dir: String) throws -> String {
        let path = dir + "/t.json"
        let r = try runCLI(["build", "tooth", "-o", path])
        #expect(r.status == 0, "\(r.stderr)")
        return path
    }

    /// Formulas nested or chained beyond the parser's limit (they overflowed the stack): the
    /// error names the limit.
    @Test func deepFormulasAreRefusedWithTheLimit() throws {
        let t = try tooth(temporaryDirectory())
        let cases = [String(repeating: "(", count: 20_000) + "x" + String(repeating: ")", count: 20_000),
                     String(repeating: "x+", count: 60_000) + "x",
                     String(repeating: "-", count: 100_000) + "x",
                     "sin(" + String(repeating: "x^", count: 5_000) + "x)"]
        for formula in cases {
            // `--target=…`: a value that starts with '-' would otherwise read as an option.
            let r = try runCLI(["sup-norm", t, "--target=" + formula, "--smoothness", "1"])
            #expect(r.status != 0 && r.stderr.contains("nests deeper than \(FormulaParser.maximumDepth) levels"), "\(r.stderr.prefix(300))")
            // The reason, the formula around the position, and the caret: short lines.
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count <= 3 && lines.allSatisfy { $0.count <= 240 }, "\(r.stderr.prefix(600))")
        }
    }

    @Test func formulasAtTheLimitParse() throws {
        let chain = String(repeating: "x+", count: FormulaParser.maximumDepth - 1) + "x"     // depth 200
        #expect(throws: Never.self) { _ = try FormulaParser.parse(chain) }
        #expect(throws: FormulaError.self) { _ = try FormulaParser.parse(chain + "+x") }   // depth 201
        #expect(throws: Never.self) { _ = try FormulaParser.parse(String(repeating: "-", count: 100) + "x") }
    }

    /// NaN, infinite and overflowing weights are refused on load, naming the place.
    @Test(arguments: ["NaN", "nan", "inf", "-inf", "1e999999999"])
    func nonFiniteWeightsAreRefused(value: String) throws {
        let dir = temporaryDirectory()
        let t = try tooth(dir)
        var text = try String(contentsOfFile: t, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"bias\": [\"0\", \"-0.5\", \"-1\"]", with: "\"bias\": [\"\(value)\", \"-0.5\", \"-1\"]")
        #expect(text.contains(value))
        let bad = dir + "/bad.json"
        try text.write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try runCLI(["eval", bad, "--at", "0.5"])
        #expect(r.status != 0 && r.stderr.contains("layer 0, bias 0: '\(value)' is not a finite number"), "\(r.stderr)")
    }

    /// An exact value printed at 262,144 bits: the trailing-zero trim was quadratic (over a minute).
    /// The time is measured in the closing note, not here; this checks the answer.
    @Test func longPrintIsComplete() throws {
        let t = try tooth(temporaryDirectory())
        let r = try runCLI(["eval", t, "--at", "0.5", "--precision", "262144"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1"))
    }

    /// Targets undefined or infinite somewhere on [0, 1] gave finite errors ("(-x)^0.5" gave 0,
    /// "sqrt(x-0.5)" gave 1.0): now an error naming the point, for sup-norm and rate alike.
    @Test(arguments: [("(-x)^0.5", "undefined at x = 0.0009765625"), ("sqrt(x-0.5)", "undefined at x = 0.0"),
                      ("log(x)", "infinite at x = 0.0"), ("1/(x-0.5)", "at x = 0.5")])
    func undefinedTargetsAreRefused(formula: String, message: String) throws {
        let t = try tooth(temporaryDirectory())
        let r = try runCLI(["sup-norm", t, "--target", formula, "--smoothness", "0.5"])
        #expect(r.status != 0 && r.stderr.contains(message) && r.stderr.contains("a target must be a finite number on all of [0, 1]^1"), "\(r.stderr)")
        let rate = try runCLI(["rate", "--target", formula, "--smoothness", "0.5", "--weights", "1e2...1e3", "--points", "2"])
        #expect(rate.status != 0 && rate.stderr.contains(message) && !rate.stdout.contains("nan"), "\(rate.stderr)")
    }

    /// Float64 overflows that reached an `Int(...)` conversion and trapped: a target beyond
    /// float64's range is measured (MPFR holds it), a W range beyond the cap is refused.
    @Test func overflowsDoNotTrap() throws {
        let t = try tooth(temporaryDirectory())
        let big = try runCLI(["sup-norm", t, "--target", "1e309", "--smoothness", "1"])
        #expect(big.status == 0 && big.stdout.contains("1.000000000000000000e+309"), "\(big.stdout) \(big.stderr)")
        let wide = try runCLI(["rate", "--target", "power", "--smoothness", "1", "--weights", "1e30...1e31"])
        #expect(wide.status != 0 && wide.stderr.contains("at most 100,000,000 weights (the weights cap; set APPROX_MAX_WEIGHTS to raise it)"), "\(wide.stderr)")
        let many = try runCLI(["rate", "--target", "power", "--smoothness", "1", "--points", "1000000000"])
        #expect(many.status != 0 && many.stderr.contains("--points 1000000000: at most 1,000 points (the rate points cap; set APPROX_MAX_RATE_POINTS"), "\(many.stderr)")
    }

    /// The issue's sizes and precisions beyond what the machine holds or a stated cap allows:
    /// each a one-line error naming the value, the limit and the variable that raises it,
    /// before anything is allocated (they aborted in GMP or on allocation, or ran for hours).
    @Test func sizesBeyondTheCapsAreRefusedWithTheLimit() throws {
        let dir = temporaryDirectory()
        let t = try tooth(dir)
        let cases: [([String], String)] = [
            (["eval", t, "--at", "0.5", "--precision", "1099511627776"], "--precision 1099511627776: at most 16,777,216 bits (the precision cap; set APPROX_MAX_PRECISION to raise it)"),
            (["eval", t, "--at", "0.5", "--digits", "4611686018427387904"], "--digits 4611686018427387904: at most 1,000,000 digits (the digits cap; set APPROX_MAX_DIGITS"),
            (["eval", t, "--grid", "0:1:10000000"], "--grid 0:1:10000000 asks for 10000000: at most 1,000,000 points (the evaluation points cap; set APPROX_MAX_POINTS"),
            (["sup-norm", t, "--target", "x", "--smoothness", "1", "--search-points", "1000000000"], "--search-points 1000000000: at most 16,777,216 points (the search points cap; set APPROX_MAX_SEARCH_POINTS"),
            (["rate", "--target", "power", "--smoothness", "1", "--weights", "1e2...1e12"], "at most 100,000,000 weights (the weights cap; set APPROX_MAX_WEIGHTS"),
            (["dynamics", "early", "--steps", "1000000000", "--out", dir + "/d"], "--steps 1000000000: at most 1,000,000 steps (the training steps cap; set APPROX_MAX_STEPS"),
            (["dynamics", "long", "--steps", "1000000000", "--out", dir + "/l"], "--steps 1000000000: at most 1,000,000 steps"),
            (["eval", t, "--at", "0.5", "--threads", "100000000"], "--threads 100000000: at most 1,024 threads (the threads cap; set APPROX_MAX_THREADS"),
            (["build", "deep", "--target", "power", "--smoothness", "1", "--cells", "100000", "-o", dir + "/x.json"], "at most 100,000,000 weights (the weights cap"),
            (["dynamics", "early", "--networks", "100x100000", "--out", dir + "/d"], "of memory, more than the"),
            (["dynamics", "long", "--width", "1000000", "--out", dir + "/l"], "set APPROX_MAX_MEMORY, e.g. APPROX_MAX_MEMORY=64G, to raise it"),
            (["dynamics", "early", "--data", "teacher", "--samples", "1000000000", "--out", dir + "/d"], "--samples 1000000000, 2 jobs at once, needs about"),
        ]
        for (arguments, message) in cases {
            let r = try runCLI(arguments)
            #expect(r.status == 1 && r.stderr.contains(message) && !r.stderr.contains("Fatal error"), "\(arguments.joined(separator: " ")): \(r.stderr.prefix(400))")
            #expect(r.stdout.isEmpty, "\(arguments.joined(separator: " ")) printed \(r.stdout.prefix(200))")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.json"))
    }

    /// A sweep plan with a billion points (it aborted on allocation) is refused naming the cap.
    @Test func planWithTooManyPointsIsRefused() throws {
        let dir = temporaryDirectory()
        let plan = #"{"name": "big", "experiments": [{"name": "e", "target": "power", "smoothness": 1, "construction": "interpolation", "weights": "1e1...1e3", "points": 1000000000}]}"#
        try plan.write(toFile: dir + "/p.json", atomically: true, encoding: .utf8)
        let r = try runCLI(["sweep", dir + "/p.json", "--out", dir + "/out"])
        #expect(r.status == 1 && r.stderr.contains("--points 1000000000: at most 1,000 points (the rate points cap"), "\(r.stderr)")
    }

    /// The caps move with their environment variables, in both directions, and a malformed
    /// variable is itself a clean error.
    @Test func capsFollowTheirEnvironmentVariables() throws {
        let t = try tooth(temporaryDirectory())
        let raised = try runCLI(["eval", t, "--at", "0.5", "--digits", "1200000"], environment: ["APPROX_MAX_DIGITS": "2e6"])
        #expect(raised.status == 0, "\(raised.stderr)")
        let lowered = try runCLI(["eval", t, "--at", "0.5", "--precision", "4096"], environment: ["APPROX_MAX_PRECISION": "1000"])
        #expect(lowered.status == 1 && lowered.stderr.contains("--precision 4096: at most 1,000 bits"), "\(lowered.stderr)")
        let memory = try runCLI(["eval", t, "--grid", "0:1:100000"], environment: ["APPROX_MAX_MEMORY": "10M"])
        #expect(memory.status == 1 && memory.stderr.contains("needs about") && memory.stderr.contains("more than the 10.0 MiB this run may use"), "\(memory.stderr)")
        let bad = try runCLI(["eval", t, "--at", "0.5", "--precision", "100"], environment: ["APPROX_MAX_PRECISION": "lots"])
        #expect(bad.status == 1 && bad.stderr.contains("APPROX_MAX_PRECISION='lots' is not a whole number of bits >= 1"), "\(bad.stderr)")
    }

    @Test func limitArithmetic() throws {
        #expect(ResourceLimits.parseBytes("8G") == 8.0 * 1024 * 1024 * 1024)
        #expect(ResourceLimits.parseBytes("512MiB") == 512.0 * 1024 * 1024)
        #expect(ResourceLimits.parseBytes("1e9") == 1e9)
        #expect(ResourceLimits.parseBytes("-1") == nil && ResourceLimits.parseBytes("G") == nil && ResourceLimits.parseBytes("inf") == nil)
        #expect(ResourceLimits.parseCount("1_000_000") == 1_000_000 && ResourceLimits.parseCount("1e6") == 1_000_000)
        #expect(ResourceLimits.parseCount("1.5") == nil && ResourceLimits.parseCount("1e19") == nil)
        #expect(ResourceLimits.grouped(16_777_216) == "16,777,216" && ResourceLimits.grouped(-1000) == "-1,000" && ResourceLimits.grouped(999) == "999")
        // A count beyond Int is an error, not a trap in the conversion.
        #expect(throws: LimitError.self) { try ResourceLimits.check(1e300, "x", against: ResourceLimits.weights) }
        #expect(throws: LimitError.self) { try ResourceLimits.check(Double.nan, "x", against: ResourceLimits.weights) }
        #expect(throws: LimitError.self) { try ResourceLimits.checkMemory(.infinity, for: "x") }
        #expect(ResourceLimits.machineMemory() > 0)
    }

    /// JSON nested beyond 64 levels is refused naming the limit, in network files, plans and
    /// checkpoints alike, in one pass (strings with brackets do not count).
    @Test func jsonNestingIsBounded() throws {
        let dir = temporaryDirectory()
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        try #"{"layers": \#(deep)}"#.write(toFile: dir + "/n.json", atomically: true, encoding: .utf8)
        let net = try runCLI(["eval", dir + "/n.json", "--at", "0.5"])
        #expect(net.status == 1 && net.stderr.contains("JSON nests deeper than 64 levels"), "\(net.stderr)")
        try #"{"name": "p", "experiments": \#(deep)}"#.write(toFile: dir + "/p.json", atomically: true, encoding: .utf8)
        let plan = try runCLI(["sweep", dir + "/p.json", "--out", dir + "/out"])
        #expect(plan.status == 1 && plan.stderr.contains("JSON nests deeper than 64 levels"), "\(plan.stderr)")
        #expect(throws: Never.self) { try ResourceLimits.checkJSONNesting(Array(#"{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["["}"#.utf8), source: "s") }
        let sixtyFour = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try ResourceLimits.checkJSONNesting(Array(sixtyFour.utf8), source: "s") }
        #expect(throws: LimitError.self) { try ResourceLimits.checkJSONNesting(Array(("[" + sixtyFour + "]").utf8), source: "s") }
    }

    /// Outputs: a symbolic link is written through to its target; a FIFO, a device or a folder is
    /// refused and left as it was; an output that is also an input is refused before the run.
    @Test func outputsNeverReplaceWhatIsNotARegularFile() throws {
        let dir = temporaryDirectory()
        let t = try tooth(dir)
        // Through a symlink: the link stays, its target gets the network.
        try "old".write(toFile: dir + "/target.json", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: dir + "/target.json")
        let linked = try runCLI(["build", "tooth", "-o", dir + "/link.json"])
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.json")) == dir + "/target.json")
        #expect((try String(contentsOfFile: dir + "/target.json", encoding: .utf8)).contains("approxrates-network"))
        // A FIFO (writing would block or replace it) and a device.
        #expect(mkfifo(dir + "/fifo", 0o644) == 0)
        let fifo = try runCLI(["build", "tooth", "-o", dir + "/fifo"])
        #expect(fifo.status == 1 && fifo.stderr.contains("fifo: is a FIFO; outputs are written only to regular files"), "\(fifo.stderr)")
        var info = stat()
        #expect(lstat(dir + "/fifo", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        let device = try runCLI(["build", "tooth", "-o", "/dev/null"])
        #expect(device.status == 1 && device.stderr.contains("/dev/null: is a device"), "\(device.stderr)")
        let folder = try runCLI(["export", t, "--json", dir])
        #expect(folder.status == 1 && folder.stderr.contains("is a folder"), "\(folder.stderr)")
        // Output = input: the checkpoint (before any row is measured) and a network file.
        let same = try runCLI(["rate", "--target", "power", "--smoothness", "1", "--weights", "1e1...4e1", "--points", "2",
                               "--checkpoint", dir + "/c.jsonl", "-o", dir + "/c.jsonl"])
        #expect(same.status == 1 && same.stderr.contains("c.jsonl: is also an input of this command"), "\(same.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/c.jsonl"))
        let before = try String(contentsOfFile: t, encoding: .utf8)
        let overwrite = try runCLI(["export", t, "--json", t])
        #expect(overwrite.status == 1 && overwrite.stderr.contains("is also an input of this command"), "\(overwrite.stderr)")
        #expect(try String(contentsOfFile: t, encoding: .utf8) == before)
        // Leftovers of nothing: no temporary file stays after refusals.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(!names.contains { $0.contains(".tmp-") }, "\(names)")
    }

    /// Temporary files of a killed run (a dead PID) are removed by the next write and by a resumed
    /// run's output folder; those of live processes and other files stay.
    @Test func leftoversOfKilledRunsAreRemoved() throws {
        let dir = temporaryDirectory()
        let dead = Int32(4_000_000)   // above Linux's largest PID (2^22)
        let stale = dir + "/.rates.csv.tmp-\(dead)-12345", live = dir + "/.rates.csv.tmp-\(getpid())-1", other = dir + "/.hidden.tmp-x"
        for p in [stale, live, other] { FileManager.default.createFile(atPath: p, contents: Data("x".utf8)) }
        try AtomicFile.write("a,b\n", to: dir + "/rates.csv")
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live) && FileManager.default.fileExists(atPath: other))
        // A resumed sweep cleans its output folder, plots included.
        let plan = #"{"name": "p", "experiments": [{"name": "e", "target": "power", "smoothness": 1, "construction": "interpolation", "weights": "1e1...2e1", "points": 2}]}"#
        try plan.write(toFile: dir + "/p.json", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/out/plots", withIntermediateDirectories: true)
        let leftovers = [dir + "/out/.rates.md.tmp-\(dead)-7", dir + "/out/plots/.e.png.tmp-\(dead)-9"]
        for p in leftovers { FileManager.default.createFile(atPath: p, contents: Data("partial".utf8)) }
        let r = try runCLI(["sweep", dir + "/p.json", "--out", dir + "/out"])
        #expect(r.status == 0, "\(r.stderr)")
        for p in leftovers { #expect(!FileManager.default.fileExists(atPath: p), "\(p)") }
        let all = (FileManager.default.enumerator(atPath: dir + "/out")?.allObjects as? [String]) ?? []
        #expect(!all.contains { $0.contains(".tmp-") }, "\(all)")
    }

    /// Input files: a folder, a device that never ends, and a file over the input cap.
    @Test func inputsAreBounded() throws {
        let dir = temporaryDirectory()
        let t = try tooth(dir)
        let folder = try runCLI(["eval", dir, "--at", "0.5"])
        #expect(folder.status == 1 && folder.stderr.contains("is a folder, not a file"), "\(folder.stderr)")
        let endless = try runCLI(["eval", t, "--points", "/dev/zero"], environment: ["APPROX_MAX_INPUT": "1M"])
        #expect(endless.status == 1 && endless.stderr.contains("/dev/zero: more than 1,048,576 bytes: at most 1,048,576 bytes per input file (set APPROX_MAX_INPUT"), "\(endless.stderr)")
        let big = try runCLI(["eval", t, "--at", "0.5"], environment: ["APPROX_MAX_INPUT": "100"])
        #expect(big.status == 1 && big.stderr.contains("bytes: at most 100 bytes per input file"), "\(big.stderr)")
    }
}
