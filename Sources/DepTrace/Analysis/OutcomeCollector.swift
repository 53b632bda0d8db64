/// A trace observer that keeps every outcome and diagnostic of one input,
/// for readers that hand results to another thread.
package struct OutcomeCollector: TraceObserver {
    package var outcomes: [TraceOutcome] = []
    package var diagnostics: [Diagnostic] = []

    package init() {}

    package mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) { outcomes.append(outcome) }
    package mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}
