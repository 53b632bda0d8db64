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
            let from = Swift.max(target, (cuts.last ?? 0) + minimumPiece)
            guard let cut = nextHeaderLine(&reader, from: from, parser: parser, limits: limits),
                  reader.size - cut >= minimumPiece
            else { continue }
            cuts.append(cut)
        }
        return cuts
    }

    /// The start of the first header line at or after `from` (and within the search distance).
    private static func nextHeaderLine(_ reader: inout PositionalReader, from: Int, parser: JSONLLineParser, limits: ResourceLimits) -> Int? {
        let block = 1 << 16
        var position = from - 1  // the newline that ends the line before
        let stop = Swift.min(reader.size, from + searchDistance)
        while position < stop {
            guard let bytes = reader.bytes(at: position, count: Swift.min(block, stop - position)), !bytes.isEmpty else { return nil }
            guard let newline = bytes.firstIndex(of: 0x0A) else {
                position += bytes.count
                continue
            }
            let lineStart = position + (newline - bytes.startIndex) + 1
            position = lineStart
            if isHeaderLine(&reader, at: lineStart, parser: parser, limits: limits) { return lineStart }
        }
        return nil
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

/// Reads byte ranges of a file at given offsets through a buffer of about 1 MiB.
private struct PositionalReader {
    let file: FileDescriptor
    let size: Int
    /// Reused from read to read: a fresh megabyte each time costs more in zeroing and page faults than the reads.
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// The bytes of `buffer` that hold the file from `bufferStart`.
    private var bufferCount = 0

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
            let length = Swift.max(end - offset, Swift.min(1 << 20, size - offset))
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
