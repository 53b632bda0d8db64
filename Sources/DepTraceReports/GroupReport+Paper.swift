import DepTrace

extension GroupReport {
    /// Groups as Table 1 of the LightThinker paper: rows are the values of the
    /// first key (methods), column groups the values of the second (datasets),
    /// columns Acc (%), Time (h, summed over the group's traces), Peak (mean)
    /// and Dep (mean, in millions).
    public static func paperTable(_ groups: [GroupSummary], keys: [String]) -> PaperTable {
        var rowOrder: [String] = [], columnOrder: [String] = []
        var cells: [String: [String: GroupSummary]] = [:]
        for group in groups {
            let row = group.key.first?.value ?? "-"
            let column = group.key.count > 1 ? group.key.dropFirst().map { $0.value ?? "-" }.joined(separator: " / ") : ""
            if !rowOrder.contains(row) { rowOrder.append(row) }
            if !columnOrder.contains(column) { columnOrder.append(column) }
            cells[row, default: [:]][column] = group
        }
        func column(_ group: GroupSummary?, _ metric: String) -> GroupSummary.Column? { group?.columns.first { $0.metric == metric } }
        func values(_ metric: String, _ pick: (GroupSummary.Column) -> Double?) -> [Double] {
            groups.compactMap { column($0, metric).flatMap(pick) }
        }
        let timeDecimals = PaperTable.decimals(for: values("time_ns", \.sum).map { $0 / 3.6e12 }, minimum: 2)
        let depDecimals = PaperTable.decimals(for: values("dep", \.mean).map { $0 / 1e6 }, minimum: 1)
        let columns: [PaperTable.Column] = [.init("Acc (%)", better: .higher), .init("Time (h)", better: .lower), .init("Peak", better: .lower), .init("Dep (M)", better: .lower)]
        let caption = "Accuracy, time (hours, summed over traces), mean peak tokens in context and mean Dep (millions) per \(keys.joined(separator: " and "))."
        var table = PaperTable(caption: caption, rowHeader: keys.first.map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "Group",
                               groups: columnOrder.map { (title: $0, columns: columns) })
        for row in rowOrder {
            var rowCells: [PaperTable.Cell] = []
            for columnKey in columnOrder {
                let group = cells[row]?[columnKey]
                let accuracy = MetricFormatting.accuracyPercent(group?.accuracy)
                let time = column(group, "time_ns")?.sum.map { $0 / 3.6e12 }
                let peak = column(group, "peak")?.mean
                let dep = column(group, "dep")?.mean.map { $0 / 1e6 }
                rowCells.append(PaperTable.Cell(accuracy, accuracy.map(MetricFormatting.accuracyNumber) ?? ""))
                rowCells.append(PaperTable.Cell(time, time.map { MetricFormatting.fixed($0, decimals: timeDecimals, trimmingZeros: false) } ?? ""))
                rowCells.append(PaperTable.Cell(peak.map { $0.rounded() }, peak.map { MetricFormatting.fixed($0, decimals: 0) } ?? ""))
                rowCells.append(PaperTable.Cell(dep, dep.map { MetricFormatting.fixed($0, decimals: depDecimals, trimmingZeros: false) } ?? ""))
            }
            table.rows.append((row, rowCells))
        }
        return table
    }
}
