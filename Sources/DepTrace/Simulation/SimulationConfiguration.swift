/// Everything `deptrace simulate` needs besides the samples: the method, its
/// parameters, the seed and the header values.
public struct SimulationConfiguration: Sendable, Hashable {
    public var method: SimulationMethod
    /// Seeds every random choice (sampled lengths, thoughts, separators, H2O scores).
    public var seed: UInt64 = 0
    public var dataset = "simulated"
    public var model: String?
    /// StreamingLLM: attention sinks kept from the start.
    public var sinks = 4
    /// StreamingLLM: most recent tokens kept.
    public var window = 1020
    /// H2O, SepLLM: the most tokens the cache holds, the step's own queries included.
    public var budget = 1024
    /// H2O, SepLLM: most recent tokens always kept (nil: half the budget for H2O, a quarter for SepLLM).
    public var recent: Int?
    /// SepLLM: initial tokens always kept.
    public var initial = 4
    /// SepLLM: separator token ids (absolute positions, prompt first); nil: sampled with ``separatorRate``.
    public var separators: [Int]?
    /// SepLLM: the share of tokens that are separators when they are sampled.
    public var separatorRate = 0.1
    /// H2O: streams are `layers × heads`, each evicting on its own.
    public var layers = 1
    public var heads = 1
    /// LightThinker: gist tokens per compression (each compress pass writes `gist + 1` tokens).
    public var gist = 8
    /// LightThinker token level: output tokens per compression.
    public var every = 64
    /// AnLLM, LightThinker thought level: mean sampled thought (sentence) length.
    public var thoughtMean = 80

    public init(method: SimulationMethod) { self.method = method }

    /// The recent window H2O or SepLLM keeps.
    public var effectiveRecent: Int {
        recent ?? (method == .sepllm ? budget / 4 : budget / 2)
    }

    /// The cache budget the policy keeps to, or nil.
    public var effectiveBudget: Int? {
        switch method {
        case .window: sinks + window
        case .h2o, .sepllm: budget
        default: nil
        }
    }

    /// - Throws: ``SimulationError/invalidParameter(_:)`` naming the option.
    public func validate() throws(SimulationError) {
        func require(_ condition: Bool, _ message: String) throws(SimulationError) {
            if !condition { throw .invalidParameter(message) }
        }
        let limit = SimulationSample.lengthLimit
        switch method {
        case .window:
            try require(sinks >= 0 && sinks <= limit, "'--sinks' must be in 0...\(limit).")
            try require(window >= 1 && window <= limit, "'--window' must be in 1...\(limit).")
        case .h2o:
            try require(budget >= 2 && budget <= limit, "'--budget' must be in 2...\(limit).")
            try require(effectiveRecent >= 0 && effectiveRecent < budget, "'--recent' must be at least 0 and below '--budget'.")
            try require(layers >= 1 && heads >= 1 && layers * heads <= 4096, "'--layers' and '--heads' must be positive, with at most 4096 streams.")
        case .sepllm:
            try require(budget >= 2 && budget <= limit, "'--budget' must be in 2...\(limit).")
            try require(initial >= 0 && effectiveRecent >= 0 && initial + effectiveRecent < budget,
                         "'--initial' plus '--recent' must be below '--budget'.")
            try require(separatorRate >= 0 && separatorRate <= 1, "'--separator-rate' must be in 0...1.")
            try require(separators?.allSatisfy { $0 >= 0 } ?? true, "'--separators' must be non-negative token positions.")
        case .lightthinkerThought, .lightthinkerToken:
            try require(gist >= 0 && gist <= 1_000_000, "'--gist' must be in 0...1000000.")
            try require(every >= 1 && every <= limit, "'--every' must be in 1...\(limit).")
        case .vanilla, .anllm:
            break
        }
        try require(thoughtMean >= 1 && thoughtMean <= limit, "'--thought-mean' must be in 1...\(limit).")
    }
}
