import DepTrace
import Testing
import _DepTraceTestSupport

/// Simulated traces against the LightThinker closed forms, budgets, determinism.
@Suite struct SimulationTests {
    /// Simulates `samples` in memory and analyses the bytes.
    func simulate(_ configuration: SimulationConfiguration, _ samples: [SimulationSample], encoding: TraceWriter.Encoding = .binary) throws -> (bytes: [UInt8], outcomes: [TraceOutcome]) {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink, encoding: encoding)
        try Simulator(configuration).write(samples, to: writer)
        try writer.close()
        let result = analyzeBytes(sink.bytes)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.outcomes.count == samples.count)
        return (sink.bytes, result.outcomes)
    }

    func metric(_ outcome: TraceOutcome, _ name: String) -> MetricValue? { outcome.metrics?.value(named: name) }

    // MARK: - Closed forms reproduced exactly (acceptance 1)

    @Test func normalFormIsExactForVanilla() throws {
        var random = SeededRandom(seed: 61)
        for case_ in 0..<1000 {
            let sample = SimulationSample(id: "\(case_)", prompt: Int.random(in: 0...300, using: &random), output: Int.random(in: 0...400, using: &random))
            let outcome = try #require(try simulate(SimulationConfiguration(method: .vanilla), [sample]).outcomes.first)
            let form = try ClosedFormInput(form: .normal, prompt: sample.prompt, output: sample.output).evaluate()
            #expect(metric(outcome, "dep") == .int(form.dep), "case \(case_)")
            #expect(metric(outcome, "peak") == .int(form.peak), "case \(case_)")
            let comparison = FormulaComparison(header: outcome.header, metrics: try #require(outcome.metrics))
            #expect(comparison.depDifference == .int(0) && comparison.peakDifference == 0 && comparison.note == "exact")
        }
    }

    @Test func anchorThoughtFormIsExactForLightThinkerThought() throws {
        var random = SeededRandom(seed: 62)
        for case_ in 0..<1000 {
            var configuration = SimulationConfiguration(method: .lightthinkerThought)
            configuration.seed = random.next()
            configuration.gist = Int.random(in: 0...12, using: &random)
            configuration.thoughtMean = Int.random(in: 1...60, using: &random)
            let output = Int.random(in: 0...400, using: &random)
            var sample = SimulationSample(id: "\(case_)", prompt: Int.random(in: 0...300, using: &random), output: output)
            if random.chance(0.5) {
                // Given thoughts, sometimes covering the whole output.
                var thoughts: [Int] = []
                var left = output
                while left > 0, random.chance(0.9) {
                    let length = Int.random(in: 1...left, using: &random)
                    thoughts.append(length)
                    left -= length
                }
                sample.thoughts = thoughts
            }
            let simulator = try Simulator(configuration)
            let input = simulator.closedForm(for: sample, index: 0)
            #expect(input.form == .anchorThought)
            let form = try input.evaluate()
            let outcome = try #require(try simulate(configuration, [sample]).outcomes.first)
            #expect(metric(outcome, "dep") == .int(form.dep), "case \(case_)")
            #expect(metric(outcome, "peak") == .int(form.peak), "case \(case_)")
            #expect(metric(outcome, "compressions") == .int(form.compressions), "case \(case_)")
            let comparison = FormulaComparison(header: outcome.header, metrics: try #require(outcome.metrics))
            #expect(comparison.note == "exact", "case \(case_): \(comparison.note)")
        }
    }

    @Test func anchorTokenFormIsExactForLightThinkerToken() throws {
        var random = SeededRandom(seed: 63)
        for case_ in 0..<1000 {
            var configuration = SimulationConfiguration(method: .lightthinkerToken)
            configuration.gist = Int.random(in: 0...12, using: &random)
            configuration.every = Int.random(in: 1...50, using: &random)
            let sample = SimulationSample(id: "\(case_)", prompt: Int.random(in: 0...300, using: &random), output: Int.random(in: 0...400, using: &random))
            let form = try ClosedFormInput(form: .anchorToken, prompt: sample.prompt, output: sample.output,
                                           gist: configuration.gist, every: configuration.every).evaluate()
            let outcome = try #require(try simulate(configuration, [sample]).outcomes.first)
            #expect(metric(outcome, "dep") == .int(form.dep), "case \(case_)")
            #expect(metric(outcome, "peak") == .int(form.peak), "case \(case_)")
            #expect(metric(outcome, "compressions") == .int(sample.output / configuration.every))
            let comparison = FormulaComparison(header: outcome.header, metrics: try #require(outcome.metrics))
            #expect(comparison.note == "exact", "case \(case_): \(comparison.note)")
        }
    }

    /// kvcache: measured minus form is exactly S whenever L > S − P, and the explanation says so.
    @Test func kvcacheFormIsExactlySBelowAFullCache() throws {
        var random = SeededRandom(seed: 64)
        let methods: [SimulationMethod] = [.window, .h2o, .sepllm]
        for case_ in 0..<1000 {
            var configuration = SimulationConfiguration(method: methods[case_ % 3])
            configuration.seed = random.next()
            let budget = Int.random(in: 8...200, using: &random)
            switch configuration.method {
            case .window:
                configuration.sinks = Int.random(in: 0...4, using: &random)
                configuration.window = budget - configuration.sinks
            case .h2o:
                configuration.budget = budget
                configuration.recent = Int.random(in: 0...(budget - 1), using: &random)
                configuration.heads = Int.random(in: 1...3, using: &random)
            default:
                configuration.budget = budget
                configuration.initial = Int.random(in: 0...3, using: &random)
                configuration.recent = Int.random(in: 0...(budget - configuration.initial - 1), using: &random)
                configuration.separatorRate = random.chance(0.5) ? 0.1 : 0.9
            }
            let prompt = Int.random(in: 0...(budget - 1), using: &random)
            let output = Int.random(in: (budget - prompt + 1)...(budget - prompt + 300), using: &random)
            let sample = SimulationSample(id: "\(case_)", prompt: prompt, output: output)
            let form = try ClosedFormInput(form: .kvcache, prompt: prompt, output: output, cacheSize: budget).evaluate()
            let outcome = try #require(try simulate(configuration, [sample]).outcomes.first)
            #expect(metric(outcome, "dep") == .int(form.dep + budget), "case \(case_)")
            #expect(metric(outcome, "peak") == .int(budget), "case \(case_)")
            let comparison = FormulaComparison(header: outcome.header, metrics: try #require(outcome.metrics))
            #expect(comparison.depDifference == .int(budget) && comparison.peakDifference == 0)
            #expect(comparison.note == "the kvcache form counts one step too few: exactly S below a cache that fills to S (P + L ≥ S)", "case \(case_): \(comparison.note)")
        }
    }

    /// AnLLM keeps one anchor per sentence: Dep is the anchor-thought form with g = 0.
    @Test func anllmDependencyIsAnchorThoughtWithoutGist() throws {
        var random = SeededRandom(seed: 65)
        for case_ in 0..<200 {
            var configuration = SimulationConfiguration(method: .anllm)
            configuration.seed = random.next()
            configuration.thoughtMean = Int.random(in: 1...40, using: &random)
            let sample = SimulationSample(id: "\(case_)", prompt: Int.random(in: 0...100, using: &random), output: Int.random(in: 0...300, using: &random))
            let form = try Simulator(configuration).closedForm(for: sample, index: 0).evaluate()
            let outcome = try #require(try simulate(configuration, [sample]).outcomes.first)
            #expect(metric(outcome, "dep") == .int(form.dep))
            let peak = try #require(outcome.metrics?.peak)
            #expect(peak == form.peak || peak == form.peak - 1)
        }
    }

    // MARK: - Budgets (acceptance 2)

    @Test func budgetedMethodsNeverExceedTheirBudget() throws {
        var random = SeededRandom(seed: 66)
        let methods: [SimulationMethod] = [.window, .h2o, .sepllm]
        for case_ in 0..<300 {
            var configuration = SimulationConfiguration(method: methods[case_ % 3])
            configuration.seed = random.next()
            let budget = Int.random(in: 2...120, using: &random)
            switch configuration.method {
            case .window:
                configuration.sinks = Int.random(in: 0...(budget - 1), using: &random)
                configuration.window = budget - configuration.sinks
            case .h2o:
                configuration.budget = budget
                configuration.recent = Int.random(in: 0...(budget - 1), using: &random)
                configuration.layers = Int.random(in: 1...2, using: &random)
                configuration.heads = Int.random(in: 1...3, using: &random)
            default:
                configuration.budget = budget
                configuration.initial = Int.random(in: 0...(budget - 1), using: &random)
                configuration.recent = Int.random(in: 0...(budget - configuration.initial - 1), using: &random)
                configuration.separatorRate = Double.random(in: 0...1, using: &random)
            }
            // Prompts longer than the budget too: they are read in chunks.
            let sample = SimulationSample(id: "\(case_)", prompt: Int.random(in: 0...300, using: &random), output: Int.random(in: 0...300, using: &random))
            let outcome = try #require(try simulate(configuration, [sample]).outcomes.first)
            let metrics = try #require(outcome.metrics)
            #expect(outcome.header?.budget == budget)
            #expect(metrics.peak <= budget && metrics.residentPeak <= budget, "case \(case_): peak \(metrics.peak) > \(budget)")
            #expect(metrics.peakKV <= budget * metrics.streams)
            if sample.prompt + sample.output >= budget { #expect(metrics.peak == budget, "case \(case_)") }
        }
    }

    @Test func sepllmKeepsSeparatorsOverOtherTokens() throws {
        var configuration = SimulationConfiguration(method: .sepllm)
        configuration.budget = 10
        configuration.initial = 2
        configuration.recent = 3
        configuration.separators = [4, 7, 12]
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink)
        let simulator = try Simulator(configuration)
        try simulator.write(SimulationSample(id: "0", prompt: 5, output: 20), index: 0, to: writer)
        let visible = try #require(writer.state?.visibleSet(stream: 0))
        // 25 tokens: initial 0, 1; separators 4, 7, 12; recent 22, 23, 24; room for two more: the newest plain ones.
        #expect(visible == IntervalSet(ids: [0, 1, 4, 7, 12, 20, 21, 22, 23, 24]))
    }

    @Test func h2oHeadsKeepDifferentTokens() throws {
        var configuration = SimulationConfiguration(method: .h2o)
        configuration.budget = 32
        configuration.recent = 8
        configuration.layers = 2
        configuration.heads = 2
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink)
        try Simulator(configuration).write(SimulationSample(id: "0", prompt: 20, output: 100), index: 0, to: writer)
        let state = try #require(writer.state)
        let sets = (0..<4).map { state.visibleSet(stream: $0) }
        #expect(Set(sets.map(\.ranges.description)).count == 4)
        for set in sets {
            #expect(set.count == 32)
            #expect(set.contains(0))
            #expect(set.contains(112) && set.contains(119))
        }
    }

    // MARK: - Determinism (acceptance 3)

    @Test(arguments: SimulationMethod.allCases)
    func aSeedGivesTheSameBytes(method: SimulationMethod) throws {
        var configuration = SimulationConfiguration(method: method)
        configuration.seed = 42
        configuration.budget = 128
        configuration.window = 124
        if method == .h2o { configuration.heads = 2 }
        let samples = SimulationSample.sampled(count: 5, seed: 42, outputMedian: 300)
        let first = try simulate(configuration, samples).bytes
        let second = try simulate(configuration, samples).bytes
        #expect(first == second)
        let jsonl = try simulate(configuration, samples, encoding: .jsonl)
        let again = try simulate(configuration, samples, encoding: .jsonl)
        #expect(jsonl.bytes == again.bytes)
        if [.h2o, .sepllm, .anllm, .lightthinkerThought].contains(method) {
            configuration.seed = 43
            #expect(try simulate(configuration, samples).bytes != first)
        }
    }

    @Test func sampledLengthsDependOnSeedAndIndexOnly() {
        let ten = SimulationSample.sampled(count: 10, seed: 5)
        #expect(Array(SimulationSample.sampled(count: 20, seed: 5).prefix(10)) == ten)
        #expect(SimulationSample.sampled(count: 10, seed: 6) != ten)
        #expect(Set(ten.map(\.output)).count > 5)
        #expect(SimulationSample.sampled(count: 3, seed: 5, prompt: 7, output: 9).allSatisfy { $0.prompt == 7 && $0.output == 9 })
    }

    // MARK: - Closed forms by hand

    @Test func closedFormsOfTheHandMadeTraces() throws {
        #expect(try ClosedFormInput(form: .normal, prompt: 6, output: 5).evaluate() == ClosedFormResult(dep: 45, peak: 11))
        #expect(try ClosedFormInput(form: .anchorThought, prompt: 4, output: 9, gist: 2, splits: [3, 4]).evaluate()
                == ClosedFormResult(dep: 79, peak: 14, compressions: 2))
        // (S+P)(S−P−1)/2 + (L+P−S)·S with P = 2, L = 6, S = 5: 7·2/2 + 3·5 = 22; measured 3+4+5+5+5+5 = 27 = 22 + S.
        #expect(try ClosedFormInput(form: .kvcache, prompt: 2, output: 6, cacheSize: 5).evaluate() == ClosedFormResult(dep: 22, peak: 5))
        // Every 2 tokens, g = 1, P = 3, L = 5: 4+5 | 6+7 | 8 (cache 2, 4) → 30; peak at the 2nd compression 2+1+3+2+1 = 9.
        #expect(try ClosedFormInput(form: .anchorToken, prompt: 3, output: 5, gist: 1, every: 2).evaluate()
                == ClosedFormResult(dep: 30, peak: 9, compressions: 2))
        #expect(throws: SimulationError.self) { try ClosedFormInput(form: .kvcache, prompt: 1, output: 1).evaluate() }
        #expect(throws: SimulationError.self) { try ClosedFormInput(form: .anchorThought, prompt: 1, output: 3, gist: 1, splits: [2, 2]).evaluate() }
    }

    @Test func lengthsFile() throws {
        let samples = try SimulationSample.parseLengths("# P L thoughts\n150 900\n\n80, 300, 100, 50\n")
        #expect(samples == [
            SimulationSample(id: "0", prompt: 150, output: 900),
            SimulationSample(id: "1", prompt: 80, output: 300, thoughts: [100, 50]),
        ])
        #expect(throws: SimulationError.badLengthsLine(line: 2, "expected PROMPT OUTPUT [THOUGHT ...], found 1 number(s)")) {
            try SimulationSample.parseLengths("1 2\n3\n")
        }
        #expect(throws: SimulationError.self) { try SimulationSample.parseLengths("1 5 3 3\n") }
    }

    @Test func invalidConfigurationsNameTheOption() {
        var configuration = SimulationConfiguration(method: .h2o)
        configuration.recent = 2000
        #expect(throws: SimulationError.invalidParameter("'--recent' must be at least 0 and below '--budget'.")) { try Simulator(configuration) }
        configuration = SimulationConfiguration(method: .sepllm)
        configuration.initial = 1000
        #expect(throws: SimulationError.self) { try Simulator(configuration) }
    }
}
