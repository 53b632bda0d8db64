import Foundation
import Testing
import _DepTraceTestSupport

// Every example of README.md and of every `--help` ("Examples:") runs, in a
// temporary folder that holds a copy of Traces/ and the placeholder paths the
// examples name (runs/, run.dtrace.jsonl, ...), each made from Traces/ as
// `ExampleFixture.make` says. README examples shown with their output (`$ `
// lines) must print exactly that output; the others must exit as
// `ExampleFixture.expectedStatus` says (0 unless listed).

/// One example command line and what it must give.
struct Example: CustomTestStringConvertible, Sendable {
    /// Where it is written: `README.md:120` or `deptrace chart --help`.
    var source: String
    /// The command line, beginning with `deptrace`.
    var command: String
    /// The output README.md shows below it, when it shows one.
    var output: String?

    var testDescription: String { "\(source): \(command)" }
}

/// The fixture the examples run in, and what each is expected to do.
enum ExampleFixture {
    /// A trace file with an invalid trace and an incomplete one: README's `validate` example.
    static let broken = """
        {"deptrace":1,"method":"h2o","sample":"17"}
        {"step":"prefill","q":[0,8]}
        {"step":"decode","q":[8,1]}
        {"evict":[[3,4],[12,13]]}
        {"end":{"correct":true}}
        {"deptrace":1,"method":"h2o","sample":"18"}
        {"step":"prefill","q":[0,8]}
        {"step":"decode","q":[8,1]}

        """

    /// The placeholder paths, each made from Traces/ (or by deptrace from it), in order.
    static let setup: [String] = [
        "mkdir -p runs/vanilla runs/h2o runs/lightthinker runs/handmade docs/images",
        "cp Traces/simulated/vanilla.dtrace Traces/vanilla.dtrace.jsonl runs/vanilla/",
        "cp Traces/simulated/h2o.dtrace runs/h2o/",
        "cp Traces/simulated/lightthinker-thought.dtrace runs/lightthinker/",
        // The hand-made traces say whether their answer was correct (for 'chart pareto').
        "cp Traces/h2o-two-heads.dtrace.jsonl Traces/lightthinker.dtrace.jsonl Traces/recompute-add.dtrace.jsonl runs/handmade/",
        // Eight streams, for the examples that follow stream 5.
        "deptrace simulate h2o --budget 64 --recent 32 --layers 2 --heads 4 --prompt-tokens 40 --output-tokens 120 --dataset simulated-reasoning --seed 17 -o runs/h2o/17.dtrace.jsonl",
        "deptrace simulate h2o --budget 64 --recent 32 --layers 2 --heads 4 --prompt-tokens 40 --output-tokens 120 --dataset simulated-reasoning --seed 17 -o runs/h2o.dtrace",
        "cp -R runs main-runs",
        // Four traces of eight streams, for 'timeline run.dtrace.jsonl --trace 3 --stream 5'.
        "deptrace simulate h2o --budget 64 --recent 32 --layers 2 --heads 4 --prompt-tokens 40 --output-tokens 120 --samples 4 -o run.dtrace.jsonl",
        "cp Traces/simulated/lightthinker-thought.dtrace sim.dtrace",
        "cp Traces/simulated/h2o.dtrace h2o.dtrace",
        "printf '100 200 80 70\\n150 300\\n' > lengths.txt",
        // The user's decoder of 'python my_decoder.py | deptrace validate -': one that prints a trace.
        "printf 'import sys\\nsys.stdout.write(open(\"Traces/vanilla.dtrace.jsonl\").read())\\n' > my_decoder.py",
        "printf 'method,dataset,metric,value,tolerance\\nh2o,simulated-reasoning,peak,512,10%%\\n' > table1.csv",
    ]

    /// The bundle of runs/, made unless the examples make it themselves
    /// (a bundle is never overwritten without --force).
    static let bundle = "deptrace bundle runs.tar.zst runs/"

