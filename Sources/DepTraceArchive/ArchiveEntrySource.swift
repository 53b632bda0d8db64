import DepTrace

/// The data of the current archive entry as a ``ByteSource``, counted against
/// the archive's limits. A failure is kept so that the archive reader knows,
/// after the trace readers stop, whether and how the entry ended badly.
final class ArchiveEntrySource: ByteSource {
    /// How an entry ended badly.
    enum Failure {
        /// libarchive failed; `fatal` when the reader cannot go on.
        case damaged(fatal: Bool)
        /// A limit was passed: the archive is read no further.
        case limit
    }

    private let handle: ArchiveReadHandle
    private let name: String
    private let limits: ArchiveLimits
    private let totals: ArchiveTotals
    private var entryBytes: Int64 = 0
    private(set) var failure: (kind: Failure, error: InputError)?

    init(handle: ArchiveReadHandle, name: String, limits: ArchiveLimits, totals: ArchiveTotals) {
        self.handle = handle
        self.name = name
        self.limits = limits
        self.totals = totals
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if let failure { throw failure.error }
        let count: Int
        do {
            count = try handle.readData(into: buffer)
        } catch {
            return try fail(.damaged(fatal: error.fatal), .readFailed(name, error.message))
        }
        entryBytes += Int64(count)
        totals.uncompressed += Int64(count)
        if entryBytes > limits.maxEntryBytes {
            return try fail(.limit, .unsupportedContent(name, "more than \(ByteCount.text(limits.maxEntryBytes)) uncompressed in this entry; stopped at the limit (raise it with --max-entry-bytes)"))
        }
        if totals.uncompressed > limits.maxArchiveBytes {
            return try fail(.limit, .unsupportedContent(name, "more than \(ByteCount.text(limits.maxArchiveBytes)) uncompressed in this archive; stopped at the limit (raise it with --max-archive-bytes)"))
        }
        if totals.uncompressed > limits.ratioFloor {
            let compressed = Swift.max(handle.compressedBytesRead, 1)
            if Double(totals.uncompressed) > limits.maxRatio * Double(compressed) {
                let ratio = Int(Double(totals.uncompressed) / Double(compressed))
                return try fail(.limit, .unsupportedContent(name, "\(ByteCount.text(totals.uncompressed)) uncompressed from \(ByteCount.text(compressed)): a compression ratio of \(ratio):1, over the limit of \(Int(limits.maxRatio)):1 (a zip bomb?); stopped (raise it with --max-ratio)"))
            }
        }
        return count
    }

    private func fail(_ kind: Failure, _ error: InputError) throws(InputError) -> Int {
        failure = (kind, error)
        throw error
    }
}
