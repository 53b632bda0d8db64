/// The cache policies `deptrace simulate` plays, with the paper each comes from.
public enum SimulationMethod: String, Sendable, CaseIterable {
    case vanilla
    case window
    case h2o
    case sepllm
    case anllm
    case lightthinkerThought = "lightthinker-thought"
    case lightthinkerToken = "lightthinker-token"

    /// One or two lines: what the policy keeps, and where it comes from.
    public var summary: String {
        switch self {
        case .vanilla:
            "Keep every token (full KV cache): the baseline of every paper below."
        case .window:
            "StreamingLLM: keep --sinks first tokens and the --window most recent. Xiao et al., \"Efficient Streaming Language Models with Attention Sinks\", ICLR 2024, arXiv 2309.17453."
        case .h2o:
            "H2O: per head, keep --recent recent tokens and the heavy hitters (largest accumulated attention) up to --budget. Zhang et al., \"H2O: Heavy-Hitter Oracle\", NeurIPS 2023, arXiv 2306.14048."
        case .sepllm:
            "SepLLM: keep --initial tokens, separator tokens and --recent tokens up to --budget. Chen et al., \"SepLLM: Accelerate LLMs by Compressing One Segment into One Separator\", ICML 2025, arXiv 2412.12094."
        case .anllm:
            "AnLLM: each sentence collapses into its last (anchor) token. Pang et al., \"Anchor-based Large Language Models\", Findings of ACL 2024, arXiv 2402.07616."
        case .lightthinkerThought:
            "LightThinker, thought level: after each thought a compress pass writes --gist tokens plus one, then the thought is evicted. Zhang et al., \"LightThinker: Thinking Step-by-Step Compression\", EMNLP 2025, arXiv 2502.15589."
        case .lightthinkerToken:
            "LightThinker, token level: the same compression every --every output tokens (same paper)."
        }
    }

    /// Whether `--budget` bounds the cache (the window's budget is `--sinks + --window`).
    public var isBudgeted: Bool {
        switch self {
        case .window, .h2o, .sepllm: true
        default: false
        }
    }

    /// Whether the output is cut into thoughts (or sentences) that are compressed.
    public var usesThoughts: Bool { self == .anllm || self == .lightthinkerThought }
}
