import DepTrace

/// Recognises archives and compressed files by their first bytes.
public enum ArchiveInput {
    /// What a file's name says it is.
    enum Kind: Equatable {
        /// `.tar`, `.tar.gz`, `.tgz`, ...: a tar archive, perhaps compressed.
        case tar
        case zip
        /// A trace file name with a compression ending (`run.dtrace.jsonl.zst`): one compressed trace file.
        case compressedTrace
        /// Any other name: told by content alone.
        case unknown

        init(name: String) {
            let tarEndings = [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.xz", ".txz", ".tar.bz2", ".tbz2"]
            if tarEndings.contains(where: { name.hasSuffix($0) }) {
                self = .tar
            } else if name.hasSuffix(".zip") {
                self = .zip
            } else if traceEntryExtensions.contains(where: { trace in [".gz", ".zst", ".xz", ".bz2"].contains { name.hasSuffix(trace + $0) } }) {
                self = .compressedTrace
            } else {
                self = .unknown
            }
        }
    }

    /// Entry names read as traces inside an archive.
    public static let traceEntryExtensions = [".dtrace.jsonl", ".dtrace"]

    /// Whether the file at `path` is a tar or zip archive or a gzip, zstd, xz
    /// or bzip2 compressed file, judged by its content (and, for old tar
    /// files without the `ustar` magic, by a `.tar` name).
    public static func isArchiveOrCompressed(path: String) -> Bool {
        guard let file = try? FileDescriptor(opening: path, flags: FileDescriptor.readOnly) else { return false }
        var prefix = [UInt8](repeating: 0, count: 512)
        var filled = 0
        while filled < prefix.count {
            let read = (try? prefix.withUnsafeMutableBytes { buffer throws(InputError) in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }) ?? 0
            if read == 0 { break }
            filled += read
        }
        prefix.removeLast(prefix.count - filled)
        return isArchiveOrCompressed(prefix: prefix) || (path.hasSuffix(".tar") && filled == 512)
    }

    /// Whether bytes starting a file show an archive or a compressed file.
    public static func isArchiveOrCompressed(prefix: [UInt8]) -> Bool {
        let magics: [[UInt8]] = [
            [0x1F, 0x8B],  // gzip
            [0x28, 0xB5, 0x2F, 0xFD],  // zstd
            [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00],  // xz
            [0x42, 0x5A, 0x68],  // bzip2
            [0x50, 0x4B, 0x03, 0x04],  // zip
            [0x50, 0x4B, 0x05, 0x06],  // empty zip
        ]
        if magics.contains(where: { prefix.starts(with: $0) }) { return true }
        // POSIX tar: "ustar" at byte 257 of the first header.
        return prefix.count >= 262 && Array(prefix[257..<262]) == Array("ustar".utf8)
    }

    /// Whether an entry named `name` is read as a trace (resource forks and
    /// `__MACOSX/` copies left by macOS archivers are not).
    static func isTraceEntry(_ name: String) -> Bool {
        guard traceEntryExtensions.contains(where: { name.hasSuffix($0) }) else { return false }
        let last = name.split(separator: "/").last.map(String.init) ?? name
        return !last.hasPrefix("._") && !name.hasPrefix("__MACOSX/")
    }
}
