import Foundation
import PropertyBased
import Testing
import ApproxRates

@Suite struct TargetTests {
    let p = try! Precision(bits: 200)

    func value(_ formula: String, _ x: [Double], bits: Int = 200) throws -> BigFloat {
        let t = try TargetCatalog.formula(formula, dimension: x.count, smoothness: 1)
        return t.value(at: x.map { BigFloat($0) }, precision: try Precision(bits: bits))
    }

    @Test func parserPrecedenceAndFunctions() throws {
        #expect(try value("-x^2", [3]) == BigFloat(-9.0))
        #expect(try value("2^3^2", [0]) == BigFloat(512.0))          // right-associative
        #expect(try value("1 - 2 - 3", [0]) == BigFloat(-4.0))       // left-associative
        #expect(try value("12/3/2", [0]) == BigFloat(2.0))
        #expect(try value("2**-1", [0]) == BigFloat(0.5))
        #expect(try value("max(x1, x2) - min(x1, x2) + abs(-1)", [0.25, 0.75]) == BigFloat(1.5))
        #expect(try value("floor(x*4) + sqrt(4)", [0.9]) == BigFloat(5.0))
        #expect(try value("0x1p-3 + 1e1", [0]) == BigFloat(10.125))
        // pi and sin at 200 bits agree with MPFR directly.
        let s = try value("sin(pi/6)", [0])
        #expect(s.subtracting(BigFloat(0.5, precision: p)).magnitude() < BigFloat(1.0).scaled(byPowerOfTwo: -195))
        // A decimal literal is read at the working precision, not through a double.
        let tenth = try value("0.1", [0])
        #expect(tenth.isIdentical(to: try BigFloat(parsing: "0.1", precision: p)))
    }

    @Test(arguments: [
        ("sinn(x)", 0, "unknown function 'sinn'"),
        ("abs(x-1/3", 9, "expected ')'"),
        ("x + * 2", 4, "unexpected '*'"),
        ("x1 + y", 5, "unknown name 'y'"),
        ("min(x)", 0, "min takes two arguments"),
        ("2 3", 2, "unexpected '3'"),
        ("", 0, "the formula ends"),
        ("x)", 1, "unbalanced ')'"),
        ("1.2.3", 0, "'1.2.3' is not a number"),
    ])
    func parserErrorsPointAtTheProblem(formula: String, position: Int, reason: String) {
        do {
            _ = try FormulaParser.parse(formula)
            Issue.record("'\(formula)' parsed")
        } catch let e as FormulaError {
            #expect(e.position == position, "\(e)")
            #expect(e.reason.contains(reason), "\(e)")
            #expect(e.description.contains(String(repeating: " ", count: position) + "^"))
        } catch { Issue.record("\(error)") }
    }

    @Test func doubleAndMPFRAgreeOnEveryBuiltIn() throws {
        let targets = [
            try TargetCatalog.make("power", dimension: 1, smoothness: 0.5),
            try TargetCatalog.make("power", dimension: 2, smoothness: 1.5),
            try TargetCatalog.make("lacunary", dimension: 1, smoothness: 0.7, options: .init(seed: 3)),
            try TargetCatalog.make("lacunary", dimension: 2, smoothness: 1.3),
            try TargetCatalog.make("smooth-sine", dimension: 1, smoothness: nil),
            try TargetCatalog.make("smooth-sine", dimension: 2, smoothness: nil),
            try TargetCatalog.make("weierstrass", dimension: 1, smoothness: 0.5),
            try TargetCatalog.make("takagi", dimension: 1, smoothness: 0.5),
        ]
        var rng = SplitMix64(seed: 11)
        for t in targets {
            let mp = t.makeEvaluator(precision: p)
            let fl = t.makeEvaluator(precision: .double)
            let x = MPFRArray(count: t.dimension, precision: p), y = MPFRArray(count: 1, precision: p)
            for _ in 0..<50 {
                let point = (0..<t.dimension).map { _ in Double.random(in: 0...1, using: &rng) }
                for (k, v) in point.enumerated() { BigFloat(v).copy(into: x[k]) }
                mp.evaluate(x.base, into: y[0])
                let exact = y.value(at: 0).toDouble()
                let approx = point.withUnsafeBufferPointer { fl.evaluateDouble($0.baseAddress!) }
                // float64 loses the argument of cos(2^n pi x) in its last bits: each Weierstrass
                // term is off by up to 2^n pi ulp(1), weighted by 2^(-n alpha).
                var tolerance: Double = 1e-12 * max(1, abs(exact))
                if t.name == "weierstrass" {
                    tolerance = 0
                    for n in 0..<40 {
                        let weight: Double = pow(2.0, -0.5 * Double(n))
                        tolerance += weight * (pow(2.0, Double(n)) * Double.pi + 1) * 0x1p-50
                    }
                }
                #expect(abs(exact - approx) <= tolerance, "\(t.name) at \(point)")
            }
        }
    }

