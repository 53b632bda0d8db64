import DepTrace
import DepTraceReports

/// Reads a run (any set of paths) into outcomes, reporting diagnostics to `log`.
enum RunLoader {
    static func outcomes(_ paths: [String], input: InputOptions, log: DiagnosticLog, progress: ProgressReporter) -> [TraceOutcome] {
        var outcomes: [TraceOutcome] = []
        let inputs = input.archive.readables(paths, perEntry: false, log: log)
        input.analyze(inputs, log: log, progress: progress) { outcomes.append($0) }
        return outcomes
    }
}
