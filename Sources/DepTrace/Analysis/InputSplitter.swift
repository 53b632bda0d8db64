/// Cuts a large trace file into pieces that start at trace headers, so that
/// its traces can be analysed on several cores.
///
/// A cut is made only where reading the whole file would start a new trace
/// anyway, so each piece read alone gives exactly the traces, metrics and
/// diagnostics that the whole file gives there (locations shifted by the
/// piece's start):
///
/// - JSON Lines: at the start of a line that begins `{"deptrace"` and parses
///   as a header. Reaching a header and reaching the end of the input both
///   close the open trace the same way.
/// - Binary: at a magic that the reader reaches by following intact trace
///   headers and chunks from the start of the file (lengths within the
///   limits, CRC-32C checked). The walk stops at the first damage, so damage
///   and what follows it stay in the last piece, read as a whole file reads it.
///
/// Nothing is cut when no such place lies near the even cut points (a file
/// holding one long trace, say).
public enum InputSplitter {
    /// Files smaller than twice this are not cut, and no piece is smaller (4 MiB).
    public static let defaultMinimumPiece = 4 << 20
    /// Files are cut into pieces of about this size at most, so that the
    /// results in flight (one per piece) stay few whatever the file's size.
    public static let defaultMaximumPiece = 1 << 20
    /// How far past an even cut point a header is looked for (8 MiB).
    static let searchDistance = 8 << 20

    /// The byte ranges of at most `count` pieces of the trace file at `path`,
    /// in file order and covering it; nil when the file is not to be cut.
    public static func pieces(
        of path: String, count: Int, minimumPiece: Int = defaultMinimumPiece, limits: ResourceLimits = ResourceLimits()
    ) -> [Range<Int>]? {
        guard count > 1, let file = try? FileDescriptor(opening: path, flags: FileDescriptor.readOnly),
              let size = file.regularFileSize, size >= 2 * Swift.max(minimumPiece, 1)
        else { return nil }
        let pieceCount = Swift.min(count, size / Swift.max(minimumPiece, 1))
        let targets = (1..<pieceCount).map { size / pieceCount * $0 }
        var reader = PositionalReader(file: file, size: size)
        guard let prefix = reader.bytes(at: 0, count: BinaryLayout.magic.count), prefix.count == BinaryLayout.magic.count else { return nil }
        let cuts: [Int]
        if prefix.elementsEqual(BinaryLayout.magic) {
            // The walk reads on from the start: whole megabytes, few reads.
            reader.minimumRead = 1 << 20
            cuts = binaryCuts(&reader, targets: targets, limits: limits)
        } else if EncodingSniffer.unsupportedEncoding(Array(prefix)) == nil, EncodingSniffer.looksLikeJSONL(Array(prefix)) {
            cuts = jsonlCuts(&reader, targets: targets, minimumPiece: minimumPiece, limits: limits)
        } else {
            return nil
        }
        guard !cuts.isEmpty else { return nil }
        let bounds = [0] + cuts + [size]
        return (0..<(bounds.count - 1)).map { bounds[$0]..<bounds[$0 + 1] }
    }

    // MARK: - JSON Lines

