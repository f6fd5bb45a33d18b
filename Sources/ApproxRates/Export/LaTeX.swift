import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule
/// LaTeX text escaping.
public enum LaTeX {
    /// The Unicode math symbols the tables' notes use, as LaTeX math (so that pdflatex, which reads
    /// only ASCII and Latin text, compiles them).
    static let math: [Character: String] = [
        "α": "\\alpha", "β": "\\beta", "γ": "\\gamma", "δ": "\\delta", "ε": "\\varepsilon", "η": "\\eta", "θ": "\\theta",
        "κ": "\\kappa", "λ": "\\lambda", "μ": "\\mu", "π": "\\pi", "σ": "\\sigma", "φ": "\\varphi", "Σ": "\\Sigma",
        "′": "'", "‖": "\\|", "≤": "\\le", "≥": "\\ge", "≈": "\\approx", "−": "-", "×": "\\times", "·": "\\cdot",
        "…": "\\ldots", "⌈": "\\lceil", "⌉": "\\rceil", "√": "\\surd", "∞": "\\infty", "→": "\\to", "±": "\\pm", "≡": "\\equiv",
        "∈": "\\in", "≠": "\\ne", "∼": "\\sim", "∂": "\\partial", "∇": "\\nabla", "ℓ": "\\ell", "ν": "\\nu", "ρ": "\\rho",
        "τ": "\\tau", "ω": "\\omega", "Δ": "\\Delta", "Λ": "\\Lambda", "ϑ": "\\vartheta", "ξ": "\\xi", "ζ": "\\zeta", "χ": "\\chi",
        "₀": "_0", "₁": "_1", "₂": "_2", "₃": "_3", "ₖ": "_k", "²": "^2", "³": "^3", "⁻": "^-", "¹": "^1", "ᵀ": "^{\\mathsf T}",
    ]

    /// `text` with LaTeX's special characters escaped for text mode and the Unicode math symbols
    /// of ``math`` written as `\ensuremath{…}`.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": out += "\\\(c)"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "<": out += "\\textless{}"
            case ">": out += "\\textgreater{}"
            case "|": out += "\\textbar{}"
            case "\n", "\r", "\r\n", "\t": out += " "   // a blank line would end the caption's paragraph
            case "-" where out.hasSuffix("-"): out += "{}-"   // "--" would set as an en dash (--out)
            case "–": out += "--"
            case "—": out += "---"
            default:
                if let math = LaTeX.math[c] { out += "\\ensuremath{\(math)}" } else { out.append(c) }
            }
        }
        return out
    }
}
