import Foundation
import Testing
import ApproxRates

/// Issue 24: digits of order 2 and 3 (the differences of the quantised residual), the balanced
/// fine/coarse ratio, and the shallow baseline every deep rate is compared with.
@Suite struct DigitOrderTests {
    /// The network at the interior fine nodes t_j = (cM + j)/(NM), j = 1 … M − 1 of every coarse
    /// cell c, against f there, in MPFR at the network's precision.
    func nodeErrors(_ net: Network, _ f: Target, cells n: Int, fine m: Int) throws -> [Double] {
        let p = net.weightPrecision
        let xs = (0..<n).flatMap { c in (1..<m).map { j in [BigFloat(c * m + j, precision: p).divided(by: BigFloat(n * m, precision: p), precision: p)] } }
        let out = try MPFREvaluator(network: net, precision: p).evaluate(xs)
        let fx = f.values(at: xs, precision: p)
        return zip(out, fx).map { Swift.abs($0.0[0].subtracting($0.1, precision: p).toDouble()) }
    }

    // The decoded digits rebuild the quantised residual exactly: at every interior fine node the
    // network is f₁ + εq_j with |R(t_j) − εq_j| ≤ ε/2, so within ε/2 of f (ε the quantum, the
    // largest k-th difference of R; plus the float64 rounding of R). Order 3 on smooth-sine needs
    // more leading digits for c₀ than planned (its third differences are far smaller than its
    // second), and gets them.
    @Test func everyOrderHitsEveryFineNodeWithinHalfAQuantum() throws {
        let cases: [(String, Double, Int, Int, Int)] = [("lacunary", 1, 2, 6, 9), ("lacunary", 2, 3, 5, 11), ("lacunary", 0.5, 2, 4, 8),
                                                         ("lacunary", 1, 3, 4, 12), ("lacunary", 1, 1, 4, 8), ("smooth-sine", 2, 3, 4, 12)]
        for (name, r, k, n, m) in cases {
            let f = try TargetCatalog.make(name, dimension: 1, smoothness: r, options: .init(seed: 7))
            let net = try BitExtraction.network(f, cells: n, fine: m, order: k)
            #expect(net.metadata["order"] == "\(k)")
            let eps = try #require(Double(net.metadata["quantum"] ?? ""))
            // Order 1 tracks greedily (K = 1); order k ≥ 2 rounds, so |Δ^k q| ≤ 1 + 2^k/2.
            let bound = (Int(net.metadata["digit_base"]!)! - 1) / 4
            #expect(bound <= (k == 1 ? 1 : 1 + (1 << k) / 2), "\(name) r = \(r), order \(k): digit bound \(bound)")
            // Order 1's zone (δ = h) reaches the first and last fine node of a cell; the higher
            // orders' zones (δ = h/⌈log₂ NM⌉) stay inside the first fine cell.
            let errors = try nodeErrors(net, f, cells: n, fine: m)
            for (i, e) in errors.enumerated() where k > 1 || (i % (m - 1) != 0 && i % (m - 1) != m - 2) {
                #expect(e <= eps / 2 * (1 + 1e-9) + 1e-14, "\(name) r = \(r), order \(k), N = \(n), M = \(m): node \(i): \(e) against ε/2 = \(eps / 2)")
            }
        }
    }

    // 2-D (``SnakeExtraction``, ``KuhnExtraction``): at every fine node of the whole square (M
    // even, so the four shifted copies share their fine nodes) the blended network is within ε/2
    // of f, ε the largest quantum of the copies, for the snake (K = 1), the rows with K = 2 and 3
    // and the second differences: each chain rebuilds its q exactly, the turns from row to row
    // and the leading digits of the order-2 slopes included. The rows' quantum is their largest
    // first difference over K, below half the snake's at K = 3.
    @Test func twoDimensionalEncodingsHitEveryFineNodeWithinHalfAQuantum() throws {
        let f = try TargetCatalog.make("lacunary", dimension: 2, smoothness: 1, options: .init(seed: 3))
        var quanta: [String: Double] = [:]
        for (k, bound, n, m) in [(1, 1, 2, 10), (1, 3, 2, 10), (1, 2, 1, 12), (2, 1, 2, 10), (2, 1, 1, 12)] {
            let net = try SnakeExtraction.network(f, cells: n, fine: m, order: k, bound: bound)
            #expect(net.metadata["order"] == "\(k)")
            let eps = try #require(Double(net.metadata["quantum"] ?? ""))
            quanta["\(k)-\(bound)-\(n)"] = eps
            let p = net.weightPrecision
            let nm = n * m
            let xs = (0...nm).flatMap { i in (0...nm).map { j in
                [BigFloat(i, precision: p).divided(by: BigFloat(nm, precision: p), precision: p),
                 BigFloat(j, precision: p).divided(by: BigFloat(nm, precision: p), precision: p)] } }
            let out = try MPFREvaluator(network: net, precision: p).evaluate(xs)
            let fx = f.values(at: xs, precision: p)
            var worst = 0.0
            for (o, v) in zip(out, fx) { worst = Swift.max(worst, Swift.abs(o[0].subtracting(v, precision: p).toDouble())) }
            #expect(worst <= eps / 2 * (1 + 1e-9) + 1e-14, "order \(k), K = \(bound), N = \(n), M = \(m): worst node error \(worst) against ε/2 = \(eps / 2)")
        }
        #expect(quanta["1-3-2"]! < quanta["1-1-2"]! / 2, "quanta \(quanta)")
        #expect(throws: ConstructionError.self) { try SnakeExtraction.network(f, cells: 1, fine: 10, order: 3) }
        #expect(throws: ConstructionError.self) { try SnakeExtraction.network(f, cells: 1, fine: 10, bound: 9) }
    }

