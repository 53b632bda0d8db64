/// An aligned plain-text table for terminals: numbers right-aligned, text
/// left-aligned, text columns shortened with `…` to fit a width, control
/// characters written as escapes (``TextEscaping/terminal(_:)``).
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public var headers: [String]
    public var alignments: [Alignment]
    /// Columns shortened at their start rather than their end (paths, whose end says most).
    public var shortenedAtStart: Set<Int>
    public var rows: [[String]] = []

    public init(headers: [String], alignments: [Alignment], shortenedAtStart: Set<Int> = []) {
        self.headers = headers
        self.alignments = alignments
        self.shortenedAtStart = shortenedAtStart
    }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as lines; left-aligned columns are shortened, widest first,
    /// until the table fits `width` characters (when it can), but never so far
    /// that two different values of a column read the same.
    ///
    /// - Parameter width: the most characters a line may take; `Int.max` (what
    ///   a file or a pipe gets) never shortens anything.
    public func render(width: Int = Int.max) -> String {
        // Cells quote trace data: a line break or an escape sequence would break rows or drive the terminal.
        let headers = self.headers.map(TextEscaping.terminal)
        let rows = self.rows.map { $0.map(TextEscaping.terminal) }
        let gap = 2
        var widths = headers.indices.map { column in
            rows.reduce(headers[column].count) { Swift.max($0, $1[column].count) }
        }
        var total: Int { widths.reduce(0, +) + gap * Swift.max(widths.count - 1, 0) }
        // Shorten the widest text column one character at a time, so long columns share the loss.
        while total > width {
            let candidates = widths.indices.filter { alignments[$0] == .left && widths[$0] > Swift.max(headers[$0].count, 8) }
            guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] -= 1
        }
        func fit(_ cell: String, _ column: Int, _ width: Int) -> String {
            guard cell.count > width else { return cell }
            return shortenedAtStart.contains(column) ? "…" + String(cell.suffix(width - 1)) : String(cell.prefix(width - 1)) + "…"
        }
        // A shortened column widens again until its distinct values stay distinct.
        for column in widths.indices {
            let values = Set(rows.map { $0[column] })
            let full = values.reduce(headers[column].count) { Swift.max($0, $1.count) }
            while widths[column] < full, Set(values.map { fit($0, column, widths[column]) }).count < values.count {
                widths[column] += 1
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (column, cell) in cells.enumerated() {
                let fitted = fit(cell, column, widths[column])
                let padding = String(repeating: " ", count: widths[column] - fitted.count)
                let last = column == cells.count - 1
                switch alignments[column] {
                case .left: text += fitted + (last ? "" : padding)
                case .right: text += padding + fitted
                }
                if !last { text += String(repeating: " ", count: gap) }
            }
            return text
        }
        var output = line(headers) + "\n"
        for row in rows { output += line(row) + "\n" }
        return output
    }
}
