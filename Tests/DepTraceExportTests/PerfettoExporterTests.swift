import DepTrace
import DepTraceExport
import Foundation
import Testing
import _DepTraceTestSupport

@Suite("Perfetto export")
struct PerfettoExporterTests {
    /// The JSON text of exporting `inputs`, and the diagnostics.
    func export(_ inputs: [TraceInput], stream: Int? = nil) -> (text: String, diagnostics: [Diagnostic], processes: Int) {
        var text = ""
        let exporter = PerfettoExporter(stream: stream, options: AnalysisOptions()) { text += $0 }
        var diagnostics: [Diagnostic] = []
        for input in inputs { diagnostics += exporter.add(input) }
        exporter.finish(version: "9.9.9")
        return (text, diagnostics, exporter.processes)
    }

    /// The trace events, parsed.
    func events(_ text: String) throws -> [[String: Any]] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["displayTimeUnit"] as? String == "ms")
        #expect((document["otherData"] as? [String: Any])?["deptrace_version"] as? String == "9.9.9")
        return try #require(document["traceEvents"] as? [[String: Any]])
    }

    /// The timeline rows of trace `index` of `input`, from the engine.
    func rows(_ input: TraceInput, trace index: Int = 0, stream: Int? = nil) -> [TimelineRow] {
        var rows: [TimelineRow] = []
        var builder = TimelineBuilder(traceIndex: index, stream: stream) { rows.append($0) }
        _ = InputAnalyzer.analyze(input, options: AnalysisOptions(), observer: &builder)
        return rows
    }

    func number(_ value: MetricValue) -> Double? { value.doubleValue }

    /// Checks the events of process `pid` against the timeline rows of its trace.
    func check(_ events: [[String: Any]], pid: Int, against rows: [TimelineRow]) throws {
        let mine = events.filter { $0["pid"] as? Int == pid }
        func counter(_ name: String, _ key: String) -> [Int: Double] {
            var values: [Int: Double] = [:]
            for event in mine where event["ph"] as? String == "C" && event["name"] as? String == name {
                guard let ts = event["ts"] as? Int, let args = event["args"] as? [String: Any], let value = args[key] as? Double else { continue }
                #expect(values[ts] == nil, "two \(name) values at \(ts)")
                values[ts] = value
            }
            return values
        }
        let visible = counter("visible", "tokens"), resident = counter("resident", "tokens"), dep = counter("Dep", "cumulative")
        #expect(visible.count == rows.count + 1 && resident.count == rows.count && dep.count == rows.count + 1)
        #expect(visible[0] == rows.first.flatMap { number($0.visibleBefore) })
        #expect(dep[0] == 0)
        for row in rows {
            #expect(visible[row.step + 1] == number(row.visibleAfter), "visible after step \(row.step)")
            #expect(resident[row.step + 1] == number(row.residentAfter), "resident after step \(row.step)")
            #expect(dep[row.step + 1] == number(row.dep), "Dep after step \(row.step)")
        }
        let slices = mine.filter { $0["ph"] as? String == "X" }
        #expect(slices.map { $0["ts"] as? Int } == rows.map(\.step))
        #expect(slices.map { $0["name"] as? String } == rows.map(\.phase.description))
        #expect(slices.allSatisfy { $0["dur"] as? Int == 1 && $0["tid"] as? Int == 1 })
        let instants = mine.filter { $0["ph"] as? String == "i" }
        #expect(instants.filter { $0["cat"] as? String == "compress" }.map { $0["ts"] as? Int } == rows.filter { $0.phase == .compress }.map(\.step))
        #expect(instants.filter { $0["cat"] as? String == "mark" }.map { $0["name"] as? String } == rows.flatMap(\.marks))
        let names = mine.filter { $0["ph"] as? String == "M" && $0["name"] as? String == "process_name" }
        #expect(names.count == 1)
    }

    @Test("counters, slices and instants are the timeline of every hand-made trace")
    func handMade() throws {
        let all = try inputs(handMadeTraces)
        let (text, diagnostics, processes) = export(all)
        #expect(diagnostics.isEmpty)
        #expect(processes == 4)
        let parsed = try events(text)
        #expect(Set(parsed.compactMap { $0["ph"] as? String }) == ["M", "X", "C", "i"])
        for (offset, input) in all.enumerated() {
            let expected = rows(input)
            #expect(!expected.isEmpty)
            try check(parsed, pid: offset + 1, against: expected)
        }
        // The hand-made LightThinker trace compresses twice and marks both.
        let lightthinker = parsed.filter { $0["pid"] as? Int == 2 && $0["ph"] as? String == "i" }
        #expect(lightthinker.count == 4)
    }

    @Test("one stream's values with a stream given; an out-of-range stream is reported and left out")
    func stream() throws {
        let h2o = try inputs(["Traces/h2o-two-heads.dtrace.jsonl"])
        let (text, diagnostics, _) = export(h2o, stream: 1)
        #expect(diagnostics.isEmpty)
        let expected = rows(h2o[0], stream: 1)
        try check(try events(text), pid: 1, against: expected)
        #expect(expected != rows(h2o[0]), "stream 1 and the mean should differ in this trace")
        #expect(text.contains("\"values\":\"stream 1\""))
        let vanilla = try inputs(["Traces/vanilla.dtrace.jsonl"])
        let (other, problems, processes) = export(vanilla, stream: 1)
        #expect(processes == 0)
        #expect(problems.count == 1 && problems[0].message.contains("--stream 1 is out of range"))
        #expect(try events(other).isEmpty)
    }

    @Test("every trace of a file is a process; a broken trace is named so, with what was read before the break")
    func severalAndBroken() throws {
        let simulated = try inputs(["Traces/simulated/lightthinker-thought.dtrace"])
        let (text, _, processes) = export(simulated)
        #expect(processes == 40)
        let parsed = try events(text)
        for index in [0, 17, 39] { try check(parsed, pid: index + 1, against: rows(simulated[0], trace: index)) }
        let broken = """
            {"deptrace":1,"method":"m","sample":"s"}
            {"step":"prefill","q":[0,4]}
            {"step":"decode","q":[4,1]}
            {"evict":[[9,10]]}
            {"end":{}}

            """
        let (input, folder) = try temporaryTraceFile(broken)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (brokenText, diagnostics, _) = export([input])
        #expect(diagnostics.contains { $0.severity == .error })
        let names = try events(brokenText).filter { $0["name"] as? String == "process_name" }
        let name = try #require((names.first?["args"] as? [String: Any])?["name"] as? String)
        #expect(name.hasPrefix("m sample s ("))
        #expect(name.hasSuffix("[invalid: read up to the broken rule]"))
    }

    @Test("the export of the hand-made LightThinker trace, byte for byte")
    func golden() throws {
        let bytes = try Data(contentsOf: repositoryRoot.appendingPathComponent("Traces/lightthinker.dtrace.jsonl"))
        var text = ""
        let exporter = PerfettoExporter(stream: nil, options: AnalysisOptions()) { text += $0 }
        // Named as the repository names it, so the process name is the same everywhere.
        #expect(exporter.add(MemoryByteSource(Array(bytes)), name: "Traces/lightthinker.dtrace.jsonl").isEmpty)
        exporter.finish(version: "9.9.9")
        assertGolden(text, named: "lightthinker.perfetto.json")
    }
}
