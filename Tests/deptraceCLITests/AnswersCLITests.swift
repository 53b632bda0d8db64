import Foundation
import Testing
import _DepTraceTestSupport

// Issue 22, "Answers that never mislead": one test per defect of stats, compare,
// check and audit, each failing on the code before the fix.

/// A one-stream trace whose decode step reads `dep` tokens (dep and peak both `dep`);
/// without its `end` record when `complete` is false.
private func trace(
    _ method: String, _ sample: Int, dep: Int, dataset: String = "gsm8k", correct: Bool = true, complete: Bool = true, extra: String = ""
) -> String {
    "{\"deptrace\":1,\"method\":\"\(method)\",\"dataset\":\"\(dataset)\",\"sample\":\"\(sample)\",\"layers\":1,\"heads\":1\(extra)}\n"
        + "{\"step\":\"prefill\",\"q\":[0,\(dep - 1)]}\n{\"step\":\"decode\",\"q\":[\(dep - 1),1]}\n"
        + (complete ? "{\"end\":{\"correct\":\(correct)}}\n" : "")
}

private func write(_ text: String, _ name: String, in directory: URL) throws {
    let url = directory.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
}

/// runs/vanilla/ (dep 2k for samples 1...3) and runs/h2o/ (dep k), the layout of the README's examples.
private func writeRunFolders(in directory: URL, h2oDataset: String = "gsm8k") throws {
    try write((1...3).map { trace("vanilla", $0, dep: 20 * $0) }.joined(), "runs/vanilla/run.dtrace.jsonl", in: directory)
    try write((1...3).map { trace("h2o", $0, dep: 10 * $0, dataset: h2oDataset) }.joined(), "runs/h2o/run.dtrace.jsonl", in: directory)
}

@Suite("issue 22: partial traces stay out of aggregates")
struct PartialTraceTests {
    /// Two complete traces (dep 10 and 30) and an incomplete one (dep 2) of one method.
    static func writeGroup(in directory: URL) throws {
        try write(trace("m", 1, dep: 10) + trace("m", 2, dep: 30) + trace("m", 3, dep: 2, complete: false), "m.dtrace.jsonl", in: directory)
    }

    @Test("stats --group-by averages complete traces only and names the one left out; --include-incomplete counts it")
    func groupStatistics() throws {
        try withTemporaryDirectory { directory in
            try Self.writeGroup(in: directory)
            let result = try deptrace("stats", "m.dtrace.jsonl", "--group-by", "method", "--format", "json", in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            let groups = try jsonObjects(result.stdout)
            #expect(groups.first?["count"] == .number(2))
            #expect(groups.first?["metrics"]?["dep"]?["mean"] == .number(20))
            #expect(result.stderr.contains("1 partial trace left out") && result.stderr.contains("m.dtrace.jsonl trace 2"), "\(result.stderr)")
            let all = try deptrace("stats", "m.dtrace.jsonl", "--group-by", "method", "--format", "json", "--include-incomplete", in: directory)
            #expect(try jsonObjects(all.stdout).first?["metrics"]?["dep"]?["mean"] == .number(14))
        }
    }

    @Test("per-trace stats keep every trace with a status column in table, CSV and JSON")
    func statusColumn() throws {
        try withTemporaryDirectory { directory in
            try Self.writeGroup(in: directory)
            let json = try jsonObjects(try deptrace("stats", "m.dtrace.jsonl", "--format", "json", in: directory).stdout)
            #expect(json.map { $0["status"] } == [.string("complete"), .string("complete"), .string("incomplete")])
            let csv = try deptrace("stats", "m.dtrace.jsonl", "--format", "csv", "--columns", "sample,status,dep", in: directory)
            #expect(csv.stdout == "sample,status,dep\n1,complete,10\n2,complete,30\n3,incomplete,2\n")
            let table = try deptrace("stats", "m.dtrace.jsonl", in: directory)
            #expect(lines(table.stdout).first?.hasSuffix("status") == true, "\(table.stdout)")
            #expect(table.stdout.contains("incomplete"))
            // A run of complete traces keeps the narrow table.
            let complete = try deptrace("stats", "Traces/vanilla.dtrace.jsonl")
            #expect(!complete.stdout.contains("status"))
        }
    }

    @Test("compare, check and audit claims leave the partial trace out")
    func comparisonsAndGates() throws {
        try withTemporaryDirectory { directory in
            try Self.writeGroup(in: directory)
            try write(trace("base", 1, dep: 20) + trace("base", 2, dep: 60) + trace("base", 3, dep: 40), "base.dtrace.jsonl", in: directory)
            let compare = try deptrace("compare", "--baseline", "base.dtrace.jsonl", "m.dtrace.jsonl", "--format", "json", "--resamples", "50", in: directory)
            #expect(compare.status == 0, "\(compare.stderr)")
            let row = try #require(try JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as? [[String: Any]]).first
            #expect((row?["paired"] as? [String]) == ["1", "2"])
            #expect(row?["ratio"] as? Double == 2)
            // The partial trace's dep 2 would fail a minimum of 5.
            let check = try deptrace("check", "m.dtrace.jsonl", "--min", "dep=5", in: directory)
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            let included = try deptrace("check", "m.dtrace.jsonl", "--min", "dep=5", "--include-incomplete", in: directory)
            #expect(included.status == 1)
            try "method,dataset,metric,value,tolerance\nm,,dep,20,0\n".write(to: directory.appendingPathComponent("claims.csv"), atomically: true, encoding: .utf8)
            let audit = try deptrace("audit", "m.dtrace.jsonl", "--claims", "claims.csv", in: directory)
            #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
            #expect(audit.stderr.contains("left out"), "\(audit.stderr)")
        }
    }
}

@Suite("issue 22: memory held beside memory read")
struct MemoryHeldTests {
    static let full = "Traces/kvpress/full.dtrace.jsonl"
    static let adakv = "Traces/kvpress/adakv-snapkv.dtrace.jsonl"

