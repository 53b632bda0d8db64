import DepTrace

/// The `hist` chart: the distribution of a per-trace metric, or of the
/// tokens freed per eviction event, as a histogram or a CDF.
public enum HistogramChart {
    /// The values of one group.
    public struct Series: Sendable, Hashable {
        public var name: String
        public var values: [Double]
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// The default title: what is counted, per which groups, over how many traces or events.
    /// - Parameter quantity: the display name (``MetricUnit/name(_:)``) or `tokens freed per eviction event`.
    public static func defaultTitle(quantity: String, cdf: Bool, keys: [String] = [], series: [Series] = []) -> String {
        let total = series.map(\.values.count).reduce(0, +)
        let unit = quantity.contains("per eviction") ? "event" : "trace"
        let counted = series.isEmpty ? "" : ", \(total) \(unit)\(total == 1 ? "" : "s")"
        // One group: name it; several: say what they are.
        let groups = keys.isEmpty ? "" : series.count == 1 ? ": \(series[0].name)" : " per \(keys.joined(separator: " and "))"
        return "\(cdf ? "Cumulative distribution" : "Distribution") of \(quantity)\(groups)\(counted)"
    }

    /// A group's name: its key values (the keys are named once, in the subtitle).
    private static func name(_ header: TraceHeader?, keys: [String]) -> String {
        keys.isEmpty ? "all traces" : keys.map { header?.text(forKey: $0) ?? "(none)" }.joined(separator: ", ")
    }

    private static func grouped(_ items: [(TraceHeader?, [Double])], keys: [String], order: GroupOrder) -> [Series] {
        var series: [Series] = []
        for (header, values) in items {
            let label = name(header, keys: keys)
            if let index = series.firstIndex(where: { $0.name == label }) { series[index].values += values } else { series.append(Series(name: label, values: values)) }
        }
        // A group with no value (a method that never evicts) has nothing to draw.
        let drawn = series.filter { !$0.values.isEmpty }
        let names = order.ordered(drawn.map(\.name)) { name in
            let values = drawn.first { $0.name == name }?.values ?? []
            return values.reduce(0, +) / Double(Swift.max(1, values.count))
        }
        return names.compactMap { name in drawn.first { $0.name == name } }
    }

    /// One value of `metric` per analysed trace, grouped by `keys`.
    public static func metricSeries(_ outcomes: [TraceOutcome], keys: [String], metric: String, order: GroupOrder = GroupOrder()) -> [Series] {
        grouped(outcomes.compactMap { outcome in
            outcome.metrics?.value(named: metric)?.doubleValue.map { (outcome.header, [$0]) }
        }, keys: keys, order: order)
    }

    /// The tokens freed per eviction event in every trace of `inputs`, grouped by `keys`.
    /// - Parameters:
    ///   - includeIncomplete: collect partial traces too; else each one left out is passed to `leftOut`.
    public static func eventSeries(_ inputs: [any TraceReadable], keys: [String], options: AnalysisOptions, order: GroupOrder = GroupOrder(),
                                   includeIncomplete: Bool = false, leftOut: (TraceOutcome) -> Void = { _ in }, report: (Diagnostic) -> Void) -> [Series] {
        var items: [(TraceHeader?, [Double])] = []
        for input in inputs {
            var collector = EvictionCollector(includeIncomplete: includeIncomplete)
            _ = input.analyze(options: options, observer: &collector)
            collector.diagnostics.forEach(report)
            collector.leftOut.forEach(leftOut)
            items += collector.traces.map { ($0.header, $0.events) }
        }
        return grouped(items, keys: keys, order: order)
    }

    /// Bin edges covering every value: 1-2-5 widths, whole numbers when every value is one.
    static func bins(_ series: [Series]) -> NiceScale {
        let all = series.flatMap(\.values)
        let integral = all.allSatisfy { $0 == $0.rounded() }
        return NiceScale(minimum: all.min() ?? 0, maximum: all.max() ?? 1, ticks: 20, integral: integral, pixels: 0...1)
    }

    /// Counts per bin, per series; a value on an inner edge goes to the bin it starts.
    static func counts(_ values: [Double], bins: NiceScale) -> [Int] {
        let count = bins.ticks.count - 1
        var result = Array(repeating: 0, count: count)
        for value in values {
            let index = Int(((value - bins.lower) / bins.step).rounded(.down))
            result[Swift.min(Swift.max(0, index), count - 1)] += 1
        }
        return result
    }

