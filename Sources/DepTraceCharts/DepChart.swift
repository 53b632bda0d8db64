import DepTrace

/// The `dep` chart: bars of a metric's mean per group with 95% bootstrap
/// interval whiskers, the way Table 1 of the LightThinker paper would look as a figure.
public enum DepChart {
    /// One bar.
    public struct Bar: Sendable, Hashable {
        /// The first grouping key's value: the bar's place on the x axis.
        public var category: String
        /// The second key's value, when grouping by two keys: the bar's colour.
        public var subgroup: String?
        /// Traces with a value.
        public var count: Int
        public var mean: Double
        /// The 2.5% and 97.5% quantiles of the bootstrap means.
        public var low: Double
        public var high: Double
    }

    /// Bootstrap resamples per bar.
    public static let resamples = 2000

    /// The default title: the metric's display name and the groups.
    public static func defaultTitle(metric: String, keys: [String], bars: [Bar] = []) -> String {
        "Mean \(MetricUnit.name(metric)) per \(keys.joined(separator: " and ")), 95% bootstrap intervals"
    }

    /// The traces drawn and per bar, in words, for the subtitle.
    public static func countNote(_ bars: [Bar]) -> String {
        let counts = bars.map(\.count)
        guard let low = counts.min(), let high = counts.max() else { return "" }
        let total = counts.reduce(0, +)
        let each = low == high ? "\(low) in each" : "\(low) to \(high) per group (see the CSV)"
        return "\(total) trace\(total == 1 ? "" : "s") in \(bars.count) group\(bars.count == 1 ? "" : "s"), \(each)"
    }

    /// The bars, categories (and subgroups) in `order`.
    public static func groups(_ outcomes: [TraceOutcome], keys: [String], metric: String, seed: UInt64, order: GroupOrder = GroupOrder()) -> [Bar] {
        let bars = firstAppearance(outcomes, keys: keys, metric: metric, seed: seed)
        var categoryMeans: [String: (sum: Double, count: Int)] = [:]
        for bar in bars { categoryMeans[bar.category, default: (0, 0)].sum += bar.mean; categoryMeans[bar.category, default: (0, 0)].count += 1 }
        let categories = order.ordered(bars.map(\.category)) { name in
            categoryMeans[name].map { $0.sum / Double(Swift.max(1, $0.count)) } ?? 0
        }
        let subgroups = GroupOrder(baseline: order.baseline, sort: .name).ordered(bars.compactMap(\.subgroup))
        return bars.sorted { a, b in
            let (ca, cb) = (categories.firstIndex(of: a.category) ?? 0, categories.firstIndex(of: b.category) ?? 0)
            if ca != cb { return ca < cb }
            return (a.subgroup.flatMap { subgroups.firstIndex(of: $0) } ?? -1) < (b.subgroup.flatMap { subgroups.firstIndex(of: $0) } ?? -1)
        }
    }

