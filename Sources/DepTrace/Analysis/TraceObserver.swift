/// Receives what happens while inputs are read: traces, records, diagnostics.
///
/// Every method has an empty default, so an observer implements only what it
/// needs. Readers are generic over the observer, so the calls are static.
public protocol TraceObserver {
    /// Whether ``willApply(_:to:)`` and ``didApply(_:to:)`` are called: false
    /// by default, so readers skip the per-record calls entirely.
    static var observesRecords: Bool { get }
    /// A supported trace starts.
    mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int)
    /// `record` is about to be applied to `analyzer`.
    mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer)
    /// `record` was applied.
    mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer)
    /// A trace is over; `analyzer` is its final state when it was analysed.
    mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?)
    /// An error or warning.
    mutating func report(_ diagnostic: Diagnostic)
}

extension TraceObserver {
    public static var observesRecords: Bool { false }
    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {}
    public mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {}
    public mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer) {}
    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {}
    public mutating func report(_ diagnostic: Diagnostic) {}
}
