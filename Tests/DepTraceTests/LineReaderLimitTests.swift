import DepTrace
import Testing
import _DepTraceTestSupport

/// The line reader's window grows only as far as its line length bound needs.
@Suite struct LineReaderLimitTests {
    /// Counts what is read from a source.
    final class CountingSource: ByteSource {
        let inner: MemoryByteSource
        private(set) var served = 0
        init(_ bytes: [UInt8]) { inner = MemoryByteSource(bytes, pieceSize: 1 << 20) }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            let count = try inner.read(into: buffer)
            served += count
            return count
        }
    }

    @Test func aLineAtTheBoundIsReadAndOneByteMoreIsNot() throws {
        for length in [10, 100, 5000] {
            let exact = CountingSource(Array(repeating: UInt8(ascii: "x"), count: length) + [0x0A, UInt8(ascii: "y")])
            let reader = LineReader(source: exact, name: "a", maxLineLength: length)
            #expect(try reader.next()?.bytes.count == length)
            #expect(try reader.next()?.bytes.count == 1)
            #expect(try reader.next() == nil)

            let long = CountingSource(Array(repeating: UInt8(ascii: "x"), count: length * 3) + [0x0A])
            let limited = LineReader(source: long, name: "b", maxLineLength: length)
            #expect(throws: InputError.lineTooLong("b", line: 1, limit: length)) { try limited.next() }
            // The window stopped one byte past the bound (plus at most what one read brought).
            #expect(long.served <= length + 1 + 64)
        }
    }

    @Test func noBoundStillReadsWholeLines() throws {
        let text = Array("first\nsecond line\n\nlast".utf8)
        let reader = LineReader(source: MemoryByteSource(text, pieceSize: 3), name: "c", maxLineLength: Int.max)
        var lines: [String] = []
        while let line = try reader.next() { lines.append(String(decoding: line.bytes, as: UTF8.self)) }
        #expect(lines == ["first", "second line", "", "last"])
    }
}
