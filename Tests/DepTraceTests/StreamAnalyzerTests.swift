import DepTrace
import Testing
import _DepTraceTestSupport

/// A stream (standard input, a decompressed file) cut as it arrives and
/// parsed on several threads gives exactly what reading it whole gives: the
/// same traces, metrics, diagnostics and locations.
@Suite struct StreamAnalyzerTests {
    /// Serves `bytes` in reads of at most `readSize`, then fails with `failure` if given.
    final class StreamSource: ByteSource {
        let bytes: [UInt8]
        let readSize: Int
        let failure: InputError?
        var position = 0

        init(_ bytes: [UInt8], readSize: Int, failure: InputError? = nil) {
            self.bytes = bytes
            self.readSize = Swift.max(readSize, 1)
            self.failure = failure
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            let count = Swift.min(buffer.count, readSize, bytes.count - position)
            if count == 0, buffer.count > 0, let failure { throw failure }
            for index in 0..<count { buffer[index] = bytes[position + index] }
            position += count
            return count
        }
    }

    /// The stream read whole, and cut into pieces of about `pieceSize` bytes parsed on three threads.
    func readBothWays(_ bytes: [UInt8], pieceSize: Int, readSize: Int, failure: InputError? = nil)
        -> (whole: PieceMerger.Piece, cut: PieceMerger.Piece)
    {
        let whole = StreamAnalyzer.analyze(StreamSource(bytes, readSize: readSize, failure: failure), name: "-", options: AnalysisOptions(), workers: 1)
        let cut = StreamAnalyzer.analyze(
            StreamSource(bytes, readSize: readSize, failure: failure), name: "-", options: AnalysisOptions(), workers: 3, pieceSize: pieceSize)
        return (whole, cut)
    }

    func expectSame(_ a: PieceMerger.Piece, _ b: PieceMerger.Piece) {
        expectSameReading((a.summary, a.diagnostics, a.outcomes), (b.summary, b.diagnostics, b.outcomes))
    }

    /// The pieces the cutter hands out, and the rest it gives up on, as bytes.
    func pieces(_ bytes: [UInt8], pieceSize: Int, maxPiece: Int? = nil) -> (pieces: [[UInt8]], rest: [UInt8]?) {
        let cutter = StreamCutter(source: StreamSource(bytes, readSize: 1000), limits: ResourceLimits(), pieceSize: pieceSize, maxPiece: maxPiece)
        var pieces: [[UInt8]] = []
        while true {
            switch cutter.next() {
            case let .piece(block, count, _, _):
                pieces.append(Array(UnsafeRawBufferPointer(rebasing: block.bytes[0..<count])))
            case let .rest(block, count, then, _):
                var rest = Array(UnsafeRawBufferPointer(rebasing: block.bytes[0..<count]))
                var chunk = [UInt8](repeating: 0, count: 4096)
                while let read = try? chunk.withUnsafeMutableBytes({ try then.read(into: $0) }), read > 0 { rest += chunk[0..<read] }
                return (pieces, rest)
            case .end:
                return (pieces, nil)
            }
        }
    }

