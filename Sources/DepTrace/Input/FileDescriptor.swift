#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor: the one place that reads, writes and closes
/// files. Closed when released, unless it is a standard stream.
public final class FileDescriptor: @unchecked Sendable {
    private let raw: Int32
    private let owned: Bool
    /// The path used in messages (`-` for standard streams).
    public let path: String

    /// Opens `path` with `open(2)` flags.
    ///
    /// - Throws: ``InputError/cannotOpen(_:_:)`` with the system's reason.
    public init(opening path: String, flags: Int32, mode: mode_t = 0o644) throws(InputError) {
        let raw = open(path, flags | O_CLOEXEC, mode)
        guard raw >= 0 else { throw .cannotOpen(path, systemMessage(errno)) }
        self.raw = raw
        owned = true
        self.path = path
    }

    /// Takes ownership of an open descriptor (closed when released).
    public init(adopting raw: Int32, path: String) {
        self.raw = raw
        owned = true
        self.path = path
    }

    /// The descriptor itself, for C libraries that write to one and for
    /// `fsync`; it stays owned (and is closed) by this object.
    public var rawDescriptor: Int32 { raw }

    /// Standard input, output or error; never closed.
    public init(standard raw: Int32) {
        self.raw = raw
        owned = false
        path = "-"
    }

    /// `open(2)` flags for reading, and for creating or truncating a file to write.
    public static let readOnly = O_RDONLY
    public static let createOrTruncate = O_WRONLY | O_CREAT | O_TRUNC

    public static let standardInput = FileDescriptor(standard: STDIN_FILENO)
    public static let standardOutput = FileDescriptor(standard: STDOUT_FILENO)
    public static let standardError = FileDescriptor(standard: STDERR_FILENO)

    deinit {
        if owned { close(raw) }
    }

    /// Fills the start of `buffer`; returns the bytes read, 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = systemRead(raw, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw .readFailed(path, systemMessage(errno))
        }
    }

    /// Fills the start of `buffer` from byte `offset` of the file, without
    /// moving the file position (`pread(2)`); returns the bytes read, 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = pread(raw, base, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw .readFailed(path, systemMessage(errno))
        }
    }

    /// The size in bytes of a regular file; nil for pipes, terminals and the like.
    public var regularFileSize: Int? {
        var status = stat()
        guard fstat(raw, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// Writes all of `bytes`, retrying short writes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(raw, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw .readerClosed(path) }
                throw .writeFailed(path, systemMessage(errno))
            }
            offset += written
        }
    }

    /// Asks for a 1 MiB buffer when the descriptor is a pipe (Linux only; a
    /// no-op elsewhere, for other files, or when the system refuses).
    public func enlargePipeBuffer() {
        #if os(Linux)
        // F_SETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 7), which Glibc's Swift module does not export.
        let setPipeSize: Int32 = 1031
        var status = stat()
        guard fstat(raw, &status) == 0, status.st_mode & S_IFMT == S_IFIFO else { return }
        _ = fcntl(raw, setPipeSize, Int32(1 << 20))
        #endif
    }

    /// Whether the descriptor is a terminal.
    public var isTerminal: Bool { isatty(raw) != 0 }

    /// The terminal's width in columns, or nil when it is not a terminal.
    public var terminalWidth: Int? {
        var size = winsize()
        guard ioctl(raw, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// The C library's message for an `errno` value.
func systemMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

#if canImport(Darwin)
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
#elseif canImport(Musl)
private let systemRead = Musl.read
private let systemWrite = Musl.write
#else
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
#endif
