/// The closed forms of the LightThinker evaluation script (`evaluation/eval_file.py`
/// in zjunlp/LightThinker), as written there, for `P` prompt and `L` output tokens.
///
/// Rewritten from their definitions in METRICS.md; the script's two defects
/// (an unset `compress_cnt`, an `anchor` branch its parser never reaches) are
/// not reproduced: the gist count is a parameter and the offset is always 1.
public enum ClosedForm: String, Sendable, CaseIterable {
    /// Full cache: `P·L + (1+L)·L/2`, peak `P + L`.
    case normal
    /// H2O and SepLLM with cache size `S`: `(S+P)(S−P−1)/2 + (L+P−S)·S`, peak `S` (not measured).
    case kvcache
    /// LightThinker (thought level) and AnLLM: compressions at the ends of given thoughts.
    case anchorThought = "anchor-thought"
    /// LightThinker (token level): a compression after every `k` output tokens.
    case anchorToken = "anchor-token"
}

/// What a closed form is evaluated on.
public struct ClosedFormInput: Sendable, Hashable {
    public var form: ClosedForm
    public var prompt: Int
    public var output: Int
    /// `kvcache`: the cache size `S`.
    public var cacheSize: Int?
    /// `anchor-*`: gist tokens per compression `g`; the cache grows by `g + 1` per compression.
    public var gist: Int?
    /// `anchor-thought`: lengths of the compressed thoughts; the rest of the output is not compressed.
    public var splits: [Int]?
    /// `anchor-token`: output tokens per compression `k`.
    public var every: Int?

    public init(form: ClosedForm, prompt: Int, output: Int, cacheSize: Int? = nil, gist: Int? = nil, splits: [Int]? = nil, every: Int? = nil) {
        self.form = form
        self.prompt = prompt
        self.output = output
        self.cacheSize = cacheSize
        self.gist = gist
        self.splits = splits
        self.every = every
    }
}

/// A closed form's Dep and peak.
public struct ClosedFormResult: Sendable, Hashable {
    public var dep: Int
    public var peak: Int
    /// Compressions the form assumes (`anchor-*`), else 0.
    public var compressions: Int

    public init(dep: Int, peak: Int, compressions: Int = 0) {
        self.dep = dep
        self.peak = peak
        self.compressions = compressions
    }
}

extension ClosedFormInput {
    /// Evaluates the form.
    ///
    /// - Throws: ``SimulationError/invalidParameter(_:)`` when a parameter the form
    ///   needs is missing or out of range, ``SimulationError/overflow(_:)`` when a
    ///   number does not fit in 64 bits.
    /// - Complexity: O(1) for `normal` and `kvcache`, O(compressions) for `anchor-*`.
    public func evaluate() throws(SimulationError) -> ClosedFormResult {
        let p = prompt, l = output
        guard p >= 0, l >= 0 else { throw .invalidParameter("'--prompt' and '--output' must be non-negative.") }
        switch form {
        case .normal:
            // P·L + (1+L)·L/2
            let dep = try add(try multiply(p, l), try triangle(l))
            return ClosedFormResult(dep: dep, peak: try add(p, l))
        case .kvcache:
            guard let s = cacheSize, s >= 0 else { throw .invalidParameter("the kvcache form needs '--cache-size' (0 or more).") }
            // (S+P)(S−P−1)/2: S(S−1) − P(P+1) is a difference of two even numbers, so the halving is exact.
            let head = try multiply(try add(s, p), try add(s - p, -1)) / 2
            let tail = try multiply(try add(l, p - s), s)
            return ClosedFormResult(dep: try add(head, tail), peak: s)
        case .anchorThought:
            guard let g = gist, g >= 0 else { throw .invalidParameter("the anchor-thought form needs '--gist' (0 or more).") }
            let thoughts = splits ?? []
            guard thoughts.allSatisfy({ $0 >= 1 }) else { throw .invalidParameter("'--splits' must be positive lengths.") }
            let compressed = thoughts.reduce(0, +)
            guard compressed <= l else { throw .invalidParameter("'--splits' add up to \(compressed), more than the output (\(l)).") }
            return try anchor(thoughts: thoughts, remainder: l - compressed, gist: g)
        case .anchorToken:
            guard let g = gist, g >= 0 else { throw .invalidParameter("the anchor-token form needs '--gist' (0 or more).") }
            guard let k = every, k >= 1 else { throw .invalidParameter("the anchor-token form needs '--every' (1 or more).") }
            return try anchor(thoughts: Array(repeating: k, count: l / k), remainder: l % k, gist: g)
        }
    }

    /// Per output token `P + (tokens so far in the current thought) + cache`, the cache
    /// growing by `g + 1` after each compression; peak the largest
    /// `thought + g + P + cache + 1` at a compression or `thought + P + cache` at the end.
    private func anchor(thoughts: [Int], remainder: Int, gist g: Int) throws(SimulationError) -> ClosedFormResult {
        var dep = 0, peak = 0, cache = 0
        // Σ_{j=1..t} (P + cache + j) = t·(P + cache) + t(t+1)/2
        for t in thoughts {
            let base = try add(prompt, cache)
            dep = try add(dep, try add(try multiply(t, base), try triangle(t)))
            peak = Swift.max(peak, try add(try add(t, g), try add(base, 1)))
            cache = try add(cache, g + 1)
        }
        let base = try add(prompt, cache)
        dep = try add(dep, try add(try multiply(remainder, base), try triangle(remainder)))
        peak = Swift.max(peak, try add(remainder, base))
        return ClosedFormResult(dep: dep, peak: peak, compressions: thoughts.count)
    }
}

private func add(_ a: Int, _ b: Int) throws(SimulationError) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    if overflow { throw .overflow("the closed form") }
    return sum
}

private func multiply(_ a: Int, _ b: Int) throws(SimulationError) -> Int {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    if overflow { throw .overflow("the closed form") }
    return product
}

/// `n(n+1)/2`, halving the even factor first.
private func triangle(_ n: Int) throws(SimulationError) -> Int {
    n & 1 == 0 ? try multiply(n >> 1, n + 1) : try multiply(n, (n + 1) >> 1)
}
