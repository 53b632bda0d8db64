import DepTrace

/// An archive or compressed file, or one entry of an archive, read in place
/// as a ``TraceReadable``.
public struct ArchiveTraceSource: TraceReadable, Sendable, Hashable {
    /// The archive's path.
    public var path: String
    /// The one entry to read, or nil for every trace entry in archive order.
    public var entry: String?
    public var limits: ArchiveLimits
    public var keepGoing: Bool

    public init(path: String, entry: String? = nil, limits: ArchiveLimits = ArchiveLimits(), keepGoing: Bool = false) {
        self.path = path
        self.entry = entry
        self.limits = limits
        self.keepGoing = keepGoing
    }

    /// `archive:entry`, or the archive's path.
    public var displayName: String { entry.map { "\(path):\($0)" } ?? path }

    public func analyze<Observer: TraceObserver>(options: AnalysisOptions, observer: inout Observer) -> InputAnalyzer.Summary {
        ArchiveAnalyzer.analyze(path: path, entry: entry, options: options, limits: limits, keepGoing: keepGoing, observer: &observer)
    }

    /// One observer per trace entry, in archive order, decompressing the archive once.
    public func analyzeEachFile<Observer: TraceObserver>(
        options: AnalysisOptions, makeObserver: () -> Observer, report: (Diagnostic) -> Void,
        finished: (_ name: String, _ observer: Observer, _ summary: InputAnalyzer.Summary) -> Void
    ) {
        ArchiveAnalyzer.analyzeEachEntry(
            path: path, entry: entry, options: options, limits: limits, keepGoing: keepGoing,
            makeObserver: makeObserver, report: report, finished: finished)
    }

    /// Splits `ARCHIVE:ENTRY` when `reference` names no file but its part before
    /// a colon is an archive: `runs.tar.zst:h2o/17.dtrace.jsonl`.
    public static func entryReference(_ reference: String) -> ArchiveTraceSource? {
        guard FileStatus(path: reference) == nil else { return nil }
        var index = reference.endIndex
        while let colon = reference[..<index].lastIndex(of: ":") {
            let archive = String(reference[..<colon])
            let entry = String(reference[reference.index(after: colon)...])
            if !entry.isEmpty, let status = FileStatus(path: archive), !status.isDirectory,
                ArchiveInput.isArchiveOrCompressed(path: archive)
            {
                return ArchiveTraceSource(path: archive, entry: entry)
            }
            index = colon
        }
        return nil
    }

    /// One source per trace entry of this archive (a single compressed file gives itself).
    ///
    /// - Throws: ``ArchiveError`` when the archive's entries cannot be listed.
    public func entries() throws(ArchiveError) -> [ArchiveTraceSource] {
        guard entry == nil else { return [self] }
        let (names, single) = try ArchiveAnalyzer.traceEntries(path: path, limits: limits)
        if single { return [self] }
        return names.map { ArchiveTraceSource(path: path, entry: $0, limits: limits, keepGoing: keepGoing) }
    }
}
