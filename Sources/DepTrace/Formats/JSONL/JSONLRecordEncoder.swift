/// Writes headers and records in the JSON Lines encoding, one line each.
public enum JSONLRecordEncoder {
    /// The header line, `\n` included.
    public static func line(for header: TraceHeader) -> String {
        JSONEncoding.text(of: .object(header.fields)) + "\n"
    }

    /// The record's line, `\n` included.
    public static func line(for record: Record) -> String {
        var text = "{"
        func ranges(_ key: String, _ list: [Range<Int>]) {
            text += "\"\(key)\":["
            for (offset, range) in list.enumerated() {
                if offset > 0 { text += "," }
                text += "[\(range.lowerBound),\(range.upperBound)]"
            }
            text += "]"
        }
        func stream(_ value: Int?) {
            if let value { text += ",\"s\":\(value)" }
        }
        switch record {
        case .step(let step):
            text += "\"step\":\"\(step.phase)\",\"q\":[\(step.first),\(step.count)]"
            if let kind = step.explicitKind { text += ",\"kind\":\"\(kind)\"" }
            if let time = step.time { text += ",\"t\":\(time)" }
            if let tokens = step.tokens { text += ",\"tok\":[" + tokens.map(String.init).joined(separator: ",") + "]" }
        case let .evict(list, s), let .add(list, s), let .hide(list, s), let .show(list, s):
            ranges(record.typeName, list)
            stream(s)
        case .mark(let label):
            text += "\"mark\":"
            JSONEncoding.appendString(label, to: &text)
        case let .snap(visible, resident, s):
            ranges("snap", visible)
            if let resident {
                text += ","
                ranges("resident", resident)
            }
            stream(s)
        case .end(let claims):
            text += "\"end\":"
            JSONEncoding.append(.object(claims.fields), to: &text)
        }
        return text + "}\n"
    }
}
