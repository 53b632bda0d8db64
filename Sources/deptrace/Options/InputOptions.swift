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

    @Option(name: .shortAndLong, help: ArgumentHelp("Inputs analysed at once (default: one per core); output order never depends on it.", valueName: "n"))
    var jobs: Int = 0

    @Flag(name: .long, help: "Never show progress on standard error (it is shown only on a terminal, outside CI, after a second).")
    var noProgress = false

    @Flag(name: .long, help: "After a damaged archive entry, read on with the next one where the archive allows it (zip files, readable tar streams).")
    var keepGoing = false

    @Option(name: .long, help: ArgumentHelp("Most uncompressed bytes read from one archive entry or compressed file, such as 512M or 64G.", valueName: "size"))
    var maxEntryBytes: String = "64G"

    @Option(name: .long, help: ArgumentHelp("Most uncompressed bytes read from one archive, all entries together.", valueName: "size"))
    var maxArchiveBytes: String = "64G"

    @Option(name: .long, help: ArgumentHelp("Highest compression ratio accepted once 64 MiB are out of an archive (a guard against zip bombs).", valueName: "n"))
    var maxRatio: Double = ArchiveLimits.defaultMaxRatio

    @OptionGroup(title: "Resource limits") var resourceLimits: ResourceLimitOptions

    func validate() throws {
        if ArchiveLimits.parseByteCount(maxEntryBytes) == nil { throw ValidationError("'--max-entry-bytes' must be a positive byte count, such as 512M or 64G.") }
        if ArchiveLimits.parseByteCount(maxArchiveBytes) == nil { throw ValidationError("'--max-archive-bytes' must be a positive byte count, such as 512M or 64G.") }
        if !(maxRatio >= 1) { throw ValidationError("'--max-ratio' must be 1 or more.") }
        if jobs < 0 { throw ValidationError("'--jobs' must be 0 (one per core) or more.") }
        if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be given only once.") }
        if case .failure(let error) = PhaseSet.parse(phases) { throw ValidationError("'--phases': \(error)") }
    }

    /// The analysis options the flags describe (validated already).
    var analysisOptions: AnalysisOptions {
        guard case .success(let set) = PhaseSet.parse(phases) else { return AnalysisOptions(limits: resourceLimits.limits) }
        return AnalysisOptions(countedPhases: set, limits: resourceLimits.limits)
    }

    /// The archive limits the flags describe (validated already).
    var archiveLimits: ArchiveLimits {
        ArchiveLimits(
            maxEntryBytes: ArchiveLimits.parseByteCount(maxEntryBytes) ?? ArchiveLimits.defaultMaxEntryBytes,
            maxArchiveBytes: ArchiveLimits.parseByteCount(maxArchiveBytes) ?? ArchiveLimits.defaultMaxArchiveBytes,
            maxRatio: maxRatio)
    }

    /// Analyses `inputs` on `--jobs` cores, delivering each input's traces and
    /// diagnostics in input order, with progress.
    ///
    /// Archives and compressed files (recognised by content) are read in place
    /// through DepTraceArchive, entry by entry in archive order; runs of other
    /// inputs between them go to the core's parallel analyser.
    func analyze(_ inputs: [TraceInput], log: DiagnosticLog, progress: ProgressReporter, onTrace: (TraceOutcome) -> Void) {
        func deliver(diagnostics: [Diagnostic], outcomes: [TraceOutcome], bytes: Int) {
            for diagnostic in diagnostics { log.report(diagnostic) }
            for outcome in outcomes {
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
            guard case .file(let path) = input.location, ArchiveInput.isArchiveOrCompressed(path: path) else {
                plain.append(input)
                continue
            }
            flushPlain()
            ArchiveAnalyzer.analyze(path: path, options: analysisOptions, limits: archiveLimits, keepGoing: keepGoing, workers: jobs) { result in
                deliver(diagnostics: result.diagnostics, outcomes: result.outcomes, bytes: result.bytes)
            }
        }
        flushPlain()
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
