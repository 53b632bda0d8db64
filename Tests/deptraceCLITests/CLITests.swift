import Foundation
import Testing
import _DepTraceTestSupport

// These tests run the built `deptrace` executable, as a user would, with the repository
// root as working directory so that file names in the output read `Traces/...`.
// Golden files live in Snapshots/; record them with RECORD_SNAPSHOTS=1 and read them.

/// The repository root: Tests/deptraceCLITests/CLITests.swift is three levels below it.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs `deptrace` in the repository root (or `directory`).
func deptrace(
    _ arguments: String..., stdin: String? = nil, in directory: URL = repositoryRoot, environment: [String: String?] = [:]
) throws -> ProcessResult {
    try runDepTrace(arguments, stdin: stdin, currentDirectory: directory, environment: environment)
}

/// Runs the built `deptrace` with an argument array, in the repository root.
func deptrace(_ arguments: [String]) throws -> ProcessResult {
    try runDepTrace(arguments, currentDirectory: repositoryRoot)
}

/// The four hand-made traces (Traces/ also holds simulated runs, whose
/// numbers are checked by the simulation tests).
let handMadeTraces = ["h2o-two-heads", "lightthinker", "recompute-add", "vanilla"].map { "Traces/\($0).dtrace.jsonl" }

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

func sampleTrace(_ name: String) throws -> String {
    try String(contentsOf: repositoryRoot.appendingPathComponent("Traces/\(name).dtrace.jsonl"), encoding: .utf8)
}

/// A trace whose third line evicts an id that was never created: invalid at line 3.
let brokenTrace = """
    {"deptrace":1,"method":"broken","model":"toy","dataset":"handmade","sample":"1"}
    {"step":"prefill","q":[0,4]}
    {"evict":[[5,6]]}
    {"step":"decode","q":[4,1]}
    {"end":{}}

    """

// MARK: - Expected values

/// A documented metric value: a number, a boolean or null.
enum Expected: Equatable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    case number(Double), bool(Bool), null
    init(integerLiteral value: Int) { self = .number(Double(value)) }
    init(floatLiteral value: Double) { self = .number(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(nilLiteral: ()) { self = .null }

    /// Whether `value` is this value; numbers agree to a relative `tolerance`.
    func matches(_ value: JSONValue?, tolerance: Double = 1e-9) -> Bool {
        switch (self, value) {
        case (.number(let expected), .number(let actual)?): abs(expected - actual) <= tolerance * max(1, abs(expected))
        case (.bool(let expected), .bool(let actual)?): expected == actual
        case (.null, .null?): true
        default: false
        }
    }

    /// Whether a CSV field holds this value (null is an empty field).
    func matches(csv field: String) -> Bool {
        switch self {
        case .number: matches(Double(field).map(JSONValue.number))
        case .bool(let expected): field.lowercased() == String(expected)
        case .null: field.isEmpty
        }
    }
}

/// The sample traces, in the order of the columns of the table below.
let sampleNames = ["vanilla", "lightthinker", "h2o-two-heads", "recompute-add"]
let sampleMethods = ["vanilla", "lightthinker-thought", "h2o", "recompute-add"]

/// The 26 metrics of METRICS.md with the values Traces/README.md works out by hand
/// (its Summary table, same order).
let documentedMetrics: KeyValuePairs<String, [Expected]> = [
    "dep": [45, 79, 27, 49],
    "dep_min": [45, 79, 25, 49],
    "dep_max": [45, 79, 29, 49],
    "peak": [11, 14, 6, 10],
    "peak_kv": [11, 14, 11, 10],
    "resident_peak": [11, 14, 6, 11],
    "resident_peak_kv": [11, 14, 11, 11],
    "full_dep": [45, 105, 35, 63],
    "self_ratio": [1, .number(105.0 / 79), .number(35.0 / 27), .number(63.0 / 49)],
    "prompt_tokens": [6, 4, 4, 5],
    "output_tokens": [5, 9, 5, 7],
    "gist_tokens": [0, 6, 0, 0],
    "special_tokens": [0, 0, 0, 0],
    "steps": [6, 12, 6, 8],
    "decode_steps": [5, 9, 5, 7],
    "compressions": [0, 2, 0, 0],
    "evict_events": [0, 2, 4.5, 1],
    "evicted_tokens": [0, 7, 4.5, 3],
    "hidden_tokens": [0, 0, 0, 3],
    "final_visible": [11, 12, 4.5, 10],
    "final_resident": [11, 12, 4.5, 11],
    "time_ns": [nil, nil, nil, 36_000_000],
    "kv_bytes_peak": [nil, nil, 88, 352],
    "complete": [true, true, true, true],
    "correct": [true, true, false, nil],
    "streams": [1, 1, 2, 1],
]
let metricNames = documentedMetrics.map(\.key)
let identityColumns = ["file", "trace", "method", "model", "dataset", "sample"]

/// The documented value of `metric` for the sample trace `name`.
func documented(_ metric: String, of name: String) -> Expected {
    documentedMetrics.first { $0.key == metric }!.value[sampleNames.firstIndex(of: name)!]
}

/// Which sample trace a `file` column names.
func sampleName(ofFile file: String) -> String? {
    sampleNames.first { file.hasSuffix("/\($0).dtrace.jsonl") }
}

// MARK: - JSON

/// Any JSON value; decoding one proves the text is a valid JSON document.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
    var number: Double? { if case .number(let value) = self { value } else { nil } }
    var string: String? { if case .string(let value) = self { value } else { nil } }
}

