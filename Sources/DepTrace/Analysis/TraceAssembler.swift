/// Where an item is in its input: a line (JSONL) or a byte offset (binary).
public enum InputLocation: Sendable, Hashable {
    case line(Int)
    case offset(Int)

    var line: Int? { if case .line(let line) = self { line } else { nil } }
    var offset: Int? { if case .offset(let offset) = self { offset } else { nil } }
}

/// Turns the items a reader decodes, in file order, into traces: starts and
/// ends them, applies records, and applies the format's recovery rules.
///
/// - A rule violation makes its trace invalid: reported, not analysed, and
///   everything up to the next header is skipped.
/// - Damage (bytes that are not a record: a torn write, corruption) ends the
///   trace there: its records before the damage are analysed and reported as
///   damaged; reading resumes at the next header.
/// - A trace without `end` is incomplete: analysed, with a warning.
public struct TraceAssembler<Observer: TraceObserver> {
    public var observer: Observer
    public let file: String
    public let options: AnalysisOptions

    private enum State {
        /// Before the first header, or after an orphan record was reported.
        case noTrace(reported: Bool)
        /// A trace is open; its analyzer is `current`, kept outside the enum so
        /// that applying a record mutates it in place instead of copying its sets.
        case active(index: Int, location: InputLocation)
        /// After an invalid or damaged trace, until the next header.
        case skipping(index: Int, sample: String?, reportedDamage: Bool)
    }

    private var state: State = .noTrace(reported: false)
    private var current: TraceAnalyzer?
    /// One-query steps read but not yet applied; every other item applies them first.
    private var run = StepRun()
    /// Headers seen so far, supported or not.
    public private(set) var traceCount = 0
    public private(set) var errorCount = 0
    public private(set) var warningCount = 0

    public init(file: String, options: AnalysisOptions, observer: Observer) {
        self.file = file
        self.options = options
        self.observer = observer
    }

    private mutating func report(
        _ severity: Diagnostic.Severity, _ location: InputLocation?, trace: Int?, sample: String?,
        record: Int? = nil, _ message: String
    ) {
        if severity == .error { errorCount += 1 } else { warningCount += 1 }
        observer.report(Diagnostic(
            severity, file: file, line: location?.line, offset: location?.offset, trace: trace,
            sample: sample, record: record, message: message))
    }

    // MARK: - Items from the reader

    /// A header line or block: ends the current trace and starts the next.
    public mutating func header(_ header: TraceHeader, at location: InputLocation) {
        applyRun()
        finishActive()
        let index = traceCount
        traceCount += 1
        guard header.isSupported else {
            report(.error, location, trace: index, sample: header.sample,
                   "format version \(header.version) is not one this reader knows (\(TraceHeader.currentVersion)); trace skipped")
            finish(TraceOutcome(file: file, index: index, headerLine: location.line, headerOffset: location.offset,
                                header: header, metrics: nil, status: .unsupported), analyzer: nil)
            state = .skipping(index: index, sample: header.sample, reportedDamage: false)
            return
        }
        do {
            let analyzer = try TraceAnalyzer(header: header, options: options)
            observer.traceStarted(analyzer, file: file, index: index)
            current = analyzer
            state = .active(index: index, location: location)
        } catch {
            invalidHeader(error, header: header, index: index, at: location)
        }
    }

    /// A header whose fields break the format: it still starts a (skipped) trace.
    public mutating func badHeader(_ violation: RuleViolation, at location: InputLocation) {
        applyRun()
        finishActive()
        let index = traceCount
        traceCount += 1
        invalidHeader(violation, header: nil, index: index, at: location)
    }

    private mutating func invalidHeader(_ violation: RuleViolation, header: TraceHeader?, index: Int, at location: InputLocation) {
        report(.error, location, trace: index, sample: header?.sample, violation.description)
        finish(TraceOutcome(file: file, index: index, headerLine: location.line, headerOffset: location.offset,
                            header: header, metrics: nil, status: .invalid), analyzer: nil)
        state = .skipping(index: index, sample: header?.sample, reportedDamage: false)
    }

