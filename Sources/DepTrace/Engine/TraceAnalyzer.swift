/// Applies the records of one trace in order, enforcing every rule of the
/// format, and accumulates the per-trace metrics of METRICS.md exactly.
///
/// Streams that have only received all-stream records share one
/// ``StreamState``; a per-stream record splits its stream off (copy on
/// write), so a 112-stream trace costs one stream's work until heads diverge.
public struct TraceAnalyzer: Sendable {
    public let header: TraceHeader
    public let options: AnalysisOptions
    /// `layers × heads`.
    public let streamCount: Int

    private var states: [StreamState] = [StreamState()]
    /// How many streams share each state.
    private var multiplicity: [Int]
    /// The state of each stream; empty while every stream shares state 0.
    private var stateOfStream: [Int] = []

    /// Every id created by a step so far.
    private var created = IntervalSet()
    /// The number of ids created so far (`C` of METRICS.md; ids may have gaps).
    public private(set) var createdCount = 0

    private var fullDep = 0
    private var peakKV = 0
    private var residentPeakKV = 0
    private var tokensByKind = [Int](repeating: 0, count: TokenKind.allCases.count)
    public private(set) var steps = 0
    private var decodeSteps = 0
    private var compressions = 0
    private var lastTime: Int?
    /// Ranges held by all distinct states and the created set (``ResourceLimits/maxHeldIntervals``).
    private var heldIntervals = 0
    /// Records applied so far, the header excluded.
    public private(set) var recordCount = 0
    /// The claims of the `end` record once it was applied.
    public private(set) var claims: Claims?

    /// Starts a trace.
    ///
    /// - Throws: ``RuleViolation/tooManyStreams(layers:heads:limit:)`` when
    ///   `layers × heads` overflows or exceeds `options.maxStreams`.
    public init(header: TraceHeader, options: AnalysisOptions = AnalysisOptions()) throws(RuleViolation) {
        guard let streams = header.streamCount, streams <= options.maxStreams else {
            throw .tooManyStreams(layers: header.layers, heads: header.heads, limit: options.maxStreams)
        }
        self.header = header
        self.options = options
        self.streamCount = streams
        self.multiplicity = [streams]
    }

    /// Whether the `end` record was applied.
    public var isEnded: Bool { claims != nil }

    // MARK: - Applying records

    /// Checks `record` against the current state and applies it.
    ///
    /// - Throws: the ``RuleViolation`` it breaks; the state is then unspecified
    ///   and the trace must be abandoned.
    public mutating func apply(_ record: Record) throws(RuleViolation) {
        if isEnded { throw .recordAfterEnd(record.typeName) }
        switch record {
        case .step(let step): try applyStep(step.bare)
        case let .evict(ranges, stream): try applyEvict(ranges, stream: stream)
        case let .add(ranges, stream): try applyAdd(ranges, stream: stream)
        case let .hide(ranges, stream): try applyHide(ranges, stream: stream)
        case let .show(ranges, stream): try applyShow(ranges, stream: stream)
        case .mark: break
        case let .snap(visible, resident, stream): try checkSnap(visible: visible, resident: resident, stream: stream)
        case .end(let claims): self.claims = claims
        }
        recordCount &+= 1
        try checkHeldIntervals()
    }

    /// Applies a step: `apply(.step(step))` without building the record (the readers' hot path).
    mutating func apply(step: BareStep) throws(RuleViolation) {
        if isEnded { throw .recordAfterEnd("step") }
        try applyStep(step)
        recordCount &+= 1
        try checkHeldIntervals()
    }

    /// Applies an evict record: `apply(.evict(ranges, stream: stream))` without building the record.
    mutating func apply(evict ranges: UnsafeBufferPointer<Range<Int>>, stream: Int?) throws(RuleViolation) {
        if isEnded { throw .recordAfterEnd("evict") }
        if ranges.count != 1 || !evictFromOwnState(ranges[0], stream: stream) {
            try applyEvict(ranges, stream: stream)
        }
        recordCount &+= 1
        try checkHeldIntervals()
    }

