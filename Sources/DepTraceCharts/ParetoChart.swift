import DepTrace

/// The `pareto` chart: accuracy (share of `correct: true`) against the mean
/// of a metric per group, both over the same traces (those whose end record
/// says `correct` either way); the non-dominated groups are joined: less Dep
/// and more accuracy is better.
public enum ParetoChart {
    /// One group's point.
    public struct Entry: Sendable, Hashable {
        public var name: String
        /// Traces in the group, and those whose `end` says `correct` either
        /// way: the traces both the accuracy and the mean are taken over.
        public var count: Int
        public var judged: Int
        /// The mean of the metric over the judged traces.
        public var mean: Double
        /// Share of judged traces that are correct, 0...1.
        public var accuracy: Double
        /// No other group has a mean at most this one's and an accuracy at
        /// least this one's with one of the two strictly better.
        public var nonDominated: Bool
    }

    /// The default title: the metric's display name and the groups.
    public static func defaultTitle(metric: String, keys: [String] = ["method"], entries: [Entry] = []) -> String {
        let judged = entries.map(\.judged).reduce(0, +)
        let counted = entries.isEmpty ? "" : ", \(judged) judged trace\(judged == 1 ? "" : "s")"
        return "Accuracy against mean \(MetricUnit.name(metric)) per \(keys.joined(separator: " and "))\(counted)"
    }

    /// The groups with an accuracy, in `order`; the groups without one are named in `unjudged`.
    public static func entries(_ outcomes: [TraceOutcome], keys: [String], metric: String, order: GroupOrder = GroupOrder()) -> (entries: [Entry], unjudged: [String]) {
        var members: [String: (count: Int, correct: Int, values: [Double])] = [:]
        for outcome in outcomes {
            guard let metrics = outcome.metrics else { continue }
            let name = keys.map { outcome.header?.text(forKey: $0) ?? "(none)" }.joined(separator: ", ")
            members[name, default: (0, 0, [])].count += 1
            // Accuracy and mean over the same traces: those judged and with a value of the metric.
            guard let correct = metrics.correct, let value = metrics.value(named: metric)?.doubleValue else { continue }
            members[name, default: (0, 0, [])].values.append(value)
            if correct { members[name, default: (0, 0, [])].correct += 1 }
        }
        var entries: [Entry] = [], unjudged: [String] = []
        for name in order.ordered(Array(members.keys)) {
            guard let group = members[name] else { continue }
            guard !group.values.isEmpty else {
                unjudged.append(name)
                continue
            }
            let judged = group.values.count
            entries.append(Entry(name: name, count: group.count, judged: judged, mean: Statistics.mean(group.values) ?? 0,
                                 accuracy: Double(group.correct) / Double(judged), nonDominated: false))
        }
        for index in entries.indices {
            let entry = entries[index]
            entries[index].nonDominated = !entries.contains { other in
                other.mean <= entry.mean && other.accuracy >= entry.accuracy && (other.mean < entry.mean || other.accuracy > entry.accuracy)
            }
        }
        return (entries, unjudged)
    }

    /// The legend's words for an entry: its numbers, and the traces they are taken over.
    static func legendName(_ entry: Entry, metric: String) -> String {
        "\(DepChart.clipped(entry.name, 28)), \(entry.judged) of \(entry.count) traces judged: accuracy \(NumberFormat.percent(entry.accuracy)), mean \(MetricUnit.name(metric)) \(NumberFormat.si(entry.mean))"
    }

