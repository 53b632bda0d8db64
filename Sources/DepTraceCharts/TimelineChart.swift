/// The `timeline` chart: tokens attended per step (`|V| + n`) against the
/// step, one shaded area per trace (the area is Dep), peaks marked, compress
/// steps and marks as ticks on the step axis.
public enum TimelineChart {
    /// Downsampling buckets for a chart `width` pixels wide: two per pixel column.
    public static func capacity(width: Double) -> Int { Swift.max(16, Int(width) * 2) }

    /// Gives series that share a name (same method) distinct legend names.
    public static func disambiguate(_ series: inout [TimelineSeries]) {
        var counts: [String: Int] = [:]
        for item in series { counts[item.name, default: 0] += 1 }
        for index in series.indices where (counts[series[index].name] ?? 0) > 1 {
            let sample = series[index].header?.sample.map { "sample \($0)" } ?? "#\(index + 1)"
            series[index].name += " (\(sample))"
        }
    }

    /// Series up to which every peak is labelled.
    static let maxPeakLabels = 16

    /// The chart, laid out.
    /// - Parameters:
    ///   - streamLabel: what the values are: `mean over streams` or `stream 3`.
    public static func layout(_ series: [TimelineSeries], title: String, width: Double, height: Double, streamLabel: String) -> Scene {
        var legend = series.enumerated().map { ChartFrame.LegendEntry(name: $0.element.name, color: Palette.color($0.offset)) }
        let hasCompress = series.contains { !$0.compressSteps.isEmpty }
        let hasMarks = series.contains { !$0.marks.isEmpty }
        if series.count > 1 || hasCompress || hasMarks {
            if hasCompress { legend.append(.init(name: "compress step", color: Palette.event, swatch: .tick)) }
            if hasMarks { legend.append(.init(name: "mark", color: Palette.mark, swatch: .tick)) }
        } else {
            legend = []
        }
        let frame = ChartFrame(width: width, height: height, title: title, legend: legend.count > 1 ? legend : [], bottomExtra: hasCompress || hasMarks ? 8 : 0)
        let p = frame.plot
        let lastStep = series.map { $0.sampler.count - 1 }.max() ?? 0
        let peaks = series.map { item in item.sampler.peak.map { item.value($0.value) } ?? 0 }
        let peak = peaks.max() ?? 0
        let x = NiceScale(minimum: 0, maximum: Double(Swift.max(1, lastStep)), ticks: Swift.max(2, Int(width / 110)), integral: true, pixels: p.left...p.right)
        let y = NiceScale(minimum: 0, maximum: peak * 1.08, ticks: Swift.max(2, Int(height / 70)), integral: true, pixels: p.top...p.bottom, reversed: true)
        var groups = [frame.header(), frame.axes(x: x, y: y, xLabel: "generation step (forward pass)", yLabel: "tokens in context, |V| + n (\(streamLabel))")]
        var seriesGroups: [MarkGroup] = []
        var placedLabels: [(x: Double, y: Double, width: Double)] = []
        // Beyond a handful of series, per-series peak labels only bury each other: mark the highest alone.
        let highest = peaks.indices.max { peaks[$0] < peaks[$1] }
        for (index, item) in series.enumerated() {
            let color = Palette.color(index)
            let points = item.sampler.points.map { Point(x.position(Double($0.step)), y.position(item.value($0.value))) }
            var group = MarkGroup(className: "series", id: "series-\(index)", title: item.name)
            if let first = points.first, let last = points.last {
                let area = points + [Point(last.x, p.bottom), Point(first.x, p.bottom)]
                group.marks.append(.path(area, closed: true, Style(fill: color, fillOpacity: series.count > 3 ? 0.08 : 0.15)))
                group.marks.append(.path(points, closed: false, Style(stroke: color, strokeWidth: 1.5)))
            }
            if let top = item.sampler.peak, series.count <= maxPeakLabels || index == highest {
                let center = Point(x.position(Double(top.step)), y.position(item.value(top.value)))
                let label = "peak \(NumberFormat.exact(item.value(top.value)))"
                let labelWidth = TextWidth.of(label, size: 11)
                var labelX = Swift.min(Swift.max(center.x, p.left + labelWidth / 2 + 2), p.right - labelWidth / 2 - 2)
                var labelY = Swift.max(center.y - 8, p.top + 10)
                // Peaks of overlaid series often coincide: move a label up until it is clear of the others.
                while placedLabels.contains(where: { abs($0.y - labelY) < 12 && abs($0.x - labelX) < ($0.width + labelWidth) / 2 + 4 }) {
                    labelY -= 13
                }
                if labelY < p.top - 4 { labelY = p.top - 4; labelX = Swift.min(labelX, p.right - labelWidth / 2 - 2) }
                placedLabels.append((labelX, labelY, labelWidth))
                group.children.append(MarkGroup(className: "peak", id: "peak-\(index)", marks: [
                    .circle(center: center, radius: 3.5, Style(fill: "#FFFFFF", stroke: color, strokeWidth: 2)),
                    .text(label, at: Point(labelX, labelY), TextStyle(size: 11, anchor: .middle, bold: true, fill: color), className: "peak-label"),
                ]))
            }
            seriesGroups.append(group)
        }
        groups.append(MarkGroup(className: "plot", children: seriesGroups))
        groups.append(eventTicks(series, x: x, bottom: p.bottom))
        let description = describe(series, streamLabel: streamLabel)
        return Scene(width: width, height: height, title: title, description: description, groups: groups)
    }

