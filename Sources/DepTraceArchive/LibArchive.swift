internal import CArchive

/// The one place libarchive return codes become Swift errors.
enum LibArchive {
    /// libarchive's message for the last failure on `archive`.
    static func message(_ archive: OpaquePointer) -> String {
        guard let text = archive_error_string(archive) else { return "unknown libarchive error" }
        return String(cString: text)
    }

    /// Returns `code` when the call succeeded (or only warned); throws with libarchive's message otherwise.
    @discardableResult
    static func check(_ code: Int32, _ archive: OpaquePointer, path: String, entry: String? = nil) throws(ArchiveError) -> Int32 {
        guard code < ARCHIVE_WARN else { return code }
        throw ArchiveError(path: path, entry: entry, message: message(archive))
    }
}
