/// The token lengths of one simulated sample.
public struct SimulationSample: Sendable, Hashable {
    /// The header's `sample` value.
    public var id: String
    /// Prompt tokens (`P`).
    public var prompt: Int
    /// Output tokens (`L`), compression tokens not included.
    public var output: Int
    /// Lengths of the thoughts (sentences for AnLLM) that are compressed, in
    /// order; the output after them is not compressed. Nil: sampled.
    public var thoughts: [Int]?

    public init(id: String, prompt: Int, output: Int, thoughts: [Int]? = nil) {
        self.id = id
        self.prompt = prompt
        self.output = output
        self.thoughts = thoughts
    }

    /// Median lengths of the sampled profile (about those of the paper's reasoning runs, shortened).
    public static let defaultPromptMedian = 150
    public static let defaultOutputMedian = 1000

    /// `count` samples with ids `0`, `1`, ...: fixed lengths where given, otherwise drawn
    /// from a right-skewed profile around the medians.
    ///
    /// The profile multiplies the median by factors `0.5 + u` (`u` uniform in `[0, 1)`),
    /// two for the prompt and four for the output: mean 1 each, so lengths spread from
    /// about a sixteenth to five times the median, with a long right tail as real
    /// generation lengths have. Only multiplications: the same bytes everywhere.
    /// A sample's lengths depend on the seed and its index only, so every method
    /// simulated with one seed sees the same samples.
    public static func sampled(
        count: Int, seed: UInt64, prompt: Int? = nil, output: Int? = nil,
        promptMedian: Int = defaultPromptMedian, outputMedian: Int = defaultOutputMedian
    ) -> [SimulationSample] {
        (0..<Swift.max(count, 0)).map { index in
            var random = SeededRandom(seed: seed, 1, UInt64(index))
            func draw(_ median: Int, factors: Int) -> Int {
                var value = Double(median)
                for _ in 0..<factors { value *= 0.5 + random.unit() }
                return Swift.max(1, Int(value.rounded()))
            }
            let p = draw(promptMedian, factors: 2)
            let l = draw(outputMedian, factors: 4)
            return SimulationSample(id: String(index), prompt: prompt ?? p, output: output ?? l)
        }
    }

    /// Reads a lengths file: one sample per line, `PROMPT OUTPUT [THOUGHT ...]`,
    /// fields separated by spaces, tabs or commas; blank lines and lines starting
    /// with `#` are skipped. Samples are numbered from 0 in file order.
    ///
    /// - Throws: ``SimulationError/badLengthsLine(line:_:)`` naming the first bad line.
    public static func parseLengths(_ text: String) throws(SimulationError) -> [SimulationSample] {
        var samples: [SimulationSample] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }
            var numbers: [Int] = []
            for field in fields {
                guard let number = Int(field), number >= 0 else {
                    throw .badLengthsLine(line: lineNumber, "'\(field)' is not a non-negative integer")
                }
                numbers.append(number)
            }
            guard numbers.count >= 2 else {
                throw .badLengthsLine(line: lineNumber, "expected PROMPT OUTPUT [THOUGHT ...], found \(numbers.count) number(s)")
            }
            let thoughts = numbers.count > 2 ? Array(numbers.dropFirst(2)) : nil
            let sample = SimulationSample(id: String(samples.count), prompt: numbers[0], output: numbers[1], thoughts: thoughts)
            if let problem = sample.problem() { throw .badLengthsLine(line: lineNumber, problem) }
            samples.append(sample)
        }
        return samples
    }

    /// Largest prompt or output length accepted: closed forms stay far from 64-bit overflow.
    public static let lengthLimit = 100_000_000

    /// What is wrong with these lengths, or nil.
    public func problem() -> String? {
        if prompt < 0 || prompt > Self.lengthLimit { return "the prompt length must be in 0...\(Self.lengthLimit)" }
        if output < 0 || output > Self.lengthLimit { return "the output length must be in 0...\(Self.lengthLimit)" }
        if let thoughts {
            if thoughts.contains(where: { $0 < 1 }) { return "thought lengths must be positive" }
            if thoughts.reduce(0, +) > output { return "the thoughts (\(thoughts.reduce(0, +)) tokens) are longer than the output (\(output))" }
        }
        return nil
    }
}
