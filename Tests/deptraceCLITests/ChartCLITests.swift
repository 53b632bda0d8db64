import Foundation
import Testing
import _DepTraceTestSupport

/// `deptrace chart` as a user runs it: the output names it accepts, its
/// sizes, and the grouping it uses by default (issue 22, issue 27).
@Suite struct ChartCLITests {
    /// rsvg-convert's path, when installed.
    static var rsvgConvert: String? {
        ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"].map { $0 + "/rsvg-convert" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(arguments: ["x.png", "x.jpg", "chart", "x.svg.txt"])
    func refusesAnOutputThatIsNotSVG(_ name: String) throws {
        try withTemporaryDirectory { directory in
            let output = directory.appendingPathComponent(name).path
            let result = try deptrace("chart", "timeline", "\(repositoryRoot.path)/Traces/vanilla.dtrace.jsonl", "-o", output)
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("rsvg-convert"), "\(result.stderr)")
            #expect(result.stderr.contains(".svg"))
            #expect(!FileManager.default.fileExists(atPath: output), "nothing is written under a name that lies about its format")
        }
    }

    @Test(.enabled(if: rsvgConvert != nil, "rsvg-convert is not installed (Debian: librsvg2-bin)"))
    func writesPDFThroughRsvgConvert() throws {
        try withTemporaryDirectory { directory in
            let output = directory.appendingPathComponent("x.pdf").path
            let result = try deptrace("chart", "dep", "\(repositoryRoot.path)/Traces/simulated", "--width", "6.5in", "--height", "3.5in", "-o", output)
            #expect(result.status == 0, "\(result.stderr)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
            #expect(bytes.starts(with: Array("%PDF".utf8)))
        }
    }

    @Test func pdfWithoutRsvgConvertIsAClearError() throws {
        try withTemporaryDirectory { directory in
            let output = directory.appendingPathComponent("x.pdf").path
            // A PATH with no rsvg-convert; the usual folders are looked in too, so this holds only where it is not installed there.
            guard Self.rsvgConvert == nil else { return }
            let result = try runDepTrace(["chart", "dep", "\(repositoryRoot.path)/Traces/simulated", "-o", output], environment: ["PATH": directory.path])
            #expect(result.status == 2)
            #expect(result.stderr.contains("rsvg-convert, which is not installed"))
        }
    }

    @Test(arguments: [("6.5in", "624"), ("800px", "800"), ("1000", "1000"), ("3in", "288")])
    func sizesAreInPixelsOrInches(_ given: String, _ pixels: String) throws {
        try withTemporaryDirectory { directory in
            let output = directory.appendingPathComponent("x.svg").path
            let result = try deptrace("chart", "timeline", "\(repositoryRoot.path)/Traces/vanilla.dtrace.jsonl", "--width", given, "-o", output)
            #expect(result.status == 0, "\(result.stderr)")
            let svg = try String(contentsOfFile: output, encoding: .utf8)
            #expect(svg.contains("width=\"\(pixels)\""), "\(given)")
        }
    }

    @Test(arguments: ["1in", "5000", "12cm", "wide", "-3in"])
    func refusesSizesOutOfRangeOrWithoutAUnitItKnows(_ given: String) throws {
        let result = try deptrace("chart", "timeline", "Traces/vanilla.dtrace.jsonl", "--width", given, "-o", "/dev/null")
        #expect(result.status == 2, "\(given): \(result.stderr)")
        #expect(result.stderr.contains("--width"))
    }