    @Test(arguments: 0..<10)
    func damagedJSONLStreamsReadAsWhole(seed: Int) {
        let bytes = damagedJSONL(seed: UInt64(80_000 + seed))
        let cut = pieces(bytes, pieceSize: bytes.count / 12)
        #expect(cut.pieces.count > 4)
        #expect(cut.rest == nil)
        #expect(cut.pieces.joined().elementsEqual(bytes))
        for piece in cut.pieces.dropFirst() { #expect(piece.starts(with: Array(#"{"deptrace""#.utf8))) }
        let (whole, parallel) = readBothWays(bytes, pieceSize: bytes.count / 12, readSize: [1, 7, 4096, 1 << 20][seed % 4])
        #expect(whole.outcomes.count > 40)
        expectSame(whole, parallel)
    }

    @Test(arguments: 0..<10)
    func binaryStreamsReadAsWholeAndGiveUpCuttingAtDamage(seed: Int) throws {
        var bytes = try randomBinaryTraces(seed: UInt64(81_000 + seed), count: 50)
        let damaged = seed % 2 == 1
        if damaged { bytes[bytes.count * 2 / 3] ^= 0x5A }
        let cut = pieces(bytes, pieceSize: bytes.count / 10)
        #expect(cut.pieces.count > 3)
        #expect((cut.pieces.joined() + (cut.rest ?? [])).elementsEqual(bytes))
        for piece in cut.pieces.dropFirst() { #expect(piece.starts(with: BinaryLayout.magic)) }
        // Cutting stops at the damage: what follows is read as the whole stream reads it.
        #expect((cut.rest != nil) == damaged)
        let (whole, parallel) = readBothWays(bytes, pieceSize: bytes.count / 10, readSize: [3, 64, 5000][seed % 3])
        #expect(whole.outcomes.count == 50 || damaged)
        expectSame(whole, parallel)
    }

    @Test(arguments: [0, 1, 5, 100, 2_000, 10_000])
    func aStreamThatFailsGivesWhatCameBeforeTheFailure(failingAfter: Int) throws {
        var generator = RandomTraceGenerator(seed: 82_000)
        let traces = (0..<30).map { generator.trace(sample: "f\($0)", maxSteps: 30) }
        for encoding in [TraceWriter.Encoding.jsonl, .binary] {
            let bytes = Array(try encode(traces, as: encoding, flushThreshold: 100).prefix(failingAfter))
            let failure = InputError.readFailed("-", "Input/output error")
            let (whole, parallel) = readBothWays(bytes, pieceSize: 300, readSize: 97, failure: failure)
            #expect(whole.diagnostics.contains { $0.message.contains("Input/output error") })
            expectSame(whole, parallel)
        }
    }

    @Test func oneTraceLongerThanAPieceIsReadWhole() throws {
        var generator = RandomTraceGenerator(seed: 83_000)
        let short = (0..<5).map { generator.trace(sample: "s\($0)", maxSteps: 20) }
        let long = generator.trace(sample: "long", maxSteps: 2_000)
        for encoding in [TraceWriter.Encoding.jsonl, .binary] {
            let bytes = try encode(short + [long] + short, as: encoding, flushThreshold: 64)
            let cut = pieces(bytes, pieceSize: 200, maxPiece: 2_000)
            #expect(cut.rest != nil, "the long trace stops the cutting")
            #expect((cut.pieces.joined() + (cut.rest ?? [])).elementsEqual(bytes))
            let (whole, parallel) = readBothWays(bytes, pieceSize: 200, readSize: 333)
            #expect(whole.outcomes.count == 11)
            expectSame(whole, parallel)
        }
    }

    @Test(arguments: [100, 5_000, 300_000])
    func longLinesAreReadAsWhole(length: Int) {
        // A long mark inside a trace, and a long line that only starts like a header.
        let mark = #"{"mark":""# + String(repeating: "x", count: length) + #""}"#
        let fake = #"{"deptrace":"# + String(repeating: "9", count: length)
        var lines: [String] = []
        for index in 0..<6 {
            lines += [#"{"deptrace":1,"sample":"\#(index)"}"#, #"{"step":"prefill","q":[0,4]}"#, mark, #"{"step":"decode","q":[4,1]}"#]
            if index == 3 { lines.append(fake) }
        }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let (whole, parallel) = readBothWays(bytes, pieceSize: 50, readSize: 4096)
        #expect(whole.outcomes.count == 6)
        expectSame(whole, parallel)
    }

    @Test func aLineTooLongEndsTheStreamAndReadingStopsSoonAfter() throws {
        var generator = RandomTraceGenerator(seed: 84_000)
        let traces = (0..<1_500).map { generator.trace(sample: "t\($0)", maxSteps: 20) }
        var lines = try String(decoding: encode(traces, as: .jsonl), as: UTF8.self).split(separator: "\n").map(String.init)
        lines.insert(#"{"mark":""# + String(repeating: "x", count: 500) + #""}"#, at: 40)
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let options = AnalysisOptions(limits: ResourceLimits(maxLineLength: 300))
        let whole = StreamAnalyzer.analyze(StreamSource(bytes, readSize: 4096), name: "-", options: options, workers: 1)
        let source = StreamSource(bytes, readSize: 4096)
        var cut = StreamAnalyzer.analyze(source, name: "-", options: options, workers: 3, pieceSize: 2_000)
        #expect(whole.diagnostics.contains { $0.message.contains("longer than 300 bytes") })
        // Bytes read (for progress only) differ where reading stops early: a piece counts whole.
        #expect(cut.summary.bytes >= whole.summary.bytes)
        cut.summary.bytes = whole.summary.bytes
        expectSame(whole, cut)
        // The pieces in flight are read, not the rest of the stream.
        #expect(source.position < bytes.count / 4, "read \(source.position) of \(bytes.count) bytes")
    }

    @Test func emptyAndUnreadableStreamsAreReportedAlike() {
        let utf16 = [UInt8]([0xFF, 0xFE]) + Array("{\"deptrace\":1}".utf8).flatMap { [$0, 0] }
        for bytes in [[], Array("\n\n".utf8), utf16, Array("garbage without a newline".utf8), BinaryLayout.magic] {
            let (whole, parallel) = readBothWays(bytes, pieceSize: 1, readSize: 3)
            #expect(!whole.diagnostics.isEmpty)
            expectSame(whole, parallel)
        }
    }
}
