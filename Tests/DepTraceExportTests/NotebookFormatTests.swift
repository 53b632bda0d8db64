import DepTrace
@testable import DepTraceExport
import Foundation
import Testing

@Suite("nbformat document")
struct NotebookFormatTests {
    @Test("multi-line strings are split where Python's splitlines splits, line breaks kept")
    func lines() {
        #expect(Notebook.lines("") == .array([]))
        #expect(Notebook.lines("one") == .array([.string("one")]))
        #expect(Notebook.lines("a\nb") == .array([.string("a\n"), .string("b")]))
        #expect(Notebook.lines("a\nb\n") == .array([.string("a\n"), .string("b\n")]))
        #expect(Notebook.lines("a\r\nb\rc\u{2028}d\u{0B}e\u{1E}f") == .array([
            .string("a\r\n"), .string("b\r"), .string("c\u{2028}"), .string("d\u{0B}"), .string("e\u{1E}"), .string("f"),
        ]))
        #expect(Notebook.lines("\n\n") == .array([.string("\n"), .string("\n")]))
    }

    @Test("JSON is laid out as json.dumps(indent=1, sort_keys=True, ensure_ascii=False)")
    func layout() {
        let value = JSONValue.object([
            ("b", .array([])),
            ("a", .object([("é", .string("x\"y\n")), ("Z", .integer(1)), ("z", .object([]))])),
            ("c", .array([.null, .bool(true), .number("2.5")])),
        ])
        let expected = """
            {
             "a": {
              "Z": 1,
              "z": {},
              "é": "x\\"y\\n"
             },
             "b": [],
             "c": [
              null,
              true,
              2.5
             ]
            }
            """
        #expect(IndentedJSON.text(of: value) == expected)
    }

    @Test("a notebook: nbformat 4.5 keys, code cells numbered in order, outputs as MIME bundles")
    func notebook() throws {
        let notebook = Notebook(cells: [
            .markdown("intro", "# Title\n\nText"),
            .code("setup", "import pandas as pd"),
            .code("table", "frame", outputs: [Notebook.Output(.executeResult, data: [("text/html", "<b>x</b>\n"), ("text/plain", "x")])]),
            .code("chart", "plot()", outputs: [Notebook.Output(.displayData, data: [("image/svg+xml", "<svg/>")])]),
        ], deptraceMetadata: [("version", .string("1.0"))])
        let text = notebook.text()
        #expect(text.hasSuffix("}\n"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["nbformat"] as? Int == 4)
        #expect(json["nbformat_minor"] as? Int == 5)
        let metadata = try #require(json["metadata"] as? [String: Any])
        #expect((metadata["kernelspec"] as? [String: Any])?["name"] as? String == "python3")
        #expect((metadata["deptrace"] as? [String: Any])?["version"] as? String == "1.0")
        let cells = try #require(json["cells"] as? [[String: Any]])
        #expect(cells.map { $0["id"] as? String } == ["intro", "setup", "table", "chart"])
        #expect(cells[0]["cell_type"] as? String == "markdown")
        #expect(cells[0]["outputs"] == nil && cells[0]["execution_count"] == nil)
        #expect(cells[0]["source"] as? [String] == ["# Title\n", "\n", "Text"])
        #expect(cells.dropFirst().map { $0["execution_count"] as? Int } == [1, 2, 3])
        let result = try #require((cells[2]["outputs"] as? [[String: Any]])?.first)
        #expect(result["output_type"] as? String == "execute_result")
        #expect(result["execution_count"] as? Int == 2)
        #expect(joined((result["data"] as? [String: Any])?["text/html"]) == "<b>x</b>\n")
        let figure = try #require((cells[3]["outputs"] as? [[String: Any]])?.first)
        #expect(figure["output_type"] as? String == "display_data")
        #expect(figure["execution_count"] == nil)
        #expect(joined((figure["data"] as? [String: Any])?["image/svg+xml"]) == "<svg/>")
        #expect((cells[1]["outputs"] as? [Any])?.isEmpty == true)
    }
}
