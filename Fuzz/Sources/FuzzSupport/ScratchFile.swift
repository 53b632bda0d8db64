import Glibc

/// One file per fuzzing process that each input is written to, for APIs that read a path.
public final class ScratchFile {
    public let path: String

    /// A file named after `stem` and the process id, in `/dev/shm` when there is one (no disk writes), else `$TMPDIR` or `/tmp`.
    public init(stem: String) {
        var folder = "/tmp"
        if let temporary = getenv("TMPDIR") { folder = String(cString: temporary) }
        if access("/dev/shm", W_OK) == 0 { folder = "/dev/shm" }
        path = "\(folder)/\(stem)-\(getpid())"
    }

    deinit { unlink(path) }

    /// Replaces the file's content with `bytes`.
    public func write(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { Invariant.fail("cannot create \(path): errno \(errno)") }
        defer { close(descriptor) }
        var written = 0
        while written < size {
            let count = Glibc.write(descriptor, data + written, size - written)
            guard count > 0 else { Invariant.fail("cannot write \(path): errno \(errno)") }
            written += count
        }
    }
}
