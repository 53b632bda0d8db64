/// Writes JSON text: strings escaped per RFC 8259, values in their source form.
///
/// Strings are escaped exactly as Python's `json.dumps(..., ensure_ascii=False)`
/// escapes them, so the Swift and Python recorders write identical bytes.
public enum JSONEncoding {
    /// Appends `text` as a JSON string literal, quotes included.
    public static func appendString(_ text: String, to output: inout String) {
        output.append("\"")
        var pending = text.unicodeScalars.startIndex
        for index in text.unicodeScalars.indices {
            let scalar = text.unicodeScalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escape = nil
            }
            if let escape {
                output.unicodeScalars.append(contentsOf: text.unicodeScalars[pending..<index])
                output.append(escape)
                pending = text.unicodeScalars.index(after: index)
            }
        }
        output.unicodeScalars.append(contentsOf: text.unicodeScalars[pending...])
        output.append("\"")
    }

    /// `text` as a JSON string literal.
    public static func string(_ text: String) -> String {
        var output = ""
        appendString(text, to: &output)
        return output
    }

    /// Appends the compact JSON text of `value`.
    public static func append(_ value: JSONValue, to output: inout String) {
        switch value {
        case .null: output.append("null")
        case .bool(let flag): output.append(flag ? "true" : "false")
        case .number(let text): output.append(text)
        case .string(let text): appendString(text, to: &output)
        case .array(let items):
            output.append("[")
            for (offset, item) in items.enumerated() {
                if offset > 0 { output.append(",") }
                append(item, to: &output)
            }
            output.append("]")
        case .object(let members):
            output.append("{")
            for (offset, member) in members.enumerated() {
                if offset > 0 { output.append(",") }
                appendString(member.key, to: &output)
                output.append(":")
                append(member.value, to: &output)
            }
            output.append("}")
        }
    }

    /// The compact JSON text of `value`.
    public static func text(of value: JSONValue) -> String {
        var output = ""
        append(value, to: &output)
        return output
    }

    /// Checks that every number in `value` is valid JSON number text (no `NaN`, `1.`, `+1`).
    ///
    /// - Throws: a ``RuleViolation`` naming the bad text.
    public static func checkNumbers(in value: JSONValue) throws(RuleViolation) {
        switch value {
        case .number(let text):
            var utf8 = Array(text.utf8)
            let valid = utf8.withUnsafeMutableBufferPointer { buffer -> Bool in
                var cursor = JSONCursor(UnsafeBufferPointer(buffer))
                guard (try? cursor.skipNumber()) != nil else { return false }
                return cursor.isAtEnd
            }
            if !valid { throw .malformedRecord("'\(text)' is not a JSON number") }
        case .array(let items):
            for item in items { try checkNumbers(in: item) }
        case .object(let members):
            for member in members { try checkNumbers(in: member.value) }
        case .null, .bool, .string:
            break
        }
    }

    /// A `Double` as JSON: the shortest text that reads back as the same value;
    /// `null` for infinities and NaN, which JSON cannot hold.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        return "\(value)"
    }
}
