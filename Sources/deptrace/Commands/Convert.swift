import ArgumentParser
import DepTrace
import DepTraceReports

struct Convert: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "convert",
            abstract: "Convert traces between the JSON Lines and the binary encoding, losslessly.",
            discussion: """
                OUT is written whole or not at all (a temporary file beside it, renamed into \
                place), and never over an input. The output encoding follows OUT's name (.dtrace is binary, .dtrace.jsonl is JSON \
                Lines) unless --to says otherwise; - writes to standard output (then --to is \
                needed for binary). Every record is checked on the way; both encodings of a \
                trace give identical metrics. Unknown record types and unknown keys of known \
                records are dropped, as the format allows. A trace that breaks a rule is written \
                up to the offending record, left without 'end', and reported; the exit code is then 1.

                Examples:
                  deptrace convert run.dtrace.jsonl -o run.dtrace
                  deptrace convert run.dtrace -o run.dtrace.jsonl
                  deptrace convert runs/ -o all.dtrace
                  deptrace convert runs.tar.zst -o all.dtrace.jsonl
                  cat run.dtrace | deptrace convert - -o - --to jsonl
                """
        )
    }()

    @Argument(help: ArgumentHelp("Trace files, compressed traces, .tar/.zip bundles (read in place), folders, or - for standard input; all traces go to OUT in order.", valueName: "in"))
    var inputs: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write, or - for standard output.", valueName: "out"))
    var output: String

    @Option(help: ArgumentHelp("Output encoding: jsonl or binary (default: from OUT's name).", valueName: "encoding"))
    var to: TraceWriter.Encoding?

    @OptionGroup
    var archive: ArchiveOptions

    @OptionGroup(title: "Resource limits") var resourceLimits: ResourceLimitOptions

    func validate() throws {
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be given only once.") }
    }

    func run() throws {
        let log = DiagnosticLog()
        var search = TraceInput.Search()
        let sources = archive.readables(inputs, perEntry: false, log: log, search: &search)
        let writer: TraceWriter
        var file: AtomicFile?
        do {
            if output == "-" {
                writer = TraceWriter(sink: FileTraceSink(standardOutput: ()), encoding: to ?? .jsonl)
            } else {
                if let reason = OutputConflict.reason(output: output, inputs: search.inputs.map(\.displayName), folders: search.folders) {
                    log.report(Diagnostic(.error, file: output, message: "not written: \(reason)"))
                    throw ExitCode(1)
                }
                let atomic = try AtomicFile(path: output)
                file = atomic
                writer = TraceWriter(sink: atomic, encoding: to ?? TraceWriter.Encoding(path: output))
            }
        } catch let error as InputError {
            log.report(error.diagnostic)
            throw ExitCode(1)
        }
        var converter = TraceConverter(writer: writer, onDiagnostic: log.report)
        var traces = 0
        for source in sources {
            traces += source.analyze(options: AnalysisOptions(limits: resourceLimits.limits), observer: &converter).traces
            if converter.failure != nil { break }
        }
        do {
            try writer.close()
            // What was converted before an invalid record is kept (and the error reported): nothing read, nothing written.
            if traces > 0, converter.failure == nil { try file?.commit() }
        } catch {
            log.report(Diagnostic(.error, file: output, message: "\(error)"))
        }
        file?.discard()
        if let failure = converter.failure { log.report(Diagnostic(.error, file: output, message: failure.description)) }
        if traces == 0 { log.report(NothingRead.diagnostic(paths: inputs)) }
        if log.hasErrors { throw ExitCode(1) }
    }
}

extension TraceWriter.Encoding: ExpressibleByArgument {}
