import DepTrace
import DepTraceCharts
import DepTraceXML
import Foundation
import Testing
import _DepTraceTestSupport

/// Inputs that once broke the charts, kept in FuzzRegressions/ (they also
/// seed the fuzzers): FuzzWriters/ holds strings separated by 0xFF bytes, used
/// here as trace metadata and titles; FuzzJSONL/ holds traces.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions/FuzzWriters")
    static let traceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions/FuzzJSONL")

    static func trace(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: traceFolder.appendingPathComponent(name)))
    }

    static func strings(_ name: String) throws -> [String] {
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
        return bytes.split(separator: 0xFF, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// One small trace per method, with `marks` after its first decode step.
    static func traces(methods: [String], marks: [String] = []) throws -> [UInt8] {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink, encoding: .jsonl)
        for (index, method) in methods.enumerated() {
            try writer.begin(TraceHeader(method: method, sample: String(index)))
            _ = try writer.step(.prefill, count: 4)
            _ = try writer.step(.decode)
            for mark in marks { try writer.mark(mark) }
            _ = try writer.step(.decode)
            try writer.end(Claims(correct: true))
        }
        try writer.close()
        return sink.bytes
    }

    /// A form feed (and NUL, ESC, backspace, ...) in a method name once went
    /// into the SVG as is: no XML parser reads such a file. They are written as
    /// U+FFFD now; tab, CR, LF and DEL are characters XML holds and come back.
    @Test func controlCharactersInMetadataGiveWellFormedSVG() throws {
        let strings = try Self.strings("control-characters")
        let expected = ["\u{FFFD}", "\u{FFFD}\u{FFFD}\u{FFFD}", "\u{7F}", "\t", "\u{FFFD}", "\u{FFFD}", "\u{FFFD}[31mred", "a\u{FFFD}b", "\u{FFFD}", "\r\n"]
        #expect(strings.count == expected.count)
        let outcomes = analyzeBytes(try Self.traces(methods: strings)).outcomes
        #expect(outcomes.count == strings.count && outcomes.allSatisfy { $0.status == .complete })
        for (title, want) in zip(strings, expected) {
            let bars = DepChart.groups(outcomes, keys: ["method"], metric: "dep", seed: 1)
            let svg = try SVGRenderer.render(DepChart.layout(bars, keys: ["method"], metric: "dep", title: title, width: 800, height: 450))
            let root = try XMLDocumentParser.parse(svg)
            #expect(root.children.first { $0.name == "title" }?.text == want, "title \(Array(title.unicodeScalars))")
        }
    }

    /// A mark holding CR LF (one `Character`, equal to neither "\r" nor "\n")
    /// went unquoted into the timeline CSV and split its record in two.
    @Test func lineBreaksInMarksAreQuotedInTheTimelineCSV() throws {
        let strings = try Self.strings("line-breaks")
        #expect(strings.last == "a\rb" && strings.contains("a\r\nb"))
        var collector = TimelineCollector(traceIndex: 0, stream: nil, capacity: 64)
        _ = InputAnalyzer.analyze(MemoryByteSource(try Self.traces(methods: ["m"], marks: strings)), name: "t", options: AnalysisOptions(), observer: &collector)
        let series = try #require(collector.series)
        let csv = TimelineChart.csv([series])
        for mark in ["a\nb", "a\r\nb", "a\rb"] {
            #expect(csv.contains("m,mark,1,,\"\(mark)\"\n"), "mark \(Array(mark.unicodeScalars)) not quoted in\n\(csv)")
        }
        #expect(csv.contains("m,mark,1,,\\|\n"), "a mark without a line break or comma stays unquoted")
    }

    /// A prefill of 2^44 ids over 2^20 streams, and a step of Int64.max queries:
    /// `chart timeline` computed the tokens a step attends to before the engine
    /// refused the step, with trapping arithmetic, and crashed. The traces are
    /// invalid now, with no series, whether the mean or one stream is drawn.
    @Test(arguments: [("attended-sum-overflows.dtrace.jsonl", nil), ("step-count-overflows.dtrace.jsonl", nil), ("step-count-overflows.dtrace.jsonl", 0)] as [(String, Int?)])
    func timelineChartSurvivesStepsTheEngineRefuses(_ name: String, _ stream: Int?) throws {
        var collector = TimelineCollector(traceIndex: 0, stream: stream, capacity: 64)
        _ = InputAnalyzer.analyze(MemoryByteSource(try Self.trace(name)), name: name, options: AnalysisOptions(), observer: &collector)
        #expect(collector.finished)
        #expect(collector.series == nil)
        #expect(collector.diagnostics.contains { $0.severity == .error && $0.message.contains("overflow") || $0.message.contains("2^53") }, "\(collector.diagnostics)")
    }

    /// The tokens evicted over 2^20 streams pass 2^63: `chart hist --per-event`
    /// subtracted two wrapped totals with a trapping `-` and crashed. The trace
    /// is invalid (its evicted_tokens overflows) and gives no events.
    @Test func perEventHistogramSurvivesAnEvictedTotalPast64Bits() throws {
        var collector = EvictionCollector()
        _ = InputAnalyzer.analyze(MemoryByteSource(try Self.trace("evicted-total-wraps.dtrace.jsonl")), name: "t", options: AnalysisOptions(), observer: &collector)
        #expect(collector.traces.isEmpty)
        #expect(collector.diagnostics.contains { $0.message.contains("integer overflow computing evicted_tokens") }, "\(collector.diagnostics)")
    }
}
