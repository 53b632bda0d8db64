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
