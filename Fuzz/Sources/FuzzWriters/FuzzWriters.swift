import DepTrace
import DepTraceCharts
import DepTraceReports
import DepTraceXML
import Foundation
import FuzzSupport

/// libFuzzer entry: strings cut from the input become the metadata of a few
/// small traces (method, model, dataset, sample, a metadata key and value,
/// mark texts, an end claim) and the texts of a paper table. The traces are
/// written in both encodings and read back, then drawn as every chart and
/// written as every report. What is checked: the text reads back exactly
/// from both encodings, every SVG is well-formed XML whose title is the title
/// given, every CSV is rectangular and gives back its text fields, JSON parses,
/// and LaTeX and Markdown tables keep one row per line and their column count.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWriters(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = HostileStrings(data, size)
    let traces = (0..<Swift.max(1, Swift.min(4, text.count))).map { TraceSpec(text, $0) }
    let jsonl = write(traces, .jsonl)
    let binary = write(traces, .binary)
    let outcomes = readBack(jsonl, traces, "jsonl")
    _ = readBack(binary, traces, "binary")
    checkCharts(outcomes, jsonl: jsonl, title: text[0], count: traces.count)
    checkReports(outcomes, traces)
    checkPaperTable(text)
    return 0
}

/// One trace's hostile metadata.
struct TraceSpec {
    var header: TraceHeader
    var mark: String
    var claims: Claims
    var correct: Bool

    init(_ text: HostileStrings, _ index: Int) {
        header = TraceHeader(method: text[1 + index], model: text[2], dataset: text[3 + index % 2], sample: text[4 + index],
                             meta: [(key: text[6], value: .string(text[7]))])
        mark = text[5 + index]
        correct = index % 2 == 0
        claims = Claims(fields: [("correct", .bool(correct)), (text[8], .string(text[9]))])
    }
}

/// The mask chart reads a path: the JSON Lines traces are written here.
nonisolated(unsafe) let maskFile = ScratchFile(stem: "deptrace-fuzz-writers")

func write(_ traces: [TraceSpec], _ encoding: TraceWriter.Encoding) -> [UInt8] {
    let sink = MemoryTraceSink()
    let writer = TraceWriter(sink: sink, encoding: encoding)
    do {
        for trace in traces {
            try writer.begin(trace.header)
            _ = try writer.step(.prefill, count: 4)
            _ = try writer.step(.decode)
            try writer.mark(trace.mark)
            _ = try writer.step(.compress)
            try writer.evict([1..<3])
            _ = try writer.step(.decode)
            try writer.end(trace.claims)
        }
        try writer.close()
    } catch {
        Invariant.fail("the \(encoding) writer refused metadata text: \(error)")
    }
    return sink.bytes
}

/// Reads `bytes` back: no diagnostic, every trace complete with its header, marks and claims.
func readBack(_ bytes: [UInt8], _ traces: [TraceSpec], _ what: String) -> [TraceOutcome] {
    var outcomes: [TraceOutcome] = []
    var diagnostics: [Diagnostic] = []
    var marks: [String] = []
    var claims: [Claims] = []
    var observer = RecordObserver(onRecord: { record in
        if case .mark(let text) = record { marks.append(text) }
        if case .end(let claim) = record { claims.append(claim) }
    }, onTrace: { outcomes.append($0) }, onDiagnostic: { diagnostics.append($0) })
    _ = InputAnalyzer.analyze(MemoryByteSource(bytes, pieceSize: 1 << 16), name: "hostile", options: AnalysisOptions(), observer: &observer)
    Invariant.check(diagnostics.isEmpty, "\(what): reading what the writer wrote gave \(diagnostics)")
    Invariant.check(outcomes.count == traces.count && outcomes.allSatisfy { $0.status == .complete }, "\(what): \(outcomes.map(\.status)) read back")
    for (outcome, trace) in zip(outcomes, traces) {
        Invariant.check(outcome.header == trace.header, "\(what): header \(trace.header.fields) read back as \(String(describing: outcome.header?.fields))")
    }
    Invariant.check(marks == traces.map(\.mark), "\(what): marks \(traces.map(\.mark)) read back as \(marks)")
    Invariant.check(claims == traces.map(\.claims), "\(what): claims \(traces.map(\.claims.fields)) read back as \(claims.map(\.fields))")
    return outcomes
}

