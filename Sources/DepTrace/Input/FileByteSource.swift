#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file, or standard input, through its file descriptor.
public final class FileByteSource: ByteSource {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The path used in messages (`-` for standard input).
    public let path: String

    /// Opens `path` for reading.
    ///
    /// - Throws: ``InputError/cannotOpen(_:_:)`` with the system's reason.
    public init(path: String) throws(InputError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path, systemMessage(errno)) }
        self.descriptor = descriptor
        self.ownsDescriptor = true
        self.path = path
    }

    /// Reads standard input.
    public init(standardInput: ()) {
        descriptor = STDIN_FILENO
        ownsDescriptor = false
        path = "-"
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = systemRead(descriptor, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw .readFailed(path, systemMessage(errno))
        }
    }
}

/// The C library's message for an `errno` value.
func systemMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

#if canImport(Darwin)
private let systemRead = Darwin.read
#elseif canImport(Musl)
private let systemRead = Musl.read
#else
private let systemRead = Glibc.read
#endif
