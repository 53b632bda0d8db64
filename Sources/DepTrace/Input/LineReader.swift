#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into lines over a ``ByteWindow``.
///
/// Memory is the window (1 MiB, grown only for longer lines, up to
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

    private let window: ByteWindow
    private let name: String
    private var lineNumber = 0
    /// Bytes of the line last returned (and its newline), dropped at the next call.
    private var returned = 0
    /// The longest line accepted.
    public let maxLineLength: Int
    /// Bytes read from the source so far.
    public var bytesRead: Int { window.bytesRead }
    /// Lines returned so far.
    public var linesRead: Int { lineNumber }

    /// The default line length bound: 256 MiB.
    public static let defaultMaxLineLength = ResourceLimits.defaultMaxLineLength

    public convenience init(source: any ByteSource, name: String, maxLineLength: Int = LineReader.defaultMaxLineLength) {
        // One byte beyond the longest line tells that a line is too long.
        self.init(window: ByteWindow(source: source, growthLimit: maxLineLength < Int.max ? maxLineLength + 1 : Int.max), name: name, maxLineLength: maxLineLength)
    }

    /// Lines of the input `window` reads.
    package init(window: ByteWindow, name: String, maxLineLength: Int = LineReader.defaultMaxLineLength) {
        self.window = window
        self.name = name
        self.maxLineLength = maxLineLength
    }

    /// The next line, or nil at the end of the input.
    ///
    /// - Throws: ``InputError`` when reading fails or a line exceeds ``maxLineLength``.
    public func next() throws(InputError) -> Line? {
        window.consume(returned)
        returned = 0
        var searched = 0
        while true {
            let available = window.available
            if let newline = window.firstIndex(of: 0x0A, from: searched) {
                // The window may hold more than the bound when it was filled in one read.
                guard newline <= maxLineLength else {
                    throw .lineTooLong(name, line: lineNumber + 1, limit: maxLineLength)
                }
                returned = newline + 1
                return makeLine(length: newline, terminated: true)
            }
            searched = available
            guard available <= maxLineLength else {
                throw .lineTooLong(name, line: lineNumber + 1, limit: maxLineLength)
            }
            guard try window.ensure(available + 1) else {
                guard available > 0 else { return nil }
                returned = available
                return makeLine(length: available, terminated: false)
            }
        }
    }

    /// The whole lines among the bytes already read, to be walked without
    /// reading more; ``finish(_:)`` hands back the position, and ``next()``
    /// goes on after them.
    ///
    /// The readers' hot loop: the position and line count stay in registers,
    /// where a call of ``next()`` per line updates the window and returns
    /// the line through memory. A line not whole yet, or too long, is left to ``next()``.
    public struct HeldLines {
        private let base: UnsafePointer<UInt8>?
        private let end: Int
        private let maxLineLength: Int
        fileprivate var position = 0
        fileprivate var number: Int

        fileprivate init(_ bytes: UnsafeRawBufferPointer, lineNumber: Int, maxLineLength: Int) {
            base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            end = bytes.count
            number = lineNumber
            self.maxLineLength = maxLineLength
        }

        /// The next whole line, or nil.
        @inline(__always)
        public mutating func next() -> Line? {
            guard let base, position < end, let found = memchr(base + position, 0x0A, end &- position) else { return nil }
            let newline = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            let length = newline &- position
            guard length <= maxLineLength else { return nil }
            number &+= 1
            defer { position = newline &+ 1 }
            return Line(bytes: UnsafeBufferPointer(start: base + position, count: length), number: number, terminated: true)
        }
    }

    /// The whole lines held now, after the line last returned (whose bytes
    /// stay valid: only ``next()`` reads more and moves them).
    public func heldLines() -> HeldLines {
        window.consume(returned)
        returned = 0
        return HeldLines(window.bytes(window.available), lineNumber: lineNumber, maxLineLength: maxLineLength)
    }

    /// Takes back the position `lines` reached.
    public func finish(_ lines: HeldLines) {
        window.consume(lines.position)
        lineNumber = lines.number
    }

    private func makeLine(length: Int, terminated: Bool) -> Line {
        lineNumber += 1
        return Line(bytes: window.bytes(length).bindMemory(to: UInt8.self), number: lineNumber, terminated: terminated)
    }
}
