/// Statistics of per-trace metrics over a group of traces sharing header values.
public struct GroupSummary: Sendable {
    /// Summary of one metric over the group.
    public struct Column: Sendable, Hashable {
        public var metric: String
        /// Traces with a value for this metric.
        public var count: Int
        public var mean: Double?
        public var median: Double?
        public var p90: Double?
        public var p99: Double?
        public var sum: Double?
    }

    /// The grouping keys and this group's values (nil where a trace lacks the key).
    public var key: [(name: String, value: String?)]
    /// Traces in the group.
    public var count: Int
    public var columns: [Column]
    /// Share of traces whose `end` says `correct: true`, among those that say either.
    public var accuracy: Double?

    /// The metrics summarised for groups: the numeric ones of docs/METRICS.md.
    public static let summarisedMetrics = MetricCatalog.names.filter { !["complete", "correct"].contains($0) }

    /// Groups `outcomes` (analysed ones only) by the header keys `keys`, in
    /// order of first appearance, and summarises each group.
    public static func group(_ outcomes: [TraceOutcome], by keys: [String], metrics: [String] = summarisedMetrics) -> [GroupSummary] {
        var order: [[String?]] = []
        var members: [[String?]: [TraceMetrics]] = [:]
        for outcome in outcomes {
            guard let metrics = outcome.metrics else { continue }
            let values = keys.map { outcome.header?.text(forKey: $0) }
            if members[values] == nil { order.append(values) }
            members[values, default: []].append(metrics)
        }
        return order.map { values in
            let traces = members[values] ?? []
            let columns = metrics.map { name -> Column in
                let numbers = traces.compactMap { $0.value(named: name)?.doubleValue }.sorted()
                var sum = 0.0
                for number in numbers { sum += number }
                return Column(
                    metric: name, count: numbers.count, mean: Statistics.mean(numbers),
                    median: Statistics.quantile(sorted: numbers, 0.5), p90: Statistics.quantile(sorted: numbers, 0.9),
                    p99: Statistics.quantile(sorted: numbers, 0.99), sum: numbers.isEmpty ? nil : sum)
            }
            let judged = traces.compactMap(\.correct)
            let accuracy = judged.isEmpty ? nil : Double(judged.filter { $0 }.count) / Double(judged.count)
            return GroupSummary(key: Array(zip(keys, values)).map { (name: $0.0, value: $0.1) }, count: traces.count, columns: columns, accuracy: accuracy)
        }
    }
}