/// Decodes `text` as a JSON array of objects.
func jsonObjects(_ text: String) throws -> [[String: JSONValue]] {
    try JSONDecoder().decode([[String: JSONValue]].self, from: Data(text.utf8))
}

func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

// MARK: - stats

@Suite("deptrace stats")
struct StatsTests {
    @Test("JSON: one object per trace, exactly the documented keys and the hand-computed values")
    func jsonMetrics() throws {
        let result = try deptrace(["stats"] + handMadeTraces + ["--format", "json"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let objects = try jsonObjects(result.stdout)
        #expect(objects.count == sampleNames.count)
        #expect(objects.compactMap { $0["file"]?.string } == sampleNames.sorted().map { "Traces/\($0).dtrace.jsonl" })
        for object in objects {
            #expect(Set(object.keys) == Set(identityColumns + ["status"] + metricNames))
            #expect(object["status"] == .string("complete"))
            let name = try #require(object["file"]?.string.flatMap(sampleName(ofFile:)))
            #expect(object["trace"] == .number(0))
            #expect(object["method"]?.string == sampleMethods[sampleNames.firstIndex(of: name)!])
            #expect(object["model"] == .string("toy"))
            #expect(object["dataset"] == .string("handmade"))
            #expect(object["sample"] == .string("0"))
            for metric in metricNames {
                #expect(documented(metric, of: name).matches(object[metric]), "\(name): \(metric) is \(String(describing: object[metric]))")
            }
        }
    }

    @Test("Traces/README.md's Summary table holds the values these tests expect")
    func readmeSummary() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("Traces/README.md"), encoding: .utf8)
        let summary = try #require(readme.range(of: "## Summary"))
        var rows: [String: [String]] = [:]
        for line in lines(String(readme[summary.upperBound...])).drop(while: { !$0.hasPrefix("|") }).prefix(while: { $0.hasPrefix("|") }) {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            rows[cells[0]] = Array(cells.dropFirst())
        }
        #expect(rows["metric"] == sampleNames)
        for (metric, values) in documentedMetrics {
            let cells = try #require(rows[metric], "README has no row for \(metric)")
            for (cell, expected) in zip(cells, values) {
                // Cells such as "105/79 ≈ 1.329114": the last word is the decimal value.
                let word = String(cell.split(separator: " ").last ?? "")
                let value: JSONValue? = switch word {
                case "null": .null
                case "true", "false": .bool(word == "true")
                default: Double(word).map(JSONValue.number)
                }
                #expect(expected.matches(value, tolerance: 1e-6), "README \(metric): \(cell)")
            }
        }
    }