    /// Applies the usual eviction of a per-head method, one range from one
    /// stream that already has a state of its own, without the general
    /// path's loops over ranges and states; returns false, having changed
    /// nothing, for any other record or one that breaks a rule or a limit
    /// (``applyEvict(_:stream:)`` then applies or reports it).
    @inline(__always)
    private mutating func evictFromOwnState(_ range: Range<Int>, stream: Int?) -> Bool {
        // The checks of `checkRanges` and `checkStream` for one range, but
        // two: ids beyond the largest id allowed are never resident, so such
        // a record fails below and the general path reports it; and both
        // readers refuse a record of more ranges than allowed before it comes here.
        guard let stream, stream >= 0, stream < streamCount, !stateOfStream.isEmpty,
              range.lowerBound >= 0, range.lowerBound < range.upperBound, range.upperBound <= RangeList.idLimit
        else { return false }
        let index = stateOfStream[stream]
        guard multiplicity[index] == 1 else { return false }
        return editState(index) { state in state.evict(range) }
    }

    @inline(__always)
    private func checkHeldIntervals() throws(RuleViolation) {
        if heldIntervals > options.limits.maxHeldIntervals {
            throw .limitExceeded(
                "the trace's visible and resident sets hold \(heldIntervals) ranges in memory, all streams together, more than the limit of \(options.limits.maxHeldIntervals) (raise it with --max-held-intervals)")
        }
    }

    private mutating func applyStep(_ step: BareStep) throws(RuleViolation) {
        let growth = try checkStep(first: step.first, count: step.count, phase: step.phase)
        commitStep(first: step.first, count: step.count, growth)
        countSteps(1, phase: step.phase, kind: step.kind, queries: step.count, time: step.time)
    }

    /// Applies `count` steps of one query each, of `phase` and `kind`, whose
    /// ids follow one another from `first`; `time` is the last time among them.
    ///
    /// Their metrics are those of one step of `count` queries: each query
    /// attends to the ones before it either way, so step Dep, peaks and
    /// full Dep add up alike. The run costs one step's work per state.
    ///
    /// - Returns: false, having changed nothing, when a step of the run might
    ///   break a rule or a limit or overflow: apply them one by one then, to
    ///   report the one that does.
    mutating func apply(oneQuerySteps count: Int, first: Int, phase: Phase, kind: TokenKind, time: Int?) -> Bool {
        guard !isEnded, count >= 1 else { return false }
        // Per state and for the created set, a step adds at most one range, and
        // ids crossing from a bitmap block into ranges one more per block.
        let unitBound = (states.count &+ 1) &* (3 &+ count >> IdSet.blockShift)
        guard unitBound <= options.limits.maxHeldIntervals &- heldIntervals,
              let growth = try? checkStep(first: first, count: count, phase: phase)
        else { return false }
        commitStep(first: first, count: count, growth)
        countSteps(count, phase: phase, kind: kind, queries: count, time: time)
        recordCount &+= count
        return true
    }

    /// How a checked step is counted.
    private struct StepGrowth {
        /// The step's phase is counted in Dep.
        var counted: Bool
        /// `n(n+1)/2`.
        var triangle: Int
    }

    /// Checks a step of `n` queries from `first` against the format's rules
    /// and the limits, and that no metric overflows; changes nothing.
    private func checkStep(first: Int, count n: Int, phase: Phase) throws(RuleViolation) -> StepGrowth {
        guard n >= 1 else { throw .noQueries(n) }
        guard first >= 0, n <= RangeList.idLimit &- first else {
            throw .stepIdsTooLarge(first: first, count: n)
        }
        if first &+ (n &- 1) > options.limits.maxTokenId {
            throw .limitExceeded(
                "step ids \(first) ..< \(first &+ n) go beyond the largest token id allowed, \(options.limits.maxTokenId) (raise it with --max-token-id)")
        }
        if let last = created.last, first <= last {
            throw .stepIdsNotNew(first: first, lastCreated: last)
        }
        let counted = options.countedPhases.contains(phase)
        let triangle = counted ? try Checked.triangle(n) : 0
        if !boundsFit(n, triangle: triangle, counted: counted) {
            try checkEachState(n, triangle: triangle, counted: counted)
        }
        return StepGrowth(counted: counted, triangle: triangle)
    }

    /// Whether no metric can overflow in a step of `n` queries, by bounds that
    /// cost no pass over the states: every `|V_s|` is at most `C`, so every
    /// stream's Dep is at most full Dep, and the sums over streams of
    /// `|V_s| + n` and `|R_s| + n` at most `streams × (C + n)`.
    @inline(__always)
    private func boundsFit(_ n: Int, triangle: Int, counted: Bool) -> Bool {
        let (perStream, pastCreated) = createdCount.addingReportingOverflow(n)
        let (_, pastStreams) = streamCount.multipliedReportingOverflow(by: perStream)
        if pastCreated || pastStreams { return false }
        guard counted else { return true }
        let (full, pastFull) = n.multipliedReportingOverflow(by: createdCount)
        let (stepFull, pastTriangle) = full.addingReportingOverflow(triangle)
        let (_, pastTotal) = fullDep.addingReportingOverflow(stepFull)
        return !(pastFull || pastTriangle || pastTotal)
    }

