/// Bytes already in memory, then perhaps the error that ended their reading:
/// replays to the trace readers exactly what streaming them would have.
public final class BufferByteSource: ByteSource {
    private let bytes: [UInt8]
    private let trailingError: InputError?
    private var position = 0

    public init(bytes: [UInt8], trailingError: InputError? = nil) {
        self.bytes = bytes
        self.trailingError = trailingError
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let count = Swift.min(buffer.count, bytes.count - position)
        if count == 0 {
            if let trailingError { throw trailingError }
            return 0
        }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count)]))
        }
        position += count
        return count
    }
}
