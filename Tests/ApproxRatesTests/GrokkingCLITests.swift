import Foundation
import Testing
import ApproxRates

/// `approx-cli dynamics grokking` end to end (docs/dynamics-grokking.md).
@Suite(.serialized) struct GrokkingCLITests {
    /// Small and fast: a 24-wide decoder, 400 steps.
    static let small = ["--width", "24", "--steps", "400", "--log-every", "20"]

    /// `run --json` prints one object with `train_step`, `validation_step`, `phase` and `rqi` (one
    /// entry per logged step), the phase consistent with the steps by the rule.
    @Test func runJSON() throws {
        let r = try runCLI(["dynamics", "grokking", "run", "--learning-rate", "1e-3", "--weight-decay", "0", "--fraction", "0.8", "--seed", "1", "--json"] + GrokkingCLITests.small)
        #expect(r.status == 0, "\(r.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let steps = o["steps"] as! [Int], rqi = o["rqi"] as! [Double]
        #expect(steps.count == 21 && rqi.count == steps.count && steps.first == 0 && steps.last == 399)
        #expect(rqi.allSatisfy { (0...1).contains($0) })
        let train = o["train_step"] as? Int, validation = o["validation_step"] as? Int
        #expect(o.keys.contains("train_step") && o.keys.contains("validation_step"))
        #expect(o["phase"] as? String == GrokkingPhase.of(trainStep: train, validationStep: validation, lag: 1000).rawValue)
        #expect((o["train_accuracy"] as! [Double]).count == steps.count && (o["validation_accuracy"] as! [Double]).count == steps.count)
        #expect((o["nullity"] as! Int) >= 2 && o["split_seed"] as? Int == 10)
    }

