/// Where a ``TraceWriter`` puts its bytes.
public protocol TraceSink: AnyObject {
    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(InputError)
}

/// Writes to a file (created or truncated) or to standard output.
public final class FileTraceSink: TraceSink {
    private let file: FileDescriptor
    public var path: String { file.path }

    /// Creates or truncates `path`.
    public init(path: String) throws(InputError) {
        file = try FileDescriptor(opening: path, flags: FileDescriptor.createOrTruncate)
    }

    /// Writes to standard output.
    public init(standardOutput: ()) {
        file = .standardOutput
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        try file.write(bytes)
    }
}

/// An atomic file takes a writer's bytes; ``AtomicFile/commit()`` puts it in place.
extension AtomicFile: TraceSink {}

/// Collects the bytes in memory (tests, conversions into a buffer).
public final class MemoryTraceSink: TraceSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) { self.bytes.append(contentsOf: bytes) }
    /// The bytes as UTF-8 text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
