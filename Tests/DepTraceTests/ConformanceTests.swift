import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

/// The Swift and Python writers write the same bytes for the same calls, in both encodings, and
/// those bytes read back with the metrics Traces/conformance/README.md lists.
///
/// Every scenario is committed twice: `NAME.jsonl` (JSON Lines) and `NAME.bin` (the binary
/// encoding, written with the chunk threshold `binaryFiles` gives: `chunk_bytes` in Python,
/// `flushThreshold` here). The binary files end in `.bin`, not `.dtrace`, so that
/// `deptrace stats Traces/` keeps finding only the hand-made samples.
///
/// Each scenario below mirrors, call for call, the function of the same name in
/// Traces/conformance/generate.py, which wrote the committed files with the Python writer
/// (`deptrace_recorder`); `Recorders/python/tests/test_conformance.py` checks the Python side.
/// Non-ASCII text is spelled with `\u{...}` escapes so the scalars cannot change with an editor's
/// normalization.
@Suite struct ConformanceTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Traces/conformance")

    static let files = ["vanilla.jsonl", "lightthinker.jsonl", "h2o-streams.jsonl", "several-traces.jsonl", "unicode.jsonl"]

    /// Binary file → its JSON Lines twin and the chunk threshold both writers used (generate.py's `BINARY`).
    /// Small thresholds give several chunks, with boundaries inside `setVisible` and between traces.
    static let binaryFiles: [String: (twin: String, flushThreshold: Int)] = [
        "vanilla.bin": ("vanilla.jsonl", 65536),
        "lightthinker.bin": ("lightthinker.jsonl", 16),
        "h2o-streams.bin": ("h2o-streams.jsonl", 24),
        "several-traces.bin": ("several-traces.jsonl", 1),
        "unicode.bin": ("unicode.jsonl", 64),
    ]

    static let binaryNames = ["vanilla.bin", "lightthinker.bin", "h2o-streams.bin", "several-traces.bin", "unicode.bin"]

    typealias Fields = [(key: String, value: JSONValue)]

    /// `{"deptrace":1,...}` with `fields` in order, as Python's `begin(**fields)` writes it.
    static func header(_ fields: Fields) throws -> TraceHeader {
        try TraceHeader(object: [("deptrace", .integer(1))] + fields)
    }

    static func toy(sample: JSONValue, method: String, _ more: Fields = []) throws -> TraceHeader {
        try header([("method", .string(method)), ("model", .string("toy")), ("dataset", .string("conformance")), ("sample", sample)] + more)
    }

    // MARK: - Scenarios (twins of generate.py)

    static func build(_ file: String, _ w: TraceWriter) throws {
        switch file {
        case "vanilla.jsonl":
            try w.begin(toy(sample: .string("0"), method: "vanilla"))
            try w.step(.prefill, count: 6, tokens: [101, 102, 103, 104, 105, 106])
            for token in 0..<5 { try w.step(.decode, tokens: [200 + token]) }
            try w.end(Claims(fields: [("correct", .bool(true)), ("dep", .integer(45)), ("peak", .integer(11))]))

        case "lightthinker.jsonl":
            try w.begin(toy(sample: .string("1"), method: "lightthinker-thought",
                            [("meta", .object([("gist_tokens_per_compression", .integer(2))]))]))
            try w.step(.prefill, count: 4, time: 1000)
            try w.step(.decode, time: 2000)
            try w.step(.decode, time: 3000)
            try w.step(.decode, time: 4000)
            try w.step(.compress, count: 3, time: 5000)
            try w.evict([4..<7])
            try w.mark("thought 1 compressed")
            for _ in 0..<4 { try w.step(.decode) }
            try w.step(.compress, count: 2)
            try w.step(.compress, count: 1, kind: .special)
            try w.evict(ids: [13, 12, 11, 10])
            try w.mark("thought 2 compressed")
            try w.step(.decode, tokens: [7])
            try w.step(.decode, time: 9000, tokens: [8])
            try w.end(Claims(fields: [("correct", .bool(true))]))

        case "h2o-streams.jsonl":
            try w.begin(toy(sample: .string("2"), method: "h2o", [
                ("layers", .integer(2)), ("heads", .integer(2)), ("budget", .integer(5)), ("kv_bytes_per_token", .integer(16)),
            ]))
            try w.step(.prefill, count: 4)
            try w.step(.decode)
            try w.evict([1..<2], stream: 0)
            try w.evict(ids: [0], stream: 3)
            try w.step(.decode)
            try w.hide([2..<4], stream: 1)
            try w.setVisible(IntervalSet(ids: [0, 1, 2, 4, 5]), stream: 2, removal: .hide)
            try w.step(.decode)
            try w.show([2..<3], stream: 1)
            try w.evict([3..<4])
            try w.add([1..<2], stream: 0)
            try w.setVisible(IntervalSet(ids: [0, 2, 4, 5, 6]), stream: 3)
            try w.snap(stream: 0, includeResident: true)
            try w.snap(stream: 1, includeResident: true)
            try w.snap(stream: 2)
            try w.write(.snap(visible: [0..<1, 2..<3, 4..<7], resident: nil, stream: 3))
            try w.step(.decode)
            try w.end(Claims(fields: [("correct", .bool(false)), ("peak", .integer(7))]))

        case "several-traces.jsonl":
            try w.begin(toy(sample: .string("a"), method: "vanilla"))
            try w.step(.prefill, count: 3, kind: .prompt)
            try w.evict([])
            try w.step(.decode)
            try w.end()
            try w.begin(toy(sample: .integer(17), method: "gaps"))
            try w.step(.prefill, count: 2)
            try w.step(.decode, first: 10)
            try w.step(.decode, count: 2, first: 20)
            try w.begin(toy(sample: .string("c"), method: "window", [("budget", .integer(3))]))
            try w.step(.prefill, count: 3)
            for _ in 0..<3 {
                try w.step(.decode)
                try w.setVisible(IntervalSet([(w.nextStepId - 3)..<w.nextStepId]))
            }
            try w.end(Claims(fields: [("correct", .bool(true)), ("note", .string("window of 3"))]))

        case "unicode.jsonl":
            let note = "tab\t cr\r bs\u{08} ff\u{0C} nul\u{00} us\u{1F} del\u{7F} nbsp\u{A0} ls\u{2028} ps\u{2029} emoji \u{1F600} clef \u{1D11E}"
            try w.begin(header([
                ("method", .string("na\u{EF}ve \"quoted\" \\ back/slash")),
                ("model", .string("\u{6A21}\u{578B}-\u{1F600}")),
                ("dataset", .string("conformance")),
                ("sample", .string("x\ny")),
                ("meta", .object([
                    ("note", .string(note)),
                    ("nested", .object([
                        ("list", .array([.integer(1), .integer(-2), .number("3.5"), .bool(true), .bool(false), .null, .string("s")])),
                        ("empty", .object([])),
                        ("none", .array([])),
                    ])),
                    ("float", .number("0.1")),
                    ("big", .number("12345678901234567890")),
                    ("neg", .integer(-7)),
                ])),
                ("cl\u{E9}", .string("valeur")),
                ("k\"ey\\", .string("v")),
            ]))
            try w.step(.prefill, count: 2)
            try w.mark("quote \" backslash \\ slash / newline \n end")
            try w.mark("\u{00}\u{01}\u{1F}\u{7F}")
            try w.mark("\u{E9} \u{65E5}\u{672C}\u{8A9E} \u{1F600} \u{1D11E}")
            try w.mark("")
            try w.mark("\u{2028}\u{2029}")
            try w.step(.decode)
            try w.end(Claims(fields: [("note", .string("fin \u{2713}")), ("score", .number("0.5"))]))

        default:
            Issue.record("no scenario for \(file)")
        }
    }

    static func committed(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(file)))
    }

    // MARK: - (a) byte identity with the Python writer

    @Test(arguments: files)
    func swiftWriterWritesTheCommittedBytes(file: String) throws {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink, flushThreshold: 16)
        try Self.build(file, writer)
        try writer.close()
        let expected = try Self.committed(file)
        if sink.bytes != expected {
            let written = sink.text.split(separator: "\n", omittingEmptySubsequences: false)
            let wanted = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(written.count, wanted.count)).first { written[$0] != wanted[$0] } ?? min(written.count, wanted.count)
            Issue.record("""
                \(file): the Swift writer differs from the committed (Python-written) file at line \(line + 1)
                  swift:  \(line < written.count ? String(written[line]) : "<end>")
                  python: \(line < wanted.count ? String(wanted[line]) : "<end>")
                """)
        }
    }

    /// Every file in the folder has a scenario (a new file without a Swift twin would go unchecked).
    @Test func everyCommittedFileHasAScenario() throws {
        let all = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
        #expect(all.filter { $0.hasSuffix(".jsonl") }.sorted() == Self.files.sorted())
        #expect(all.filter { $0.hasSuffix(".bin") }.sorted() == Self.binaryNames.sorted())
        #expect(Set(Self.binaryFiles.keys) == Set(Self.binaryNames))
        #expect(Set(Self.binaryFiles.values.map(\.twin)) == Set(Self.files))
        // No file here may be found by a folder search (`deptrace stats Traces/`).
        #expect(all.filter { name in TraceInput.traceExtensions.contains { name.hasSuffix($0) } }.isEmpty)
    }

    // MARK: - (a') byte identity of the binary encoding

    /// Offsets of the chunks of a binary file (after each trace start), to tell where bytes differ.
    static func chunkLengths(_ bytes: [UInt8]) -> [Int] {
        var lengths: [Int] = []
        var offset = 0
        func u32(_ at: Int) -> Int {
            guard at + 4 <= bytes.count else { return Int.max }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        while offset < bytes.count {
            if Array(bytes[offset..<Swift.min(offset + 8, bytes.count)]) == BinaryLayout.magic {
                let headerLength = u32(offset + 12)
                guard headerLength != Int.max else { break }
                offset += BinaryLayout.traceHeaderSize + headerLength
                lengths.append(-1)  // a trace start
            } else {
                let length = u32(offset)
                guard length != Int.max else { break }
                lengths.append(length)
                offset += BinaryLayout.chunkHeaderSize + length
            }
        }
        return lengths
    }

    @Test(arguments: binaryNames)
    func swiftBinaryWriterWritesTheCommittedBytes(file: String) throws {
        let (twin, threshold) = try #require(Self.binaryFiles[file])
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink, encoding: .binary, flushThreshold: threshold)
        try Self.build(twin, writer)
        try writer.close()
        let expected = try Self.committed(file)
        let written = sink.bytes
        if written != expected {
            let offset = zip(written, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? Swift.min(written.count, expected.count)
            Issue.record("""
                \(file): the Swift binary writer (flushThreshold \(threshold)) differs from the committed (Python-written) file \
                at byte \(offset) (swift \(written.count) bytes, python \(expected.count))
                  swift chunks (-1: trace start):  \(Self.chunkLengths(written))
                  python chunks (-1: trace start): \(Self.chunkLengths(expected))
                """)
        }
        // Small thresholds must really give several chunks, or the test would not exercise chunking.
        if threshold < 64 {
            #expect(Self.chunkLengths(expected).filter { $0 >= 0 }.count > 1, "\(file) has one chunk")
        }
    }

    /// A binary file reads back with exactly the outcomes and metrics of its JSON Lines twin.
    @Test(arguments: binaryNames)
    func binaryFilesGiveTheMetricsOfTheirJSONLTwins(file: String) throws {
        let (twin, _) = try #require(Self.binaryFiles[file])
        let binary = analyzeBytes(try Self.committed(file), name: file, pieceSize: 7)
        let jsonl = analyzeJSONL(String(decoding: try Self.committed(twin), as: UTF8.self), name: twin, pieceSize: 7)
        #expect(binary.errors.isEmpty, "\(binary.errors)")
        #expect(binary.warnings.count == jsonl.warnings.count, "\(binary.warnings)")
        let expected = try #require(Self.documented[twin])
        try #require(binary.outcomes.count == jsonl.outcomes.count)
        try #require(binary.outcomes.count == expected.count)
        for (index, (fromBinary, fromJSONL)) in zip(binary.outcomes, jsonl.outcomes).enumerated() {
            #expect(fromBinary.status == fromJSONL.status, "\(file) trace \(index)")
            #expect(fromBinary.header == fromJSONL.header, "\(file) trace \(index): header")
            let binaryMetrics = try #require(fromBinary.metrics, "\(file) trace \(index) was not analysed")
            let jsonlMetrics = try #require(fromJSONL.metrics, "\(twin) trace \(index) was not analysed")
            for name in MetricCatalog.names {
                #expect(binaryMetrics.value(named: name) == jsonlMetrics.value(named: name), "\(file) trace \(index): \(name)")
                #expect(binaryMetrics.value(named: name) == expected[index][name], "\(file) trace \(index): \(name)")
            }
        }
    }

    // MARK: - (b) metrics read back (Traces/conformance/README.md)

    static func metrics(
        dep: MetricValue, depMin: Int, depMax: Int, peak: Int, peakKV: Int, residentPeak: Int, residentPeakKV: Int,
        fullDep: Int, selfRatio: MetricValue, prompt: Int, output: Int, gist: Int, special: Int, steps: Int, decodeSteps: Int,
        compressions: Int, evictEvents: MetricValue, evictedTokens: MetricValue, hiddenTokens: MetricValue,
        finalVisible: MetricValue, finalResident: MetricValue, timeNs: MetricValue, kvBytesPeak: MetricValue,
        complete: Bool, correct: MetricValue, streams: Int
    ) -> [String: MetricValue] {
        [
            "dep": dep, "dep_min": .int(depMin), "dep_max": .int(depMax), "peak": .int(peak), "peak_kv": .int(peakKV),
            "resident_peak": .int(residentPeak), "resident_peak_kv": .int(residentPeakKV), "full_dep": .int(fullDep),
            "self_ratio": selfRatio, "prompt_tokens": .int(prompt), "output_tokens": .int(output), "gist_tokens": .int(gist),
            "special_tokens": .int(special), "steps": .int(steps), "decode_steps": .int(decodeSteps),
            "compressions": .int(compressions), "evict_events": evictEvents, "evicted_tokens": evictedTokens,
            "hidden_tokens": hiddenTokens, "final_visible": finalVisible, "final_resident": finalResident,
            "time_ns": timeNs, "kv_bytes_peak": kvBytesPeak, "complete": .bool(complete), "correct": correct,
            "streams": .int(streams),
        ]
    }

    /// The README's table, one entry per trace of each file.
    static let documented: [String: [[String: MetricValue]]] = [
        "vanilla.jsonl": [metrics(
            dep: .int(45), depMin: 45, depMax: 45, peak: 11, peakKV: 11, residentPeak: 11, residentPeakKV: 11,
            fullDep: 45, selfRatio: .double(1), prompt: 6, output: 5, gist: 0, special: 0, steps: 6, decodeSteps: 5,
            compressions: 0, evictEvents: .int(0), evictedTokens: .int(0), hiddenTokens: .int(0),
            finalVisible: .int(11), finalResident: .int(11), timeNs: .null, kvBytesPeak: .null,
            complete: true, correct: .bool(true), streams: 1)],
        "lightthinker.jsonl": [metrics(
            dep: .int(79), depMin: 79, depMax: 79, peak: 14, peakKV: 14, residentPeak: 14, residentPeakKV: 14,
            fullDep: 105, selfRatio: .double(105.0 / 79.0), prompt: 4, output: 9, gist: 5, special: 1, steps: 13,
            decodeSteps: 9, compressions: 3, evictEvents: .int(2), evictedTokens: .int(7), hiddenTokens: .int(0),
            finalVisible: .int(12), finalResident: .int(12), timeNs: .int(9000), kvBytesPeak: .null,
            complete: true, correct: .bool(true), streams: 1)],
        "h2o-streams.jsonl": [metrics(
            dep: .int(23), depMin: 22, depMax: 24, peak: 7, peakKV: 27, residentPeak: 7, residentPeakKV: 27,
            fullDep: 26, selfRatio: .double(26.0 / 23.0), prompt: 4, output: 4, gist: 0, special: 0, steps: 5,
            decodeSteps: 4, compressions: 0, evictEvents: .double(1.75), evictedTokens: .double(1.75),
            hiddenTokens: .double(0.75), finalVisible: .double(6.75), finalResident: .double(6.75), timeNs: .null,
            kvBytesPeak: .int(108), complete: true, correct: .bool(false), streams: 4)],
        "several-traces.jsonl": [
            metrics(
                dep: .int(4), depMin: 4, depMax: 4, peak: 4, peakKV: 4, residentPeak: 4, residentPeakKV: 4,
                fullDep: 4, selfRatio: .double(1), prompt: 3, output: 1, gist: 0, special: 0, steps: 2, decodeSteps: 1,
                compressions: 0, evictEvents: .int(1), evictedTokens: .int(0), hiddenTokens: .int(0),
                finalVisible: .int(4), finalResident: .int(4), timeNs: .null, kvBytesPeak: .null,
                complete: true, correct: .null, streams: 1),
            metrics(
                dep: .int(12), depMin: 12, depMax: 12, peak: 5, peakKV: 5, residentPeak: 5, residentPeakKV: 5,
                fullDep: 12, selfRatio: .double(1), prompt: 2, output: 3, gist: 0, special: 0, steps: 3, decodeSteps: 2,
                compressions: 0, evictEvents: .int(0), evictedTokens: .int(0), hiddenTokens: .int(0),
                finalVisible: .int(5), finalResident: .int(5), timeNs: .null, kvBytesPeak: .null,
                complete: false, correct: .null, streams: 1),
            metrics(
                dep: .int(12), depMin: 12, depMax: 12, peak: 4, peakKV: 4, residentPeak: 4, residentPeakKV: 4,
                fullDep: 15, selfRatio: .double(1.25), prompt: 3, output: 3, gist: 0, special: 0, steps: 4,
                decodeSteps: 3, compressions: 0, evictEvents: .int(3), evictedTokens: .int(3), hiddenTokens: .int(0),
                finalVisible: .int(3), finalResident: .int(3), timeNs: .null, kvBytesPeak: .null,
                complete: true, correct: .bool(true), streams: 1),
        ],
        "unicode.jsonl": [metrics(
            dep: .int(3), depMin: 3, depMax: 3, peak: 3, peakKV: 3, residentPeak: 3, residentPeakKV: 3,
            fullDep: 3, selfRatio: .double(1), prompt: 2, output: 1, gist: 0, special: 0, steps: 2, decodeSteps: 1,
            compressions: 0, evictEvents: .int(0), evictedTokens: .int(0), hiddenTokens: .int(0),
            finalVisible: .int(3), finalResident: .int(3), timeNs: .null, kvBytesPeak: .null,
            complete: true, correct: .null, streams: 1)],
    ]

    @Test(arguments: files)
    func committedFilesReadBackWithTheDocumentedMetrics(file: String) throws {
        let text = String(decoding: try Self.committed(file), as: UTF8.self)
        let result = analyzeJSONL(text, name: file, pieceSize: 7)
        #expect(result.errors.isEmpty, "\(result.errors)")
        // Only the incomplete middle trace of several-traces.jsonl warns.
        #expect(result.warnings.count == (file == "several-traces.jsonl" ? 1 : 0), "\(result.warnings)")
        let expected = try #require(Self.documented[file])
        try #require(result.outcomes.count == expected.count)
        for (index, (outcome, values)) in zip(result.outcomes, expected).enumerated() {
            #expect(outcome.status == (values["complete"] == .bool(true) ? .complete : .incomplete), "\(file) trace \(index)")
            let metrics = try #require(outcome.metrics, "\(file) trace \(index) was not analysed")
            #expect(values.count == MetricCatalog.names.count)
            for name in MetricCatalog.names {
                #expect(metrics.value(named: name) == values[name], "\(file) trace \(index): \(name)")
            }
        }
    }

    /// Header metadata and text survive the round trip through both writers and the reader.
    @Test func metadataReadsBack() throws {
        let unicode = analyzeJSONL(String(decoding: try Self.committed("unicode.jsonl"), as: UTF8.self))
        let header = try #require(unicode.outcomes.first?.header)
        #expect(header.method == "na\u{EF}ve \"quoted\" \\ back/slash")
        #expect(header.model == "\u{6A21}\u{578B}-\u{1F600}")
        #expect(header.sample == "x\ny")
        #expect(header["meta"]?["note"]?.stringValue?.contains("nul\u{00} us\u{1F} del\u{7F}") == true)
        #expect(header["meta"]?["big"] == .number("12345678901234567890"))
        #expect(header["k\"ey\\"] == .string("v"))
        let several = analyzeJSONL(String(decoding: try Self.committed("several-traces.jsonl"), as: UTF8.self))
        #expect(several.outcomes.map { $0.header?.sample } == ["a", "17", "c"])
    }
}
