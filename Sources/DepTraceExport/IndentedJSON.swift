import DepTrace

/// JSON laid out the way Jupyter saves notebooks (Python's `json.dumps` with
/// `indent=1, sort_keys=True, ensure_ascii=False`), so a notebook DepTrace
/// writes and the same notebook saved by Jupyter differ only where the
/// content does.
enum IndentedJSON {
    /// The text of `value`, members of every object sorted by key, one space
    /// of indentation per level; no newline at the end.
    static func text(of value: JSONValue) -> String {
        var output = ""
        append(value, depth: 0, to: &output)
        return output
    }

    private static func newline(_ depth: Int, _ output: inout String) {
        output.append("\n")
        output.append(String(repeating: " ", count: depth))
    }

    private static func append(_ value: JSONValue, depth: Int, to output: inout String) {
        switch value {
        case .array(let items):
            guard !items.isEmpty else { output.append("[]"); return }
            output.append("[")
            for (offset, item) in items.enumerated() {
                if offset > 0 { output.append(",") }
                newline(depth + 1, &output)
                append(item, depth: depth + 1, to: &output)
            }
            newline(depth, &output)
            output.append("]")
        case .object(let members):
            guard !members.isEmpty else { output.append("{}"); return }
            output.append("{")
            // Python sorts keys by code point; Swift's String order is not that.
            let sorted = members.sorted { Array($0.key.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.key.unicodeScalars.map(\.value)) }
            for (offset, member) in sorted.enumerated() {
                if offset > 0 { output.append(",") }
                newline(depth + 1, &output)
                JSONEncoding.appendString(member.key, to: &output)
                output.append(": ")
                append(member.value, depth: depth + 1, to: &output)
            }
            newline(depth, &output)
            output.append("}")
        case .null, .bool, .number, .string:
            JSONEncoding.append(value, to: &output)
        }
    }
}
