import Foundation
import Testing
import ApproxRates

/// `approx-cli dynamics two-layer` end to end (docs/dynamics-two-layer.md).
@Suite(.serialized) struct TwoLayerCLITests {
    /// `--json` prints one object whose `points` carry gamma, gamma_prime, slope, slope_low,
    /// slope_high, regime and theory_regime; the tables, the map and the three condensation
    /// pictures are written; the slope is negative on the linear side and positive on the condensed
    /// one; a rerun trains nothing again and prints the same object.
    @Test func gridEndToEnd() throws {
        let dir = temporaryDirectory()
        let arguments = ["dynamics", "two-layer", "--gammas", "0.5,1,1.5", "--gamma-primes", "-0.5,0", "--widths", "128,512", "--seeds", "2",
                         "--out", dir, "--json"]
        let r = try runCLI(arguments)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["schema_version"] as? Int == 1)
        let points = object["points"] as! [[String: Any]]
        #expect(points.count == 6)
        for p in points {
            for key in ["gamma", "gamma_prime", "slope", "slope_low", "slope_high", "regime", "theory_regime"] { #expect(p[key] != nil, "\(key) in \(p)") }
            let slope = p["slope"] as! Double, low = p["slope_low"] as! Double, high = p["slope_high"] as! Double
            #expect(low <= slope && slope <= high)
            if p["gamma"] as! Double == 0.5 { #expect(slope < 0, "\(p)") }
            if p["gamma"] as! Double == 1.5 { #expect(slope > 0, "\(p)") }
        }
        for file in ["runs.jsonl", "two-layer.csv", "two-layer.json", "two-layer.md", "two-layer.tex", "map.svg",
                     "condensation-linear.svg", "condensation-critical.svg", "condensation-condensed.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)")
        }
        let again = try runCLI(arguments)
        #expect(again.status == 0)
        #expect(again.stderr.contains("24 already in"), "\(again.stderr)")
        #expect(again.stdout == r.stdout)
    }

    /// `--init ntk,mean-field` places the named parameterisations at (½, 0) and (1, 0) with the
    /// theorem's regimes linear and critical, and measures the NTK point's slope as negative.
    @Test func namedParameterisationsArePlacedByTheTool() throws {
        let dir = temporaryDirectory()
        let r = try runCLI(["dynamics", "two-layer", "--init", "ntk,mean-field", "--widths", "128,512", "--seeds", "2", "--out", dir, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let points = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["points"] as! [[String: Any]]
        #expect(points.map { $0["parameterisation"] as? String } == ["ntk", "mean-field"])
        #expect(abs(points[0]["gamma"] as! Double - 0.5) < 1e-12 && abs(points[0]["gamma_prime"] as! Double) < 1e-12)
        #expect(abs(points[1]["gamma"] as! Double - 1) < 1e-12)
        #expect(points.map { $0["theory_regime"] as? String } == ["linear", "critical"])
        #expect((points[0]["slope"] as! Double) < 0)
    }

    /// Killed (SIGKILL) after some runs are in the journal, with a torn line appended, the sweep
    /// resumes: the finished lines are kept and the table equals an uninterrupted run's.
    @Test func killedPartWayResumesToTheSameTable() throws {
        let arguments = ["dynamics", "two-layer", "--gammas", "0.5,1.25", "--gamma-primes", "-0.5,0.5", "--widths", "256,1024", "--seeds", "2",
                         "--jobs", "1"]
        let dir = try killTearAndResume(arguments, journal: "runs.jsonl", atLeast: 2, below: 16)
        for name in ["two-layer.csv", "two-layer.md"] {
            let a = try String(contentsOfFile: dir + "/whole/" + name, encoding: .utf8)
            let b = try String(contentsOfFile: dir + "/killed/" + name, encoding: .utf8)
            #expect(a.replacingOccurrences(of: dir + "/whole", with: "") == b.replacingOccurrences(of: dir + "/killed", with: ""), "\(name)")
        }
    }

    /// Two shards into one folder: the first stops without tables, the second writes them, and they
    /// equal an unsharded run's.
    @Test func shardsJoinToTheUnshardedTable() throws {
        let dir = temporaryDirectory()
        let arguments = ["dynamics", "two-layer", "--gammas", "0.5,1.5", "--gamma-primes", "0", "--widths", "64,256", "--seeds", "2"]
        #expect(try runCLI(arguments + ["--out", dir + "/whole"]).status == 0)
        let first = try runCLI(arguments + ["--out", dir + "/sharded", "--shard", "1/2"])
        #expect(first.status == 0 && first.stderr.contains("not yet in"), "\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/sharded/two-layer.csv"))
        #expect(try runCLI(arguments + ["--out", dir + "/sharded", "--shard", "2/2"]).status == 0)
        let a = try String(contentsOfFile: dir + "/whole/two-layer.csv", encoding: .utf8)
        let b = try String(contentsOfFile: dir + "/sharded/two-layer.csv", encoding: .utf8)
        #expect(a == b)
    }

    /// Bad values are refused with a message naming the value and what is allowed, before anything runs.
    @Test(arguments: [
        (["--widths", "255,1024"], "even integer"),
        (["--widths", "256"], "at least two different widths"),
        (["--gamma-primes", "0,x"], "'x' is not a number"),
        (["--gammas", "nan"], "'nan' is not a number"),
        (["--init", "lecun"], "'lecun' is not one of"),
        (["--data", "no-such-set"], "give points4, points3, teacher"),
        (["--data", "/nonexistent/set.csv"], "/nonexistent/set.csv"),
        (["--step-factor", "2"], "0 < c < 2"),
        (["--seeds", "0"], "--seeds 0"),
        (["--tolerance", "-1"], "--tolerance"),
        (["--shard", "3/2"], "--shard 3/2"),
    ])
    func badInputIsRefused(extra: [String], message: String) throws {
        let r = try runCLI(["dynamics", "two-layer", "--out", temporaryDirectory()] + extra)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(extra): \(r.stderr)")
    }

    /// A CSV set with a non-finite value is refused naming the line.
    @Test func badCSVIsRefused() throws {
        let dir = temporaryDirectory()
        try "x,y\n0.5,1\n1,inf\n".write(toFile: dir + "/set.csv", atomically: true, encoding: .utf8)
        let r = try runCLI(["dynamics", "two-layer", "--data", dir + "/set.csv", "--out", dir + "/out"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("line 3") && r.stderr.contains("'inf'"), "\(r.stderr)")
    }
}
