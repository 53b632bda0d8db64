import DepTrace
import Testing
import _DepTraceTestSupport

/// Every bound of `ResourceLimits` stops a hostile input with an error that
/// names the place and the bound, instead of a crash or exhausted memory.
/// Serialized: two of these let the reader fill its default 256 MiB line buffer.
@Suite(.serialized) struct ResourceLimitTests {
    /// Serves `prefix`, then `body` repeated until `total` bytes were served,
    /// then `suffix`: gigabytes of input without holding them.
    final class GeneratingSource: ByteSource {
        private let prefix: [UInt8]
        private let body: [UInt8]
        private let suffix: [UInt8]
        private let total: Int
        private(set) var served = 0

        init(prefix: String, body: String, suffix: String, total: Int) {
            self.prefix = Array(prefix.utf8)
            // Whole repetitions of `body` in one piece of at least 64 KiB: fewer, larger copies.
            let unit = Array(body.utf8)
            self.body = Array(repeating: unit, count: (1 << 16) / Swift.max(unit.count, 1) + 1).flatMap { $0 }
            self.suffix = Array(suffix.utf8)
            self.total = total
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            var written = 0
            // Whole pieces at a time: byte by byte, a gigabyte takes minutes in a debug build.
            while written < buffer.count, served < total {
                let bodyEnd = total - suffix.count
                let (piece, offset): ([UInt8], Int) =
                    served < prefix.count ? (prefix, served)
                    : served < bodyEnd ? (body, (served - prefix.count) % body.count)
                    : (suffix, served - bodyEnd)
                var count = Swift.min(piece.count - offset, buffer.count - written)
                if served < bodyEnd { count = Swift.min(count, bodyEnd - served) }
                piece.withUnsafeBytes { bytes in
                    UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + count)])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
                }
                written += count
                served += count
            }
            return written
        }
    }

    static let header = #"{"deptrace":1,"sample":"x","layers":2,"heads":2}"#

    private func read(_ source: some ByteSource, options: AnalysisOptions = AnalysisOptions()) -> AnalysisResult {
        var outcomes: [TraceOutcome] = []
        var diagnostics: [Diagnostic] = []
        var observer = CallbackObserver(onTrace: { outcomes.append($0) }, onDiagnostic: { diagnostics.append($0) })
        _ = InputAnalyzer.analyze(source, name: "big", options: options, observer: &observer)
        return AnalysisResult(outcomes: outcomes, diagnostics: diagnostics)
    }

    private func limits(_ change: (inout ResourceLimits) -> Void) -> AnalysisOptions {
        var limits = ResourceLimits()
        change(&limits)
        return AnalysisOptions(limits: limits)
    }

    private func jsonl(_ lines: [String], options: AnalysisOptions) -> AnalysisResult {
        analyzeJSONL(lines.joined(separator: "\n") + "\n", options: options, pieceSize: 13)
    }

    @Test func aLineOfAGigabyteStopsAtTheLineLength() throws {
        let source = GeneratingSource(prefix: Self.header + "\n" + #"{"mark":""#, body: "abcdefgh", suffix: "\"}\n", total: 1 << 30)
        let result = read(source)
        let error = try #require(result.errors.first)
        #expect(error.line == 2)
        #expect(error.message.contains("line longer than 268435456 bytes"))
        #expect(error.message.contains("--max-line-length"))
        // The reader stopped at the bound: it never read the whole gigabyte.
        #expect(source.served < (300 << 20))
        #expect(result.outcomes.count == 1)
    }

    @Test func aRecordOfAHundredMillionRangesStopsAtTheLineLength() throws {
        // 10^8 ranges of 12 bytes: 1.2 GB, generated while read.
        let body = "[1000,1001],"
        let source = GeneratingSource(prefix: Self.header + "\n" + #"{"evict":["#, body: body, suffix: "[1,2]]}\n",
                                      total: Self.header.count + 11 + 100_000_000 * body.count)
        let result = read(source)
        let error = try #require(result.errors.first)
        #expect(error.line == 2)
        #expect(error.message.contains("line longer than"))
        #expect(source.served < (300 << 20))
    }

    @Test(arguments: [#"{"evict":[[0,1],[2,3],[4,5],[6,7]]}"#, #"{"evict": [[0,1], [2,3], [4,5], [6,7]]}"#])
    func rangesPerRecordInJSONL(line: String) throws {
        let result = jsonl([Self.header, #"{"step":"prefill","q":[0,10]}"#, line], options: limits { $0.maxRangesPerRecord = 3 })
        let error = try #require(result.errors.first)
        #expect(error.line == 3)
        #expect(error.trace == 0)
        #expect(error.message.contains("more than 3 ranges"))
        #expect(error.message.contains("--max-ranges-per-record"))
        #expect(result.outcomes.first?.status == .invalid)
        // At the limit the record is read.
        let fits = jsonl([Self.header, #"{"step":"prefill","q":[0,10]}"#, #"{"evict":[[0,1],[2,3],[4,5]]}"#], options: limits { $0.maxRangesPerRecord = 3 })
        #expect(fits.errors.isEmpty)
    }

    @Test func rangesPerRecordInBinary() throws {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink, encoding: .binary)
        try writer.begin(TraceHeader(sample: "x"))
        _ = try writer.step(.prefill, count: 100)
        try writer.evict(stride(from: 0, to: 100, by: 2).map { $0..<($0 + 1) })
        try writer.end()
        try writer.close()
        let result = analyzeBytes(sink.bytes, options: limits { $0.maxRangesPerRecord = 49 })
        let error = try #require(result.errors.first)
        #expect(error.offset != nil)
        #expect(error.message.contains("lists 50 ranges, more than the limit of 49"))
        #expect(result.errors.count == 1)
        #expect(result.outcomes.first?.status == .invalid)
        #expect(analyzeBytes(sink.bytes, options: limits { $0.maxRangesPerRecord = 50 }).errors.isEmpty)
    }

    @Test func aHeaderClaimingABillionStreams() throws {
        let result = jsonl([#"{"deptrace":1,"layers":1000000,"heads":1000}"#, #"{"step":"prefill","q":[0,10]}"#], options: AnalysisOptions())
        let error = try #require(result.errors.first)
        #expect(error.line == 1)
        #expect(error.message.contains("more than the limit of 1048576 (raise it with --max-streams)"))
        let lowered = jsonl([Self.header], options: limits { $0.maxStreams = 3 })
        #expect(lowered.errors.first?.message.contains("more than the limit of 3") == true)
    }

    @Test func largestTokenId() throws {
        let options = limits { $0.maxTokenId = 99 }
        let step = jsonl([Self.header, #"{"step":"prefill","q":[0,100]}"#, #"{"step":"decode","q":[100,1]}"#], options: options)
        let error = try #require(step.errors.first)
        #expect(error.line == 3)
        #expect(error.message.contains("step ids 100 ..< 101 go beyond the largest token id allowed, 99 (raise it with --max-token-id)"))
        let range = jsonl([Self.header, #"{"step":"prefill","q":[0,50]}"#, #"{"hide":[[10,20],[40,120]]}"#], options: options)
        #expect(range.errors.first?.message.contains("range [40,120] goes beyond the largest token id allowed, 99") == true)
        #expect(range.errors.first?.line == 3)
        // The same bound on the per-head path, an eviction from a stream that has a state of its own.
        let evict = jsonl([Self.header, #"{"step":"prefill","q":[0,50]}"#, #"{"evict":[[1,2]],"s":0}"#, #"{"evict":[[120,121]],"s":0}"#], options: options)
        #expect(evict.errors.first?.message.contains("range [120,121] goes beyond the largest token id allowed, 99") == true, "\(evict.errors)")
        #expect(evict.errors.first?.line == 4)
    }

    @Test func headerSize() throws {
        let padded = #"{"deptrace":1,"sample":"x","meta":{"pad":""# + String(repeating: "p", count: 2000) + #""}}"#
        let result = jsonl([padded, #"{"step":"prefill","q":[0,10]}"#], options: limits { $0.maxHeaderBytes = 1024 })
        let error = try #require(result.errors.first)
        #expect(error.line == 1)
        #expect(error.message.contains("header line of \(padded.utf8.count) bytes, more than the limit of 1 KiB (raise it with --max-header-size)"))

        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink, encoding: .binary)
        try writer.begin(TraceHeader(sample: String(repeating: "s", count: 2000)))
        try writer.end()
        try writer.close()
        let binary = analyzeBytes(sink.bytes, options: limits { $0.maxHeaderBytes = 1024 })
        #expect(binary.errors.first?.offset == 0)
        #expect(binary.errors.first?.message.contains("exceeds the limit of 1 KiB (raise it with --max-header-size)") == true)
    }

    @Test func aBinaryChunkClaimingFourGigabytes() throws {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink, encoding: .binary)
        try writer.begin(TraceHeader(sample: "x"))
        try writer.flush()
        let headerBytes = sink.bytes.count
        var bytes = sink.bytes
        bytes += [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] + [UInt8](repeating: 1, count: 64)
        let result = analyzeBytes(bytes)
        let error = try #require(result.errors.first)
        #expect(error.offset == headerBytes)
        #expect(error.message.contains("payload length 4294967295 exceeds the limit of 16 MiB (raise it with --max-chunk-size)"))
        let lowered = analyzeBytes(bytes, options: limits { $0.maxChunkBytes = 32 })
        #expect(lowered.errors.first?.message.contains("exceeds the limit of 32 bytes") == true)
    }

    @Test func heldIntervals() throws {
        // Every other id evicted: one more range per eviction (the 4 streams share one state).
        var lines = [Self.header, #"{"step":"prefill","q":[0,200]}"#]
        for id in stride(from: 1, to: 120, by: 2) { lines.append(#"{"evict":[[\#(id),\#(id + 1)]]}"#) }
        // k evictions hold k + 1 ranges, and the created ids one more: the 9th makes 11 > 10.
        let result = jsonl(lines, options: limits { $0.maxHeldIntervals = 10 })
        let error = try #require(result.errors.first)
        #expect(error.trace == 0)
        #expect(error.line == 11)
        #expect(error.message.contains("hold 11 ranges in memory, all streams together, more than the limit of 10 (raise it with --max-held-intervals)"))
        #expect(jsonl(lines, options: AnalysisOptions()).errors.isEmpty)
    }
}
