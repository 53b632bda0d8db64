/// Writes RFC 4180 CSV that pandas, R and spreadsheets read unchanged.
public enum CSVWriter {
    /// One record: fields quoted when they hold a comma, quote, CR or LF, or
    /// start or end with a space; lines end with `\n`.
    public static func row(_ fields: [String]) -> String {
        var line = ""
        for (offset, field) in fields.enumerated() {
            if offset > 0 { line.append(",") }
            line.append(quoted(field))
        }
        line.append("\n")
        return line
    }

    /// A field, quoted only when it needs to be. Looked at scalar by scalar:
    /// `"\r\n"` is one `Character`, equal to neither `"\r"` nor `"\n"`, and a
    /// quote or comma followed by a combining mark is a `Character` other than
    /// `"` or `,`; either would otherwise go unquoted and split the record.
    public static func quoted(_ field: String) -> String {
        let scalars = field.unicodeScalars
        let needsQuotes = scalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || scalars.first == " " || scalars.last == " "
        guard needsQuotes else { return field }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in scalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }
}
