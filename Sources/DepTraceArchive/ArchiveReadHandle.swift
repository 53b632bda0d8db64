internal import CArchive

/// Owns one libarchive reader (`struct archive *`) open on a file, with only
/// the formats and filters DepTrace means to read enabled: tar, zip, and raw
/// (a single compressed file); gzip, zstd, xz and bzip2. Never
/// `archive_read_support_format_all`: libarchive 3.6.2 takes a JSON Lines
/// file for an mtree archive and returns nothing.
final class ArchiveReadHandle {
    private let raw: OpaquePointer
    let path: String
    /// The header of the entry last returned by ``nextEntry()``; owned by libarchive.
    private var entry: OpaquePointer?

    /// What a header read gave.
    enum Header {
        case entry(name: String, isRegularFile: Bool, size: Int64?)
        case end
    }

    /// Opens `path` for reading.
    ///
    /// - Throws: ``ArchiveError`` with libarchive's message when the file cannot be opened or is no archive it reads.
    /// - Parameter streamingZip: read a zip file front to back from its local
    ///   headers, without its central directory.
    init(path: String, blockSize: Int = 1 << 20, streamingZip: Bool = false) throws(ArchiveError) {
        guard let raw = archive_read_new() else { throw ArchiveError(path: path, message: "cannot create an archive reader (out of memory)") }
        self.raw = raw
        self.path = path
        // A name that says what the file is decides the format: a compressed trace whose content happens to
        // begin like a tar header (512 zero bytes) must not read as an empty tar archive.
        let kind = ArchiveInput.Kind(name: path)
        if kind == .tar || kind == .unknown { try check(archive_read_support_format_tar(raw)) }
        if kind == .zip || kind == .unknown {
            try check(streamingZip ? archive_read_support_format_zip_streamable(raw) : archive_read_support_format_zip(raw))
        }
        if kind == .compressedTrace || kind == .unknown { try check(archive_read_support_format_raw(raw)) }
        try check(archive_read_support_filter_gzip(raw))
        try check(archive_read_support_filter_zstd(raw))
        try check(archive_read_support_filter_xz(raw))
        try check(archive_read_support_filter_bzip2(raw))
        try check(archive_read_open_filename(raw, path, blockSize))
    }

    deinit { archive_read_free(raw) }

    /// libarchive's message for the last failure.
    var errorMessage: String { LibArchive.message(raw) }

    @discardableResult
    private func check(_ code: Int32, entry: String? = nil) throws(ArchiveError) -> Int32 {
        try LibArchive.check(code, raw, path: path, entry: entry)
    }

    /// Whether the archive is a single compressed file rather than a tar or zip archive (known after the first header).
    var isSingleFile: Bool { archive_format(raw) & ARCHIVE_FORMAT_BASE_MASK == ARCHIVE_FORMAT_RAW }

    /// Whether the archive is a zip file, whose entries can be reached again after a damaged one.
    var isZip: Bool { archive_format(raw) & ARCHIVE_FORMAT_BASE_MASK == ARCHIVE_FORMAT_ZIP }

    /// Compressed bytes read from the file so far.
    var compressedBytesRead: Int64 { archive_filter_bytes(raw, -1) }

    /// Reads the next entry's header.
    ///
    /// - Throws: ``ArchiveError`` when the header cannot be read (a damaged or cut archive); `fatal` tells whether the reader is still usable.
    func nextEntry() throws(HeaderFailure) -> Header {
        var header: OpaquePointer?
        let code = archive_read_next_header(raw, &header)
        if code == ARCHIVE_EOF { return .end }
        guard code >= ARCHIVE_WARN, let header else {
            throw HeaderFailure(error: ArchiveError(path: path, message: errorMessage), fatal: code <= ARCHIVE_FATAL)
        }
        entry = header
        let name = archive_entry_pathname(header).map { String(cString: $0) } ?? "(unnamed entry)"
        let isRegularFile = deptrace_archive_entry_is_regular_file(header) != 0
        let size = archive_entry_size_is_set(header) != 0 ? archive_entry_size(header) : nil
        return .entry(name: name, isRegularFile: isRegularFile, size: size)
    }

    struct HeaderFailure: Error {
        var error: ArchiveError
        var fatal: Bool
    }

    /// Reads the current entry's data into `buffer`: the bytes read, 0 at its end.
    ///
    /// - Throws: ``DataFailure`` with libarchive's message; `fatal` tells whether the reader is still usable.
    func readData(into buffer: UnsafeMutableRawBufferPointer) throws(DataFailure) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let count = archive_read_data(raw, base, buffer.count)
        guard count >= 0 else { throw DataFailure(message: errorMessage, fatal: Int32(count) <= ARCHIVE_FATAL) }
        return count
    }

    struct DataFailure: Error {
        var message: String
        var fatal: Bool
    }

    /// Skips the current entry's data.
    func skipData() throws(DataFailure) {
        let code = archive_read_data_skip(raw)
        guard code >= ARCHIVE_WARN else { throw DataFailure(message: errorMessage, fatal: code <= ARCHIVE_FATAL) }
    }
}
