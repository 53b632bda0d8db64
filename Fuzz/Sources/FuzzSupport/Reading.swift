import DepTrace

/// One trace as reading reported it, comparable with another reading's.
public struct OutcomeRecord: Hashable, CustomStringConvertible {
    public var index: Int
    public var status: TraceOutcome.Status
    public var headerLine: Int?
    public var headerOffset: Int?
    public var header: TraceHeader?
    public var metrics: TraceMetrics?

    public init(_ outcome: TraceOutcome) {
        index = outcome.index
        status = outcome.status
        headerLine = outcome.headerLine
        headerOffset = outcome.headerOffset
        header = outcome.header
        metrics = outcome.metrics
    }

    public var description: String { "trace \(index) \(status) metrics \(metrics.map { "\($0)" } ?? "none")" }
}

/// What reading one input gave: its traces and diagnostics, in order.
public struct Reading: Hashable {
    public var outcomes: [OutcomeRecord] = []
    public var diagnostics: [Diagnostic] = []
    public var summary: InputAnalyzer.Summary

    /// Reads `bytes` through ``InputAnalyzer`` as the input `name`, served in pieces of `pieceSize`.
    public static func read(_ bytes: [UInt8], name: String, options: AnalysisOptions, pieceSize: Int) -> Reading {
        var outcomes: [OutcomeRecord] = []
        var diagnostics: [Diagnostic] = []
        var observer = CallbackObserver(onTrace: { outcomes.append(OutcomeRecord($0)) }, onDiagnostic: { diagnostics.append($0) })
        let summary = InputAnalyzer.analyze(MemoryByteSource(bytes, pieceSize: pieceSize), name: name, options: options, observer: &observer)
        return Reading(outcomes: outcomes, diagnostics: diagnostics, summary: summary)
    }

    /// Checks what must hold of any reading of any input.
    public func checkConsistent(inputSize: Int) {
        // Only a refused input (compressed, a line over the limit) is left unread.
        Invariant.check(summary.bytes == inputSize || summary.errors > 0, "read \(summary.bytes) of \(inputSize) bytes, and no error says why")
        Invariant.check(summary.errors == diagnostics.count { $0.severity == .error }, "summary counts \(summary.errors) errors, \(diagnostics.count { $0.severity == .error }) reported")
        Invariant.check(summary.warnings == diagnostics.count { $0.severity == .warning }, "summary counts \(summary.warnings) warnings, \(diagnostics.count { $0.severity == .warning }) reported")
        var lastIndex = -1
        for outcome in outcomes {
            Invariant.check(outcome.index > lastIndex, "trace indices out of order: \(outcome.index) after \(lastIndex)")
            lastIndex = outcome.index
            switch outcome.status {
            case .invalid, .unsupported:
                Invariant.check(outcome.metrics == nil, "trace \(outcome.index) is \(outcome.status) but has metrics")
            case .complete, .incomplete, .damaged:
                guard let metrics = outcome.metrics else { Invariant.fail("trace \(outcome.index) is \(outcome.status) but has no metrics") }
                Invariant.check(metrics.complete == (outcome.status == .complete) || outcome.status == .damaged,
                                "trace \(outcome.index) is \(outcome.status) but its metrics say complete: \(metrics.complete)")
                checkMetrics(metrics, header: outcome.header, index: outcome.index)
            }
            if outcome.status != .complete, outcome.status != .incomplete {
                // Every trace that is not simply read (or left open) has an error saying why.
                Invariant.check(diagnostics.contains { $0.severity == .error }, "trace \(outcome.index) is \(outcome.status) and no error is reported")
            }
        }
    }

    private func checkMetrics(_ metrics: TraceMetrics, header: TraceHeader?, index: Int) {
        let streams = metrics.streams
        Invariant.check(streams >= 1 && streams == header?.streamCount, "trace \(index): \(streams) streams, header says \(String(describing: header?.streamCount))")
        Invariant.check(metrics.depMin <= metrics.depMax, "trace \(index): dep_min \(metrics.depMin) > dep_max \(metrics.depMax)")
        Invariant.check(metrics.depMin >= 0 && metrics.peak >= 0 && metrics.residentPeak >= 0, "trace \(index): negative dep or peak in \(metrics)")
        Invariant.check(metrics.depTotal >= metrics.depMax, "trace \(index): dep total \(metrics.depTotal) below the largest stream dep in \(metrics)")
        Invariant.check(metrics.evictedTokensTotal >= 0 && metrics.hiddenTokensTotal >= 0, "trace \(index): negative counts in \(metrics)")
        Invariant.check(metrics.decodeSteps <= metrics.steps && metrics.compressions <= metrics.steps, "trace \(index): more decode or compress steps than steps in \(metrics)")
    }
}
