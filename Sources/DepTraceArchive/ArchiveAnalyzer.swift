import DepTrace

/// Reads the traces of an archive or a compressed file in place: entries
/// stream from libarchive into the trace readers, nothing is written to disk.
///
/// Entries are named `archive:entry` in outcomes and diagnostics. Decompression
/// and parsing run on different cores: small entries are decompressed on the
/// calling thread and parsed on others while the next ones decompress; a large
/// entry (or a single compressed file) is decompressed on a read-ahead thread
/// and cut at trace headers as it comes, its pieces parsed on the other cores
/// (``StreamAnalyzer``).
public enum ArchiveAnalyzer {
    /// What one entry (or one archive-level failure) gave.
    public struct EntryResult: Sendable {
        /// `archive:entry`, or the archive's path for a single compressed file or an archive-level message.
        public var name: String
        public var outcomes: [TraceOutcome] = []
        public var diagnostics: [Diagnostic] = []
        /// Uncompressed bytes read.
        public var bytes = 0
    }

    /// Entries up to this size (when the archive states it) are read whole and parsed on another core.
    static let bufferedEntryLimit: Int64 = 1 << 20
    /// Small entries go to a core together, up to this many bytes or ``entriesPerJob`` entries.
    static let bytesPerJob = 256 << 10
    static let entriesPerJob = 16
    /// Jobs decompressed ahead of the parsing: at most this many, so that at
    /// most about 11 MiB of entries are in flight (a job closes at 256 KiB, and
    /// its last entry is at most 1 MiB), in blocks of at most twice their size.
    static let jobsAhead = 8
    /// Blocks kept for reuse once parsed.
    static let blocksKept = 32
    /// Entries from this size (or of unknown size) are decompressed on a read-ahead thread.
    static let readAheadThreshold: Int64 = 1 << 20

    /// Reads every trace entry of the archive or compressed file at `path`, in
    /// parallel, delivering results in archive order.
    ///
    /// A damaged entry is reported with its name and every trace before it is
    /// delivered; the archive is then read no further, unless `keepGoing`,
    /// which goes on with the next entry where the archive allows it (any
    /// entry of a zip file; a tar entry whose damage left the stream readable).
    /// Passing a limit always stops the archive.
    ///
    /// - Parameters:
    ///   - entry: when given, only the entry of that name is read.
    ///   - workers: 1 parses one entry at a time; otherwise (0: one per core) entries are parsed on every core.
    ///   - deliver: called on the calling thread, in archive order.
    public static func analyze(
        path: String, entry selected: String? = nil, options: AnalysisOptions, limits: ArchiveLimits = ArchiveLimits(), keepGoing: Bool = false,
        workers: Int = 0, deliver: (EntryResult) -> Void
    ) {
        let threads = workers > 0 ? workers : ProcessorCount.active
        // A job is several small entries (a batch) or one result already known.
        let pipeline = OrderedPipeline<[EntryResult]>(maxInFlight: threads > 1 ? jobsAhead : 1)
        func deliverJob(_ results: [EntryResult]) { results.forEach(deliver) }
        // Blocks for small entries, reused once parsed: no zeroing, no page faults after the first few.
        let pool = ByteBlockPool(limit: blocksKept + threads)
        var batch = EntryBatch()
        func submitBatch() {
            guard !batch.isEmpty else { return }
            let entries = batch.entries
            batch = EntryBatch()
            pipeline.submit(delivering: deliverJob) {
                entries.map { entry in
                    var merger = PieceMerger(name: entry.name)
                    merger.add(PieceMerger.read(
                        block: entry.block, count: entry.count, then: BufferByteSource(bytes: [], trailingError: entry.failure),
                        name: entry.name, options: options), startingAt: 0)
                    pool.give(entry.block)
                    let merged = merger.finish()
                    return EntryResult(name: entry.name, outcomes: merged.outcomes, diagnostics: merged.diagnostics, bytes: merged.summary.bytes)
                }
            }
        }
        // Messages about the archive itself, queued after the entries read before them.
        var archiveDiagnostics: [Diagnostic] = []
        func submitArchiveDiagnostics() {
            guard !archiveDiagnostics.isEmpty else { return }
            submitBatch()
            for diagnostic in archiveDiagnostics {
                pipeline.submitReady([EntryResult(name: diagnostic.file, diagnostics: [diagnostic])])
            }
            archiveDiagnostics.removeAll()
        }
        let walker = ArchiveEntryWalker(path: path, limits: limits, keepGoing: keepGoing) { archiveDiagnostics.append($0) }
        walker.walk(selecting: selected) { entry in
            submitArchiveDiagnostics()
            pipeline.deliverReady(deliverJob)
            if let size = entry.size, size <= bufferedEntryLimit, !entry.isSingleFile {
                // Decompress here, parse on another core, in place; a few entries to a hand-over,
                // as waking a thread costs this one more than reading a small entry.
                let (block, count, failure) = readWhole(entry.source, expected: size, pool: pool)
                batch.add(EntryBatch.Entry(name: entry.name, block: block, count: count, failure: failure))
                if batch.isFull { submitBatch() }
            } else {
                // Large, or of unknown size: in order, decompressed on a read-ahead thread and cut
                // here at trace headers as it comes, the pieces parsed on the other cores (or here, with one).
                submitBatch()
                pipeline.drain(deliverJob)
                let ahead = ReadAheadSource(entry.source)
                let merged = StreamAnalyzer.analyze(ahead, name: entry.name, options: options, workers: threads)
                ahead.finish()
                pipeline.submitReady([EntryResult(name: entry.name, outcomes: merged.outcomes, diagnostics: merged.diagnostics, bytes: merged.summary.bytes)])
            }
        }
        submitBatch()
        submitArchiveDiagnostics()
        pipeline.drain(deliverJob)
    }

