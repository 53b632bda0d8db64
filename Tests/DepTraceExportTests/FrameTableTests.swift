import Foundation
@testable import DepTraceExport
import Testing

@Suite("tables shown as pandas shows them")
struct FrameTableTests {
    /// The cells of the HTML table's body, row by row (index first).
    func body(_ html: String) -> [[String]] {
        let rows = html.components(separatedBy: "<tr>").dropFirst()
        return rows.map { row in
            row.components(separatedBy: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                for tag in ["th", "td"] where trimmed.hasPrefix("<\(tag)>") && trimmed.hasSuffix("</\(tag)>") {
                    return String(trimmed.dropFirst(tag.count + 2).dropLast(tag.count + 3))
                }
                return nil
            }
        }
    }

    @Test("CSV fields are read back: quotes, commas, line breaks, empty fields")
    func csv() {
        let records = CSVReader.records("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\n\"two\nlines\",,3\n")
        #expect(records == [["a", "b", "c"], ["x, y", "say \"hi\"", ""], ["two\nlines", "", "3"]])
    }

    @Test("floats: two decimals, shared trailing zeros trimmed to one, NaN for missing")
    func floats() throws {
        let table = try FrameTable(csv: "a,b,c,d\n1,1.5,2.0,\n2,0.25,3,x\n3,10.125,,y\n", columns: ["a", "b", "c", "d"])
        #expect(body(table.html()) == [
            ["0", "1", "1.50", "2.0", "NaN"],
            ["1", "2", "0.25", "3.0", "x"],
            // printf rounds the exact binary value: 10.125 is a tie, kept even.
            ["2", "3", "10.12", "NaN", "y"],
        ])
    }

    @Test("scientific notation for a whole column when one value is above 1e6 or below 0.01")
    func scientific() throws {
        let table = try FrameTable(csv: "big,small,whole\n1588257.5,0.5,1588257\n49,0.001,49\n", columns: ["big", "small", "whole"])
        // An integer column (no fraction, nothing missing) stays integers, as pandas reads int64.
        #expect(body(table.html()) == [["0", "1.59e+06", "5.00e-01", "1588257"], ["1", "4.90e+01", "1.00e-03", "49"]])
    }

    @Test("true and false read as Booleans, missing or not; grouping keys stay text")
    func booleans() throws {
        let table = try FrameTable(csv: "correct,method,n\ntrue,true,1\n,false,2\nfalse,,3\n", columns: ["correct", "method", "n"], textColumns: ["method"])
        #expect(body(table.html()) == [["0", "True", "true", "1"], ["1", "NaN", "false", "2"], ["2", "False", "NaN", "3"]])
    }

    @Test("a frame longer than 60 rows shows its first and last five and its size")
    func truncated() throws {
        let csv = "n\n" + (0..<61).map { "\($0)\n" }.joined()
        let table = try FrameTable(csv: csv, columns: ["n"])
        let rows = body(table.html())
        #expect(rows.count == 11)
        #expect(rows[5] == ["...", "..."])
        #expect(rows.first == ["0", "0"] && rows.last == ["60", "60"])
        #expect(table.html().contains("<p>61 rows × 1 columns</p>"))
        #expect(table.plainText().hasSuffix("[61 rows × 1 columns]"))
        let short = try FrameTable(csv: "n\n" + (0..<60).map { "\($0)\n" }.joined(), columns: ["n"])
        #expect(body(short.html()).count == 60)
        #expect(!short.html().contains("rows ×"))
    }

    @Test("text from traces is escaped in HTML")
    func escaped() throws {
        let table = try FrameTable(csv: "method\n\"<b>a&b \"\"c\"\"</b>\"\n", columns: ["method"])
        #expect(table.html().contains("<td>&lt;b&gt;a&amp;b \"c\"&lt;/b&gt;</td>"))
        #expect(!table.html().contains("<b>a"))
    }

    @Test("a column the CSV lacks is an error, not a crash")
    func missingColumn() {
        #expect(throws: ExportError.self) { try FrameTable(csv: "a\n1\n", columns: ["b"]) }
    }
}
