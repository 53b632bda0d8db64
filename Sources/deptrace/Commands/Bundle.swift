import ArgumentParser
import DepTrace
import DepTraceArchive
import DepTraceReports

struct Bundle: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "bundle",
            abstract: "Pack trace files into one bundle (.tar.zst, .tar.gz, .zip, ...) that every command reads in place.",
            discussion: """
                The bundle's format and compression follow OUT's name: .tar, .tar.gz (.tgz), \
                .tar.zst (.tzst), .tar.xz (.txz), .tar.bz2 (.tbz2), .zip; or .gz, .zst, .xz, .bz2 \
                around a single trace file. Traces are stored byte for byte as they are, in a \
                stable order (the paths as given; folders searched recursively, sorted), with a \
                fixed modification time, so the same traces always make the same bundle.

                Entry names are the paths as given, without a leading ./ or / (as tar names \
                them): 'deptrace bundle out.tar.zst runs/' stores runs/h2o/17.dtrace.jsonl. Read \
                one entry back with 'deptrace timeline out.tar.zst:runs/h2o/17.dtrace.jsonl'.

                Examples:
                  deptrace bundle runs.tar.zst runs/
                  deptrace bundle lightthinker.zip Traces/lightthinker.dtrace.jsonl Traces/vanilla.dtrace.jsonl
                  deptrace stats runs.tar.zst --group-by method
                """
        )
    }()

    @Argument(help: ArgumentHelp("The bundle to write; its name decides the format.", valueName: "out"))
    var output: String

    @Argument(help: ArgumentHelp("Trace files (.dtrace.jsonl, .dtrace) and folders holding them.", valueName: "path"))
    var paths: [String]

    @Flag(name: .long, help: "Replace OUT when it exists.")
    var force = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one trace file or folder to bundle.") }
        if paths.contains("-") { throw ValidationError("'-' is not accepted: a bundle entry needs a name and a size; write standard input to a file first.") }
        if !TraceBundleWriter.supportedExtensions.contains(where: { output.hasSuffix($0) }) {
            throw ValidationError("'\(output)': the name must end in \(TraceBundleWriter.supportedExtensions.joined(separator: ", ")).")
        }
    }

    func run() throws {
        let log = DiagnosticLog()
        if FileStatus(path: output) != nil, !force {
            log.report(Diagnostic(.error, file: output, message: "exists already; pass --force to replace it"))
            throw ExitCode(1)
        }
        let entries = BundleEntry.collect(paths, excluding: output) { log.report($0) }
        if log.hasErrors { throw ExitCode(1) }
        guard !entries.isEmpty else {
            log.report(Diagnostic(.error, file: paths.joined(separator: " "), message: "no trace file (*.dtrace.jsonl, *.dtrace) to bundle"))
            throw ExitCode(1)
        }
        do throws(ArchiveError) {
            let writer = try TraceBundleWriter(path: output)
            for entry in entries { try writer.add(entry.name, contentsOf: entry.file) }
            try writer.close()
        } catch {
            log.report(Diagnostic(.error, file: error.location, message: error.message))
            throw ExitCode(1)
        }
    }
}
