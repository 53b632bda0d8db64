import ArgumentParser
import DepTrace
import DepTraceReports

struct Simulate: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "simulate",
            abstract: "Play a method's cache policy over token lengths and write one trace per sample.",
            discussion: """
                Methods:
                \(SimulationMethod.allCases.map { HelpText.entry($0.rawValue, $0.summary) }.joined(separator: "\n"))

                Lengths: --prompt-tokens P --output-tokens L give every sample those lengths; without them \
                they are drawn per sample from the seed (median prompt \(SimulationSample.defaultPromptMedian), \
                output \(SimulationSample.defaultOutputMedian), right-skewed); --lengths-from FILE reads one \
                sample per line: PROMPT OUTPUT [THOUGHT ...]. Thoughts (sentences for anllm) come from \
                --thoughts, the file, or are drawn uniformly from 1...2·MEAN−1 (--thought-mean); the \
                output after them is not compressed.

                Budgets: window keeps --sinks + --window tokens, h2o and sepllm --budget; the cache \
                never holds more, the step's own queries included (a prompt longer than that is \
                read in chunks). H2O's scores: each head gives each token a fixed affinity, a hash \
                of (seed, sample, head, token), and evicts the lowest outside the recent window; \
                token 0 ranks highest everywhere (the attention sink), so heads keep different \
                tokens. SepLLM's separators are the given positions or each token with \
                probability --separator-rate.

                The file (-o, --output) is JSON Lines or binary by its name (.dtrace is binary) unless --to says. \
                Headers carry method, dataset, sample, budget and meta (origin, seed, the closed \
                form the trace is read with, the parameters); the same seed gives the same bytes. \
                'deptrace stats --against-formula' compares the traces with their closed forms.

                Examples:
                  deptrace simulate vanilla --prompt-tokens 150 --output-tokens 2000 --output vanilla.dtrace.jsonl
                  deptrace simulate h2o --budget 512 --recent 256 --layers 2 --heads 4 --samples 50 --seed 1 -o h2o.dtrace
                  deptrace simulate lightthinker-thought --prompt-tokens 4 --output-tokens 9 --thoughts 3,4 --gist 2 -o lt.dtrace.jsonl
                  deptrace simulate anllm --lengths-from lengths.txt -o anllm.dtrace
                """
        )
    }()

    @Argument(help: ArgumentHelp("The method: \(SimulationMethod.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "method"))
    var method: SimulationMethod

    @Option(name: [.customLong("prompt-tokens"), .customLong("prompt")], help: ArgumentHelp("Prompt tokens of every sample (default: drawn per sample).", valueName: "P"))
    var prompt: Int?

    @Option(name: .customLong("output-tokens"), help: ArgumentHelp("Output tokens of every sample (default: drawn per sample).", valueName: "L"))
    var outputTokens: Int?

    @Option(name: .customLong("lengths-from"), help: ArgumentHelp("A file with one sample per line: PROMPT OUTPUT [THOUGHT ...].", valueName: "file"))
    var lengthsFrom: String?

    @Option(help: ArgumentHelp("Samples to simulate (default 1), numbered from 0.", valueName: "n"))
    var samples: Int?

    @Option(help: ArgumentHelp("Seed of every random choice.", valueName: "s"))
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("The header's dataset.", valueName: "name"))
    var dataset: String = "simulated"

    @Option(help: ArgumentHelp("The header's model (default: none).", valueName: "name"))
    var model: String?

    @Option(help: ArgumentHelp("window: attention-sink tokens kept from the start (default 4).", valueName: "K"))
    var sinks: Int?

    @Option(help: ArgumentHelp("window: most recent tokens kept (default 1020).", valueName: "W"))
    var window: Int?

    @Option(help: ArgumentHelp("h2o, sepllm: most tokens in the cache, the step's queries included (default 1024).", valueName: "S"))
    var budget: Int?

    @Option(help: ArgumentHelp("h2o, sepllm: most recent tokens always kept (default: budget/2 for h2o, budget/4 for sepllm).", valueName: "R"))
    var recent: Int?

    @Option(help: ArgumentHelp("sepllm: initial tokens always kept (default 4).", valueName: "n"))
    var initial: Int?

    @Option(help: ArgumentHelp("sepllm: comma-separated separator positions (token ids, prompt first).", valueName: "list"))
    var separators: String?

    @Option(name: .customLong("separator-rate"), help: ArgumentHelp("sepllm: share of tokens that are separators when not given (default 0.1).", valueName: "p"))
    var separatorRate: Double?

    @Option(help: ArgumentHelp("h2o: layers recorded (default 1).", valueName: "n"))
    var layers: Int?

    @Option(help: ArgumentHelp("h2o: heads per layer recorded (default 1).", valueName: "n"))
    var heads: Int?

    @Option(help: ArgumentHelp("lightthinker-*: gist tokens per compression (default 8).", valueName: "g"))
    var gist: Int?

    @Option(help: ArgumentHelp("lightthinker-token: output tokens per compression (default 64).", valueName: "k"))
    var every: Int?

    @Option(help: ArgumentHelp("anllm, lightthinker-thought: comma-separated thought lengths (needs --output-tokens).", valueName: "list"))
    var thoughts: String?

    @Option(name: .customLong("thought-mean"), help: ArgumentHelp("anllm, lightthinker-thought: mean drawn thought length (default 80).", valueName: "n"))
    var thoughtMean: Int?

    // An array, so that the old spelling '--output L -o FILE' is caught rather than one value lost.
    @Option(name: [.customShort("o"), .customLong("output"), .customLong("out")], help: ArgumentHelp("The file to write, or - for standard output (give it once).", valueName: "file"))
    var outputs: [String] = []

    /// Output tokens given the old way, `--output L` beside `-o FILE`.
    private var legacyOutputTokens: Int? {
        guard outputs.count == 2 else { return nil }
        let numbers = outputs.compactMap { Int($0) }
        return numbers.count == 1 ? numbers[0] : nil
    }

    /// The output tokens, from '--output-tokens' or the old spelling.
    var output: Int? { outputTokens ?? legacyOutputTokens }

    /// The file to write.
    var out: String {
        outputs.count == 2 && legacyOutputTokens != nil ? outputs.first { Int($0) == nil } ?? "-" : outputs.first ?? "-"
    }

    @Option(help: ArgumentHelp("Output encoding: jsonl or binary (default: from the file's name).", valueName: "encoding"))
    var to: TraceWriter.Encoding?

    func validate() throws {
        if outputs.isEmpty { throw ValidationError("'--output' (-o) is required: the file to write, or - for standard output.") }
        if outputs.count > 1, legacyOutputTokens == nil || outputTokens != nil {
            throw ValidationError("'--output' (-o) names the one file to write; it was given \(outputs.count) times (output tokens are '--output-tokens').")
        }
        if outputs.count == 1, Int(outputs[0]) != nil {
            throw ValidationError("'--output \(outputs[0])' names the file to write; output tokens are '--output-tokens \(outputs[0])' (write './\(outputs[0])' for a file of that name).")
        }
        let applies: [(String, Bool, Set<SimulationMethod>)] = [
            ("--sinks", sinks != nil, [.window]), ("--window", window != nil, [.window]),
            ("--budget", budget != nil, [.h2o, .sepllm]), ("--recent", recent != nil, [.h2o, .sepllm]),
            ("--initial", initial != nil, [.sepllm]), ("--separators", separators != nil, [.sepllm]),
            ("--separator-rate", separatorRate != nil, [.sepllm]),
            ("--layers", layers != nil, [.h2o]), ("--heads", heads != nil, [.h2o]),
            ("--gist", gist != nil, [.lightthinkerThought, .lightthinkerToken]), ("--every", every != nil, [.lightthinkerToken]),
            ("--thoughts", thoughts != nil, [.anllm, .lightthinkerThought]),
            ("--thought-mean", thoughtMean != nil, [.anllm, .lightthinkerThought]),
        ]
        for (flag, given, methods) in applies where given && !methods.contains(method) {
            throw ValidationError("'\(flag)' does not apply to '\(method.rawValue)'.")
        }
        if separators != nil, separatorRate != nil { throw ValidationError("'--separators' and '--separator-rate' are mutually exclusive.") }
        if lengthsFrom != nil {
            for (flag, given) in [("--prompt-tokens", prompt != nil), ("--output-tokens", output != nil), ("--samples", samples != nil), ("--thoughts", thoughts != nil)] where given {
                throw ValidationError("'--lengths-from' and '\(flag)' are mutually exclusive.")
            }
        }
        if thoughts != nil, output == nil { throw ValidationError("'--thoughts' needs '--output-tokens'.") }
        if let samples, samples < 1 { throw ValidationError("'--samples' must be 1 or more.") }
        for (flag, value) in [("--prompt-tokens", prompt), ("--output-tokens", output)] {
            if let value, value < 0 || value > SimulationSample.lengthLimit {
                throw ValidationError("'\(flag)' must be in 0...\(SimulationSample.lengthLimit).")
            }
        }
        if let separators, (try? Self.integers(separators, flag: "--separators")) == nil {
            throw ValidationError("'--separators' must be a comma-separated list of integers.")
        }
        if let thoughts, (try? Self.integers(thoughts, flag: "--thoughts")) == nil {
            throw ValidationError("'--thoughts' must be a comma-separated list of integers.")
        }
        do {
            try simulationConfiguration().validate()
        } catch let error as SimulationError {
            throw ValidationError(error.description)
        }
    }

    static func integers(_ text: String, flag: String) throws -> [Int] {
        try Stats.list(text).map { field in
            guard let number = Int(field) else { throw ValidationError("'\(flag)': '\(field)' is not an integer.") }
            return number
        }
    }

    func simulationConfiguration() throws -> SimulationConfiguration {
        var c = SimulationConfiguration(method: method)
        c.seed = seed
        c.dataset = dataset
        c.model = model
        if let sinks { c.sinks = sinks }
        if let window { c.window = window }
        if let budget { c.budget = budget }
        c.recent = recent
        if let initial { c.initial = initial }
        if let separators { c.separators = try Self.integers(separators, flag: "--separators") }
        if let separatorRate { c.separatorRate = separatorRate }
        if let layers { c.layers = layers }
        if let heads { c.heads = heads }
        if let gist { c.gist = gist }
        if let every { c.every = every }
        if let thoughtMean { c.thoughtMean = thoughtMean }
        return c
    }

    func run() throws {
        if let legacy = legacyOutputTokens, outputTokens == nil {
            TextOutput.standardError.write("warning: '--output \(legacy)' read as output tokens, the old spelling; write '--output-tokens \(legacy)' ('--output' names the file to write).\n")
            TextOutput.standardError.flush()
        }
        let simulator = try Simulator(simulationConfiguration())
        var list: [SimulationSample]
        if let lengthsFrom {
            let text: String
            do {
                text = String(decoding: try readAll(lengthsFrom), as: UTF8.self)
            } catch {
                TextOutput.standardError.write("error: \(error)\n")
                throw ExitCode(1)
            }
            do {
                list = try SimulationSample.parseLengths(text)
            } catch {
                TextOutput.standardError.write("error: \(lengthsFrom): \(error)\n")
                throw ExitCode(1)
            }
        } else {
            list = SimulationSample.sampled(count: samples ?? 1, seed: seed, prompt: prompt, output: output)
            if let thoughts {
                let lengths = try Self.integers(thoughts, flag: "--thoughts")
                list = list.map { SimulationSample(id: $0.id, prompt: $0.prompt, output: $0.output, thoughts: lengths) }
            }
        }
        let writer: TraceWriter
        do {
            writer = try TraceWriter(path: out, encoding: to)
        } catch {
            TextOutput.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
        do {
            try simulator.write(list, to: writer)
            try writer.close()
        } catch {
            TextOutput.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// The bytes of `path` (`-` for standard input).
    private func readAll(_ path: String) throws -> [UInt8] {
        let source = try TraceInput(location: path == "-" ? .standardInput : .file(path)).open()
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return bytes
    }
}

extension SimulationMethod: ExpressibleByArgument {}
