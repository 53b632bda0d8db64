import DepTrace
import Testing
import _DepTraceTestSupport

/// Vanilla decoding reproduces the paper's closed forms exactly.
@Suite struct ClosedFormTests {
    @Test(arguments: 0..<500)
    func vanillaDependency(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed))
        let prompt = Int.random(in: 1...5000, using: &random)
        let output = Int.random(in: 1...3000, using: &random)
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink)
        try writer.begin(TraceHeader(method: "vanilla", sample: "\(seed)"))
        // Prefill in random chunks: the closed form does not depend on how the prompt is read.
        var read = 0
        while read < prompt {
            let chunk = Int.random(in: 1...(prompt - read), using: &random)
            try writer.step(.prefill, count: chunk)
            read += chunk
        }
        for _ in 0..<output { try writer.step(.decode) }
        try writer.end()
        try writer.close()

        let result = analyzeJSONL(sink.text)
        let metrics = try #require(result.outcomes.first?.metrics)
        #expect(metrics.value(named: "dep") == .int(prompt * output + output * (output + 1) / 2))
        #expect(metrics.value(named: "peak") == .int(prompt + output))
        #expect(metrics.value(named: "self_ratio") == .double(1))
        #expect(metrics.value(named: "output_tokens") == .int(output))
        #expect(result.errors.isEmpty)
    }

    /// Multi-query decode steps: `n` queries see the cache plus the causal triangle.
    @Test func multiQueryStepDependency() throws {
        var analyzer = try TraceAnalyzer(header: TraceHeader())
        try analyzer.apply(.step(Step(phase: .prefill, first: 0, count: 10)))
        try analyzer.apply(.step(Step(phase: .decode, first: 10, count: 4)))
        // 4·10 + 4·5/2
        #expect(try analyzer.metrics().value(named: "dep") == .int(50))
        #expect(try analyzer.metrics().value(named: "peak") == .int(14))
    }

    /// Overflow is an error naming the metric, never a wrapped number.
    @Test func overflowIsReported() throws {
        var analyzer = try TraceAnalyzer(header: TraceHeader())
        try analyzer.apply(.step(Step(phase: .prefill, first: 0, count: 1 << 52)))
        #expect(throws: RuleViolation.overflow("step Dep")) {
            try analyzer.apply(.step(Step(phase: .decode, first: 1 << 52, count: (1 << 53) - (1 << 52))))
        }
    }
}