    @Test("CSV: a header row with every column, then one parseable row per trace")
    func csv() throws {
        let result = try deptrace(["stats"] + handMadeTraces + ["--format", "csv"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let rows = lines(result.stdout)
        try #require(rows.count == sampleNames.count + 2)
        #expect(rows.last == "")
        let header = rows[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(header == identityColumns + ["status"] + metricNames)
        for row in rows.dropFirst().dropLast() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            try #require(fields.count == header.count, "\(row)")
            let name = try #require(sampleName(ofFile: fields[0]))
            #expect(fields[0] == "Traces/\(name).dtrace.jsonl")
            for (column, field) in zip(header, fields) where metricNames.contains(column) {
                #expect(documented(column, of: name).matches(csv: field), "\(name): \(column) is '\(field)'")
            }
        }
    }

    @Test("table: golden file")
    func table() throws {
        let result = try deptrace(["stats"] + handMadeTraces)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        assertGolden(result.stdout, named: "stats-table.txt")
    }

    @Test("--columns picks and orders the columns")
    func columns() throws {
        let result = try deptrace(["stats"] + handMadeTraces + ["--columns", "sample,dep,peak,self_ratio", "--format", "csv"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            sample,dep,peak,self_ratio
            0,27,6,1.2962962962962963
            0,79,14,1.3291139240506329
            0,49,10,1.2857142857142858
            0,45,11,1.0

            """)
    }

    @Test("--group-by method: table golden file")
    func groupByTable() throws {
        let result = try deptrace(["stats"] + handMadeTraces + ["--group-by", "method"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        assertGolden(result.stdout, named: "stats-group-by-method.txt")
    }

    @Test("--group-by method: JSON parses, one group per method with the documented means")
    func groupByJSON() throws {
        let result = try deptrace(["stats"] + handMadeTraces + ["--group-by", "method", "--format", "json"])
        #expect(result.status == 0)
        let groups = try jsonObjects(result.stdout)
        #expect(groups.compactMap { $0["method"]?.string } == sampleMethods.sorted())
        for group in groups {
            let method = try #require(group["method"]?.string)
            let name = sampleNames[sampleMethods.firstIndex(of: method)!]
            #expect(group["count"] == .number(1))
            let accuracy: Expected = switch documented("correct", of: name) {
            case .bool(let correct): .number(correct ? 100 : 0)
            default: nil
            }
            #expect(accuracy.matches(group["accuracy"]), "\(method): accuracy")
            for metric in ["dep", "peak", "peak_kv", "full_dep", "self_ratio", "evicted_tokens"] {
                #expect(documented(metric, of: name).matches(group["metrics"]?[metric]?["mean"]), "\(method): \(metric) mean")
            }
        }
    }

    @Test("'-' reads standard input")
    func standardInput() throws {
        let result = try deptrace("stats", "-", "--format", "json", stdin: try sampleTrace("vanilla"))
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let objects = try jsonObjects(result.stdout)
        try #require(objects.count == 1)
        #expect(objects[0]["file"] == .string("-"))
        for metric in metricNames {
            #expect(documented(metric, of: "vanilla").matches(objects[0][metric]), "\(metric)")
        }
    }

    @Test("an invalid trace in its own file: the valid one is still printed, the error goes to standard error, exit 1")
    func invalidBesideValidFile() throws {
        try withTemporaryDirectory { directory in
            let broken = directory.appendingPathComponent("broken.dtrace.jsonl")
            try brokenTrace.write(to: broken, atomically: true, encoding: .utf8)
            let json = try deptrace("stats", broken.path, "Traces/vanilla.dtrace.jsonl", "--format", "json")
            #expect(json.status == 1)
            #expect(json.stderr.hasPrefix("\(broken.path):3: trace 0"), "\(json.stderr)")
            let objects = try jsonObjects(json.stdout)
            #expect(objects.count == 1)
            #expect(objects.first?["file"] == .string("Traces/vanilla.dtrace.jsonl"))
            #expect(objects.first?["dep"] == .number(45))

            let csv = try deptrace("stats", broken.path, "Traces/vanilla.dtrace.jsonl", "--format", "csv")
            #expect(csv.status == 1)
            #expect(lines(csv.stdout).count == 3)  // header, vanilla, final newline
            #expect(csv.stdout.contains("\nTraces/vanilla.dtrace.jsonl,0,vanilla,"))
        }
    }

    @Test("an invalid trace followed by a valid one in the same file: reading goes on at the next header")
    func invalidThenValidInOneFile() throws {
        try withTemporaryDirectory { directory in
            try (brokenTrace + sampleTrace("vanilla")).write(to: directory.appendingPathComponent("two.dtrace.jsonl"), atomically: true, encoding: .utf8)
            let result = try deptrace("stats", "two.dtrace.jsonl", "--format", "json", in: directory)
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("two.dtrace.jsonl:3: trace 0"), "\(result.stderr)")
            let objects = try jsonObjects(result.stdout)
            #expect(objects.count == 1)
            #expect(objects.first?["trace"] == .number(1))
            #expect(objects.first?["dep"] == .number(45))
        }
    }
}

// MARK: - timeline

@Suite("deptrace timeline")
struct TimelineTests {
    /// The running dep after each step of lightthinker.dtrace.jsonl (README, section 2).
    let runningDep: [Double] = [0, 5, 11, 18, 18, 26, 35, 45, 56, 56, 67, 79]

    @Test("CSV: golden file, and the running dep of README")
    func csv() throws {
        let result = try deptrace("timeline", "Traces/lightthinker.dtrace.jsonl")
        #expect(result.status == 0)
        #expect(result.stderr == "")
        assertGolden(result.stdout, named: "timeline-lightthinker.csv")
        let rows = lines(result.stdout).dropFirst().filter { !$0.isEmpty }
        let header = lines(result.stdout)[0].split(separator: ",").map(String.init)
        let depColumn = try #require(header.firstIndex(of: "dep"))
        #expect(rows.map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[depColumn]) } == runningDep)
    }

    @Test("JSON parses: one object per step with its marks")
    func json() throws {
        let result = try deptrace("timeline", "Traces/lightthinker.dtrace.jsonl", "--format", "json")
        #expect(result.status == 0)
        let steps = try jsonObjects(result.stdout)
        #expect(steps.map { $0["dep"]?.number } == runningDep)
        #expect(steps.map { $0["step"]?.number } == (0..<12).map(Double.init))
        #expect(steps[4]["phase"] == .string("compress"))
        #expect(steps[4]["marks"] == .array([.string("thought 1 compressed")]))
        #expect(steps.last?["visible_after"] == .number(12))
    }

    @Test("'-' reads standard input")
    func standardInput() throws {
        let fromFile = try deptrace("timeline", "Traces/lightthinker.dtrace.jsonl")
        let fromInput = try deptrace("timeline", "-", stdin: try sampleTrace("lightthinker"))
        #expect(fromInput.status == 0)
        #expect(fromInput.stdout == fromFile.stdout)
    }
}

// MARK: - validate

@Suite("deptrace validate")
struct ValidateTests {
    @Test("the sample traces are valid: exit 0 and an OK summary")
    func sampleTraces() throws {
        let result = try deptrace(["validate"] + handMadeTraces)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == "OK: 4 inputs, 4 traces (4 complete, 0 incomplete); 0 errors, 0 warnings\n")
    }

    @Test("a broken trace: exit 1, FILE:LINE: trace N: message, and a FAILED summary")
    func brokenFile() throws {
        try withTemporaryDirectory { directory in
            try brokenTrace.write(to: directory.appendingPathComponent("broken.dtrace.jsonl"), atomically: true, encoding: .utf8)
            let result = try deptrace("validate", "broken.dtrace.jsonl", in: directory)
            #expect(result.status == 1)
            let output = lines(result.stdout).filter { !$0.isEmpty }
            try #require(output.count == 2, "\(result.stdout)")
            #expect(output[0].hasPrefix("broken.dtrace.jsonl:3: trace 0"))
            #expect(output[0].contains("evict"))
            #expect(output[1] == "FAILED: 1 input, 1 trace (0 complete, 0 incomplete, 1 invalid); 1 error, 0 warnings")
        }
    }

    @Test("'-' reads standard input")
    func standardInput() throws {
        let result = try deptrace("validate", "-", stdin: try sampleTrace("h2o-two-heads"))
        #expect(result.status == 0)
        #expect(result.stdout == "OK: 1 input, 1 trace (1 complete, 0 incomplete); 0 errors, 0 warnings\n")
    }
}

// MARK: - Errors and exit codes

/// A command line that is wrong, and a piece of the message that must say why.
struct UsageCase: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    let message: String
    var testDescription: String { arguments.joined(separator: " ") }
}

@Suite("exit codes and messages")
struct ExitCodeTests {
    static let usageErrors: [UsageCase] = [
        UsageCase(arguments: ["stats", "--bogus", "Traces/"], message: "'--bogus'"),
        UsageCase(arguments: ["bogus"], message: "'bogus'"),
        UsageCase(arguments: ["stats"], message: "Missing expected argument '<path> ...'"),
        UsageCase(arguments: ["validate"], message: "Missing expected argument '<path> ...'"),
        UsageCase(arguments: ["timeline"], message: "<trace>"),
        UsageCase(arguments: ["stats", "--phases", "foo", "Traces/"], message: "'--phases'"),
        UsageCase(arguments: ["validate", "--phases", "foo", "Traces/"], message: "'--phases'"),
        UsageCase(arguments: ["timeline", "--phases", "foo", "Traces/lightthinker.dtrace.jsonl"], message: "'--phases'"),
        UsageCase(arguments: ["stats", "--columns", "nosuch", "Traces/"], message: "'nosuch'"),
        UsageCase(arguments: ["stats", "--columns", "dep", "--group-by", "method", "Traces/"], message: "'--group-by'"),
        UsageCase(arguments: ["stats", "--format", "xml", "Traces/"], message: "'xml'"),
        UsageCase(arguments: ["timeline", "--format", "table", "Traces/lightthinker.dtrace.jsonl"], message: "'table'"),
        UsageCase(arguments: ["timeline", "--trace=-1", "Traces/lightthinker.dtrace.jsonl"], message: "'--trace'"),
        UsageCase(arguments: ["stats", "-", "-"], message: "'-'"),
    ]

    @Test("usage errors exit 2 with a message on standard error", arguments: usageErrors)
    func usageError(_ usage: UsageCase) throws {
        let result = try runDepTrace(usage.arguments, currentDirectory: repositoryRoot)
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("Error: "), "\(result.stderr)")
        #expect(result.stderr.contains(usage.message), "\(result.stderr)")
    }

    @Test("a path that does not exist exits 1 and names the path", arguments: ["stats", "timeline", "validate"])
    func missingPath(_ command: String) throws {
        let result = try deptrace(command, "Traces/nosuch.dtrace.jsonl")
        #expect(result.status == 1)
        // validate lists problems on standard output; the analysing commands on standard error.
        let report = command == "validate" ? result.stdout : result.stderr
        #expect(report.hasPrefix("Traces/nosuch.dtrace.jsonl: no such file or directory\n"), "\(report)")
    }

    @Test("a path that does not exist leaves no broken JSON on standard output")
    func missingPathJSON() throws {
        let result = try deptrace("stats", "Traces/nosuch.dtrace.jsonl", "--format", "json")
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty || (try? jsonObjects(result.stdout)) != nil, "stdout: \(String(reflecting: result.stdout))")
    }
}

// MARK: - Help

@Suite("help")
struct HelpTests {
    @Test("--help: golden files", arguments: ["", "stats", "timeline", "validate"])
    func help(_ command: String) throws {
        let result = try runDepTrace((command.isEmpty ? [] : [command]) + ["--help"], currentDirectory: repositoryRoot)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        assertGolden(result.stdout, named: "help-\(command.isEmpty ? "root" : command).txt")
        // Every help text shows how to run the tool.
        let text = lines(result.stdout)
        let examples = try #require(text.firstIndex(of: "Examples:"))
        #expect(text[examples + 1].hasPrefix("  deptrace \(command)"))
    }

    @Test("each subcommand's help lists every metric", arguments: ["stats", "timeline", "validate"])
    func metricsListed(_ command: String) throws {
        let text = lines(try deptrace(command, "--help").stdout)
        for metric in metricNames {
            #expect(text.contains { $0.hasPrefix("  \(metric) ") }, "\(metric) is missing from 'deptrace \(command) --help'")
        }
        // One line each: the list runs from the line after "Metrics..." to the next blank line.
        let heading = try #require(text.firstIndex { $0.hasPrefix("Metrics") })
        let list = text[(heading + 1)...].prefix { !$0.isEmpty }
        #expect(list.count == metricNames.count, "\(list.filter { !$0.hasPrefix("  ") })")
    }

    @Test("--version prints the version")
    func version() throws {
        let result = try deptrace("--version")
        #expect(result.status == 0)
        #expect(result.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
    }
}

// MARK: - Progress

@Suite("progress")
struct ProgressTests {
    /// Feeds a trace through a pipe with a pause of two seconds in the middle, long enough
    /// that progress would be drawn if standard error were a terminal.
    static func slowPipeline(in directory: URL) throws -> String {
        let trace = try sampleTrace("vanilla")
        let split = trace.index(trace.startIndex, offsetBy: trace.count / 2)
        try String(trace[..<split]).write(to: directory.appendingPathComponent("first"), atomically: true, encoding: .utf8)
        try String(trace[split...]).write(to: directory.appendingPathComponent("second"), atomically: true, encoding: .utf8)
        let script = directory.appendingPathComponent("slow.sh")
        try #"{ cat "$2"; sleep 2; cat "$3"; } | "$1" "$4" -"#.write(to: script, atomically: true, encoding: .utf8)
        return script.path
    }

    static let terminalEnvironment: [String: String?] = ["CI": nil, "TERM": "xterm"]

    @Test("no progress on standard error when it is a pipe", arguments: ["stats", "validate"])
    func noProgressOnPipe(_ command: String) throws {
        try withTemporaryDirectory { directory in
            let script = try Self.slowPipeline(in: directory)
            let executable = productsDirectory.appendingPathComponent("deptrace").path
            let result = try runProcess(
                URL(fileURLWithPath: "/bin/sh"),
                [script, executable, directory.appendingPathComponent("first").path, directory.appendingPathComponent("second").path, command],
                environment: Self.terminalEnvironment)
            #expect(result.status == 0)
            #expect(result.stderr == "", "\(String(reflecting: result.stderr))")
            #expect(result.stdout.contains(command == "stats" ? "vanilla" : "OK: 1 input"))
        }
    }

    #if os(Linux)
    /// The control: the same pipeline on a pseudo-terminal does draw progress, so the test
    /// above would notice progress leaking into pipes.
    @Test("the control: progress is drawn on a terminal", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func progressOnTerminal() throws {
        try withTemporaryDirectory { directory in
            let script = try Self.slowPipeline(in: directory)
            let executable = productsDirectory.appendingPathComponent("deptrace").path
            let first = directory.appendingPathComponent("first").path, second = directory.appendingPathComponent("second").path
            let command = "sh '\(script)' '\(executable)' '\(first)' '\(second)' stats >/dev/null"
            let result = try runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], environment: Self.terminalEnvironment)
            #expect(result.stdout.contains("\r\u{1B}[K"), "\(String(reflecting: result.stdout))")
        }
    }
    #endif
}

/// Parallel analysis prints the same bytes as one job, whatever the scheduling.
@Suite("parallel analysis") struct ParallelAnalysisTests {
    @Test func outputDoesNotDependOnJobs() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-parallel-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = RandomTraceGenerator(seed: 77)
        for index in 0..<60 {
            let traces = (0..<3).map { generator.trace(sample: "\(index).\($0)") }
            var text = traces.map(\.jsonl).joined()
            if index % 17 == 5 { text += "{\"evict\":[[999999,1000000]]}\n" }
            try text.write(to: folder.appendingPathComponent(String(format: "t%03d.dtrace.jsonl", index)), atomically: true, encoding: .utf8)
        }
        let one = try runDepTrace(["stats", folder.path, "--format", "csv", "--jobs", "1"])
        let many = try runDepTrace(["stats", folder.path, "--format", "csv", "--jobs", "4"])
        #expect(one.status == many.status)
        #expect(one.stdout == many.stdout)
        #expect(one.stderr == many.stderr)
        #expect(one.stdout.split(separator: "\n").count > 150)
    }
}
