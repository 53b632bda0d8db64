import ArgumentParser
import DepTrace
import DepTraceArchive
import DepTraceReports

/// Trace inputs and the metric options shared by the analysing commands.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Trace files, compressed traces, .tar/.zip bundles (read in place), folders (searched recursively for all of these), or - for standard input.", valueName: "path"))
    var paths: [String]

    @Option(name: .long, help: ArgumentHelp("Phases whose steps count toward dep and full_dep: a comma-separated list of prefill, decode, compress, or all.", valueName: "list"))
    var phases: String = "decode"

    @Option(name: .shortAndLong, help: ArgumentHelp("Threads analysing inputs, and pieces of large files cut at trace headers (default: one per core); output never depends on it.", valueName: "n"))
    var jobs: Int = 0

    @Flag(name: .long, help: "Never show progress on standard error (it is shown only on a terminal, outside CI, after a second).")
    var noProgress = false

    @Flag(name: .long, help: "Count traces without an end record, and damaged ones, in group statistics, comparisons, audits, gates, charts and exports (left out by default, and named on standard error).")
    var includeIncomplete = false

    @OptionGroup
    var archive: ArchiveOptions

    @OptionGroup(title: "Resource limits") var resourceLimits: ResourceLimitOptions

    func validate() throws {
        if jobs < 0 { throw ValidationError("'--jobs' must be 0 (one per core) or more.") }
        if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be given only once.") }
        if case .failure(let error) = PhaseSet.parse(phases) { throw ValidationError("'--phases': \(error)") }
    }

    /// The analysis options the flags describe (validated already).
    var analysisOptions: AnalysisOptions {
        guard case .success(let set) = PhaseSet.parse(phases) else { return AnalysisOptions(limits: resourceLimits.limits) }
        return AnalysisOptions(countedPhases: set, limits: resourceLimits.limits)
    }

    /// Analyses `inputs` on `--jobs` cores, delivering each input's traces and
    /// diagnostics in input order, with progress.
    ///
    /// Archives and compressed files (recognised by content) are read in place
    /// through DepTraceArchive, entry by entry in archive order; runs of other
    /// inputs between them go to the core's parallel analyser. When no trace at
    /// all was read, an error names what was searched (`paths`, by default the
    /// command's own) and the first files skipped there.
    func analyze(_ inputs: [any TraceReadable], paths: [String]? = nil, log: DiagnosticLog, progress: ProgressReporter, onTrace: (TraceOutcome) -> Void) {
        var traces = 0
        func deliver(diagnostics: [Diagnostic], outcomes: [TraceOutcome], bytes: Int) {
            for diagnostic in diagnostics { log.report(diagnostic) }
            for outcome in outcomes {
                traces += 1
                progress.traceDone()
                onTrace(outcome)
            }
            progress.inputDone(bytes: bytes)
        }
        var plain: [TraceInput] = []
        func flushPlain() {
            ParallelInputAnalyzer.analyze(plain, options: analysisOptions, workers: jobs) { result in
                deliver(diagnostics: result.diagnostics, outcomes: result.outcomes, bytes: result.summary.bytes)
            }
            plain.removeAll()
        }
        for input in inputs {
            guard let bundle = input as? ArchiveTraceSource else {
                if let input = input as? TraceInput { plain.append(input) }
                continue
            }
            flushPlain()
            ArchiveAnalyzer.analyze(
                path: bundle.path, entry: bundle.entry, options: analysisOptions, limits: bundle.limits, keepGoing: bundle.keepGoing, workers: jobs
            ) { result in
                deliver(diagnostics: result.diagnostics, outcomes: result.outcomes, bytes: result.bytes)
            }
        }
        flushPlain()
        progress.finish()
        if traces == 0 { log.report(NothingRead.diagnostic(paths: paths ?? self.paths)) }
    }

    /// Analyses `inputs` like ``analyze(_:log:progress:onTrace:)`` and delivers
    /// only the traces that enter aggregates: analysed traces that are complete,
    /// or also incomplete and damaged ones with `--include-incomplete`. The
    /// traces left out are counted and named in one warning at the end.
    func analyzeForAggregates(_ inputs: [any TraceReadable], log: DiagnosticLog, progress: ProgressReporter, onTrace: (TraceOutcome) -> Void) {
        var leftOut = PartialTraceTally()
        analyze(inputs, log: log, progress: progress) { outcome in
            guard outcome.isAnalysed else { return }
            if outcome.status == .complete || includeIncomplete {
                onTrace(outcome)
            } else {
                leftOut.add(outcome)
            }
        }
        if let warning = leftOut.warning { log.report(warning) }
    }

    /// The inputs the paths name (files, standard input, archives, `ARCHIVE:ENTRY`);
    /// paths that do not exist are reported to `log`.
    func inputs(reportingTo log: DiagnosticLog) -> [any TraceReadable] {
        archive.readables(paths, perEntry: false, log: log)
    }
}

/// One line per metric, for the help of every analysing command.
enum MetricHelp {
    static var text: String {
        let width = MetricCatalog.entries.map(\.name.count).max() ?? 0
        return MetricCatalog.entries.map { entry in
            "  " + entry.name + String(repeating: " ", count: width - entry.name.count + 2) + entry.summary
        }.joined(separator: "\n")
    }
}
