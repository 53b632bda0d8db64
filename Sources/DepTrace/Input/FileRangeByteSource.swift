/// Reads the bytes `range` of a file: one piece of a file whose traces are
/// analysed on several cores.
final class FileRangeByteSource: ByteSource {
    private let file: FileDescriptor
    private var position: Int
    private let end: Int

    /// Opens `path` and reads from `range.lowerBound` up to `range.upperBound`
    /// (or the end of the file, if it is shorter).
    init(path: String, range: Range<Int>) throws(InputError) {
        file = try FileDescriptor(opening: path, flags: FileDescriptor.readOnly)
        position = range.lowerBound
        end = range.upperBound
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let wanted = Swift.min(buffer.count, end - position)
        guard wanted > 0 else { return 0 }
        let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: position)
        position += count
        return count
    }
}
