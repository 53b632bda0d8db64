/// Escaping of names for LaTeX and Markdown tables.
public enum TextEscaping {
    /// `text` with LaTeX's special characters written as commands, so a
    /// method named `h2o_budget#1 & more` typesets as written.
    public static func latex(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "\\": output += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": output += "\\" + String(character)
            case "~": output += "\\textasciitilde{}"
            case "^": output += "\\textasciicircum{}"
            case "<": output += "\\textless{}"
            case ">": output += "\\textgreater{}"
            default: output.append(character)
            }
        }
        return output
    }

    /// `text` safe in a Markdown table cell: pipes and backslashes escaped, line breaks as spaces.
    public static func markdown(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "|", "\\", "*", "_", "`": output += "\\" + String(character)
            case "\n", "\r\n", "\r": output += " "
            default: output.append(character)
            }
        }
        return output
    }
}