struct RecordObserver: TraceObserver {
    static var observesRecords: Bool { true }
    var onRecord: (Record) -> Void
    var onTrace: (TraceOutcome) -> Void
    var onDiagnostic: (Diagnostic) -> Void
    mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer) { onRecord(record) }
    mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) { onTrace(outcome) }
    mutating func report(_ diagnostic: Diagnostic) { onDiagnostic(diagnostic) }
}

// MARK: - Charts

/// Renders `scene` and checks the SVG parses with `title` as its title.
func checkSVG(_ scene: Scene, title: String, _ what: String) {
    let svg: [UInt8]
    do {
        svg = try SVGRenderer.render(scene)
    } catch {
        Invariant.fail("\(what): rendering failed: \(error)")
    }
    let root: XMLNode
    do {
        root = try XMLDocumentParser.parse(svg)
    } catch {
        Invariant.fail("\(what): the SVG is not well-formed XML (\(error)):\n\(String(decoding: svg, as: UTF8.self))")
    }
    let parsedTitle = root.children.first { $0.name == "title" }?.text
    Invariant.check(parsedTitle == XMLText.expected(title), "\(what): title \(Array(title.unicodeScalars)) parsed as \(parsedTitle.map { Array($0.unicodeScalars) } ?? [])")
}

func checkCharts(_ outcomes: [TraceOutcome], jsonl: [UInt8], title: String, count: Int) {
    let methods = Set(outcomes.compactMap { $0.header?.method })
    for keys in [["method"], ["dataset", "method"]] {
        let bars = DepChart.groups(outcomes, keys: keys, metric: "dep", seed: 1)
        checkSVG(DepChart.layout(bars, keys: keys, metric: "dep", title: title, width: 800, height: 450), title: title, "dep chart by \(keys)")
        let records = CSVParser.checkRectangular(DepChart.csv(bars, keys: keys), "dep CSV")
        let column = keys.count - 1
        Invariant.check(Set(records.dropFirst().map { $0[column] }) == methods, "dep CSV: methods \(methods) read back as \(records.dropFirst().map { $0.prefix(keys.count) })")
    }
    let series = HistogramChart.metricSeries(outcomes, keys: ["method"], metric: "peak")
    checkSVG(HistogramChart.layout(series, quantity: "peak", cdf: false, title: title, width: 640, height: 300), title: title, "histogram")
    checkSVG(HistogramChart.layout(series, quantity: "peak", cdf: true, title: title, width: 640, height: 300), title: title, "cdf")
    CSVParser.checkRectangular(HistogramChart.csv(series, cdf: false), "histogram CSV")
    CSVParser.checkRectangular(HistogramChart.csv(series, cdf: true), "cdf CSV")
    let (entries, unjudged) = ParetoChart.entries(outcomes, keys: ["method"], metric: "dep")
    checkSVG(ParetoChart.layout(entries, unjudged: unjudged, metric: "dep", title: title, width: 800, height: 450), title: title, "pareto chart")
    CSVParser.checkRectangular(ParetoChart.csv(entries, metric: "dep"), "pareto CSV")

    var timelines: [TimelineSeries] = []
    for index in 0..<count {
        var collector = TimelineCollector(traceIndex: index, stream: nil, capacity: TimelineChart.capacity(width: 800))
        _ = InputAnalyzer.analyze(MemoryByteSource(jsonl, pieceSize: 1 << 16), name: "hostile", options: AnalysisOptions(), observer: &collector)
        guard let item = collector.series else { Invariant.fail("no timeline for trace \(index)") }
        timelines.append(item)
    }
    let marks = timelines.flatMap { $0.marks.map(\.text) }
    TimelineChart.disambiguate(&timelines)
    checkSVG(TimelineChart.layout(timelines, title: title, width: 800, height: 450, streamLabel: "mean over streams"), title: title, "timeline")
    let timelineCSV = CSVParser.checkRectangular(TimelineChart.csv(timelines), "timeline CSV")
    let csvMarks = timelineCSV.filter { $0.count > 4 && $0[1] == "mark" }.map { $0[4] }
    Invariant.check(csvMarks == marks, "timeline CSV: marks \(marks) read back as \(csvMarks)")

    jsonl.withUnsafeBufferPointer { buffer in
        if let base = buffer.baseAddress { maskFile.write(base, buffer.count) }
    }
    let input = TraceInput(location: .file(maskFile.path))
    guard let map = MaskChart.collect(input, traceIndex: 0, stream: 0, options: AnalysisOptions(), width: 400, height: 300, report: { Invariant.fail("mask: \($0)") }) else {
        Invariant.fail("mask: no map")
    }
    checkSVG(MaskChart.layout(map, title: title, width: 400, height: 300), title: title, "mask chart")
    CSVParser.checkRectangular(MaskChart.csv(map), "mask CSV")
}

