import DepTrace

/// Collects one stream's states per step, binned: row `r` covers steps
/// `r·rowsPerBin ..< (r+1)·rowsPerBin`, column `c` ids `c·idsPerBin ..<
/// (c+1)·idsPerBin`, and each cell counts its (step, id) pairs in each state
/// (see ``MaskCellCounts``).
/// - Complexity: O(ranges of the visible, resident and created sets) per step
///   and O(columns) per row; memory O(rows × columns).
public struct MaskCollector: TraceObserver {
    public static var observesRecords: Bool { true }
    public let traceIndex: Int
    public let stream: Int
    public let rowsPerBin: Int
    public let idsPerBin: Int
    public let columns: Int
    /// Per row, per column.
    public private(set) var rows: [[MaskCellCounts]] = []
    /// Steps in each row (the last may hold fewer than `rowsPerBin`).
    public private(set) var stepsPerRow: [Int] = []
    public private(set) var header: TraceHeader?
    private var following = false
    private var stepIndex = 0
    private var created = IntervalSet()
    /// Per state: pairs counted in partial columns, and a difference array of whole columns.
    /// Kept as `Double`: pairs of a cell are ids × steps, which overflow `Int` when ids reach `Int.max`
    /// (and stay exact below 2^53 pairs, far beyond any real cell).
    private var partial: [[Double]] = []
    private var whole: [[Int]] = []

    /// - Parameter idEnd: one past the largest id (from ``TraceExtentCollector``).
    public init(traceIndex: Int, stream: Int, rowsPerBin: Int, idsPerBin: Int, idEnd: Int) {
        self.traceIndex = traceIndex
        self.stream = stream
        self.rowsPerBin = Swift.max(1, rowsPerBin)
        self.idsPerBin = Swift.max(1, idsPerBin)
        let ids = Swift.max(0, idEnd)
        columns = Swift.max(1, ids / self.idsPerBin + (ids % self.idsPerBin == 0 ? 0 : 1))
        resetRow()
    }

    private mutating func resetRow() {
        partial = Array(repeating: Array(repeating: 0.0, count: columns), count: 4)
        whole = Array(repeating: Array(repeating: 0, count: columns + 1), count: 4)
    }

    /// `a × b`, or `Int.max` where that overflows (the end of the last column when ids reach `Int.max`).
    static func saturated(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    /// Adds one pair per id of `range` to `state`'s counts (ids past the last column are ignored).
    private mutating func add(_ range: Range<Int>, state: Int) {
        let k = idsPerBin
        let low = Swift.max(0, range.lowerBound), high = Swift.min(range.upperBound, Self.saturated(columns, k))
        guard low < high else { return }
        let first = low / k, last = (high - 1) / k
        if first == last {
            partial[state][first] += Double(high - low)
            return
        }
        partial[state][first] += Double(Self.saturated(first + 1, k) - low)
        partial[state][last] += Double(high - last * k)
        if first + 1 < last {
            whole[state][first + 1] += 1
            whole[state][last] -= 1
        }
    }

    private mutating func closeRow(steps: Int) {
        var row = [MaskCellCounts](repeating: MaskCellCounts(), count: columns)
        var running = [0, 0, 0, 0]
        for column in 0..<columns {
            var values = [0.0, 0.0, 0.0, 0.0]
            for state in 0..<4 {
                running[state] += whole[state][column]
                values[state] = partial[state][column] + Double(running[state]) * Double(idsPerBin)
            }
            row[column] = MaskCellCounts(attended: values[0], created: values[1], resident: values[2], existing: values[3])
        }
        rows.append(row)
        stepsPerRow.append(steps)
        resetRow()
    }

    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        following = index == traceIndex && stream < analyzer.streamCount
        if following { header = analyzer.header }
    }

    public mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
        guard following, case .step(let step) = record else { return }
        for range in analyzer.visibleSet(stream: stream).ranges { add(range, state: 0) }
        add(step.ids, state: 1)
        for range in analyzer.residentSet(stream: stream).ranges { add(range, state: 2) }
        for range in created.ranges { add(range, state: 3) }
        created.insert(step.ids)
        stepIndex += 1
        if stepIndex % rowsPerBin == 0 { closeRow(steps: rowsPerBin) }
    }

    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        guard outcome.index == traceIndex, following else { return }
        following = false
        if stepIndex % rowsPerBin != 0 { closeRow(steps: stepIndex % rowsPerBin) }
    }
}
