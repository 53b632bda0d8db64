import ArgumentParser
import DepTrace
import DepTraceArchive
import DepTraceExport
import DepTraceReports
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export traces for offline study: a Jupyter notebook folder, or Perfetto trace-event JSON.",
        discussion: """
            notebook  a folder to open in Jupyter (or on GitHub): CSV tables, SVG
                      charts and study.ipynb, whose code cells read the CSV
                      files with pandas and whose saved outputs are
                      DepTrace's own tables and charts.
            perfetto  Chrome trace-event JSON for ui.perfetto.dev and
                      chrome://tracing: one process per trace, one step
                      per microsecond.

            Both read trace files, folders, compressed traces and
            .tar/.zip bundles in place (ARCHIVE:ENTRY for one entry).

            Examples:
              deptrace export notebook Traces/ -o Notebooks-export
              deptrace export perfetto Traces/vanilla.dtrace.jsonl -o v.json
            """,
        subcommands: [ExportNotebook.self, ExportPerfetto.self]
    )

    /// `argument` as a POSIX shell word: quoted only when it needs to be.
    static func shellWord(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.unicodeScalars.allSatisfy { scalar in
            (scalar.value < 128 && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))) || "-_./:=,@%+".unicodeScalars.contains(scalar)
        }
        return plain ? argument : "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}

struct ExportNotebook: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "notebook",
            abstract: "Write a folder for offline study: CSV tables, SVG charts and a Jupyter notebook.",
            discussion: """
                Files written into --output (created when needed):
                  traces.csv     one row per trace: the columns of
                                 'deptrace stats --format csv'
                  groups.csv     one row per --group-by group: count,
                                 accuracy, and mean, median, p90, p99 and
                                 sum of every metric
                  timelines.csv  file, trace, step, tokens (|V| + n, mean
                                 over streams) of every trace, downsampled
                                 to --timeline-points points per trace with
                                 its largest value kept exactly
                  compare.csv    with --baseline: 'deptrace compare
                                 --format csv'
                  *.svg          timeline (the median-Dep trace of each
                                 group), dep and peak per group, their
                                 distributions (dep-cdf, peak-cdf), and
                                 pareto where end records say correct
                  study.ipynb    nbformat 4: what was analysed and how,
                                 what each metric means, and for each table
                                 and chart a pandas + matplotlib code cell
                                 whose saved output is DepTrace's table or
                                 chart: it reads without being run and
                                 reruns from the CSV files alone

                The same traces and options give the same bytes (no date
                unless --stamp). Files of an earlier export that this one
                does not write are removed; other files are left alone.

                Metrics (see 'deptrace stats --help'):
                \(MetricHelp.text)

                Examples:
                  deptrace export notebook Traces/ -o Notebooks-export
                  deptrace export notebook runs/ --baseline runs/vanilla/ \\
                    --group-by method,dataset -o study
                  deptrace export notebook h2o.dtrace --title "H2O, 512" -o h2o
                """
        )
    }()

    @OptionGroup var input: InputOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The folder to write (created when needed).", valueName: "dir"))
    var output: String

    @Option(help: ArgumentHelp("A baseline run to compare with (compare.csv): a trace file or folder; repeat for several.", valueName: "path"))
    var baseline: [String] = []

    @Option(name: .customLong("group-by"), help: ArgumentHelp("One or two comma-separated header keys that group traces in the tables and charts.", valueName: "keys"))
    var groupBy: String = "method"

    @Option(help: ArgumentHelp("The notebook's heading (default: DepTrace study of PATHS).", valueName: "text"))
    var title: String?

    @Flag(help: "Print the date and time of the export in the notebook (the files then change with every export).")
    var stamp = false

    @Option(name: .customLong("timeline-points"), help: ArgumentHelp("The most points each trace keeps in timelines.csv (2 to 100000).", valueName: "n"))
    var timelinePoints: Int = NotebookExporter.defaultTimelinePoints

    var keys: [String] { Stats.list(groupBy) }

    func validate() throws {
        if keys.isEmpty { throw ValidationError("'--group-by' needs at least one header key.") }
        if keys.count > 2 { throw ValidationError("'--group-by' takes at most two keys (the charts draw two).") }
        if let key = keys.first(where: { MetricCatalog.isMetric($0) || $0 == "file" || $0 == "trace" }) {
            throw ValidationError("'--group-by': '\(key)' is a column of every trace, not a header key; group by keys such as method, dataset or model.")
        }
        if !(2...100_000).contains(timelinePoints) { throw ValidationError("'--timeline-points' must be between 2 and 100000.") }
        if baseline.contains("-") { throw ValidationError("'--baseline' takes files or folders, not '-'.") }
    }

    /// The command as the notebook shows it: the paths and every option that
    /// shapes the files, without the output folder, which does not.
    var commandLine: String {
        var words = ["deptrace", "export", "notebook"] + input.paths
        for path in baseline { words += ["--baseline", path] }
        if groupBy != "method" { words += ["--group-by", groupBy] }
        if let title { words += ["--title", title] }
        if input.phases != "decode" { words += ["--phases", input.phases] }
        if timelinePoints != NotebookExporter.defaultTimelinePoints { words += ["--timeline-points", String(timelinePoints)] }
        if stamp { words.append("--stamp") }
        return words.map(Export.shellWord).joined(separator: " ")
    }

    func run() throws {
        let progress = ProgressReporter(enabled: input.noProgress ? false : nil)
        let log = DiagnosticLog(progress: progress)
        let inputs = input.inputs(reportingTo: log)
        var traces: [StudyTrace] = []
        for result in StudyAnalyzer.analyze(inputs, options: input.analysisOptions, points: timelinePoints, workers: input.jobs) {
            for diagnostic in result.diagnostics { log.report(diagnostic) }
            traces += result.traces
        }
        let base = baseline.isEmpty ? nil : RunLoader.outcomes(baseline, input: input, log: log, progress: progress)
        var options = NotebookExporter.Options(
            title: title ?? "DepTrace study of " + input.paths.joined(separator: ", "), groupBy: keys, command: commandLine,
            version: DepTraceVersion.current, inputPaths: input.paths, baselinePaths: baseline, phases: input.analysisOptions.countedPhases.description,
            timelinePoints: timelinePoints)
        if stamp { options.stamp = Date().formatted(.iso8601) }
        let files = try NotebookExporter.export(traces, baseline: base, options: options)
        try ExportFolder.write(files, to: output, owned: NotebookExporter.fileNames)
        let analysed = traces.filter(\.outcome.isAnalysed).count
        TextOutput.standardOutput.write("\(output): \(files.count) files from \(analysed) trace\(analysed == 1 ? "" : "s"); open study.ipynb\n")
        if log.hasErrors { throw ExitCode(1) }
    }
}

