import DepTrace

/// Generates valid random traces of every shape the format allows: several
/// streams, prefill chunks, multi-query steps, gaps in ids, evict / add /
/// hide / show per stream and for all streams, snaps, marks, incomplete traces.
///
/// It tracks state with plain sets, independently of the engine under test.
public struct RandomTraceGenerator {
    public var random: SeededRandom

    public init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// A generated trace: its header and records (the `end` record, if any, last).
    public struct Trace {
        public var header: TraceHeader
        public var records: [Record]

        public init(header: TraceHeader, records: [Record]) {
            self.header = header
            self.records = records
        }

        /// The trace in the JSON Lines encoding.
        public var jsonl: String {
            JSONLRecordEncoder.line(for: header) + records.map { JSONLRecordEncoder.line(for: $0) }.joined()
        }
    }

    /// `ids` coalesced into sorted, disjoint ranges.
    public static func ranges(_ ids: some Sequence<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for id in ids.sorted() {
            if let last = result.last, last.upperBound == id {
                result[result.count - 1] = last.lowerBound..<(id + 1)
            } else if result.last?.contains(id) != true {
                result.append(id..<(id + 1))
            }
        }
        return result
    }

    private mutating func subset(_ ids: Set<Int>, max: Int) -> Set<Int> {
        guard !ids.isEmpty else { return [] }
        let sorted = ids.sorted()
        if random.chance(0.5) {
            // A contiguous run, as real evictions of whole thoughts are.
            let start = Int.random(in: 0..<sorted.count, using: &random)
            let length = Int.random(in: 1...Swift.min(max, sorted.count - start), using: &random)
            return Set(sorted[start..<(start + length)])
        }
        let count = Int.random(in: 1...Swift.min(max, sorted.count), using: &random)
        return Set(sorted.shuffled(using: &random).prefix(count))
    }

    /// One random valid trace with `sample` as its sample id.
    public mutating func trace(sample: String, maxSteps: Int = 40) -> Trace {
        let layers = random.chance(0.6) ? 1 : Int.random(in: 1...3, using: &random)
        let heads = random.chance(0.5) ? 1 : Int.random(in: 1...3, using: &random)
        let streams = layers * heads
        let kvBytes: Int? = random.chance(0.5) ? Int.random(in: 1...4096, using: &random) : nil
        let header = TraceHeader(
            method: ["vanilla", "h2o", "lightthinker-thought", "snapkv"].randomElement(using: &random),
            model: "toy", dataset: random.chance(0.5) ? "gsm8k" : "mmlu", sample: sample,
            layers: layers, heads: heads, budget: random.chance(0.3) ? 64 : nil, kvBytesPerToken: kvBytes,
            meta: random.chance(0.3) ? [("note", .string("quote \" and <tag> & é"))] : [])
        var resident = [Set<Int>](repeating: [], count: streams)
        var visible = [Set<Int>](repeating: [], count: streams)
        var created = Set<Int>()
        var nextId = random.chance(0.2) ? Int.random(in: 0...1000, using: &random) : 0
        var records: [Record] = []
        var time = 0

        func targetStreams(_ stream: Int?) -> [Int] { stream.map { [$0] } ?? Array(0..<streams) }

        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let n = Int.random(in: 1...12, using: &random)
            records.append(.step(Step(phase: .prefill, first: nextId, count: n)))
            for s in 0..<streams { resident[s].formUnion(nextId..<(nextId + n)); visible[s].formUnion(nextId..<(nextId + n)) }
            created.formUnion(nextId..<(nextId + n))
            nextId += n
        }
        let steps = Int.random(in: 0...maxSteps, using: &random)
        for _ in 0..<steps {
            let action = Int.random(in: 0..<100, using: &random)
            let stream: Int? = streams > 1 && random.chance(0.6) ? Int.random(in: 0..<streams, using: &random) : nil
            let targets = targetStreams(stream)
            switch action {
            case 0..<45:
                if random.chance(0.1) { nextId += Int.random(in: 1...5, using: &random) }
                let phase: Phase = random.chance(0.85) ? .decode : .compress
                let n = random.chance(0.8) ? 1 : Int.random(in: 2...5, using: &random)
                var step = Step(phase: phase, first: nextId, count: n)
                if random.chance(0.1) { step.explicitKind = TokenKind.allCases.randomElement(using: &random) }
                if random.chance(0.3) {
                    time += Int.random(in: 1...1_000_000, using: &random)
                    step.time = time
                }
                if random.chance(0.1) { step.tokens = (0..<n).map { _ in Int.random(in: 0..<150_000, using: &random) } }
                records.append(.step(step))
                for s in 0..<streams { resident[s].formUnion(nextId..<(nextId + n)); visible[s].formUnion(nextId..<(nextId + n)) }
                created.formUnion(nextId..<(nextId + n))
                nextId += n
            case 45..<63:
                let candidates = targets.dropFirst().reduce(resident[targets[0]]) { $0.intersection(resident[$1]) }
                let chosen = subset(candidates, max: 6)
                guard !chosen.isEmpty else { continue }
                records.append(.evict(Self.ranges(chosen), stream: stream))
                for s in targets { resident[s].subtract(chosen); visible[s].subtract(chosen) }
            case 63..<71:
                let candidates = targets.reduce(created) { $0.subtracting(resident[$1]) }
                let chosen = subset(candidates, max: 4)
                guard !chosen.isEmpty else { continue }
                records.append(.add(Self.ranges(chosen), stream: stream))
                for s in targets { resident[s].formUnion(chosen); visible[s].formUnion(chosen) }
            case 71..<80:
                let candidates = targets.dropFirst().reduce(visible[targets[0]]) { $0.intersection(visible[$1]) }
                let chosen = subset(candidates, max: 4)
                guard !chosen.isEmpty else { continue }
                records.append(.hide(Self.ranges(chosen), stream: stream))
                for s in targets { visible[s].subtract(chosen) }
            case 80..<88:
                let candidates = targets.dropFirst().reduce(resident[targets[0]].subtracting(visible[targets[0]])) {
                    $0.intersection(resident[$1].subtracting(visible[$1]))
                }
                let chosen = subset(candidates, max: 4)
                guard !chosen.isEmpty else { continue }
                records.append(.show(Self.ranges(chosen), stream: stream))
                for s in targets { visible[s].formUnion(chosen) }
            case 88..<94:
                let s = stream ?? 0
                let agree = stream != nil || (0..<streams).allSatisfy { visible[$0] == visible[0] && resident[$0] == resident[0] }
                guard agree else { continue }
                records.append(.snap(visible: Self.ranges(visible[s]), resident: random.chance(0.5) ? Self.ranges(resident[s]) : nil, stream: stream))
            default:
                records.append(.mark(["thought \(records.count) compressed", "naïve “quotes” \\ \"x\"", "tab\there"].randomElement(using: &random) ?? "m"))
            }
        }
        if random.chance(0.85) {
            records.append(.end(random.chance(0.7) ? Claims(correct: random.chance(0.5)) : Claims()))
        }
        return Trace(header: header, records: records)
    }
}
