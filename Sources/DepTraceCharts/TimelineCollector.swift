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

/// A trace observer that builds one ``TimelineSeries`` for the trace at
/// `traceIndex`, streaming: memory does not grow with the trace's length
/// (beyond compress steps and marks).
public struct TimelineCollector: TraceObserver {
    public static var observesRecords: Bool { true }
    public let traceIndex: Int
    public let stream: Int?
    public let capacity: Int
    public private(set) var series: TimelineSeries?
    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var streamOutOfRange = false
    public private(set) var finished = false
    private var following = false
    private var stepIndex = 0

    /// - Parameters:
    ///   - stream: one stream, or nil for the mean over streams.
    ///   - capacity: the most downsampling buckets (two per pixel column is plenty).
    public init(traceIndex: Int, stream: Int?, capacity: Int) {
        self.traceIndex = traceIndex
        self.stream = stream
        self.capacity = capacity
    }

    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        following = index == traceIndex
        guard following else { return }
        if let stream, stream >= analyzer.streamCount {
            streamOutOfRange = true
            following = false
            return
        }
        series = TimelineSeries(
            name: analyzer.header.method ?? file, header: analyzer.header,
            denominator: stream == nil ? analyzer.streamCount : 1, file: file, stream: stream, streams: analyzer.streamCount,
            sampler: MinMaxDownsampler(capacity: capacity), residentSampler: MinMaxDownsampler(capacity: capacity))
        stepIndex = 0
    }

    public mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
        guard following else { return }
        switch record {
        case .step(let step):
            // The step is not checked yet: when this overflows, the engine refuses the
            // step (its peak_kv is this same sum, checked), and an invalid trace has no series.
            let attended = stream.map { analyzer.visibleCount(stream: $0) &+ step.count }
                ?? analyzer.visibleTotal &+ step.count &* analyzer.streamCount
            let held = stream.map { analyzer.residentCount(stream: $0) &+ step.count }
                ?? analyzer.residentTotal &+ step.count &* analyzer.streamCount
            series?.sampler.add(attended)
            series?.residentSampler.add(held)
            if step.phase == .compress { series?.compressSteps.append(stepIndex) }
            stepIndex += 1
        case .mark(let text):
            series?.marks.append((Swift.max(0, stepIndex - 1), text))
        default:
            break
        }
    }

    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        guard outcome.index == traceIndex, following else { return }
        following = false
        finished = true
        series?.metrics = outcome.metrics
        if outcome.metrics == nil { series = nil }
    }

    public mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}
