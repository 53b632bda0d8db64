import ArgumentParser
import DepTrace
import DepTraceArchive
import DepTraceReports

/// How archives and compressed traces are read: damage handling and the limits against hostile input.
struct ArchiveOptions: ParsableArguments {
    @Flag(name: .long, help: "After a damaged archive entry, read on with the next one where the archive allows it (zip files, readable tar streams).")
    var keepGoing = false

    @Option(name: .long, help: ArgumentHelp("Most uncompressed bytes read from one archive entry or compressed file, such as 512M or 64G.", valueName: "size"))
    var maxEntryBytes = ByteSize(bytes: ArchiveLimits.defaultMaxEntryBytes)

    @Option(name: .long, help: ArgumentHelp("Most uncompressed bytes read from one archive, all entries together.", valueName: "size"))
    var maxArchiveBytes = ByteSize(bytes: ArchiveLimits.defaultMaxArchiveBytes)

    @Option(name: .long, help: ArgumentHelp("Highest compression ratio accepted once 64 MiB are out of an archive (a guard against zip bombs).", valueName: "n"))
    var maxRatio: Double = ArchiveLimits.defaultMaxRatio

    func validate() throws {
        if !(maxRatio >= 1) { throw ValidationError("'--max-ratio' must be 1 or more.") }
    }

    /// The archive limits the flags describe.
    var limits: ArchiveLimits {
        ArchiveLimits(
            maxEntryBytes: maxEntryBytes.bytes, maxArchiveBytes: maxArchiveBytes.bytes,
            maxRatio: maxRatio)
    }

    /// What `paths` name, ready to be read one after another into an observer:
    /// loose trace files, standard input, pipes, archives and compressed files
    /// (read in place), and `ARCHIVE:ENTRY` for one entry of an archive. Paths
    /// that do not exist and folders that cannot be read are reported to `log`
    /// as errors; files skipped in searched folders are added to `search`.
    ///
    /// - Parameter perEntry: one readable per trace entry of each archive
    ///   (listing an archive reads its headers once more), for commands that
    ///   draw or print traces one by one; otherwise one per archive.
    func readables(_ paths: [String], perEntry: Bool, log: DiagnosticLog, search: inout TraceInput.Search) -> [any TraceReadable] {
        var result: [any TraceReadable] = []
        for path in paths {
            if var reference = ArchiveTraceSource.entryReference(path) {
                reference.limits = limits
                reference.keepGoing = keepGoing
                if let missing = missingEntryMessage(reference) {
                    log.report(Diagnostic(.error, file: path, message: missing))
                    continue
                }
                result.append(reference)
                continue
            }
            let found = TraceInput.search([path])
            for problem in found.problems { log.report(problem.diagnostic) }
            search.folders += found.folders
            search.skipped += found.skipped
            search.problems += found.problems
            let inputs = found.inputs
            // Each file is opened to tell archives by content: on every core, for folders of many.
            // Streams are not: they can be read only once (their content is sniffed as they are read).
            let isArchive = ConcurrentMap.map(count: inputs.count, threads: ProcessorCount.active) { index in
                guard case .file(let file) = inputs[index].location else { return false }
                return ArchiveInput.isArchiveOrCompressed(path: file)
            }
            for (input, isArchive) in zip(inputs, isArchive) {
                search.inputs.append(input)
                guard isArchive, case .file(let file) = input.location else {
                    result.append(input)
                    continue
                }
                let archive = ArchiveTraceSource(path: file, limits: limits, keepGoing: keepGoing)
                guard perEntry else {
                    result.append(archive)
                    continue
                }
                do throws(ArchiveError) {
                    result += try archive.entries()
                } catch {
                    log.report(Diagnostic(.error, file: file, message: error.message))
                }
            }
        }
        return result
    }

    /// Why `reference` names no trace entry of its archive, listing the entries
    /// there are; nil when it does (or when the archive cannot be listed: its
    /// reading then reports why).
    private func missingEntryMessage(_ reference: ArchiveTraceSource) -> String? {
        guard let entry = reference.entry,
              let listed = try? ArchiveTraceSource(path: reference.path, limits: limits, keepGoing: keepGoing).entries(),
              !listed.contains(where: { $0.entry == entry })
        else { return nil }
        let names = listed.compactMap(\.entry)
        guard !names.isEmpty else { return "no trace entry named \(entry): \(reference.path) holds no trace entry" }
        let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", ... (\(names.count) in all)" : "")
        return "no trace entry named \(entry) in \(reference.path); its trace entries: \(shown)"
    }

    /// ``readables(_:perEntry:log:search:)`` without the search's record.
    func readables(_ paths: [String], perEntry: Bool, log: DiagnosticLog) -> [any TraceReadable] {
        var search = TraceInput.Search()
        return readables(paths, perEntry: perEntry, log: log, search: &search)
    }
}
