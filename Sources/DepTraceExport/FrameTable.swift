import DepTrace
import DepTraceReports

/// A table shown as a notebook cell's result, read from the CSV text the
/// export wrote and laid out the way pandas shows the same columns after
/// `pd.read_csv` (with `display.precision = 2`): an index column, a column's
/// type inferred from all its fields, floats to two decimals, `NaN` for
/// missing values, and only the first and last five rows of a frame longer
/// than 60. What a reader sees saved and what a rerun shows then agree.
struct FrameTable: Sendable {
    var columns: [String]
    var rows: [[String]]
    /// Columns read as text whatever they hold (pandas `dtype=str`).
    var textColumns: Set<String>

    /// pandas' `display.max_rows` and half of `display.min_rows`.
    static let maximumRows = 60
    static let shownAtEachEnd = 5

    /// The fields pandas reads as missing by default.
    static let missing: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
        "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// `columns` of the CSV `text` (a header line, then records), in that order.
    /// - Throws: ``ExportError`` when a column is not in the CSV.
    init(csv text: String, columns: [String], textColumns: Set<String> = []) throws(ExportError) {
        let records = CSVReader.records(text)
        let header = records.first ?? []
        var indices: [Int] = []
        for column in columns {
            guard let index = header.firstIndex(of: column) else { throw ExportError(description: "internal: no column '\(column)' in a table of the export") }
            indices.append(index)
        }
        self.columns = columns
        self.rows = records.dropFirst().map { record in indices.map { $0 < record.count ? record[$0] : "" } }
        self.textColumns = textColumns
    }

    private enum ColumnKind { case integer, float, boolean, text }

    /// What pandas reads as `True` and `False`.
    static let booleans: Set<String> = ["True", "TRUE", "true", "False", "FALSE", "false"]

    private func kind(_ column: Int) -> ColumnKind {
        if textColumns.contains(columns[column]) { return .text }
        let fields = rows.map { $0[column] }.filter { !FrameTable.missing.contains($0) }
        let anyMissing = fields.count < rows.count
        if fields.isEmpty { return .float }
        if fields.allSatisfy({ Int($0) != nil }) { return anyMissing ? .float : .integer }
        if fields.allSatisfy({ Double($0) != nil }) { return .float }
        if fields.allSatisfy(FrameTable.booleans.contains) { return .boolean }
        return .text
    }

    /// A column's fields as pandas shows them. Floats: two decimals, the
    /// trailing zeros all of them share trimmed to one; scientific notation
    /// (`7.65e+05`) for every field when one is above 1e6 or below 0.01.
    private func display(_ fields: [String], _ kind: ColumnKind) -> [String] {
        let missing = fields.map { FrameTable.missing.contains($0) }
        switch kind {
        case .integer:
            return fields
        case .text:
            return zip(fields, missing).map { $1 ? "NaN" : $0 }
        case .boolean:
            // Missing or not, pandas reads true and false as Booleans.
            return zip(fields, missing).map { $1 ? "NaN" : ($0.lowercased() == "true" ? "True" : "False") }
        case .float:
            let values = zip(fields, missing).map { $1 ? nil : Double($0) }
            let magnitudes = values.compactMap { $0.map(abs) }
            let scientific = magnitudes.contains { $0 > 1e6 } || magnitudes.contains { $0 > 0 && $0 < 0.01 }
            // printf rounds the exact binary value half to even, as Python's format does.
            var texts = values.map { value in value.map { PrintfFormat.string(scientific ? "%.2e" : "%.2f", $0) } }
            func trimmable(_ text: String) -> Bool {
                guard text.hasSuffix("0"), let dot = text.firstIndex(of: ".") else { return false }
                return text.distance(from: dot, to: text.endIndex) > 2
            }
            while !scientific, texts.contains(where: { $0 != nil }), texts.allSatisfy({ $0.map(trimmable) ?? true }) {
                texts = texts.map { $0.map { String($0.dropLast()) } }
            }
            return texts.map { $0 ?? "NaN" }
        }
    }

    /// The rows shown, as text, each with its row number (nil for the `...` row).
    private func shownRows() -> (rows: [(index: Int?, cells: [String])], truncated: Bool) {
        let columnTexts = columns.indices.map { column in display(rows.map { $0[column] }, kind(column)) }
        func row(_ index: Int) -> (index: Int?, cells: [String]) {
            (index, columns.indices.map { columnTexts[$0][index] })
        }
        guard rows.count > FrameTable.maximumRows else { return (rows.indices.map(row), false) }
        let head = (0..<FrameTable.shownAtEachEnd).map(row)
        let tail = (rows.count - FrameTable.shownAtEachEnd..<rows.count).map(row)
        return (head + [(nil, columns.map { _ in "..." })] + tail, true)
    }

    private var dimensions: String { "\(rows.count) rows × \(columns.count) columns" }

    /// The table as HTML, every text escaped.
    func html() -> String {
        let (shown, truncated) = shownRows()
        var output = "<div>\n<table border=\"1\" class=\"dataframe\">\n  <thead>\n    <tr style=\"text-align: right;\">\n      <th></th>\n"
        for column in columns { output += "      <th>\(HTML.escaped(column))</th>\n" }
        output += "    </tr>\n  </thead>\n  <tbody>\n"
        for (index, cells) in shown {
            output += "    <tr>\n      <th>\(index.map(String.init) ?? "...")</th>\n"
            for cell in cells { output += "      <td>\(HTML.escaped(cell))</td>\n" }
            output += "    </tr>\n"
        }
        output += "  </tbody>\n</table>\n"
        if truncated { output += "<p>\(dimensions)</p>\n" }
        return output + "</div>"
    }

    /// The table as aligned text, for front ends that show no HTML.
    func plainText() -> String {
        let (shown, truncated) = shownRows()
        let kinds = columns.indices.map(kind)
        var table = TextTable(headers: [""] + columns, alignments: [.left] + kinds.map { $0 == .text ? .left : .right })
        for (index, cells) in shown { table.append([index.map(String.init) ?? "..."] + cells) }
        var text = table.render(width: Int.max)
        if truncated { text += "\n[\(dimensions)]\n" }
        return String(text.dropLast(text.hasSuffix("\n") ? 1 : 0))
    }
}

/// Reads the RFC 4180 CSV that ``DepTraceReports/CSVWriter`` writes.
enum CSVReader {
    /// The records of `text`: fields unquoted, `""` inside quotes read as `"`.
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = text.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" { field.append("\""); pending = characters.next() } else { quoted = false }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"": quoted = true
            case ",": record.append(field); field = ""
            case "\n", "\r\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default: field.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}

/// HTML escaping of text for element content, as pandas' `to_html` escapes
/// cells (`&`, `<`, `>`; quotes need escaping only in attributes, which these
/// tables do not fill with text), so a saved table equals a rerun one.
enum HTML {
    static func escaped(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            default: output.append(character)
            }
        }
        return output
    }
}