    @Test("compare shows resident_peak_ratio 1.00 beside peak_ratio for AdaKV against the full cache")
    func residentRatio() throws {
        let result = try deptrace("compare", "--baseline", Self.full, Self.adakv, "--resamples", "100")
        #expect(result.status == 0, "\(result.stderr)")
        let rows = lines(result.stdout)
        let peak = try #require(rows.first { $0.hasPrefix("  peak_ratio") })
        let resident = try #require(rows.first { $0.hasPrefix("  resident_peak_ratio") })
        #expect(resident.split(separator: " ").dropFirst().first == "1.00", "\(result.stdout)")
        #expect(peak.split(separator: " ").dropFirst().first != "1.00", "\(result.stdout)")
        let json = try deptrace("compare", "--baseline", Self.full, Self.adakv, "--resamples", "100", "--format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]).first
        #expect(object?["resident_peak_ratio"] as? Double == 1)
    }

    @Test("check --max resident_peak=70 fails the AdaKV run that --max-peak 70 passes; bounds take byte sizes")
    func gateAnyMetric() throws {
        let peak = try deptrace("check", Self.adakv, "--max-peak", "70")
        #expect(peak.status == 0, "\(peak.stdout)")
        let resident = try deptrace("check", Self.adakv, "--max", "resident_peak=70")
        #expect(resident.status == 1, "\(resident.stdout)")
        #expect(resident.stdout.contains(": resident_peak: resident_peak "), "\(resident.stdout)")
        let bytes = try deptrace("check", Self.adakv, "--max", "kv_bytes_peak=1GiB", "--min", "steps=1")
        #expect(bytes.status == 0 || bytes.stdout.contains("kv_bytes_peak has no value"), "\(bytes.stdout)")
        let unknown = try deptrace("check", Self.adakv, "--max", "residentpeak=70")
        #expect(unknown.status == 2 && unknown.stderr.contains("'residentpeak' is not a numeric metric"), "\(unknown.stderr)")
        let noValue = try deptrace("check", Self.adakv, "--max", "peak=lots")
        #expect(noValue.status == 2 && noValue.stderr.contains("'lots' is not a number"), "\(noValue.stderr)")
    }

    @Test("the default stats table adds resident_peak where it differs from peak, and only there")
    func residentColumn() throws {
        let adakv = try deptrace("stats", Self.adakv)
        #expect(lines(adakv.stdout).first?.contains("resident_peak") == true, "\(adakv.stdout)")
        let vanilla = try deptrace("stats", "Traces/vanilla.dtrace.jsonl")
        #expect(lines(vanilla.stdout).first?.contains("resident_peak") == false, "\(vanilla.stdout)")
    }
}

@Suite("issue 22: tables are not cut in files and pipes")
struct TableWidthTests {
    @Test("a long method name and long paths print whole when standard output is a pipe, whatever COLUMNS says")
    func pipeKeepsEverything() throws {
        try withTemporaryDirectory { directory in
            let method = "AdaKVPress(SnapKVPress(compression_ratio=0.5,window_size=8))-with-a-very-long-name"
            try write(trace(method, 1, dep: 10), "a-rather-long-folder-name/another-long-folder/anchor-thought.dtrace.jsonl", in: directory)
            try write(trace(method, 1, dep: 10), "a-rather-long-folder-name/another-long-folder/anchor-token.dtrace.jsonl", in: directory)
            let result = try deptrace("stats", "a-rather-long-folder-name", in: directory, environment: ["COLUMNS": "40"])
            #expect(result.status == 0)
            #expect(result.stdout.contains(method), "\(result.stdout)")
            #expect(result.stdout.contains("anchor-thought") && result.stdout.contains("anchor-token"), "\(result.stdout)")
            #expect(!result.stdout.contains("…"))
        }
    }
}

extension TableWidthTests {
    /// script(1) from util-linux, which runs a command on a pseudo-terminal.
    static let script = ["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("on a terminal COLUMNS sets the width, and shortened values that differ still read differently",
          .enabled(if: script != nil, "script(1) is not installed (Debian: bsdutils)"))
    func terminalHonoursColumns() throws {
        let script = try #require(Self.script)
        try withTemporaryDirectory { directory in
            try write(trace("lightthinker-thought-with-a-long-name", 1, dep: 10) + trace("lightthinker-token-with-a-long-name", 2, dep: 12), "t.dtrace.jsonl", in: directory)
            let binary = productsDirectory.appendingPathComponent("deptrace").path
            func table(columns: String) throws -> [String] {
                let result = try runProcess(URL(fileURLWithPath: script), ["-qec", "'\(binary)' stats t.dtrace.jsonl --columns method,dep", "/dev/null"],
                                            currentDirectory: directory, environment: ["COLUMNS": columns])
                return result.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
            }
            let narrow = try table(columns: "20"), wide = try table(columns: "200")
            #expect(wide.contains { $0.hasPrefix("lightthinker-thought-with-a-long-name") }, "\(wide)")
            let methods = narrow.dropFirst().map { String($0.split(separator: " ").first ?? "") }
            #expect(methods.count == 2 && methods.allSatisfy { $0.hasSuffix("…") }, "\(narrow)")
            #expect(Set(methods).count == 2, "\(narrow)")
        }
    }
}

@Suite("issue 22: pairing")
struct PairingTests {
    @Test("compare --baseline runs/vanilla/ runs/ compares h2o only; check --min-ratio with the baseline inside passes")
    func baselineInsideRuns() throws {
        try withTemporaryDirectory { directory in
            try writeRunFolders(in: directory)
            let compare = try deptrace("compare", "--baseline", "runs/vanilla/", "runs/", "--format", "json", "--resamples", "50", in: directory)
            #expect(compare.status == 0, "\(compare.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as? [[String: Any]])
            #expect(rows.map { $0["method"] as? String } == ["h2o"])
            // The same folder by another spelling is still the baseline's.
            let spelled = try deptrace("compare", "--baseline", "./runs/vanilla", "runs", "--format", "json", "--resamples", "50", in: directory)
            #expect(spelled.stdout == compare.stdout)
            let check = try deptrace("check", "runs/", "--min-ratio", "1.5", "--baseline", "runs/vanilla/", in: directory)
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            #expect(!check.stdout.contains("vanilla vs"))
        }
    }

