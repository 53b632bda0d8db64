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

    public static func defaultTitle(quantity: String, cdf: Bool) -> String {
        "\(cdf ? "Cumulative distribution" : "Distribution") of \(quantity)"
    }

    private static func name(_ header: TraceHeader?, keys: [String]) -> String {
        keys.isEmpty ? "all traces" : keys.map { "\($0)=\(header?.text(forKey: $0) ?? "(none)")" }.joined(separator: ", ")
    }

    private static func grouped(_ items: [(TraceHeader?, [Double])], keys: [String]) -> [Series] {
        var series: [Series] = []
        for (header, values) in items {
            let label = name(header, keys: keys)
            if let index = series.firstIndex(where: { $0.name == label }) { series[index].values += values } else { series.append(Series(name: label, values: values)) }
        }
        // A group with no value (a method that never evicts) has nothing to draw.
        return series.filter { !$0.values.isEmpty }
    }

    /// One value of `metric` per analysed trace, grouped by `keys`.
    public static func metricSeries(_ outcomes: [TraceOutcome], keys: [String], metric: String) -> [Series] {
        grouped(outcomes.compactMap { outcome in
            outcome.metrics?.value(named: metric)?.doubleValue.map { (outcome.header, [$0]) }
        }, keys: keys)
    }

    /// The tokens freed per eviction event in every trace of `inputs`, grouped by `keys`.
    public static func eventSeries(_ inputs: [any TraceReadable], keys: [String], options: AnalysisOptions, report: (Diagnostic) -> Void) -> [Series] {
        var items: [(TraceHeader?, [Double])] = []
        for input in inputs {
            var collector = EvictionCollector()
            _ = input.analyze(options: options, observer: &collector)
            collector.diagnostics.forEach(report)
            items += collector.traces.map { ($0.header, $0.events) }
        }
        return grouped(items, keys: keys)
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

    public static func layout(_ series: [Series], quantity: String, cdf: Bool, title: String, width: Double, height: Double) -> Scene {
        let legend = series.count > 1 ? series.enumerated().map { ChartFrame.LegendEntry(name: DepChart.clipped($0.element.name, 48), color: Palette.color($0.offset), swatch: cdf ? .line : .area) } : []
        let frame = ChartFrame(width: width, height: height, title: title, legend: legend)
        let p = frame.plot
        let binScale = bins(series)
        let x = NiceScale(minimum: binScale.lower, maximum: binScale.upper, ticks: Swift.max(2, Int(width / 110)), pixels: p.left...p.right)
        let unit = quantity.contains("per eviction") ? "events" : "traces"
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
                    .path(all, closed: false, Style(stroke: Palette.color(index), strokeWidth: 2)),
                ]))
            }
        } else {
            let counts = series.map { Self.counts($0.values, bins: binScale) }
            let top = Double(counts.flatMap { $0 }.max() ?? 1)
            let y = NiceScale(minimum: 0, maximum: top * 1.05, ticks: Swift.max(2, Int(height / 70)), integral: true, pixels: p.top...p.bottom, reversed: true)
            groups.append(frame.axes(x: x, y: y, xLabel: quantity, yLabel: unit))
            let edges = binScale.ticks
            for (index, binCounts) in counts.enumerated() {
                var outline = [Point(x.position(edges[0]), y.position(0))]
                for (bin, count) in binCounts.enumerated() {
                    outline.append(Point(x.position(edges[bin]), y.position(Double(count))))
                    outline.append(Point(x.position(edges[bin + 1]), y.position(Double(count))))
                }
                outline.append(Point(x.position(edges[edges.count - 1]), y.position(0)))
                let color = Palette.color(index)
                seriesGroups.append(MarkGroup(className: "series", id: "series-\(index)", title: series[index].name, marks: [
                    .path(outline, closed: true, Style(fill: color, fillOpacity: series.count > 1 ? 0.25 : 0.6, stroke: color, strokeWidth: 1.5)),
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