    // The CLI end to end: `build deep --digit-bound K` in 2-D writes the rows encoding (its
    // metadata say so and the digit base is 4K + 1); 0 and a 1-D target are refused by name with
    // a non-zero exit and no file.
    @Test func digitBoundFromTheCommandLine() throws {
        let dir = temporaryDirectory()
        let file = dir + "/rows.json"
        let ok = try runCLI(["build", "deep", "--target", "lacunary", "--smoothness", "0.5", "--dim", "2", "--cells", "2",
                             "--fine", "10", "--digit-bound", "2", "-o", file])
        #expect(ok.status == 0, "\(ok.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as! [String: Any]
        let metadata = try #require(object["metadata"] as? [String: String])
        #expect(metadata["encoding"] == "rows, K = 2" && metadata["digit_base"] == "9", "\(metadata)")
        // 1-D: refused for order-1 digits (r = ½), which have no quantum to divide.
        for (args, word) in [(["--dim", "2", "--digit-bound", "0"], "0 is not allowed"), (["--digit-bound", "2"], "not to order 1")] {
            let bad = dir + "/bad.json"
            let r = try runCLI(["build", "deep", "--target", "lacunary", "--smoothness", "0.5", "--cells", "2", "--fine", "10", "-o", bad] + args)
            #expect(r.status != 0 && r.stderr.contains("digit-bound") && r.stderr.contains(word), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: bad))
        }
    }

    // `rate --checkpoint` keys name the 2-D digits unless they are the first wave's snake: the
    // snake's rows are read back by a rerun with `--digit-bound 1` (same key as before issue 24),
    // and the default rows encoding, a different network, is measured, not read back.
    @Test func checkpointKeysTellTheTwoDimensionalEncodingsApart() throws {
        let dir = temporaryDirectory()
        let file = dir + "/d2.jsonl"
        let common = ["rate", "--target", "lacunary", "--smoothness", "0.5", "--dim", "2", "--construction", "deep",
                      "--weights", "4e4...4e4", "--points", "1", "--grid", "any", "--checkpoint", file, "--threads", "1"]
        let snake = try runCLI(common + ["--digit-bound", "1"])
        #expect(snake.status == 0, "\(snake.stderr)")
        let again = try runCLI(common + ["--digit-bound", "1"])
        #expect(again.status == 0 && again.stdout == snake.stdout, "\(again.stderr)")
        let rows = try runCLI(common)
        #expect(rows.status == 0, "\(rows.stderr)")
        let lines = try RateCheckpoint(path: file).journal.read()
        #expect(lines.count == 2 && lines[0].row.weightsAll != lines[1].row.weightsAll && lines[1].key.contains("order 1, bound 3"))
        #expect(!lines[0].key.contains("2-D digits"))
    }