    /// Small entries read whole, to be parsed one after another on one core.
    private struct EntryBatch {
        struct Entry {
            var name: String
            var block: ByteBlock
            var count: Int
            var failure: InputError?
        }

        private(set) var entries: [Entry] = []
        private var bytes = 0

        var isEmpty: Bool { entries.isEmpty }
        var isFull: Bool { bytes >= ArchiveAnalyzer.bytesPerJob || entries.count >= ArchiveAnalyzer.entriesPerJob }

        mutating func add(_ entry: Entry) {
            entries.append(entry)
            bytes += entry.count
        }
    }

    /// Reads the trace entries of the archive or compressed file at `path` one
    /// after another on the calling thread (decompression reads ahead on
    /// another), reporting every trace, record and diagnostic to `observer`.
    ///
    /// - Parameter entry: when given, only the entry of that name is read.
    /// - Returns: the counts of every entry read, added up.
    @discardableResult
    public static func analyze<Observer: TraceObserver>(
        path: String, entry selected: String? = nil, options: AnalysisOptions, limits: ArchiveLimits = ArchiveLimits(),
        keepGoing: Bool = false, observer: inout Observer
    ) -> InputAnalyzer.Summary {
        var total = InputAnalyzer.Summary.zero
        var diagnostics: [Diagnostic] = []
        func flush(into observer: inout Observer) {
            for diagnostic in diagnostics {
                if diagnostic.severity == .error { total.errors += 1 } else { total.warnings += 1 }
                observer.report(diagnostic)
            }
            diagnostics.removeAll()
        }
        let walker = ArchiveEntryWalker(path: path, limits: limits, keepGoing: keepGoing) { diagnostics.append($0) }
        walker.walk(selecting: selected) { entry in
            flush(into: &observer)
            total.add(analyzeStreaming(entry, options: options, observer: &observer))
        }
        flush(into: &observer)
        return total
    }

