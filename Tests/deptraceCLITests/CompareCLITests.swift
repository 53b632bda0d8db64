import Foundation
import Testing
import _DepTraceTestSupport

/// One trace with dep and peak equal to `dep`, as JSONL.
private func trace(_ method: String, _ sample: Int, dep: Int, dataset: String = "gsm8k", correct: Bool = true) -> String {
    "{\"deptrace\":1,\"method\":\"\(method)\",\"dataset\":\"\(dataset)\",\"sample\":\"\(sample)\",\"layers\":1,\"heads\":1}\n"
        + "{\"step\":\"prefill\",\"q\":[0,\(dep - 1)]}\n{\"step\":\"decode\",\"q\":[\(dep - 1),1]}\n{\"end\":{\"correct\":\(correct)}}\n"
}

/// Writes a baseline (dep 2k), a method at half of it, and the method's previous run.
private func writeRuns(in directory: URL) throws {
    var vanilla = "", method = "", previous = ""
    for k in 2...11 {
        vanilla += trace("vanilla", k, dep: 2 * k)
        method += trace("light_thinker", k, dep: k, correct: k % 3 != 0)
        previous += trace("light_thinker", k, dep: k)
    }
    vanilla += trace("vanilla", 50, dep: 9)
    method += trace("light_thinker", 60, dep: 9)
    try vanilla.write(to: directory.appendingPathComponent("vanilla.dtrace.jsonl"), atomically: true, encoding: .utf8)
    try method.write(to: directory.appendingPathComponent("method.dtrace.jsonl"), atomically: true, encoding: .utf8)
    try previous.write(to: directory.appendingPathComponent("previous.dtrace.jsonl"), atomically: true, encoding: .utf8)
    // A regression: every trace 50% more Dep than the previous run.
    let regressed = (2...11).map { trace("light_thinker", $0, dep: $0 * 3 / 2 + 1) }.joined()
    try regressed.write(to: directory.appendingPathComponent("regressed.dtrace.jsonl"), atomically: true, encoding: .utf8)
}