// MARK: - Reports

func checkReports(_ outcomes: [TraceOutcome], _ traces: [TraceSpec]) {
    let columns = ["file", "trace", "sample", "method", "dataset", "model", "dep", "peak"]
    for format in OutputFormat.allCases {
        var report = StatsReport(format: format, columns: columns)
        var text = report.begin()
        for outcome in outcomes { text += report.add(outcome) }
        text += report.end(width: 80)
        switch format {
        case .csv:
            let records = CSVParser.checkRectangular(text, "stats CSV")
            let expected = traces.enumerated().map { index, trace in
                ["hostile", String(index), trace.header.sample ?? "", trace.header.method ?? "", trace.header.dataset ?? "", trace.header.model ?? ""]
            }
            Invariant.check(records.dropFirst().map { Array($0.prefix(6)) } == expected, "stats CSV: \(expected) read back as \(records.dropFirst().map { $0.prefix(6) })")
        case .json:
            let methods = (try? JSONDecoder().decode([MethodRow].self, from: Data(text.utf8)))?.map(\.method)
            Invariant.check(methods == traces.map(\.header.method), "stats JSON: methods \(traces.map(\.header.method)) read back as \(String(describing: methods)) from\n\(text)")
        case .table:
            Invariant.check(!text.isEmpty, "stats table: empty")
        }
    }
    let groups = GroupSummary.group(outcomes, by: ["method", "dataset"])
    for format in OutputFormat.allCases {
        let text = GroupReport.render(groups, keys: ["method", "dataset"], format: format, width: 80)
        switch format {
        case .csv: CSVParser.checkRectangular(text, "group CSV")
        case .json:
            let methods = (try? JSONDecoder().decode([MethodRow].self, from: Data(text.utf8)))?.map(\.method)
            Invariant.check(methods.map(Set.init) == Set(traces.map(\.header.method)), "group JSON: methods \(traces.map(\.header.method)) read back as \(String(describing: methods)) from\n\(text)")
        case .table: Invariant.check(!text.isEmpty, "group table: empty")
        }
    }
    let table = GroupReport.paperTable(groups, keys: ["method", "dataset"])
    checkTable(table)
}

/// A row of the JSON reports, for its method. `JSONDecoder`, not
/// `JSONSerialization`, which on Linux drops a U+FEFF inside a string.
struct MethodRow: Decodable {
    var method: String?
}

// MARK: - Paper tables