    /// The exact overflow checks, state by state, naming the metric that overflows.
    private func checkEachState(_ n: Int, triangle: Int, counted: Bool) throws(RuleViolation) {
        var attended = 0
        var held = 0
        for index in states.indices {
            let resident = states[index].resident.count
            let visible = resident &- states[index].hidden.count
            if counted {
                let stepDep = try Checked.add(try Checked.multiply(n, visible, "step Dep"), triangle, "step Dep")
                _ = try Checked.add(states[index].dep, stepDep, "dep")
            }
            // Counts stay below 2^54, so `visible + n` and `resident + n` cannot overflow.
            attended = try Checked.add(attended, try Checked.multiply(multiplicity[index], visible &+ n, "peak_kv"), "peak_kv")
            held = try Checked.add(held, try Checked.multiply(multiplicity[index], resident &+ n, "resident_peak_kv"), "resident_peak_kv")
        }
        if counted {
            let stepFull = try Checked.add(try Checked.multiply(n, createdCount, "full_dep"), triangle, "full_dep")
            _ = try Checked.add(fullDep, stepFull, "full_dep")
        }
    }

    /// Applies a step that ``checkStep(first:count:phase:)`` passed: nothing can overflow.
    private mutating func commitStep(first: Int, count n: Int, _ growth: StepGrowth) {
        let ids = first..<(first &+ n)
        var attended = 0
        var held = 0
        for index in states.indices {
            // One mutating call per state: one uniqueness check, not one per field.
            let sizes = states[index].step(ids, triangle: growth.counted ? growth.triangle : nil)
            heldIntervals &+= sizes.unitsAdded
            attended &+= multiplicity[index] &* sizes.attended
            held &+= multiplicity[index] &* sizes.held
        }
        peakKV = Swift.max(peakKV, attended)
        residentPeakKV = Swift.max(residentPeakKV, held)
        if growth.counted { fullDep &+= n &* createdCount &+ growth.triangle }
        createdCount &+= n
        let createdRanges = created.ranges.count
        created.insert(ids)
        heldIntervals &+= created.ranges.count &- createdRanges
    }

    /// Counts `count` steps of `phase` holding `queries` ids of `kind` in all, the last with a time at `time`.
    private mutating func countSteps(_ count: Int, phase: Phase, kind: TokenKind, queries: Int, time: Int?) {
        tokensByKind[Int(kind.rawValue)] &+= queries
        steps &+= count
        switch phase {
        case .decode: decodeSteps &+= count
        case .compress: compressions &+= count
        case .prefill: break
        }
        if let time { lastTime = time }
    }

    private mutating func applyEvict(_ ranges: some RandomAccessCollection<Range<Int>>, stream: Int?) throws(RuleViolation) {
        try checkRanges(ranges)
        let targets = try targetStates(stream)
        var total = 0
        for range in ranges { total &+= range.count }
        for index in targets {
            // Checked and removed range by range: the ranges are disjoint, so removing
            // one leaves the others as they were, and on a violation the state is dropped.
            let missing = try editState(index) { state throws(RuleViolation) -> Int? in
                for range in ranges {
                    guard state.resident.removeIfAllPresent(range) else {
                        return state.resident.firstMissing(in: range) ?? range.lowerBound
                    }
                    if !state.hidden.isEmpty { state.hidden.remove(range) }
                }
                state.evictEvents &+= 1
                state.evictedTokens = try Checked.add(state.evictedTokens, total, "evicted_tokens")
                return nil
            }
            if let missing { throw .evictNotResident(id: missing, stream: stream ?? firstStream(of: index)) }
        }
    }

    private mutating func applyAdd(_ ranges: [Range<Int>], stream: Int?) throws(RuleViolation) {
        try checkRanges(ranges)
        for range in ranges {
            if let missing = created.firstMissing(in: range) { throw .addNeverCreated(id: missing) }
        }
        let targets = try targetStates(stream)
        for index in targets {
            for range in ranges {
                if let present = states[index].resident.firstPresent(in: range) {
                    throw .addAlreadyResident(id: present, stream: stream ?? firstStream(of: index))
                }
            }
        }
        for index in targets {
            editState(index) { state in
                for range in ranges { state.resident.insert(range) }
            }
        }
    }

