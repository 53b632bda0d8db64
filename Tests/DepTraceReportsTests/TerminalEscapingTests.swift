import DepTrace
import DepTraceReports
import Testing

/// Trace metadata and archive entry names reach the terminal: their control
/// characters must neither break lines nor drive it.
@Suite struct TerminalEscapingTests {
    @Test func controlCharactersAreWrittenAsEscapes() {
        #expect(TextEscaping.terminal("plain naïve ✓") == "plain naïve ✓")
        #expect(TextEscaping.terminal("x\ny") == "x\\ny")
        #expect(TextEscaping.terminal("a\r\tb") == "a\\r\\tb")
        #expect(TextEscaping.terminal("red \u{1B}[31mtext\u{7}") == "red \\u{1B}[31mtext\\u{7}")
        #expect(TextEscaping.terminal("c1 \u{9B}2J del \u{7F}") == "c1 \\u{9B}2J del \\u{7F}")
    }

    @Test func aDiagnosticQuotingTraceDataIsOneLine() {
        let diagnostic = Diagnostic(.error, file: "runs/\u{1B}]0;title\u{7}.dtrace", line: 3, trace: 0, sample: "x\ny", message: "bad")
        let printed = TextEscaping.terminal(diagnostic.description)
        #expect(!printed.contains("\n") && !printed.contains("\u{1B}"))
        #expect(printed == "runs/\\u{1B}]0;title\\u{7}.dtrace:3: trace 0 (sample \"x\\ny\"): bad")
    }
}

/// A table row stays one line whatever its cells hold.
@Suite struct TableEscapingTests {
    @Test func aCellWithALineBreakStaysOnItsRow() {
        var table = TextTable(headers: ["sample", "dep"], alignments: [.left, .right])
        table.append(["x\ny", "3"])
        table.append(["\u{1B}[2Jz", "4"])
        let text = table.render()
        #expect(text.split(separator: "\n").count == 3, "\(text)")
        #expect(text.contains("x\\ny") && text.contains("\\u{1B}[2Jz") && !text.contains("\u{1B}"))
    }
}
