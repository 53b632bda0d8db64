import ArgumentParser
import DepTrace
import DepTraceReports

struct Convert: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "convert",
            abstract: "Convert traces between the JSON Lines and the binary encoding, losslessly.",
            discussion: """
                The output encoding follows OUT's name (.dtrace is binary, .dtrace.jsonl is JSON \
                Lines) unless --to says otherwise; - writes to standard output (then --to is \
                needed for binary). Every record is checked on the way; both encodings of a \
                trace give identical metrics. Unknown record types and unknown keys of known \
                records are dropped, as the format allows. A trace that breaks a rule is written \
                up to the offending record, left without 'end', and reported; the exit code is then 1.

                Examples:
                  deptrace convert run.dtrace.jsonl run.dtrace
                  deptrace convert run.dtrace run.dtrace.jsonl
                  deptrace convert runs/ all.dtrace
                  deptrace convert runs.tar.zst all.dtrace.jsonl
                  cat run.dtrace | deptrace convert - - --to jsonl
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
        if inputs.contains(output), output != "-" { throw ValidationError("'--output' must not be one of the inputs.") }
    }

    func run() throws {
        let log = DiagnosticLog()
        let sources = archive.readables(inputs, perEntry: false, log: log)
        let writer: TraceWriter
        do {
            writer = try TraceWriter(path: output, encoding: to)
        } catch {
            log.report(error.diagnostic)
            throw ExitCode(1)
        }
        var converter = TraceConverter(writer: writer, onDiagnostic: log.report)
        for source in sources {
            _ = source.analyze(options: AnalysisOptions(limits: resourceLimits.limits), observer: &converter)
            if converter.failure != nil { break }
        }
        do {
            try writer.close()
        } catch {
            log.report(Diagnostic(.error, file: output, message: error.description))
        }
        if let failure = converter.failure { log.report(Diagnostic(.error, file: output, message: failure.description)) }
        if log.hasErrors { throw ExitCode(1) }
    }
}

extension TraceWriter.Encoding: ExpressibleByArgument {}
