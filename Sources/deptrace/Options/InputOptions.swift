import ArgumentParser
import DepTrace
import DepTraceReports

/// Trace inputs and the metric options shared by the analysing commands.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Trace files, folders (searched recursively for .dtrace.jsonl and .dtrace), or - for standard input.", valueName: "path"))
    var paths: [String]

    @Option(name: .long, help: ArgumentHelp("Phases whose steps count toward dep and full_dep: a comma-separated list of prefill, decode, compress, or all.", valueName: "list"))
    var phases: String = "decode"

    @Option(name: .shortAndLong, help: ArgumentHelp("Inputs analysed at once (default: one per core); output order never depends on it.", valueName: "n"))
    var jobs: Int = 0

    @Flag(name: .long, help: "Never show progress on standard error (it is shown only on a terminal, outside CI, after a second).")
    var noProgress = false

    func validate() throws {
        if jobs < 0 { throw ValidationError("'--jobs' must be 0 (one per core) or more.") }
        if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be given only once.") }
        if case .failure(let error) = PhaseSet.parse(phases) { throw ValidationError("'--phases': \(error)") }
    }

    /// The analysis options the flags describe (validated already).
    var analysisOptions: AnalysisOptions {
        guard case .success(let set) = PhaseSet.parse(phases) else { return AnalysisOptions() }
        return AnalysisOptions(countedPhases: set)
    }

    /// Analyses `inputs` on `--jobs` cores, delivering each input's traces and
    /// diagnostics in input order, with progress.
    func analyze(_ inputs: [TraceInput], log: DiagnosticLog, progress: ProgressReporter, onTrace: (TraceOutcome) -> Void) {
        ParallelInputAnalyzer.analyze(inputs, options: analysisOptions, workers: jobs) { result in
            for diagnostic in result.diagnostics { log.report(diagnostic) }
            for outcome in result.outcomes {
                progress.traceDone()
                onTrace(outcome)
            }
            progress.inputDone(bytes: result.summary.bytes)
        }
        progress.finish()
    }

    /// The inputs the paths name; paths that do not exist are reported to `log`.
    func inputs(reportingTo log: DiagnosticLog) -> [TraceInput] {
        TraceInput.expand(paths) { log.report($0.diagnostic) }
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