struct ExportPerfetto: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perfetto",
        abstract: "Write traces as Chrome trace-event JSON for Perfetto's UI and chrome://tracing.",
        discussion: """
            One process per trace, in reading order, named by method,
            sample, file and index. Time is the step index: step k is the
            microsecond [k, k+1), so 1 ms on the time axis is 1000 steps.
              steps                   a thread: one slice per step, named by
                                      its phase, with the step's row of
                                      'deptrace timeline' as its args
              visible tokens          counter: |V| after k steps and the
                                      records that follow them
              resident tokens         counter: |R| after k steps
              Dep cumulative          counter: Dep of the first k steps
              compressions and marks  a thread: an instant at the start of
                                      each compress step, and one per mark
                                      at the end of the step it follows
            Values are the mean over streams, or one stream's with
            --stream. Open the file at ui.perfetto.dev (Open trace file)
            or in chrome://tracing (Load).

            Examples:
              deptrace export perfetto Traces/lightthinker.dtrace.jsonl \\
                -o lightthinker.json
              deptrace export perfetto runs/h2o.dtrace --stream 5 -o h2o.json
            """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The JSON file to write.", valueName: "file.json"))
    var output: String

    @Option(help: ArgumentHelp("Follow one stream (layer × heads + head) instead of the mean over streams.", valueName: "s"))
    var stream: Int?

    func validate() throws {
        if let stream, stream < 0 { throw ValidationError("'--stream' must be 0 or more.") }
    }

    func run() throws {
        let log = DiagnosticLog()
        var search = TraceInput.Search()
        let inputs = input.archive.readables(input.paths, perEntry: false, log: log, search: &search)
        if let reason = OutputConflict.reason(output: output, inputs: search.inputs.map(\.displayName), folders: []) {
            log.report(Diagnostic(.error, file: output, message: "not written: \(reason)"))
            throw ExitCode(1)
        }
        let writer = try TextFileWriter(path: output)
        let exporter = PerfettoExporter(stream: stream, options: input.analysisOptions, write: writer.write)
        for traceInput in inputs {
            for diagnostic in exporter.add(traceInput) { log.report(diagnostic) }
        }
        guard exporter.processes > 0 else {
            writer.discard()
            log.report(NothingRead.diagnostic(paths: input.paths))
            throw ExitCode(1)
        }
        exporter.finish(version: DepTraceVersion.current)
        try writer.close()
        if log.hasErrors { throw ExitCode(1) }
    }
}