    @Test func histGroupsByMethodByDefaultAsDepAndParetoDo() throws {
        try withTemporaryDirectory { directory in
            let csv = directory.appendingPathComponent("x.csv").path
            let result = try deptrace("chart", "hist", "\(repositoryRoot.path)/Traces/simulated", "-o", directory.appendingPathComponent("x.svg").path, "--csv", csv)
            #expect(result.status == 0, "\(result.stderr)")
            let groups = Set(try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] })
            #expect(groups == ["anllm", "h2o", "lightthinker-thought", "lightthinker-token", "sepllm", "vanilla", "window"])
            let all = try deptrace("chart", "hist", "\(repositoryRoot.path)/Traces/simulated", "--ungrouped", "-o", directory.appendingPathComponent("y.svg").path, "--csv", csv)
            #expect(all.status == 0, "\(all.stderr)")
            let one = Set(try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] })
            #expect(one == ["all traces"])
        }
    }

    @Test func groupsComeBaselineFirstThenByName() throws {
        try withTemporaryDirectory { directory in
            let csv = directory.appendingPathComponent("x.csv").path
            let result = try deptrace("chart", "dep", "\(repositoryRoot.path)/Traces/simulated", "-o", directory.appendingPathComponent("x.svg").path, "--csv", csv)
            #expect(result.status == 0, "\(result.stderr)")
            let order = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
            #expect(order == ["vanilla", "anllm", "h2o", "lightthinker-thought", "lightthinker-token", "sepllm", "window"])
            let chosen = try deptrace("chart", "dep", "\(repositoryRoot.path)/Traces/simulated", "--baseline-group", "window", "-o", directory.appendingPathComponent("y.svg").path, "--csv", csv)
            #expect(chosen.status == 0)
            #expect(try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().first?.hasPrefix("window,") == true)
        }
    }

    @Test func paretoTakesAccuracyAndTheMeanFromTheSameTracesAndShowsTheCounts() throws {
        try withTemporaryDirectory { directory in
            let svg = directory.appendingPathComponent("x.svg").path
            let result = try deptrace(["chart", "pareto"] + handMadeTraces.map { "\(repositoryRoot.path)/\($0)" } + ["-o", svg])
            #expect(result.status == 0, "\(result.stderr)")
            let text = try String(contentsOfFile: svg, encoding: .utf8)
            #expect(text.contains("vanilla, 1 of 1 traces judged: accuracy 100.00%, mean Dep 45"))
            #expect(text.contains("accuracy and mean over the same, judged traces"))
        }
    }

    /// Every example of `chart --help` runs on the shipped traces and writes its chart.
    @Test func helpExamplesRun() throws {
        let help = try deptrace("chart", "--help")
        let examples = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("deptrace chart ") }
        #expect(examples.count >= 5)
        try withTemporaryDirectory { directory in
            // The examples name Traces/... and write beside it: a folder of their own with a link to the traces.
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("Traces"), withDestinationURL: repositoryRoot.appendingPathComponent("Traces"))
            for example in examples {
                let words = example.split(separator: " ").dropFirst().map(String.init)
                let result = try runDepTrace(words, currentDirectory: directory)
                #expect(result.status == 0, "\(example): \(result.stderr)")
                if let index = words.firstIndex(of: "-o"), index + 1 < words.count {
                    let output = words[index + 1]
                    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(output).path), "\(example)")
                }
            }
        }
    }
}

/// Partial traces (no end record) stay out of chart groups unless asked for, and are named (issue 22).
@Suite struct ChartCLIPartialTraceTests {
    @Test(arguments: [["dep"], ["hist"], ["hist", "--per-event"]])
    func partialTracesAreLeftOutOfGroupsAndNamed(_ kind: [String]) throws {
        try withTemporaryDirectory { directory in
            let lines = try sampleTrace("h2o-two-heads").split(separator: "\n")
            let partial = directory.appendingPathComponent("partial.dtrace.jsonl")
            // The same trace without its end record: a recording that crashed.
            try (lines.filter { !$0.contains("\"end\"") }.joined(separator: "\n") + "\n").write(to: partial, atomically: true, encoding: .utf8)
            let whole = repositoryRoot.appendingPathComponent("Traces/h2o-two-heads.dtrace.jsonl").path
            let csv = directory.appendingPathComponent("x.csv").path
            let svg = directory.appendingPathComponent("x.svg").path
            let left = try runDepTrace(["chart"] + kind + [whole, partial.path, "-o", svg, "--csv", csv])
            #expect(left.status == 0, "\(left.stderr)")
            #expect(left.stderr.contains("1 partial trace left out"), "\(left.stderr)")
            let leftText = try String(contentsOfFile: csv, encoding: .utf8)
            let all = try runDepTrace(["chart"] + kind + [whole, partial.path, "--include-incomplete", "-o", svg, "--csv", csv])
            #expect(all.status == 0, "\(all.stderr)")
            #expect(!all.stderr.contains("left out"))
            let allText = try String(contentsOfFile: csv, encoding: .utf8)
            #expect(leftText != allText, "the partial trace changes the groups only when included")
            if kind == ["dep"] {
                #expect(leftText.contains("h2o,1,") && allText.contains("h2o,2,"), "\(leftText)\n\(allText)")
            }
        }
    }
}
