/// A JSON value as read from a trace: header metadata and `end` claims.
///
/// Objects keep their key order and numbers keep their source text, so a
/// trace converted between encodings writes back the same JSON.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, as its JSON text (`17`, `-0.5`, `1e9`).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// An object; key order is kept.
    case object([(key: String, value: JSONValue)])

    /// A number value from an integer.
    public static func integer(_ value: Int) -> JSONValue { .number(String(value)) }

    /// The value of `key` when this is an object holding it (the last one if repeated).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// The integer when this is a number written as a JSON integer that fits in `Int`.
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        return JSONNumber.integer(text)
    }

    /// The number as a `Double` when this is a number.
    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// The string when this is a string.
    public var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The Boolean when this is `true` or `false`.
    public var boolValue: Bool? {
        guard case .bool(let flag) = self else { return nil }
        return flag
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let flag): hasher.combine(flag)
        case .number(let text): hasher.combine(text)
        case .string(let text): hasher.combine(text)
        case .array(let items): hasher.combine(items)
        case .object(let members):
            for member in members {
                hasher.combine(member.key)
                hasher.combine(member.value)
            }
        }
    }
}

/// Checks on the text of JSON numbers.
enum JSONNumber {
    /// The value of `text` when it is a JSON integer (`-?(0|[1-9][0-9]*)`) that fits in `Int`.
    static func integer(_ text: String) -> Int? {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { buffer -> Int? in
            var cursor = JSONCursor(UnsafeBufferPointer(buffer))
            guard let value = try? cursor.parseInteger(), cursor.isAtEnd else { return nil }
            return value
        }
    }
}
