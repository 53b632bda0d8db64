/// One method's cache policy, planned for one sample: what it writes in the
/// header, which closed form its trace is compared with, and the records it plays.
protocol SimulationPolicy {
    var layers: Int { get }
    var heads: Int { get }
    /// The header's `budget`, for policies that keep to one.
    var budget: Int? { get }
    /// The policy's parameters for the header's `meta` (after `origin`, `seed`, `formula`).
    var parameters: [(key: String, value: JSONValue)] { get }
    /// The closed form of the LightThinker evaluation script this policy is read with.
    var closedForm: ClosedFormInput { get }
    /// Writes the sample's records, header and `end` excluded.
    mutating func play(on writer: TraceWriter) throws(TraceWriterError)
}

extension SimulationPolicy {
    var layers: Int { 1 }
    var heads: Int { 1 }
    var budget: Int? { nil }
}

/// A policy that decodes token by token and evicts before a step so that the
/// cache, the step's own queries included, never holds more than its budget.
protocol EvictionPolicy: SimulationPolicy {
    var sample: SimulationSample { get }
    /// The most queries one step may have so that the policy can make room for them
    /// (a long prompt is read in chunks of this size).
    var largestStep: Int { get }
    /// The ids to evict (per stream, or `nil` for all) so that `queries` new tokens fit,
    /// with `visible` tokens in every stream and `created` ids created so far.
    mutating func victims(toFit queries: Int, visible: Int, created: Int) -> [(stream: Int?, ids: [Int])]
}

extension EvictionPolicy {
    mutating func play(on writer: TraceWriter) throws(TraceWriterError) {
        var visible = 0
        var created = 0
        func step(_ phase: Phase, _ count: Int, _ policy: inout Self) throws(TraceWriterError) {
            let victims = policy.victims(toFit: count, visible: visible, created: created)
            for victim in victims where !victim.ids.isEmpty {
                try writer.evict(ids: victim.ids, stream: victim.stream)
            }
            // Every stream evicts as many ids: the visible count is the same in all.
            visible -= victims.first?.ids.count ?? 0
            try writer.step(phase, count: count)
            visible += count
            created += count
        }
        var remaining = sample.prompt
        while remaining > 0 {
            let chunk = Swift.min(remaining, largestStep)
            try step(.prefill, chunk, &self)
            remaining -= chunk
        }
        for _ in 0..<sample.output { try step(.decode, 1, &self) }
    }

    var closedForm: ClosedFormInput {
        budget.map { ClosedFormInput(form: .kvcache, prompt: sample.prompt, output: sample.output, cacheSize: $0) }
            ?? ClosedFormInput(form: .normal, prompt: sample.prompt, output: sample.output)
    }
}

/// A policy that decodes thoughts (sentences) and compresses each one when it ends.
protocol CompressionPolicy: SimulationPolicy {
    var sample: SimulationSample { get }
    /// Lengths of the compressed thoughts, in order; the rest of the output is not compressed.
    var thoughts: [Int] { get }
    /// Queries of the compress pass after a thought (`g + 1`), or nil when the thought
    /// collapses into its own last token with no pass (AnLLM).
    var compressQueries: Int? { get }
}

extension CompressionPolicy {
    mutating func play(on writer: TraceWriter) throws(TraceWriterError) {
        if sample.prompt > 0 { try writer.step(.prefill, count: sample.prompt) }
        for length in thoughts {
            let start = writer.nextStepId
            for _ in 0..<length { try writer.step(.decode) }
            if let compressQueries {
                if compressQueries > 0 { try writer.step(.compress, count: compressQueries) }
                try writer.evict([start..<(start + length)])
            } else if length > 1 {
                try writer.evict([start..<(start + length - 1)])
            }
        }
        for _ in 0..<(sample.output - thoughts.reduce(0, +)) { try writer.step(.decode) }
    }

    /// The sample's thoughts when it gives them, otherwise lengths drawn uniformly
    /// from `1...2·mean−1` until the next one would reach the end of the output (the
    /// rest, never empty, is the uncompressed answer). The draw depends on the seed
    /// and the sample's index only, so AnLLM and LightThinker cut a sample alike.
    static func thoughts(for sample: SimulationSample, index: Int, seed: UInt64, mean: Int) -> [Int] {
        if let given = sample.thoughts { return given }
        var random = SeededRandom(seed: seed, 2, UInt64(index))
        var thoughts: [Int] = []
        var remaining = sample.output
        while remaining > 0 {
            let length = random.uniform(1...(2 * mean - 1))
            if length >= remaining { break }
            thoughts.append(length)
            remaining -= length
        }
        return thoughts
    }
}

extension JSONValue {
    static func integers(_ values: [Int]) -> JSONValue { .array(values.map { .integer($0) }) }
}
