import ArgumentParser
import DepTrace
import DepTraceReports

struct Formula: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "formula",
            abstract: "Print the Dep and peak closed forms of the LightThinker evaluation script.",
            discussion: """
                The forms of evaluation/eval_file.py in zjunlp/LightThinker, as written there, for \
                P prompt and L output tokens:
                  normal          P·L + (1+L)·L/2; peak P + L
                  kvcache         (S+P)(S−P−1)/2 + (L+P−S)·S for cache size S; peak S, not measured
                  anchor-thought  per output token P + (tokens so far in the thought) + cache, the \
                cache growing by g + 1 after each of the --splits thoughts; peak the largest \
                thought + g + P + cache + 1 at a compression, or thought + P + cache at the end
                  anchor-token    the same with a compression every --every output tokens

                A trace with the same schedule reproduces normal, anchor-thought and anchor-token \
                exactly. kvcache counts one step too few: it is exactly S below a cache that fills \
                to S. 'deptrace stats --against-formula' compares traces with their forms.

                Examples:
                  deptrace formula normal --prompt-tokens 6 --output-tokens 5
                  deptrace formula kvcache --prompt-tokens 150 --output-tokens 2000 --cache-size 1024
                  deptrace formula anchor-thought --prompt-tokens 4 --output-tokens 9 --gist 2 --splits 3,4
                  deptrace formula anchor-token --prompt-tokens 100 --output-tokens 1000 --gist 8 --every 64
                """
        )
    }()

    @Argument(help: ArgumentHelp("The form: normal, kvcache, anchor-thought or anchor-token.", valueName: "form"))
    var form: ClosedForm

    @Option(name: [.customLong("prompt-tokens"), .customLong("prompt")], help: ArgumentHelp("Prompt tokens.", valueName: "P"))
    var prompt: Int

    @Option(name: .customLong("output-tokens"), help: ArgumentHelp("Output tokens.", valueName: "L"))
    var output: Int

    @Option(name: .customLong("cache-size"), help: ArgumentHelp("kvcache: the cache size.", valueName: "S"))
    var cacheSize: Int?

    @Option(help: ArgumentHelp("anchor-*: gist tokens per compression.", valueName: "g"))
    var gist: Int?

    @Option(help: ArgumentHelp("anchor-thought: comma-separated lengths of the compressed thoughts.", valueName: "list"))
    var splits: String?

    @Option(help: ArgumentHelp("anchor-token: output tokens per compression.", valueName: "k"))
    var every: Int?

    @Option(help: ArgumentHelp("Output format: table, csv or json.", valueName: "format"))
    var format: OutputFormat = .table

    func validate() throws {
        let applies: [(String, Bool, Set<ClosedForm>)] = [
            ("--cache-size", cacheSize != nil, [.kvcache]), ("--gist", gist != nil, [.anchorThought, .anchorToken]),
            ("--splits", splits != nil, [.anchorThought]), ("--every", every != nil, [.anchorToken]),
        ]
        for (flag, given, forms) in applies where given && !forms.contains(form) {
            throw ValidationError("'\(flag)' does not apply to '\(form.rawValue)'.")
        }
        for (flag, value) in [("--prompt-tokens", prompt), ("--output-tokens", output)] where value < 0 || value > SimulationSample.lengthLimit {
            throw ValidationError("'\(flag)' must be in 0...\(SimulationSample.lengthLimit).")
        }
        if form == .kvcache, cacheSize == nil { throw ValidationError("'kvcache' needs '--cache-size'.") }
        if form == .anchorThought || form == .anchorToken, gist == nil { throw ValidationError("'\(form.rawValue)' needs '--gist'.") }
        if form == .anchorToken, every == nil { throw ValidationError("'anchor-token' needs '--every'.") }
        if let splits { _ = try Simulate.integers(splits, flag: "--splits") }
        do {
            _ = try input().evaluate()
        } catch let error as SimulationError {
            throw ValidationError(error.description)
        }
    }

    func input() throws -> ClosedFormInput {
        ClosedFormInput(form: form, prompt: prompt, output: output, cacheSize: cacheSize, gist: gist,
                        splits: try splits.map { try Simulate.integers($0, flag: "--splits") }, every: every)
    }

    func run() throws {
        let result = try input().evaluate()
        var fields: [(String, String)] = [("form", form.rawValue), ("prompt", String(prompt)), ("output", String(output))]
        if let cacheSize { fields.append(("cache_size", String(cacheSize))) }
        if let gist { fields.append(("gist", String(gist))) }
        if let every { fields.append(("every", String(every))) }
        fields.append(contentsOf: [("dep", String(result.dep)), ("peak", String(result.peak)), ("compressions", String(result.compressions))])
        let text: String
        switch format {
        case .table:
            let width = fields.map(\.0.count).max() ?? 0
            text = fields.map { $0.0 + String(repeating: " ", count: width - $0.0.count + 2) + $0.1 }.joined(separator: "\n") + "\n"
        case .csv:
            text = CSVWriter.row(fields.map(\.0)) + CSVWriter.row(fields.map(\.1))
        case .json:
            text = "{" + fields.map { key, value in
                JSONEncoding.string(key) + ":" + (key == "form" ? JSONEncoding.string(value) : value)
            }.joined(separator: ",") + "}\n"
        }
        TextOutput.standardOutput.write(text)
    }
}

extension ClosedForm: ExpressibleByArgument {}