    /// The diagram with `--json`: `cells` has one entry per (η_D, weight decay) with
    /// `learning_rate`, `weight_decay`, `fraction`, `phases` (counts summing to the seeds) and
    /// `majority`; the tables, the diagram, the curves and the examples are written; a rerun runs
    /// nothing again and prints the same object.
    @Test func mapJSON() throws {
        let dir = temporaryDirectory()
        let arguments = ["dynamics", "grokking", "--learning-rates", "1e-4:1e-2:2", "--weight-decays", "0:10:2", "--fraction", "0.8", "--seeds", "3",
                         "--out", dir, "--json"] + GrokkingCLITests.small
        let r = try runCLI(arguments)
        #expect(r.status == 0, "\(r.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let cells = o["cells"] as! [[String: Any]]
        #expect(cells.count == 4)
        #expect(Set(cells.map { $0["learning_rate"] as! Double }) == [1e-4, 1e-2] && Set(cells.map { $0["weight_decay"] as! Double }) == [0, 10])
        for c in cells {
            let phases = c["phases"] as! [String: Int]
            #expect(phases.values.reduce(0, +) == 3 && Set(phases.keys) == Set(GrokkingPhase.allCases.map(\.rawValue)))
            #expect(c["fraction"] as? Double == 0.8)
            let top = phases.values.max()!
            let leaders = phases.filter { $0.value == top }.map(\.key)
            #expect((c["majority"] as? String) == (leaders.count == 1 ? leaders[0] : nil), "\(c)")
        }
        #expect((o["settings"] as! [String: Any])["steps"] as? Int == 400 && o["seeds"] as? Int == 3)
        for file in ["runs.jsonl", "grokking.csv", "grokking.json", "grokking.md", "grokking.tex", "map.svg", "curves.svg", "examples.json"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)")
        }
        let again = try runCLI(arguments)
        #expect(again.status == 0 && again.stderr.contains("12 already in"), "\(again.stderr)")
        #expect(again.stdout == r.stdout)
    }

    /// The fraction sweep: the theory's probability is 0 at the smallest size and the table and
    /// picture are written.
    @Test func fractionSweep() throws {
        let dir = temporaryDirectory()
        let r = try runCLI(["dynamics", "grokking", "fraction", "--fractions", "0.1,0.9", "--seeds", "2", "--samples", "50", "--out", dir, "--json"] + GrokkingCLITests.small)
        #expect(r.status == 0, "\(r.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let points = o["points"] as! [[String: Any]]
        #expect(points.count == 2 && points[0]["theory_probability"] as? Double == 0)
        #expect(o["theory_critical"] as? Double != nil)
        for file in ["fraction.csv", "fraction.json", "fraction.md", "fraction.tex", "theory.csv", "fraction.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)")
        }
    }

    /// Killed (SIGKILL) part way, with a torn line appended, the diagram resumes: the finished
    /// lines are kept and the table equals an uninterrupted run's.
    @Test func killedMapResumesToTheSameTable() throws {
        let arguments = ["dynamics", "grokking", "--learning-rates", "1e-4,1e-3,1e-2", "--weight-decays", "0,5", "--seeds", "2", "--jobs", "1",
                         "--width", "24", "--steps", "600"]
        let dir = try killTearAndResume(arguments, journal: "runs.jsonl", atLeast: 2, below: 12)
        for name in ["grokking.csv", "grokking.md"] {
            #expect(try String(contentsOfFile: dir + "/whole/" + name, encoding: .utf8) == String(contentsOfFile: dir + "/killed/" + name, encoding: .utf8), "\(name)")
        }
    }

    /// Two shards into one folder: the first stops without tables, the second writes them, equal
    /// to an unsharded run's.
    @Test func shardsJoinToTheUnshardedTable() throws {
        let dir = temporaryDirectory()
        let arguments = ["dynamics", "grokking", "--learning-rates", "1e-4,1e-2", "--weight-decays", "0", "--seeds", "2"] + GrokkingCLITests.small
        #expect(try runCLI(arguments + ["--out", dir + "/whole"]).status == 0)
        let first = try runCLI(arguments + ["--out", dir + "/sharded", "--shard", "1/2"])
        #expect(first.status == 0 && first.stderr.contains("not yet in"), "\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/sharded/grokking.csv"))
        #expect(try runCLI(arguments + ["--out", dir + "/sharded", "--shard", "2/2"]).status == 0)
        #expect(try String(contentsOfFile: dir + "/whole/grokking.csv", encoding: .utf8) == String(contentsOfFile: dir + "/sharded/grokking.csv", encoding: .utf8))
    }

    /// Bad input ends in one clear line naming the value and what is allowed, exit non-zero,
    /// nothing written.
    @Test(arguments: [
        (["--learning-rates", "1e-4:1e-2"], "A:B:n"),
        (["--learning-rates", "0:1e-2:3"], "0.0 is not a number in 1e-12"),
        (["--learning-rates", "1e-4:1e-2:0"], "n = 0"),
        (["--learning-rates", "nan"], "--learning-rates"),
        (["--weight-decays=-1"], "--weight-decays"),
        (["--weight-decays", "0,0"], "repeated"),
        (["--learning-rates", "0.5", "--weight-decays", "4"], "η·λ < 1"),
        (["--fraction", "1"], "--fraction"),
        (["--fraction", "0"], "training fraction in (0, 1)"),
        (["--seeds", "0"], "--seeds"),
        (["--steps", "0"], "--steps"),
        (["--steps", "100000000"], "--steps"),
        (["--batch", "99"], "--batch"),
        (["--p", "1"], "--p"),
        (["--p", "1000"], "--p"),
        (["--threshold", "2"], "--threshold"),
        (["--embedding-dim", "0"], "--embedding-dim"),
        (["--init-scale", "inf"], "--init-scale"),
        (["run", "--learning-rate", "-1"], "learning rate"),
        (["run", "--snapshots", "20000"], "--snapshots"),
        (["fraction", "--fractions", "0.5,0.51"], "same training-set size"),
        (["fraction", "--samples", "5"], "--samples"),
        (["fraction", "--split-seed", "3"], "--split-seed"),
        (["--split-seed", "x"], "--split-seed"),
    ])
    func badInputIsRefused(arguments: [String], fragment: String) throws {
        let dir = temporaryDirectory()
        // `run` writes nothing and has no --out.
        let r = try runCLI(["dynamics", "grokking"] + arguments + (arguments.first == "run" ? [] : ["--out", dir + "/out"]))
        #expect(r.status != 0)
        #expect(r.stderr.contains(fragment), "\(arguments): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }
}
