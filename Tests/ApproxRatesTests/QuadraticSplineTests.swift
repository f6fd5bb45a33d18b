import Foundation
import Testing
import ApproxRates

/// The quadratic spline (a construction added as one file and one registry line): it reproduces
/// linear functions, its error obeys |f − S f| ≤ ‖f″‖/(8N²), and `rate` measures p ≈ 2 on it.
@Suite struct QuadraticSplineTests {
    func error(_ formula: String, cells n: Int) throws -> Double {
        let target = try TargetCatalog.formula(formula, dimension: 1, smoothness: 2)
        let construction = try ConstructionRegistry.named("quadratic-spline", degree: nil, smoothness: 2)
        let net = try construction.build(target, cells: n)
        #expect(net.counts.weightsAll == 3 * n + 7)
        var options = SupNorm.Options(precision: construction.precision(cells: n, smoothness: 2))
        ConstructionRegistry.applySearchHints(of: net, to: &options)
        return try SupNorm.measure(net, against: target, options: options).error.toDouble()
    }

    @Test func reproducesLinearFunctions() throws {
        for n in [1, 2, 7, 16] { #expect(try error("0.3*x - 0.1", cells: n) < 1e-18) }
    }

    /// ‖f″‖ = 9 for sin(3x): the error is at most 9/(8N²), and halving h divides it by about 4.
    @Test func errorBoundAndOrder() throws {
        var last = 0.0
        for n in [8, 16, 32] {
            let e = try error("sin(3*x)", cells: n)
            #expect(e <= 9 / (8 * Double(n * n)), "N = \(n): error \(e) above ‖f″‖/(8N²) = \(9 / (8 * Double(n * n)))")
            if last > 0 { #expect(abs(last / e - 4) < 0.5, "N = \(n): ratio \(last / e)") }
            last = e
        }
    }

    @Test func registryAndCLI() throws {
        #expect(ConstructionRegistry.names.contains("quadratic-spline"))
        #expect(throws: ConstructionError.self) { try ConstructionRegistry.named("quadratic-spline", degree: 2, smoothness: 2) }
        let r = try runCLI(["rate", "--target", "sin(3*x)", "--smoothness", "2", "--construction", "quadratic-spline",
                            "--weights", "1e2...3e3", "--points", "4", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let fit = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["fit"] as? [String: Any])
        let p = try #require(fit["p"] as? Double)
        #expect(abs(p - 2) < 0.1, "p = \(p)")
    }
}
