/// An observer that hands finished traces and diagnostics to closures.
public struct CallbackObserver: TraceObserver {
    private let onTrace: (TraceOutcome) -> Void
    private let onDiagnostic: (Diagnostic) -> Void

    public init(onTrace: @escaping (TraceOutcome) -> Void, onDiagnostic: @escaping (Diagnostic) -> Void) {
        self.onTrace = onTrace
        self.onDiagnostic = onDiagnostic
    }

    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) { onTrace(outcome) }
    public mutating func report(_ diagnostic: Diagnostic) { onDiagnostic(diagnostic) }
}
