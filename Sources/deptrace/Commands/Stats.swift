import ArgumentParser
import DepTrace
import DepTraceReports

struct Stats: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "stats",
            abstract: "Print the metrics of every trace, or statistics per group of traces.",
            discussion: """
                One row per trace, with its status (complete, incomplete: no end record, or \
                damaged); the table adds resident_peak where a trace holds more than it reads, \
                and status where a trace is partial. With --group-by, one row per group with \
                count, mean, median, p90, p99 and sum (quantiles interpolate linearly, as numpy \
                and pandas do) over the complete traces (--include-incomplete counts the partial \
                ones too). Invalid traces are reported on standard error and skipped; the exit \
                code is then 1. Tables are shortened only on a terminal (to COLUMNS if set).

                Metrics (see docs/METRICS.md; per-stream values are means over streams):
                \(MetricHelp.text)

                Examples:
                  deptrace stats Traces/
                  deptrace stats runs/ --format csv > metrics.csv
                  deptrace stats runs/ --group-by method,dataset
                  deptrace stats run.dtrace.jsonl --columns sample,dep,peak,peak_kv
                  deptrace stats sim.dtrace --against-formula
                """
        )
    }()

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("Output format: table, csv or json; markdown or latex with --group-by (a table like the LightThinker paper's Table 1).", valueName: "format"))
    var format: ReportFormat = .table

    @Flag(help: "Markdown and LaTeX: the best value of each column in bold, the second underlined.")
    var highlight = false

    @Option(name: .customLong("group-by"), help: ArgumentHelp("Comma-separated header keys to group traces by, such as method,dataset.", valueName: "keys"))
    var groupBy: String?

    @Option(help: ArgumentHelp("Comma-separated columns to print: file, trace, method, model, dataset, sample and metric names.", valueName: "list"))
    var columns: String?

    @Flag(name: .customLong("against-formula"), help: "Compare each trace's dep and peak with the LightThinker closed form it is read with (see 'deptrace formula --help').")
    var againstFormula = false

    func validate() throws {
        if format.isPaperFormat, groupBy == nil { throw ValidationError("'--format \(format.rawValue)' needs '--group-by' (rows: the first key; column groups: the second).") }
        if highlight, !format.isPaperFormat { throw ValidationError("'--highlight' needs '--format markdown' or '--format latex'.") }
        if againstFormula, columns != nil || groupBy != nil {
            throw ValidationError("'--against-formula' and '\(columns != nil ? "--columns" : "--group-by")' are mutually exclusive.")
        }
        if let columns {
            let unknown = Self.list(columns).filter { !StatsReport.isColumn($0) }
            if !unknown.isEmpty {
                throw ValidationError("'--columns': unknown column \(unknown.map { "'\($0)'" }.joined(separator: ", ")); see 'deptrace stats --help' for the metric names.")
            }
            if groupBy != nil { throw ValidationError("'--columns' and '--group-by' are mutually exclusive.") }
        }
        if let groupBy, Self.list(groupBy).isEmpty { throw ValidationError("'--group-by' needs at least one header key.") }
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    func run() throws {
        let output = TextOutput.standardOutput
        let progress = ProgressReporter(enabled: input.noProgress ? false : nil)
        let log = DiagnosticLog(progress: progress)
        let grouping = groupBy.map(Self.list)
        let format = self.format.outputFormat ?? .table
        var report = StatsReport(format: format, columns: columns.map(Self.list))
        let inputs = input.inputs(reportingTo: log)
        if againstFormula {
            var rows: [(TraceOutcome, FormulaComparison)] = []
            input.analyze(inputs, log: log, progress: progress) { outcome in
                guard let metrics = outcome.metrics else { return }
                rows.append((outcome, FormulaComparison(header: outcome.header, metrics: metrics)))
            }
            output.write(FormulaReport.render(rows, format: format, width: TableWidth.of(output)))
            output.flush()
            if log.hasErrors { throw ExitCode(1) }
            return
        }
        var groups: [GroupSummary] = []
        if let grouping {
            // Folded in as they arrive: memory follows the distinct values, not the number of traces.
            var accumulator = GroupAccumulator(keys: grouping)
            input.analyzeForAggregates(inputs, log: log, progress: progress) { accumulator.add($0) }
            try RunLoader.requireKeys(grouping, option: "--group-by", available: accumulator.availableKeys)
            groups = accumulator.summaries()
        } else {
            output.write(report.begin())
            input.analyze(inputs, log: log, progress: progress) { outcome in
                guard outcome.isAnalysed else { return }
                output.write(report.add(outcome))
            }
        }
        let width = TableWidth.of(output)
        if let grouping, self.format.isPaperFormat {
            let table = GroupReport.paperTable(groups, keys: grouping)
            output.write(self.format == .latex ? table.latex(highlight: highlight) : table.markdown(highlight: highlight))
        } else if let grouping {
            output.write(GroupReport.render(groups, keys: grouping, format: format, width: width))
        } else {
            output.write(report.end(width: width))
        }
        output.flush()
        if log.hasErrors { throw ExitCode(1) }
    }
}

extension OutputFormat: ExpressibleByArgument {}

extension String {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
