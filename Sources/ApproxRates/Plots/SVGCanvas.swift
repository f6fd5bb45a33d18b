import Foundation
import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule

/// A small SVG writer in points (1/72 in): shapes, markers and text with math-style italics and
/// superscripts. Deterministic output (fixed number formatting), so pictures can be compared as text.
public struct SVGCanvas: Sendable {
    /// Width and height in points.
    public let width: Double, height: Double
    /// Font size of ordinary text, in points.
    public var fontSize: Double = 8.5
    private var body: [String] = []
    private var definitions: [String] = []

    /// An empty canvas of `width` × `height` points.
    public init(width: Double, height: Double) { self.width = width; self.height = height }

    static func f(_ x: Double) -> String {
        let s = String(format: "%.2f", x)
        return s.hasSuffix(".00") ? String(s.dropLast(3)) : (s.hasSuffix("0") ? String(s.dropLast()) : s)
    }
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Adds raw SVG (already escaped).
    public mutating func raw(_ element: String) { body.append(element) }
    /// Adds a definition (clip path, pattern).
    public mutating func define(_ element: String) { definitions.append(element) }

    /// A straight line.
    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000", width: Double = 0.6,
                              dash: String? = nil, clip: String? = nil) {
        body.append("<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\""
                    + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + (clip.map { " clip-path=\"url(#\($0))\"" } ?? "") + "/>")
    }

    /// A closed polygon.
    public mutating func polygon(_ points: [(Double, Double)], fill: String, stroke: String = "none", clip: String? = nil) {
        let p = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        body.append("<polygon points=\"\(p)\" fill=\"\(fill)\" stroke=\"\(stroke)\"" + (clip.map { " clip-path=\"url(#\($0))\"" } ?? "") + "/>")
    }

    /// A rectangle.
    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String = "none", stroke: String = "#000", width: Double = 0.6) {
        body.append("<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(w))\" height=\"\(Self.f(h))\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\"/>")
    }

    /// Marker shapes.
    public enum Marker: String, Sendable, CaseIterable { case circle, square, triangle, diamond }

    /// A marker of `size` points (filled, or hollow with `filled` false).
    public mutating func marker(_ m: Marker, _ x: Double, _ y: Double, size: Double = 4.2, color: String, filled: Bool = true) {
        let fill = filled ? color : "#fff", r = size / 2
        let style = "fill=\"\(fill)\" stroke=\"\(color)\" stroke-width=\"0.8\""
        switch m {
        case .circle: body.append("<circle cx=\"\(Self.f(x))\" cy=\"\(Self.f(y))\" r=\"\(Self.f(r))\" \(style)/>")
        case .square: body.append("<rect x=\"\(Self.f(x - r * 0.9))\" y=\"\(Self.f(y - r * 0.9))\" width=\"\(Self.f(1.8 * r))\" height=\"\(Self.f(1.8 * r))\" \(style)/>")
        case .triangle: polygonMarker([(x, y - 1.15 * r), (x + r, y + 0.7 * r), (x - r, y + 0.7 * r)], style)
        case .diamond: polygonMarker([(x, y - 1.2 * r), (x + r, y), (x, y + 1.2 * r), (x - r, y)], style)
        }
    }
    /// An unfilled circle of `radius` points around (x, y): the ring that marks a point's kind
    /// beside its marker (the phase diagram rings rates with d > 1).
    public mutating func ring(_ x: Double, _ y: Double, radius: Double, color: String, width: Double = 0.6) {
        body.append("<circle cx=\"\(Self.f(x))\" cy=\"\(Self.f(y))\" r=\"\(Self.f(radius))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(Self.f(width))\"/>")
    }
    private mutating func polygonMarker(_ p: [(Double, Double)], _ style: String) {
        body.append("<polygon points=\"\(p.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " "))\" \(style)/>")
    }

    /// Text at (x, y) (baseline), anchored start, middle or end, optionally rotated by −90°.
    /// Math markup: `$…$` sets letters in italics; `^{…}` raises a superscript; `_{…}` lowers a subscript.
    public mutating func text(_ s: String, _ x: Double, _ y: Double, anchor: String = "start", size: Double? = nil,
                              color: String = "#000", rotated: Bool = false, bold: Bool = false) {
        let transform = rotated ? " transform=\"rotate(-90 \(Self.f(x)) \(Self.f(y)))\"" : ""
        body.append("<text x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(Self.f(size ?? fontSize))\" fill=\"\(color)\""
                    + (bold ? " font-weight=\"bold\"" : "") + "\(transform)>\(Self.markup(s, size: size ?? fontSize))</text>")
    }

    /// Converts the math markup of ``text(_:_:_:anchor:size:color:rotated:bold:)`` to tspans.
    static func markup(_ s: String, size: Double) -> String {
        var out = "", italic = false
        var chars = Array(s)[...]
        func run(_ t: String) -> String {
            let e = escape(t)
            return italic ? "<tspan font-style=\"italic\">\(e)</tspan>" : e
        }
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "$" { italic.toggle(); continue }
            if (c == "^" || c == "_"), chars.first == "{" , let close = chars.firstIndex(of: "}") {
                let inner = String(chars[chars.index(after: chars.startIndex)..<close])
                chars = chars[chars.index(after: close)...]
                let shift = c == "^" ? -0.38 * size : 0.22 * size
                out += "<tspan dy=\"\(f(shift))\" font-size=\"\(f(0.72 * size))\">\(markup(inner, size: 0.72 * size))</tspan><tspan dy=\"\(f(-shift))\">\u{200B}</tspan>"
                continue
            }
            var t = String(c)
            while let n = chars.first, n != "$", n != "^", n != "_" { t.append(n); chars = chars.dropFirst() }
            out += run(t)
        }
        return out
    }

    /// `s` wrapped at about `characters` characters per line, at most `lines` lines from baseline
    /// `y` down, `leading` points apart.
    public mutating func caption(_ s: String, _ x: Double, _ y: Double, characters: Int = 95, lines: Int = 2, size: Double = 6, leading: Double = 8) {
        var wrapped: [String] = [], current = ""
        for word in s.split(separator: " ") {
            if !current.isEmpty && current.count + word.count + 1 > characters { wrapped.append(current); current = "" }
            current += (current.isEmpty ? "" : " ") + word
        }
        wrapped.append(current)
        for (i, line) in wrapped.prefix(lines).enumerated() { text(line, x, y + leading * Double(i), size: size) }
    }

    /// Approximate width of `s` in points (DejaVu Sans averages 0.58 em per character).
    public func textWidth(_ s: String, size: Double? = nil) -> Double {
        let visible = s.filter { $0 != "$" && $0 != "{" && $0 != "}" && $0 != "^" && $0 != "_" }
        return Double(visible.count) * 0.58 * (size ?? fontSize)
    }

    /// The SVG document.
    public func render(title: String) -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.f(width))pt\" height=\"\(Self.f(height))pt\" viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
                     "<title>\(Self.escape(title))</title>"]
        if !definitions.isEmpty { lines.append("<defs>"); lines += definitions; lines.append("</defs>") }
        lines.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>")
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}
