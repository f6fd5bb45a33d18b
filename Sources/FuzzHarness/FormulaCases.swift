import Foundation

/// A random formula in x with its own evaluation (float64 and 80-bit), the harness's oracle
/// independent of the toolkit's parser and MPFR.
indirect enum FuzzExpression {
    case x
    case constant(String, Double)
    case function(String, FuzzExpression)
    case negate(FuzzExpression)
    case binary(Character, FuzzExpression, FuzzExpression)
    case power(FuzzExpression, String, Double)
    case extremum(String, FuzzExpression, FuzzExpression)

    /// Fully parenthesised text, so that no precedence rule is tested by accident.
    var text: String {
        switch self {
        case .x: return "x"
        case .constant(let t, _): return t
        case .function(let f, let a): return "\(f)(\(a.text))"
        case .negate(let a): return "(-\(a.text))"
        case .binary(let op, let a, let b): return "(\(a.text)\(op)\(b.text))"
        case .power(let a, let t, _): return "(\(a.text))^\(t)"
        case .extremum(let f, let a, let b): return "\(f)(\(a.text),\(b.text))"
        }
    }

    func value(_ x: Double) -> Double { evaluate(x) }

    /// The value in any of the harness's float types (float64, and 80-bit on x86-64).
    func evaluate<T: FuzzReal>(_ x: T) -> T {
        switch self {
        case .x: return x
        case .constant(let t, let v): return T(text: t) ?? T(v)
        case .function(let f, let a):
            let v = a.evaluate(x)
            switch f {
            case "abs": return Swift.abs(v)
            case "sqrt": return v < 0 ? .nan : v.squareRoot()
            case "exp": return T.exp(v)
            case "log": return v < 0 ? .nan : T.log(v)
            case "sin": return T.sin(v)
            case "cos": return T.cos(v)
            default: return v.rounded(.down)
            }
        case .negate(let a): return -a.evaluate(x)
        case .binary(let op, let a, let b):
            let (u, v) = (a.evaluate(x), b.evaluate(x))
            switch op { case "+": return u + v; case "-": return u - v; case "*": return u * v; default: return u / v }
        case .power(let a, let t, let e): return T.pow(a.evaluate(x), T(text: t) ?? T(e))
        case .extremum(let f, let a, let b):
            let (u, v) = (a.evaluate(x), b.evaluate(x))
            if u.isNaN || v.isNaN { return .nan }
            // Zeros ordered −0 < +0, as MPFR's min and max (and IEEE 754-2019 minimum and
            // maximum) order them; Swift's min(+0, −0) is +0, which turned 1/min(x − 2x, −x) at
            // x = 0 into −∞ where the tool computes +∞ (long run, case 90343).
            if u == 0 && v == 0 {
                let negative = f == "min" ? (u.sign == .minus || v.sign == .minus) : (u.sign == .minus && v.sign == .minus)
                return negative ? -T.zero : T.zero
            }
            return f == "min" ? Swift.min(u, v) : Swift.max(u, v)
        }
    }

    /// True when both precisions agree that the value at x is not finite (a point where the
    /// formula is undefined or infinite, not a rounding accident).
    func surelyNotFinite(_ x: Double) -> Bool {
        #if arch(x86_64) && !os(Windows)
        return !value(x).isFinite && !evaluate(Float80(x)).isFinite
        #else
        return !value(x).isFinite
        #endif
    }

    /// True when the formula may jump or blow up between the grid's points: a floor, or a
    /// division or negative power whose denominator comes within 10⁻² of zero or changes sign on
    /// [0, 1]. A sampling search cannot be held to a sampled maximum there (near a pole of
    /// cos(1/(x − c)) the supremum is approached, not attained, in ever narrower wiggles).
    func mayJump(_ grid: [Double]) -> Bool {
        func nearZero(_ e: FuzzExpression) -> Bool {
            let values = grid.map { e.value($0) }
            return values.contains { Swift.abs($0) < 1e-2 } || zip(values, values.dropFirst()).contains { ($0 < 0) != ($1 < 0) }
        }
        switch self {
        case .x, .constant: return false
        case .function(let f, let a): return f == "floor" || a.mayJump(grid)
        case .negate(let a): return a.mayJump(grid)
        case .binary(let op, let a, let b): return a.mayJump(grid) || b.mayJump(grid) || (op == "/" && nearZero(b))
        case .power(let a, _, let e): return a.mayJump(grid) || (e < 0 && nearZero(a))
        case .extremum(_, let a, let b): return a.mayJump(grid) || b.mayJump(grid)
        }
    }

    static func random(_ rng: inout FuzzRandom, depth: Int, exps: Int = 0) -> FuzzExpression {
        if depth <= 0 || rng.chance(0.25) {
            if rng.chance(0.5) { return .x }
            return constant(&rng)
        }
        switch rng.below(7) {
        case 0, 1:
            let ops: [Character] = ["+", "-", "*", "/"]
            return .binary(rng.pick(ops), random(&rng, depth: depth - 1, exps: exps), random(&rng, depth: depth - 1, exps: exps))
        case 2:
            var names = ["abs", "sqrt", "log", "sin", "cos", "floor"]
            if exps < 2 { names.append("exp") }
            let f = rng.pick(names)
            return .function(f, random(&rng, depth: depth - 1, exps: exps + (f == "exp" ? 1 : 0)))
        case 3:
            let exponents: [(String, Double)] = [("2", 2), ("3", 3), ("0.5", 0.5), ("0.75", 0.75), ("1.5", 1.5), ("-1", -1), ("-0.5", -0.5), ("0.25", 0.25)]
            let (t, e) = rng.pick(exponents)
            return .power(random(&rng, depth: depth - 1, exps: exps), t, e)
        case 4: return .negate(random(&rng, depth: depth - 1, exps: exps))
        case 5: return .extremum(rng.pick(["min", "max"]), random(&rng, depth: depth - 1, exps: exps), random(&rng, depth: depth - 1, exps: exps))
        default:
            // x minus a constant: the places where sqrt, log, 1/· and ^-1 are undefined.
            return .binary("-", .x, constant(&rng))
        }
    }

    static func constant(_ rng: inout FuzzRandom) -> FuzzExpression {
        switch rng.below(4) {
        case 0: let k = rng.below(10); return .constant("\(k)", Double(k))
        case 1: let k = rng.below(1025); let t = "\(Double(k) / 1024)"; return .constant(t, Double(t)!)   // a grid point, exactly
        case 2: let t = String(format: "%.2f", Double(rng.below(300)) / 100); return .constant(t, Double(t)!)
        default: let t = "\(rng.below(9) + 1)e-\(rng.below(4))"; return .constant(t, Double(t)!)
        }
    }
}

