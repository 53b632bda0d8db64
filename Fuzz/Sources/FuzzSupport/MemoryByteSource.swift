import DepTrace

/// A byte source over bytes in memory, served in pieces of `pieceSize` so the
/// readers meet lines, chunks and varints split across reads.
public final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private let pieceSize: Int

    public init(_ bytes: [UInt8], pieceSize: Int) {
        self.bytes = bytes
        self.pieceSize = Swift.max(1, pieceSize)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let count = Swift.min(buffer.count, pieceSize, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count)]))
        }
        position += count
        return count
    }
}