    private mutating func applyHide(_ ranges: [Range<Int>], stream: Int?) throws(RuleViolation) {
        try checkRanges(ranges)
        let targets = try targetStates(stream)
        for index in targets {
            for range in ranges {
                if let missing = states[index].firstNotVisible(in: range) {
                    throw .hideNotVisible(id: missing, stream: stream ?? firstStream(of: index))
                }
            }
        }
        let total = RangeList.idCount(ranges)
        for index in targets {
            try editState(index) { state throws(RuleViolation) in
                for range in ranges { state.hidden.insert(range) }
                state.hiddenTokens = try Checked.add(state.hiddenTokens, total, "hidden_tokens")
            }
        }
    }

    private mutating func applyShow(_ ranges: [Range<Int>], stream: Int?) throws(RuleViolation) {
        try checkRanges(ranges)
        let targets = try targetStates(stream)
        for index in targets {
            for range in ranges {
                // Hidden ids are resident, so "all hidden" is "hidden and resident".
                if let offender = states[index].hidden.firstMissing(in: range) {
                    throw .showNotHidden(id: offender, stream: stream ?? firstStream(of: index))
                }
            }
        }
        for index in targets {
            editState(index) { state in
                for range in ranges { state.hidden.remove(range) }
            }
        }
    }

    /// Edits state `index`, keeping ``heldIntervals`` in step with the ranges
    /// and blocks its sets hold, whether `body` returns or throws.
    @inline(__always)
    private mutating func editState<Result, Failure: Error>(
        _ index: Int, _ body: (inout StreamState) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let before = states[index].storedUnits
        defer { heldIntervals &+= states[index].storedUnits &- before }
        return try body(&states[index])
    }

    private func checkSnap(visible: [Range<Int>], resident: [Range<Int>]?, stream: Int?) throws(RuleViolation) {
        try checkRanges(visible)
        if let resident { try checkRanges(resident) }
        let expectedVisible = IntervalSet(visible)
        let expectedResident = resident.map { IntervalSet($0) }
        let indices: [Int]
        if let stream {
            try checkStream(stream)
            indices = [stateIndex(of: stream)]
        } else {
            indices = Array(states.indices)
        }
        for index in indices {
            let visible = states[index].visible
            if visible != expectedVisible {
                throw .snapVisibleMismatch(
                    stream: stream ?? firstStream(of: index), expected: expectedVisible.description,
                    computed: visible.description)
            }
            if let expectedResident, states[index].resident.intervalSet != expectedResident {
                throw .snapResidentMismatch(
                    stream: stream ?? firstStream(of: index), expected: expectedResident.description,
                    computed: states[index].resident.intervalSet.description)
            }
        }
    }

    /// The format's rules for a record's ranges, then the bounds of ``ResourceLimits``.
    @inline(__always)
    private func checkRanges(_ ranges: some RandomAccessCollection<Range<Int>>) throws(RuleViolation) {
        try RangeList.validate(ranges)
        let limits = options.limits
        if ranges.count > limits.maxRangesPerRecord {
            throw .limitExceeded(
                "the record lists \(ranges.count) ranges, more than the limit of \(limits.maxRangesPerRecord) (raise it with --max-ranges-per-record)")
        }
        // Sorted and disjoint: the last range holds the largest id.
        if let last = ranges.last, last.upperBound &- 1 > limits.maxTokenId {
            throw .limitExceeded(
                "range [\(last.lowerBound),\(last.upperBound)] goes beyond the largest token id allowed, \(limits.maxTokenId) (raise it with --max-token-id)")
        }
    }

    // MARK: - Streams and shared states

    private func checkStream(_ stream: Int) throws(RuleViolation) {
        guard stream >= 0, stream < streamCount else { throw .streamOutOfRange(stream, streams: streamCount) }
    }

    private func stateIndex(of stream: Int) -> Int {
        stateOfStream.isEmpty ? 0 : stateOfStream[stream]
    }

    /// The lowest stream using state `index`, to name it in messages.
    private func firstStream(of index: Int) -> Int {
        stateOfStream.isEmpty ? 0 : stateOfStream.firstIndex(of: index) ?? 0
    }

