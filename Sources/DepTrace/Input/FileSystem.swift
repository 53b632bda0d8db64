#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes (atomic), folder creation and removal, with the system's own
/// reason in every error.
public enum FileSystem {
    /// Writes `bytes` to the file at `path` whole or not at all (``AtomicFile``):
    /// the old content stays until the new is on disk. `-` is standard output.
    public static func write(_ bytes: [UInt8], to path: String) throws(InputError) {
        guard path != "-" else {
            var failure: InputError?
            bytes.withUnsafeBytes { buffer in
                do throws(InputError) { try FileDescriptor.standardOutput.write(buffer) } catch { failure = error }
            }
            if let failure { throw failure }
            return
        }
        try AtomicFile.write(bytes, to: path)
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
