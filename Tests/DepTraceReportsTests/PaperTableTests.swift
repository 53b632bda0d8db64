import DepTraceReports
import Testing

@Suite("tables for papers")
struct PaperTableTests {
    @Test("LaTeX special characters in names are escaped")
    func latexEscaping() {
        #expect(TextEscaping.latex(##"a_b & c% $d #e {f} ~g ^h \i"##) == ##"a\_b \& c\% \$d \#e \{f\} \textasciitilde{}g \textasciicircum{}h \textbackslash{}i"##)
        #expect(TextEscaping.markdown("a|b_c") == #"a\|b\_c"#)
    }

    @Test("best value bold and second underlined per column, in the column's direction")
    func highlight() {
        var table = PaperTable(caption: "c", rowHeader: "Method", groups: [
            (title: "GSM8K", columns: [.init("Acc", better: .higher), .init("Dep", better: .lower)]),
        ])
        table.rows = [
            ("Vanilla", [.init(62.9, "62.90"), .init(3.9, "3.9")]),
            ("H2O", [.init(61.1, "61.10"), .init(1.2, "1.2")]),
            ("LightThinker", [.init(62.8, "62.80"), .init(1.0, "1.0")]),
        ]
        let latex = table.latex(highlight: true)
        #expect(latex.contains("Vanilla & \\textbf{62.90} & 3.9 \\\\"))
        #expect(latex.contains("H2O & 61.10 & \\underline{1.2} \\\\"))
        #expect(latex.contains("LightThinker & \\underline{62.80} & \\textbf{1.0} \\\\"))
        #expect(latex.contains("\\multicolumn{2}{c}{GSM8K}") && latex.contains("\\toprule") && latex.contains("\\bottomrule"))
        #expect(!table.latex().contains("\\textbf"))
        #expect(table.markdown(highlight: true).contains("| LightThinker | <u>62.80</u> | **1.0** |"))
    }
}
