import PrecisionModule
/// Why a formula could not be read, and where.
public struct FormulaError: Error, Equatable, CustomStringConvertible {
    /// The formula as given.
    public let formula: String
    /// 0-based character offset of the offending token.
    public let position: Int
    /// What is wrong there.
    public let reason: String

    /// The reason, the formula and a caret under the position. A formula longer than 80
    /// characters is shown as the 60 characters around the position, with "…" for the rest.
    public var description: String {
        let chars = Array(formula)
        var shown = formula, caret = position
        if chars.count > 80 {
            let lower = Swift.max(0, Swift.min(position - 30, chars.count - 60)), upper = Swift.min(chars.count, lower + 60)
            shown = (lower > 0 ? "…" : "") + String(chars[lower..<upper]) + (upper < chars.count ? "…" : "")
            caret = position - lower + (lower > 0 ? 1 : 0)
        }
        return "cannot read the formula: \(reason) at position \(position + 1)\n  \(shown)\n  \(String(repeating: " ", count: caret))^"
    }
}

/// Reads a formula such as `abs(x-1/3)^0.75 + 0.1*sin(7*x)` into an ``Expression``.
///
/// Grammar: `+ - * /`, `^` (or `**`, right-associative, binding tighter than unary minus, so
/// `-x^2 = -(x^2)`), parentheses, numbers (`0.5`, `1e-3`, `0x1p-4`), `pi`, the variables `x`
/// (the same as `x1`) and `x1` … `x9`, and the functions abs, sqrt, exp, log, sin, cos, floor
/// (one argument) and min, max (two).
public enum FormulaParser {
    /// The deepest formula accepted: levels of nesting (parentheses, function calls, unary signs,
    /// exponents) plus the length of the longest chain of binary operators, measured as the
    /// depth of the expression tree. Deeper formulas are refused with this limit named: every
    /// later pass (compilation, enclosure, release) walks the tree recursively, and a tree
    /// 100,000 levels deep overflows the stack.
    public static let maximumDepth = 200

    /// Parses `text`; throws ``FormulaError`` naming the position of the first problem.
    public static func parse(_ text: String) throws -> Expression {
        var p = Parser(text: text)
        let e = try p.expression()
        p.skipSpace()
        if p.index < p.chars.count {
            throw p.error(p.chars[p.index] == ")" ? "unbalanced ')'" : "unexpected '\(p.chars[p.index])'")
        }
        return e.expression
    }

    /// A parsed subexpression and the depth of its tree.
    private typealias Node = (expression: Expression, depth: Int)

    private struct Parser {
        let text: String
        let chars: [Character]
        var index = 0
        init(text: String) { self.text = text; chars = Array(text) }

        func error(_ reason: String, at position: Int? = nil) -> FormulaError {
            FormulaError(formula: text, position: position ?? Swift.min(index, chars.count), reason: reason)
        }

        /// `depth` checked against the limit before anything deeper is built.
        func checked(_ depth: Int) throws -> Int {
            guard depth <= FormulaParser.maximumDepth else {
                throw error("the formula nests deeper than \(FormulaParser.maximumDepth) levels (parentheses, functions, signs and chains of operators count); split it or simplify it")
            }
            return depth
        }

        mutating func skipSpace() { while index < chars.count, chars[index].isWhitespace { index += 1 } }

        mutating func peek() -> Character? { skipSpace(); return index < chars.count ? chars[index] : nil }

        mutating func expression(level: Int = 0) throws -> Node {
            var left = try term(level: level)
            while let c = peek(), c == "+" || c == "-" {
                index += 1
                let right = try term(level: level)
                left = (.binary(c == "+" ? .add : .subtract, left.expression, right.expression), try checked(Swift.max(left.depth, right.depth) + 1))
            }
            return left
        }

        mutating func term(level: Int) throws -> Node {
            var left = try unary(level: level)
            while let c = peek(), c == "*" || c == "/" {
                if c == "*", index + 1 < chars.count, chars[index + 1] == "*" { break }  // `**` is power
                index += 1
                let right = try unary(level: level)
                left = (.binary(c == "*" ? .multiply : .divide, left.expression, right.expression), try checked(Swift.max(left.depth, right.depth) + 1))
            }
            return left
        }

        mutating func unary(level: Int) throws -> Node {
            if let c = peek(), c == "-" || c == "+" {
                index += 1
                let operand = try unary(level: try checked(level + 1))
                return c == "-" ? (.unary(.negate, operand.expression), try checked(operand.depth + 1)) : operand
            }
            return try power(level: level)
        }

        mutating func power(level: Int) throws -> Node {
            let base = try primary(level: level)
            if let c = peek() {
                var isPower = c == "^"
                if c == "*", index + 1 < chars.count, chars[index + 1] == "*" { isPower = true; index += 1 }
                if isPower {
                    index += 1
                    let exponent = try unary(level: try checked(level + 1))
                    return (.binary(.power, base.expression, exponent.expression), try checked(Swift.max(base.depth, exponent.depth) + 1))
                }
            }
            return base
        }

        mutating func primary(level: Int) throws -> Node {
            guard let c = peek() else { throw error("the formula ends where a number, variable or '(' is expected") }
            let start = index
            if c == "(" {
                index += 1
                let inner = try expression(level: try checked(level + 1))
                guard peek() == ")" else { throw error("expected ')' to close the '(' at position \(start + 1)") }
                index += 1
                return inner
            }
            if c.isNumber || c == "." { return (try number(), 1) }
            if c.isLetter {
                while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" { index += 1 }
                let name = String(chars[start..<index])
                if peek() == "(" {
                    index += 1
                    let inner = try checked(level + 1)
                    var args = [try expression(level: inner)]
                    while peek() == "," { index += 1; args.append(try expression(level: inner)) }
                    guard peek() == ")" else { throw error("expected ')' or ',' in the arguments of \(name)") }
                    index += 1
                    return (try call(name, args.map(\.expression), at: start), try checked((args.map(\.depth).max() ?? 0) + 1))
                }
                if name == "pi" { return (.pi, 1) }
                if name == "x" { return (.variable(0), 1) }
                if name.first == "x", let k = Int(name.dropFirst()), (1...9).contains(k), !name.dropFirst().hasPrefix("0") {
                    return (.variable(k - 1), 1)
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