    // 1-D digits with a divided quantum (`--digit-bound K`, orders 2 and 3): ε is a K-th of the
    // largest k-th difference, every interior fine node is within ε/2 of f, the digits reach past
    // the default's bound but stay within K + 2^k/2, the planned precision holds the code, K = 1 is
    // the default network weight for weight, and a checkpoint key tells the divided quantum apart.
    @Test func aDividedQuantumHitsEveryFineNodeWithinHalfOfIt() throws {
        for (r, k, n, m, divisor) in [(1.0, 2, 6, 9, 4), (2.0, 3, 5, 11, 3), (1.0, 2, 4, 12, 8)] {
            let f = try TargetCatalog.make("lacunary", dimension: 1, smoothness: r, options: .init(seed: 7))
            let plain = try BitExtraction.network(f, cells: n, fine: m, order: k)
            let net = try BitExtraction.network(f, cells: n, fine: m, order: k, divisor: divisor)
            let eps = try #require(Double(net.metadata["quantum"] ?? "")), eps1 = try #require(Double(plain.metadata["quantum"] ?? ""))
            #expect(Swift.abs(eps * Double(divisor) / eps1 - 1) < 1e-12 && net.metadata["quantum_divisor"] == "\(divisor)")
            let bound = (Int(net.metadata["digit_base"]!)! - 1) / 4
            #expect(bound > (Int(plain.metadata["digit_base"]!)! - 1) / 4 && bound <= divisor + (1 << k) / 2, "r = \(r): bound \(bound)")
            #expect(net.weightPrecision.bits <= BitExtraction.precision(cells: n, fine: m, smoothness: r, order: k, divisor: divisor).bits)
            for (i, e) in try nodeErrors(net, f, cells: n, fine: m).enumerated() {
                #expect(e <= eps / 2 * (1 + 1e-9) + 1e-14, "r = \(r), K = \(divisor): node \(i): \(e) against ε/2 = \(eps / 2)")
            }
        }
        let f = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 1, options: .init(seed: 7))
        #expect(NetworkFile.encode(try DeepConstruction(digitBound: 1).build(f, cells: 30)) == NetworkFile.encode(try DeepConstruction().build(f, cells: 30)))
        #expect(DeepConstruction(digitBound: 4).checkpointTag(dimension: 1) == "|1-D quantum divisor 4")
        #expect(DeepConstruction(digitBound: 1).checkpointTag(dimension: 1) == "" && DeepConstruction().checkpointTag(dimension: 1) == "")
    }

    // A residual that is a quadratic (f = x²: f − f₁ is exactly quadratic on every cell) has
    // third differences at float64's rounding level; the quantum is floored at 2^−40 of the
    // residual, so q stays an Int and the nodes are still within half a quantum.
    @Test func aPolynomialResidualDoesNotOverflowTheDigits() throws {
        for (formula, k) in [("x^2", 3), ("x^2/1000", 3), ("3*x", 2), ("x^2", 2)] {
            let f = try TargetCatalog.formula(formula, dimension: 1, smoothness: 2)
            let net = try BitExtraction.network(f, cells: 4, fine: 8, order: k)
            let eps = try #require(Double(net.metadata["quantum"] ?? ""))
            for e in try nodeErrors(net, f, cells: 4, fine: 8) { #expect(e <= eps / 2 * (1 + 1e-9) + 1e-14, "\(formula), order \(k): \(e) against ε/2 = \(eps / 2)") }
        }
    }

    // Section 3.6 one order up: on the r = 2 lacunary target the order-3 error follows h², with
    // no log(1/h) factor: doubling N = M divides h² by 16; ask for more than 10 (h² log(1/h)
    // gives about 12 at these sizes, an r = 1 rate at most 4).
    @Test func orderThreeFollowsHSquared() throws {
        let f = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 2, options: .init(seed: 5))
        var errors: [Double] = []
        for n in [8, 16] {
            let net = try BitExtraction.network(f, cells: n, fine: n)
            #expect(net.metadata["order"] == "3")
            var o = searchOptions(net.weightPrecision)
            o.sampledZones = ConstructionRegistry.sampledZones(of: net)
            errors.append(try SupNorm.measure(net, against: f, options: o).error.toDouble())
        }
        #expect(errors[0] / errors[1] > 10, "order-3 errors \(errors)")
    }

    // The defaults: order ⌊r⌋ + 1 (at most 3), M = c·N with the balanced c for α = 1 in 1-D,
    // M = N^α elsewhere; a digit order or ratio outside the allowed range is refused by name.
    @Test func defaultsAndRefusals() throws {
        #expect(BitExtraction.order(smoothness: 0.5) == 1 && BitExtraction.order(smoothness: 1) == 2)
        #expect(BitExtraction.order(smoothness: 1.5) == 2 && BitExtraction.order(smoothness: 2) == 3 && BitExtraction.order(smoothness: 7) == 3)
        let deep = DeepConstruction()
        #expect(deep.fine(100, smoothness: 1, dimension: 1) == 29)
        #expect(deep.fine(100, smoothness: 2, dimension: 1) == 18)
        #expect(deep.fine(100, smoothness: 0.5, dimension: 1) == 35)
        #expect(deep.fine(10, smoothness: 2, dimension: 1) == 6)
        #expect(DeepConstruction(alpha: 0.5).fine(400, smoothness: 1, dimension: 1) == 20)
        #expect(deep.fine(16, smoothness: 1, dimension: 2) == 16)
        #expect(DeepConstruction(digitOrder: 1, fineRatio: 1).fine(100, smoothness: 1, dimension: 1) == 100)
        for (order, ratio, word) in [(4, nil, "digit-order"), (0, nil, "digit-order"), (nil, 0.0, "fine-ratio"), (nil, Double.nan, "fine-ratio")] as [(Int?, Double?, String)] {
            #expect { _ = try ConstructionRegistry.named("deep", degree: nil, smoothness: 1, digitOrder: order, fineRatio: ratio) } throws: { e in
                "\(e)".contains(word)
            }
        }
        #expect { _ = try ConstructionRegistry.named("interpolation", degree: nil, smoothness: 1, digitOrder: 2) } throws: { e in
            "\(e)".contains("digit-order") && "\(e)".contains("deep")
        }
        // The 2-D digit bound: default 3, order 1 in 2-D whatever r; 1…8 allowed, 2-D only.
        #expect(deep.order(smoothness: 1, dimension: 2) == 1 && deep.bound == SnakeExtraction.defaultDigitBound)
        for k in [0, 9, -1] {
            #expect { _ = try ConstructionRegistry.named("deep", degree: nil, smoothness: 1, digitBound: k) } throws: { e in
                "\(e)".contains("digit-bound") && "\(e)".contains("\(k)")
            }
        }
        #expect { _ = try ConstructionRegistry.named("interpolation", degree: nil, smoothness: 1, digitBound: 2) } throws: { e in
            "\(e)".contains("digit-bound") && "\(e)".contains("deep")
        }
        let rough = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 0.5, options: .init(seed: 1))
        #expect { _ = try DeepConstruction(digitBound: 2).build(rough, cells: 4) } throws: { e in
            "\(e)".contains("digit-bound") && "\(e)".contains("order 1")
        }
        #expect { _ = try BitExtraction.network(rough, cells: 4, fine: 8, order: 1, divisor: 2) } throws: { e in
            "\(e)".contains("digit-bound") && "\(e)".contains("order 2 or 3")
        }
    }
}