    @Test func builtInsHaveTheirStatedForm() throws {
        let power = try TargetCatalog.make("power", dimension: 1, smoothness: 0.5)
        // |0 - 1/3|^(1/2) = 1/sqrt(3)
        let v = power.value(at: [BigFloat(0.0)], precision: p)
        let expected = BigFloat(3, precision: p).squareRoot().pow(-1)
        #expect(v.subtracting(expected).magnitude() < BigFloat(1.0).scaled(byPowerOfTwo: -190))
        #expect(power.specialPoints.count == 1 && abs(power.specialPoints[0][0] - 1.0 / 3) < 1e-15)
        #expect(try TargetCatalog.make("weierstrass", dimension: 1, smoothness: 0.5).role == .trap)
        #expect(try TargetCatalog.make("takagi", dimension: 1, smoothness: 0.5).role == .trap)
        #expect(try TargetCatalog.make("lacunary", dimension: 1, smoothness: 0.5).role == .classHard)
        // Takagi with 40 terms at x = 1/3: sum 2^(-n/2) dist(2^n/3, Z) = sum 2^(-n/2)/3.
        let tak = try TargetCatalog.make("takagi", dimension: 1, smoothness: 0.5)
        let third = BigFloat(1, precision: p).divided(by: BigFloat(3, precision: p))
        let ratio = BigFloat(0.5, precision: p).squareRoot()
        var sum = BigFloat(0, precision: p), w = BigFloat(1, precision: p)
        for _ in 0..<40 { sum = sum.adding(w.multiplied(by: third)); w = w.multiplied(by: ratio) }
        #expect(tak.value(at: [third], precision: p).subtracting(sum).magnitude() < BigFloat(1.0).scaled(byPowerOfTwo: -180))
        // Lacunary: different seeds give different functions; the same seed the same one.
        let a = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 0.5, options: .init(seed: 1))
        let b = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 0.5, options: .init(seed: 2))
        let x = [BigFloat(0.3)]
        #expect(a.value(at: x, precision: p) == (try TargetCatalog.make("lacunary", dimension: 1, smoothness: 0.5, options: .init(seed: 1))).value(at: x, precision: p))
        #expect(a.value(at: x, precision: p) != b.value(at: x, precision: p))
    }

    @Test func kinksOfOneDimensionalFormulas() throws {
        func kinks(_ f: String) throws -> [Double] { try FormulaParser.parse(f).kinks() }
        #expect(try kinks("abs(x-1/3)^0.75 + 0.1*sin(7*x)").map { ($0 * 3).rounded() / 3 } == [1.0 / 3])
        #expect(try kinks("max(x, 1-x)") == [0.5])
        #expect(try kinks("floor(4*x)") == [0.25, 0.5, 0.75])
        #expect(try kinks("(0.6 - x)^1.5 + sin(x)^2").count == 1)
        #expect(try kinks("x^2 + abs(sin(10*x))").isEmpty)          // not affine: left to the search
        #expect(try kinks("x1*x2").isEmpty)
        let t = try TargetCatalog.formula("abs(x - 0.625)", dimension: nil, smoothness: 1)
        #expect(t.specialPoints == [[0.625]])
    }

    @Test func badTargetsAreRefused() {
        #expect(throws: TargetError.self) { try TargetCatalog.make("power", dimension: 1, smoothness: 0) }
        #expect(throws: TargetError.self) { try TargetCatalog.make("power", dimension: 1, smoothness: -1) }
        #expect(throws: TargetError.self) { try TargetCatalog.make("power", dimension: 3, smoothness: 1) }
        #expect(throws: TargetError.self) { try TargetCatalog.make("weierstrass", dimension: 1, smoothness: 1.5) }
        #expect(throws: TargetError.self) { try TargetCatalog.make("nope", dimension: 1, smoothness: 1) }
        #expect(throws: TargetError.self) { try TargetCatalog.make("power", dimension: 1, smoothness: 1, options: .init(x0: ["2"])) }
        #expect(throws: TargetError.self) { try TargetCatalog.formula("x3", dimension: 2, smoothness: 1) }
        #expect(throws: TargetError.self) { try TargetCatalog.formula("x", dimension: 1, smoothness: .nan) }
    }

    @Test func taylorCoefficientsMatchExactDerivatives() async throws {
        // 1-D: f = exp(2x) sin(x) + x^3 / (1 + x); compare with finite-free exact forms via
        // the identity a_k = f^(k)(x0)/k!, checked for polynomials and exp exactly.
        let q = try Precision(bits: 256)
        await propertyCheck(count: 40, input: Gen.double(in: 0.05...0.95), Gen.int(in: 0...5)) { x0, degree in
            let poly = try! TargetCatalog.formula("3*x^4 - 2*x^2 + x - 7", dimension: 1, smoothness: 1)
            let jet = poly.taylorCoefficients(at: [BigFloat(x0, precision: q)], degree: degree, precision: q)
            // Exact: a_0 = f, a_1 = 12x^3 - 4x + 1, a_2 = 18x^2 - 2, a_3 = 12x, a_4 = 3, a_5 = 0.
            let x = x0
            let exact = [3 * pow(x, 4) - 2 * x * x + x - 7, 12 * pow(x, 3) - 4 * x + 1, 18 * x * x - 2, 12 * x, 3, 0]
            for k in 0...degree { #expect(abs(jet.coefficients[k].toDouble() - exact[k]) <= 1e-12 * max(1, abs(exact[k]))) }
            let e = try! TargetCatalog.formula("exp(2*x)", dimension: 1, smoothness: 1)
            let ej = e.taylorCoefficients(at: [BigFloat(x0, precision: q)], degree: degree, precision: q)
            var factorial = 1.0
            for k in 0...degree {
                if k > 0 { factorial *= Double(k) }
                let expected = Foundation.exp(2 * x) * pow(2, Double(k)) / factorial
                #expect(abs(ej.coefficients[k].toDouble() - expected) <= 1e-12 * expected)
            }
        }
        // 2-D mixed partials of sin(2 pi x1) sin(2 pi x2)/(8 pi^2) at (1/8, 1/4).
        let t = try TargetCatalog.make("smooth-sine", dimension: 2, smoothness: nil)
        let jet = t.taylorCoefficients(at: [BigFloat(0.125), BigFloat(0.25)], degree: 2, precision: q)
        let c = 1 / (8 * Double.pi * Double.pi), w = 2 * Double.pi
        let (s1, c1, s2, c2) = (sin(w * 0.125), cos(w * 0.125), sin(w * 0.25), cos(w * 0.25))
        let expected: [[Int]: Double] = [[0, 0]: c * s1 * s2, [1, 0]: c * w * c1 * s2, [0, 1]: c * w * s1 * c2,
                                         [2, 0]: -c * w * w * s1 * s2 / 2, [1, 1]: c * w * w * c1 * c2, [0, 2]: -c * w * w * s1 * s2 / 2]
        for (alpha, v) in expected { #expect(abs(jet.coefficient(alpha)!.toDouble() - v) <= 1e-14) }
        // A coefficient that does not exist is reported, not invented.
        let cusp = try TargetCatalog.formula("abs(x - 0.5)^1.5", dimension: 1, smoothness: 1.5)
        #expect(!cusp.taylorCoefficients(at: [BigFloat(0.5)], degree: 2, precision: q).isFinite)
        #expect(cusp.taylorCoefficients(at: [BigFloat(0.5)], degree: 1, precision: q).isFinite)
    }
}
