/// The names and one-line meanings of the per-trace metrics, in the order of docs/METRICS.md.
public enum MetricCatalog {
    /// A metric's name and what it measures.
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
    }

    /// Every per-trace metric.
    public static let entries: [Entry] = [
        Entry(name: "dep", summary: "Σ over counted steps of n·|V| + n(n+1)/2 (stream mean)"),
        Entry(name: "dep_min", summary: "smallest stream dep"),
        Entry(name: "dep_max", summary: "largest stream dep"),
        Entry(name: "peak", summary: "most tokens one step attends to: max of |V| + n"),
        Entry(name: "peak_kv", summary: "max over steps of Σ over streams of |V| + n"),
        Entry(name: "resident_peak", summary: "peak over the resident set |R|: what memory holds"),
        Entry(name: "resident_peak_kv", summary: "peak_kv with the resident set"),
        Entry(name: "full_dep", summary: "dep had nothing been freed: Σ n·C + n(n+1)/2"),
        Entry(name: "self_ratio", summary: "full_dep / dep: compression against keeping all"),
        Entry(name: "prompt_tokens", summary: "tokens created of kind prompt"),
        Entry(name: "output_tokens", summary: "tokens created of kind output"),
        Entry(name: "gist_tokens", summary: "tokens created of kind gist"),
        Entry(name: "special_tokens", summary: "tokens created of kind special"),
        Entry(name: "steps", summary: "step records"),
        Entry(name: "decode_steps", summary: "decode-phase steps"),
        Entry(name: "compressions", summary: "compress-phase steps"),
        Entry(name: "evict_events", summary: "evict records per stream (mean)"),
        Entry(name: "evicted_tokens", summary: "ids freed per stream (mean)"),
        Entry(name: "hidden_tokens", summary: "ids masked by hide per stream (mean)"),
        Entry(name: "final_visible", summary: "|V| after the last record (mean over streams)"),
        Entry(name: "final_resident", summary: "|R| after the last record (mean over streams)"),
        Entry(name: "time_ns", summary: "t of the last step that has one"),
        Entry(name: "kv_bytes_peak", summary: "resident_peak_kv / streams × kv_bytes_per_token"),
        Entry(name: "complete", summary: "the trace has an end record"),
        Entry(name: "correct", summary: "the end record's correct, else null"),
        Entry(name: "streams", summary: "layers × heads"),
    ]

    /// Every metric name, in order.
    public static let names: [String] = entries.map(\.name)

    /// The metadata columns that precede the metrics in per-trace output.
    public static let identityColumns = ["file", "trace", "method", "model", "dataset", "sample"]

    /// Whether `name` is a metric.
    public static func isMetric(_ name: String) -> Bool { names.contains(name) }
}
