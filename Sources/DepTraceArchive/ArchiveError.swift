/// A failure of libarchive, or of a limit, on an archive or one of its entries.
///
/// Its description is `archive:entry: message`, the entry left out when the
/// failure is about the archive as a whole; `message` is libarchive's own
/// (`archive_error_string`) where libarchive reported the failure.
public struct ArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The archive's path.
    public var path: String
    /// The entry's name in the archive, when the failure is about one entry.
    public var entry: String?
    public var message: String

    public init(path: String, entry: String? = nil, message: String) {
        self.path = path
        self.entry = entry
        self.message = message
    }

    /// `path:entry`, or `path` alone.
    public var location: String { entry.map { "\(path):\($0)" } ?? path }

    public var description: String { "\(location): \(message)" }
}
