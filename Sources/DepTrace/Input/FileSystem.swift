#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes, folder creation and removal, with the system's own
/// reason in every error.
public enum FileSystem {
    /// Creates or truncates the file at `path` and writes `bytes` into it.
    public static func write(_ bytes: [UInt8], to path: String) throws(InputError) {
        let file = try FileDescriptor(opening: path, flags: FileDescriptor.createOrTruncate)
        var failure: InputError?
        bytes.withUnsafeBytes { buffer in
            do throws(InputError) { try file.write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Creates the folder at `path` and any missing parent, as `mkdir -p` does.
    public static func createFolders(_ path: String) throws(InputError) {
        if let status = FileStatus(path: path) {
            guard status.isDirectory else { throw .writeFailed(path, "it is a file, not a folder") }
            return
        }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if FileStatus(path: prefix) == nil, mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw .writeFailed(prefix, "cannot create the folder: \(systemMessage(errno))")
            }
            prefix += "/"
        }
    }

    /// Removes the file at `path`; nothing happens when there is none.
    public static func removeFile(_ path: String) throws(InputError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .writeFailed(path, "cannot remove: \(systemMessage(errno))") }
    }
}
