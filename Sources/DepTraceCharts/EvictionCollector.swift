import DepTrace

/// Collects, for every trace, the tokens freed by each eviction event: the
/// evict records between one step and the next (mean over streams).
public struct EvictionCollector: TraceObserver {
    public static var observesRecords: Bool { true }
    /// Per finished, valid trace: its header and its events.
    public private(set) var traces: [(header: TraceHeader?, events: [Double])] = []
    public private(set) var diagnostics: [Diagnostic] = []
    /// Whether traces without an end record (or damaged) are collected too; else they are left out, in ``leftOut``.
    public var includeIncomplete = false
    /// The partial traces left out.
    public private(set) var leftOut: [TraceOutcome] = []
    private var current: [Double] = []
    private var evictedBefore = 0

    public init(includeIncomplete: Bool = false) { self.includeIncomplete = includeIncomplete }

    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        current = []
        evictedBefore = 0
    }

    private mutating func close(_ analyzer: TraceAnalyzer) {
        // The total over streams wraps past 2^63 (the trace is then invalid at its
        // end); the difference of two wrapped totals is exact whenever what was freed fits.
        let freed = analyzer.evictedTotal &- evictedBefore
        if freed > 0 { current.append(MetricValue.quotient(freed, analyzer.streamCount).doubleValue ?? 0) }
        evictedBefore = analyzer.evictedTotal
    }

    public mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
        if case .step = record { close(analyzer) }
    }

    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        guard let analyzer, outcome.metrics != nil else { return }
        guard outcome.status == .complete || includeIncomplete else {
            leftOut.append(outcome)
            return
        }
        close(analyzer)
        traces.append((outcome.header, current))
    }

    public mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}