    /// Examples that exit 1 by design: gates and audits whose verdict on the
    /// fixture is a failure. Every other example must exit 0.
    static let expectedStatus: [String: Int32] = [
        // vanilla's peak passes 1024 in Traces/simulated; the gate says so.
        "deptrace check runs/ --max-peak 1024 --max-dep 5e6": 1,
        "deptrace check runs/ --max resident_peak=1024 --max kv_bytes_peak=2GiB": 1,
        "deptrace check runs/ --max-peak 1024 --max resident_peak=1024 --max kv_bytes_peak=2GiB --min-ratio 3 --baseline runs/vanilla/ --max-regression 5 --previous main-runs/ --junit deptrace.xml --markdown deptrace.md": 1,
        // H2O's ratio against vanilla is about 1.7 there, below 3.
        "deptrace check runs/ --min-ratio 3 --baseline runs/vanilla/ --junit check.xml": 1,
    ]

    /// Makes the fixture in `directory`; with `bundled`, runs.tar.zst too.
    static func make(in directory: URL, bundled: Bool) throws {
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Traces"), to: directory.appendingPathComponent("Traces"))
        try broken.write(to: directory.appendingPathComponent("broken.dtrace.jsonl"), atomically: true, encoding: .utf8)
        for line in setup + (bundled ? [bundle] : []) {
            let result = try shell(line, in: directory)
            guard result.status == 0 else {
                throw FixtureError(description: "fixture step failed: \(line)\n\(result.stdout)\(result.stderr)")
            }
        }
    }

    /// Runs `line` through /bin/sh in `directory`; `deptrace` at its start or
    /// after a pipe is the built executable.
    static func shell(_ line: String, in directory: URL) throws -> ProcessResult {
        let binary = "'" + productsDirectory.appendingPathComponent("deptrace").path + "' "
        var command = line.hasPrefix("deptrace ") ? binary + line.dropFirst("deptrace ".count) : line
        command = command.replacingOccurrences(of: "| deptrace ", with: "| " + binary)
        return try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", command], currentDirectory: directory, environment: ["CI": "true"])
    }
}

/// A fixture step that failed, with its output.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// Reads the examples out of README.md and the help texts.
enum ExampleCatalog {
    /// README.md's fenced blocks: `$ deptrace ...` lines with the output below
    /// them, and blocks of bare `deptrace ...` lines (`[...]` marks optional
    /// flags, left out; `#` starts a comment; `\` continues a line).
    static func readme() throws -> [Example] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var examples: [Example] = []
        // nil outside a block; a plain block's lines (blocks of another language, sh or yaml, are not examples).
        var block: [String]?
        var fence = "", blockStart = 0
        for (number, line) in text.components(separatedBy: "\n").enumerated() {
            guard line.hasPrefix("```") else {
                block?.append(line)
                continue
            }
            if fence.isEmpty {
                fence = line
                block = line == "```" ? [] : nil
                blockStart = number + 2
            } else {
                if let lines = block { examples += parse(lines, startingAt: blockStart) }
                fence = ""
                block = nil
            }
        }
        return examples
    }

    private static func parse(_ lines: [String], startingAt first: Int) -> [Example] {
        var examples: [Example] = []
        if lines.contains(where: { $0.hasPrefix("$ ") }) {
            var current: (line: Int, command: String)?
            var output = ""
            func flush() {
                if let current { examples.append(Example(source: "README.md:\(current.line)", command: current.command, output: output)) }
            }
            for (offset, line) in lines.enumerated() {
                if line.hasPrefix("$ ") {
                    flush()
                    current = (first + offset, String(line.dropFirst(2)))
                    output = ""
                } else {
                    output += line + "\n"
                }
            }
            flush()
            return examples
        }
        var joined: [(Int, String)] = []
        var pending: (Int, String)?
        for (offset, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let continued = line.hasSuffix("\\")
            let part = continued ? String(line.dropLast()).trimmingCharacters(in: .whitespaces) : line
            if var open = pending {
                open.1 += " " + part
                pending = open
            } else {
                pending = (first + offset, part)
            }
            if !continued, let done = pending {
                joined.append(done)
                pending = nil
            }
        }
        for (line, command) in joined where command.hasPrefix("deptrace ") {
            examples.append(Example(source: "README.md:\(line)", command: clean(command), output: nil))
        }
        return examples
    }

    /// A documented command line as it runs: comments and `[optional]` parts removed.
    static func clean(_ command: String) -> String {
        var text = command
        if let hash = text.range(of: " #") { text = String(text[..<hash.lowerBound]) }
        while let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") {
            text.removeSubrange(open...close)
        }
        return text.split(separator: " ").joined(separator: " ")
    }

    /// The commands whose help is read.
    static let commands: [[String]] = [
        [], ["stats"], ["timeline"], ["chart"], ["chart", "timeline"], ["chart", "dep"], ["chart", "hist"], ["chart", "mask"],
        ["chart", "pareto"], ["validate"], ["convert"], ["bundle"], ["simulate"], ["formula"], ["compare"], ["audit"], ["check"],
        ["export"], ["export", "notebook"], ["export", "perfetto"],
    ]

    /// The lines under "Examples:" of every help text, each once.
    static func help() throws -> [Example] {
        var seen = Set<String>()
        var examples: [Example] = []
        for command in commands {
            let result = try runDepTrace(command + ["--help"], environment: ["COLUMNS": "1000"])
            let source = (["deptrace"] + command + ["--help"]).joined(separator: " ")
            let lines = result.stdout.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let start = lines.firstIndex(of: "Examples:") else { continue }
            var pending = ""
            for line in lines[(start + 1)...] {
                if line.isEmpty { break }
                let continued = line.hasSuffix("\\")
                pending += (pending.isEmpty ? "" : " ") + (continued ? String(line.dropLast()) : line)
                if continued { continue }
                let example = clean(pending)
                pending = ""
                if example.contains("deptrace "), seen.insert(example).inserted {
                    examples.append(Example(source: source, command: example, output: nil))
                }
            }
        }
        return examples
    }
}

