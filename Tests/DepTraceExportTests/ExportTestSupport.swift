import DepTrace
@testable import DepTraceExport
import Foundation
import Testing
import _DepTraceTestSupport

/// The repository root: Tests/DepTraceExportTests/ExportTestSupport.swift is three levels below it.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let handMadeTraces = ["h2o-two-heads", "lightthinker", "recompute-add", "vanilla"].map { "Traces/\($0).dtrace.jsonl" }

/// The inputs of repository-relative `paths` (absolute paths, folders expanded).
func inputs(_ paths: [String]) throws -> [TraceInput] {
    try TraceInput.expand(paths.map { repositoryRoot.appendingPathComponent($0).path })
}

/// Every trace of `paths`, read for an export.
func studyTraces(_ paths: [String], points: Int = NotebookExporter.defaultTimelinePoints, options: AnalysisOptions = AnalysisOptions()) throws -> [StudyTrace] {
    StudyAnalyzer.analyze(try inputs(paths), options: options, points: points, workers: 2).flatMap(\.traces)
}

/// A JSONL input held in memory, written to a temporary file (the analyzers read inputs by path).
func temporaryTraceFile(_ text: String, name: String = "test.dtrace.jsonl") throws -> (TraceInput, URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-export-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent(name)
    try text.write(to: file, atomically: true, encoding: .utf8)
    return (TraceInput(location: .file(file.path)), folder)
}

/// Export options for tests.
func exportOptions(_ paths: [String], groupBy: [String] = ["method"], baseline: [String] = [], title: String = "Test study") -> NotebookExporter.Options {
    NotebookExporter.Options(title: title, groupBy: groupBy, command: "deptrace export notebook " + paths.joined(separator: " "),
                             version: "9.9.9", inputPaths: paths, baselinePaths: baseline)
}

/// The file called `name` of an export, as text.
func file(_ name: String, in files: [ExportFile]) throws -> String {
    let found = try #require(files.first { $0.name == name }, "the export has no \(name)")
    return String(decoding: found.bytes, as: UTF8.self)
}

/// The notebook of an export, parsed.
func notebookJSON(_ files: [ExportFile]) throws -> [String: Any] {
    let text = try file("study.ipynb", in: files)
    return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// A notebook's cells, parsed.
func cells(_ notebook: [String: Any]) throws -> [[String: Any]] {
    try #require(notebook["cells"] as? [[String: Any]])
}

/// A stored multi-line string (a list of lines) joined back.
func joined(_ value: Any?) -> String {
    (value as? [String])?.joined() ?? (value as? String) ?? ""
}
