/// AnLLM (Pang et al., Findings of ACL 2024): when a sentence ends, its last
/// token (the anchor) keeps what the sentence said and the other tokens are
/// evicted. No extra pass: the anchor is an output token.
///
/// Read with the `anchor-thought` form with `g = 0` (the cache grows by one
/// anchor per sentence): Dep agrees exactly; the form's peak counts one query
/// more at a sentence end, for a compress pass AnLLM does not run.
struct AnLLMPolicy: CompressionPolicy {
    let sample: SimulationSample
    let thoughts: [Int]
    var compressQueries: Int? { nil }

    init(sample: SimulationSample, index: Int, seed: UInt64, mean: Int) {
        self.sample = sample
        thoughts = Self.thoughts(for: sample, index: index, seed: seed, mean: mean)
    }

    var parameters: [(key: String, value: JSONValue)] { [("gist", .integer(0)), ("splits", .integers(thoughts))] }

    var closedForm: ClosedFormInput {
        ClosedFormInput(form: .anchorThought, prompt: sample.prompt, output: sample.output, gist: 0, splits: thoughts)
    }
}
