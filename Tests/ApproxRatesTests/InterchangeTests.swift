import Foundation
import Testing
import ApproxRates

@Suite struct InterchangeTests {
    /// docs/examples/load_network.py (the snippet in docs/network-format.md) reads a file and
    /// evaluates it in mpmath with identical bits to MPFREvaluator.
    @Test func pythonSnippetReproducesTheBits() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let p = try Precision(bits: 300)
        let net = randomNetwork(seed: 99, precision: p, inputs: 2, depth: 4, maxWidth: 6, dense: false,
                                activations: [.relu, .identity, .reluPower(2), .step])
        let file = temporaryDirectory() + "/net.json"
        try NetworkFile.save(net, to: file)
        let x = ["0.3", "-0.71"]
        let expected = try MPFREvaluator(network: net, precision: p)
            .evaluate([x.map { try BigFloat(parsing: $0, precision: p) }])[0]
        let code = """
        import sys; sys.path.insert(0, '\(root.path)/docs/examples')
        import load_network as L
        ys = L.evaluate(L.load('\(file)'), ['0.3', '-0.71'], 300)
        print(' '.join('%d %d' % ((-1 if y._mpf_[0] else 1) * int(y._mpf_[1]), int(y._mpf_[2])) for y in ys))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", code]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python3 with mpmath is needed for this check")
        let numbers = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(numbers.count == 2 * expected.count)
        for (k, y) in expected.enumerated() {
            let wide = try Precision(bits: 4096)
            let mantissa = try BigFloat(parsing: numbers[2 * k], precision: wide)
            let value = mantissa.scaled(byPowerOfTwo: Int(numbers[2 * k + 1])!)
            #expect(value == y, "output \(k): python \(value) vs swift \(y)")
        }
    }
}
