/// LightThinker, token level: a compress pass of `gist` tokens plus one after
/// every `every` output tokens, then those tokens are evicted (a last full chunk
/// is compressed too, as the evaluation script counts it). Reproduces the
/// `anchor-token` form exactly, Dep and peak.
struct LightThinkerTokenPolicy: CompressionPolicy {
    let sample: SimulationSample
    let gist: Int
    let every: Int
    var compressQueries: Int? { gist + 1 }
    var thoughts: [Int] { Array(repeating: every, count: sample.output / every) }

    var parameters: [(key: String, value: JSONValue)] { [("gist", .integer(gist)), ("every", .integer(every))] }

    var closedForm: ClosedFormInput {
        ClosedFormInput(form: .anchorToken, prompt: sample.prompt, output: sample.output, gist: gist, every: every)
    }
}