/// Grid sizes with the fine ratio met exactly (grid `exact-ratio`).
@Suite struct ExactRatioGridTests {
    // N a multiple of the least N₀ with c·N₀ whole (7 for c = 2/7), so that M = 2N/7 at every
    // point, near the W asked for; a ratio without one (the default 0.29), α ≠ 1 or another
    // construction is refused naming it, from a plan and from the command line.
    @Test func exactRatioGrids() throws {
        let seven = DeepConstruction(fineRatio: 2.0 / 7)
        #expect(seven.exactRatioPeriod(smoothness: 1, dimension: 1) == 7)
        #expect(DeepConstruction(fineRatio: 0.35).exactRatioPeriod(smoothness: 1, dimension: 1) == 20)
        #expect(DeepConstruction().exactRatioPeriod(smoothness: 1, dimension: 1) == nil)
        #expect(DeepConstruction(alpha: 0.5, fineRatio: 1).exactRatioPeriod(smoothness: 1, dimension: 1) == nil)
        func plan(_ extra: String, construction: String = "deep") -> String {
            #"{"name": "t", "experiments": [{"name": "e", "target": "lacunary", "smoothness": 1, "construction": "\#(construction)", "#
                + #""weights": "1e3...6e3", "points": 3, "grid": "exact-ratio"\#(extra)}]}"#
        }
        let e = try SweepPlan.read(json: Data(plan(#", "fine_ratio": 0.2857142857142857"#).utf8), source: "t.json").experiments[0].experiment()
        #expect(e.gridPeriod == 7)
        let sizes = try e.gridSizes()
        #expect(Set(sizes.map(\.cells)).count == 3)
        for (w, n) in sizes {
            #expect(n % 7 == 0 && 7 * seven.fine(n, smoothness: 1, dimension: 1) == 2 * n, "N = \(n)")
            let built = try seven.build(e.target, cells: n).counts.weightsAll
            #expect(Swift.abs(log(Double(built) / Double(w))) < log(1.3), "N = \(n): W = \(built) for \(w) asked")
        }
        for (text, words) in [(plan(""), ["exact-ratio", "0.29"]), (plan(#", "alpha": 0.5"#), ["exact-ratio", "alpha 0.5"]),
                              (plan("", construction: "interpolation"), ["exact-ratio", "interpolation"])] {
            #expect { _ = try SweepPlan.read(json: Data(text.utf8), source: "t.json").experiments[0].experiment() } throws: { error in
                words.allSatisfy { "\(error)".contains($0) }
            }
        }
        let refused = try runCLI(["rate", "--target", "lacunary", "--smoothness", "1", "--construction", "deep", "--grid", "exact-ratio", "--weights", "1e3", "--points", "1"])
        #expect(refused.status != 0 && refused.stderr.contains("--grid") && refused.stderr.contains("0.29"), "\(refused.stderr)")
        let run = try runCLI(["rate", "--target", "lacunary", "--smoothness", "1", "--construction", "deep", "--grid", "exact-ratio",
                              "--fine-ratio", "0.2857142857142857", "--weights", "1e3", "--points", "1", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try #require((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["rows"] as? [[String: Any]])
        let n = try #require(rows.first?["N"] as? Int), m = try #require(rows.first?["M"] as? Int)
        #expect(n % 7 == 0 && 7 * m == 2 * n, "N = \(n), M = \(m)")
    }
}

/// The shallow baseline of a deep rate: the plan adds it, the table compares at equal W.
@Suite struct ShallowBaselineTests {
    func row(_ w: Int, _ e: Double) -> RateRow { syntheticRow(w, e, cells: w) }

    // deep 100/W² against interpolation 1/W: they cross at W = 100, and at W = 10⁴ the
    // interpolation error is 100 times the deep one; inside the baseline's points its error is
    // interpolated, beyond them read from its line.
    @Test func ratioAndCrossoverOfTwoPowerLaws() throws {
        let ws = [1_000, 2_000, 4_000, 10_000]
        let deep = try RateEstimate(rows: ws.map { row($0, 100 / Double($0 * $0)) }, against: .weights, smoothness: 1, dimension: 1)
        let shallow = try RateEstimate(rows: [900, 3_000, 12_000].map { row($0, 1 / Double($0)) }, against: .weights, smoothness: 1, dimension: 1)
        let c = ShallowComparison(deep: deep, baseline: shallow)
        #expect(Swift.abs(c.ratioAtTop / 100 - 1) < 1e-9 && !c.extrapolated && c.topWeights == 10_000)
        #expect(Swift.abs(try #require(c.crossoverWeights) / 100 - 1) < 1e-6)
        #expect(c.establishes(deep.region) && deep.region == .deep)
        let short = try RateEstimate(rows: [900, 3_000].map { row($0, 1 / Double($0)) }, against: .weights, smoothness: 1, dimension: 1)
        let far = ShallowComparison(deep: deep, baseline: short)
        #expect(far.extrapolated && Swift.abs(far.ratioAtTop / 100 - 1) < 1e-6)
        // A deep line above the shallow one everywhere: no crossover, not established.
        let worse = try RateEstimate(rows: ws.map { row($0, 10 / Double($0)) }, against: .weights, smoothness: 1, dimension: 1)
        let none = ShallowComparison(deep: worse, baseline: shallow)
        #expect(none.crossoverWeights == nil && !none.establishes(worse.region) && none.ratioAtTop < 1)
    }

    // Every deep and fixed-width experiment gets its baseline once; one already in the plan is used.
    @Test func plansGainOneBaselinePerDeepExperiment() throws {
        let json = """
        {"name": "t", "experiments": [
          {"name": "a", "target": "lacunary", "smoothness": 1, "construction": "deep", "weights": "1e3...1e4", "points": 3, "draws": 2},
          {"name": "b", "target": "lacunary", "smoothness": 1, "construction": "deep", "digit_order": 1, "fine_ratio": 1, "weights": "1e3...1e4", "points": 3, "draws": 2},
          {"name": "c", "target": "lacunary", "smoothness": 0.5, "construction": "fixed-width", "weights": "5e3...6e4", "points": 3},
          {"name": "mine", "target": "lacunary", "smoothness": 0.5, "construction": "interpolation", "weights": "5e3...6e4", "points": 4},
          {"name": "d", "target": "lacunary", "smoothness": 1, "construction": "taylor", "weights": "1e3...1e4", "points": 3}
        ]}
        """
        let plan = try SweepPlan.read(json: Data(json.utf8), source: "t.json")
        #expect(plan.experiments.map(\.name) == ["a", "interpolation-lacunary-r1-d1-W1e3-1e4-draws2", "b", "c", "mine", "d"])
        let b = plan.experiments[1]
        #expect(b.construction == "interpolation" && b.draws == 2 && b.grid == "any" && b.weights == "1e3...1e4" && b.points == 3)
        #expect(plan.experiments[2].digitOrder == 1 && plan.experiments[2].fineRatio == 1)
    }
}
