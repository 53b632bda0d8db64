#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into lines, reusing one buffer.
///
/// Memory is the buffer (1 MiB, grown only for longer lines, up to
/// `maxLineLength`), never the input's size.
public final class LineReader {
    /// One line, without its `\n`; `bytes` is valid until the next call to ``next()``.
    public struct Line {
        public let bytes: UnsafeBufferPointer<UInt8>
        /// 1-based line number.
        public let number: Int
        /// False for a last line that the input ended without a newline.
        public let terminated: Bool
    }

    private let source: any ByteSource
    private let name: String
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEnd = false
    private var lineNumber = 0
    /// The longest line accepted.
    public let maxLineLength: Int
    /// Bytes read from the source so far.
    public private(set) var bytesRead = 0

    /// The default line length bound: 256 MiB.
    public static let defaultMaxLineLength = 256 << 20

    public init(source: any ByteSource, name: String, chunkSize: Int = 1 << 20, maxLineLength: Int = LineReader.defaultMaxLineLength) {
        self.source = source
        self.name = name
        self.maxLineLength = maxLineLength
        storage = .allocate(byteCount: Swift.max(chunkSize, 16), alignment: 16)
    }

    deinit { storage.deallocate() }

    /// The first bytes of the input without consuming them (fewer at its end).
    public func peek(_ count: Int) throws(InputError) -> [UInt8] {
        while end - start < count, !atEnd { try fill() }
        return Array(UnsafeRawBufferPointer(rebasing: storage[start..<Swift.min(end, start + count)]))
    }

    /// The next line, or nil at the end of the input.
    ///
    /// - Throws: ``InputError`` when reading fails or a line exceeds ``maxLineLength``.
    public func next() throws(InputError) -> Line? {
        var searchFrom = start
        while true {
            if searchFrom < end, let base = storage.baseAddress,
                let found = memchr(base + searchFrom, 0x0A, end - searchFrom)
            {
                let newline = base.distance(to: found)
                let line = makeLine(start..<newline, terminated: true)
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < end else { return nil }
                let line = makeLine(start..<end, terminated: false)
                start = end
                return line
            }
            searchFrom = end - start
            try fill()
            searchFrom = Swift.min(searchFrom, end)
        }
    }

    private func makeLine(_ span: Range<Int>, terminated: Bool) -> Line {
        lineNumber += 1
        let bytes = UnsafeRawBufferPointer(rebasing: storage[span]).bindMemory(to: UInt8.self)
        return Line(bytes: bytes, number: lineNumber, terminated: terminated)
    }

    /// Moves unread bytes to the front, grows the buffer if a line fills it, and reads more.
    private func fill() throws(InputError) {
        if start > 0 {
            if end > start, let base = storage.baseAddress {
                memmove(base, base + start, end - start)
            }
            end -= start
            start = 0
        }
        if end == storage.count {
            guard storage.count <= maxLineLength else {
                throw .lineTooLong(name, line: lineNumber + 1, limit: maxLineLength)
            }
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.min(storage.count * 2, maxLineLength + 1), alignment: 16)
            grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<end]))
            storage.deallocate()
            storage = grown
        }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
        if count == 0 { atEnd = true }
        end += count
        bytesRead += count
    }
}