    /// A decoded record.
    public mutating func record(_ record: Record, at location: InputLocation) {
        applyRun()
        switch state {
        case .noTrace(let reported):
            if !reported { report(.error, location, trace: nil, sample: nil, "'\(record.typeName)' record before any header; lines up to the next header are skipped") }
            state = .noTrace(reported: true)
        case .active(let index, let headerLocation):
            // A static flag: for observers that ignore records, no per-record call or copy remains.
            if Observer.observesRecords, let analyzer = current { observer.willApply(record, to: analyzer) }
            do {
                try current?.apply(record)
            } catch {
                invalidate(index: index, headerLocation: headerLocation, at: location, error.description)
                return
            }
            if Observer.observesRecords, let analyzer = current { observer.didApply(record, to: analyzer) }
        case .skipping:
            break
        }
    }

    /// A decoded step record: the same as `record(.step(step), at:)`, without building the record.
    ///
    /// One-query steps that continue one another are gathered and applied
    /// together when something else arrives.
    @inline(__always)
    mutating func step(_ step: BareStep, at location: InputLocation) {
        guard !Observer.observesRecords, case .active = state else {
            record(.step(Step(step)), at: location)
            return
        }
        if run.extend(with: step, at: location) { return }
        applyRun()
        if step.count == 1 {
            run.start(with: step, at: location)
        } else {
            applyNow(step, at: location)
        }
    }

    /// Applies the gathered steps, if any: every item but a step calls this first.
    @inline(__always)
    private mutating func applyRun() {
        if !run.isEmpty { applyGatheredSteps() }
    }

    /// Applies the gathered steps: together when none breaks a rule, else one by one to report the one that does.
    private mutating func applyGatheredSteps() {
        if let (step, location) = run.onlyStep {
            run.clear()
            return applyNow(step, at: location)
        }
        if case .active = state,
           current?.apply(oneQuerySteps: run.count, first: run.first, phase: run.phase, kind: run.kind, time: run.time) == true {
            run.clear()
            return
        }
        // Cleared first: applying a step can end the trace, and what follows applies runs itself.
        let steps = run.steps()
        run.clear()
        for (step, location) in steps { applyNow(step, at: location) }
    }

    private mutating func applyNow(_ step: BareStep, at location: InputLocation) {
        guard case .active(let index, let headerLocation) = state else {
            record(.step(Step(step)), at: location)
            return
        }
        do {
            try current?.apply(step: step)
        } catch {
            invalidate(index: index, headerLocation: headerLocation, at: location, error.description)
        }
    }

    /// A decoded evict record: the same as `record(.evict(ranges, stream: stream), at:)`.
    mutating func evict(_ ranges: UnsafeBufferPointer<Range<Int>>, stream: Int?, at location: InputLocation) {
        applyRun()
        guard !Observer.observesRecords, case .active(let index, let headerLocation) = state else {
            record(.evict(Array(ranges), stream: stream), at: location)
            return
        }
        do {
            try current?.apply(evict: ranges, stream: stream)
        } catch {
            invalidate(index: index, headerLocation: headerLocation, at: location, error.description)
        }
    }

    /// A record whose type key this reader does not know: skipped with a warning.
    public mutating func unknownRecord(keys: [String], at location: InputLocation) {
        applyRun()
        let what = keys.isEmpty ? "an object with no type key" : "unknown record type (keys: \(keys.joined(separator: ", ")))"
        switch state {
        case .noTrace(let reported):
            if !reported { report(.error, location, trace: nil, sample: nil, "\(what) before any header; lines up to the next header are skipped") }
            state = .noTrace(reported: true)
        case .active(let index, let headerLocation):
            guard let analyzer = current else { return }
            if analyzer.isEnded {
                invalidate(index: index, headerLocation: headerLocation, at: location,
                           "\(what) after 'end': only a new header may follow the end of a trace")
            } else {
                report(.warning, location, trace: index, sample: analyzer.header.sample, record: analyzer.recordCount, "\(what): skipped")
            }
        case .skipping:
            break
        }
    }

