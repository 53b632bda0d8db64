#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written whole or not at all: bytes go to a temporary file beside the
/// target, which ``commit()`` flushes to disk and renames over the target.
/// Until then the target keeps its old content (or does not exist); a writer
/// released without committing, an error, or a stopping signal removes the
/// temporary file (``TemporaryFiles``).
public final class AtomicFile {
    /// The path the file will have once committed.
    public let path: String
    /// Where the bytes are written until then.
    public let temporaryPath: String
    private let file: FileDescriptor
    private let slot: Int?
    private var done = false

    /// Creates a temporary file in `path`'s folder.
    ///
    /// - Throws: ``InputError/cannotOpen(_:_:)`` when the folder does not
    ///   exist or cannot be written, or `path` is a folder.
    public init(path: String) throws(InputError) {
        if let status = FileStatus(path: path), status.isDirectory {
            throw .cannotOpen(path, "it is a folder, not a file")
        }
        let (folder, name) = AtomicFile.split(path)
        var template = Array((folder + "/." + name + ".deptrace-XXXXXX").utf8CString)
        let raw = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard raw >= 0 else { throw .cannotOpen(path, "cannot create a file in \(folder): \(systemMessage(errno))") }
        // Not inherited by a program this process starts (Glibc's module has no mkostemp).
        _ = fcntl(raw, F_SETFD, FD_CLOEXEC)
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // mkstemp makes the file private (0600); outputs get the mode a plain create would give.
        let mask = umask(0)
        umask(mask)
        fchmod(raw, 0o666 & ~mask)
        self.path = path
        temporaryPath = temporary
        file = FileDescriptor(adopting: raw, path: temporary)
        slot = TemporaryFiles.register(temporary)
    }

    deinit {
        if !done { discard() }
    }

    /// The open temporary file, for writers that take a descriptor.
    public var descriptor: FileDescriptor { file }

    /// Appends `bytes` to the temporary file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        do {
            try file.write(bytes)
        } catch {
            throw AtomicFile.renamed(error, to: path)
        }
    }

    /// Appends `bytes` to the temporary file.
    public func write(_ bytes: [UInt8]) throws(InputError) {
        var failure: InputError?
        bytes.withUnsafeBytes { buffer in
            do throws(InputError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Flushes the temporary file to disk and renames it over the target.
    ///
    /// - Throws: ``InputError/writeFailed(_:_:)`` when either fails; the
    ///   temporary file is then removed and the target left as it was.
    public func commit() throws(InputError) {
        guard !done else { return }
        done = true
        defer { TemporaryFiles.unregister(slot) }
        guard fsync(file.rawDescriptor) == 0 || errno == EINVAL else {
            let reason = systemMessage(errno)
            unlink(temporaryPath)
            throw .writeFailed(path, reason)
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = systemMessage(errno)
            unlink(temporaryPath)
            throw .writeFailed(path, "cannot rename \(temporaryPath) into place: \(reason)")
        }
    }

    /// Removes the temporary file; the target is left as it was.
    public func discard() {
        guard !done else { return }
        done = true
        unlink(temporaryPath)
        TemporaryFiles.unregister(slot)
    }

    /// Writes `bytes` to `path` whole or not at all.
    public static func write(_ bytes: [UInt8], to path: String) throws(InputError) {
        let file = try AtomicFile(path: path)
        try file.write(bytes)
        try file.commit()
    }

    /// The folder (`.` when none is named) and the last name of `path`.
    static func split(_ path: String) -> (folder: String, name: String) {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", trimmed) }
        let folder = String(trimmed[..<slash])
        return (folder.isEmpty ? "/" : folder, String(trimmed[trimmed.index(after: slash)...]))
    }

    /// An error about the temporary file, told of the target the user named.
    private static func renamed(_ error: InputError, to path: String) -> InputError {
        if case .writeFailed(_, let reason) = error { return .writeFailed(path, reason) }
        return error
    }
}