    static let headerStart = Array(#"{"deptrace""#.utf8)

    private static func jsonlCuts(_ reader: inout PositionalReader, targets: [Int], minimumPiece: Int, limits: ResourceLimits) -> [Int] {
        let parser = JSONLLineParser(maxRangesPerRecord: limits.maxRangesPerRecord)
        var cuts: [Int] = []
        for target in targets {
            // No piece smaller than the minimum, on either side of the cut.
            let lowest = (cuts.last ?? 0) + Swift.max(minimumPiece, 1)
            let highest = reader.size - minimumPiece
            guard lowest <= highest else { break }
            let from = Swift.min(Swift.max(target, lowest), highest)
            if let cut = nearestHeaderLine(&reader, to: from, within: lowest..<(highest + 1), parser: parser, limits: limits) {
                cuts.append(cut)
            }
        }
        return cuts
    }

    /// The start of the header line nearest `point` (ahead of it on a tie)
    /// in `bounds`, no further than ``searchDistance`` from it.
    ///
    /// Both sides are searched to the same, doubling distance, so the work
    /// follows how far the nearest header is, not how far the search may go.
    private static func nearestHeaderLine(
        _ reader: inout PositionalReader, to point: Int, within bounds: Range<Int>, parser: JSONLLineParser, limits: ResourceLimits
    ) -> Int? {
        var searchedAhead = point  // [point, searchedAhead) and [searchedBehind, point) hold no header line
        var searchedBehind = point
        var reach = 64 << 10
        while true {
            let aheadEnd = Swift.min(bounds.upperBound, point + reach)
            let behindStart = Swift.max(bounds.lowerBound, point - reach)
            let ahead = headerLine(&reader, in: searchedAhead..<Swift.max(searchedAhead, aheadEnd), backward: false, parser: parser, limits: limits)
            let behind = headerLine(&reader, in: Swift.min(behindStart, searchedBehind)..<searchedBehind, backward: true, parser: parser, limits: limits)
            switch (behind, ahead) {
            case let (before?, after?): return point - before < after - point ? before : after
            case let (before?, nil): return before
            case let (nil, after?): return after
            case (nil, nil): break
            }
            searchedAhead = Swift.max(searchedAhead, aheadEnd)
            searchedBehind = Swift.min(searchedBehind, behindStart)
            if reach >= searchDistance || (searchedAhead >= bounds.upperBound && searchedBehind <= bounds.lowerBound) { return nil }
            reach = Swift.min(reach * 2, searchDistance)
        }
    }

    /// `\n{"deptrace"`: the end of a line, and a next line that starts as a header does.
    private static let headerLineStart = [UInt8(ascii: "\n")] + headerStart

    /// The start of the first (or, `backward`, the last) line in `range` that
    /// parses as a header.
    ///
    /// Lines are not split one by one: ``headerLineStarts(in:below:)`` finds
    /// the line starts that begin `{"deptrace"`, in blocks growing from 64 KiB
    /// to 1 MiB, and only those lines are parsed.
    private static func headerLine(
        _ reader: inout PositionalReader, in range: Range<Int>, backward: Bool, parser: JSONLLineParser, limits: ResourceLimits
    ) -> Int? {
        // Headers are usually near: small blocks first, larger as the search goes on.
        var block = 64 << 10
        var remaining = range
        while !remaining.isEmpty {
            defer { block = Swift.min(block * 2, 1 << 20) }
            let blockRange = backward
                ? Swift.max(remaining.lowerBound, remaining.upperBound - block)..<remaining.upperBound
                : remaining.lowerBound..<Swift.min(remaining.upperBound, remaining.lowerBound + block)
            // A line start p follows the newline at p - 1.
            guard let bytes = reader.bytes(at: blockRange.lowerBound - 1, count: blockRange.count + headerLineStart.count - 1) else { return nil }
            var starts = lineStartsBeginningAsHeaders(in: bytes, limit: blockRange.count).map { blockRange.lowerBound + $0 }
            if backward { starts.reverse() }
            for start in starts where isHeaderLine(&reader, at: start, parser: parser, limits: limits) { return start }
            remaining = backward ? remaining.lowerBound..<blockRange.lowerBound : blockRange.upperBound..<remaining.upperBound
        }
        return nil
    }

    /// The offsets in `bytes` (below `limit`) of every `\n{"deptrace"`, ascending.
    private static func lineStartsBeginningAsHeaders(in bytes: ArraySlice<UInt8>, limit: Int) -> [Int] {
        bytes.withUnsafeBytes { headerLineStarts(in: $0, below: limit) }
    }

    /// The offsets below `limit` in `bytes` at which `\n{"deptrace"` starts, ascending.
    ///
    /// Thirty-two offsets at a time: only where a newline is followed three
    /// bytes later by a `d` (as in `\n{"d`; record lines go on `{"s`, `{"e`,
    /// ...) are the twelve bytes compared.
    static func headerLineStarts(in bytes: UnsafeRawBufferPointer, below limit: Int) -> [Int] {
        let pattern = headerLineStart
        let end = Swift.min(limit, bytes.count - pattern.count + 1)
        func matches(at offset: Int) -> Bool {
            for index in 0..<pattern.count where bytes[offset + index] != pattern[index] { return false }
            return true
        }
        var found: [Int] = []
        var offset = 0
        let newline = SIMD32<UInt8>(repeating: UInt8(ascii: "\n"))
        let d = SIMD32<UInt8>(repeating: UInt8(ascii: "d"))
        // Loads of 32 bytes at `offset` and `offset + 3` stay inside the buffer.
        while offset < end, offset + 35 <= bytes.count {
            let atNewline = bytes.loadUnaligned(fromByteOffset: offset, as: SIMD32<UInt8>.self) .== newline
            let thenD = bytes.loadUnaligned(fromByteOffset: offset + 3, as: SIMD32<UInt8>.self) .== d
            if any(atNewline .& thenD) {
                for candidate in offset..<Swift.min(offset + 32, end) where matches(at: candidate) { found.append(candidate) }
            }
            offset += 32
        }
        while offset < end {
            if matches(at: offset) { found.append(offset) }
            offset += 1
        }
        return found
    }

    /// Whether the line at `start` reads as a header: the reader would start a new trace there.
    private static func isHeaderLine(_ reader: inout PositionalReader, at start: Int, parser: JSONLLineParser, limits: ResourceLimits) -> Bool {
        guard let opening = reader.bytes(at: start, count: headerStart.count), opening.elementsEqual(headerStart) else { return false }
        let longest = Swift.min(limits.maxHeaderBytes, limits.maxLineLength)
        var line: [UInt8] = []
        while true {
            guard let bytes = reader.bytes(at: start + line.count, count: 1 << 16), !bytes.isEmpty else { return false }
            if let newline = bytes.firstIndex(of: 0x0A) {
                line += bytes[bytes.startIndex..<newline]
                break
            }
            line += bytes
            guard line.count <= longest else { return false }
        }
        guard line.count <= longest else { return false }
        return line.withUnsafeBufferPointer { isHeader($0, parser: parser) }
    }

    /// Whether `line` (without its newline) parses as a header: the reader
    /// would start a new trace there, so a cut before it changes nothing.
    static func isHeader(_ line: UnsafeBufferPointer<UInt8>, parser: JSONLLineParser) -> Bool {
        guard line.count >= headerStart.count, headerStart.indices.allSatisfy({ line[$0] == headerStart[$0] }) else { return false }
        var scratch: [Range<Int>] = []
        if case .header = try? parser.parse(line, reusing: &scratch) { return true }
        return false
    }

    // MARK: - Binary

    private static func binaryCuts(_ reader: inout PositionalReader, targets: [Int], limits: ResourceLimits) -> [Int] {
        var cuts: [Int] = []
        var pending = targets[...]
        var position = 0
        var wanted = BinaryLayout.traceHeaderSize
        while let target = pending.first {
            // One long trace: no cut within reach, and walking on would only read the file twice.
            if position > target + searchDistance { break }
            guard let bytes = reader.bytes(at: position, count: wanted), !bytes.isEmpty else { break }
            switch bytes.withUnsafeBytes({ BinaryFraming.unit(at: $0, limits: limits) }) {
            case .header(let size):
                if position >= target {
                    cuts.append(position)
                    pending = pending.drop { $0 <= position }
                }
                position += size
                wanted = BinaryLayout.traceHeaderSize
            case .chunk(let size) where position > 0:
                position += size
                wanted = BinaryLayout.traceHeaderSize
            case .needs(let count) where count > bytes.count && reader.size - position >= count:
                wanted = count
            default:
                // Damage, a chunk before any header, or a cut end: no cut after it.
                return cuts
            }
        }
        return cuts
    }
}

/// Reads byte ranges of a file at given offsets through a buffer filled ``minimumRead`` bytes or more at a time.
private struct PositionalReader {
    let file: FileDescriptor
    let size: Int
    /// Reused from read to read: a fresh megabyte each time costs more in zeroing and page faults than the reads.
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// The bytes of `buffer` that hold the file from `bufferStart`.
    private var bufferCount = 0
    /// The least a read asks for, so that small requests in sequence cost few reads.
    var minimumRead = 64 << 10

    init(file: FileDescriptor, size: Int) {
        self.file = file
        self.size = size
    }

    /// Up to `count` bytes from `offset` (fewer at the end of the file); nil when reading fails.
    mutating func bytes(at offset: Int, count: Int) -> ArraySlice<UInt8>? {
        guard offset >= 0, count >= 0 else { return nil }
        let end = Swift.min(offset + count, size)
        guard offset < end else { return buffer[0..<0] }
        if offset < bufferStart || end > bufferStart + bufferCount {
            let length = Swift.max(end - offset, Swift.min(minimumRead, size - offset))
            if buffer.count < length { buffer = [UInt8](repeating: 0, count: length) }
            bufferCount = 0
            var filled = 0
            while filled < length {
                let read = buffer.withUnsafeMutableBytes { raw in
                    try? file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled..<length]), at: offset + filled)
                }
                guard let read, read > 0 else { return nil }
                filled += read
            }
            bufferStart = offset
            bufferCount = length
        }
        return buffer[(offset - bufferStart)..<(end - bufferStart)]
    }
}
