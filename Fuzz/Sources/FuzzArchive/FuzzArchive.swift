import DepTrace
import DepTraceArchive
import FuzzSupport

/// The input is written to a scratch file, since ``ArchiveAnalyzer`` reads a path (a zip
/// is opened again to read past a damaged entry).
nonisolated(unsafe) let scratch = ScratchFile(stem: "deptrace-fuzz-archive")

/// Small limits, so a decompression bomb stops at them long before libFuzzer's memory limit.
let limits = ArchiveLimits(maxEntryBytes: 32 << 20, maxArchiveBytes: 64 << 20, maxRatio: 1000, ratioFloor: 1 << 20)

/// One entry's result, comparable between runs.
struct EntryRecord: Hashable, CustomStringConvertible {
    var name: String
    var outcomes: [OutcomeRecord]
    var diagnostics: [Diagnostic]
    var bytes: Int

    init(_ result: ArchiveAnalyzer.EntryResult) {
        name = result.name
        outcomes = result.outcomes.map(OutcomeRecord.init)
        diagnostics = result.diagnostics
        bytes = result.bytes
    }

    /// The note that the archive is read no further without `--keep-going`.
    var isStopNote: Bool { diagnostics.count == 1 && outcomes.isEmpty && diagnostics[0].message.contains("--keep-going reads on") }

    var description: String { "\(name): \(outcomes) \(diagnostics.map(\.description))" }
}

func analyze(keepGoing: Bool, workers: Int) -> [EntryRecord] {
    var results: [EntryRecord] = []
    ArchiveAnalyzer.analyze(path: scratch.path, options: AnalysisOptions(), limits: limits, keepGoing: keepGoing, workers: workers) {
        results.append(EntryRecord($0))
    }
    return results
}

/// libFuzzer entry: the input is read as an archive or compressed file, once
/// stopping at the first damage (one parsing thread) and once with
/// `keepGoing` (two threads): what the first run delivers, bar its note that
/// it stopped, must begin the second, entry by entry and in order.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArchive(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    scratch.write(data, size)
    let stopping = analyze(keepGoing: false, workers: 1).filter { !$0.isStopNote }
    let going = analyze(keepGoing: true, workers: 2)
    Invariant.check(!going.isEmpty, "nothing delivered for an archive of \(size) bytes")
    Invariant.check(going.count >= stopping.count && Array(going.prefix(stopping.count)) == stopping,
                    "--keep-going changed what comes before the damage:\n  stopping: \(stopping)\n  going: \(going)")
    return 0
}
