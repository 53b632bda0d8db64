import DepTrace
import Testing
import _DepTraceTestSupport

@Suite struct BinaryEncodingTests {
    @Test func crc32cCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = CRC32C.checksum(bytes)
        let split = bytes.withUnsafeBytes { buffer in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[333...]), continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[..<333])))
        }
        #expect(whole == split)
    }

    /// JSONL → binary → JSONL gives the same bytes, the same records and identical metrics.
    @Test(arguments: 0..<400)
    func roundTrip(seed: Int) throws {
        var generator = RandomTraceGenerator(seed: UInt64(50_000 + seed))
        let traces = (0..<Int.random(in: 1...3, using: &generator.random)).map { generator.trace(sample: "b\($0)", maxSteps: 80) }
        let jsonl = try encode(traces, as: .jsonl)
        let binary = try encode(traces, as: .binary, flushThreshold: Int.random(in: 1...300, using: &generator.random))

        var fromJSONL = RecordingObserver()
        _ = InputAnalyzer.analyze(MemoryByteSource(jsonl), name: "a", options: AnalysisOptions(), observer: &fromJSONL)
        var fromBinary = RecordingObserver()
        _ = InputAnalyzer.analyze(MemoryByteSource(binary, pieceSize: 37), name: "a", options: AnalysisOptions(), observer: &fromBinary)
        #expect(fromBinary.diagnostics.filter { $0.severity == .error }.isEmpty, "\(fromBinary.diagnostics)")
        #expect(fromBinary.records == fromJSONL.records)
        #expect(fromBinary.outcomes.map(\.metrics) == fromJSONL.outcomes.map(\.metrics))
        #expect(fromBinary.outcomes.map(\.header) == fromJSONL.outcomes.map(\.header))
        #expect(fromBinary.outcomes.map(\.status) == fromJSONL.outcomes.map(\.status))

        // And back: the converter writes the original JSONL bytes.
        let sink = MemoryTraceSink()
        var converter = TraceConverter(writer: TraceWriter(sink: sink, encoding: .jsonl), onDiagnostic: { _ in })
        _ = InputAnalyzer.analyze(MemoryByteSource(binary), name: "b", options: AnalysisOptions(), observer: &converter)
        try converter.writer.close()
        #expect(sink.bytes == jsonl)
    }

    /// A small file of three traces in many chunks, for the exhaustive damage tests.
    static func sample() throws -> (bytes: [UInt8], clean: RecordingObserver, chunkEnds: [Int]) {
        var generator = RandomTraceGenerator(seed: 4242)
        var traces: [RandomTraceGenerator.Trace] = []
        while traces.count < 3 {
            let trace = generator.trace(sample: "d\(traces.count)", maxSteps: 25)
            if trace.records.count >= 12, case .end = trace.records.last { traces.append(trace) }
        }
        let bytes = try encode(traces, as: .binary, flushThreshold: 40)
        var clean = RecordingObserver()
        _ = InputAnalyzer.analyze(MemoryByteSource(bytes), name: "x", options: AnalysisOptions(), observer: &clean)
        // Where each trace start and chunk ends, walking the framing.
        var ends: [Int] = []
        var position = 0
        func uint32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        while position < bytes.count {
            if Array(bytes[position..<(position + 8)]) == BinaryLayout.magic {
                position += BinaryLayout.traceHeaderSize + uint32(position + 12)
            } else {
                position += BinaryLayout.chunkHeaderSize + uint32(position)
            }
            ends.append(position)
        }
        return (bytes, clean, ends)
    }

    /// Records of trace `index` in the clean read that lie in framing units ending at or before `limit`.
    static func recordsBefore(_ limit: Int, in sample: (bytes: [UInt8], clean: RecordingObserver, chunkEnds: [Int])) throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        var observer = RecordingObserver()
        let prefix = Array(sample.bytes[0..<(sample.chunkEnds.last { $0 <= limit } ?? 0)])
        _ = InputAnalyzer.analyze(MemoryByteSource(prefix), name: "x", options: AnalysisOptions(), observer: &observer)
        for (index, records) in observer.records { counts[index] = records.count }
        return counts
    }

    /// Every truncation point: no crash, an error with an offset unless the cut
    /// falls between chunks, and every record of every complete chunk read.
    @Test func everyTruncation() throws {
        let sample = try Self.sample()
        #expect(sample.clean.outcomes.count == 3 && sample.clean.diagnostics.isEmpty)
        for length in 0..<sample.bytes.count {
            var observer = RecordingObserver()
            _ = InputAnalyzer.analyze(MemoryByteSource(Array(sample.bytes[0..<length])), name: "x", options: AnalysisOptions(), observer: &observer)
            let errors = observer.diagnostics.filter { $0.severity == .error }
            let atBoundary = length == 0 || sample.chunkEnds.contains(length)
            if !atBoundary {
                #expect(errors.count == 1 && errors.first?.offset != nil, "cut at \(length): \(errors)")
            } else {
                #expect(errors.isEmpty, "cut at \(length): \(errors)")
            }
            let expected = try Self.recordsBefore(length, in: sample)
            for (index, count) in expected {
                #expect((observer.records[index] ?? []).count == count, "cut at \(length), trace \(index)")
                #expect(Array(sample.clean.records[index]?.prefix(count) ?? []) == observer.records[index] ?? [])
            }
        }
    }

    /// Every single-byte flip: the full result, or an error with an offset;
    /// every complete chunk before the damage read; traces after it resynchronised.
    @Test func everyByteFlip() throws {
        let sample = try Self.sample()
        let traceStarts = [0] + sample.chunkEnds.filter { $0 < sample.bytes.count && Array(sample.bytes[$0..<($0 + 8)]) == BinaryLayout.magic }
        for position in 0..<sample.bytes.count {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var bytes = sample.bytes
                bytes[position] ^= flip
                var observer = RecordingObserver()
                _ = InputAnalyzer.analyze(MemoryByteSource(bytes, pieceSize: 97), name: "x", options: AnalysisOptions(), observer: &observer)
                let errors = observer.diagnostics.filter { $0.severity == .error }
                guard !errors.isEmpty else {
                    #expect(observer.records == sample.clean.records, "flip at \(position) went unnoticed and changed records")
                    continue
                }
                #expect(errors.allSatisfy { $0.offset != nil }, "flip at \(position): \(errors)")
                // Traces that end before the damaged unit are read whole.
                let damagedTrace = (traceStarts.lastIndex { $0 <= position }) ?? 0
                for index in 0..<damagedTrace {
                    #expect(observer.records[index] == sample.clean.records[index], "flip at \(position): trace \(index)")
                }
                // The damaged trace keeps every record of its chunks before the damage.
                let unitStart = ([0] + sample.chunkEnds).last { $0 <= position } ?? 0
                let kept = try Self.recordsBefore(unitStart, in: sample)[damagedTrace] ?? 0
                #expect((observer.records[damagedTrace] ?? []).count >= kept, "flip at \(position): kept \((observer.records[damagedTrace] ?? []).count) of \(kept)")
                // Traces after the damaged one resynchronise at their magic.
                for index in (damagedTrace + 1)..<traceStarts.count where !(traceStarts[index]..<(traceStarts[index] + 8)).contains(position) {
                    let match = observer.outcomes.first { $0.header?.sample == sample.clean.outcomes[index].header?.sample && $0.status == .complete }
                    #expect(match?.metrics == sample.clean.outcomes[index].metrics, "flip at \(position): trace \(index) not recovered")
                }
            }
        }
    }
}

