import Foundation

extension FuzzGenerator {
    /// A sweep plan of one or two tiny experiments: valid (the tables must be written and hold
    /// no non-finite number), broken on purpose (refused), or mutated at random bytes.
    func planCase(_ rng: inout FuzzRandom) -> FuzzCase {
        func experiment(_ name: String) -> [String: Any] {
            ["name": name, "target": rng.pick(["power", "smooth-sine", "takagi", "abs(x-1/3)^0.75", "x^2"]),
             "smoothness": rng.pick([0.5, 1, 1.5, 2]), "construction": rng.pick(["interpolation", "interpolation", "taylor"]),
             "weights": rng.pick(["1e1...4e1", "8...30", "1e1...2e1"]), "points": 1 + rng.below(2)]
        }
        var plan: [String: Any] = ["name": "fuzz", "experiments": [experiment("a")] + (rng.chance(0.3) ? [experiment("b")] : [])]
        let arguments = ["sweep", "@DIR/p.json", "--out", "@DIR/out", "--jobs", "1", "--threads", "1"]
        func encode(_ object: Any) -> Data { (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data() }
        let valid: @Sendable (FuzzRun) -> String? = { run in
            guard let csv = FileManager.default.contents(atPath: run.folder + "/out/rates.csv") else { return "exit 0 without out/rates.csv" }
            return nonFiniteWord(String(decoding: csv, as: UTF8.self)).map { "rates.csv holds '\($0)'" }
        }
        let mode = rng.below(10)
        if mode < 2 { return FuzzCase(kind: .plan, arguments: arguments, files: ["p.json": encode(plan)], oracle: .either(valid)) }
        if mode < 8 {
            var experiments = plan["experiments"] as! [[String: Any]]
            var why = ""
            switch rng.below(12) {
            case 0: let v: Any = rng.pick([0, -1, 1_000_000_000, 1001, 1.5, "x"] as [Any]); experiments[0]["points"] = v; why = "points \(v)"
            case 1: let v = rng.pick(["1e30...1e31", "1e2...1e12", "abc", "4e1...1e1", "1e1...nan", "", "1e1...1e1...1e2", "-5...10", "1e-5...1e1"]); experiments[0]["weights"] = v; why = "weights \(v)"
            case 2: let v: Any = rng.pick([-1, 0, "nan", "inf", 1e300 * 10, "x", NSNull()] as [Any]); experiments[0]["smoothness"] = v; why = "smoothness \(v)"
            case 3: let v = rng.pick(["bogus", "", "INTERPOLATION", "deep2"]); experiments[0]["construction"] = v; why = "construction \(v)"
            case 4: let v: Any = rng.pick([0, -1, 99, 1_000_000_000, 1.5] as [Any]); experiments[0]["dimension"] = v; why = "dimension \(v)"
            case 5: let v: Any = rng.pick([0, -3, 1_000_000, 1e30] as [Any]); experiments[0]["draws"] = v; experiments[0]["target"] = "lacunary"; why = "draws \(v)"
            case 6: experiments[0]["colour"] = "red"; why = "unknown key"
            case 7: experiments[0]["target"] = rng.pick(["sqrt(x-0.5)", "log(x)", "1/(x-0.25)", "(-x)^0.5", "bogus(x)", "", "x+", String(repeating: "(", count: 5000) + "x" + String(repeating: ")", count: 5000)]); why = "target \(experiments[0]["target"]!)"
            case 8: experiments = []; why = "no experiments"
            case 9: experiments = [experiments[0], experiments[0]]; why = "duplicate names"
            case 10: experiments[0]["smoothness"] = nil; why = "no smoothness"
            default: experiments[0]["alpha"] = rng.pick([-1, 0, 2, 1e30] as [Double]); experiments[0]["construction"] = "deep"; why = "alpha \(experiments[0]["alpha"]!)"
            }
            plan["experiments"] = experiments
            return FuzzCase(kind: .plan, arguments: arguments, files: ["p.json": encode(plan)], oracle: .mustFail(why))
        }
        if mode == 8 {
            let n = 65 + rng.below(50_000)
            let text = "{\"name\": \"fuzz\", \"experiments\": " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "}"
            return FuzzCase(kind: .plan, arguments: arguments, files: ["p.json": Data(text.utf8)], oracle: .mustFail("nested \(n) deep"))
        }
        var bytes = Array(encode(plan))
        for _ in 0..<(1 + rng.below(3)) {
            let i = rng.below(bytes.count)
            if rng.chance(0.5) { bytes[i] = rng.pick(Array("0123456789.-e[]{}\",: x".utf8)) } else { bytes.remove(at: i) }
        }
        return FuzzCase(kind: .plan, arguments: arguments, files: ["p.json": Data(bytes)], oracle: .either(valid), mayBeSlow: true)
    }
}
