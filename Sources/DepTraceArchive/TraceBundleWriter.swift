import DepTrace

/// Writes a trace bundle: a tar or zip archive, or a single compressed trace,
/// its format and compression chosen by the file name. Entries are stored as
/// given, in the order they are added, with a fixed modification time so the
/// same traces give the same bytes.
///
/// The bundle is written beside its target and renamed into place by
/// ``close()``: until then the target keeps its old content (or is absent),
/// and a writer released without closing, or a stopped process, leaves no file.
public final class TraceBundleWriter {
    private let file: AtomicFile
    private let handle: ArchiveWriteHandle
    private let single: Bool
    private var entries = 0

    /// The name endings understood, and what each writes.
    public static let supportedExtensions = [
        ".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".zip",
        ".gz", ".zst", ".xz", ".bz2",
    ]

    /// Creates `path`; the name decides the format: `.tar` (with `.gz`/`.tgz`,
    /// `.zst`, `.xz`, `.bz2` for compression), `.zip`, or a single compressed
    /// file (`.gz`, `.zst`, `.xz`, `.bz2`) holding exactly one entry.
    ///
    /// - Throws: ``ArchiveError`` for an unknown ending or when libarchive cannot create the file.
    public init(path: String) throws(ArchiveError) {
        let filters: [(String, ArchiveWriteHandle.Filter)] = [(".gz", .gzip), (".zst", .zstd), (".xz", .xz), (".bz2", .bzip2)]
        let format: ArchiveWriteHandle.Format
        var filter = ArchiveWriteHandle.Filter.none
        switch path {
        case _ where path.hasSuffix(".zip"): format = .zip
        case _ where path.hasSuffix(".tar"): format = .tar
        case _ where path.hasSuffix(".tgz"): (format, filter) = (.tar, .gzip)
        case _ where path.hasSuffix(".tzst"): (format, filter) = (.tar, .zstd)
        case _ where path.hasSuffix(".txz"): (format, filter) = (.tar, .xz)
        case _ where path.hasSuffix(".tbz2"): (format, filter) = (.tar, .bzip2)
        default:
            guard let (ending, found) = filters.first(where: { path.hasSuffix($0.0) }) else {
                throw ArchiveError(path: path, message: "unknown bundle format: the name must end in \(Self.supportedExtensions.joined(separator: ", "))")
            }
            filter = found
            format = path.dropLast(ending.count).hasSuffix(".tar") ? .tar : .raw
        }
        single = format == .raw
        do {
            file = try AtomicFile(path: path)
        } catch {
            throw ArchiveError(path: path, message: error.diagnostic.message)
        }
        handle = try ArchiveWriteHandle(descriptor: file.descriptor.rawDescriptor, path: path, format: format, filter: filter)
    }

    /// Adds an entry named `name` holding `bytes`.
    public func add(_ name: String, bytes: [UInt8]) throws(ArchiveError) {
        try begin(name, size: Int64(bytes.count))
        var failure: ArchiveError?
        bytes.withUnsafeBytes { buffer in
            do throws(ArchiveError) { try handle.write(buffer, entry: name) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Adds an entry of `size` bytes read from `source`, which must hold exactly that many.
    public func add(_ name: String, size: Int64, from source: any ByteSource) throws(ArchiveError) {
        try begin(name, size: size)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = size
        while remaining > 0 {
            let read: Int
            do { read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(Swift.min(Int64(buffer.count), remaining))])) } catch {
                throw ArchiveError(path: handle.path, entry: name, message: error.description)
            }
            guard read > 0 else { throw ArchiveError(path: handle.path, entry: name, message: "source ended \(remaining) bytes short") }
            try handle.write(UnsafeRawBufferPointer(rebasing: buffer[0..<read]), entry: name)
            remaining -= Int64(read)
        }
    }

    /// Adds the file at `file` as an entry named `name`, streamed (never held whole in memory).
    public func add(_ name: String, contentsOf file: String) throws(ArchiveError) {
        let source: FileByteSource
        let size: Int64
        do {
            source = try FileByteSource(path: file)
            guard let status = FileStatus(path: file), status.kind == .regularFile else {
                throw InputError.readFailed(file, "cannot tell its size: not a regular file")
            }
            size = status.size
        } catch {
            throw ArchiveError(path: handle.path, entry: name, message: "\(error)")
        }
        try add(name, size: size, from: source)
    }

    /// Finishes the file and puts it in place; the writer takes no more entries.
    public func close() throws(ArchiveError) {
        try handle.close()
        do {
            try file.commit()
        } catch {
            throw ArchiveError(path: handle.path, message: error.diagnostic.message)
        }
    }

    private func begin(_ name: String, size: Int64) throws(ArchiveError) {
        if single, entries > 0 {
            throw ArchiveError(path: handle.path, entry: name, message: "a single compressed file holds one trace file; write a .tar or .zip bundle for more")
        }
        entries += 1
        try handle.beginEntry(name: name, size: size, modificationTime: 0)
    }
}
