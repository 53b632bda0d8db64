import DepTrace
import Dispatch
import Foundation

/// Reads the traces of an archive or a compressed file in place: entries
/// stream from libarchive into the trace readers, nothing is written to disk.
///
/// Entries are named `archive:entry` in outcomes and diagnostics. Small
/// entries are decompressed on the calling thread and parsed on other cores
/// while the next ones decompress; results are delivered in archive order.
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
    static let bufferedEntryLimit: Int64 = 8 << 20

    /// Reads every trace entry of the archive or compressed file at `path`.
    ///
    /// A damaged entry is reported with its name and every trace before it is
    /// delivered; the archive is then read no further, unless `keepGoing`,
    /// which goes on with the next entry where the archive allows it (any
    /// entry of a zip file; a tar entry whose damage left the stream readable).
    /// Passing a limit always stops the archive.
    ///
    /// - Parameters:
    ///   - workers: threads parsing entries; 0 means one per core.
    ///   - deliver: called on the calling thread, in archive order.
    public static func analyze(
        path: String, options: AnalysisOptions, limits: ArchiveLimits = ArchiveLimits(), keepGoing: Bool = false,
        workers: Int = 0, deliver: (EntryResult) -> Void
    ) {
        let threads = workers > 0 ? workers : ProcessorCount.active
        let pipeline = OrderedPipeline(maxInFlight: Swift.max(2, Swift.min(2 * threads, 32)))
        let totals = ArchiveTotals()
        var handle: ArchiveReadHandle
        do {
            handle = try ArchiveReadHandle(path: path)
        } catch {
            deliver(EntryResult(name: path, diagnostics: [Diagnostic(.error, file: path, message: error.message)]))
            return
        }
        var index = 0  // headers read through the current handle
        var resumeAt = 0  // after reopening a zip file: headers to pass over
        var traceEntries = 0
        var lastEntry: String?
        func report(_ severity: Diagnostic.Severity, _ message: String) {
            pipeline.submitReady(EntryResult(name: path, diagnostics: [Diagnostic(severity, file: path, message: message)]))
        }
        /// Reopens a zip file to read on after entry `index`; false when it cannot.
        func reopen(after damaged: Int) -> Bool {
            guard keepGoing, handle.isZip, let reopened = try? ArchiveReadHandle(path: path) else { return false }
            handle = reopened
            resumeAt = damaged + 1
            index = 0
            return true
        }
        func stopNote(after name: String) {
            if !keepGoing { report(.warning, "entries after \(name) are not read; --keep-going reads on where the archive allows it") }
        }

        reading: while true {
            pipeline.deliverReady(deliver)
            let header: ArchiveReadHandle.Header
            do {
                header = try handle.nextEntry()
            } catch {
                let place = lastEntry.map { "damaged archive after entry \($0): " } ?? "cannot read the archive: "
                if index < resumeAt { break reading }  // the damage that stopped us before: no way past it
                report(.error, place + error.error.message)
                if !error.fatal, keepGoing { index += 1; continue reading }
                if error.fatal, reopen(after: index) { continue reading }
                break reading
            }
            guard case let .entry(entryName, isRegularFile, size) = header else { break reading }
            let position = index
            index += 1
            if position < resumeAt {
                do { try handle.skipData() } catch { break reading }
                continue reading
            }
            let single = handle.isSingleFile
            guard single || (isRegularFile && ArchiveInput.isTraceEntry(entryName)) else { continue reading }
            traceEntries += 1
            let name = single ? path : "\(path):\(entryName)"
            lastEntry = entryName
            if let size, size > limits.maxEntryBytes {
                pipeline.submitReady(EntryResult(
                    name: name,
                    diagnostics: [Diagnostic(.error, file: name, message: "the archive states \(ByteCount.text(size)) uncompressed for this entry, more than the limit of \(ByteCount.text(limits.maxEntryBytes)); not read (raise it with --max-entry-bytes)")],
                    bytes: 0))
                break reading
            }
            let source = ArchiveEntrySource(handle: handle, name: name, limits: limits, totals: totals)
            if let size, size <= bufferedEntryLimit, !single {
                // Decompress here, parse on another core.
                var bytes = [UInt8](repeating: 0, count: Int(size) + 1)
                var filled = 0
                var trailing: InputError?
                while true {
                    if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: Swift.max(bytes.count, 4096))) }
                    do {
                        let read = try bytes.withUnsafeMutableBytes { buffer throws(InputError) in
                            try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                        }
                        if read == 0 { break }
                        filled += read
                    } catch let error as InputError {
                        trailing = error
                        break
                    } catch {
                        break
                    }
                }
                bytes.removeLast(bytes.count - filled)
                let entryBytes = bytes
                let failure = trailing
                pipeline.submit {
                    var collector = Collector()
                    let summary = InputAnalyzer.analyze(
                        BufferedEntrySource(bytes: entryBytes, trailingError: failure), name: name, options: options, observer: &collector)
                    return EntryResult(name: name, outcomes: collector.outcomes, diagnostics: collector.diagnostics, bytes: summary.bytes)
                }
            } else {
                // Large, or of unknown size: stream it through the readers here, in order.
                pipeline.drain(deliver)
                var collector = Collector()
                let summary = InputAnalyzer.analyze(source, name: name, options: options, observer: &collector)
                pipeline.submitReady(EntryResult(name: name, outcomes: collector.outcomes, diagnostics: collector.diagnostics, bytes: summary.bytes))
            }
            switch source.failure?.kind {
            case nil: continue reading
            case .limit: break reading
            case .damaged(let fatal):
                if !fatal, keepGoing { continue reading }
                if fatal, reopen(after: position) { continue reading }
                stopNote(after: entryName)
                break reading
            }
        }
        if traceEntries == 0, !pipeline.hasResults {
            report(.warning, "no trace entry (\(ArchiveInput.traceEntryExtensions.map { "*" + $0 }.joined(separator: ", "))) in this archive")
        }
        pipeline.drain(deliver)
    }

    /// Collects one entry's outcomes and diagnostics.
    struct Collector: TraceObserver {
        var outcomes: [TraceOutcome] = []
        var diagnostics: [Diagnostic] = []
        mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) { outcomes.append(outcome) }
        mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
    }
}