func checkPaperTable(_ text: HostileStrings) {
    var table = PaperTable(caption: text[0], rowHeader: text[1], groups: [
        (title: text[2], columns: [.init(text[3], better: .higher), .init(text[4], better: .lower)]),
        (title: text[5], columns: [.init(text[6])]),
    ])
    table.rows = [
        (text[7], [.init(1, text[8]), .init(2, text[9]), .init(nil, text[10])]),
        (text[11], [.init(3, text[12]), .init(nil, ""), .init(5, text[13])]),
    ]
    checkTable(table)
}

/// One row per line, and each row has the table's number of cells.
func checkTable(_ table: PaperTable) {
    let columns = table.groups.reduce(0) { $0 + $1.columns.count }
    for highlight in [false, true] {
        let latex = table.latex(highlight: highlight)
        let lines = Lines.of(latex)
        let expectedLines = 10 + (table.groups.count > 1 || table.groups.contains { !$0.title.isEmpty } ? 2 : 0) + table.rows.count
        Invariant.check(lines.count == expectedLines, "LaTeX: \(lines.count) lines, expected \(expectedLines):\n\(latex)")
        Invariant.check(!latex.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || $0.value == 0x7F }, "LaTeX: control characters in\n\(latex)")
        for line in lines where line.hasSuffix(" \\\\") && !line.hasPrefix("\\multicolumn") && !line.hasPrefix(" &") {
            Invariant.check(LaTeXLine.separators(line) == columns, "LaTeX: \(LaTeXLine.separators(line)) cell separators, expected \(columns), in\n\(line)")
        }
        Invariant.check(!lines.contains { LaTeXLine.hasComment($0) }, "LaTeX: an unescaped % in\n\(latex)")

        let markdown = table.markdown(highlight: highlight)
        let rows = Lines.of(markdown)
        Invariant.check(rows.count == 2 + table.rows.count, "Markdown: \(rows.count) lines, expected \(2 + table.rows.count):\n\(markdown)")
        for row in rows {
            Invariant.check(MarkdownLine.pipes(row) == columns + 2, "Markdown: \(MarkdownLine.pipes(row)) unescaped pipes, expected \(columns + 2), in\n\(row)")
        }
    }
}

/// Counting in one line of LaTeX, skipping escaped characters (`\&`, `\\`).
enum LaTeXLine {
    static func separators(_ line: Substring) -> Int { unescaped(line).count { $0 == "&" } }
    static func hasComment(_ line: Substring) -> Bool { unescaped(line).contains("%") }

    /// The line's scalars less those escaped by a backslash (scalars, since TeX
    /// reads bytes: a combining mark after `&` does not hide it).
    private static func unescaped(_ line: Substring) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        var escaped = false
        for scalar in line.unicodeScalars {
            if escaped { escaped = false; continue }
            if scalar == "\\" { escaped = true; continue }
            result.append(scalar)
        }
        return result
    }
}

/// The lines of text ending in `\n`, split at every LF or CR scalar (a CR LF
/// `Character` would not split on `"\n"`), so a line break anywhere shows.
enum Lines {
    static func of(_ text: String) -> [Substring] {
        var lines = text.unicodeScalars.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" }.map { Substring($0) }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}

enum MarkdownLine {
    static func pipes(_ line: Substring) -> Int {
        var count = 0, escaped = false
        for scalar in line.unicodeScalars {
            if escaped { escaped = false; continue }
            if scalar == "\\" { escaped = true; continue }
            if scalar == "|" { count += 1 }
        }
        return count
    }
}

/// The text an XML parser gives back for `text` written by the chart renderer:
/// the characters XML 1.0 cannot hold come back as U+FFFD.
enum XMLText {
    static func expected(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            let value = scalar.value
            let allowed = value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
                || (0xE000...0xFFFD).contains(value) || value >= 0x10000
            return allowed ? scalar : "\u{FFFD}"
        }))
    }
}
