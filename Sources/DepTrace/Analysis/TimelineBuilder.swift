/// One row of a trace's timeline: one step and the records up to the next step.
public struct TimelineRow: Sendable, Hashable {
    /// 0-based index of the step in its trace.
    public var step: Int
    public var phase: Phase
    public var first: Int
    public var queries: Int
    /// `|V|` before the step (of the chosen stream, or the mean over streams).
    public var visibleBefore: MetricValue
    /// `|V|` after the step and the records that follow it, before the next step.
    public var visibleAfter: MetricValue
    /// `|R|` after the step and the records that follow it.
    public var residentAfter: MetricValue
    /// Dep accumulated up to and including this step (counted phases only).
    public var dep: MetricValue
    /// Tokens evicted by the records after this step, before the next step.
    public var evicted: MetricValue
    /// The step's `t`, when recorded.
    public var time: Int?
    /// Labels of `mark` records after this step, before the next step (and,
    /// on the first row, those before it).
    public var marks: [String]
}

/// An observer that turns one trace's records into ``TimelineRow``s as they
/// stream past, handing each finished row to `emit`; memory is one row.
public struct TimelineBuilder: TraceObserver {
    public static var observesRecords: Bool { true }
    /// The stream to follow, or nil for the mean over streams.
    public let stream: Int?
    /// The trace to follow: its 0-based index in the file.
    public let traceIndex: Int
    private let emit: (TimelineRow) -> Void
    private var following = false
    private var open: TimelineRow?
    private var pendingMarks: [String] = []
    private var evictedAtStep = 0
    private var stepIndex = 0
    /// Diagnostics seen while reading.
    public private(set) var diagnostics: [Diagnostic] = []
    /// The outcome of the followed trace, once it finished.
    public private(set) var outcome: TraceOutcome?
    /// Whether `stream` was out of range for the followed trace.
    public private(set) var streamOutOfRange = false

    public init(traceIndex: Int = 0, stream: Int? = nil, emit: @escaping (TimelineRow) -> Void) {
        self.traceIndex = traceIndex
        self.stream = stream
        self.emit = emit
    }

    private func value(_ analyzer: TraceAnalyzer, single: (Int) -> Int, total: () -> Int) -> MetricValue {
        if let stream { return .int(single(stream)) }
        return .quotient(total(), analyzer.streamCount)
    }

    private func evicted(_ analyzer: TraceAnalyzer) -> Int {
        stream.map { analyzer.evictedTokens(stream: $0) } ?? analyzer.evictedTotal
    }

    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        following = index == traceIndex
        if following, let stream, stream < 0 || stream >= analyzer.streamCount {
            streamOutOfRange = true
            following = false
        }
    }

    public mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
        guard following else { return }
        switch record {
        case .step(let step):
            closeRow(analyzer)
            open = TimelineRow(
                step: stepIndex, phase: step.phase, first: step.first, queries: step.count,
                visibleBefore: value(analyzer, single: analyzer.visibleCount, total: { analyzer.visibleTotal }),
                visibleAfter: .null, residentAfter: .null, dep: .null, evicted: .int(0), time: step.time,
                marks: pendingMarks)
            pendingMarks = []
            stepIndex += 1
        case .mark(let text):
            if open != nil { open?.marks.append(text) } else { pendingMarks.append(text) }
        default:
            break
        }
    }

    public mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer) {
        guard following, case .step = record else { return }
        let dep = value(analyzer, single: analyzer.dep, total: { analyzer.depTotal })
        open?.dep = dep
        evictedAtStep = evicted(analyzer)
    }

    private mutating func closeRow(_ analyzer: TraceAnalyzer) {
        guard var row = open else { return }
        row.visibleAfter = value(analyzer, single: analyzer.visibleCount, total: { analyzer.visibleTotal })
        row.residentAfter = value(analyzer, single: analyzer.residentCount, total: { analyzer.residentTotal })
        // The total over streams wraps past 2^63 (the trace is then invalid at its
        // end); the difference of two wrapped totals is exact whenever what was freed fits.
        let freed = evicted(analyzer) &- evictedAtStep
        row.evicted = stream == nil ? .quotient(freed, analyzer.streamCount) : .int(freed)
        emit(row)
        open = nil
    }

    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        guard outcome.index == traceIndex else { return }
        if let analyzer, following { closeRow(analyzer) }
        following = false
        self.outcome = outcome
    }

    public mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }
}
