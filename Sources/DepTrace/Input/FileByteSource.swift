/// Reads a file, or standard input.
public final class FileByteSource: ByteSource {
    private let file: FileDescriptor
    /// The path used in messages (`-` for standard input).
    public var path: String { file.path }

    /// Opens `path` for reading.
    ///
    /// - Throws: ``InputError/cannotOpen(_:_:)`` with the system's reason.
    public init(path: String) throws(InputError) {
        file = try FileDescriptor(opening: path, flags: FileDescriptor.readOnly)
    }

    /// Opens a pipe, FIFO or device at `path` once, to be read front to back.
    ///
    /// - Throws: ``InputError/cannotOpen(_:_:)`` with the system's reason.
    public init(streamAt path: String) throws(InputError) {
        file = try FileDescriptor(opening: path, flags: FileDescriptor.readOnly)
        file.enlargePipeBuffer()
    }

    /// Reads standard input.
    public init(standardInput: ()) {
        file = .standardInput
        // A decompressor writing into a pipe hands over 64 KiB at a time by
        // default; a larger pipe means far fewer wake-ups on both sides.
        file.enlargePipeBuffer()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        try file.read(into: buffer)
    }
}
