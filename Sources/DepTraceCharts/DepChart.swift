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

    public static func defaultTitle(metric: String, keys: [String]) -> String {
        "Mean \(metric) per \(keys.joined(separator: " and ")), 95% bootstrap interval"
    }

    /// The bars, in order of first appearance of each group.
    public static func groups(_ outcomes: [TraceOutcome], keys: [String], metric: String, seed: UInt64) -> [Bar] {
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
            return Bar(category: key[0], subgroup: key.count > 1 ? key[1] : nil, count: numbers.count,
                       mean: Statistics.mean(numbers) ?? 0, low: low, high: high)
        }
    }

    /// Shortens a label to `limit` characters.
    static func clipped(_ text: String, _ limit: Int = 36) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    public static func layout(_ bars: [Bar], keys: [String], metric: String, title: String, width: Double, height: Double) -> Scene {
        var categories: [String] = [], subgroups: [String?] = []
        for bar in bars {
            if !categories.contains(bar.category) { categories.append(bar.category) }
            if !subgroups.contains(bar.subgroup) { subgroups.append(bar.subgroup) }
        }
        let legend = subgroups.count > 1 ? subgroups.enumerated().map { ChartFrame.LegendEntry(name: "\(keys.last ?? "")=\(clipped($0.element ?? "(none)"))", color: Palette.color($0.offset)) } : []
        let labels = categories.map { clipped($0) }
        let probe = ChartFrame(width: width, height: height, title: title, legend: legend)
        let slot = (probe.plot.right - probe.plot.left) / Double(max(1, categories.count))
        let widest = labels.map { TextWidth.of($0, size: 11) }.max() ?? 0
        let rotate = widest > slot - 6
        let frame = ChartFrame(width: width, height: height, title: title, legend: legend, bottomExtra: rotate ? min(widest * 0.5, height * 0.3) : 0)
        let p = frame.plot
        let top = bars.map { max($0.high, $0.mean) }.max() ?? 1
        let bottom = min(0, bars.map { min($0.low, $0.mean) }.min() ?? 0)
        let y = NiceScale(minimum: bottom, maximum: top * 1.1, ticks: max(2, Int(height / 70)), pixels: p.top...p.bottom, reversed: true)
        var axes = frame.axes(x: nil, y: y, xLabel: keys[0], yLabel: "mean \(MetricUnit.label(metric)) per trace")
        for (index, label) in labels.enumerated() {
            let cx = p.left + slot * (Double(index) + 0.5)
            let style = rotate ? TextStyle(size: 11, anchor: .end, rotation: -35, fill: Palette.axis) : TextStyle(size: 11, anchor: .middle, fill: Palette.axis)
            axes.children[1].marks.append(.text(label, at: Point(rotate ? cx + 4 : cx, p.bottom + 16), style, className: "x-tick"))
        }
        var seriesGroups: [MarkGroup] = []
        let barWidth = slot * 0.7 / Double(subgroups.count)
        let zero = y.position(0)
        for (subIndex, subgroup) in subgroups.enumerated() {
            let color = Palette.color(subIndex)
            var group = MarkGroup(className: "series", id: "series-\(subIndex)", title: subgroup.map { "\(keys.last ?? "")=\($0)" } ?? metric)
            for bar in bars where bar.subgroup == subgroup {
                guard let categoryIndex = categories.firstIndex(of: bar.category) else { continue }
                let x0 = p.left + slot * Double(categoryIndex) + slot * 0.15 + barWidth * Double(subIndex)
                let cx = x0 + barWidth / 2
                let top = y.position(bar.mean)
                var barGroup = MarkGroup(className: "bar", title: "\(bar.category)\(bar.subgroup.map { ", \($0)" } ?? ""): mean \(NumberFormat.si(bar.mean)), 95% interval \(NumberFormat.si(bar.low))–\(NumberFormat.si(bar.high)), \(bar.count) traces")
                barGroup.marks.append(.rect(x: x0 + 1, y: min(top, zero), width: max(1, barWidth - 2), height: abs(zero - top), Style(fill: color, fillOpacity: 0.85)))
                let (lowY, highY) = (y.position(bar.low), y.position(bar.high))
                let cap = min(8, barWidth * 0.3)
                let whisker = Style(stroke: Palette.ink, strokeWidth: 1.2)
                barGroup.marks.append(.line(from: Point(cx, lowY), to: Point(cx, highY), whisker))
                barGroup.marks.append(.line(from: Point(cx - cap, lowY), to: Point(cx + cap, lowY), whisker))
                barGroup.marks.append(.line(from: Point(cx - cap, highY), to: Point(cx + cap, highY), whisker))
                barGroup.marks.append(.text(NumberFormat.si(bar.mean), at: Point(cx, min(highY, top) - 4), TextStyle(size: 10, anchor: .middle, fill: Palette.ink), className: "value-label"))
                group.children.append(barGroup)
            }
            seriesGroups.append(group)
        }
        let description = "Mean \(metric) per \(keys.joined(separator: " and ")) with 95% percentile bootstrap intervals (\(resamples) resamples). "
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
