/// The per-trace metrics of docs/METRICS.md.
///
/// Per-stream quantities are kept as exact integer sums over streams; the
/// means the metrics report are taken only when they are read.
public struct TraceMetrics: Sendable, Hashable {
    /// `layers × heads`.
    public var streams: Int
    /// `Σ_s dep_s`; `dep` is this over `streams`.
    public var depTotal = 0
    public var depMin = 0
    public var depMax = 0
    public var peak = 0
    public var peakKV = 0
    public var residentPeak = 0
    public var residentPeakKV = 0
    public var fullDep = 0
    public var promptTokens = 0
    public var outputTokens = 0
    public var gistTokens = 0
    public var specialTokens = 0
    public var steps = 0
    public var decodeSteps = 0
    public var compressions = 0
    public var evictEventsTotal = 0
    public var evictedTokensTotal = 0
    public var hiddenTokensTotal = 0
    public var finalVisibleTotal = 0
    public var finalResidentTotal = 0
    public var timeNs: Int?
    /// The header's bytes per token, for `kv_bytes_peak`.
    public var kvBytesPerToken: Int?
    public var complete = false
    public var correct: Bool?

    public init(streams: Int) { self.streams = streams }

    /// The mean of the stream Deps.
    public var dep: MetricValue { .quotient(depTotal, streams) }

    /// `full_dep / dep`; null when `dep` is 0.
    public var selfRatio: MetricValue {
        guard depTotal != 0 else { return .null }
        let (scaled, overflow) = fullDep.multipliedReportingOverflow(by: streams)
        if overflow { return .double(Double(fullDep) / (Double(depTotal) / Double(streams))) }
        return .double(Double(scaled) / Double(depTotal))
    }

    /// `resident_peak_kv / streams × kv_bytes_per_token`, when the header gives bytes per token.
    public var kvBytesPeak: MetricValue {
        guard let kvBytesPerToken else { return .null }
        let (bytes, overflow) = residentPeakKV.multipliedReportingOverflow(by: kvBytesPerToken)
        if overflow { return .double(Double(residentPeakKV) / Double(streams) * Double(kvBytesPerToken)) }
        return .quotient(bytes, streams)
    }

    /// The value of the metric called `name` (see ``MetricCatalog``), nil for an unknown name.
    public func value(named name: String) -> MetricValue? {
        switch name {
        case "dep": dep
        case "dep_min": .int(depMin)
        case "dep_max": .int(depMax)
        case "peak": .int(peak)
        case "peak_kv": .int(peakKV)
        case "resident_peak": .int(residentPeak)
        case "resident_peak_kv": .int(residentPeakKV)
        case "full_dep": .int(fullDep)
        case "self_ratio": selfRatio
        case "prompt_tokens": .int(promptTokens)
        case "output_tokens": .int(outputTokens)
        case "gist_tokens": .int(gistTokens)
        case "special_tokens": .int(specialTokens)
        case "steps": .int(steps)
        case "decode_steps": .int(decodeSteps)
        case "compressions": .int(compressions)
        case "evict_events": .quotient(evictEventsTotal, streams)
        case "evicted_tokens": .quotient(evictedTokensTotal, streams)
        case "hidden_tokens": .quotient(hiddenTokensTotal, streams)
        case "final_visible": .quotient(finalVisibleTotal, streams)
        case "final_resident": .quotient(finalResidentTotal, streams)
        case "time_ns": timeNs.map(MetricValue.int) ?? .null
        case "kv_bytes_peak": kvBytesPeak
        case "complete": .bool(complete)
        case "correct": correct.map(MetricValue.bool) ?? .null
        case "streams": .int(streams)
        default: nil
        }
    }
}
