/// A limit on one numeric per-trace metric: every trace's value must stay at
/// or below a maximum, or at or above a minimum.
public struct MetricBound: Sendable, Hashable, CustomStringConvertible {
    /// Which side of the limit passes.
    public enum Kind: String, Sendable, Hashable {
        /// The value must not exceed the limit.
        case maximum = "max"
        /// The value must not fall below the limit.
        case minimum = "min"
    }

    /// A metric of ``MetricCatalog`` with numeric values.
    public var metric: String
    public var kind: Kind
    public var limit: Double

    public init(metric: String, kind: Kind, limit: Double) {
        self.metric = metric
        self.kind = kind
        self.limit = limit
    }

    /// The metrics a bound may name: every numeric per-trace metric.
    public static var metrics: [String] { GroupSummary.summarisedMetrics }

    /// Parses `METRIC=VALUE`, such as `resident_peak=70`, `dep=5e6` or
    /// `kv_bytes_peak=2GiB` (byte sizes, binary units, for the byte metrics).
    /// - Throws: ``MetricBoundError`` saying what is wrong with `text`.
    public init(parsing text: String, kind: Kind) throws(MetricBoundError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw MetricBoundError(text: text, reason: "expected METRIC=VALUE, such as resident_peak=70")
        }
        let name = MetricBound.trimmed(text[..<equals])
        let value = MetricBound.trimmed(text[text.index(after: equals)...])
        guard MetricBound.metrics.contains(name) else {
            throw MetricBoundError(text: text, reason: "'\(name)' is not a numeric metric; the metrics are \(MetricBound.metrics.joined(separator: ", "))")
        }
        if let number = Double(value), number.isFinite {
            self.init(metric: name, kind: kind, limit: number)
        } else if name.contains("bytes"), let size = ByteSize(value) {
            self.init(metric: name, kind: kind, limit: Double(size.bytes))
        } else {
            let expected = name.contains("bytes") ? "a number or a byte size such as 2GiB" : "a number"
            throw MetricBoundError(text: text, reason: "'\(value)' is not \(expected)")
        }
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    /// Whether `value` passes.
    public func passes(_ value: Double) -> Bool {
        kind == .maximum ? value <= limit : value >= limit
    }

    /// `max resident_peak=70`.
    public var description: String { "\(kind.rawValue) \(metric)=\(Gate.number(limit))" }
}
