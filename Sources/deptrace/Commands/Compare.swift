import ArgumentParser
import DepTrace
import DepTraceReports

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare method runs with a baseline run: Dep, memory read and memory held ratios with bootstrap intervals.",
        discussion: """
            Traces are paired by sample and dataset (--pair-by sample pairs on the sample \
            alone); samples either side lacks are listed by id, and a method with nothing \
            paired is an error that says which keys disagree. The baseline's own files are \
            left out of the compared runs, so a baseline folder may sit inside them. Partial \
            traces (no end record, or damaged) are left out unless --include-incomplete.

            Per method: ratio = mean dep(baseline) / mean dep(method) over the paired \
            samples (the paper's reading), geo_ratio = the geometric mean of per-sample ratios, \
            peak_ratio the same as ratio for peak (memory read), resident_peak_ratio for \
            resident_peak and kv_bytes_ratio for kv_bytes_peak (memory held), each with a \
            95% percentile-bootstrap interval (seeded: a rerun prints the same interval); \
            accuracy of both sides (percent) and the mean self_ratio. See docs/METRICS.md.

            Examples:
              deptrace compare --baseline runs/vanilla/ runs/h2o/ runs/lightthinker/
              deptrace compare --baseline runs/vanilla/ runs/ --group-by dataset --format json
              deptrace compare --baseline runs/vanilla/ runs/h2o/ --format latex --highlight
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("The baseline run: a trace file or folder; repeat for several.", valueName: "path"))
    var baseline: [String] = []

    @Option(name: [.customLong("pair-by"), .customLong("by")], help: ArgumentHelp("Comma-separated header keys on which a method trace and a baseline trace must agree to pair ('--by' is an old name).", valueName: "keys"))
    var pairBy: String = "sample,dataset"

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
        if Stats.list(pairBy).isEmpty { throw ValidationError("'--pair-by' needs at least one header key.") }
        try RunLoader.requireExisting(baseline, option: "--baseline")
        if let groupBy, Stats.list(groupBy).isEmpty { throw ValidationError("'--group-by' needs at least one header key.") }
    }

    func run() throws {
        let output = TextOutput.standardOutput
        let progress = ProgressReporter(enabled: input.noProgress ? false : nil)
        let log = DiagnosticLog(progress: progress)
        let baseInputs = input.archive.readables(baseline, perEntry: false, log: log)
        let base = RunLoader.outcomes(baseInputs, paths: baseline, input: input, log: log, progress: progress)
        let runs = RunLoader.outcomes(input.paths, input: input, log: log, progress: progress, excluding: baseInputs)
        let grouping = groupBy.map(Stats.list) ?? []
        let pairing = Stats.list(pairBy)
        try RunLoader.requireKeys(grouping, option: "--group-by", in: base + runs)
        try RunLoader.requireKeys(pairing.filter { !RunLoader.standardPairKeys.contains($0) }, option: "--pair-by", in: base + runs)
        let options = ComparisonOptions(pairBy: pairing, groupBy: grouping, resamples: resamples, seed: seed)
        let comparisons = RunComparison.compare(baseline: base, runs: runs, options: options)
        if comparisons.isEmpty, runs.contains(where: \.isAnalysed) == false, base.contains(where: \.isAnalysed) {
            log.report(Diagnostic(.error, file: "deptrace", message: "no method trace to compare with the baseline: the paths hold none besides the baseline's own files"))
        }
        let unpaired = comparisons.filter { $0.paired == 0 }
        for comparison in unpaired {
            let group = zip(grouping, comparison.group).map { " \($0)=\($1)" }.joined()
            log.report(Diagnostic(.error, file: "deptrace", message: "\(comparison.method)\(group): \(CompareReport.pairingExplanation(comparison))"
                + (comparison.pairingKeys.contains(where: \.disagrees) ? "; '--pair-by' chooses the keys that must agree" : "")))
        }
        if unpaired.count < comparisons.count {
            output.write(CompareReport.render(comparisons.filter { $0.paired > 0 }, groupBy: grouping, format: format, highlight: highlight,
                                              resamples: resamples, width: TableWidth.of(output)))
        }
        output.flush()
        if log.hasErrors { throw ExitCode(1) }
    }
}

extension ReportFormat: ExpressibleByArgument {}
