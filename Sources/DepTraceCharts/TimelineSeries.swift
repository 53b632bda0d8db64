import DepTrace

/// One trace's timeline as a chart needs it: tokens attended per step and
/// tokens held (resident), downsampled with exact extremes, plus compress
/// steps and marks.
public struct TimelineSeries: Sendable {
    /// The legend name.
    public var name: String
    public var header: TraceHeader?
    /// Values are numerators over this: 1 for one stream, the stream count for the mean.
    public var denominator: Int
    /// The file (or archive entry) the trace is in.
    public var file: String?
    /// The stream drawn, or nil for the mean over ``streams`` streams.
    public var stream: Int?
    /// The trace's streams (layers × heads).
    public var streams: Int = 1
    /// Tokens attended per step: `|V| + n`.
    public var sampler: MinMaxDownsampler
    /// Tokens held per step: `|R| + n` (the resident set, what memory holds).
    public var residentSampler: MinMaxDownsampler
    /// Steps of phase compress.
    public var compressSteps: [Int] = []
    /// Marks, at the step they follow (0 before the first step).
    public var marks: [(step: Int, text: String)] = []
    /// The engine's metrics of the trace, once it finished.
    public var metrics: TraceMetrics?

    /// The exact value `numerator / denominator`.
    public func value(_ numerator: Int) -> Double {
        MetricValue.quotient(numerator, denominator).doubleValue ?? 0
    }

    /// Whether the resident line differs from the visible one anywhere (drawn only then).
    public var residentDiffers: Bool { residentSampler.buckets != sampler.buckets }

    /// A peak of this series as its legend prints it, saying what the number
    /// is: `peak 512` where it is the `peak` (or `resident_peak`) metric of
    /// `deptrace stats` (the trace has one stream), else `peak 5.5 (mean over
    /// 2 streams)` or `peak 6 (stream 1 of 2)`.
    /// - Parameter resident: the resident line's peak rather than the visible one's.
    public func peakText(resident: Bool) -> String {
        let base = resident ? "resident peak" : "peak"
        let sampler = resident ? residentSampler : self.sampler
        guard let peak = sampler.peak else { return "no steps" }
        let number = "\(base) \(NumberFormat.exact(value(peak.value)))"
        guard streams != 1 else { return number }
        return "\(number) (\(stream.map { "stream \($0) of \(streams)" } ?? "mean over \(streams) streams"))"
    }

    /// The values drawn, step by step (what makes two series look the same).
    func drawnValues(resident: Bool) -> [Double] {
        (resident ? residentSampler : sampler).points.map { value($0.value) }
    }
}