    @Test("nothing paired is an error naming the key that disagrees; --pair-by sample pairs on the sample alone")
    func nothingPaired() throws {
        try withTemporaryDirectory { directory in
            try writeRunFolders(in: directory, h2oDataset: "math")
            let result = try deptrace("compare", "--baseline", "runs/vanilla/", "runs/h2o/", "--resamples", "50", in: directory)
            #expect(result.status == 1)
            #expect(result.stderr.contains("dataset is \"math\" in h2o but \"gsm8k\" in the baseline"), "\(result.stderr)")
            #expect(!result.stdout.contains(" - "), "\(result.stdout)")
            let bySample = try deptrace("compare", "--baseline", "runs/vanilla/", "runs/h2o/", "--pair-by", "sample", "--resamples", "50", in: directory)
            #expect(bySample.status == 0, "\(bySample.stderr)")
            #expect(bySample.stdout.contains("h2o vs vanilla: 3 paired samples"), "\(bySample.stdout)")
            let alias = try deptrace("compare", "--baseline", "runs/vanilla/", "runs/h2o/", "--by", "sample", "--resamples", "50", in: directory)
            #expect(alias.stdout == bySample.stdout)
            let check = try deptrace("check", "runs/h2o/", "--min-ratio", "1.5", "--baseline", "runs/vanilla/", in: directory)
            #expect(check.status == 1 && check.stdout.contains("dataset: \"math\" here, \"gsm8k\" in the baseline"), "\(check.stdout)")
        }
    }

