import DepTrace

/// Walks the trace entries of an archive or a compressed file in archive
/// order, applying the limits and the rules for damage that every reader of
/// archives shares.
///
/// A damaged entry is reported with its name; the walk then stops, unless
/// `keepGoing`, which goes on with the next entry where the archive allows it
/// (any entry of a zip file, reopened past the damage; a tar entry whose damage
/// left the stream readable). Passing a limit always stops the walk.
final class ArchiveEntryWalker {
    /// One trace entry, its data ready to read from ``source``.
    struct Entry {
        /// `archive:entry`, or the archive's path for a single compressed file.
        let name: String
        /// The entry's name inside the archive.
        let entryName: String
        /// The uncompressed size, when the archive states it.
        let size: Int64?
        /// Whether the archive is a single compressed file.
        let isSingleFile: Bool
        let source: ArchiveEntrySource
    }

    private let path: String
    private let limits: ArchiveLimits
    private let keepGoing: Bool
    private let report: (Diagnostic) -> Void
    /// Trace entries handed to the body so far.
    private(set) var traceEntries = 0

    /// - Parameter report: receives archive-level diagnostics (damage between
    ///   entries, limits stated in headers, the note that the walk stopped).
    init(path: String, limits: ArchiveLimits, keepGoing: Bool, report: @escaping (Diagnostic) -> Void) {
        self.path = path
        self.limits = limits
        self.keepGoing = keepGoing
        self.report = report
    }

    /// Calls `body` with each trace entry, in archive order; `body` reads as
    /// much of the entry as it wants before returning (the archive moves on
    /// after it returns, so the source must not be read later).
    ///
    /// - Parameter selecting: when given, only the entry of that name is handed over.
    func walk(selecting: String? = nil, _ body: (Entry) -> Void) {
        let totals = ArchiveTotals()
        var handle: ArchiveReadHandle
        // A zip whose central directory disagrees with its entries is reported, then read entry by entry
        // from its local headers, as a stream: what the entries hold is not lost with the directory.
        let zipProblem = ZipDirectoryCheck.problem(path: path)
        if let zipProblem { report(Diagnostic(.error, file: path, message: zipProblem + "; its entries are read from their local headers")) }
        do {
            handle = try ArchiveReadHandle(path: path, streamingZip: zipProblem != nil)
        } catch {
            report(Diagnostic(.error, file: path, message: error.message))
            return
        }
        var index = 0  // headers read through the current handle
        var resumeAt = 0  // after reopening a zip file: headers to pass over
        var lastEntry: String?
        var reported = zipProblem != nil
        func fail(_ severity: Diagnostic.Severity, _ message: String) {
            reported = true
            report(Diagnostic(severity, file: path, message: message))
        }
        /// Reopens a zip file to read on after entry `damaged`; false when it cannot.
        func reopen(after damaged: Int) -> Bool {
            guard keepGoing, handle.isZip, zipProblem == nil, let reopened = try? ArchiveReadHandle(path: path) else { return false }
            handle = reopened
            resumeAt = damaged + 1
            index = 0
            return true
        }

        reading: while true {
            let header: ArchiveReadHandle.Header
            do {
                header = try handle.nextEntry()
            } catch {
                if index < resumeAt { break reading }  // the damage that stopped us before: no way past it
                let place = lastEntry.map { "damaged archive after entry \($0): " } ?? "cannot read the archive: "
                fail(.error, place + error.error.message)
                if !error.fatal, keepGoing { index += 1; continue reading }
                if error.fatal, reopen(after: index) { continue reading }
                break reading
            }
            guard case let .entry(entryName, isRegularFile, size) = header else { break reading }
            let position = index
            index += 1
            let single = handle.isSingleFile
            let wanted = single || (isRegularFile && ArchiveInput.isTraceEntry(entryName) && (selecting == nil || selecting == entryName))
            if position < resumeAt || !wanted {
                if position < resumeAt { do { try handle.skipData() } catch { break reading } }
                continue reading
            }
            traceEntries += 1
            let name = single ? path : "\(path):\(entryName)"
            lastEntry = entryName
            if let size, size > limits.maxEntryBytes {
                report(Diagnostic(.error, file: name, message: "the archive states \(ByteCount.text(size)) uncompressed for this entry, more than the limit of \(ByteCount.text(limits.maxEntryBytes)); not read (raise it with --max-entry-bytes)"))
                break reading
            }
            let source = ArchiveEntrySource(handle: handle, name: name, limits: limits, totals: totals)
            body(Entry(name: name, entryName: entryName, size: size, isSingleFile: single, source: source))
            switch source.failure?.kind {
            case nil:
                if selecting != nil { break reading }
                continue reading
            case .limit: break reading
            case .damaged(let fatal):
                if !fatal, keepGoing { continue reading }
                if fatal, reopen(after: position) { continue reading }
                if !keepGoing { fail(.warning, "entries after \(entryName) are not read; --keep-going reads on where the archive allows it") }
                break reading
            }
        }
        if traceEntries == 0, !reported {
            if let selecting {
                fail(.error, "no trace entry named \(selecting) in this archive")
            } else {
                fail(.warning, "no trace entry (\(ArchiveInput.traceEntryExtensions.map { "*" + $0 }.joined(separator: ", "))) in this archive")
            }
        }
    }
}
