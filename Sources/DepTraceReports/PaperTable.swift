/// A table shaped like Table 1 of the LightThinker paper: one row per method,
/// column groups (datasets) of numeric columns, rendered as a booktabs LaTeX
/// table or a Markdown table, with the best value of a column in bold and
/// the second underlined when asked.
public struct PaperTable: Sendable {
    /// Which value of a column is best.
    public enum Better: Sendable { case higher, lower, none }

    public struct Column: Sendable {
        public var title: String
        public var better: Better
        public init(_ title: String, better: Better = .none) {
            self.title = title
            self.better = better
        }
    }

    /// A cell: its number (for highlighting) and its text.
    public struct Cell: Sendable {
        public var value: Double?
        public var text: String
        public init(_ value: Double?, _ text: String) {
            self.value = value
            self.text = text
        }
        public static let empty = Cell(nil, "")
    }

    public var caption: String
    public var rowHeader: String
    /// Column groups in order; a single group with an empty title has no group header row.
    public var groups: [(title: String, columns: [Column])]
    public var rows: [(label: String, cells: [Cell])]

    public init(caption: String, rowHeader: String, groups: [(title: String, columns: [Column])], rows: [(label: String, cells: [Cell])] = []) {
        self.caption = caption
        self.rowHeader = rowHeader
        self.groups = groups
        self.rows = rows
    }

    private var columns: [Column] { groups.flatMap(\.columns) }
    private var hasGroupRow: Bool { groups.count > 1 || groups.contains { !$0.title.isEmpty } }

    /// For each cell, 1 for the best of its column, 2 for the second, 0 otherwise.
    func ranks(highlight: Bool) -> [[Int]] {
        var ranks = rows.map { $0.cells.map { _ in 0 } }
        guard highlight else { return ranks }
        for (index, column) in columns.enumerated() where column.better != .none {
            var distinct: [Double] = []
            for row in rows { if index < row.cells.count, let value = row.cells[index].value, value.isFinite, !distinct.contains(value) { distinct.append(value) } }
            distinct.sort()
            if column.better == .higher { distinct.reverse() }
            for (rowIndex, row) in rows.enumerated() where index < row.cells.count {
                guard let value = row.cells[index].value, let position = distinct.firstIndex(of: value), position < 2 else { continue }
                // A column of one distinct value has no best worth marking.
                if distinct.count > 1 { ranks[rowIndex][index] = position + 1 }
            }
        }
        return ranks
    }

    /// A booktabs `table` environment (needs `\usepackage{booktabs}`).
    /// - Parameter highlight: best value per column in bold, second underlined.
    public func latex(highlight: Bool = false) -> String {
        let ranks = ranks(highlight: highlight)
        let spec = "l" + groups.map { String(repeating: "r", count: $0.columns.count) }.joined(separator: " ")
        var lines = ["\\begin{table}[t]", "\\centering", "\\caption{\(TextEscaping.latex(caption))}", "\\begin{tabular}{\(spec)}", "\\toprule"]
        if hasGroupRow {
            var cells = [""], rules: [String] = []
            var start = 2
            for group in groups {
                let width = group.columns.count
                cells.append("\\multicolumn{\(width)}{c}{\(TextEscaping.latex(group.title))}")
                rules.append("\\cmidrule(lr){\(start)-\(start + width - 1)}")
                start += width
            }
            lines.append(cells.joined(separator: " & ") + " \\\\")
            lines.append(rules.joined(separator: " "))
        }
        lines.append(([TextEscaping.latex(rowHeader)] + columns.map { TextEscaping.latex($0.title) }).joined(separator: " & ") + " \\\\")
        lines.append("\\midrule")
        for (rowIndex, row) in rows.enumerated() {
            let cells = row.cells.enumerated().map { index, cell -> String in
                let text = cell.value == nil && cell.text.isEmpty ? "--" : TextEscaping.latex(cell.text)
                switch ranks[rowIndex][index] {
                case 1: return "\\textbf{\(text)}"
                case 2: return "\\underline{\(text)}"
                default: return text
                }
            }
            lines.append(([TextEscaping.latex(row.label)] + cells).joined(separator: " & ") + " \\\\")
        }
        lines += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A GitHub-flavoured Markdown table; column groups prefix the column titles.
    /// - Parameter highlight: best value per column in bold, second underlined (`<u>`).
    public func markdown(highlight: Bool = false) -> String {
        let ranks = ranks(highlight: highlight)
        let titles = groups.flatMap { group in group.columns.map { group.title.isEmpty ? $0.title : "\(group.title) \($0.title)" } }
        var lines = ["| " + ([rowHeader] + titles).map(TextEscaping.markdown).joined(separator: " | ") + " |",
                     "| " + (["---"] + titles.map { _ in "---:" }).joined(separator: " | ") + " |"]
        for (rowIndex, row) in rows.enumerated() {
            let cells = row.cells.enumerated().map { index, cell -> String in
                let text = cell.value == nil && cell.text.isEmpty ? "–" : TextEscaping.markdown(cell.text)
                switch ranks[rowIndex][index] {
                case 1: return "**\(text)**"
                case 2: return "<u>\(text)</u>"
                default: return text
                }
            }
            lines.append("| " + ([TextEscaping.markdown(row.label)] + cells).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Fraction digits that show the smallest non-zero magnitude of `values` with
    /// two significant digits, between `minimum` and 6: one precision per column.
    public static func decimals(for values: [Double], minimum: Int) -> Int {
        guard let smallest = values.filter({ $0.isFinite && $0 != 0 }).map(abs).min() else { return minimum }
        var decimals = minimum
        var threshold = 10.0
        for _ in 0..<minimum { threshold /= 10 }
        while smallest < threshold, decimals < 6 {
            decimals += 1
            threshold /= 10
        }
        return decimals
    }
}
