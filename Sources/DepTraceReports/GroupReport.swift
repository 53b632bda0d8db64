import DepTrace

/// Group statistics (count, mean, median, p90, p99, sum per metric) as a table, CSV or JSON.
public enum GroupReport {
    /// The metrics a table shows per group; CSV and JSON carry every numeric metric.
    public static let tableMetrics = ["dep", "peak", "peak_kv", "resident_peak", "full_dep", "self_ratio", "output_tokens", "compressions", "evicted_tokens"]

    /// The statistics of each metric, in column order.
    enum Statistic: String, CaseIterable {
        case mean, median, p90, p99, sum

        var name: String { rawValue }

        func value(_ column: GroupSummary.Column) -> Double? {
            switch self {
            case .mean: column.mean
            case .median: column.median
            case .p90: column.p90
            case .p99: column.p99
            case .sum: column.sum
            }
        }
    }

    private static let statistics = Statistic.allCases

    private static func number(_ value: Double?) -> MetricValue {
        guard let value else { return .null }
        if value == value.rounded(), abs(value) < 9.0e15 { return .int(Int(value)) }
        return .double(value)
    }

    private static func label(_ group: GroupSummary) -> String {
        group.key.map { "\($0.name)=\($0.value ?? "-")" }.joined(separator: " ")
    }

    /// Renders `groups` in `format`.
    public static func render(_ groups: [GroupSummary], keys: [String], format: OutputFormat, width: Int = Int.max) -> String {
        switch format {
        case .table:
            if groups.isEmpty { return "no trace analysed\n" }
            var output = ""
            for group in groups {
                var heading = "\(label(group)): \(group.count) trace\(group.count == 1 ? "" : "s")"
                if group.accuracy != nil { heading += ", accuracy \(MetricFormatting.accuracyText(group.accuracy))" }
                output += heading + "\n"
                var table = TextTable(headers: ["  metric"] + statistics.map(\.name), alignments: [.left] + statistics.map { _ in .right })
                for column in group.columns where tableMetrics.contains(column.metric) {
                    table.append(["  " + column.metric] + statistics.map { MetricFormatting.table(number($0.value(column))) })
                }
                output += table.render(width: width) + "\n"
            }
            return output
        case .csv:
            let metrics = groups.first?.columns.map(\.metric) ?? GroupSummary.summarisedMetrics
            var header = keys + ["count", "accuracy"]
            for metric in metrics { header += statistics.map { "\(metric)_\($0.name)" } }
            var output = CSVWriter.row(header)
            for group in groups {
                var fields = group.key.map { $0.value ?? "" } + [String(group.count), MetricFormatting.csv(MetricFormatting.accuracyPercent(group.accuracy).map(MetricValue.double) ?? .null)]
                for column in group.columns { fields += statistics.map { MetricFormatting.csv(number($0.value(column))) } }
                output += CSVWriter.row(fields)
            }
            return output
        case .json:
            var output = "["
            for (offset, group) in groups.enumerated() {
                output += offset == 0 ? "\n{" : ",\n{"
                for member in group.key {
                    output += JSONEncoding.string(member.name) + ":" + (member.value.map(JSONEncoding.string) ?? "null") + ","
                }
                output += "\"count\":\(group.count),\"accuracy\":" + MetricFormatting.json(MetricFormatting.accuracyPercent(group.accuracy).map(MetricValue.double) ?? .null)
                output += ",\"metrics\":{"
                for (index, column) in group.columns.enumerated() {
                    if index > 0 { output += "," }
                    output += JSONEncoding.string(column.metric) + ":{\"count\":\(column.count)"
                    for statistic in statistics {
                        output += ",\"\(statistic.name)\":" + MetricFormatting.json(number(statistic.value(column)))
                    }
                    output += "}"
                }
                output += "}}"
            }
            return output + (groups.isEmpty ? "]\n" : "\n]\n")
        }
    }
}
