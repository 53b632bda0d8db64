import ArgumentParser
import DepTrace
import DepTraceJUnit
import DepTraceReports

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Gate CI on limits: any metric per trace, a ratio against a baseline, regressions against a previous run.",
        discussion: """
            One verdict per trace and per group (--group-by, method by default). --max and \
            --min bound any numeric metric of every trace (METRIC=VALUE, repeatable; byte \
            sizes such as 2GiB for kv_bytes_peak); --max-peak N and --max-dep N are \
            --max peak=N and --max dep=N. Partial traces (no end record, or damaged) are \
            left out unless --include-incomplete; the baseline's own files are left out of \
            the runs checked against it. Exit codes: 0 every check passed, 1 a check failed \
            (or a trace is invalid), 2 usage error. --junit writes JUnit XML (one test case \
            per check) that CI systems display; --markdown writes a summary for a \
            pull-request comment: the failures and a one-line verdict (every check with \
            --verbose).

            Examples:
              deptrace check runs/ --max-peak 1024 --max-dep 5e6
              deptrace check runs/ --max resident_peak=1024 --max kv_bytes_peak=2GiB
              deptrace check runs/ --min-ratio 3 --baseline runs/vanilla/ --junit check.xml
              deptrace check runs/ --max-regression 5 --previous main-runs/ --markdown summary.md
            """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .customLong("max-peak"), help: ArgumentHelp("Fail any trace whose peak exceeds this.", valueName: "n"))
    var maxPeak: Int?

    @Option(name: .customLong("max-dep"), help: ArgumentHelp("Fail any trace whose dep exceeds this.", valueName: "n"))
    var maxDep: Double?

    @Option(name: .customLong("max"), help: ArgumentHelp("Fail any trace whose metric exceeds the value: METRIC=VALUE, such as resident_peak=1024 or kv_bytes_peak=2GiB; repeatable.", valueName: "metric=value"))
    var maxima: [String] = []

    @Option(name: .customLong("min"), help: ArgumentHelp("Fail any trace whose metric falls below the value: METRIC=VALUE; repeatable.", valueName: "metric=value"))
    var minima: [String] = []

    @Option(name: .customLong("min-ratio"), help: ArgumentHelp("Fail a group whose ratio of mean Dep against --baseline is below this.", valueName: "r"))
    var minRatio: Double?

    @Option(help: ArgumentHelp("The baseline run for --min-ratio; repeat for several paths.", valueName: "path"))
    var baseline: [String] = []

    @Option(name: .customLong("max-regression"), help: ArgumentHelp("Fail a group whose mean dep or peak rose more than this percentage over --previous.", valueName: "pct"))
    var maxRegression: Double?

    @Option(help: ArgumentHelp("The previous run for --max-regression; repeat for several paths.", valueName: "path"))
    var previous: [String] = []

    @Option(name: .customLong("group-by"), help: ArgumentHelp("Comma-separated header keys that form the groups checked together.", valueName: "keys"))
    var groupBy: String = "method"

    @Option(name: .customLong("pair-by"), help: ArgumentHelp("--min-ratio: comma-separated header keys on which a trace and its baseline trace must agree.", valueName: "keys"))
    var pairBy: String = "sample,dataset"

    @Option(help: ArgumentHelp("Write JUnit XML of every check to this file.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a Markdown summary to this file.", valueName: "file"))
    var markdown: String?

    @Option(help: ArgumentHelp("Seed of the bootstrap interval shown with --min-ratio.", valueName: "n"))
    var seed: UInt64 = 0

    @Flag(help: "Print passed checks too, and list them in the --markdown summary.")
    var verbose = false

    func validate() throws {
        if maxPeak == nil, maxDep == nil, minRatio == nil, maxRegression == nil, maxima.isEmpty, minima.isEmpty {
            throw ValidationError("give at least one of '--max', '--min', '--max-peak', '--max-dep', '--min-ratio', '--max-regression'.")
        }
        _ = try bounds()
        if Stats.list(pairBy).isEmpty { throw ValidationError("'--pair-by' needs at least one header key.") }
        try RunLoader.requireExisting(baseline, option: "--baseline")
        try RunLoader.requireExisting(previous, option: "--previous")
        if minRatio != nil, baseline.isEmpty { throw ValidationError("'--min-ratio' needs '--baseline'.") }
        if minRatio == nil, !baseline.isEmpty { throw ValidationError("'--baseline' is only used with '--min-ratio'.") }
        if maxRegression != nil, previous.isEmpty { throw ValidationError("'--max-regression' needs '--previous'.") }
        if maxRegression == nil, !previous.isEmpty { throw ValidationError("'--previous' is only used with '--max-regression'.") }
        if let maxRegression, maxRegression < 0 { throw ValidationError("'--max-regression' must be 0 or more.") }
        if Stats.list(groupBy).isEmpty { throw ValidationError("'--group-by' needs at least one header key.") }
    }

    /// The `--max` and `--min` bounds, in the order given.
    func bounds() throws -> [MetricBound] {
        do throws(MetricBoundError) {
            return try maxima.map { text throws(MetricBoundError) in try MetricBound(parsing: text, kind: .maximum) }
                + minima.map { text throws(MetricBoundError) in try MetricBound(parsing: text, kind: .minimum) }
        } catch {
            throw ValidationError("'--\(maxima.contains(error.text) ? "max" : "min")' \(error)")
        }
    }

    func run() throws {
        let output = TextOutput.standardOutput
        let progress = ProgressReporter(enabled: input.noProgress ? false : nil)
        let log = DiagnosticLog(progress: progress)
        let baseInputs = input.archive.readables(baseline, perEntry: false, log: log)
        let base = baseline.isEmpty ? [] : RunLoader.outcomes(baseInputs, paths: baseline, input: input, log: log, progress: progress)
        let outcomes = RunLoader.outcomes(input.paths, input: input, log: log, progress: progress, excluding: baseInputs)
        let before = previous.isEmpty ? [] : RunLoader.outcomes(previous, input: input, log: log, progress: progress)
        let grouping = Stats.list(groupBy)
        try RunLoader.requireKeys(grouping, option: "--group-by", in: outcomes)
        if minRatio != nil { try RunLoader.requireKeys(Stats.list(pairBy).filter { !RunLoader.standardPairKeys.contains($0) }, option: "--pair-by", in: outcomes + base) }
        let limits = Gate.Limits(maxPeak: maxPeak, maxDep: maxDep, minRatio: minRatio, maxRegression: maxRegression, bounds: try bounds())
        let checks = Gate.evaluate(outcomes, baseline: base, previous: before, limits: limits, groupBy: grouping, pairBy: Stats.list(pairBy), seed: seed)
        if let junit {
            let bytes = try JUnitReport.render(checks)
            try FileSystem.write(bytes, to: junit)
        }
        if let markdown {
            try FileSystem.write(Array(GateReport.markdown(checks, verbose: verbose).utf8), to: markdown)
        }
        output.write(GateReport.text(checks, verbose: verbose))
        output.flush()
        if log.hasErrors || checks.contains(where: { !$0.passed }) || checks.isEmpty { throw ExitCode(1) }
    }
}
