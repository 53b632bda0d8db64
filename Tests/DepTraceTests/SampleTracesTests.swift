import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

/// The hand-made traces in Traces/ give the numbers worked out by hand in Traces/README.md.
@Suite struct SampleTracesTests {
    static let tracesFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Traces").path

    /// Traces/README.md, table "metrics", one entry per file.
    static let documented: [String: [String: MetricValue]] = [
        "vanilla.dtrace.jsonl": [
            "dep": .int(45), "dep_min": .int(45), "dep_max": .int(45), "peak": .int(11), "peak_kv": .int(11),
            "resident_peak": .int(11), "resident_peak_kv": .int(11), "full_dep": .int(45), "self_ratio": .double(1),
            "prompt_tokens": .int(6), "output_tokens": .int(5), "gist_tokens": .int(0), "special_tokens": .int(0),
            "steps": .int(6), "decode_steps": .int(5), "compressions": .int(0), "evict_events": .int(0),
            "evicted_tokens": .int(0), "hidden_tokens": .int(0), "final_visible": .int(11), "final_resident": .int(11),
            "time_ns": .null, "kv_bytes_peak": .null, "complete": .bool(true), "correct": .bool(true), "streams": .int(1),
        ],
        "lightthinker.dtrace.jsonl": [
            "dep": .int(79), "dep_min": .int(79), "dep_max": .int(79), "peak": .int(14), "peak_kv": .int(14),
            "resident_peak": .int(14), "resident_peak_kv": .int(14), "full_dep": .int(105), "self_ratio": .double(105.0 / 79.0),
            "prompt_tokens": .int(4), "output_tokens": .int(9), "gist_tokens": .int(6), "special_tokens": .int(0),
            "steps": .int(12), "decode_steps": .int(9), "compressions": .int(2), "evict_events": .int(2),
            "evicted_tokens": .int(7), "hidden_tokens": .int(0), "final_visible": .int(12), "final_resident": .int(12),
            "time_ns": .null, "kv_bytes_peak": .null, "complete": .bool(true), "correct": .bool(true), "streams": .int(1),
        ],
        "h2o-two-heads.dtrace.jsonl": [
            "dep": .int(27), "dep_min": .int(25), "dep_max": .int(29), "peak": .int(6), "peak_kv": .int(11),
            "resident_peak": .int(6), "resident_peak_kv": .int(11), "full_dep": .int(35), "self_ratio": .double(35.0 / 27.0),
            "prompt_tokens": .int(4), "output_tokens": .int(5), "gist_tokens": .int(0), "special_tokens": .int(0),
            "steps": .int(6), "decode_steps": .int(5), "compressions": .int(0), "evict_events": .double(4.5),
            "evicted_tokens": .double(4.5), "hidden_tokens": .int(0), "final_visible": .double(4.5), "final_resident": .double(4.5),
            "time_ns": .null, "kv_bytes_peak": .int(88), "complete": .bool(true), "correct": .bool(false), "streams": .int(2),
        ],
        "recompute-add.dtrace.jsonl": [
            "dep": .int(49), "dep_min": .int(49), "dep_max": .int(49), "peak": .int(10), "peak_kv": .int(10),
            "resident_peak": .int(11), "resident_peak_kv": .int(11), "full_dep": .int(63), "self_ratio": .double(63.0 / 49.0),
            "prompt_tokens": .int(5), "output_tokens": .int(7), "gist_tokens": .int(0), "special_tokens": .int(0),
            "steps": .int(8), "decode_steps": .int(7), "compressions": .int(0), "evict_events": .int(1),
            "evicted_tokens": .int(3), "hidden_tokens": .int(3), "final_visible": .int(10), "final_resident": .int(11),
            "time_ns": .int(36_000_000), "kv_bytes_peak": .int(352), "complete": .bool(true), "correct": .null, "streams": .int(1),
        ],
    ]

    @Test(arguments: documented.keys.sorted())
    func documentedMetrics(file: String) throws {
        var outcomes: [TraceOutcome] = []
        var diagnostics: [Diagnostic] = []
        var observer = CallbackObserver(onTrace: { outcomes.append($0) }, onDiagnostic: { diagnostics.append($0) })
        let input = TraceInput(location: .file(Self.tracesFolder + "/" + file))
        _ = InputAnalyzer.analyze(input, options: AnalysisOptions(), observer: &observer)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let metrics = try #require(outcomes.first?.metrics)
        let expected = try #require(Self.documented[file])
        #expect(expected.count == MetricCatalog.names.count)
        for name in MetricCatalog.names {
            #expect(metrics.value(named: name) == expected[name], "\(file): \(name)")
        }
    }

    /// The folder is searched recursively, in sorted path order, for both encodings;
    /// traces named otherwise (the conformance suite's .jsonl and .bin) are found by content.
    @Test func folderExpansion() throws {
        let names = try TraceInput.expand([Self.tracesFolder]).map(\.displayName).map { String($0.dropFirst(Self.tracesFolder.count + 1)) }
        #expect(names == names.sorted())
        for file in Self.documented.keys { #expect(names.contains(file)) }
        #expect(names.contains("simulated/h2o.dtrace"))
        #expect(names.contains("conformance/vanilla.jsonl") && names.contains("conformance/vanilla.bin"))
        #expect(!names.contains("conformance/README.md") && !names.contains("conformance/generate.py"))
        #expect(throws: InputError.notFound("/no/such/path")) { try TraceInput.expand(["/no/such/path"]) }
    }
}
