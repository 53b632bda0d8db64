/// SepLLM (Chen et al., ICML 2025): the `initial` first tokens, the separator
/// tokens (punctuation and line breaks, into which SepLLM's training packs each
/// segment) and the `recent` most recent tokens, up to `budget` tokens. When the
/// cache is full the oldest token that is none of these goes first; when only
/// separators are left to evict, the oldest separator goes.
struct SepLLMPolicy: EvictionPolicy {
    let sample: SimulationSample
    let index: Int
    let seed: UInt64
    let cacheBudget: Int
    let initial: Int
    let recent: Int
    let separators: Set<Int>?
    let separatorRate: Double
    private var plain: [Int] = []
    private var plainHead = 0
    private var separatorQueue: [Int] = []
    private var separatorHead = 0
    private var admitted = 0

    init(sample: SimulationSample, index: Int, seed: UInt64, budget: Int, initial: Int, recent: Int, separators: [Int]?, separatorRate: Double) {
        self.sample = sample
        self.index = index
        self.seed = seed
        cacheBudget = budget
        self.initial = initial
        self.recent = recent
        self.separators = separators.map(Set.init)
        self.separatorRate = separatorRate
    }

    var budget: Int? { cacheBudget }
    var largestStep: Int { cacheBudget - initial - recent }
    var parameters: [(key: String, value: JSONValue)] {
        var fields: [(key: String, value: JSONValue)] = [("initial", .integer(initial)), ("recent", .integer(recent))]
        if let separators {
            fields.append(("separators", .integers(separators.sorted())))
        } else {
            fields.append(("separator_rate", .number(JSONEncoding.number(separatorRate))))
        }
        return fields
    }

    /// Whether `id` is a separator: given, or drawn with probability `separatorRate`
    /// from a hash of (seed, sample, id).
    func isSeparator(_ id: Int) -> Bool {
        if let separators { return separators.contains(id) }
        return Double(SeededRandom.hash(seed, [4, UInt64(index), UInt64(id)]) >> 11) * 0x1p-53 < separatorRate
    }

    mutating func victims(toFit queries: Int, visible: Int, created: Int) -> [(stream: Int?, ids: [Int])] {
        while admitted < created - recent {
            if admitted >= initial {
                if isSeparator(admitted) { separatorQueue.append(admitted) } else { plain.append(admitted) }
            }
            admitted += 1
        }
        var needed = visible + queries - cacheBudget
        guard needed > 0 else { return [] }
        var ids: [Int] = []
        let fromPlain = Swift.min(needed, plain.count - plainHead)
        ids.append(contentsOf: plain[plainHead..<(plainHead + fromPlain)])
        plainHead += fromPlain
        needed -= fromPlain
        ids.append(contentsOf: separatorQueue[separatorHead..<(separatorHead + needed)])
        separatorHead += needed
        return [(nil, ids)]
    }
}
