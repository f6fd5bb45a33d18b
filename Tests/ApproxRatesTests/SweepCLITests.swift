import Foundation
import Testing
import ApproxRates

/// The sweep, merge, table and phase-diagram commands end to end.
@Suite(.serialized) struct SweepCLITests {
    static let plan = """
    {"name": "test plan", "experiments": [
      {"name": "interp", "target": "power", "smoothness": 0.5, "construction": "interpolation", "weights": "1e2...1e4", "points": 5},
      {"name": "deep", "target": "lacunary", "smoothness": 1, "construction": "deep", "weights": "2e2...3e3", "points": 4, "grid": "any"}
    ]}
    """

    func writePlan(_ dir: String) throws -> String {
        let path = dir + "/plan.json"
        try Self.plan.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func points(_ path: String) throws -> [SweepPoint] { try PointJournal(path: path).read() }

    /// The same points (by id; a journal is in the order points finished) with the same measurements.
    func same(_ a: [SweepPoint], _ b: [SweepPoint]) -> Bool {
        let (x, y) = (a.sorted { $0.id < $1.id }, b.sorted { $0.id < $1.id })
        return x.count == y.count && zip(x, y).allSatisfy { $0.sameMeasurement(as: $1) }
    }

    // A point of several draws keeps each draw in `points.jsonl.draws.jsonl` as it finishes; a
    // rerun after the point was lost (killed before its line was written) takes the draws from
    // there instead of measuring them again: a draw edited in the checkpoint comes back edited.
    @Test func drawsOfAPointAreCheckpointedAndResumed() throws {
        let dir = temporaryDirectory()
        let plan = dir + "/draws.json"
        try """
        {"name": "draws", "experiments": [
          {"name": "three", "target": "lacunary", "smoothness": 1, "construction": "interpolation", "weights": "1e2...1e3", "points": 2, "draws": 3}
        ]}
        """.write(toFile: plan, atomically: true, encoding: .utf8)
        let first = try runCLI(["sweep", plan, "--out", dir + "/out", "--threads", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        let drawsFile = dir + "/out/points.jsonl.draws.jsonl"
        let lines = try RateCheckpoint(path: drawsFile).journal.read()
        #expect(lines.count == 6 && Set(lines.map(\.key)).count == 3, "\(lines.map(\.key))")
        let points = try points(dir + "/out/points.jsonl")
        #expect(points.count == 2 && points.allSatisfy { $0.row.draws == 3 })
        // Lose the points, mark one draw of the larger grid size (its seconds), and rerun.
        try FileManager.default.removeItem(atPath: dir + "/out/points.jsonl")
        let largest = lines.map(\.row.cells).max()!
        var edited = lines.first { $0.row.cells == largest }!.row
        edited.seconds = 1e6
        try RateCheckpoint(path: drawsFile).append(key: lines.first { $0.row.cells == largest }!.key, row: edited)
        let again = try runCLI(["sweep", plan, "--out", dir + "/out", "--threads", "1"])
        #expect(again.status == 0, "\(again.stderr)")
        let resumed = try self.points(dir + "/out/points.jsonl")
        #expect((resumed.first { $0.row.cells == largest }?.row.seconds ?? 0) >= 1e6)   // the point sums its draws' seconds
        #expect(try RateCheckpoint(path: drawsFile).journal.read().count == 7)   // nothing measured again
    }

    @Test func sweepKilledPartWayAndResumedEqualsAnUninterruptedRun() throws {
        let dir = temporaryDirectory()
        let plan = try writePlan(dir)
        let whole = try runCLI(["sweep", plan, "--out", dir + "/whole", "--threads", "1"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let reference = try points(dir + "/whole/points.jsonl")
        // 5 interpolation points, 4 deep ones, and 4 of the deep experiment's shallow baseline
        // (interpolation on its target, seed and W range), which the plan gains by itself.
        #expect(reference.count == 13)
        #expect(Set(reference.map(\.spec.name)) == ["interp", "deep", "interpolation-lacunary-r1-d1-W2e2-3e3"])

        // Kill (SIGKILL, no clean-up) once a point of the deep experiment is in the file.
        let file = dir + "/killed/points.jsonl"
        let wasRunning = try runCLIKilled(["sweep", plan, "--out", dir + "/killed", "--threads", "1"]) { ((try? points(file))?.count ?? 0) >= 6 }
        #expect(wasRunning, "the sweep finished before it could be killed: make the plan slower")
        let before = try points(file)
        #expect(before.count >= 6 && before.count < 13)
        // A torn last line, as a kill in the middle of a write would leave.
        let handle = FileHandle(forWritingAtPath: file)!
        handle.seekToEndOfFile(); handle.write(Data("{\"id\": \"deep|W=3".utf8)); try handle.close()

        let resumed = try runCLI(["sweep", plan, "--out", dir + "/killed", "--threads", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("\(before.count) already in"))
        let after = try points(file)
        #expect(same(after, reference))
        #expect(zip(before, after).allSatisfy { $0 == $1 })   // finished points were kept as they were, not recomputed
        let a = try RateTable.read(csv: String(contentsOfFile: dir + "/whole/rates.csv", encoding: .utf8))
        let b = try RateTable.read(csv: String(contentsOfFile: dir + "/killed/rates.csv", encoding: .utf8))
        #expect(a.map(\.p) == b.map(\.p) && a.map(\.pLow) == b.map(\.pLow))
        for name in ["rates.json", "rates.md", "rates.tex", "phase-diagram.svg", "plots/interp.svg", "plots/deep.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/killed/" + name), "\(name)")
        }
        // The deep row names its baseline and compares at its top W; its plot overlays the baseline.
        let deep = try #require(a.first { $0.experiment == "deep" })
        #expect(deep.baseline == "interpolation-lacunary-r1-d1-W2e2-3e3" && deep.baselineRatio != nil && ["yes", "no"].contains(deep.established ?? ""))
        #expect(try String(contentsOfFile: dir + "/whole/rates.md", encoding: .utf8).contains("| crossover W |"))
        #expect(try String(contentsOfFile: dir + "/whole/plots/deep.svg", encoding: .utf8).contains("interpolation"))
    }

    @Test func twoShardsMergedEqualOneRun() throws {
        let dir = temporaryDirectory()
        let plan = try writePlan(dir)
        // One measurement at a time on 2 threads here; 2 at a time on 1 thread each in the shards:
        // the points must not depend on it.
        #expect(try runCLI(["sweep", plan, "--out", dir + "/one", "--jobs", "1", "--threads", "2"]).status == 0)
        for i in 1...2 {
            let r = try runCLI(["sweep", plan, "--out", dir + "/shards", "--shard", "\(i)/2", "--jobs", "2", "--threads", "1"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/shards/rates.csv"))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/shards").filter { $0.hasPrefix("points-shard-") }.sorted()
        #expect(files == ["points-shard-0001-of-0002.jsonl", "points-shard-0002-of-0002.jsonl"])
        let partial = try runCLI(["merge", "--plan", plan, "--out", dir + "/partial", dir + "/shards/" + files[0]])
        #expect(partial.status != 0 && partial.stderr.contains("missing"))
        let merged = try runCLI(["merge", "--plan", plan, "--out", dir + "/merged"] + files.map { dir + "/shards/" + $0 })
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(same(try points(dir + "/merged/points.jsonl"), try points(dir + "/one/points.jsonl")))
        let a = try RateTable.read(csv: String(contentsOfFile: dir + "/one/rates.csv", encoding: .utf8))
        let b = try RateTable.read(csv: String(contentsOfFile: dir + "/merged/rates.csv", encoding: .utf8))
        #expect(a.map(\.p) == b.map(\.p) && a.map(\.bootstrapLow) == b.map(\.bootstrapLow))

        // SLURM variables choose the shard when --shard is absent.
        let slurm = try runCLI(["sweep", plan, "--out", dir + "/slurm", "--threads", "1"],
                               environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"])
        #expect(slurm.status == 0 && slurm.stderr.contains("shard 2/2 from SLURM"))
        #expect(same(try points(dir + "/slurm/points-shard-0002-of-0002.jsonl"), try points(dir + "/shards/" + files[1])))

        // table and phase-diagram from the merged points.
        let md = try runCLI(["table", dir + "/merged/points.jsonl", "--format", "markdown"])
        #expect(md.status == 0 && md.stdout.hasPrefix("| target |"))
        let pd = try runCLI(["phase-diagram", dir + "/merged/rates.json", dir + "/one/rates.json", "-o", dir + "/both.svg"])
        #expect(pd.status == 0 && FileManager.default.fileExists(atPath: dir + "/both.svg"), "\(pd.stderr)")
    }

    @Test func badPlansAndArgumentsEndWithOneLineAndNonZeroStatus() throws {
        let dir = temporaryDirectory()
        func plan(_ text: String) throws -> String {
            let p = dir + "/p-\(UUID().uuidString).json"; try text.write(toFile: p, atomically: true, encoding: .utf8); return p
        }
        let cases: [([String], String)] = [
            (["sweep", dir + "/none.json"], "no such plan file"),
            (["sweep", try plan("{\"experiments\": [{\"target\": \"power\", \"smoothness\": 1, \"construction\": \"interpolation\", \"point\": 3}]}")], "unknown key 'point'"),
            (["sweep", try plan("{\"experiments\": [{\"target\": \"power\", \"smoothness\": -1, \"construction\": \"interpolation\"}]}")], "r must be > 0"),
            (["sweep", try plan("{\"experiments\": [{\"target\": \"power\", \"smoothness\": 1, \"construction\": \"spline\"}]}")], "spline"),
            (["sweep", try plan("{\"experiments\": [{\"target\": \"power\", \"smoothness\": 1, \"construction\": \"deep\", \"dimension\": 3}]}")], "d = 3"),
            (["sweep", try plan("{\"experiments\": [{\"target\": \"power\", \"smoothness\": 1, \"construction\": \"interpolation\", \"activation\": \"relu2\"}]}")], "relu2"),
            (["sweep", try plan("{\"experiments\": [{\"target\": \"power\", \"smoothness\": 1, \"construction\": \"interpolation\"}]}"), "--shard", "3/2"], "--shard 3/2"),
            (["merge", "--out", dir + "/m", dir + "/missing.jsonl"], "no such points file"),
            (["table", dir + "/missing.jsonl"], "no such points file"),
            (["phase-diagram", dir + "/x.json", "-o", dir + "/x.png"], "must end in .svg"),
        ]
        for (args, message) in cases {
            let r = try runCLI(args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }
}

/// The cost model: fitted from measured points, read back, used by `sweep` for its estimate.
@Suite struct CostModelTests {
    // The fit recovers a power law it is given, per class, and predicts by class.
    @Test func fitRecoversAPowerLawPerClass() throws {
        let shipped = try PointJournal(path: "data/reference/points.jsonl").read()
        let model = CostModel.fit(shipped, sources: ["data/reference/points.jsonl"])
        #expect(model.entries.count >= 6, "\(model.entries.map(\.key))")
        for e in model.entries {
            #expect(e.exponent.isFinite && e.coefficient > 0, "\(e.key)")
            // Every fitted point within the worst factor the entry reports.
            for p in shipped where CostModel.key(p.spec) == e.key {
                let predicted = model.secondsPerDraw(p.spec, cells: p.row.cells, fine: p.row.fineCells, weights: p.row.weightsAll)!
                let measured = p.row.seconds / Double(p.row.draws)
                #expect(Swift.max(predicted / measured, measured / predicted) <= e.worstFactor * (1 + 1e-9), "\(p.id)")
            }
        }
        // The deep construction's cost follows its search grid times W; timing grows with it.
        let deep = try #require(model.entries.first { $0.key == "deep|d=1|relu|alpha=1.0" })
        #expect(deep.size == "G*W" && deep.exponent > 0, "deep: \(deep.size ?? "W")^\(deep.exponent)")
        #expect(model.entries.first { $0.key == "interpolation|d=1|relu" }?.size == "W")
        let encoded = try model.encoded()
        #expect(try CostModel.read(json: encoded, source: "x") == model)
        #expect(throws: RateError.self) { try CostModel.read(json: Data("{}".utf8), source: "bad.json") }
    }

    // Where W hardly moves but the grid does (the 2-D snake with M held at 10), the fit in
    // G·W recovers the law it is given, and a W asked for between measured points is read off them.
    @Test func costFollowsTheGridWhereWDoesNot() throws {
        let template = try #require(try PointJournal(path: "data/reference/points.jsonl").read().first { $0.spec.construction == "deep" && $0.row.fineCells != nil })
        var points: [SweepPoint] = []
        for (n, m, w) in [(1, 10, 44427), (3, 10, 46643), (11, 11, 73075), (17, 17, 160099)] {
            var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(template)) as? [String: Any])
            var row = try #require(object["row"] as? [String: Any]), spec = try #require(object["spec"] as? [String: Any])
            let g = CostModel.gridPoints(cells: n, fine: m, dimension: 2)
            row["cells"] = n; row["fineCells"] = m; row["weightsAll"] = w; row["draws"] = 1
            row["seconds"] = 3e-9 * Foundation.pow(g * Double(w), 0.9)
            spec["dimension"] = 2
            object["row"] = row; object["spec"] = spec; object["id"] = "synthetic|W=\(w)"
            points.append(try JSONDecoder().decode(SweepPoint.self, from: JSONSerialization.data(withJSONObject: object)))
        }
        let model = CostModel.fit(points, sources: ["synthetic"])
        let e = try #require(model.entries.first)
        #expect(model.entries.count == 1 && e.size == "G*W")
        #expect(Swift.abs(e.exponent - 0.9) < 1e-9 && e.worstFactor < 1 + 1e-9, "\(e)")
        for p in points {
            let t = p.row.seconds
            #expect(Swift.abs(model.secondsPerDraw(p.spec, weights: p.row.weightsAll)! / t - 1) < 1e-9, "\(p.id)")
        }
        // Between N = 11 and 17, and beyond 17 along the last segment: increasing in W.
        let mid = model.secondsPerDraw(points[0].spec, weights: 110_000)!, far = model.secondsPerDraw(points[0].spec, weights: 300_000)!
        #expect(mid > points[2].row.seconds && mid < points[3].row.seconds && far > points[3].row.seconds)
    }

    // End to end: `cost-model` writes the model, `sweep --cost-model` prints its estimate, a
    // missing model file is refused by name.
    @Test func costModelCommandAndSweepEstimate() throws {
        let dir = temporaryDirectory()
        let fit = try runCLI(["cost-model", "data/reference/points.jsonl", "-o", dir + "/model.json"])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("deep|d=1|relu|alpha=1.0"))
        let plan = dir + "/plan.json"
        try #"{"name": "p", "experiments": [{"name": "i", "target": "power", "smoothness": 0.5, "construction": "interpolation", "weights": "1e2...1e3", "points": 2}]}"#
            .write(toFile: plan, atomically: true, encoding: .utf8)
        let sweep = try runCLI(["sweep", plan, "--out", dir + "/out", "--cost-model", dir + "/model.json"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stderr.contains("estimate: ") && sweep.stderr.contains("s of measurement left"), "\(sweep.stderr)")
        let missing = try runCLI(["sweep", plan, "--out", dir + "/out2", "--cost-model", dir + "/none.json"])
        #expect(missing.status != 0 && missing.stderr.contains("none.json"), "\(missing.stderr)")
        let empty = try runCLI(["cost-model", dir + "/nothing.jsonl"])
        #expect(empty.status != 0 && empty.stderr.contains("nothing.jsonl"))
    }
}

/// The deep-network benchmark command end to end on its smallest size.
@Suite struct BenchDeepCLITests {
    @Test func benchDeepReportsAgreeingOutputs() throws {
        let r = try runCLI(["bench-deep", "--dim", "1", "--cells", "8", "--fine", "8", "--points", "16", "--order", "random"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["within_bound"] as? Int == 16, "\(r.stdout)")
        #expect(json["mpfr_identical_to_generic"] as? Int == 16, "the MPFR evaluator and the generic loop differ: \(r.stdout)")
        for key in ["fixed_1", "fixed_2", "mpfr_1", "generic_c"] { #expect((json[key] as? Double ?? 0) > 0, "\(key)") }
        let bad = try runCLI(["bench-deep", "--dim", "3", "--cells", "8", "--fine", "8"])
        #expect(bad.status != 0 && bad.stderr.contains("--dim"))
    }
}
