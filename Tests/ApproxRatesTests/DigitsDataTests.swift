import Foundation
import PropertyBased
import Testing
import ApproxRates

@Suite struct DigitsDataTests {
    static var shipped: String { repositoryRoot() + "/data/digits/digits.csv" }

    /// The shipped file: 1,797 examples, the documented class counts, every image standardised
    /// (mean 0, variance 1 over its 64 pixels), one-hot targets; random labels change the labels
    /// only, reproducibly by seed.
    @Test func shippedDigitsLoadAsDocumented() throws {
        let data = try TrainingData.digits(contentsOf: DigitsDataTests.shipped)
        #expect(data.count == 1797 && data.inputDimension == 64 && data.outputDimension == 10)
        var counts = [Int](repeating: 0, count: 10)
        for b in 0..<data.count {
            let row = data.targets[(b * 10)..<(b * 10 + 10)]
            #expect(row.reduce(0, +) == 1 && row.allSatisfy { $0 == 0 || $0 == 1 })
            counts[row.firstIndex(of: 1)! - b * 10] += 1
            let x = data.inputs[(b * 64)..<(b * 64 + 64)]
            let mean = x.reduce(0, +) / 64
            let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 64
            #expect(Swift.abs(mean) < 1e-13 && Swift.abs(variance - 1) < 1e-12)
        }
        #expect(counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        let random = try TrainingData.digits(contentsOf: DigitsDataTests.shipped, samples: 512, randomLabels: true, seed: 5)
        let again = try TrainingData.digits(contentsOf: DigitsDataTests.shipped, samples: 512, randomLabels: true, seed: 5)
        #expect(random.inputs == Array(data.inputs.prefix(512 * 64)) && random.targets == again.targets)
        #expect(random.targets != Array(data.targets.prefix(512 * 10)))
        #expect(random.summary.contains("uniformly random labels"))
    }

    /// Every malformed line is refused with a message naming the line and what is allowed; so is
    /// a file shorter than the examples asked for.
    @Test(arguments: [
        ("1,2,3\n", "line 1: 3 fields"),
        (String(repeating: "1,", count: 64) + "10\n", "line 1, field 65: '10' is not a class 0…9"),
        (String(repeating: "1,", count: 63) + "17,3\n", "line 1, field 64: '17' is not a pixel value 0…16"),
        (String(repeating: "1,", count: 63) + "nan,3\n", "line 1, field 64: 'nan' is not a pixel value"),
        (String(repeating: "1.5,", count: 64) + "3\n", "field 1: '1.5' is not a pixel value"),
        (String(repeating: "4,", count: 64) + "3\n", "line 1: a constant image cannot be standardised"),
        ("\n" + String(repeating: "1,", count: 63) + "2,3\n", "test.csv: 1 examples, fewer than the 2 asked for"),
    ])
    func malformedDigitsAreRefusedByLine(text: String, message: String) throws {
        let samples = message.contains("fewer than") ? 2 : 1
        #expect {
            _ = try TrainingData.digits(text: text, source: "test.csv", samples: samples)
        } throws: { error in
            String(describing: error).contains(message)
        }
    }

    /// Generated files: random field counts, values and separators never crash the reader; it
    /// either loads exactly the valid lines asked for or refuses with a named line.
    @Test func generatedDigitsFilesAreLoadedOrRefusedByName() async {
        await propertyCheck(count: 60, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var rng = SplitMix64(seed: seed)
            var lines: [String] = []
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let fields = 60 + Int(rng.next() % 8)
                lines.append((0..<fields).map { _ in
                    switch rng.next() % 12 { case 0: return "-1"; case 1: return "x"; case 2: return ""; case 3: return "99"
                    default: return String(rng.next() % 17) }
                }.joined(separator: ","))
            }
            do {
                let data = try TrainingData.digits(text: lines.joined(separator: "\n"), source: "gen.csv", samples: 1)
                #expect(data.count == 1 && data.inputs.allSatisfy(\.isFinite))
            } catch {
                #expect(String(describing: error).hasPrefix("gen.csv"), "\(error)")
            }
        }
    }
}
