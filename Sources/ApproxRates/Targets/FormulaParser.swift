import PrecisionModule
/// Why a formula could not be read, and where.
public struct FormulaError: Error, Equatable, CustomStringConvertible {
    /// The formula as given.
    public let formula: String
    /// 0-based character offset of the offending token.
    public let position: Int
    /// What is wrong there.
    public let reason: String

    /// The reason, the formula and a caret under the position.
    public var description: String {
        "cannot read the formula: \(reason) at position \(position + 1)\n  \(formula)\n  \(String(repeating: " ", count: position))^"
    }
}

/// Reads a formula such as `abs(x-1/3)^0.75 + 0.1*sin(7*x)` into an ``Expression``.
///
/// Grammar: `+ - * /`, `^` (or `**`, right-associative, binding tighter than unary minus, so
/// `-x^2 = -(x^2)`), parentheses, numbers (`0.5`, `1e-3`, `0x1p-4`), `pi`, the variables `x`
/// (the same as `x1`) and `x1` … `x9`, and the functions abs, sqrt, exp, log, sin, cos, floor
/// (one argument) and min, max (two).
public enum FormulaParser {
    /// Parses `text`; throws ``FormulaError`` naming the position of the first problem.
    public static func parse(_ text: String) throws -> Expression {
        var p = Parser(text: text)
        let e = try p.expression()
        p.skipSpace()
        if p.index < p.chars.count {
            throw p.error(p.chars[p.index] == ")" ? "unbalanced ')'" : "unexpected '\(p.chars[p.index])'")
        }
        return e
    }

    private struct Parser {
        let text: String
        let chars: [Character]
        var index = 0
        init(text: String) { self.text = text; chars = Array(text) }

        func error(_ reason: String, at position: Int? = nil) -> FormulaError {
            FormulaError(formula: text, position: position ?? Swift.min(index, chars.count), reason: reason)
        }

        mutating func skipSpace() { while index < chars.count, chars[index].isWhitespace { index += 1 } }

        mutating func peek() -> Character? { skipSpace(); return index < chars.count ? chars[index] : nil }

        mutating func expression() throws -> Expression {
            var left = try term()
            while let c = peek(), c == "+" || c == "-" {
                index += 1
                let right = try term()
                left = .binary(c == "+" ? .add : .subtract, left, right)
            }
            return left
        }

        mutating func term() throws -> Expression {
            var left = try unary()
            while let c = peek(), c == "*" || c == "/" {
                if c == "*", index + 1 < chars.count, chars[index + 1] == "*" { break }  // `**` is power
                index += 1
                let right = try unary()
                left = .binary(c == "*" ? .multiply : .divide, left, right)
            }
            return left
        }

        mutating func unary() throws -> Expression {
            if let c = peek(), c == "-" || c == "+" {
                index += 1
                let operand = try unary()
                return c == "-" ? .unary(.negate, operand) : operand
            }
            return try power()
        }

        mutating func power() throws -> Expression {
            let base = try primary()
            if let c = peek() {
                if c == "^" { index += 1; return .binary(.power, base, try unary()) }
                if c == "*", index + 1 < chars.count, chars[index + 1] == "*" {
                    index += 2; return .binary(.power, base, try unary())
                }
            }
            return base
        }

        mutating func primary() throws -> Expression {
            guard let c = peek() else { throw error("the formula ends where a number, variable or '(' is expected") }
            let start = index
            if c == "(" {
                index += 1
                let inner = try expression()
                guard peek() == ")" else { throw error("expected ')' to close the '(' at position \(start + 1)") }
                index += 1
                return inner
            }
            if c.isNumber || c == "." { return try number() }
            if c.isLetter {
                while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" { index += 1 }
                let name = String(chars[start..<index])
                if peek() == "(" {
                    index += 1
                    var args = [try expression()]
                    while peek() == "," { index += 1; args.append(try expression()) }
                    guard peek() == ")" else { throw error("expected ')' or ',' in the arguments of \(name)") }
                    index += 1
                    return try call(name, args, at: start)
                }
                if name == "pi" { return .pi }
                if name == "x" { return .variable(0) }
                if name.first == "x", let k = Int(name.dropFirst()), (1...9).contains(k), !name.dropFirst().hasPrefix("0") {
                    return .variable(k - 1)
                }
                throw error("unknown name '\(name)' (variables are x or x1..x9, constants pi)", at: start)
            }
            throw error("unexpected '\(c)'")
        }

        mutating func number() throws -> Expression {
            let start = index
            if chars[index] == "0", index + 1 < chars.count, chars[index + 1] == "x" || chars[index + 1] == "X" {
                index += 2
                while index < chars.count, chars[index].isHexDigit || chars[index] == "." { index += 1 }
                if index < chars.count, chars[index] == "p" || chars[index] == "P" {
                    index += 1
                    if index < chars.count, chars[index] == "+" || chars[index] == "-" { index += 1 }
                    while index < chars.count, chars[index].isNumber { index += 1 }
                }
            } else {
                while index < chars.count, chars[index].isNumber || chars[index] == "." { index += 1 }
                if index < chars.count, chars[index] == "e" || chars[index] == "E" {
                    let save = index
                    index += 1
                    if index < chars.count, chars[index] == "+" || chars[index] == "-" { index += 1 }
                    if index < chars.count, chars[index].isNumber {
                        while index < chars.count, chars[index].isNumber { index += 1 }
                    } else { index = save }
                }
            }
            let literal = String(chars[start..<index])
            guard (try? BigFloat(parsing: literal, precision: .double)) != nil else {
                throw error("'\(literal)' is not a number", at: start)
            }
            return .number(literal)
        }

        func call(_ name: String, _ args: [Expression], at position: Int) throws -> Expression {
            if let f = Expression.UnaryFunction(rawValue: name), f != .negate {
                guard args.count == 1 else { throw error("\(name) takes one argument, not \(args.count)", at: position) }
                return .unary(f, args[0])
            }
            if name == "min" || name == "max" {
                guard args.count == 2 else { throw error("\(name) takes two arguments, not \(args.count)", at: position) }
                return .binary(name == "min" ? .min : .max, args[0], args[1])
            }
            throw error("unknown function '\(name)' (known: abs, sqrt, exp, log, sin, cos, floor, min, max)", at: position)
        }
    }
}
