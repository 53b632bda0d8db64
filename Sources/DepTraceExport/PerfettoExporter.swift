import DepTrace
import DepTraceReports

/// Writes traces as Chrome trace-event JSON, which Perfetto's UI and
/// `chrome://tracing` open: one process per trace, one step per microsecond.
///
/// Per trace (pid 1, 2, … in reading order):
/// - thread 1, `steps`: one slice per step, named by its phase, from `ts` =
///   its 0-based index for 1 µs, its timeline row in `args`;
/// - counters `visible` and `resident` (`tokens`) and `Dep` (`cumulative`),
///   whose value from `ts` = k on is the state after k steps (and the records
///   after the k-th): |V|, |R| and Dep of one stream or the mean over streams;
/// - thread 2, `compressions and marks`: an instant at the start of each
///   compress step, and one per mark at the end of the step it follows.
///
/// Values come from ``TimelineBuilder``, the rows of `deptrace timeline`.
public final class PerfettoExporter {
    /// The stream followed, or nil for the mean over streams.
    public let stream: Int?
    public let options: AnalysisOptions
    private let write: (String) -> Void
    private var events = 0
    /// Traces written as processes.
    public private(set) var processes = 0

    /// - Parameter write: receives the JSON text, in order.
    public init(stream: Int?, options: AnalysisOptions, write: @escaping (String) -> Void) {
        self.stream = stream
        self.options = options
        self.write = write
        write("{\"traceEvents\":[")
    }

    /// Appends one event (a JSON object's members, in order).
    func event(_ members: [(String, String)]) {
        write((events == 0 ? "\n{" : ",\n{") + members.map { JSONEncoding.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}")
        events += 1
    }

    /// Reads every trace of `input` into the output.
    /// - Returns: the diagnostics of reading it, in order.
    public func add(_ input: any TraceReadable) -> [Diagnostic] {
        var observer = PerfettoObserver(exporter: self)
        _ = input.analyze(options: options, observer: &observer)
        return observer.diagnostics
    }

    /// Reads every trace of an open byte source named `name` into the output.
    /// - Returns: the diagnostics of reading it, in order.
    public func add(_ source: any ByteSource, name: String) -> [Diagnostic] {
        var observer = PerfettoObserver(exporter: self)
        _ = InputAnalyzer.analyze(source, name: name, options: options, observer: &observer)
        return observer.diagnostics
    }

    /// A new process id.
    func nextProcess() -> Int {
        processes += 1
        return processes
    }

    /// Closes the JSON document.
    /// - Parameter version: the DepTrace version, recorded in `otherData`.
    public func finish(version: String) {
        let values = stream.map { "stream \($0)" } ?? "mean over streams"
        write("\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{")
        write([("deptrace_version", version), ("time_unit", "1 us = 1 step (forward pass)"), ("values", values),
               ("dep_phases", options.countedPhases.description)].map { JSONEncoding.string($0.0) + ":" + JSONEncoding.string($0.1) }.joined(separator: ","))
        write("}}\n")
    }
}

/// Turns each trace's timeline rows into trace events as they stream past.
struct PerfettoObserver: TraceObserver {
    static var observesRecords: Bool { true }
    let exporter: PerfettoExporter
    private(set) var diagnostics: [Diagnostic] = []
    private var builder: TimelineBuilder?
    private var pid = 0

    init(exporter: PerfettoExporter) {
        self.exporter = exporter
    }

    mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        if let stream = exporter.stream, stream >= analyzer.streamCount {
            diagnostics.append(Diagnostic(.error, file: file, trace: index, sample: analyzer.header.sample,
                                          message: "--stream \(stream) is out of range: the trace has \(analyzer.streamCount) stream\(analyzer.streamCount == 1 ? "" : "s"); it is left out"))
            builder = nil
            return
        }
        let pid = exporter.nextProcess()
        self.pid = pid
        let exporter = self.exporter
        builder = TimelineBuilder(traceIndex: index, stream: exporter.stream) { row in
            PerfettoObserver.write(row, pid: pid, to: exporter)
        }
        builder?.traceStarted(analyzer, file: file, index: index)
    }

    mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
        builder?.willApply(record, to: analyzer)
    }

    mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer) {
        builder?.didApply(record, to: analyzer)
    }

    mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
        guard var current = builder else { return }
        current.traceFinished(outcome, analyzer: analyzer)
        builder = nil
        let header = outcome.header
        var name = "\(header?.method ?? "trace") sample \(header?.sample ?? "-") (\(outcome.file) #\(outcome.index))"
        switch outcome.status {
        case .complete: break
        case .incomplete: name += " [incomplete: no end record]"
        case .damaged: name += " [damaged: read up to the damage]"
        case .invalid: name += " [invalid: read up to the broken rule]"
        case .unsupported: name += " [unsupported version]"
        }
        let exporter = self.exporter, pid = self.pid
        let meta = { (name: String, tid: Int, args: String) in
            exporter.event([("name", JSONEncoding.string(name)), ("ph", "\"M\""), ("pid", String(pid)), ("tid", String(tid)), ("args", args)])
        }
        meta("process_name", 0, "{\"name\":" + JSONEncoding.string(name) + "}")
        meta("process_sort_index", 0, "{\"sort_index\":\(pid)}")
        meta("thread_name", 1, "{\"name\":\"steps\"}")
        meta("thread_name", 2, "{\"name\":\"compressions and marks\"}")
    }

    mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    /// The events of one timeline row (step `row.step`).
    static func write(_ row: TimelineRow, pid: Int, to exporter: PerfettoExporter) {
        let p = String(pid), start = String(row.step), end = String(row.step + 1)
        func json(_ value: MetricValue) -> String { MetricFormatting.json(value) }
        var args: [(String, String)] = [
            ("step", start), ("first", String(row.first)), ("queries", String(row.queries)),
            ("visible_before", json(row.visibleBefore)), ("visible_after", json(row.visibleAfter)),
            ("resident_after", json(row.residentAfter)), ("dep", json(row.dep)), ("evicted", json(row.evicted)),
        ]
        if let time = row.time { args.append(("time_ns", String(time))) }
        if !row.marks.isEmpty { args.append(("marks", "[" + row.marks.map(JSONEncoding.string).joined(separator: ",") + "]")) }
        func object(_ members: [(String, String)]) -> String {
            "{" + members.map { JSONEncoding.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        }
        exporter.event([("name", JSONEncoding.string(row.phase.description)), ("cat", "\"step\""), ("ph", "\"X\""),
                        ("ts", start), ("dur", "1"), ("pid", p), ("tid", "1"), ("args", object(args))])
        func counter(_ name: String, _ key: String, _ value: String, at ts: String) {
            exporter.event([("name", JSONEncoding.string(name)), ("ph", "\"C\""), ("ts", ts), ("pid", p), ("tid", "1"), ("args", object([(key, value)]))])
        }
        if row.step == 0 {
            counter("visible", "tokens", json(row.visibleBefore), at: "0")
            counter("Dep", "cumulative", "0", at: "0")
        }
        counter("visible", "tokens", json(row.visibleAfter), at: end)
        counter("resident", "tokens", json(row.residentAfter), at: end)
        counter("Dep", "cumulative", json(row.dep), at: end)
        if row.phase == .compress {
            exporter.event([("name", "\"compress\""), ("cat", "\"compress\""), ("ph", "\"i\""), ("s", "\"t\""), ("ts", start), ("pid", p), ("tid", "2"),
                            ("args", object([("step", start), ("first", String(row.first)), ("queries", String(row.queries))]))])
        }
        for mark in row.marks {
            exporter.event([("name", JSONEncoding.string(mark)), ("cat", "\"mark\""), ("ph", "\"i\""), ("s", "\"t\""), ("ts", end), ("pid", p), ("tid", "2"),
                            ("args", object([("after_step", start)]))])
        }
    }
}