    /// The bars in order of first appearance of each group; the bootstrap seed of
    /// each is the seed and its place in that order (so the intervals do not change with ``GroupOrder``).
    static func firstAppearance(_ outcomes: [TraceOutcome], keys: [String], metric: String, seed: UInt64) -> [Bar] {
        var order: [[String]] = []
        var values: [[String]: [Double]] = [:]
        for outcome in outcomes {
            guard let value = outcome.metrics?.value(named: metric)?.doubleValue else { continue }
            let key = keys.map { outcome.header?.text(forKey: $0) ?? "(none)" }
            if values[key] == nil { order.append(key) }
            values[key, default: []].append(value)
        }
        return order.enumerated().map { index, key in
            let numbers = values[key] ?? []
            var random = SeededRandom(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
            let (low, high) = Bootstrap.meanInterval(numbers, resamples: resamples, using: &random)
            return Bar(category: key.first ?? "(none)", subgroup: key.count > 1 ? key[1] : nil, count: numbers.count,
                       mean: Statistics.mean(numbers) ?? 0, low: low, high: high)
        }
    }

    /// Shortens a label to `limit` characters.
    static func clipped(_ text: String, _ limit: Int = 36) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// The chart, laid out.
    /// - Parameter order: the order of the colours (subgroups) when grouping by two keys; the bars come ordered from ``groups(_:keys:metric:seed:order:)``.
    public static func layout(_ bars: [Bar], keys: [String], metric: String, title: String, width: Double, height: Double, order: GroupOrder = GroupOrder()) -> Scene {
        var categories: [String] = [], subgroups: [String?] = []
        for bar in bars {
            if !categories.contains(bar.category) { categories.append(bar.category) }
            if !subgroups.contains(bar.subgroup) { subgroups.append(bar.subgroup) }
        }
        // Subgroups (colours): the baseline first, then by name, whichever category they first appear in.
        if subgroups.count > 1 {
            let named = GroupOrder(baseline: order.baseline, sort: .name).ordered(subgroups.compactMap { $0 })
            let position = Dictionary(named.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
            subgroups.sort { (position[$0 ?? ""] ?? -1) < (position[$1 ?? ""] ?? -1) }
        }
        let styles = subgroups.indices.map { SeriesStyle.of($0) }
        let legend = subgroups.count > 1 ? subgroups.enumerated().map { ChartFrame.LegendEntry(name: clipped($0.element ?? "(none)"), style: styles[$0.offset], swatch: .area) } : []
        let subtitle = (subgroups.count > 1 ? "colours: \(keys.last ?? ""); " : "") + countNote(bars) + "; over each bar, its mean"
        let labels = categories.map { clipped($0) }
        let probe = ChartFrame(width: width, height: height, title: title, subtitle: subtitle, legend: legend)
        let slot = (probe.plot.right - probe.plot.left) / Double(max(1, categories.count))
        let widest = labels.map { TextWidth.of($0, size: 11) }.max() ?? 0
        let rotate = widest > slot - 6
        let frame = ChartFrame(width: width, height: height, title: title, subtitle: subtitle, legend: legend, bottomExtra: rotate ? min(widest * 0.6, height * 0.3) : 0)
        let p = frame.plot
        let top = bars.map { max($0.high, $0.mean) }.max() ?? 1
        let bottom = min(0, bars.map { min($0.low, $0.mean) }.min() ?? 0)
        let y = NiceScale(minimum: bottom, maximum: top * 1.1, ticks: max(2, Int(height / 70)), pixels: p.top...p.bottom, reversed: true)
        var axes = frame.axes(x: nil, y: y, xLabel: keys.first ?? "group", yLabel: "mean per trace: \(MetricUnit.shortLabel(metric))")
        for (index, label) in labels.enumerated() {
            let cx = p.left + slot * (Double(index) + 0.5)
            let style = rotate ? TextStyle(size: 11, anchor: .end, rotation: -35, fill: Palette.axis) : TextStyle(size: 11, anchor: .middle, fill: Palette.axis)
            axes.children[1].marks.append(.text(label, at: Point(rotate ? cx + 4 : cx, p.bottom + 16), style, className: "x-tick"))
        }
        var seriesGroups: [MarkGroup] = []
        let barWidth = slot * 0.7 / Double(subgroups.count)
        let zero = y.position(0)
        // Value labels: placed above their whisker when they fit their bar's width, and clear of those placed.
        var placedLabels: [(left: Double, right: Double, y: Double)] = []
        for (subIndex, subgroup) in subgroups.enumerated() {
            let style = styles[subIndex]
            var group = MarkGroup(className: "series", id: "series-\(subIndex)", title: subgroup.map { "\(keys.last ?? "")=\($0)" } ?? MetricUnit.label(metric))
            for bar in bars where bar.subgroup == subgroup {
                guard let categoryIndex = categories.firstIndex(of: bar.category) else { continue }
                // The bars of one category are centred on it, whatever subgroups it lacks.
                let present = subgroups.enumerated().filter { entry in bars.contains { $0.category == bar.category && $0.subgroup == entry.element } }.map(\.offset)
                let position = present.firstIndex(of: subIndex) ?? 0
                let x0 = p.left + slot * (Double(categoryIndex) + 0.5) - barWidth * Double(present.count) / 2 + barWidth * Double(position)
                let cx = x0 + barWidth / 2
                // A bar too short to see is drawn a pixel and a half high, so a small value never vanishes.
                var top = y.position(bar.mean)
                if abs(zero - top) < 1.5 { top = bar.mean < 0 ? zero + 1.5 : zero - 1.5 }
                var barGroup = MarkGroup(className: "bar", title: "\(bar.category)\(bar.subgroup.map { ", \($0)" } ?? ""): mean \(NumberFormat.si(bar.mean)), 95% interval \(NumberFormat.si(bar.low))–\(NumberFormat.si(bar.high)), \(bar.count) traces")
                let outline = style.dash == nil ? Style(fill: style.color) : Style(fill: style.color, stroke: Palette.ink, strokeWidth: 1, dash: style.dash)
                barGroup.marks.append(.rect(x: x0 + 1, y: min(top, zero), width: max(1, barWidth - 2), height: abs(zero - top), outline))
                let (lowY, highY) = (y.position(bar.low), y.position(bar.high))
                let cap = min(8, barWidth * 0.3)
                let whisker = Style(stroke: Palette.ink, strokeWidth: 1.2)
                barGroup.marks.append(.line(from: Point(cx, lowY), to: Point(cx, highY), whisker))
                barGroup.marks.append(.line(from: Point(cx - cap, lowY), to: Point(cx + cap, lowY), whisker))
                barGroup.marks.append(.line(from: Point(cx - cap, highY), to: Point(cx + cap, highY), whisker))
                let text = NumberFormat.si(bar.mean)
                let textWidth = TextWidth.of(text, size: 10)
                let labelY = min(highY, top) - 4
                let (left, right) = (cx - textWidth / 2 - 1, cx + textWidth / 2 + 1)
                if textWidth <= barWidth + 2, labelY - 10 > p.top - 2, !placedLabels.contains(where: { $0.left < right && left < $0.right && abs($0.y - labelY) < 12 }) {
                    placedLabels.append((left, right, labelY))
                    barGroup.marks.append(.text(text, at: Point(cx, labelY), TextStyle(size: 10, anchor: .middle, fill: Palette.ink), className: "value-label"))
                }
                group.children.append(barGroup)
            }
            seriesGroups.append(group)
        }
        let description = "Mean \(metric) per \(keys.joined(separator: " and ")) with 95% percentile bootstrap intervals (\(resamples) resamples); the number over a bar is its mean. "
            + bars.map { "\($0.category)\($0.subgroup.map { " / \($0)" } ?? ""): \(NumberFormat.si($0.mean)) [\(NumberFormat.si($0.low)), \(NumberFormat.si($0.high))], n=\($0.count)" }.joined(separator: "; ") + "."
        return Scene(width: width, height: height, title: title, description: description,
                     groups: [frame.header(), axes, MarkGroup(className: "plot", children: seriesGroups)])
    }

    /// The numbers drawn.
    public static func csv(_ bars: [Bar], keys: [String]) -> String {
        var text = keys.map(CSV.field).joined(separator: ",") + ",count,mean,low95,high95\n"
        for bar in bars {
            let key = [bar.category] + (bar.subgroup.map { [$0] } ?? [])
            text += key.map(CSV.field).joined(separator: ",") + ",\(bar.count),\(NumberFormat.exact(bar.mean)),\(NumberFormat.exact(bar.low)),\(NumberFormat.exact(bar.high))\n"
        }
        return text
    }
}
