import DepTraceReports
import Foundation
import Testing

/// Inputs on which the FuzzWriters target (Fuzz/) found a fault in the
/// reports, kept in FuzzRegressions/FuzzWriters/ (they also seed the fuzzer):
/// each is strings separated by 0xFF bytes, used as names in tables and CSV.
/// `combining-marks` was written by hand after the CSV fault, for the same
/// mistake (comparing `Character`s) in the other escapers.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions/FuzzWriters")

    static func strings(_ name: String) throws -> [String] {
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
        return bytes.split(separator: 0xFF, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    static func table(labels: [String]) -> PaperTable {
        var table = PaperTable(caption: labels.joined(), rowHeader: "Method", groups: [(title: "", columns: [.init("Dep", better: .lower)])])
        table.rows = labels.enumerated().map { ($0.element, [PaperTable.Cell(Double($0.offset), "1.0")]) }
        return table
    }

    /// Control characters went into LaTeX rows as is: TeX drops the rest of a
    /// line after a CR (the row's `\\` with it) and refuses most others.
    @Test func controlCharactersBecomeSpacesInLaTeX() throws {
        let strings = try Self.strings("control-characters")
        let latex = Self.table(labels: strings).latex()
        #expect(!latex.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }, "\(Array(latex.unicodeScalars))")
        // 5 lines before the column titles, titles, midrule, a row per label, 3 after.
        #expect(latex.split(separator: "\n").count == 5 + 2 + strings.count + 3)
        #expect(TextEscaping.latex("a\u{0}b\u{1B}[31m\r\n") == "a b [31m  ")
    }

    /// A name holding CR LF went unquoted into CSV.
    @Test func lineBreaksAreQuotedInCSV() throws {
        let strings = try Self.strings("line-breaks")
        #expect(strings.contains("a\r\nb"))
        #expect(CSVWriter.row(["a\r\nb", "x"]) == "\"a\r\nb\",x\n")
        #expect(CSVWriter.quoted("a\rb") == "\"a\rb\"")
        #expect(Self.table(labels: strings).markdown().split(separator: "\n").count == 2 + strings.count, "line breaks become spaces in Markdown")
    }

    /// A comma, quote, `&`, `|`, `\`, `%` or CR followed by a combining mark is
    /// one `Character` that equals none of them; each is still escaped.
    @Test func escapingLooksAtScalars() throws {
        let strings = try Self.strings("combining-marks")
        let mark = "\u{301}"
        #expect(strings == [",", "\"", "&", "|", "\\", "%", "\r"].map { $0 + mark })
        #expect(CSVWriter.quoted("," + mark) == "\"," + mark + "\"")
        #expect(CSVWriter.quoted("\"" + mark) == "\"\"\"" + mark + "\"")
        #expect(TextEscaping.latex("&" + mark) == "\\&" + mark)
        #expect(TextEscaping.latex("%" + mark) == "\\%" + mark)
        #expect(TextEscaping.latex("\\" + mark) == "\\textbackslash{}" + mark)
        #expect(TextEscaping.latex("\r" + mark) == " " + mark)
        #expect(TextEscaping.markdown("|" + mark) == "\\|" + mark)
        #expect(TextEscaping.markdown("\\" + mark) == "\\\\" + mark)
        #expect(TextEscaping.markdown("\r" + mark) == " " + mark)
    }
}
