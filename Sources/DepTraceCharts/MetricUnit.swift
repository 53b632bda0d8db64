/// The unit of each metric of ``DepTrace/MetricCatalog``, for axis labels.
public enum MetricUnit {
    /// `tokens`, `steps`, `ns`, `bytes`, `ratio`, or `count`.
    public static func of(_ metric: String) -> String {
        switch metric {
        case "self_ratio": "ratio"
        case "time_ns": "ns"
        case "kv_bytes_peak": "bytes"
        case "steps", "decode_steps", "compressions": "steps"
        case "evict_events": "events"
        case "streams": "streams"
        default: "tokens"
        }
    }

    /// `dep (tokens)`.
    public static func label(_ metric: String) -> String { "\(metric) (\(of(metric)))" }
}
