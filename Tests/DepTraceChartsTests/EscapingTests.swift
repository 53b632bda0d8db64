import DepTrace
import DepTraceCharts
import DepTraceXML
import Foundation
import Testing
import _DepTraceTestSupport

/// Metadata with markup characters, quotes and non-ASCII text: libxml2 escapes
/// it, and it reads back exactly.
@Suite struct EscapingTests {
    static let method = #"<b>Thinker</b> & "friends" 'q' — café ≥ 漢字"#
    static let markText = #"</text><script>alert("x")</script> & more"#

    static let trace = """
        {"deptrace":1,"method":"\(method.replacingOccurrences(of: "\"", with: "\\\""))","dataset":"a<b & \\"c\\"","sample":"1","layers":1,"heads":1}
        {"step":"prefill","q":[0,4]}
        {"step":"decode","q":[4,1]}
        {"mark":"\(markText.replacingOccurrences(of: "\"", with: "\\\""))"}
        {"step":"compress","q":[5,1]}
        {"evict":[[1,3]]}
        {"step":"decode","q":[6,1]}
        {"end":{"correct":true}}

        """

    func withTrace<T>(_ body: (URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-escape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.trace.write(to: folder.appendingPathComponent("odd.dtrace.jsonl"), atomically: true, encoding: .utf8)
        return try body(folder)
    }

    @Test(arguments: [["timeline"], ["dep"], ["mask"], ["pareto"], ["hist", "--group-by", "method"], ["hist", "--per-event", "--cdf", "--group-by", "method"]])
    func metadataComesOutEscapedAndReadable(_ kind: [String]) throws {
        try withTrace { folder in
            let title = #"Title with <tags> & "quotes" — ü"#
            let drawn = try drawChart([kind[0], "odd.dtrace.jsonl", "--title", title] + kind.dropFirst(), in: folder)
            let root = try XMLDocumentParser.parse(drawn.svg)
            #expect(root.children.first?.text == title)
            #expect(root.allText.contains(Self.method))
            #expect(!drawn.svgText.contains("<b>"))
            #expect(!drawn.svgText.contains("<script>"))
            #expect(drawn.svgText.contains("&lt;b&gt;Thinker&lt;/b&gt; &amp;"))
            #expect(drawn.svgText.contains("café ≥ 漢字"), "non-ASCII text is written as UTF-8, not as character references")
            if kind[0] == "timeline" {
                let marks = root.elements(named: "g").filter { $0.attributes["class"] == "mark" }
                #expect(marks.first?.children.first?.text == Self.markText)
                #expect(drawn.csv.contains("\"" + Self.markText.replacingOccurrences(of: "\"", with: "\"\"") + "\""))
            }
        }
    }

    @Test func rendersWithRsvgWhenPresent() throws {
        guard let converter = rsvgConvert else { return }
        try withTrace { folder in
            let drawn = try drawChart(["timeline", "odd.dtrace.jsonl"], in: folder)
            let svg = folder.appendingPathComponent("odd.svg")
            try Data(drawn.svg).write(to: svg)
            let result = try runProcess(converter, [svg.path, "-o", folder.appendingPathComponent("odd.png").path])
            #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        }
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}
