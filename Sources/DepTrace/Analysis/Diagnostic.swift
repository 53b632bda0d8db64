/// An error or warning about an input, located as precisely as the input allows.
///
/// Its description is `file:line: trace N (sample "s"): record K: message`,
/// with the parts that are unknown left out.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    /// The input's display path (for archive entries, `archive:entry`).
    public var file: String
    /// 1-based line number (JSONL).
    public var line: Int?
    /// Byte offset (binary encoding).
    public var offset: Int?
    /// 0-based index of the trace in its file.
    public var trace: Int?
    public var sample: String?
    /// 0-based index of the record in its trace, the header excluded.
    public var record: Int?
    public var message: String

    public init(
        _ severity: Severity, file: String, line: Int? = nil, offset: Int? = nil, trace: Int? = nil,
        sample: String? = nil, record: Int? = nil, message: String
    ) {
        self.severity = severity
        self.file = file
        self.line = line
        self.offset = offset
        self.trace = trace
        self.sample = sample
        self.record = record
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let offset { text += ": byte \(offset)" }
        text += ": "
        if let trace {
            text += "trace \(trace)"
            if let sample { text += " (sample \"\(sample)\")" }
            text += ": "
        }
        if let record { text += "record \(record): " }
        if severity == .warning { text += "warning: " }
        return text + message
    }
}
