/// The unit and display name of each metric of ``DepTrace/MetricCatalog``, for titles and axis labels.
public enum MetricUnit {
    /// `tokens`, `query–key pairs`, `steps`, `ns`, `bytes`, `ratio`, `events`, or `streams`.
    public static func of(_ metric: String) -> String {
        switch metric {
        case "dep", "dep_min", "dep_max", "full_dep": "query–key pairs"
        case "self_ratio": "ratio"
        case "time_ns": "ns"
        case "kv_bytes_peak": "bytes"
        case "steps", "decode_steps", "compressions": "steps"
        case "evict_events": "events"
        case "streams": "streams"
        default: "tokens"
        }
    }

    /// What the metric is, in words a reader of a paper knows: `resident peak`.
    public static func name(_ metric: String) -> String {
        switch metric {
        case "dep": "Dep"
        case "dep_min": "smallest stream Dep"
        case "dep_max": "largest stream Dep"
        case "peak", "peak_kv": "peak attended"
        case "resident_peak", "resident_peak_kv": "resident peak"
        case "full_dep": "Dep with nothing freed"
        case "self_ratio": "self ratio"
        case "prompt_tokens": "prompt tokens"
        case "output_tokens": "output tokens"
        case "gist_tokens": "gist tokens"
        case "special_tokens": "special tokens"
        case "steps": "steps"
        case "decode_steps": "decode steps"
        case "compressions": "compress steps"
        case "evict_events": "evictions"
        case "evicted_tokens": "tokens evicted"
        case "hidden_tokens": "tokens hidden"
        case "final_visible": "visible at the end"
        case "final_resident": "resident at the end"
        case "time_ns": "time"
        case "kv_bytes_peak": "KV cache peak"
        case "streams": "streams"
        default: metric
        }
    }

    /// The unit and scope in brackets: `KV tokens, all heads`.
    static func detail(_ metric: String) -> String {
        switch metric {
        case "dep", "full_dep": "query–key pairs, mean over streams"
        case "dep_min", "dep_max": "query–key pairs"
        case "peak": "tokens, most of any stream"
        case "peak_kv": "KV tokens, all heads"
        case "resident_peak": "KV tokens, most of any stream"
        case "resident_peak_kv": "KV tokens, all heads"
        case "self_ratio": "full Dep / Dep"
        case "evict_events", "evicted_tokens", "hidden_tokens", "final_visible", "final_resident": "\(of(metric)), mean over streams"
        case "kv_bytes_peak": "bytes"
        case "streams": "layers × heads"
        default: of(metric)
        }
    }

    /// The display name with unit and scope, and the `stats` column it is:
    /// `resident peak (KV tokens, all heads) [resident_peak_kv]`.
    public static func label(_ metric: String) -> String {
        "\(name(metric)) (\(detail(metric))) [\(metric)]"
    }

    /// The display name with its unit only, for a vertical axis: `Dep (query–key pairs) [dep]`.
    public static func shortLabel(_ metric: String) -> String {
        let unit = ["peak_kv", "resident_peak_kv"].contains(metric) ? "KV tokens, all heads" : of(metric)
        return "\(name(metric)) (\(unit)) [\(metric)]"
    }
}
