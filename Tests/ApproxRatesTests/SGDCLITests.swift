import Foundation
import Testing
import ApproxRates

/// `approx-cli dynamics sgd` end to end (docs/dynamics-sgd.md).
@Suite(.serialized) struct SGDCLITests {
    /// `compare --json` prints one object with `times`, `ode_risk`, `sgd_risk` and `sgd_stderr`
    /// (one entry per requested time), SGD within 3 standard errors of the ODE, the tables and
    /// the picture written; a rerun runs nothing again and prints the same object.
    @Test func compareEndToEnd() throws {
        let dir = temporaryDirectory()
        let arguments = ["dynamics", "sgd", "compare", "--d", "500", "--p", "2", "--k", "2", "--times", "5,20,100", "--seeds", "5", "--per-decade", "3",
                         "--out", dir, "--json"]
        let r = try runCLI(arguments)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["times"] as? [Double] == [5, 20, 100])
        let ode = object["ode_risk"] as! [Double], sgd = object["sgd_risk"] as! [Double], se = object["sgd_stderr"] as! [Double]
        #expect(ode.count == 3 && sgd.count == 3 && se.count == 3)
        for i in 0..<3 { #expect(abs(sgd[i] - ode[i]) < 3 * se[i], "t index \(i): SGD \(sgd[i]) ± \(se[i]), ODE \(ode[i])") }
        #expect(object["region_scaling"] as? String == "plateau")
        for file in ["runs.jsonl", "compare.json", "compare.csv", "compare.md", "compare.tex", "curves.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)")
        }
        let again = try runCLI(arguments)
        #expect(again.status == 0)
        #expect(again.stderr.contains("5 already in"), "\(again.stderr)")
        #expect(again.stdout == r.stdout)
    }

    /// `map --json` prints `points` with delta, kappa, trend and region: a point deep in the
    /// bad-learning side rises, one on the perfect-learning side does not.
    @Test func mapEndToEnd() throws {
        let dir = temporaryDirectory()
        let r = try runCLI(["dynamics", "sgd", "map", "--deltas=-0.75,0.5", "--kappas", "0", "--d", "32,128", "--seeds", "2", "--horizon", "20",
                            "--out", dir, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let points = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["points"] as! [[String: Any]]
        #expect(points.count == 2)
        for p in points { for key in ["delta", "kappa", "trend", "region"] { #expect(p[key] != nil, "\(key) in \(p)") } }
        #expect(points[0]["region"] as? String == "no-ode" && points[0]["trend"] as? String == "rise", "\(points[0])")
        #expect(points[1]["region"] as? String == "perfect-learning" && points[1]["trend"] as? String != "rise", "\(points[1])")
        for file in ["map.json", "map.csv", "map.md", "map.tex", "map.svg"] { #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)") }
    }

    /// Bad input ends in one clear line naming the value and what is allowed, exit non-zero,
    /// nothing written.
    @Test(arguments: [
        (["compare", "--d", "1"], "--d"),
        (["compare", "--times=-1"], "--times"),
        (["compare", "--p", "100"], "p <= 64"),
        (["compare", "--d", "10", "--p", "8", "--k", "4"], "p + k = 12"),
        (["compare", "--seeds", "0"], "--seeds"),
        (["compare", "--noise", "nan"], "--noise"),
        (["compare", "--delta", "3", "--times", "1e3"], "SGD steps"),
        (["compare", "--delta=-3", "--times", "1"], "at least one step"),
        (["map", "--d", "64"], "at least two different dimensions"),
        (["map", "--kappas", "x"], "--kappas"),
        (["map", "--horizon", "0"], "--horizon"),
        (["map", "--kappas", "2", "--d", "1000,100000"], "p = round"),
    ])
    func badInputIsRefused(arguments: [String], fragment: String) throws {
        let dir = temporaryDirectory()
        let r = try runCLI(["dynamics", "sgd"] + arguments + ["--out", dir + "/out"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(fragment), "\(arguments): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }

    /// Killed (SIGKILL) after some runs are in the journal, with a torn line appended, the map
    /// resumes to the same table as an uninterrupted run.
    @Test func killedMapResumesToTheSameTable() throws {
        let arguments = ["dynamics", "sgd", "map", "--deltas=-0.25,0.25", "--kappas", "0", "--d", "64,256", "--seeds", "3", "--horizon", "50", "--jobs", "1"]
        let dir = try killTearAndResume(arguments, journal: "runs.jsonl", atLeast: 2, below: 12)
        for name in ["map.csv", "map.md"] {
            // The notes name the command, whose --out differs; everything else must agree.
            func table(_ folder: String) throws -> [Substring] {
                try String(contentsOfFile: dir + "/\(folder)/" + name, encoding: .utf8).split(separator: "\n").filter { !$0.contains("Command: ") }
            }
            #expect(try table("whole") == table("killed"), "\(name) differs after the resume")
        }
    }
}
