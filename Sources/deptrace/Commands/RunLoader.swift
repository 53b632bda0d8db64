import ArgumentParser
import DepTrace
import DepTraceArchive
import DepTraceReports

/// Reads a run (any set of paths) into outcomes, reporting diagnostics to `log`.
enum RunLoader {
    /// The outcomes of every trace the paths hold.
    ///
    /// - Parameters:
    ///   - excluding: inputs of another run (the baseline): files that are the
    ///     same file as one of them (whatever path led there) are not read, so a
    ///     baseline folder inside the compared folder is not compared with itself.
    ///   - forAggregates: leave out incomplete and damaged traces unless
    ///     `--include-incomplete`, naming them in one warning; unanalysed traces
    ///     stay (the gate fails them, the others ignore them).
    static func outcomes(
        _ paths: [String], input: InputOptions, log: DiagnosticLog, progress: ProgressReporter,
        excluding: [any TraceReadable] = [], forAggregates: Bool = true
    ) -> [TraceOutcome] {
        let readables = without(input.archive.readables(paths, perEntry: false, log: log), excluding)
        return outcomes(readables, paths: paths, input: input, log: log, progress: progress, forAggregates: forAggregates)
    }

    /// The outcomes of `readables`, partial traces left out as ``outcomes(_:input:log:progress:excluding:forAggregates:)`` says.
    /// - Parameter paths: what the readables came from, named when nothing is read (the command's paths by default).
    static func outcomes(
        _ readables: [any TraceReadable], paths: [String]? = nil, input: InputOptions, log: DiagnosticLog, progress: ProgressReporter,
        forAggregates: Bool = true
    ) -> [TraceOutcome] {
        var outcomes: [TraceOutcome] = []
        var leftOut = PartialTraceTally()
        input.analyze(readables, paths: paths, log: log, progress: progress) { outcome in
            if forAggregates, !input.includeIncomplete, outcome.isAnalysed, outcome.status != .complete {
                leftOut.add(outcome)
            } else {
                outcomes.append(outcome)
            }
        }
        if let warning = leftOut.warning { log.report(warning) }
        return outcomes
    }

    /// `readables` without those that read the same file (or archive entry) as one of `others`.
    static func without(_ readables: [any TraceReadable], _ others: [any TraceReadable]) -> [any TraceReadable] {
        guard !others.isEmpty else { return readables }
        let taken = others.compactMap(identity)
        return readables.filter { readable in
            guard let mine = identity(readable) else { return true }
            return !taken.contains { $0.entry == mine.entry && $0.file.isSameFile(as: mine.file) }
        }
    }

    /// The file a readable reads and the archive entry in it, nil for streams.
    private static func identity(_ readable: any TraceReadable) -> (file: FileStatus, entry: String?)? {
        if let input = readable as? TraceInput, case .file(let path) = input.location {
            return FileStatus(path: path).map { ($0, nil) }
        }
        if let archive = readable as? ArchiveTraceSource {
            return FileStatus(path: archive.path).map { ($0, archive.entry) }
        }
        return nil
    }

    /// Refuses paths that do not exist, for runs given by an option (`--baseline`):
    /// a mistyped one would otherwise compare against nothing.
    /// - Throws: `ValidationError` naming the option and the path.
    static func requireExisting(_ paths: [String], option: String) throws {
        for path in paths where path != "-" && FileStatus(path: path) == nil && ArchiveTraceSource.entryReference(path) == nil {
            throw ValidationError("'\(option)': no such file or folder: \(path)")
        }
    }

    /// The pairing keys every run may lack (a trace without them pairs with one
    /// without them), so they are not refused when no trace has them.
    static let standardPairKeys: Set<String> = ["sample", "dataset"]

    /// Refuses grouping or pairing keys that no trace has: a usage error
    /// (exit 2) naming the option, the unknown keys and the keys the traces have.
    /// - Throws: `ExitCode(2)` after the message is printed.
    static func requireKeys(_ keys: [String], option: String, in outcomes: [TraceOutcome]) throws {
        try requireKeys(keys, option: option, available: GroupKeys.available(in: outcomes))
    }

    /// ``requireKeys(_:option:in:)`` against the header keys the traces were found to hold.
    static func requireKeys(_ keys: [String], option: String, available: [String]) throws {
        do throws(GroupKeyError) {
            try GroupKeys.check(keys, available: available)
        } catch {
            TextOutput.standardOutput.flush()
            TextOutput.standardError.write("error: '\(option)': \(error)\n")
            TextOutput.standardError.flush()
            throw ExitCode(2)
        }
    }
}
