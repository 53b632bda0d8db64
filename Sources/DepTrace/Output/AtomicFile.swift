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
    /// Written in place: the target is a pipe or a device, which no rename can replace.
    private let direct: Bool
    /// Where the temporary file is renamed to: the path, or where its link leads.
    private var renameTarget = ""

    /// Creates a temporary file in `path`'s folder.
    ///
    /// A target that exists and is not a regular file (a pipe, `/dev/stdout`,
    /// a terminal) cannot be replaced: it is opened and written directly. A
    /// target that is a symbolic link to a regular file is replaced where the
    /// link leads, so the link stays.
    ///
    /// - Throws: ``InputError/cannotOpen(_:_:)`` when the folder does not
    ///   exist or cannot be written, or `path` is a folder.
    public init(path: String) throws(InputError) {
        self.path = path
        if let status = FileStatus(path: path) {
            if status.isDirectory { throw .cannotOpen(path, "it is a folder, not a file") }
            if status.kind == .other {
                file = try FileDescriptor(opening: path, flags: O_WRONLY | O_TRUNC)
                temporaryPath = path
                slot = nil
                direct = true
                return
            }
        }
        let target = FileStatus(path: path, followingLinks: false)?.kind == .symbolicLink ? (OutputConflict.canonical(path) ?? path) : path
        let (folder, name) = AtomicFile.split(target)
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
        temporaryPath = temporary
        renameTarget = target
        file = FileDescriptor(adopting: raw, path: temporary)
        slot = TemporaryFiles.register(temporary)
        direct = false
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
        if direct { return }
        defer { TemporaryFiles.unregister(slot) }
        guard fsync(file.rawDescriptor) == 0 || errno == EINVAL else {
            let reason = systemMessage(errno)
            unlink(temporaryPath)
            throw .writeFailed(path, reason)
        }
        guard rename(temporaryPath, renameTarget) == 0 else {
            let reason = systemMessage(errno)
            unlink(temporaryPath)
            throw .writeFailed(path, "cannot rename \(temporaryPath) into place: \(reason)")
        }
    }

    /// Removes the temporary file; the target is left as it was.
    public func discard() {
        guard !done else { return }
        done = true
        if direct { return }
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
