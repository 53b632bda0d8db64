import DepTrace
import DepTraceCharts

/// The charts of a study folder, drawn by DepTraceCharts from the same
/// traces as the tables.
enum StudyCharts {
    static let width = 800.0
    static let height = 450.0

    /// A group's name as the notebook's code writes it: its key values, `(none)` where missing.
    static func groupName(_ values: [String?]) -> String {
        values.map { $0 ?? "(none)" }.joined(separator: ", ")
    }

    /// The trace of median Dep in each group (the lower of the two middle
    /// ones; equal Deps in input order), groups in order of first appearance.
    static func medianTraces(_ traces: [StudyTrace], keys: [String]) -> [(group: String, trace: StudyTrace)] {
        var order: [[String?]] = []
        var members: [[String?]: [StudyTrace]] = [:]
        for trace in traces where trace.outcome.isAnalysed {
            let values = keys.map { trace.outcome.header?.text(forKey: $0) }
            if members[values] == nil { order.append(values) }
            members[values, default: []].append(trace)
        }
        return order.compactMap { values in
            let sorted = (members[values] ?? []).enumerated().sorted { left, right in
                let (a, b) = (dep(left.element), dep(right.element))
                return a != b ? a < b : left.offset < right.offset
            }
            guard !sorted.isEmpty else { return nil }
            return (groupName(values), sorted[(sorted.count - 1) / 2].element)
        }
    }

    private static func dep(_ trace: StudyTrace) -> Double {
        trace.outcome.metrics?.dep.doubleValue ?? 0
    }

    static let timelineTitle = "Tokens in context per step: the trace of median Dep in each group"

    /// The overlay of each group's median-Dep trace.
    static func timeline(_ traces: [StudyTrace], keys: [String]) -> Scene? {
        let series = medianTraces(traces, keys: keys).compactMap { group, trace -> TimelineSeries? in
            guard var series = trace.timeline else { return nil }
            series.name = group
            return series
        }
        guard !series.isEmpty else { return nil }
        return TimelineChart.layout(series, title: timelineTitle, width: width, height: height, streamLabel: "mean over streams")
    }

    static func meanTitle(_ metric: String, keys: [String]) -> String {
        DepChart.defaultTitle(metric: metric, keys: keys)
    }

    /// Mean of `metric` per group with DepTrace's seeded bootstrap whiskers.
    static func mean(_ outcomes: [TraceOutcome], keys: [String], metric: String, seed: UInt64) -> Scene? {
        let bars = DepChart.groups(outcomes, keys: keys, metric: metric, seed: seed)
        guard !bars.isEmpty else { return nil }
        return DepChart.layout(bars, keys: keys, metric: metric, title: meanTitle(metric, keys: keys), width: width, height: height)
    }

    static func distributionTitle(_ metric: String) -> String {
        HistogramChart.defaultTitle(quantity: MetricUnit.name(metric), cdf: true)
    }

    /// The cumulative distribution of `metric`, one line per group.
    static func distribution(_ outcomes: [TraceOutcome], keys: [String], metric: String) -> Scene? {
        let series = HistogramChart.metricSeries(outcomes, keys: keys, metric: metric)
        guard !series.allSatisfy(\.values.isEmpty) else { return nil }
        return HistogramChart.layout(series, quantity: MetricUnit.label(metric), cdf: true, title: distributionTitle(metric), width: width, height: height, keys: keys)
    }

    static let paretoTitle = ParetoChart.defaultTitle(metric: "dep")

    /// Accuracy against mean Dep per group; nil when no trace says whether it is correct.
    static func pareto(_ outcomes: [TraceOutcome], keys: [String]) -> Scene? {
        let (entries, unjudged) = ParetoChart.entries(outcomes, keys: keys, metric: "dep")
        guard !entries.isEmpty else { return nil }
        return ParetoChart.layout(entries, unjudged: unjudged, metric: "dep", title: paretoTitle, width: width, height: height)
    }

    /// A scene's SVG bytes.
    static func svg(_ scene: Scene) throws(ExportError) -> [UInt8] {
        do {
            return try SVGRenderer.render(scene)
        } catch {
            throw ExportError(description: "cannot render the chart '\(scene.title)': \(error)")
        }
    }
}
