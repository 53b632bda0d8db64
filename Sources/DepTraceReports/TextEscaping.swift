/// Escaping of names for terminals, LaTeX and Markdown tables.
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

    /// `text` safe to print on a terminal: control characters (C0, DEL and C1,
    /// which start escape sequences, move the cursor or end a line) written as
    /// `\n`, `\r`, `\t` or `\u{1B}`, so trace metadata and entry names can
    /// neither break a table's rows nor drive the terminal.
    public static func terminal(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where isControl(scalar): output += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
