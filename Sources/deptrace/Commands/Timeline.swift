import ArgumentParser
import DepTrace
import DepTraceReports

struct Timeline: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "timeline",
            abstract: "Print one row per step of a trace: tokens in context, cumulative Dep, evictions, marks.",
            discussion: """
                Columns:
                  step            0-based step index in the trace
                  phase           prefill, decode or compress
                  first           first query id of the step
                  queries         n, the step's query tokens
                  visible_before  |V| before the step (the stream's, or the mean over streams)
                  visible_after   |V| after the step and the records that follow it
                  resident_after  |R| after the step and the records that follow it
                  dep             Dep accumulated up to and including this step
                  evicted         tokens evicted by the records after this step, before the next
                  time_ns         the step's t, when recorded
                  marks           labels of the mark records after this step

                Metrics that appear in timelines and stats:
                \(MetricHelp.text)

                Examples:
                  deptrace timeline Traces/lightthinker.dtrace.jsonl
                  deptrace timeline run.dtrace.jsonl --trace 3 --stream 5 --format json
                  deptrace timeline runs.tar.zst:runs/h2o/17.dtrace.jsonl
                """
        )
    }()

    @Argument(help: ArgumentHelp("A trace file, a compressed trace, ARCHIVE:ENTRY for one trace file inside a .tar/.zip bundle, or - for standard input.", valueName: "trace"))
    var path: String

    @Option(help: ArgumentHelp("Which trace of the file: its 0-based index.", valueName: "n"))
    var trace: Int = 0

    @Option(help: ArgumentHelp("Follow one stream (layer × heads + head) instead of the mean over streams.", valueName: "s"))
    var stream: Int?

    /// Timelines are long: CSV or JSON, no aligned table.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, json
        var output: OutputFormat { self == .csv ? .csv : .json }
    }

    @Option(help: ArgumentHelp("Output format: csv or json.", valueName: "format"))
    var format: Format = .csv

    @Option(name: .long, help: ArgumentHelp("Phases whose steps count toward dep: a comma-separated list of prefill, decode, compress, or all.", valueName: "list"))
    var phases: String = "decode"

    @OptionGroup
    var archive: ArchiveOptions

    @OptionGroup(title: "Resource limits") var resourceLimits: ResourceLimitOptions

    func validate() throws {
        if trace < 0 { throw ValidationError("'--trace' must be 0 or more.") }
        if let stream, stream < 0 { throw ValidationError("'--stream' must be 0 or more.") }
        if case .failure(let error) = PhaseSet.parse(phases) { throw ValidationError("'--phases': \(error)") }
    }

    func run() throws {
        let output = TextOutput.standardOutput
        let log = DiagnosticLog()
        let inputs = archive.readables([path], perEntry: true, log: log)
        guard inputs.count == 1, let input = inputs.first else {
            if inputs.isEmpty, !log.hasErrors {
                log.report(NothingRead.diagnostic(paths: [path]))
            } else if !log.hasErrors {
                let names = inputs.prefix(3).map(\.displayName).joined(separator: ", ")
                log.report(Diagnostic(.error, file: path, message: "a timeline reads one trace file; this path holds \(inputs.count) (\(names)\(inputs.count > 3 ? ", ..." : "")); name one, as ARCHIVE:ENTRY inside a bundle"))
            }
            throw ExitCode(1)
        }
        guard case .success(let phaseSet) = PhaseSet.parse(phases) else { return }
        var report = TimelineReport(format: format.output)
        output.write(report.begin())
        var builder = TimelineBuilder(traceIndex: trace, stream: stream) { row in output.write(report.add(row)) }
        let summary = input.analyze(options: AnalysisOptions(countedPhases: phaseSet, limits: resourceLimits.limits), observer: &builder)
        output.write(report.end())
        output.flush()
        for diagnostic in builder.diagnostics { log.report(diagnostic) }
        if builder.streamOutOfRange {
            log.report(Diagnostic(.error, file: input.displayName, trace: trace, message: "--stream \(stream ?? 0) is out of range: the trace has fewer streams"))
        } else if builder.outcome == nil {
            log.report(Diagnostic(.error, file: input.displayName, message: "no trace \(trace): the input holds \(summary.traces) trace\(summary.traces == 1 ? "" : "s")"))
        }
        if log.hasErrors { throw ExitCode(1) }
    }
}
