/// LightThinker, thought level (Zhang et al., EMNLP 2025): after each thought a
/// compress pass writes `gist` tokens plus one, then the thought is evicted.
/// Reproduces the `anchor-thought` form exactly, Dep and peak.
struct LightThinkerThoughtPolicy: CompressionPolicy {
    let sample: SimulationSample
    let gist: Int
    let thoughts: [Int]
    var compressQueries: Int? { gist + 1 }

    init(sample: SimulationSample, index: Int, seed: UInt64, gist: Int, mean: Int) {
        self.sample = sample
        self.gist = gist
        thoughts = Self.thoughts(for: sample, index: index, seed: seed, mean: mean)
    }

    var parameters: [(key: String, value: JSONValue)] { [("gist", .integer(gist)), ("splits", .integers(thoughts))] }

    var closedForm: ClosedFormInput {
        ClosedFormInput(form: .anchorThought, prompt: sample.prompt, output: sample.output, gist: gist, splits: thoughts)
    }
}
