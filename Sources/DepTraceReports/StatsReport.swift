import DepTrace

/// Per-trace metrics as a table, CSV or JSON, one row per analysed trace,
/// partial ones included with their `status`.
///
/// CSV and JSON rows are produced as traces finish, so memory does not grow
/// with the number of traces; the table is aligned, so it is kept until the end.
public struct StatsReport {
    public let format: OutputFormat
    public let columns: [String]
    private var table: TextTable?
    private var rowsWritten = 0
    /// Table columns shown only when some row needs them (see ``optionalTableColumns``).
    private var optional: [Int: (Int, [String]) -> Bool] = [:]

    /// Every column: the identity columns, `status`, then every metric of docs/METRICS.md.
    public static let allColumns = MetricCatalog.identityColumns + ["status"] + MetricCatalog.names
    /// What the table shows by default: fits an 80-column terminal.
    public static let defaultTableColumns = ["file", "trace", "sample", "method", "dep", "peak", "peak_kv", "self_ratio"]
    /// What the default table adds where the input needs it: `resident_peak`
    /// (after `peak`) when some trace holds more in memory than it reads, and
    /// `status` when some trace is incomplete or damaged.
    public static let optionalTableColumns = ["resident_peak", "status"]

    /// The `status` column's value: `complete`, `incomplete`, `damaged`
    /// (the other statuses have no metrics and no row).
    public static func statusName(_ status: TraceOutcome.Status) -> String {
        switch status {
        case .complete: "complete"
        case .incomplete: "incomplete"
        case .damaged: "damaged"
        case .invalid: "invalid"
        case .unsupported: "unsupported"
        }
    }

    /// Columns that the report accepts by name.
    public static func isColumn(_ name: String) -> Bool { allColumns.contains(name) }

    /// - Parameter columns: the columns to print, or nil for the format's default.
    public init(format: OutputFormat, columns: [String]? = nil) {
        self.format = format
        var chosen = columns ?? (format == .table ? StatsReport.defaultTableColumns : StatsReport.allColumns)
        if format == .table, columns == nil {
            chosen.insert("resident_peak", at: (chosen.firstIndex(of: "peak") ?? chosen.count - 1) + 1)
            chosen.append("status")
            let peak = chosen.firstIndex(of: "peak")
            for (index, name) in chosen.enumerated() {
                if name == "resident_peak", let peak {
                    optional[index] = { column, row in row[column] != row[peak] }
                } else if name == "status" {
                    optional[index] = { column, row in row[column] != "complete" }
                }
            }
        }
        self.columns = chosen
        if format == .table {
            table = TextTable(
                headers: self.columns,
                alignments: self.columns.map { ["file", "method", "model", "dataset", "sample", "status"].contains($0) ? .left : .right },
                shortenedAtStart: Set(self.columns.indices.filter { self.columns[$0] == "file" }))
        }
    }

    /// The value of `column` for `outcome`.
    public static func value(_ column: String, of outcome: TraceOutcome) -> MetricValue {
        switch column {
        case "file": return .string(outcome.file)
        case "trace": return .int(outcome.index)
        case "status": return .string(statusName(outcome.status))
        case "method", "model", "dataset", "sample":
            return outcome.header?.text(forKey: column).map(MetricValue.string) ?? .null
        default:
            return outcome.metrics?.value(named: column) ?? .null
        }
    }

    /// A path without the trace extension, which every row would repeat.
    static func shortPath(_ path: String) -> String {
        for suffix in TraceInput.traceExtensions.sorted(by: { $0.count > $1.count }) where path.hasSuffix(suffix) {
            return String(path.dropLast(suffix.count))
        }
        return path
    }

    /// The folder every path starts with (`runs/h2o/`), which a table need not repeat.
    static func commonFolder(_ paths: [String]) -> String {
        guard var prefix = paths.first.map({ String($0[..<($0.lastIndex(of: "/").map { $0 } ?? $0.startIndex)]) }) else { return "" }
        while !prefix.isEmpty, !paths.allSatisfy({ $0.hasPrefix(prefix + "/") }) {
            prefix = String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)])
        }
        return prefix.isEmpty ? "" : prefix + "/"
    }

    /// Text to print before the first row.
    public func begin() -> String {
        switch format {
        case .csv: CSVWriter.row(columns)
        case .json: "["
        case .table: ""
        }
    }

    /// Adds one analysed trace; returns the text to print now.
    public mutating func add(_ outcome: TraceOutcome) -> String {
        let values = columns.map { StatsReport.value($0, of: outcome) }
        defer { rowsWritten += 1 }
        switch format {
        case .csv:
            return CSVWriter.row(values.map(MetricFormatting.csv))
        case .json:
            var object = rowsWritten == 0 ? "\n{" : ",\n{"
            for (offset, column) in columns.enumerated() {
                if offset > 0 { object += "," }
                object += JSONEncoding.string(column) + ":" + MetricFormatting.json(values[offset])
            }
            return object + "}"
        case .table:
            table?.append(zip(columns, values).map { column, value in
                column == "file" ? StatsReport.shortPath(outcome.file) : MetricFormatting.table(value)
            })
            return ""
        }
    }

    /// Text to print after the last row.
    public func end(width: Int = Int.max) -> String {
        switch format {
        case .csv: return ""
        case .json: return rowsWritten == 0 ? "]\n" : "\n]\n"
        case .table:
            if rowsWritten == 0 { return "no trace analysed\n" }
            guard var table else { return "" }
            // Optional columns no row needs go, last first so the indices stay valid.
            for index in optional.keys.sorted(by: >) where !table.rows.contains(where: { optional[index]?(index, $0) ?? true }) {
                table.headers.remove(at: index)
                table.alignments.remove(at: index)
                for row in table.rows.indices { table.rows[row].remove(at: index) }
                table.shortenedAtStart = Set(table.shortenedAtStart.map { $0 > index ? $0 - 1 : $0 })
            }
            guard let column = table.headers.firstIndex(of: "file") else { return table.render(width: width) }
            // Rows are complete now: drop the folder they all share and say it once in the header.
            let folder = StatsReport.commonFolder(table.rows.map { $0[column] })
            if !folder.isEmpty {
                for index in table.rows.indices { table.rows[index][column].removeFirst(folder.count) }
                table.headers[column] = "file (in \(folder))"
            }
            return table.render(width: width)
        }
    }
}
