import DepTrace

/// The size of one trace: its steps and the ids it uses (the first pass of a mask chart).
public struct TraceExtentCollector: TraceObserver {
    public static var observesRecords: Bool { true }
    public let traceIndex: Int
    public private(set) var steps = 0
    /// One past the largest id a step creates.
    public private(set) var idEnd = 0
    public private(set) var found = false
    public private(set) var streamCount = 0
    public private(set) var diagnostics: [Diagnostic] = []
    private var following = false

    public init(traceIndex: Int) { self.traceIndex = traceIndex }

    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        following = index == traceIndex
        if following { streamCount = analyzer.streamCount }
    }

    public mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
        guard following, case .step(let step) = record else { return }
        steps += 1
        idEnd = Swift.max(idEnd, step.ids.upperBound)
    }

    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        if outcome.index == traceIndex, following { found = outcome.metrics != nil }
        following = false
    }

    public mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}
