/// An observer that follows every trace step by step and keeps what an audit
/// needs: the running maximum of tokens a step attends to (each time it
/// rises), so the first step over any budget, even one read from the `end`
/// record, is known without keeping the steps.
public struct BudgetAuditor: TraceObserver {
    public static var observesRecords: Bool { true }

    /// A step that attends to more tokens than every step before it.
    public struct Rise: Sendable, Hashable {
        /// 0-based index of the step in its trace, and of the record.
        public var step: Int
        public var record: Int
        public var phase: Phase
        public var first: Int
        public var queries: Int
        /// The stream that attends to the most, and its `|V_s|` before the step.
        public var stream: Int
        public var visibleBefore: Int
        /// `|V_s| + n`.
        public var attended: Int
        /// What the step before it attended to (its context), nil for the first step.
        public var previousAttended: Int?
    }

    /// What the cache held once the prefill was over (and a prefill-time press had run):
    /// means over streams, before the first step of another phase or at the end.
    public struct AfterPrefill: Sendable, Hashable {
        /// Mean `|V_s|`: tokens attention can still read.
        public var visible: Double
        /// Mean `|R_s|`: tokens still held in memory.
        public var resident: Double
    }

    /// One trace as the audit sees it.
    public struct TraceRecord: Sendable {
        public var outcome: TraceOutcome
        /// Every rise of the running maximum, in order.
        public var rises: [Rise]
        /// The `end` record's claims, when there is one.
        public var claims: Claims?
        /// The cache after the prefill, when the trace has prefill steps.
        public var afterPrefill: AfterPrefill?

        /// The first step that attends to more than `budget` tokens.
        public func firstStep(over budget: Int) -> Rise? { rises.first { $0.attended > budget } }
    }

    public private(set) var traces: [TraceRecord] = []
    public private(set) var diagnostics: [Diagnostic] = []
    private var rises: [Rise] = []
    private var step = 0
    private var lastAttended: Int?
    private var claims: Claims?
    private var sawPrefill = false
    private var afterPrefill: AfterPrefill?

    public init() {}

    /// Notes the cache once the prefill is over: at the first step of another phase, or at the trace's end.
    private mutating func notePrefillOver(_ analyzer: TraceAnalyzer) {
        guard sawPrefill, afterPrefill == nil else { return }
        let streams = Double(Swift.max(1, analyzer.streamCount))
        afterPrefill = AfterPrefill(visible: Double(analyzer.visibleTotal) / streams, resident: Double(analyzer.residentTotal) / streams)
    }

    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        rises = []
        step = 0
        lastAttended = nil
        claims = nil
        sawPrefill = false
        afterPrefill = nil
    }

    public mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
        switch record {
        case .step(let step):
            if step.phase == .prefill { sawPrefill = true } else { notePrefillOver(analyzer) }
            var best = (stream: 0, visible: analyzer.visibleCount(stream: 0))
            // Until a per-stream record splits a stream off, every stream shares stream 0's
            // state: a header may declare 2^20 streams, too many to look at on every step.
            if analyzer.distinctStates > 1 {
                for stream in 1..<max(1, analyzer.streamCount) {
                    let visible = analyzer.visibleCount(stream: stream)
                    if visible > best.visible { best = (stream, visible) }
                }
            }
            // The step is not checked yet: a count that overflows here is refused by
            // the engine next (ids lie below 2^53), and an invalid trace keeps no rises.
            let attended = best.visible &+ step.count
            if attended > (rises.last?.attended ?? Int.min) {
                rises.append(Rise(step: self.step, record: analyzer.recordCount, phase: step.phase, first: step.first, queries: step.count,
                                  stream: best.stream, visibleBefore: best.visible, attended: attended, previousAttended: lastAttended))
            }
            lastAttended = attended
            self.step += 1
        case .end(let claims):
            notePrefillOver(analyzer)
            self.claims = claims
        default:
            break
        }
    }

    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        traces.append(TraceRecord(outcome: outcome, rises: outcome.metrics == nil ? [] : rises, claims: claims, afterPrefill: afterPrefill))
        rises = []
        claims = nil
        afterPrefill = nil
    }

    public mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}
