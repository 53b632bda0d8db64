#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat(2)` says about a path: the few questions the CLI asks of the
/// file system, answered without Foundation's full (ICU-linked) library.
public struct FileStatus: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case regularFile, directory, symbolicLink, other
    }

    public let kind: Kind
    /// The size in bytes (meaningful for regular files).
    public let size: Int64
    private let device: UInt64
    private let inode: UInt64

    /// The status of `path`, following symbolic links unless `followingLinks`
    /// is false; nil when the path does not exist or cannot be examined.
    public init?(path: String, followingLinks: Bool = true) {
        var status = stat()
        guard (followingLinks ? stat(path, &status) : lstat(path, &status)) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG: kind = .regularFile
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = Int64(status.st_size)
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    public var isDirectory: Bool { kind == .directory }

    /// Whether both statuses describe the same file, whatever paths led to it.
    public func isSameFile(as other: FileStatus) -> Bool { device == other.device && inode == other.inode }
}
