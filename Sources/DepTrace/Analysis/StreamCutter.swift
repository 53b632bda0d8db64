#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a stream of trace bytes (standard input, a decompressed file) into
/// pieces as it is read, so that the pieces can be parsed on other cores
/// while the stream still arrives.
///
/// A cut goes only where ``InputSplitter`` would cut a file: before a JSONL
/// line that parses as a header, or before a binary trace header reached
/// through intact, CRC-checked headers and chunks. Each piece read alone then
/// gives what the whole stream gives there.
///
/// When no such place comes within reach (one long trace, damage, an encoding
/// it does not cut), the cutter stops cutting and hands back the rest of the
/// stream, to be read whole as it comes: memory stays at most about
/// `pieceSize + InputSplitter.searchDistance` bytes per piece.
package final class StreamCutter {
    package enum Next {
        /// The first `count` bytes of `block`, from `offset` of the stream, ending
        /// before a trace header or at the stream's end; `trailingError` ended the stream there.
        case piece(ByteBlock, count: Int, offset: Int, trailingError: InputError?)
        /// The rest of the stream from `offset`, to be read whole: the first
        /// `count` bytes of `block`, then `source`.
        case rest(ByteBlock, count: Int, then: any ByteSource, offset: Int)
        /// Nothing more.
        case end
    }

    private enum Encoding { case undecided, jsonl, binary }

    private let source: any ByteSource
    private let limits: ResourceLimits
    private let pieceSize: Int
    private let maxPiece: Int
    private let parser: JSONLLineParser
    private var encoding = Encoding.undecided
    /// The piece being gathered: the first `filled` bytes of `buffer` hold the stream from `offset`.
    private var buffer: ByteBlock
    private var filled = 0
    private var offset = 0
    /// JSONL: where to look for the next line start; binary: where the next unit starts.
    private var scan = 0
    private var atEnd = false
    private var failure: InputError?
    private var finished = false
    /// Where blocks come from, when the parsers hand them back.
    private let pool: ByteBlockPool?

    /// Bytes asked of the source at once.
    static let readSize = 256 << 10

    /// - Parameters:
    ///   - pieceSize: a piece ends at the first cut at or after this many bytes.
    ///   - maxPiece: with no cut by this many bytes, cutting stops.
    package init(source: any ByteSource, limits: ResourceLimits, pieceSize: Int = 1 << 20, maxPiece: Int? = nil, pool: ByteBlockPool? = nil) {
        self.source = source
        self.pool = pool
        self.limits = limits
        self.pieceSize = Swift.max(pieceSize, 1)
        self.maxPiece = Swift.max(maxPiece ?? self.pieceSize + InputSplitter.searchDistance, self.pieceSize)
        parser = JSONLLineParser(maxRangesPerRecord: limits.maxRangesPerRecord)
        buffer = pool?.take(capacity: Swift.min(self.pieceSize, 1 << 20) + StreamCutter.readSize)
            ?? ByteBlock(capacity: Swift.min(self.pieceSize, 1 << 20) + StreamCutter.readSize)
    }

    /// The next piece, or the rest of the stream, or the end.
    package func next() -> Next {
        if finished { return .end }
        if encoding == .undecided {
            _ = fill(atLeast: BinaryLayout.magic.count)
            let prefix = Array(UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<Swift.min(filled, BinaryLayout.magic.count)]))
            if EncodingSniffer.unsupportedEncoding(prefix) != nil { return rest() }
            if !EncodingSniffer.looksLikeJSONL(prefix) {
                // Binary, cut only when it starts with a whole magic; damage is for the reader to report.
                guard prefix.elementsEqual(BinaryLayout.magic) else { return rest() }
                encoding = .binary
            } else {
                encoding = .jsonl
            }
        }
        let cut = encoding == .jsonl ? nextJSONLCut() : nextBinaryCut()
        switch cut {
        case .at(let position): return piece(upTo: position)
        case .end: return piece(upTo: filled)
        case .giveUp: return rest()
        }
    }

    /// Where a piece ends when the bytes run out: at the stream's end it is
    /// the last piece; at ``maxPiece`` no cut is within reach.
    private var outOfBytes: Cut { atEnd || failure != nil ? .end : .giveUp }

    private enum Cut {
        case at(Int)
        /// The stream ended (or failed) with no cut: the rest is the last piece.
        case end
        /// No cut within reach, or damage: stop cutting.
        case giveUp
    }

    // MARK: - JSON Lines

    /// A line start at or after `pieceSize` whose line parses as a header.
    ///
    /// Candidates come from the splitter's search for `\n{"deptrace"`
    /// (``InputSplitter/headerLineStarts(in:below:)``), not from a walk line by line.
    private func nextJSONLCut() -> Cut {
        let patternLength = InputSplitter.headerStart.count + 1
        let longest = Swift.min(limits.maxHeaderBytes, limits.maxLineLength)
        scan = Swift.max(scan, pieceSize)
        while true {
            // Candidates start at `scan` or later: the newline before one lies at `scan - 1` or later.
            let from = scan - 1
            guard filled - from >= patternLength,
                  let found = InputSplitter.headerLineStarts(in: UnsafeRawBufferPointer(rebasing: buffer.bytes[from..<filled]), below: filled - from).first
            else {
                // None among the bytes held; a pattern may begin in their last bytes, so look there again.
                scan = Swift.max(scan, filled - patternLength + 2)
                if !more() { return outOfBytes }
                continue
            }
            let start = from + found + 1
            scan = start + 1
            // A candidate: its whole line is needed to tell whether it parses as a header.
            var end = firstNewline(from: start)
            while end == nil, filled - start <= longest {
                let searched = filled
                if !more() { return outOfBytes }
                end = firstNewline(from: searched)
            }
            guard let end, end - start <= longest else { continue }
            let line = UnsafeRawBufferPointer(rebasing: buffer.bytes[start..<end]).bindMemory(to: UInt8.self)
            if InputSplitter.isHeader(line, parser: parser) { return .at(start) }
        }
    }

    /// The index of the first newline at or after `from` among the bytes read.
    private func firstNewline(from: Int) -> Int? {
        guard from < filled, let base = buffer.bytes.baseAddress, let hit = memchr(base + from, 0x0A, filled - from) else { return nil }
        return base.distance(to: hit)
    }

    // MARK: - Binary

    /// A trace header at or after `pieceSize`, reached through intact units.
    private func nextBinaryCut() -> Cut {
        while true {
            let unit = BinaryFraming.unit(at: UnsafeRawBufferPointer(rebasing: buffer.bytes[scan..<filled]), limits: limits)
            switch unit {
            case .header(let size):
                if scan >= pieceSize { return .at(scan) }
                scan += size
            case .chunk(let size) where scan > 0:
                scan += size
            case .needs(let count):
                if scan >= filled, atEnd || failure != nil { return .end }
                guard fill(atLeast: scan + count) else { return outOfBytes }
            default:
                return .giveUp
            }
        }
    }

    // MARK: - Reading

    /// Reads until `count` bytes are held; false when the stream ends, fails or the piece would pass `maxPiece`.
    private func fill(atLeast count: Int) -> Bool {
        while filled < count {
            if !more() { return false }
        }
        return true
    }

    /// Reads one more block; false at the end of the stream, on a failure, or at `maxPiece`.
    private func more() -> Bool {
        if atEnd || failure != nil || filled >= maxPiece { return false }
        if buffer.capacity - filled < StreamCutter.readSize {
            let grown = ByteBlock(capacity: Swift.max(buffer.capacity * 2, filled + StreamCutter.readSize))
            grown.bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<filled]))
            buffer = grown
        }
        do throws(InputError) {
            let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[filled..<(filled + StreamCutter.readSize)]))
            if read == 0 { atEnd = true }
            filled += read
            return read > 0
        } catch {
            failure = error
            return false
        }
    }

    /// Hands out the first `position` bytes and keeps the rest as the next piece's start.
    private func piece(upTo position: Int) -> Next {
        let remaining = filled - position
        // The block itself becomes the piece; only the bytes after the cut are copied.
        let handed = buffer
        let capacity = Swift.max(Swift.min(handed.capacity, pieceSize + StreamCutter.readSize), remaining + StreamCutter.readSize)
        buffer = pool?.take(capacity: capacity) ?? ByteBlock(capacity: capacity)
        if remaining > 0 {
            buffer.bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: handed.bytes[position..<filled]))
        }
        let start = offset
        filled = remaining
        offset += position
        scan = 0
        let last = remaining == 0 && (atEnd || failure != nil)
        if last { finished = true }
        return .piece(handed, count: position, offset: start, trailingError: last ? failure : nil)
    }

    /// What is held, then the rest of the stream, not to be cut.
    private func rest() -> Next {
        finished = true
        let then: any ByteSource = failure != nil || atEnd ? BufferByteSource(bytes: [], trailingError: failure) : source
        return .rest(buffer, count: filled, then: then, offset: offset)
    }
}

/// One byte source, then another.
final class ChainedByteSource: ByteSource {
    private var first: (any ByteSource)?
    private let second: any ByteSource

    init(_ first: any ByteSource, then second: any ByteSource) {
        self.first = first
        self.second = second
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if let current = first {
            let read = try current.read(into: buffer)
            if read > 0 { return read }
            first = nil
        }
        return try second.read(into: buffer)
    }
}
