import DepTrace
import DepTraceCharts
@testable import DepTraceExport
import DepTraceReports
import Foundation
import Testing
import _DepTraceTestSupport

@Suite("notebook export")
struct NotebookExporterTests {
    @Test("traces.csv and groups.csv are what deptrace stats prints, byte for byte")
    func tables() throws {
        let traces = try studyTraces(handMadeTraces + ["Traces/simulated/h2o.dtrace"])
        let outcomes = traces.map(\.outcome)
        let files = try NotebookExporter.export(traces, baseline: nil, options: exportOptions(handMadeTraces))
        var report = StatsReport(format: .csv)
        var expected = report.begin()
        for outcome in outcomes where outcome.isAnalysed { expected += report.add(outcome) }
        #expect(try file("traces.csv", in: files) == expected)
        let groups = GroupReport.render(GroupSummary.group(outcomes, by: ["method"]), keys: ["method"], format: .csv)
        #expect(try file("groups.csv", in: files) == groups)
        #expect(files.first { $0.name == "compare.csv" } == nil)
    }

    @Test("grouping keys that are not stats columns are added to traces.csv")
    func extraKeys() throws {
        let text = """
            {"deptrace":1,"method":"a","sample":"1","run":"first, of two"}
            {"step":"prefill","q":[0,3]}
            {"step":"decode","q":[3,1]}
            {"end":{}}
            {"deptrace":1,"method":"a","sample":"2"}
            {"step":"prefill","q":[0,2]}
            {"end":{}}

            """
        let (input, folder) = try temporaryTraceFile(text)
        defer { try? FileManager.default.removeItem(at: folder) }
        let traces = StudyAnalyzer.analyze([input], options: AnalysisOptions(), points: 10).flatMap(\.traces)
        let files = try NotebookExporter.export(traces, baseline: nil, options: exportOptions(["x"], groupBy: ["method", "run"]))
        let lines = try file("traces.csv", in: files).split(separator: "\n")
        #expect(lines[0].hasSuffix(",streams,run"))
        #expect(lines[1].hasSuffix(",1,\"first, of two\""))
        #expect(lines[2].hasSuffix(",1,"))
        let groups = try file("groups.csv", in: files).split(separator: "\n")
        #expect(groups[0].hasPrefix("method,run,count,"))
        #expect(groups[1].hasPrefix("a,\"first, of two\",1,"))
        #expect(groups[2].hasPrefix("a,,1,"))
        let setup = try cells(try notebookJSON(files)).first { $0["id"] as? String == "setup" }
        let source = joined(setup?["source"])
        #expect(source.contains("KEYS = [\"method\", \"run\"]"))
    }