    public static func layout(_ entries: [Entry], unjudged: [String], metric: String, title: String, width: Double, height: Double) -> Scene {
        let styles = entries.indices.map { SeriesStyle.of($0) }
        let legend = entries.enumerated().map { ChartFrame.LegendEntry(name: legendName($0.element, metric: metric), style: styles[$0.offset], swatch: .marker, filled: $0.element.nonDominated) }
        var subtitle = "accuracy and mean over the same, judged traces (the end record says correct or not); filled: non-dominated"
        if !unjudged.isEmpty { subtitle += "; no judged trace: \(DepChart.clipped(unjudged.joined(separator: ", "), 40))" }
        let frame = ChartFrame(width: width, height: height, title: title, subtitle: subtitle, legend: legend)
        let p = frame.plot
        let top = entries.map(\.mean).max() ?? 1
        let x = NiceScale(minimum: 0, maximum: top * 1.1, ticks: Swift.max(2, Int(width / 110)), pixels: p.left...p.right)
        let y = NiceScale(minimum: 0, maximum: 1, ticks: 5, pixels: p.top...p.bottom, reversed: true)
        let axes = frame.axes(x: x, y: y, xLabel: "mean per judged trace: \(MetricUnit.label(metric))", yLabel: "accuracy (share of judged traces correct)", yFormat: { NumberFormat.fixed($0 * 100, decimals: 0) + "%" })
        let front = entries.filter(\.nonDominated).sorted { $0.mean < $1.mean }
        var frontGroup = MarkGroup(className: "pareto-front", title: "non-dominated: " + front.map(\.name).joined(separator: ", "))
        frontGroup.marks.append(.path(front.map { Point(x.position($0.mean), y.position($0.accuracy)) }, closed: false, Style(stroke: Palette.ink, strokeWidth: 1.2, dash: "5 3")))
        var seriesGroups = [frontGroup]
        // Name labels beside the points, where they fit clear of the others and of the plot's edges; the legend names every point anyway.
        var placed: [Box] = []
        for (index, entry) in entries.enumerated() {
            let center = Point(x.position(entry.mean), y.position(entry.accuracy))
            let style = styles[index]
            var marks: [Mark] = [ChartFrame.marker(style.marker, at: center, size: entry.nonDominated ? 5.5 : 4.5, Style(fill: entry.nonDominated ? style.color : "#FFFFFF", stroke: style.color, strokeWidth: 2))]
            let label = DepChart.clipped(entry.name, 28)
            let labelWidth = TextWidth.of(label, size: 11)
            let candidates: [(x: Double, y: Double, anchor: TextStyle.Anchor)] = [
                (center.x + 9, center.y - 6, .start), (center.x - 9, center.y - 6, .end),
                (center.x + 9, center.y + 14, .start), (center.x - 9, center.y + 14, .end),
            ]
            // The first place clear of the plot's edges and the other labels, preferring one the front's line does not cross.
            let frontPoints = front.map { Point(x.position($0.mean), y.position($0.accuracy)) }
            var chosen: (x: Double, y: Double, anchor: TextStyle.Anchor, box: Box)?
            for candidate in candidates {
                let left = candidate.anchor == .start ? candidate.x : candidate.x - labelWidth
                let box = Box(left: left, right: left + labelWidth, top: candidate.y - 11 * 0.8, bottom: candidate.y + 11 * 0.25)
                guard box.left >= p.left, box.right <= p.right, box.top >= p.top, box.bottom <= p.bottom else { continue }
                guard !placed.contains(where: { $0.intersects(box) }) else { continue }
                let crossed = zip(frontPoints, frontPoints.dropFirst()).contains { box.crossed(from: $0, to: $1) }
                if !crossed { chosen = (candidate.x, candidate.y, candidate.anchor, box); break }
                if chosen == nil { chosen = (candidate.x, candidate.y, candidate.anchor, box) }
            }
            if let chosen {
                placed.append(chosen.box)
                marks.append(.text(label, at: Point(chosen.x, chosen.y), TextStyle(size: 11, anchor: chosen.anchor, fill: Palette.ink), className: "point-label"))
            }
            seriesGroups.append(MarkGroup(className: "series", id: "series-\(index)", title: legendName(entry, metric: metric), marks: marks))
        }
        var description = "Accuracy against mean \(metric) per group, both over the traces whose end record says correct or not; filled points are non-dominated (no group has less \(metric) and more accuracy) and joined by the dashed line. "
            + entries.map { "\($0.name): \(NumberFormat.percent($0.accuracy)) of \($0.judged) judged (\($0.count) traces), mean \(NumberFormat.si($0.mean))\($0.nonDominated ? ", non-dominated" : "")" }.joined(separator: "; ") + "."
        if !unjudged.isEmpty { description += " Without correct/incorrect claims, not drawn: " + unjudged.joined(separator: ", ") + "." }
        return Scene(width: width, height: height, title: title, description: description,
                     groups: [frame.header(), axes, MarkGroup(className: "plot", children: seriesGroups)])
    }

    public static func csv(_ entries: [Entry], metric: String) -> String {
        var text = "group,traces,judged,accuracy,mean_\(metric)_judged,non_dominated\n"
        for entry in entries {
            text += "\(CSV.field(entry.name)),\(entry.count),\(entry.judged),\(NumberFormat.exact(entry.accuracy)),\(NumberFormat.exact(entry.mean)),\(entry.nonDominated)\n"
        }
        return text
    }
}
