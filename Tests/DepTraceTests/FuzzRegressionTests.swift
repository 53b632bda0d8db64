import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

/// Inputs for the reader fuzz targets (Fuzz/: FuzzJSONL, FuzzBinary) that
/// once crashed DepTrace, kept in FuzzRegressions/FuzzJSONL/ (they also seed
/// the fuzzer), each with a test of what was wrong. The observers the commands
/// put on a reader see each record before the engine checks it, so their
/// arithmetic must not trap on numbers the engine is about to refuse.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions/FuzzJSONL")

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// Two steps of 2^42 ids over 2^20 streams, each evicted: the tokens evicted
    /// over all streams pass 2^63. `deptrace timeline` subtracted two wrapped
    /// totals with a trapping `-` and crashed; now each row's count is exact and
    /// the trace is reported invalid (its evicted_tokens overflows).
    @Test func timelineSurvivesAnEvictedTotalPast64Bits() throws {
        var rows: [TimelineRow] = []
        var builder = TimelineBuilder(traceIndex: 0) { rows.append($0) }
        _ = InputAnalyzer.analyze(MemoryByteSource(try Self.fixture("evicted-total-wraps.dtrace.jsonl")), name: "t", options: AnalysisOptions(), observer: &builder)
        #expect(builder.outcome?.status == .invalid)
        #expect(builder.diagnostics.contains { $0.message.contains("integer overflow computing evicted_tokens") }, "\(builder.diagnostics)")
        #expect(rows.count >= 2)
        #expect(rows.prefix(2).map { $0.evicted.doubleValue } == [4_398_046_511_104, 4_398_046_511_104], "\(rows.map(\.evicted))")
    }

    /// A step of Int64.max queries: `deptrace audit` added it to the visible
    /// count before the engine refused it, and crashed. The trace is invalid and keeps no rises.
    @Test func auditSurvivesAStepCountNearInt64Max() throws {
        var auditor = BudgetAuditor()
        _ = InputAnalyzer.analyze(MemoryByteSource(try Self.fixture("step-count-overflows.dtrace.jsonl")), name: "t", options: AnalysisOptions(), observer: &auditor)
        #expect(auditor.traces.count == 1)
        #expect(auditor.traces.first?.outcome.status == .invalid)
        #expect(auditor.traces.first?.rises.isEmpty == true)
        #expect(auditor.diagnostics.count == 1, "\(auditor.diagnostics)")
    }

    /// 2^20 streams that never diverge, 51 steps: `deptrace audit` looked at every
    /// stream on every step (2^20 × steps lookups; a 6 KB file took 44 s, a fuzz
    /// input of 64 KB would pass the fuzzer's 10 s timeout). Streams that share one
    /// state are looked at once now. The fuzzers guard the cost (this file seeds
    /// them); this test guards the result: every step a rise, on stream 0.
    @Test func auditOfAWideTraceLooksAtSharedStreamsOnce() throws {
        var auditor = BudgetAuditor()
        _ = InputAnalyzer.analyze(MemoryByteSource(try Self.fixture("wide-trace-audit.dtrace.jsonl")), name: "t", options: AnalysisOptions(), observer: &auditor)
        let trace = try #require(auditor.traces.first)
        #expect(trace.outcome.status == .complete)
        #expect(trace.rises.map(\.attended) == [4] + (5...54).map { $0 })
        #expect(trace.rises.allSatisfy { $0.stream == 0 })
        #expect(trace.rises.last?.visibleBefore == 53)
    }

    /// The first input FuzzJSONL stopped on: the gzip signature followed by
    /// text. Compressed input is refused whole, with the command to decompress
    /// it, after reading only its signature; no trace and no other diagnostic.
    @Test func compressedInputIsRefusedWithAHint() {
        let input: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x26, 0x31, 0x26, 0x31, 0x0A]
        let result = analyzeBytes(input, name: "run.dtrace.jsonl", pieceSize: 3)
        #expect(result.outcomes.isEmpty)
        #expect(result.diagnostics.count == 1)
        #expect(result.errors.first?.message.contains("gzip-compressed input: decompress it first (gzip -dc FILE | deptrace ... -)") == true,
                "\(result.diagnostics)")
        for (signature, tool) in [([0x28, 0xB5, 0x2F, 0xFD], "zstd"), ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz"), ([0x42, 0x5A, 0x68], "bzip2")] as [([UInt8], String)] {
            let refused = analyzeBytes(signature + Array("{\"deptrace\":1}\n".utf8))
            #expect(refused.outcomes.isEmpty && refused.errors.first?.message.contains("\(tool) -dc FILE") == true, "\(tool): \(refused.diagnostics)")
        }
    }
}