    /// The chart, laid out: one outline (or CDF line) per group, in its own
    /// colour and dash; a group whose values are those of an earlier one is
    /// named "same as" it in the legend and drawn with a sparse dash over it.
    /// - Parameters:
    ///   - quantity: the x axis label (``MetricUnit/label(_:)``, or the tokens freed per event).
    ///   - keys: the grouping keys, named in the subtitle.
    public static func layout(_ series: [Series], quantity: String, cdf: Bool, title: String, width: Double, height: Double, keys: [String] = []) -> Scene {
        let sameAs = SeriesStyle.repeats(series) { $0.values.sorted() == $1.values.sorted() }
        let styles = SeriesStyle.styles(repeats: sameAs)
        let unit = quantity.contains("per eviction") ? "events" : "traces"
        let legend: [ChartFrame.LegendEntry] = series.count < 2 ? [] : series.enumerated().map { index, item -> ChartFrame.LegendEntry in
            let same = sameAs[index].map { " (same as \(DepChart.clipped(series[$0].name, 24)))" } ?? ""
            return ChartFrame.LegendEntry(name: "\(DepChart.clipped(item.name, 40)): \(item.values.count) \(unit)\(same)", style: styles[index], swatch: .line)
        }
        let subtitle = keys.isEmpty || series.count < 2 ? nil : cdf ? "one line per \(keys.joined(separator: " and "))" : "one panel per \(keys.joined(separator: " and ")), on the same bins and count scale"
        if !cdf, series.count > 1 {
            return panels(series, styles: styles, sameAs: sameAs, quantity: quantity, unit: unit, title: title, subtitle: subtitle, width: width, height: height)
        }
        let frame = ChartFrame(width: width, height: height, title: title, subtitle: subtitle, legend: legend)
        let p = frame.plot
        let binScale = bins(series)
        let x = NiceScale(minimum: binScale.lower, maximum: binScale.upper, ticks: Swift.max(2, Int(width / 110)), pixels: p.left...p.right)
        var groups = [frame.header()]
        var seriesGroups: [MarkGroup] = []
        if cdf {
            let y = NiceScale(minimum: 0, maximum: 1, ticks: 5, pixels: p.top...p.bottom, reversed: true)
            groups.append(frame.axes(x: x, y: y, xLabel: quantity, yLabel: "share of \(unit) at or below", yFormat: { NumberFormat.fixed($0 * 100, decimals: 0) + "%" }))
            for (index, item) in series.enumerated() {
                let points = cdfPoints(item.values).map { Point(x.position($0.value), y.position($0.share)) }
                var all = [Point(p.left, y.position(0))] + points
                if let last = points.last { all.append(Point(p.right, last.y)) }
                seriesGroups.append(MarkGroup(className: "series", id: "series-\(index)", title: item.name, marks: [
                    .path(all, closed: false, styles[index].stroke(width: 2)),
                ]))
            }
        } else {
            let counts = series.map { Self.counts($0.values, bins: binScale) }
            let top = Double(counts.flatMap { $0 }.max() ?? 1)
            let y = NiceScale(minimum: 0, maximum: top * 1.05, ticks: Swift.max(2, Int(height / 70)), integral: true, pixels: p.top...p.bottom, reversed: true)
            groups.append(frame.axes(x: x, y: y, xLabel: quantity, yLabel: "\(unit) per bin (bin width \(NumberFormat.si(binScale.step)))"))
            let edges = binScale.ticks
            for (index, binCounts) in counts.enumerated() {
                var outline = [Point(x.position(edges[0]), y.position(0))]
                for (bin, count) in binCounts.enumerated() {
                    outline.append(Point(x.position(edges[bin]), y.position(Double(count))))
                    outline.append(Point(x.position(edges[bin + 1]), y.position(Double(count))))
                }
                outline.append(Point(x.position(edges[edges.count - 1]), y.position(0)))
                let style = styles[index]
                // One group: a filled histogram. Several: outlines only, so none hides another.
                let drawn = series.count == 1
                    ? Style(fill: style.color, fillOpacity: 0.5, stroke: style.color, strokeWidth: 1.5, dash: style.dash)
                    : style.stroke(width: 2)
                seriesGroups.append(MarkGroup(className: "series", id: "series-\(index)", title: series[index].name, marks: [
                    .path(outline, closed: series.count == 1, drawn),
                ]))
            }
        }
        groups.append(MarkGroup(className: "plot", children: seriesGroups))
        let description = "\(defaultTitle(quantity: quantity, cdf: cdf)): " + series.map { item in
            let sorted = item.values.sorted()
            return "\(item.name): \(item.values.count) \(unit), median \(NumberFormat.si(Statistics.quantile(sorted: sorted, 0.5) ?? 0)), max \(NumberFormat.si(sorted.last ?? 0))"
        }.joined(separator: "; ") + "."
        return Scene(width: width, height: height, title: title, description: description, groups: groups)
    }

    /// The empirical CDF as a step line: two points per distinct value.
    static func cdfPoints(_ values: [Double]) -> [(value: Double, share: Double)] {
        let sorted = values.sorted()
        var points: [(value: Double, share: Double)] = []
        var index = 0
        while index < sorted.count {
            let value = sorted[index]
            let before = Double(index) / Double(sorted.count)
            while index < sorted.count, sorted[index] == value { index += 1 }
            points.append((value, before))
            points.append((value, Double(index) / Double(sorted.count)))
        }
        return points
    }

    /// The numbers drawn: bins and counts, or the CDF's points.
    public static func csv(_ series: [Series], cdf: Bool) -> String {
        if cdf {
            var text = "series,value,share\n"
            for item in series {
                for point in cdfPoints(item.values) where point.share > 0 {
                    text += "\(CSV.field(item.name)),\(NumberFormat.exact(point.value)),\(NumberFormat.exact(point.share))\n"
                }
            }
            return text
        }
        let binScale = bins(series)
        let edges = binScale.ticks
        var text = "series,bin_low,bin_high,count\n"
        for item in series {
            for (bin, count) in counts(item.values, bins: binScale).enumerated() {
                text += "\(CSV.field(item.name)),\(NumberFormat.exact(edges[bin])),\(NumberFormat.exact(edges[bin + 1])),\(count)\n"
            }
        }
        return text
    }
}
