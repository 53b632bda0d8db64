/// A trace's measured Dep and peak beside the closed form it is read with, the
/// differences, and why they are what they are.
public struct FormulaComparison: Sendable {
    /// The closed form and its parameters, or nil when the trace does not say enough.
    public var input: ClosedFormInput?
    public var formula: ClosedFormResult?
    /// `dep` as `stats` reports it (mean over streams).
    public var measuredDep: MetricValue
    public var measuredPeak: Int
    /// Measured minus closed form.
    public var depDifference: MetricValue?
    public var peakDifference: Int?
    /// One sentence: the known reason for the difference, or that there is none.
    public var note: String

    /// Compares a trace with the closed form its header names.
    ///
    /// The form and its schedule come from the header's `meta` (`formula`, `gist`,
    /// `splits`, `every`, as `deptrace simulate` writes them), the cache size from
    /// `budget`, `P` and `L` from the measured `prompt_tokens` and `output_tokens`.
    /// Without `meta.formula`, a trace with a `budget` is read with `kvcache`, one
    /// without compressions with `normal`; others have no form.
    public init(header: TraceHeader?, metrics: TraceMetrics) {
        measuredDep = metrics.dep
        measuredPeak = metrics.peak
        let meta = header?["meta"]
        let p = metrics.promptTokens, l = metrics.outputTokens
        var input: ClosedFormInput?
        switch meta?["formula"]?.stringValue.flatMap(ClosedForm.init(rawValue:)) {
        case .normal?:
            input = ClosedFormInput(form: .normal, prompt: p, output: l)
        case .kvcache?:
            input = header?.budget.map { ClosedFormInput(form: .kvcache, prompt: p, output: l, cacheSize: $0) }
        case .anchorThought?:
            let splits = meta?["splits"].flatMap { value -> [Int]? in
                guard case .array(let items) = value else { return nil }
                let numbers = items.compactMap(\.intValue)
                return numbers.count == items.count ? numbers : nil
            }
            if let gist = meta?["gist"]?.intValue, let splits {
                input = ClosedFormInput(form: .anchorThought, prompt: p, output: l, gist: gist, splits: splits)
            }
        case .anchorToken?:
            if let gist = meta?["gist"]?.intValue, let every = meta?["every"]?.intValue {
                input = ClosedFormInput(form: .anchorToken, prompt: p, output: l, gist: gist, every: every)
            }
        case nil:
            if let budget = header?.budget {
                input = ClosedFormInput(form: .kvcache, prompt: p, output: l, cacheSize: budget)
            } else if metrics.compressions == 0, metrics.evictedTokensTotal == 0, metrics.hiddenTokensTotal == 0 {
                input = ClosedFormInput(form: .normal, prompt: p, output: l)
            }
        }
        self.input = input
        guard let input else {
            note = "no closed form: the header names none (meta.formula with its schedule) and the trace is not a plain full-cache run"
            return
        }
        let result: ClosedFormResult
        do {
            result = try input.evaluate()
        } catch {
            note = "no closed form: \(error)"
            return
        }
        formula = result
        let depDifference: MetricValue = metrics.depTotal % metrics.streams == 0
            ? .int(metrics.depTotal / metrics.streams - result.dep)
            : .double(Double(metrics.depTotal) / Double(metrics.streams) - Double(result.dep))
        self.depDifference = depDifference
        peakDifference = metrics.peak - result.peak
        note = Self.explain(input, method: header?.method, depDifference: depDifference, peakDifference: metrics.peak - result.peak)
    }

    private static func explain(_ input: ClosedFormInput, method: String?, depDifference: MetricValue, peakDifference: Int) -> String {
        let exact = depDifference == .int(0) && peakDifference == 0
        switch input.form {
        case .kvcache:
            let s = input.cacheSize ?? 0, p = input.prompt, l = input.output
            if p + l >= s, p <= s, depDifference == .int(s), peakDifference == 0 {
                return "the kvcache form counts one step too few: exactly S below a cache that fills to S (P + L ≥ S)"
            }
            if p + l < s {
                return "the cache never fills (P + L < S): the trace is the normal form; the kvcache form assumes a full cache and peak S"
            }
            if p > s {
                return "the prompt is longer than the cache (P > S): the kvcache form assumes P < S"
            }
            return exact ? "exact" : "unexplained: expected Dep exactly S above the form and the same peak; check the trace's budget"
        case .anchorThought where method == SimulationMethod.anllm.rawValue && input.gist == 0:
            if depDifference == .int(0), peakDifference == 0 || peakDifference == -1 {
                return peakDifference == 0
                    ? "exact"
                    : "Dep exact; AnLLM keeps each anchor without a compress pass, and the form's peak counts one query more at a sentence end"
            }
            return "unexplained: AnLLM should match the anchor-thought form with g = 0 in Dep"
        case .normal, .anchorThought, .anchorToken:
            return exact ? "exact" : "unexplained: the trace does not follow the form's schedule (prefill, one decode step per token, compress passes of g + 1 queries, the thought evicted after each)"
        }
    }
}