    /// The states a mutating record changes: all of them, or the one of
    /// `stream` after splitting it off the states it shared.
    private mutating func targetStates(_ stream: Int?) throws(RuleViolation) -> Range<Int> {
        guard let stream else { return states.indices }
        try checkStream(stream)
        let shared = stateIndex(of: stream)
        if multiplicity[shared] == 1 { return shared..<(shared &+ 1) }
        if stateOfStream.isEmpty { stateOfStream = [Int](repeating: 0, count: streamCount) }
        states.append(states[shared])
        heldIntervals &+= states[shared].storedUnits
        multiplicity[shared] &-= 1
        multiplicity.append(1)
        let own = states.count &- 1
        stateOfStream[stream] = own
        return own..<(own &+ 1)
    }

    // MARK: - Reading the state

    /// How many distinct stream states are held (1 until streams diverge).
    public var distinctStates: Int { states.count }

    /// `|V_s|` of one stream now.
    public func visibleCount(stream: Int) -> Int { states[stateIndex(of: stream)].visibleCount }

    /// `|R_s|` of one stream now.
    public func residentCount(stream: Int) -> Int { states[stateIndex(of: stream)].resident.count }

    /// The visible set of one stream now.
    public func visibleSet(stream: Int) -> IntervalSet { states[stateIndex(of: stream)].visible }

    /// The resident set of one stream now.
    public func residentSet(stream: Int) -> IntervalSet { states[stateIndex(of: stream)].resident.intervalSet }

    /// Dep of one stream so far.
    public func dep(stream: Int) -> Int { states[stateIndex(of: stream)].dep }

    /// Tokens evicted from one stream so far.
    public func evictedTokens(stream: Int) -> Int { states[stateIndex(of: stream)].evictedTokens }

    /// Sum over all streams of a per-state quantity.
    private func total(_ value: (StreamState) -> Int) -> Int {
        var sum = 0
        for index in states.indices { sum &+= multiplicity[index] &* value(states[index]) }
        return sum
    }

    /// `Σ_s |V_s|` now.
    public var visibleTotal: Int { total { $0.visibleCount } }
    /// `Σ_s |R_s|` now.
    public var residentTotal: Int { total { $0.resident.count } }
    /// `Σ_s dep_s` so far.
    public var depTotal: Int { total { $0.dep } }
    /// `Σ_s` tokens evicted so far.
    public var evictedTotal: Int { total { $0.evictedTokens } }

    /// The metrics of the records applied so far.
    ///
    /// - Throws: ``RuleViolation/overflow(_:)`` when a sum over streams overflows.
    public func metrics() throws(RuleViolation) -> TraceMetrics {
        var metrics = TraceMetrics(streams: streamCount)
        var first = true
        for index in states.indices {
            let state = states[index]
            let weight = multiplicity[index]
            func weighted(_ value: Int, _ name: String, into sum: inout Int) throws(RuleViolation) {
                sum = try Checked.add(sum, try Checked.multiply(weight, value, name), name)
            }
            try weighted(state.dep, "dep", into: &metrics.depTotal)
            try weighted(state.evictEvents, "evict_events", into: &metrics.evictEventsTotal)
            try weighted(state.evictedTokens, "evicted_tokens", into: &metrics.evictedTokensTotal)
            try weighted(state.hiddenTokens, "hidden_tokens", into: &metrics.hiddenTokensTotal)
            try weighted(state.visibleCount, "final_visible", into: &metrics.finalVisibleTotal)
            try weighted(state.resident.count, "final_resident", into: &metrics.finalResidentTotal)
            metrics.depMin = first ? state.dep : Swift.min(metrics.depMin, state.dep)
            metrics.depMax = first ? state.dep : Swift.max(metrics.depMax, state.dep)
            metrics.peak = Swift.max(metrics.peak, state.peak)
            metrics.residentPeak = Swift.max(metrics.residentPeak, state.residentPeak)
            first = false
        }
        metrics.peakKV = peakKV
        metrics.residentPeakKV = residentPeakKV
        metrics.fullDep = fullDep
        metrics.promptTokens = tokensByKind[Int(TokenKind.prompt.rawValue)]
        metrics.outputTokens = tokensByKind[Int(TokenKind.output.rawValue)]
        metrics.gistTokens = tokensByKind[Int(TokenKind.gist.rawValue)]
        metrics.specialTokens = tokensByKind[Int(TokenKind.special.rawValue)]
        metrics.steps = steps
        metrics.decodeSteps = decodeSteps
        metrics.compressions = compressions
        metrics.timeNs = lastTime
        metrics.kvBytesPerToken = header.kvBytesPerToken
        metrics.complete = isEnded
        metrics.correct = claims?.correct
        return metrics
    }
}