/// The hat function that `approx-cli build tooth` builds: 1 − |2x − 1| on [0, 1].
func tooth(_ x: Double) -> Double { 1 - abs(2 * x - 1) }

extension FuzzGenerator {
    /// A formula as `sup-norm`'s target against the tooth network. Undefined or infinite at a
    /// point of the grid j/1024 (by float64 and 80-bit evaluation alike): it must be refused.
    /// Otherwise a success must report a finite error at least the sampled maximum of |f − tooth|.
    func formulaCase(_ rng: inout FuzzRandom) -> FuzzCase {
        let e = FuzzExpression.random(&rng, depth: 1 + rng.below(5))
        let formula = e.text
        let arguments = ["sup-norm", "@SHARED/t.json", "--target=" + formula, "--smoothness", "1", "--search-points", "4096", "--json", "--threads", "1"]
        let grid = (0...1024).map { Double($0) / 1024 }
        if let bad = grid.first(where: { e.surelyNotFinite($0) }) {
            return FuzzCase(kind: .formula, arguments: arguments, oracle: .mustFail("f(\(bad)) = \(e.value(bad))"))
        }
        var sampled = 0.0, uncertain = e.mayJump(grid)
        for x in grid {
            let v = e.value(x)
            if !v.isFinite || Swift.abs(v) > 1e15 { uncertain = true; break }
            sampled = Swift.max(sampled, Swift.abs(v - tooth(x)))
        }
        let floorValue = sampled, skipBound = uncertain
        return FuzzCase(kind: .formula, arguments: arguments, oracle: .either { run in
            guard let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                  let error = object["error_value"] as? Double else { return "no error_value in the JSON output: \(run.stdout.prefix(200))" }
            guard error.isFinite, error >= 0 else { return "error_value \(error)" }
            if !skipBound && error < floorValue * (1 - 1e-9) - 1e-12 {
                return "reported sup norm \(error) is below the sampled maximum \(floorValue) on j/1024"
            }
            return nil
        })
    }
}

/// The float types the harness evaluates formulas in: the elementary functions by name.
protocol FuzzReal: BinaryFloatingPoint {
    init?(text: String)
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension Double: FuzzReal {
    init?(text: String) { self.init(text) }
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}

#if arch(x86_64) && !os(Windows)
extension Float80: FuzzReal {
    init?(text: String) { self.init(text) }
    static func exp(_ x: Float80) -> Float80 { Foundation.exp(x) }
    static func log(_ x: Float80) -> Float80 { Foundation.log(x) }
    static func sin(_ x: Float80) -> Float80 { Foundation.sin(x) }
    static func cos(_ x: Float80) -> Float80 { Foundation.cos(x) }
    static func pow(_ x: Float80, _ y: Float80) -> Float80 { Foundation.pow(x, y) }
}
#endif