@Suite struct BinaryEdgeCaseTests {
    @Test func writerRefusesARecordLargerThanAChunk() throws {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink, encoding: .binary)
        try writer.begin(TraceHeader())
        try writer.step(.prefill)
        let huge = String(repeating: "x", count: BinaryLayout.maxChunkPayload)
        #expect(throws: TraceWriterError.recordTooLarge("mark", bytes: BinaryLayout.maxChunkPayload + 5)) { try writer.mark(huge) }
        try writer.mark("fits")
        try writer.end()
        try writer.close()
        let result = analyzeBytes(sink.bytes)
        #expect(result.diagnostics.isEmpty)
        #expect(result.outcomes.first?.status == .complete)
    }

    @Test func zeroFilledTailIsDamage() throws {
        var generator = RandomTraceGenerator(seed: 3)
        let bytes = try encode([generator.trace(sample: "z")], as: .binary) + [UInt8](repeating: 0, count: 64)
        let result = analyzeBytes(bytes)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.message.contains("empty chunk") == true)
        #expect(result.errors.first?.offset == bytes.count - 64)
    }

    /// A magic whose 0x1A byte became printable is still read as binary, so the traces after it are found.
    @Test func magicWithAPrintableByteIsStillBinary() throws {
        var generator = RandomTraceGenerator(seed: 5)
        let traces = [generator.trace(sample: "a"), generator.trace(sample: "b")]
        var bytes = try encode(traces, as: .binary)
        bytes[6] = UInt8(ascii: "Z")
        let result = analyzeBytes(bytes)
        #expect(result.errors.first?.offset == 0)
        #expect(result.outcomes.contains { $0.header?.sample == "b" && $0.isAnalysed })
    }

    /// Chunks of a trace of another version are skipped, not decoded: one error, for the version.
    @Test func unsupportedVersionChunksAreSkipped() throws {
        var generator = RandomTraceGenerator(seed: 8)
        let trace = generator.trace(sample: "v")
        var header = trace.header
        header.fields[0] = (key: "deptrace", value: .integer(2))
        header.version = 2
        var bytes = BinaryRecordEncoder.traceStart(header)
        var encoder = BinaryRecordEncoder()
        var payload: [UInt8] = [0xEE, 0x01, 0x02]
        for record in trace.records { encoder.append(record, to: &payload) }
        bytes += BinaryRecordEncoder.chunk(payload)
        bytes += try encode([generator.trace(sample: "after")], as: .binary)
        let result = analyzeBytes(bytes)
        #expect(result.errors.count == 1, "\(result.errors)")
        #expect(result.outcomes.first?.status == .unsupported)
        #expect(result.outcomes.last?.header?.sample == "after")
    }

    /// A binary range record reaches the engine without the JSONL parser's
    /// checks, and an eviction from a stream that has a state of its own takes
    /// the engine's per-head path: an empty range there is refused all the same.
    @Test func anEmptyRangeFromAStreamOfItsOwnIsRefused() throws {
        var encoder = BinaryRecordEncoder()
        var payload: [UInt8] = []
        let records: [Record] = [
            .step(Step(phase: .prefill, first: 0, count: 10)), .evict([1..<2], stream: 0), .evict([3..<3], stream: 0),
        ]
        for record in records { encoder.append(record, to: &payload) }
        let result = analyzeBytes(BinaryRecordEncoder.traceStart(TraceHeader(sample: "own", heads: 2)) + BinaryRecordEncoder.chunk(payload))
        #expect(result.errors.count == 1, "\(result.errors)")
        #expect(result.errors.first?.message.contains("empty range [3,3]") == true, "\(result.errors)")
        #expect(result.errors.first?.record == 2)
        #expect(result.outcomes.first?.status == .invalid)
    }

    /// Varints of every length from 1 to 10 bytes, at every distance from their
    /// chunk's end: the decoder's one-byte, unchecked and byte-by-byte paths agree
    /// with the JSONL reading of the same records.
    @Test(arguments: [1, 2, 5, 11, 40, 300])
    func varintsOfEveryLength(flushThreshold: Int) throws {
        var records: [Record] = []
        var first = 0
        var time = 0
        for bits in 0..<62 {
            // Id gaps up to 2^49 keep ids below 2^53; time deltas and token ids span 1 to 10 bytes.
            first += bits < 50 ? 1 << bits : 1
            time += (1 << bits) - (bits % 2)
            let tokens = [Int.max, -Int.max, -(1 << bits), 1 << bits, 0, -1]
            records.append(.step(Step(phase: bits == 0 ? .prefill : .decode, first: first, count: 1 + bits % 3, time: time, tokens: tokens)))
            first += 1 + bits % 3
        }
        records.append(.end(Claims()))
        let trace = RandomTraceGenerator.Trace(header: TraceHeader(sample: "varints"), records: records)
        let jsonl = try encode([trace], as: .jsonl)
        let binary = try encode([trace], as: .binary, flushThreshold: flushThreshold)
        var fromJSONL = RecordingObserver()
        _ = InputAnalyzer.analyze(MemoryByteSource(jsonl), name: "a", options: AnalysisOptions(), observer: &fromJSONL)
        var fromBinary = RecordingObserver()
        _ = InputAnalyzer.analyze(MemoryByteSource(binary), name: "b", options: AnalysisOptions(), observer: &fromBinary)
        #expect(fromJSONL.diagnostics.isEmpty, "\(fromJSONL.diagnostics)")
        #expect(fromBinary.diagnostics.isEmpty, "\(fromBinary.diagnostics)")
        #expect(fromJSONL.records[0] == records, "JSONL")
        #expect(fromBinary.records[0] == records, "binary")
        // And through the path for observers that do not see records (no tokens decoded).
        let plain = analyzeBytes(binary)
        #expect(plain.diagnostics.isEmpty)
        #expect(plain.outcomes.map(\.metrics) == fromJSONL.outcomes.map(\.metrics))
    }

    /// An eleventh varint byte, or a tenth above 1, is damage at the byte that
    /// overflows, wherever the varint sits in its chunk; a varint cut by the
    /// chunk's end is damage too.
    @Test(arguments: [0, 1, 20])
    func varintLongerThan64Bits(trailingBytes: Int) throws {
        var encoder = BinaryRecordEncoder()
        var step: [UInt8] = []
        encoder.append(.step(Step(phase: .prefill, first: 0, count: 1, time: 1)), to: &step)
        #expect(step.last == 0x02)  // the zigzag time delta, last
        let overlong = step.dropLast() + [UInt8](repeating: 0xFF, count: 9) + [0x02]
        var mark: [UInt8] = []
        encoder.append(.mark("x"), to: &mark)
        var payload = Array(overlong)
        while payload.count < overlong.count + trailingBytes { payload += mark }
        let start = BinaryRecordEncoder.traceStart(TraceHeader(sample: "long"))
        let bytes = start + BinaryRecordEncoder.chunk(payload)
        let result = analyzeBytes(bytes)
        #expect(result.errors.count == 1, "\(result.errors)")
        #expect(result.errors.first?.message.hasPrefix("undecodable record: varint longer than 64 bits;") == true)
        #expect(result.errors.first?.offset == start.count + BinaryLayout.chunkHeaderSize + overlong.count - 1)

        let cut = Array(step.dropLast()) + [0xFF, 0xFF, 0xFF]
        let cutResult = analyzeBytes(start + BinaryRecordEncoder.chunk(cut))
        #expect(cutResult.errors.first?.message.hasPrefix("undecodable record: record cut short by the end of its chunk;") == true)
        #expect(cutResult.errors.first?.offset == start.count + BinaryLayout.chunkHeaderSize + cut.count)
    }
}