    @Test("every trace's largest timeline value is exact: peak_kv / streams", arguments: [4, 16, 200])
    func exactPeaks(points: Int) throws {
        let traces = try studyTraces(handMadeTraces + ["Traces/simulated"], points: points)
        let text = try file("timelines.csv", in: try NotebookExporter.export(traces, baseline: nil, options: exportOptions(["Traces/"])))
        var largest: [String: Double] = [:]
        var count: [String: Int] = [:]
        var lastStep: [String: Int] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let key = String(fields[0]) + "#" + String(fields[1])
            let step = try #require(Int(fields[2])), tokens = try #require(Double(fields[3]))
            #expect(step > (lastStep[key] ?? -1), "steps of \(key) are not increasing")
            lastStep[key] = step
            largest[key] = max(largest[key] ?? 0, tokens)
            count[key, default: 0] += 1
        }
        #expect(largest.count == traces.count)
        for trace in traces {
            let metrics = try #require(trace.outcome.metrics)
            let key = trace.outcome.file + "#" + String(trace.outcome.index)
            #expect(largest[key] == Double(metrics.peakKV) / Double(metrics.streams), "\(key)")
            #expect((count[key] ?? 0) <= max(points, 2))
            #expect(lastStep[key] == metrics.steps - 1 || (count[key] ?? 0) > 0)
        }
    }

    @Test("the timeline overlay draws each group's trace of median Dep, the lower of two middle ones")
    func medianTraces() throws {
        func trace(_ method: String, _ sample: Int, decodes: Int) -> String {
            var lines = ["{\"deptrace\":1,\"method\":\"\(method)\",\"sample\":\"\(sample)\"}", "{\"step\":\"prefill\",\"q\":[0,2]}"]
            for index in 0..<decodes { lines.append("{\"step\":\"decode\",\"q\":[\(2 + index),1]}") }
            return (lines + ["{\"end\":{}}"]).joined(separator: "\n") + "\n"
        }
        // Group a: Deps of 1, 3 and 2 decodes: the middle one is sample 3. Group b: samples 4 and 5
        // tie for the least Dep, so in Dep order b is 4, 5, 2, 6 and the lower middle one is 5.
        let text = trace("a", 0, decodes: 1) + trace("a", 1, decodes: 3) + trace("b", 2, decodes: 5) + trace("a", 3, decodes: 2)
            + trace("b", 4, decodes: 2) + trace("b", 5, decodes: 2) + trace("b", 6, decodes: 9)
        let (input, folder) = try temporaryTraceFile(text)
        defer { try? FileManager.default.removeItem(at: folder) }
        let traces = StudyAnalyzer.analyze([input], options: AnalysisOptions(), points: 10).flatMap(\.traces)
        let chosen = StudyCharts.medianTraces(traces, keys: ["method"])
        #expect(chosen.map(\.group) == ["a", "b"])
        #expect(chosen.map { $0.trace.outcome.header?.sample } == ["3", "5"])
    }

    @Test("the export of the hand-made traces: files, cells, outputs")
    func handMade() throws {
        let traces = try studyTraces(handMadeTraces)
        let baseline = try studyTraces(["Traces/vanilla.dtrace.jsonl"]).map(\.outcome)
        let files = try NotebookExporter.export(traces, baseline: baseline, options: exportOptions(handMadeTraces, baseline: ["Traces/vanilla.dtrace.jsonl"]))
        #expect(files.map(\.name) == ["traces.csv", "groups.csv", "timelines.csv", "compare.csv", "timeline.svg", "dep.svg", "peak.svg", "dep-cdf.svg", "peak-cdf.svg", "pareto.svg", "study.ipynb"])
        #expect(Set(files.map(\.name)).isSubset(of: NotebookExporter.fileNames))
        let notebook = try notebookJSON(files)
        #expect((notebook["metadata"] as? [String: Any]).flatMap { ($0["deptrace"] as? [String: Any])?["version"] as? String } == "9.9.9")
        let all = try cells(notebook)
        let ids = all.compactMap { $0["id"] as? String }
        #expect(Set(ids).count == ids.count, "cell ids repeat")
        #expect(ids.allSatisfy { !$0.isEmpty && $0.count <= 64 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
        // Every code cell but the setup has its output; tables as HTML, charts as the SVG files.
        for cell in all where cell["cell_type"] as? String == "code" && cell["id"] as? String != "setup" {
            let id = cell["id"] as? String ?? ""
            let outputs = try #require(cell["outputs"] as? [[String: Any]])
            #expect(outputs.count == 1, "\(id)")
            let data = try #require(outputs.first?["data"] as? [String: Any])
            let source = joined(cell["source"])
            #expect(!source.contains("deptrace "), "\(id): code must read the CSV files, not run deptrace")
            if id.hasSuffix("-table") {
                #expect(joined(data["text/html"]).contains("<table"), "\(id)")
                #expect(source.contains("read(\"") || source.contains("traces["), "\(id)")
            } else {
                let name = String(id.dropLast("-chart".count)) + ".svg"
                var svg = try file(name, in: files)
                let start = try #require(svg.range(of: "<svg"))
                svg = String(svg[start.lowerBound...])
                #expect(joined(data["image/svg+xml"]) == svg, "\(id): the saved output is not \(name)")
                #expect(source.contains("plt.show()") || source.hasPrefix("mean_bars(") || source.hasPrefix("distribution("), "\(id)")
            }
        }
        let intro = joined(all.first?["source"])
        #expect(intro.contains("4 traces from 4 files"))
        #expect(intro.contains("DepTrace 9.9.9"))
        #expect(intro.contains("`--stamp` adds one"))
        // The compare table shows the ratios deptrace compare computes for the same runs.
        let compareTable = try #require(all.first { $0["id"] as? String == "compare-table" })
        #expect(joined(compareTable["source"]).contains("read(\"compare.csv\")"))
        let compare = try file("compare.csv", in: files)
        #expect(compare.hasPrefix("method,baseline,paired,"))
        #expect(compare.contains("\nh2o,vanilla,0,,,1.6666666666666667,"))
        // The baseline's own trace is not a method run compared with itself.
        #expect(!compare.contains("\nvanilla,vanilla,"))
    }

    @Test("the same traces give the same bytes; a stamp is printed only when given")
    func deterministic() throws {
        let first = try NotebookExporter.export(try studyTraces(handMadeTraces), baseline: nil, options: exportOptions(handMadeTraces))
        let second = try NotebookExporter.export(try studyTraces(handMadeTraces), baseline: nil, options: exportOptions(handMadeTraces))
        #expect(first == second)
        var options = exportOptions(handMadeTraces)
        options.stamp = "2030-01-02T03:04:05Z"
        let stamped = try NotebookExporter.export(try studyTraces(handMadeTraces), baseline: nil, options: options)
        #expect(try file("study.ipynb", in: stamped).contains("on 2030-01-02T03:04:05Z."))
        #expect(try !file("study.ipynb", in: first).contains("2030"))
        #expect(try file("traces.csv", in: stamped) == file("traces.csv", in: first))
    }

    @Test("titles and names from traces are escaped in markdown and HTML")
    func escaping() throws {
        let text = """
            {"deptrace":1,"method":"<script>a|b</script>","sample":"1"}
            {"step":"prefill","q":[0,3]}
            {"step":"decode","q":[3,1]}
            {"end":{"correct":true}}

            """
        let (input, folder) = try temporaryTraceFile(text)
        defer { try? FileManager.default.removeItem(at: folder) }
        let traces = StudyAnalyzer.analyze([input], options: AnalysisOptions(), points: 10).flatMap(\.traces)
        let files = try NotebookExporter.export(traces, baseline: nil, options: exportOptions(["x"], title: "Dep | *peak* <b>"))
        let notebook = try file("study.ipynb", in: files)
        #expect(notebook.contains("# Dep \\\\| \\\\*peak\\\\* &lt;b>"))
        // HTML and SVG outputs hold the name escaped; only text/plain holds it as it is.
        for cell in try cells(try notebookJSON(files)) {
            for output in cell["outputs"] as? [[String: Any]] ?? [] {
                let data = output["data"] as? [String: Any] ?? [:]
                for mime in ["text/html", "image/svg+xml"] {
                    #expect(!joined(data[mime]).contains("<script>"), "\(cell["id"] ?? ""): \(mime)")
                }
            }
        }
        #expect(notebook.contains("&lt;script&gt;a|b&lt;/script&gt;"))
    }

    @Test("an export with no analysed trace is an error naming the inputs")
    func empty() throws {
        let (input, folder) = try temporaryTraceFile("{\"deptrace\":1}\n{\"evict\":[[0,1]]}\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let traces = StudyAnalyzer.analyze([input], options: AnalysisOptions(), points: 10).flatMap(\.traces)
        #expect(traces.count == 1 && !traces[0].outcome.isAnalysed)
        let error = try #require(throws: ExportError.self) {
            try NotebookExporter.export(traces, baseline: nil, options: exportOptions(["broken/"]))
        }
        #expect(error.description.contains("broken/"))
    }

    @Test("writing a folder removes the stale files of an earlier export and keeps others")
    func folder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "old".write(to: folder.appendingPathComponent("pareto.svg"), atomically: true, encoding: .utf8)
        try "mine".write(to: folder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try ExportFolder.write([ExportFile(name: "traces.csv", bytes: Array("a\n".utf8))], to: folder.path, owned: NotebookExporter.fileNames)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("pareto.svg").path))
        #expect(try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8) == "mine")
        #expect(try String(contentsOf: folder.appendingPathComponent("traces.csv"), encoding: .utf8) == "a\n")
        let plain = folder.appendingPathComponent("README.md").path
        #expect(throws: ExportError.self) { try ExportFolder.write([], to: plain, owned: []) }
    }
}
