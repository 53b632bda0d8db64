import DepTrace
import Testing
import _DepTraceTestSupport

/// Random traces through the JSONL encoding and the interval engine agree
/// with the naive `Set<Int>` model on every metric.
@Suite struct PropertyTests {
    private static func check(seed: UInt64, phases: PhaseSet, counted: Set<Phase>) {
        var generator = RandomTraceGenerator(seed: seed)
        let traceCount = Int.random(in: 1...4, using: &generator.random)
        let traces = (0..<traceCount).map { generator.trace(sample: "s\(seed)-\($0)") }
        let text = traces.map(\.jsonl).joined(separator: generator.random.chance(0.3) ? "\n" : "")
        let result = analyzeJSONL(text, options: AnalysisOptions(countedPhases: phases), pieceSize: Int.random(in: 7...5000, using: &generator.random))
        #expect(result.errors.isEmpty, "seed \(seed): \(result.errors)")
        #expect(result.outcomes.count == traces.count, "seed \(seed)")
        for (trace, outcome) in zip(traces, result.outcomes) {
            var model = NaiveModel(header: trace.header, counted: counted)
            for record in trace.records { model.apply(record) }
            guard let metrics = outcome.metrics else {
                Issue.record("seed \(seed): trace \(outcome.index) not analysed")
                continue
            }
            #expect(outcome.status == (model.complete ? .complete : .incomplete))
            for (name, expected) in model.metrics {
                let actual = metrics.value(named: name)
                #expect(metricValuesAgree(actual, expected), "seed \(seed) trace \(outcome.index) \(name): engine \(String(describing: actual)), naive \(expected)")
            }
        }
    }

    @Test(arguments: 0..<2000)
    func engineMatchesNaiveModel(seed: Int) {
        Self.check(seed: UInt64(seed), phases: .decode, counted: [.decode])
    }

    @Test(arguments: 0..<300)
    func engineMatchesNaiveModelCountingEveryPhase(seed: Int) {
        Self.check(seed: UInt64(10_000 + seed), phases: .all, counted: [.prefill, .decode, .compress])
    }

    /// Streams that share a state split when a per-stream record arrives, and
    /// only then: an all-stream trace with 112 streams holds one state.
    @Test func sharedStatesSplitOnlyOnPerStreamRecords() throws {
        var analyzer = try TraceAnalyzer(header: TraceHeader(layers: 28, heads: 4))
        try analyzer.apply(.step(Step(phase: .prefill, first: 0, count: 100)))
        for id in 100..<200 { try analyzer.apply(.step(Step(phase: .decode, first: id, count: 1))) }
        try analyzer.apply(.evict([0..<10], stream: nil))
        #expect(analyzer.distinctStates == 1)
        try analyzer.apply(.evict([10..<11], stream: 5))
        #expect(analyzer.distinctStates == 2)
        try analyzer.apply(.evict([11..<12], stream: 5))
        #expect(analyzer.distinctStates == 2)
        let metrics = try analyzer.metrics()
        #expect(metrics.finalVisibleTotal == 112 * 190 - 2)
        #expect(analyzer.visibleCount(stream: 5) == 188)
        #expect(analyzer.visibleCount(stream: 6) == 190)
    }
}
