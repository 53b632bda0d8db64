import ArgumentParser
import DepTrace
import DepTraceReports

struct Validate: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "validate",
            abstract: "Check traces against every rule of the format and list each violation.",
            discussion: """
                Prints every problem as FILE:LINE: trace N (sample "S"): record K: message, then a \
                summary line (records count from 0 after the header). The \
                exit code is 1 when any trace is invalid, damaged or unreadable, 0 otherwise; \
                warnings (incomplete traces, unknown record types) do not fail validation.

                Metrics are those of 'deptrace stats':
                \(MetricHelp.text)

                Examples:
                  deptrace validate Traces/
                  python my_decoder.py | deptrace validate -
                """
        )
    }()

    @OptionGroup var input: InputOptions

    @Flag(name: .long, help: "Do not list warnings (they are still counted in the summary).")
    var noWarnings = false

    func run() throws {
        let output = TextOutput.standardOutput
        let progress = ProgressReporter(enabled: input.noProgress ? false : nil)
        let log = DiagnosticLog(output: output, showWarnings: !noWarnings, progress: progress)
        var counts: [TraceOutcome.Status: Int] = [:]
        let inputs = input.inputs(reportingTo: log)
        input.analyze(inputs, log: log, progress: progress) { outcome in
            counts[outcome.status, default: 0] += 1
        }
        let total = counts.values.reduce(0, +)
        var parts = ["\(counts[.complete] ?? 0) complete", "\(counts[.incomplete] ?? 0) incomplete"]
        for (status, name) in [(TraceOutcome.Status.damaged, "damaged"), (.invalid, "invalid"), (.unsupported, "of an unknown version")] {
            if let count = counts[status] { parts.append("\(count) \(name)") }
        }
        let verdict = log.hasErrors ? "FAILED" : "OK"
        output.write("\(verdict): \(inputs.count) input\(inputs.count == 1 ? "" : "s"), \(total) trace\(total == 1 ? "" : "s") (\(parts.joined(separator: ", "))); \(log.errors) error\(log.errors == 1 ? "" : "s"), \(log.warnings) warning\(log.warnings == 1 ? "" : "s")\n")
        output.flush()
        if log.hasErrors { throw ExitCode(1) }
    }
}
