/// Builds ``GroupSummary`` values one trace at a time, keeping per group and
/// metric only the distinct values and how often each occurs: the same
/// statistics as ``GroupSummary/group(_:by:metrics:)`` gives from a list of
/// every trace, bit for bit, in memory that grows with the distinct values,
/// not the traces (millions of traces of a few shapes cost little).
public struct GroupAccumulator: Sendable {
    public let keys: [String]
    public let metrics: [String]
    private var order: [[String?]] = []
    private var groups: [[String?]: Group] = [:]
    /// Header keys with a non-null value in at least one trace added, in order of first appearance.
    public private(set) var availableKeys: [String] = []
    private var seenKeys = Set<String>()

    private struct Group: Sendable {
        var count = 0
        /// Per metric (in `metrics` order): value → how many traces have it.
        var values: [[Double: Int]]
        var judged = 0
        var correct = 0
    }

    public init(keys: [String], metrics: [String] = GroupSummary.summarisedMetrics) {
        self.keys = keys
        self.metrics = metrics
    }

    /// Adds one trace; traces without metrics are ignored.
    /// - Complexity: O(metrics + header keys), amortised.
    public mutating func add(_ outcome: TraceOutcome) {
        guard let traceMetrics = outcome.metrics else { return }
        if let header = outcome.header {
            for field in header.fields where field.value != .null && seenKeys.insert(field.key).inserted {
                availableKeys.append(field.key)
            }
        }
        let key = keys.map { outcome.header?.text(forKey: $0) }
        if groups[key] == nil {
            order.append(key)
            groups[key] = Group(values: Array(repeating: [:], count: metrics.count))
        }
        // Updated in place: a copy of the group would copy its dictionaries.
        groups[key]?.count += 1
        for (index, name) in metrics.enumerated() {
            guard let value = traceMetrics.value(named: name)?.doubleValue else { continue }
            groups[key]?.values[index][value, default: 0] += 1
        }
        if let correct = traceMetrics.correct {
            groups[key]?.judged += 1
            if correct { groups[key]?.correct += 1 }
        }
    }

    /// The groups in order of first appearance, summarised as ``GroupSummary/group(_:by:metrics:)`` does.
    /// - Complexity: O(distinct values × log(distinct values) + traces) per metric.
    public func summaries() -> [GroupSummary] {
        order.compactMap { key in
            guard let group = groups[key] else { return nil }
            let columns = metrics.indices.map { index in
                Self.column(metrics[index], counts: group.values[index])
            }
            let accuracy = group.judged == 0 ? nil : Double(group.correct) / Double(group.judged)
            return GroupSummary(key: zip(keys, key).map { (name: $0.0, value: $0.1) }, count: group.count, columns: columns, accuracy: accuracy)
        }
    }

    /// The column of one metric from its value counts, with the additions done
    /// in the same order as over the sorted list of every value.
    static func column(_ metric: String, counts: [Double: Int]) -> GroupSummary.Column {
        let distinct = counts.keys.sorted()
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return GroupSummary.Column(metric: metric, count: 0, mean: nil, median: nil, p90: nil, p99: nil, sum: nil) }
        var sum = 0.0
        var kahan = 0.0, compensation = 0.0
        for value in distinct {
            for _ in 0..<(counts[value] ?? 0) {
                sum += value
                let y = value - compensation
                let t = kahan + y
                compensation = (t - kahan) - y
                kahan = t
            }
        }
        /// The value at 0-based `rank` of the sorted list.
        func value(at rank: Int) -> Double {
            var seen = 0
            for value in distinct {
                seen += counts[value] ?? 0
                if rank < seen { return value }
            }
            return distinct[distinct.count - 1]
        }
        func quantile(_ q: Double) -> Double {
            let position = Double(total - 1) * q
            let lower = Int(position.rounded(.down))
            let upper = Swift.min(lower + 1, total - 1)
            let fraction = position - Double(lower)
            let low = value(at: lower)
            if fraction == 0 || lower == upper { return low }
            return low + (value(at: upper) - low) * fraction
        }
        return GroupSummary.Column(
            metric: metric, count: total, mean: kahan / Double(total), median: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), sum: sum)
    }
}
