/// A byte source that serves some bytes already read from another source
/// first, then the rest of it: lets a reader look at an input's first bytes
/// to choose a decoder, and hand the decoder the whole input.
public final class PrefixedByteSource: ByteSource {
    private var prefix: [UInt8]
    private var position = 0
    private let rest: any ByteSource

    /// Reads up to `count` bytes from `source` (fewer only at its end) and
    /// returns them with a source that replays them before the rest.
    public static func peek(_ source: any ByteSource, count: Int) throws(InputError) -> (prefix: [UInt8], source: PrefixedByteSource) {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            var failure: InputError?
            let read = bytes.withUnsafeMutableBytes { buffer -> Int in
                do throws(InputError) {
                    return try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw failure }
            if read == 0 { break }
            filled += read
        }
        bytes.removeLast(count - filled)
        return (bytes, PrefixedByteSource(prefix: bytes, rest: source))
    }

    private init(prefix: [UInt8], rest: any ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if position < prefix.count {
            let count = Swift.min(buffer.count, prefix.count - position)
            prefix.withUnsafeBytes { bytes in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)]))
            }
            position += count
            return count
        }
        return try rest.read(into: buffer)
    }
}
