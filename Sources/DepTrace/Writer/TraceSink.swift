#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a ``TraceWriter`` puts its bytes.
public protocol TraceSink: AnyObject {
    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(InputError)
}

/// Writes to a file (created or truncated) or to standard output.
public final class FileTraceSink: TraceSink {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    public let path: String

    /// Creates or truncates `path`.
    public init(path: String) throws(InputError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotOpen(path, systemMessage(errno)) }
        self.descriptor = descriptor
        ownsDescriptor = true
        self.path = path
    }

    /// Writes to standard output.
    public init(standardOutput: ()) {
        descriptor = STDOUT_FILENO
        ownsDescriptor = false
        path = "-"
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path, systemMessage(errno))
            }
            offset += written
        }
    }
}

/// Collects the bytes in memory (tests, conversions into a buffer).
public final class MemoryTraceSink: TraceSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) { self.bytes.append(contentsOf: bytes) }
    /// The bytes as UTF-8 text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

#if canImport(Darwin)
private let systemWrite = Darwin.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#else
private let systemWrite = Glibc.write
#endif
