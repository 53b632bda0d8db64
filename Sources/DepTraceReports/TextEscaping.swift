/// Escaping of names for LaTeX and Markdown tables.
///
/// Both work scalar by scalar, not `Character` by `Character`: a `&`, `|` or
/// `\` followed by a combining mark is one `Character` that equals none of
/// them, yet TeX and Markdown still see the `&`, `|` or `\`.
public enum TextEscaping {
    /// `text` with LaTeX's special characters written as commands, so a
    /// method named `h2o_budget#1 & more` typesets as written. Control
    /// characters become spaces: TeX ends a line at a CR (dropping the rest of
    /// the row), refuses most others, and a line break would split the row.
    public static func latex(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": output += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": output += "\\" + String(scalar)
            case "~": output += "\\textasciitilde{}"
            case "^": output += "\\textasciicircum{}"
            case "<": output += "\\textless{}"
            case ">": output += "\\textgreater{}"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: output += " "
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// `text` safe in a Markdown table cell: pipes and backslashes escaped, line breaks as spaces.
    public static func markdown(_ text: String) -> String {
        var output = ""
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            switch scalar {
            case "|", "\\", "*", "_", "`": output += "\\" + String(scalar)
            case "\n" where previous == "\r": break  // CR LF: one space, written for the CR
            case "\n", "\r": output += " "
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
