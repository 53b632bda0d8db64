import ArgumentParser
import DepTrace
import DepTraceReports

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare method runs with a baseline run: Dep and peak ratios with bootstrap intervals.",
        discussion: """
            Traces are paired by sample (and dataset); samples either side lacks are listed \
            by id. Per method: ratio = mean dep(baseline) / mean dep(method) over the paired \
            samples (the paper's reading), geo_ratio = the geometric mean of per-sample ratios, \
            peak_ratio the same as ratio for peak, each with a 95% percentile-bootstrap \
            interval (seeded: a rerun prints the same interval); accuracy of both sides and \
            the mean self_ratio.

            Examples:
              deptrace compare --baseline runs/vanilla/ runs/h2o/ runs/lightthinker/
              deptrace compare --baseline runs/vanilla/ runs/ --group-by dataset --format json
              deptrace compare --baseline runs/vanilla/ runs/h2o/ --format latex --highlight
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("The baseline run: a trace file or folder; repeat for several.", valueName: "path"))
    var baseline: [String] = []

    @Option(help: ArgumentHelp("Comma-separated header keys that identify a sample (dataset is always added).", valueName: "keys"))
    var by: String = "sample"

    @Option(name: .customLong("group-by"), help: ArgumentHelp("Comma-separated header keys that split each method into rows, such as dataset.", valueName: "keys"))
    var groupBy: String?

    @Option(help: ArgumentHelp("Output format: table, csv, json, markdown or latex.", valueName: "format"))
    var format: ReportFormat = .table

    @Flag(help: "Markdown and LaTeX: the best value of each column in bold, the second underlined.")
    var highlight = false

    @Option(help: ArgumentHelp("Seed of the bootstrap resampling.", valueName: "n"))
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Bootstrap resamples.", valueName: "n"))
    var resamples: Int = Bootstrap.defaultResamples

    func validate() throws {
        if baseline.isEmpty { throw ValidationError("'--baseline' is required: the run the methods are compared with.") }
        if resamples < 1 { throw ValidationError("'--resamples' must be at least 1.") }
        if Stats.list(by).isEmpty { throw ValidationError("'--by' needs at least one header key.") }
        if let groupBy, Stats.list(groupBy).isEmpty { throw ValidationError("'--group-by' needs at least one header key.") }
    }

    func run() throws {
        let output = TextOutput.standardOutput
        let progress = ProgressReporter(enabled: input.noProgress ? false : nil)
        let log = DiagnosticLog(progress: progress)
        let base = RunLoader.outcomes(baseline, input: input, log: log, progress: progress)
        let runs = RunLoader.outcomes(input.paths, input: input, log: log, progress: progress)
        let grouping = groupBy.map(Stats.list) ?? []
        let options = ComparisonOptions(pairBy: Stats.list(by), groupBy: grouping, resamples: resamples, seed: seed)
        let comparisons = RunComparison.compare(baseline: base, runs: runs, options: options)
        output.write(CompareReport.render(comparisons, groupBy: grouping, format: format, highlight: highlight, resamples: resamples,
                                          width: output.isTerminal ? output.terminalWidth : 80))
        output.flush()
        if log.hasErrors { throw ExitCode(1) }
    }
}

extension ReportFormat: ExpressibleByArgument {}