    /// Reads the trace entries of the archive or compressed file at `path` one
    /// after another on the calling thread, in one pass, each into a fresh
    /// observer from `makeObserver`, handed to `finished` with the entry's name
    /// (`archive:entry`) and counts.
    ///
    /// - Parameters:
    ///   - entry: when given, only the entry of that name is read.
    ///   - report: diagnostics about the archive rather than an entry (it is
    ///     not an archive, or it is damaged between entries).
    public static func analyzeEachEntry<Observer: TraceObserver>(
        path: String, entry selected: String? = nil, options: AnalysisOptions, limits: ArchiveLimits = ArchiveLimits(),
        keepGoing: Bool = false, makeObserver: () -> Observer, report: (Diagnostic) -> Void,
        finished: (_ name: String, _ observer: Observer, _ summary: InputAnalyzer.Summary) -> Void
    ) {
        // The walker keeps its report closure only while it walks, here.
        withoutActuallyEscaping(report) { report in
            let walker = ArchiveEntryWalker(path: path, limits: limits, keepGoing: keepGoing, report: report)
            walker.walk(selecting: selected) { entry in
                var observer = makeObserver()
                let summary = analyzeStreaming(entry, options: options, observer: &observer)
                finished(entry.name, observer, summary)
            }
        }
    }

    /// The names of the trace entries of the archive at `path`, in archive
    /// order (their data is not parsed), and whether it is a single compressed file.
    ///
    /// - Throws: ``ArchiveError`` when the archive cannot be read to its end.
    public static func traceEntries(path: String, limits: ArchiveLimits = ArchiveLimits()) throws(ArchiveError) -> (names: [String], isSingleFile: Bool) {
        var names: [String] = []
        var single = false
        var failure: ArchiveError?
        let walker = ArchiveEntryWalker(path: path, limits: limits, keepGoing: false) { diagnostic in
            if diagnostic.severity == .error, failure == nil { failure = ArchiveError(path: path, message: diagnostic.message) }
        }
        walker.walk { entry in
            names.append(entry.entryName)
            single = entry.isSingleFile
        }
        if let failure { throw failure }
        return (names, single)
    }

    /// Parses one entry on the calling thread, decompressing it on a read-ahead thread when it is large.
    private static func analyzeStreaming<Observer: TraceObserver>(
        _ entry: ArchiveEntryWalker.Entry, options: AnalysisOptions, observer: inout Observer
    ) -> InputAnalyzer.Summary {
        guard entry.size.map({ $0 >= readAheadThreshold }) ?? true else {
            return InputAnalyzer.analyze(entry.source, name: entry.name, options: options, observer: &observer)
        }
        let ahead = ReadAheadSource(entry.source)
        defer { ahead.finish() }
        return InputAnalyzer.analyze(ahead, name: entry.name, options: options, observer: &observer)
    }

    /// Reads an entry whole into a block from `pool`: the block, the bytes read, and the error that ended the reading, if any.
    static func readWhole(_ source: ArchiveEntrySource, expected size: Int64, pool: ByteBlockPool) -> (ByteBlock, Int, InputError?) {
        // One byte more than stated, so that an entry longer than its header says is seen to be.
        // Reads ask for what is left of this, never for a pooled block's spare room: how much a
        // damaged entry gives before its error depends on the size asked for (zip's inflate
        // drops what it decoded in a call that fails), and must not depend on which block came.
        var limit = Int(size) + 1
        var block = pool.take(capacity: limit)
        var filled = 0
        while true {
            if filled == limit {
                limit = Swift.max(limit * 2, 4096)
                if block.capacity < limit {
                    let grown = ByteBlock(capacity: limit)
                    grown.bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: block.bytes[0..<filled]))
                    block = grown
                }
            }
            do throws(InputError) {
                let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: block.bytes[filled..<limit]))
                if read == 0 { return (block, filled, nil) }
                filled += read
            } catch {
                return (block, filled, error)
            }
        }
    }
}