    @Test("a missing baseline or previous path stops the command with exit 2")
    func missingBaseline() throws {
        try withTemporaryDirectory { directory in
            try writeRunFolders(in: directory)
            let compare = try deptrace("compare", "--baseline", "runs/vanila/", "runs/h2o/", in: directory)
            #expect(compare.status == 2 && compare.stderr.contains("runs/vanila/"), "\(compare.stderr)")
            #expect(compare.stdout == "")
            let check = try deptrace("check", "runs/h2o/", "--min-ratio", "2", "--baseline", "runs/vanila/", in: directory)
            #expect(check.status == 2 && check.stderr.contains("runs/vanila/"))
            let previous = try deptrace("check", "runs/h2o/", "--max-regression", "2", "--previous", "old-runs/", in: directory)
            #expect(previous.status == 2 && previous.stderr.contains("old-runs/"))
        }
    }
}

@Suite("issue 22: unknown --group-by keys")
struct GroupKeyTests {
    @Test("a mistyped --group-by key is an error listing the keys the traces have", arguments: [
        ["stats", "Traces/", "--group-by", "modle"],
        ["compare", "--baseline", "Traces/vanilla.dtrace.jsonl", "Traces/h2o-two-heads.dtrace.jsonl", "--group-by", "modle"],
        ["check", "Traces/", "--max-peak", "100000", "--group-by", "modle"],
    ])
    func unknownKey(_ arguments: [String]) throws {
        let result = try deptrace(arguments)
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stderr.contains("'modle'") && result.stderr.contains("method, model"), "\(result.stderr)")
        #expect(!result.stdout.contains("modle=-"))
    }
}

@Suite("issue 22: check --markdown")
struct CheckMarkdownTests {
    @Test("--markdown lists the failures and one summary line; --verbose lists every check")
    func shortSummary() throws {
        try withTemporaryDirectory { directory in
            let result = try deptrace("check", "\(repositoryRoot.path)/Traces/simulated/", "--max-peak", "1024", "--markdown", "summary.md", in: directory)
            let markdown = try String(contentsOf: directory.appendingPathComponent("summary.md"), encoding: .utf8)
            #expect(!markdown.contains("| pass |"), "\(markdown)")
            #expect(lines(markdown).count < 40, "\(markdown)")
            #expect(markdown.contains(result.status == 0 ? "checks passed in" : "checks failed, in"), "\(markdown)")
            _ = try deptrace("check", "\(repositoryRoot.path)/Traces/simulated/", "--max-peak", "1024", "--markdown", "all.md", "--verbose", in: directory)
            let verbose = try String(contentsOf: directory.appendingPathComponent("all.md"), encoding: .utf8)
            #expect(verbose.contains("| pass |"))
        }
    }
}

@Suite("issue 22: simulate, formula and accuracy")
struct FlagAndFormatTests {
    @Test("simulate vanilla --output FILE writes the file; --prompt-tokens and --output-tokens set the lengths")
    func outputMeansFile() throws {
        try withTemporaryDirectory { directory in
            let result = try deptrace("simulate", "vanilla", "--prompt-tokens", "6", "--output-tokens", "5", "--output", "run.dtrace.jsonl", in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            let stats = try jsonObjects(try deptrace("stats", "run.dtrace.jsonl", "--format", "json", in: directory).stdout)
            #expect(stats.first?["dep"] == .number(45))
            let formula = try deptrace("formula", "normal", "--prompt-tokens", "6", "--output-tokens", "5", "--format", "json")
            #expect(formula.stdout.contains("\"dep\":45"), "\(formula.stdout)")
            let number = try deptrace("simulate", "vanilla", "--output", "2000", in: directory)
            #expect(number.status == 2 && number.stderr.contains("'--output-tokens 2000'"), "\(number.stderr)")
        }
    }

    @Test("accuracy reads as a percent with two decimals in every command and format")
    func accuracyFormat() throws {
        try withTemporaryDirectory { directory in
            // Two of three correct: 66.67%.
            try write(trace("m", 1, dep: 10) + trace("m", 2, dep: 10, correct: false) + trace("m", 3, dep: 10), "m.dtrace.jsonl", in: directory)
            try write(trace("b", 1, dep: 20) + trace("b", 2, dep: 20) + trace("b", 3, dep: 20), "b.dtrace.jsonl", in: directory)
            let stats = try deptrace("stats", "m.dtrace.jsonl", "--group-by", "method", in: directory)
            #expect(stats.stdout.contains("accuracy 66.67%"), "\(stats.stdout)")
            let compare = try deptrace("compare", "--baseline", "b.dtrace.jsonl", "m.dtrace.jsonl", "--resamples", "20", in: directory)
            #expect(compare.stdout.contains("66.67%") && compare.stdout.contains("100.00%"), "\(compare.stdout)")
            let json = try jsonObjects(try deptrace("stats", "m.dtrace.jsonl", "--group-by", "method", "--format", "json", in: directory).stdout)
            #expect(json.first?["accuracy"] == .number(66.67))
            let compareJSON = try deptrace("compare", "--baseline", "b.dtrace.jsonl", "m.dtrace.jsonl", "--resamples", "20", "--format", "json", in: directory)
            #expect(compareJSON.stdout.contains("\"accuracy\":66.67"), "\(compareJSON.stdout)")
        }
    }
}

@Suite("issue 22: docs/METRICS.md")
struct MetricsDocumentTests {
    @Test("docs/METRICS.md defines every column of stats --format csv and every ratio of compare --format json")
    func everyMetricDefined() throws {
        let document = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/METRICS.md"), encoding: .utf8)
        let header = try #require(lines(try deptrace("stats", "Traces/vanilla.dtrace.jsonl", "--format", "csv").stdout).first)
        for column in header.split(separator: ",") {
            #expect(document.contains("`\(column)`"), "docs/METRICS.md does not name `\(column)`")
        }
        for key in ["ratio", "geo_ratio", "peak_ratio", "resident_peak_ratio", "kv_bytes_ratio", "accuracy", "baseline_accuracy", "self_ratio"] {
            #expect(document.contains("`\(key)`"), "docs/METRICS.md does not name `\(key)`")
        }
        for topic in ["mean over its streams", "quantile", "bootstrap", "--include-incomplete"] {
            #expect(document.contains(topic), "docs/METRICS.md says nothing of \(topic)")
        }
    }

    @Test("every mention of METRICS.md in the documentation and the help points to docs/METRICS.md")
    func referencesPointThere() throws {
        let files = ["README.md", "Traces/README.md", "Recorders/python/README.md", "docs/READING.md", "docs/FORMAT.md", "docs/RELIABILITY.md"]
        for file in files {
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent(file), encoding: .utf8)
            // A line that names METRICS.md links or points to docs/METRICS.md (inside docs/, to METRICS.md).
            for line in text.split(separator: "\n") where line.contains("METRICS.md") {
                #expect(line.contains("docs/METRICS.md") || (file.hasPrefix("docs/") && line.contains("(METRICS.md)")),
                        "\(file): '\(line)' names METRICS.md without pointing to docs/METRICS.md")
            }
        }
        let help = try deptrace("stats", "--help")
        #expect(help.stdout.contains("docs/METRICS.md") && !help.stdout.contains(" METRICS.md"))
    }
}
