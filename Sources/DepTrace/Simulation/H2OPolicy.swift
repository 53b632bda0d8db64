/// H2O (Zhang et al., NeurIPS 2023), per head: the `recent` most recent tokens
/// and the heavy hitters, up to `budget` tokens.
///
/// The score model (documented in `deptrace simulate --help`): H2O evicts the
/// token with the lowest attention accumulated so far. Here each head gives each
/// token a fixed affinity, a 64-bit hash of (seed, sample, stream, id), and ranks
/// tokens by it; id 0 ranks highest in every head (the attention sink every head
/// keeps). Heads draw independently, so they keep different tokens, and a token
/// evicted once never returns, as in H2O.
struct H2OPolicy: EvictionPolicy {
    let sample: SimulationSample
    let index: Int
    let seed: UInt64
    let cacheBudget: Int
    let recent: Int
    let layers: Int
    let heads: Int
    private var candidates: [ScoreHeap]
    private var admitted = 0

    init(sample: SimulationSample, index: Int, seed: UInt64, budget: Int, recent: Int, layers: Int, heads: Int) {
        self.sample = sample
        self.index = index
        self.seed = seed
        cacheBudget = budget
        self.recent = recent
        self.layers = layers
        self.heads = heads
        candidates = Array(repeating: ScoreHeap(), count: layers * heads)
    }

    var budget: Int? { cacheBudget }
    var largestStep: Int { cacheBudget - recent }
    var parameters: [(key: String, value: JSONValue)] { [("recent", .integer(recent))] }

    /// The affinity of `id` in `stream`: higher is kept longer.
    func score(stream: Int, id: Int) -> UInt64 {
        id == 0 ? .max : SeededRandom.hash(seed, [3, UInt64(index), UInt64(stream), UInt64(id)])
    }

    mutating func victims(toFit queries: Int, visible: Int, created: Int) -> [(stream: Int?, ids: [Int])] {
        // Ids older than the recent window become candidates, in every head.
        while admitted < created - recent {
            for stream in candidates.indices { candidates[stream].push(admitted, score: score(stream: stream, id: admitted)) }
            admitted += 1
        }
        let needed = visible + queries - cacheBudget
        guard needed > 0 else { return [] }
        var result: [(stream: Int?, ids: [Int])] = []
        for stream in candidates.indices {
            var ids: [Int] = []
            ids.reserveCapacity(needed)
            for _ in 0..<needed { if let id = candidates[stream].pop() { ids.append(id) } }
            result.append((candidates.count == 1 ? nil : stream, ids))
        }
        return result
    }
}
