internal import CArchive

/// Owns one libarchive writer (`struct archive *`) writing into an open file.
final class ArchiveWriteHandle {
    private let raw: OpaquePointer
    let path: String
    private var closed = false

    enum Format { case tar, zip, raw }
    enum Filter { case none, gzip, zstd, xz, bzip2 }

    /// - Parameters:
    ///   - descriptor: the open file to write (owned by the caller, not closed here).
    ///   - path: the name used in messages.
    init(descriptor: Int32, path: String, format: Format, filter: Filter) throws(ArchiveError) {
        guard let raw = archive_write_new() else { throw ArchiveError(path: path, message: "cannot create an archive writer (out of memory)") }
        self.raw = raw
        self.path = path
        switch format {
        case .tar: try check(archive_write_set_format_pax_restricted(raw))
        case .zip: try check(archive_write_set_format_zip(raw))
        case .raw: try check(archive_write_set_format_raw(raw))
        }
        switch filter {
        case .none: break
        case .gzip:
            try check(archive_write_add_filter_gzip(raw))
            // No time stamp in the gzip header: the same traces make the same bytes.
            try check(archive_write_set_filter_option(raw, "gzip", "timestamp", nil))
        case .zstd: try check(archive_write_add_filter_zstd(raw))
        case .xz: try check(archive_write_add_filter_xz(raw))
        case .bzip2: try check(archive_write_add_filter_bzip2(raw))
        }
        // As with a file name, libarchive pads the last block only for devices, not for a regular file.
        try check(archive_write_open_fd(raw, descriptor))
    }

    deinit {
        // archive_write_free closes (and flushes) a writer not closed yet.
        archive_write_free(raw)
    }

    private var errorMessage: String { LibArchive.message(raw) }

    @discardableResult
    private func check(_ code: Int32, entry: String? = nil) throws(ArchiveError) -> Int32 {
        try LibArchive.check(code, raw, path: path, entry: entry)
    }

    /// Starts a regular-file entry of `size` bytes.
    func beginEntry(name: String, size: Int64, modificationTime: Int) throws(ArchiveError) {
        guard let entry = archive_entry_new() else { throw ArchiveError(path: path, entry: name, message: "out of memory") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, name)
        archive_entry_set_size(entry, size)
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_mtime(entry, modificationTime, 0)
        try check(archive_write_header(raw, entry), entry: name)
    }

    /// Writes data of the current entry.
    func write(_ bytes: UnsafeRawBufferPointer, entry: String) throws(ArchiveError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let written = archive_write_data(raw, base, bytes.count)
        if written < 0 { throw ArchiveError(path: path, entry: entry, message: errorMessage) }
    }

    /// Finishes the file.
    func close() throws(ArchiveError) {
        guard !closed else { return }
        closed = true
        try check(archive_write_close(raw))
    }
}
