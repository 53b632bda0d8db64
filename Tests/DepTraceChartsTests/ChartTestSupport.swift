import DepTrace
import DepTraceCharts
import DepTraceXML
import Foundation
import Testing
import _DepTraceTestSupport

/// The repository root: Tests/DepTraceChartsTests/ChartTestSupport.swift is three levels below it.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let handMadeTraces = ["h2o-two-heads", "lightthinker", "recompute-add", "vanilla"].map { "Traces/\($0).dtrace.jsonl" }

/// One chart the golden and structure tests draw with the built `deptrace`.
struct ChartCase: CustomTestStringConvertible, Sendable {
    var name: String
    var arguments: [String]
    /// `g.series` elements the SVG must hold.
    var series: Int
    /// For timelines: the files whose trace 0 is drawn, in order.
    var timelineFiles: [String] = []
    var stream: Int? = nil
    var testDescription: String { name }
}

let chartCases: [ChartCase] = [
    ChartCase(name: "timeline-lightthinker", arguments: ["timeline", "Traces/lightthinker.dtrace.jsonl"], series: 1, timelineFiles: ["Traces/lightthinker.dtrace.jsonl"]),
    // recompute-add holds more than it attends to: its resident line is a fifth series.
    ChartCase(name: "timeline-handmade", arguments: ["timeline"] + handMadeTraces + ["--title", "Hand-made traces"], series: 5, timelineFiles: handMadeTraces),
    ChartCase(name: "timeline-h2o-stream1", arguments: ["timeline", "Traces/h2o-two-heads.dtrace.jsonl", "--stream", "1", "--width", "500", "--height", "300"], series: 1, timelineFiles: ["Traces/h2o-two-heads.dtrace.jsonl"], stream: 1),
    ChartCase(name: "timeline-simulated", arguments: ["timeline", "Traces/simulated"], series: 7, timelineFiles: simulatedFiles),
    ChartCase(name: "dep-simulated", arguments: ["dep", "Traces/simulated", "--seed", "7"], series: 1),
    ChartCase(name: "dep-peak-handmade", arguments: ["dep"] + handMadeTraces + ["--metric", "peak", "--group-by", "dataset,method"], series: 4),
    ChartCase(name: "hist-dep-simulated", arguments: ["hist", "Traces/simulated", "--ungrouped"], series: 1),
    ChartCase(name: "hist-dep-by-method-default", arguments: ["hist", "Traces/simulated"], series: 7),
    ChartCase(name: "hist-peak-by-method", arguments: ["hist", "Traces/simulated", "--metric", "peak", "--group-by", "method"], series: 7),
    ChartCase(name: "hist-events-lightthinker", arguments: ["hist", "Traces/simulated/lightthinker-thought.dtrace", "--per-event"], series: 1),
    ChartCase(name: "timeline-kvpress", arguments: ["timeline", "Traces/kvpress"], series: 5),
    ChartCase(name: "dep-kvpress-resident", arguments: ["dep", "Traces/kvpress", "--metric", "resident_peak_kv"], series: 1),
    ChartCase(name: "mask-kvpress-adakv", arguments: ["mask", "Traces/kvpress/adakv-snapkv.dtrace.jsonl"], series: 3),
    ChartCase(name: "mask-simulated-h2o", arguments: ["mask", "Traces/simulated/h2o.dtrace", "--width", "500", "--height", "320"], series: 3),
    ChartCase(name: "hist-events-cdf", arguments: ["hist", "Traces/simulated", "--per-event", "--cdf", "--group-by", "method"], series: 6),
    ChartCase(name: "pareto-handmade", arguments: ["pareto"] + handMadeTraces, series: 3),
    ChartCase(name: "pareto-handmade-peak-by-dataset", arguments: ["pareto"] + handMadeTraces + ["--metric", "peak", "--group-by", "dataset"], series: 1),
    // Mask: one (empty) series group per state present.
    ChartCase(name: "mask-lightthinker", arguments: ["mask", "Traces/lightthinker.dtrace.jsonl"], series: 3),
    ChartCase(name: "mask-h2o-stream1", arguments: ["mask", "Traces/h2o-two-heads.dtrace.jsonl", "--stream", "1", "--width", "400", "--height", "300"], series: 3),
    ChartCase(name: "mask-simulated-lightthinker", arguments: ["mask", "Traces/simulated/lightthinker-thought.dtrace", "--trace", "2"], series: 3),
]

/// The simulated runs, in the order `deptrace` expands the folder.
var simulatedFiles: [String] {
    ["anllm", "h2o", "lightthinker-thought", "lightthinker-token", "sepllm", "vanilla", "window"].map { "Traces/simulated/\($0).dtrace" }
}

/// What one chart run gave.
struct DrawnChart {
    var svg: [UInt8]
    var csv: String
    var svgText: String { String(decoding: svg, as: UTF8.self) }
}

/// Runs `deptrace chart ARGUMENTS -o … --csv …` in `directory` and returns both files.
func drawChart(_ arguments: [String], in directory: URL = repositoryRoot) throws -> DrawnChart {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-chart-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let svg = folder.appendingPathComponent("chart.svg"), csv = folder.appendingPathComponent("chart.csv")
    let result = try runDepTrace(["chart"] + arguments + ["-o", svg.path, "--csv", csv.path], currentDirectory: directory)
    #expect(result.status == 0, "deptrace chart \(arguments) failed: \(result.stderr)")
    #expect(result.stderr.isEmpty, "unexpected standard error: \(result.stderr)")
    return DrawnChart(svg: Array(try Data(contentsOf: svg)), csv: try String(contentsOf: csv, encoding: .utf8))
}

/// The engine's outcome of trace 0 of `path`, and the timeline rows of `stream` when given.
func engineOutcome(_ path: String, stream: Int? = nil) throws -> (TraceOutcome, [TimelineRow]) {
    let input = TraceInput(location: .file(repositoryRoot.appendingPathComponent(path).path))
    var rows: [TimelineRow] = []
    var builder = TimelineBuilder(traceIndex: 0, stream: stream) { rows.append($0) }
    _ = InputAnalyzer.analyze(input, options: AnalysisOptions(), observer: &builder)
    let outcome = try #require(builder.outcome)
    return (outcome, rows)
}

/// `g` elements of class `series`.
func seriesGroups(_ root: XMLNode) -> [XMLNode] {
    root.elements(named: "g").filter { $0.attributes["class"] == "series" }
}

/// Text elements of class `peak-label`, in series order.
func peakLabels(_ root: XMLNode) -> [String] {
    root.elements(named: "text").filter { $0.attributes["class"] == "peak-label" }.map(\.text)
}

/// rsvg-convert's path, when installed.
var rsvgConvert: URL? {
    for folder in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
        let url = URL(fileURLWithPath: folder).appendingPathComponent("rsvg-convert")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
}
