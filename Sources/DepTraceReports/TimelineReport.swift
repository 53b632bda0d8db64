import DepTrace

/// A trace's timeline as CSV or JSON, written row by row.
public struct TimelineReport {
    public let format: OutputFormat
    private var rowsWritten = 0

    /// The columns, in order.
    public static let columns = ["step", "phase", "first", "queries", "visible_before", "visible_after", "resident_after", "dep", "evicted", "time_ns", "marks"]

    public init(format: OutputFormat) {
        self.format = format
    }

    private static func values(_ row: TimelineRow) -> [MetricValue] {
        [.int(row.step), .string(row.phase.description), .int(row.first), .int(row.queries), row.visibleBefore,
         row.visibleAfter, row.residentAfter, row.dep, row.evicted, row.time.map(MetricValue.int) ?? .null]
    }

    public func begin() -> String {
        switch format {
        case .csv, .table: CSVWriter.row(TimelineReport.columns)
        case .json: "["
        }
    }

    /// The text of one row.
    public mutating func add(_ row: TimelineRow) -> String {
        defer { rowsWritten += 1 }
        let values = TimelineReport.values(row)
        switch format {
        case .csv, .table:
            return CSVWriter.row(values.map(MetricFormatting.csv) + [row.marks.joined(separator: " | ")])
        case .json:
            var object = rowsWritten == 0 ? "\n{" : ",\n{"
            for (offset, value) in values.enumerated() {
                if offset > 0 { object += "," }
                object += JSONEncoding.string(TimelineReport.columns[offset]) + ":" + MetricFormatting.json(value)
            }
            object += ",\"marks\":[" + row.marks.map(JSONEncoding.string).joined(separator: ",") + "]}"
            return object
        }
    }

    public func end() -> String {
        switch format {
        case .csv, .table: ""
        case .json: rowsWritten == 0 ? "]\n" : "\n]\n"
        }
    }
}