@Suite("README and --help examples run", .serialized)
struct ExampleTests {
    /// Examples that fail today because of text in files this suite does not own,
    /// with what must change; each must fail until it is fixed, then leave this list.
    static let knownBroken: [String: String] = [:]

    /// The examples by where they are written, in order: README.md's, then each help text's.
    static func groups() throws -> [[Example]] {
        var groups = [try ExampleCatalog.readme()]
        for example in try ExampleCatalog.help() {
            if groups.count > 1, groups[groups.count - 1].last?.source == example.source {
                groups[groups.count - 1].append(example)
            } else {
                groups.append([example])
            }
        }
        return groups
    }

    @Test("every example of README.md and of every --help runs as documented")
    func examplesRun() throws {
        let groups = try Self.groups()
        #expect(groups.joined().count > 40, "only \(groups.joined().count) examples found")
        // Each source runs in a fresh fixture, in its own order (README's examples build on each other).
        for examples in groups {
            try withTemporaryDirectory { directory in
                try ExampleFixture.make(in: directory, bundled: !examples.contains { $0.command == ExampleFixture.bundle })
                try Self.run(examples, in: directory)
            }
        }
    }

    static func run(_ examples: [Example], in directory: URL) throws {
        var lastStatus: Int32 = 0
        for example in examples {
            if example.command == "echo $?" {
                #expect(example.output == "\(lastStatus)\n", "\(example.source): the exit status was \(lastStatus)")
                continue
            }
            let result = try ExampleFixture.shell(example.command, in: directory)
            lastStatus = result.status
            let check = {
                if let output = example.output {
                    #expect(result.stdout + result.stderr == output, "\(example.testDescription) prints something else than README.md shows")
                } else {
                    let expected = ExampleFixture.expectedStatus[example.command] ?? 0
                    #expect(result.status == expected, "\(example.testDescription) exited \(result.status), not \(expected):\n\(result.stdout.suffix(2000))\(result.stderr)")
                }
            }
            if let reason = knownBroken[example.command] {
                withKnownIssue(Comment(rawValue: reason)) { check() }
            } else {
                check()
            }
        }
    }
}
