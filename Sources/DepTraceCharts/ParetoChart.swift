import DepTrace

/// The `pareto` chart: accuracy (share of `correct: true`) against the mean
/// of a metric per group, the non-dominated groups joined: less Dep and more
/// accuracy is better.
public enum ParetoChart {
    /// One group's point.
    public struct Entry: Sendable, Hashable {
        public var name: String
        /// Traces in the group, and those whose `end` says `correct` either way.
        public var count: Int
        public var judged: Int
        public var mean: Double
        /// Share of judged traces that are correct, 0...1.
        public var accuracy: Double
        /// No other group has a mean at most this one's and an accuracy at
        /// least this one's with one of the two strictly better.
        public var nonDominated: Bool
    }

    public static func defaultTitle(metric: String) -> String { "Accuracy against mean \(metric)" }

    /// The groups with an accuracy, in order of first appearance; the groups
    /// without one are counted in `unjudged`.
    public static func entries(_ outcomes: [TraceOutcome], keys: [String], metric: String) -> (entries: [Entry], unjudged: [String]) {
        let groups = GroupSummary.group(outcomes, by: keys, metrics: [metric])
        var entries: [Entry] = [], unjudged: [String] = []
        for group in groups {
            let name = group.key.map { $0.value ?? "(none)" }.joined(separator: ", ")
            let judged = outcomes.filter { outcome in
                keys.map { outcome.header?.text(forKey: $0) } == group.key.map(\.value) && outcome.metrics?.correct != nil
            }.count
            guard let accuracy = group.accuracy, let mean = group.columns.first?.mean else {
                unjudged.append(name)
                continue
            }
            entries.append(Entry(name: name, count: group.count, judged: judged, mean: mean, accuracy: accuracy, nonDominated: false))
        }
        for index in entries.indices {
            let entry = entries[index]
            entries[index].nonDominated = !entries.contains { other in
                other.mean <= entry.mean && other.accuracy >= entry.accuracy && (other.mean < entry.mean || other.accuracy > entry.accuracy)
            }
        }
        return (entries, unjudged)
    }

    public static func layout(_ entries: [Entry], unjudged: [String], metric: String, title: String, width: Double, height: Double) -> Scene {
        let legend = entries.enumerated().map { ChartFrame.LegendEntry(name: DepChart.clipped($0.element.name, 48), color: Palette.color($0.offset)) }
        let frame = ChartFrame(width: width, height: height, title: title, legend: legend.count > 1 ? legend : [])
        let p = frame.plot
        let top = entries.map(\.mean).max() ?? 1
        let x = NiceScale(minimum: 0, maximum: top * 1.1, ticks: Swift.max(2, Int(width / 110)), pixels: p.left...p.right)
        let y = NiceScale(minimum: 0, maximum: 1, ticks: 5, pixels: p.top...p.bottom, reversed: true)
        let axes = frame.axes(x: x, y: y, xLabel: "mean \(MetricUnit.label(metric)) per trace", yLabel: "accuracy (share of correct traces)", yFormat: { NumberFormat.fixed($0 * 100, decimals: 0) + "%" })
        let front = entries.filter(\.nonDominated).sorted { $0.mean < $1.mean }
        var frontGroup = MarkGroup(className: "pareto-front", title: "non-dominated: " + front.map(\.name).joined(separator: ", "))
        frontGroup.marks.append(.path(front.map { Point(x.position($0.mean), y.position($0.accuracy)) }, closed: false, Style(stroke: Palette.ink, strokeWidth: 1.5, dash: "5 3")))
        var seriesGroups = [frontGroup]
        var placed: [(left: Double, right: Double, y: Double)] = []
        for (index, entry) in entries.enumerated() {
            let center = Point(x.position(entry.mean), y.position(entry.accuracy))
            let color = Palette.color(index)
            let label = "\(DepChart.clipped(entry.name, 28)) (\(NumberFormat.fixed(entry.accuracy * 100, decimals: 1))%, \(NumberFormat.si(entry.mean)))"
            let labelWidth = TextWidth.of(label, size: 11)
            // Labels go right of the point unless they would leave the plot.
            let leftSide = center.x + 8 + labelWidth > p.right
            var labelY = entry.accuracy > 0.95 ? center.y + 16 : center.y - 8
            let left = leftSide ? center.x - 8 - labelWidth : center.x + 8, right = left + labelWidth + 8
            // Groups with equal accuracy put labels side by side: move one down (or up) until clear.
            while placed.contains(where: { abs($0.y - labelY) < 13 && $0.left < right && left < $0.right }) {
                labelY += entry.accuracy > 0.95 ? 14 : -14
            }
            placed.append((left, right, labelY))
            seriesGroups.append(MarkGroup(className: "series", id: "series-\(index)", title: "\(entry.name): \(entry.judged) of \(entry.count) traces judged", marks: [
                .circle(center: center, radius: entry.nonDominated ? 5.5 : 4.5, Style(fill: entry.nonDominated ? color : "#FFFFFF", stroke: color, strokeWidth: 2)),
                .text(label, at: Point(leftSide ? center.x - 8 : center.x + 8, labelY), TextStyle(size: 11, anchor: leftSide ? .end : .start, fill: Palette.ink), className: "point-label"),
            ]))
        }
        var description = "Accuracy against mean \(metric) per group; filled points are non-dominated (no group has less \(metric) and more accuracy) and joined by the dashed line. "
            + entries.map { "\($0.name): \(NumberFormat.fixed($0.accuracy * 100, decimals: 2))% of \($0.judged), mean \(NumberFormat.si($0.mean))\($0.nonDominated ? ", non-dominated" : "")" }.joined(separator: "; ") + "."
        if !unjudged.isEmpty { description += " Without correct/incorrect claims, not drawn: " + unjudged.joined(separator: ", ") + "." }
        return Scene(width: width, height: height, title: title, description: description,
                     groups: [frame.header(), axes, MarkGroup(className: "plot", children: seriesGroups)])
    }

    public static func csv(_ entries: [Entry], metric: String) -> String {
        var text = "group,traces,judged,accuracy,mean_\(metric),non_dominated\n"
        for entry in entries {
            text += "\(CSV.field(entry.name)),\(entry.count),\(entry.judged),\(NumberFormat.exact(entry.accuracy)),\(NumberFormat.exact(entry.mean)),\(entry.nonDominated)\n"
        }
        return text
    }
}
