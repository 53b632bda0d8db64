import DepTrace

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
