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

    /// A field, quoted only when it needs to be.
    public static func quoted(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    /// Every occurrence of `target` replaced, without Foundation.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count)
        for character in self {
            if character == target { result.append(replacement) } else { result.append(character) }
        }
        return result
    }
}
