import PrecisionModule
import FileIOModule
import RatesModule
import DynamicsModule
/// LaTeX text escaping.
public enum LaTeX {
    /// `text` with LaTeX's special characters escaped for text mode.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": out += "\\\(c)"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "–": out += "--"
            default: out.append(c)
            }
        }
        return out
    }
}
