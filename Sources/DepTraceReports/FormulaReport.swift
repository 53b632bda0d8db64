import DepTrace

/// Renders ``FormulaComparison``s: `deptrace stats --against-formula`.
public enum FormulaReport {
    public static let columns = ["file", "trace", "sample", "method", "form", "dep", "form_dep", "dep_diff", "peak", "form_peak", "peak_diff", "note"]

    static func fields(_ outcome: TraceOutcome, _ comparison: FormulaComparison) -> [MetricValue] {
        [
            .string(outcome.file), .int(outcome.index), outcome.header?.sample.map(MetricValue.string) ?? .null,
            outcome.header?.method.map(MetricValue.string) ?? .null,
            comparison.input.map { .string($0.form.rawValue) } ?? .null,
            comparison.measuredDep, comparison.formula.map { .int($0.dep) } ?? .null, comparison.depDifference ?? .null,
            .int(comparison.measuredPeak), comparison.formula.map { .int($0.peak) } ?? .null,
            comparison.peakDifference.map(MetricValue.int) ?? .null, .string(comparison.note),
        ]
    }

    /// The whole report; in a table, notes are numbered below it so the rows stay short.
    public static func render(_ rows: [(TraceOutcome, FormulaComparison)], format: OutputFormat, width: Int) -> String {
        switch format {
        case .csv:
            return CSVWriter.row(columns) + rows.map { CSVWriter.row(fields($0, $1).map(MetricFormatting.csv)) }.joined()
        case .json:
            return "[" + rows.map { outcome, comparison in
                "{" + zip(columns, fields(outcome, comparison)).map { JSONEncoding.string($0) + ":" + MetricFormatting.json($1) }.joined(separator: ",") + "}"
            }.joined(separator: ",\n") + "]\n"
        case .table:
            var notes: [String] = []
            // One file: named once above the table, so the rows keep to the numbers.
            let files = Set(rows.map(\.0.file))
            let skip = files.count == 1 ? 1 : 0
            let alignments: [TextTable.Alignment] = [.left, .right, .left, .left, .left, .right, .right, .right, .right, .right, .right, .left]
            var table = TextTable(headers: Array(columns.dropFirst(skip)), alignments: Array(alignments.dropFirst(skip)), shortenedAtStart: skip == 0 ? [0] : [])
            for (outcome, comparison) in rows {
                var cells = Array(fields(outcome, comparison).map { MetricFormatting.table($0) }.dropFirst(skip))
                let number = (notes.firstIndex(of: comparison.note) ?? { notes.append(comparison.note); return notes.count - 1 }()) + 1
                cells[cells.count - 1] = "[\(number)]"
                table.append(cells)
            }
            let legend = notes.enumerated().map { "[\($0.offset + 1)] \($0.element)" }.joined(separator: "\n")
            let heading = files.count == 1 ? "file: \(files.first ?? "")\n" : ""
            return heading + table.render(width: width) + (notes.isEmpty ? "" : "\n" + legend + "\n")
        }
    }
}
