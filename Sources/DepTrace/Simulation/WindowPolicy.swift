/// StreamingLLM (Xiao et al., ICLR 2024): the first `sinks` tokens (attention
/// sinks) and the `window` most recent tokens; the oldest other token goes first.
struct WindowPolicy: EvictionPolicy {
    let sample: SimulationSample
    let sinks: Int
    let window: Int
    /// Ids that may be evicted, oldest first, from `head` on.
    private var queue: [Int] = []
    private var head = 0
    private var admitted = 0

    init(sample: SimulationSample, sinks: Int, window: Int) {
        self.sample = sample
        self.sinks = sinks
        self.window = window
    }

    var budget: Int? { sinks + window }
    var largestStep: Int { window }
    var parameters: [(key: String, value: JSONValue)] { [("sinks", .integer(sinks)), ("window", .integer(window))] }

    mutating func victims(toFit queries: Int, visible: Int, created: Int) -> [(stream: Int?, ids: [Int])] {
        while admitted < created {
            if admitted >= sinks { queue.append(admitted) }
            admitted += 1
        }
        let needed = visible + queries - (sinks + window)
        guard needed > 0 else { return [] }
        let ids = Array(queue[head..<(head + needed)])
        head += needed
        return [(nil, ids)]
    }
}
