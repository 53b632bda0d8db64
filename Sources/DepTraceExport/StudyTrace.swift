import DepTrace
import DepTraceCharts

/// One trace as an export needs it: its outcome (header, metrics, status)
/// and its tokens-in-context timeline, downsampled with exact extremes.
public struct StudyTrace: Sendable {
    public var outcome: TraceOutcome
    /// Tokens attended per step (`|V| + n`, the mean over streams); nil for
    /// a trace that could not be analysed.
    public var timeline: TimelineSeries?

    public init(outcome: TraceOutcome, timeline: TimelineSeries?) {
        self.outcome = outcome
        self.timeline = timeline
    }
}

/// Observes every trace of one input and keeps each one's outcome and
/// timeline, through a ``TimelineCollector`` per trace.
///
/// Memory per trace is the downsampler's capacity (plus compress steps and
/// marks), whatever the trace's length.
struct StudyCollector: TraceObserver {
    static var observesRecords: Bool { true }
    let capacity: Int
    private(set) var traces: [StudyTrace] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var current: TimelineCollector?

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        current = TimelineCollector(traceIndex: index, stream: nil, capacity: capacity)
        current?.traceStarted(analyzer, file: file, index: index)
    }

    mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
        current?.willApply(record, to: analyzer)
    }

    mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer) {
        current?.didApply(record, to: analyzer)
    }

    mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        // A trace of an unsupported version never started: it has no collector.
        var series: TimelineSeries?
        if var collector = current, collector.traceIndex == outcome.index {
            collector.traceFinished(outcome, analyzer: analyzer)
            series = collector.series
        }
        current = nil
        traces.append(StudyTrace(outcome: outcome, timeline: series))
    }

    mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }
}