    /// A well-formed item that breaks the format's shape rules.
    public mutating func violation(_ violation: RuleViolation, at location: InputLocation) {
        applyRun()
        switch state {
        case .noTrace(let reported):
            if !reported { report(.error, location, trace: nil, sample: nil, "\(violation.description) (before any header)") }
            state = .noTrace(reported: true)
        case .active(let index, let headerLocation):
            let afterEnd = current?.isEnded == true ? "after 'end', where only a new header may follow: " : ""
            invalidate(index: index, headerLocation: headerLocation, at: location, afterEnd + violation.description)
        case .skipping:
            break
        }
    }

    /// Bytes that are not a record: the trace is analysed up to here.
    public mutating func damage(_ message: String, at location: InputLocation) {
        applyRun()
        switch state {
        case .noTrace(let reported):
            if !reported { report(.error, location, trace: nil, sample: nil, "\(message); lines up to the next header are skipped") }
            state = .noTrace(reported: true)
        case .active(let index, let headerLocation):
            guard let analyzer = current else { return }
            current = nil
            let kept = analyzer.recordCount
            if analyzer.isEnded {
                // The trace is whole; the damage lies between it and the next header.
                report(.error, location, trace: index, sample: analyzer.header.sample,
                       "\(message) after the trace's 'end'; the trace itself is complete")
                finishAnalysed(analyzer, index: index, headerLocation: headerLocation, status: .complete)
            } else {
                report(.error, location, trace: index, sample: analyzer.header.sample, record: kept,
                       "\(message); the trace is analysed up to its \(kept) record\(kept == 1 ? "" : "s") before this point")
                finishAnalysed(analyzer, index: index, headerLocation: headerLocation, status: .damaged)
            }
            state = .skipping(index: index, sample: analyzer.header.sample, reportedDamage: true)
        case let .skipping(index, sample, reportedDamage):
            if !reportedDamage { report(.error, location, trace: index, sample: sample, message) }
            state = .skipping(index: index, sample: sample, reportedDamage: true)
        }
    }

    /// The input ended (or failed): closes the open trace.
    public mutating func finishInput() {
        applyRun()
        finishActive()
        state = .noTrace(reported: false)
    }

    // MARK: - Ending traces

    private mutating func invalidate(index: Int, headerLocation: InputLocation, at location: InputLocation, _ message: String) {
        guard let analyzer = current else { return }
        current = nil
        report(.error, location, trace: index, sample: analyzer.header.sample, record: analyzer.recordCount, message)
        finish(TraceOutcome(file: file, index: index, headerLine: headerLocation.line, headerOffset: headerLocation.offset,
                            header: analyzer.header, metrics: nil, status: .invalid), analyzer: nil)
        state = .skipping(index: index, sample: analyzer.header.sample, reportedDamage: false)
    }

    private mutating func finishActive() {
        guard case .active(let index, let headerLocation) = state, let analyzer = current else { return }
        current = nil
        if !analyzer.isEnded {
            report(.warning, headerLocation, trace: index, sample: analyzer.header.sample,
                   "incomplete trace: no 'end' record after \(analyzer.recordCount) record\(analyzer.recordCount == 1 ? "" : "s")")
        }
        finishAnalysed(analyzer, index: index, headerLocation: headerLocation, status: analyzer.isEnded ? .complete : .incomplete)
        state = .noTrace(reported: false)
    }

    private mutating func finishAnalysed(_ analyzer: TraceAnalyzer, index: Int, headerLocation: InputLocation, status: TraceOutcome.Status) {
        do {
            let metrics = try analyzer.metrics()
            finish(TraceOutcome(file: file, index: index, headerLine: headerLocation.line, headerOffset: headerLocation.offset,
                                header: analyzer.header, metrics: metrics, status: status), analyzer: analyzer)
        } catch {
            report(.error, headerLocation, trace: index, sample: analyzer.header.sample, error.description)
            finish(TraceOutcome(file: file, index: index, headerLine: headerLocation.line, headerOffset: headerLocation.offset,
                                header: analyzer.header, metrics: nil, status: .invalid), analyzer: nil)
        }
    }

    private mutating func finish(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        observer.traceFinished(outcome, analyzer: analyzer)
    }
}