@Suite("deptrace compare, check, audit")
struct CompareCLITests {
    @Test("compare --format json: the issue's keys, ratio 2 in its interval, unpaired ids, same output for a seed")
    func compareJSON() throws {
        try withTemporaryDirectory { directory in
            try writeRuns(in: directory)
            let result = try deptrace("compare", "--baseline", "vanilla.dtrace.jsonl", "method.dtrace.jsonl", "--format", "json", "--seed", "4", "--resamples", "1000", in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(array.count == 1)
            let object = array[0]
            #expect(Set(object.keys) == ["method", "baseline", "paired", "unpaired_method", "unpaired_baseline", "ratio", "ratio_lo", "ratio_hi",
                                         "geo_ratio", "geo_ratio_lo", "geo_ratio_hi", "peak_ratio", "peak_ratio_lo", "peak_ratio_hi",
                                         "resident_peak_ratio", "resident_peak_ratio_lo", "resident_peak_ratio_hi",
                                         "kv_bytes_ratio", "kv_bytes_ratio_lo", "kv_bytes_ratio_hi",
                                         "accuracy", "baseline_accuracy", "self_ratio"])
            #expect(object["ratio"] as? Double == 2)
            #expect((object["ratio_lo"] as? Double ?? 3) <= 2 && (object["ratio_hi"] as? Double ?? 0) >= 2)
            #expect(object["unpaired_method"] as? [String] == ["60"])
            #expect(object["unpaired_baseline"] as? [String] == ["50"])
            #expect((object["paired"] as? [String])?.count == 10)
            let again = try deptrace("compare", "--baseline", "vanilla.dtrace.jsonl", "method.dtrace.jsonl", "--format", "json", "--seed", "4", "--resamples", "1000", in: directory)
            #expect(again.stdout == result.stdout)
            let table = try deptrace("compare", "--baseline", "vanilla.dtrace.jsonl", "method.dtrace.jsonl", "--resamples", "100", in: directory)
            #expect(table.stdout.contains("unpaired in light_thinker (not in the baseline): 60"), "\(table.stdout)")
            #expect(table.stdout.contains("unpaired in the baseline vanilla (not in light_thinker): 50"))
        }
    }

    @Test("compare and stats --format latex are pinned by golden files, names escaped")
    func latexGolden() throws {
        try withTemporaryDirectory { directory in
            try writeRuns(in: directory)
            let compare = try deptrace("compare", "--baseline", "vanilla.dtrace.jsonl", "method.dtrace.jsonl", "--format", "latex", "--resamples", "200", "--highlight", in: directory)
            #expect(compare.status == 0, "\(compare.stderr)")
            assertGolden(compare.stdout, named: "compare-latex.tex")
            #expect(compare.stdout.contains("light\\_thinker"))
            let stats = try deptrace("stats", "vanilla.dtrace.jsonl", "method.dtrace.jsonl", "--group-by", "method,dataset", "--format", "latex", "--highlight", in: directory)
            #expect(stats.status == 0, "\(stats.stderr)")
            assertGolden(stats.stdout, named: "stats-latex.tex")
            let markdown = try deptrace("stats", "vanilla.dtrace.jsonl", "method.dtrace.jsonl", "--group-by", "method,dataset", "--format", "markdown", "--highlight", in: directory)
            assertGolden(markdown.stdout, named: "stats-markdown.md")
        }
    }

    /// pdflatex, when Debian's texlive packages (or another TeX) put it on a usual path.
    static let pdflatex = ["/usr/bin/pdflatex", "/usr/local/bin/pdflatex", "/Library/TeX/texbin/pdflatex"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    // Skipped, and reported as skipped with this reason, when pdflatex is missing.
    @Test("the LaTeX tables compile with pdflatex", .enabled(if: pdflatex != nil, "pdflatex is not installed (Debian: texlive-latex-base); the golden files still pin the LaTeX"))
    func latexCompiles() throws {
        let pdflatex = try #require(Self.pdflatex)
        try withTemporaryDirectory { directory in
            try writeRuns(in: directory)
            let compare = try deptrace("compare", "--baseline", "vanilla.dtrace.jsonl", "method.dtrace.jsonl", "--format", "latex", "--resamples", "200", "--highlight", in: directory)
            let stats = try deptrace("stats", "vanilla.dtrace.jsonl", "method.dtrace.jsonl", "--group-by", "method,dataset", "--format", "latex", "--highlight", in: directory)
            let document = "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n" + compare.stdout + stats.stdout + "\\end{document}\n"
            try document.write(to: directory.appendingPathComponent("tables.tex"), atomically: true, encoding: .utf8)
            let result = try runProcess(URL(fileURLWithPath: pdflatex), ["-interaction=nonstopmode", "-halt-on-error", "tables.tex"], currentDirectory: directory)
            #expect(result.status == 0, "\(result.stdout)")
        }
    }

    @Test("check exits 0 when limits hold and 1 on a seeded regression; JUnit and Markdown are written")
    func check() throws {
        try withTemporaryDirectory { directory in
            try writeRuns(in: directory)
            let pass = try deptrace("check", "method.dtrace.jsonl", "--max-peak", "20", "--min-ratio", "1.5", "--baseline", "vanilla.dtrace.jsonl",
                                    "--max-regression", "5", "--previous", "previous.dtrace.jsonl", "--junit", "pass.xml", "--markdown", "pass.md", in: directory)
            #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
            #expect(pass.stdout.hasPrefix("PASSED"))
            let fail = try deptrace("check", "regressed.dtrace.jsonl", "--max-regression", "5", "--previous", "previous.dtrace.jsonl",
                                    "--junit", "fail.xml", "--markdown", "fail.md", in: directory)
            #expect(fail.status == 1)
            #expect(fail.stdout.contains("FAIL method=light_thinker: dep regression"), "\(fail.stdout)")
            let xml = try String(contentsOf: directory.appendingPathComponent("fail.xml"), encoding: .utf8)
            #expect(xml.contains("<testsuites") && xml.contains("<testsuite ") && xml.contains("<testcase ") && xml.contains("<failure "))
            let markdown = try String(contentsOf: directory.appendingPathComponent("fail.md"), encoding: .utf8)
            #expect(markdown.hasPrefix("## deptrace check: ❌ failed"))
            let peak = try deptrace("check", "method.dtrace.jsonl", "--max-peak", "10", in: directory)
            #expect(peak.status == 1)
            let usage = try deptrace("check", "method.dtrace.jsonl", "--min-ratio", "2", in: directory)
            #expect(usage.status == 2 && usage.stderr.contains("'--baseline'"))
        }
    }

    @Test("audit of a simulated H2O run with budget 1024 against a claim of peak 1000 fails at the first offending step")
    func audit() throws {
        try withTemporaryDirectory { directory in
            let simulate = try deptrace("simulate", "h2o", "--budget", "1024", "--prompt-tokens", "100", "--output-tokens", "1500", "--samples", "2", "--seed", "3", "-o", "h2o.dtrace.jsonl", in: directory)
            #expect(simulate.status == 0, "\(simulate.stderr)")
            try "method,dataset,metric,value,tolerance\nh2o,,peak,1000,0\n".write(to: directory.appendingPathComponent("claims.csv"), atomically: true, encoding: .utf8)
            let result = try deptrace("audit", "h2o.dtrace.jsonl", "--budget", "1024", "--claims", "claims.csv", in: directory)
            #expect(result.status == 1)
            #expect(result.stdout.contains("h2o     (average)  peak        1024     1000         +24          0  FAIL"), "\(result.stdout)")
            #expect(result.stdout.contains("h2o peak claim 1000 broken first in h2o.dtrace.jsonl: trace 0 (sample \"0\") at step 901 (record 901, decode, ids 1000..<1001): stream 0 attends to 1000 visible + 1 new = 1001 tokens"), "\(result.stdout)")
            let json = "[{\"method\":\"h2o\",\"dataset\":\"simulated\",\"metric\":\"peak\",\"value\":1024,\"tolerance\":0}]"
            try json.write(to: directory.appendingPathComponent("claims.json"), atomically: true, encoding: .utf8)
            let pass = try deptrace("audit", "h2o.dtrace.jsonl", "--budget", "1024", "--claims", "claims.json", in: directory)
            #expect(pass.status == 0, "\(pass.stdout)")
            let tight = try deptrace("audit", "h2o.dtrace.jsonl", "--budget", "1023", in: directory)
            #expect(tight.status == 1)
            #expect(tight.stdout.contains("S + 1 = 1024"), "\(tight.stdout)")
        }
    }
}
