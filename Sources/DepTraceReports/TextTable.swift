/// An aligned plain-text table for terminals: numbers right-aligned, text
/// left-aligned, text columns shortened with `…` to fit a width.
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
    /// until the table fits `width` characters (when it can).
    public func render(width: Int = 80) -> String {
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
        func line(_ cells: [String]) -> String {
            var text = ""
            for (column, cell) in cells.enumerated() {
                var fitted = cell
                if cell.count > widths[column] {
                    fitted = shortenedAtStart.contains(column)
                        ? "…" + String(cell.suffix(widths[column] - 1)) : String(cell.prefix(widths[column] - 1)) + "…"
                }
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
