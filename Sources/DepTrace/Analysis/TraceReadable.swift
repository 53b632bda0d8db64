/// Anything that can be read from its start into a trace observer: a file,
/// standard input, or (in other modules) an archive or one of its entries.
///
/// Commands that follow one trace closely (timelines, masks) take any of these,
/// so that they read archives in place as well as loose files.
public protocol TraceReadable: Sendable {
    /// The name used in diagnostics and outcomes.
    var displayName: String { get }
    /// Reads every trace and reports traces, records and diagnostics to `observer`.
    func analyze<Observer: TraceObserver>(options: AnalysisOptions, observer: inout Observer) -> InputAnalyzer.Summary
    /// Reads every trace file this names, one after another, each into a fresh
    /// observer from `makeObserver`, and hands each to `finished` with its name
    /// and counts. A loose file is one trace file; an archive is one per trace
    /// entry, all read in a single pass over the archive.
    ///
    /// - Parameter report: diagnostics that belong to no trace file (a damaged
    ///   archive between its entries).
    func analyzeEachFile<Observer: TraceObserver>(
        options: AnalysisOptions, makeObserver: () -> Observer, report: (Diagnostic) -> Void,
        finished: (_ name: String, _ observer: Observer, _ summary: InputAnalyzer.Summary) -> Void)
}

extension TraceReadable {
    public func analyzeEachFile<Observer: TraceObserver>(
        options: AnalysisOptions, makeObserver: () -> Observer, report: (Diagnostic) -> Void,
        finished: (_ name: String, _ observer: Observer, _ summary: InputAnalyzer.Summary) -> Void
    ) {
        var observer = makeObserver()
        let summary = analyze(options: options, observer: &observer)
        finished(displayName, observer, summary)
    }
}

extension TraceInput: TraceReadable {
    public func analyze<Observer: TraceObserver>(options: AnalysisOptions, observer: inout Observer) -> InputAnalyzer.Summary {
        InputAnalyzer.analyze(self, options: options, observer: &observer)
    }
}

extension InputAnalyzer.Summary {
    /// Counts of nothing read yet, for readers of several inputs that add them up.
    public static var zero: InputAnalyzer.Summary { InputAnalyzer.Summary() }

    /// Adds the counts of another input.
    public mutating func add(_ other: InputAnalyzer.Summary) {
        traces += other.traces
        errors += other.errors
        warnings += other.warnings
        bytes += other.bytes
    }
}