    /// Compress steps below the axis, marks above it; one tick per pixel
    /// column and kind, so a long trace's thousands of events stay small.
    private static func eventTicks(_ series: [TimelineSeries], x: NiceScale, bottom: Double) -> MarkGroup {
        var compress = MarkGroup(className: "compress-ticks")
        var seen = Set<Int>()
        for item in series {
            for step in item.compressSteps {
                let px = x.position(Double(step))
                guard seen.insert(Int(px.rounded())).inserted else { continue }
                compress.marks.append(.line(from: Point(px, bottom + 1), to: Point(px, bottom + 7), Style(stroke: Palette.event, strokeWidth: 1)))
            }
        }
        var marks = MarkGroup(className: "mark-ticks")
        var labelled: [Int: Int] = [:]
        for item in series {
            for mark in item.marks {
                let px = x.position(Double(mark.step))
                let column = Int(px.rounded())
                if let existing = labelled[column] {
                    if var title = marks.children[existing].title, title.count < 400 {
                        title += "\n" + mark.text
                        marks.children[existing].title = title
                    }
                    continue
                }
                labelled[column] = marks.children.count
                marks.children.append(MarkGroup(className: "mark", title: mark.text, marks: [
                    .line(from: Point(px, bottom - 7), to: Point(px, bottom), Style(stroke: Palette.mark, strokeWidth: 1.5)),
                ]))
            }
        }
        return MarkGroup(className: "events", children: [compress, marks])
    }

    private static func describe(_ series: [TimelineSeries], streamLabel: String) -> String {
        let parts = series.map { item in
            let peak = item.sampler.peak.map { "peak \(NumberFormat.exact(item.value($0.value))) at step \($0.step)" } ?? "no steps"
            return "\(item.name): \(item.sampler.count) steps, \(peak), \(item.compressSteps.count) compress steps"
        }
        return "Tokens in context per generation step (\(streamLabel)); the shaded area is Dep. " + parts.joined(separator: "; ") + "."
    }

    /// The numbers drawn: one row per point, peak and event.
    public static func csv(_ series: [TimelineSeries]) -> String {
        var text = "series,kind,step,tokens,label\n"
        for item in series {
            let name = CSV.field(item.name)
            for point in item.sampler.points {
                text += "\(name),point,\(point.step),\(NumberFormat.exact(item.value(point.value))),\n"
            }
            if let peak = item.sampler.peak {
                text += "\(name),peak,\(peak.step),\(NumberFormat.exact(item.value(peak.value))),\n"
            }
            for step in item.compressSteps { text += "\(name),compress,\(step),,\n" }
            for mark in item.marks { text += "\(name),mark,\(mark.step),,\(CSV.field(mark.text))\n" }
        }
        return text
    }
}

/// CSV fields quoted as RFC 4180 asks.
enum CSV {
    /// Looked for scalar by scalar: `"\r\n"` is one `Character`, equal to
    /// neither `"\r"` nor `"\n"`, and a quote or comma followed by a combining
    /// mark is a `Character` other than `"` or `,`; either would go unquoted.
    static func field(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }
}
