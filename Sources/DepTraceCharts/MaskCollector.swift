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

/// Collects one stream's visibility per step, binned: row `r` holds the ids
/// visible to any step of `r·rowsPerBin ..< (r+1)·rowsPerBin`, in columns of
/// `idsPerBin` ids, and, apart, the ids the steps themselves create.
public struct MaskCollector: TraceObserver {
    public static var observesRecords: Bool { true }
    public let traceIndex: Int
    public let stream: Int
    public let rowsPerBin: Int
    public let idsPerBin: Int
    public private(set) var visibleRows: [IntervalSet] = []
    public private(set) var ownRows: [IntervalSet] = []
    public private(set) var header: TraceHeader?
    private var following = false
    private var stepIndex = 0

    public init(traceIndex: Int, stream: Int, rowsPerBin: Int, idsPerBin: Int) {
        self.traceIndex = traceIndex
        self.stream = stream
        self.rowsPerBin = Swift.max(1, rowsPerBin)
        self.idsPerBin = Swift.max(1, idsPerBin)
    }

    private func columns(_ range: Range<Int>) -> Range<Int> {
        (range.lowerBound / idsPerBin)..<((range.upperBound + idsPerBin - 1) / idsPerBin)
    }

    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        following = index == traceIndex && stream < analyzer.streamCount
        if following { header = analyzer.header }
    }

    public mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
        guard following, case .step(let step) = record else { return }
        let row = stepIndex / rowsPerBin
        if row == visibleRows.count {
            visibleRows.append(IntervalSet())
            ownRows.append(IntervalSet())
        }
        for range in analyzer.visibleSet(stream: stream).ranges { visibleRows[row].insert(columns(range)) }
        if !step.ids.isEmpty { ownRows[row].insert(columns(step.ids)) }
        stepIndex += 1
    }

    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        if outcome.index == traceIndex { following = false }
    }
}
