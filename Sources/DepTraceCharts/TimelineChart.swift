/// The `timeline` chart: tokens attended per step (`|V| + n`) against the
/// step, one line per trace (under a single trace, the shaded area is Dep);
/// beside it, where it differs, a dotted line of the tokens held (`|R| + n`).
/// Peaks are marked on the lines and their values named in the legend;
/// compress steps and marks are ticks on the step axis.
public enum TimelineChart {
    /// Downsampling buckets for a chart `width` pixels wide: two per pixel column.
    public static func capacity(width: Double) -> Int { Swift.max(16, Int(width) * 2) }

    /// Gives series that share a name (same method) distinct legend names.
    public static func disambiguate(_ series: inout [TimelineSeries]) {
        var counts: [String: Int] = [:]
        for item in series { counts[item.name, default: 0] += 1 }
        // The sample tells traces of one method apart; where two share it too (two files), their file names do.
        var samples: [String: Int] = [:]
        let labels = series.indices.map { index in series[index].header?.sample.map { "sample \($0)" } ?? "#\(index + 1)" }
        for index in series.indices { samples[series[index].name + "\u{0}" + labels[index], default: 0] += 1 }
        for index in series.indices where (counts[series[index].name] ?? 0) > 1 {
            var label = labels[index]
            if (samples[series[index].name + "\u{0}" + label] ?? 0) > 1 {
                let file = series[index].file.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? "#\(index + 1)"
                label += ", \(file)"
            }
            series[index].name += " (\(label))"
        }
    }

    /// `series` in `order`: the baseline method first, then by name (or by peak).
    public static func ordered(_ series: [TimelineSeries], _ order: GroupOrder) -> [TimelineSeries] {
        var methods: [String: String] = [:]
        for item in series { methods[item.name] = item.header?.method ?? item.name }
        let baseline = order.baseline(in: Array(Set(methods.values)))
        let names = GroupOrder(baseline: nil, sort: order.sort).ordered(series.map(\.name)) { name in
            series.first { $0.name == name }.flatMap { item in item.sampler.peak.map { item.value($0.value) } } ?? 0
        }
        let rank = Dictionary(names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        return series.enumerated().sorted { a, b in
            let (ba, bb) = (methods[a.element.name] == baseline, methods[b.element.name] == baseline)
            if ba != bb { return ba }
            let (ra, rb) = (rank[a.element.name] ?? 0, rank[b.element.name] ?? 0)
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    /// The default title: what is drawn, which samples, which streams.
    /// - Parameters:
    ///   - trace: the 0-based trace index of each file drawn.
    public static func defaultTitle(_ series: [TimelineSeries], trace: Int) -> String {
        let streams = series.first?.stream.map { "stream \($0)" } ?? "mean over streams"
        let samples = Set(series.map { $0.header?.sample ?? "" })
        if series.count == 1, let only = series.first {
            let which = only.header?.sample.map { "sample \($0)" } ?? "trace \(trace)"
            return "Tokens in context per step: \(only.name), \(which) (\(streams))"
        }
        if samples.count == 1, let sample = samples.first, !sample.isEmpty {
            return "Tokens in context per step: sample \(sample) of \(series.count) traces (\(streams))"
        }
        return "Tokens in context per step: trace \(trace) of each of \(series.count) files (\(streams))"
    }

    /// For each series, the earlier series it is identical to (visible and resident), if any.
    static func duplicates(_ series: [TimelineSeries]) -> [Int?] {
        let drawn = series.map { item in (steps: item.sampler.points.map(\.step), values: item.drawnValues(resident: false)) }
        return SeriesStyle.repeats(drawn) { $0.steps == $1.steps && $0.values == $1.values }
    }

    /// The legend name of a series: its name, what it is identical to, and its peak.
    static func legendName(_ item: TimelineSeries, sameAs: String?, resident: Bool) -> String {
        let name = resident ? "\(item.name) held" : item.name
        return "\(name)\(sameAs.map { " (same as \($0))" } ?? ""): \(item.peakText(resident: resident))"
    }

    /// The chart, laid out.
    /// - Parameters:
    ///   - streamLabel: what the values are: `mean over streams` or `stream 3`.
    public static func layout(_ series: [TimelineSeries], title: String, width: Double, height: Double, streamLabel: String) -> Scene {
        let sameAs = duplicates(series)
        // A series that repeats an earlier one gets a sparse dash, so the one under it shows through.
        let styles = SeriesStyle.styles(repeats: sameAs)
        let showResident = series.map(\.residentDiffers)
        var legend: [ChartFrame.LegendEntry] = []
        for (index, item) in series.enumerated() {
            let same = sameAs[index].map { series[$0].name }
            legend.append(.init(name: legendName(item, sameAs: same, resident: false), style: styles[index], swatch: .line))
            if showResident[index] {
                legend.append(.init(name: legendName(item, sameAs: same, resident: true), style: SeriesStyle.resident(index), swatch: .line))
            }
        }
        let hasCompress = series.contains { !$0.compressSteps.isEmpty }
        let hasMarks = series.contains { !$0.marks.isEmpty }
        if hasCompress { legend.append(.init(name: "compress step", color: Palette.event, swatch: .tick)) }
        if hasMarks { legend.append(.init(name: "mark", color: Palette.mark, swatch: .tick)) }
        let frame = ChartFrame(width: width, height: height, title: title, legend: legend, bottomExtra: hasCompress || hasMarks ? 8 : 0)
        let p = frame.plot
        let lastStep = series.map { $0.sampler.count - 1 }.max() ?? 0
        let peaks = series.map { item in
            Swift.max(item.sampler.peak.map { item.value($0.value) } ?? 0, item.residentSampler.peak.map { item.value($0.value) } ?? 0)
        }
        let peak = peaks.max() ?? 0
        let x = NiceScale(minimum: 0, maximum: Double(Swift.max(1, lastStep)), ticks: Swift.max(2, Int(width / 110)), integral: true, pixels: p.left...p.right)
        let y = NiceScale(minimum: 0, maximum: peak * 1.08, ticks: Swift.max(2, Int(height / 70)), integral: true, pixels: p.top...p.bottom, reversed: true)
        let yLabel = showResident.contains(true) ? "tokens, |V| + n attended, |R| + n held (\(streamLabel))" : "tokens in context, |V| + n (\(streamLabel))"
        var groups = [frame.header(), frame.axes(x: x, y: y, xLabel: "generation step (forward pass)", yLabel: yLabel)]
        var seriesGroups: [MarkGroup] = []
        var residentGroups: [MarkGroup] = []
        var peakMarks: [MarkGroup] = []
        for (index, item) in series.enumerated() {
            let style = styles[index]
            var group = MarkGroup(className: "series", id: "series-\(index)", title: legendName(item, sameAs: sameAs[index].map { series[$0].name }, resident: false))
            let points = item.sampler.points.map { Point(x.position(Double($0.step)), y.position(item.value($0.value))) }
            if let first = points.first, let last = points.last, series.count == 1 {
                // One trace: its area is its Dep. (Overlaid traces get lines only: fills would stack.)
                let area = points + [Point(last.x, p.bottom), Point(first.x, p.bottom)]
                group.marks.append(.path(area, closed: true, Style(fill: style.color, fillOpacity: 0.12)))
            }
            group.marks.append(.path(points, closed: false, style.stroke(width: 1.6)))
            seriesGroups.append(group)
            if let top = item.sampler.peak {
                let center = Point(x.position(Double(top.step)), y.position(item.value(top.value)))
                peakMarks.append(MarkGroup(className: "peak", id: "peak-\(index)", title: legendName(item, sameAs: nil, resident: false), marks: [
                    ChartFrame.marker(style.marker, at: center, size: 4, Style(fill: "#FFFFFF", stroke: style.color, strokeWidth: 1.8)),
                ]))
            }
            if showResident[index] {
                let held = SeriesStyle.resident(index)
                let residentPoints = item.residentSampler.points.map { Point(x.position(Double($0.step)), y.position(item.value($0.value))) }
                // Dotted lines go over the solid ones: the line under a dot shows between the dots.
                residentGroups.append(MarkGroup(className: "series", id: "series-\(index)-resident", title: legendName(item, sameAs: nil, resident: true), marks: [
                    .path(residentPoints, closed: false, held.stroke(width: 2.6)),
                ]))
            }
        }
        groups.append(MarkGroup(className: "plot", children: seriesGroups + residentGroups + peakMarks))
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
            let peak = item.sampler.peak.map { "\(item.peakText(resident: false)) at step \($0.step)" } ?? "no steps"
            let held = item.residentDiffers ? item.residentSampler.peak.map { ", \(item.peakText(resident: true)) at step \($0.step)" } ?? "" : ""
            return "\(item.name): \(item.sampler.count) steps, \(peak)\(held), \(item.compressSteps.count) compress steps"
        }
        let area = series.count == 1 ? "; the shaded area is Dep" : ""
        return "Tokens in context per generation step (\(streamLabel))\(area); dotted lines: tokens held (resident) where they differ. " + parts.joined(separator: "; ") + "."
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
                text += "\(name),peak,\(peak.step),\(NumberFormat.exact(item.value(peak.value))),\(CSV.field(item.peakText(resident: false)))\n"
            }
            if item.residentDiffers {
                for point in item.residentSampler.points {
                    text += "\(name),resident,\(point.step),\(NumberFormat.exact(item.value(point.value))),\n"
                }
                if let peak = item.residentSampler.peak {
                    text += "\(name),resident_peak,\(peak.step),\(NumberFormat.exact(item.value(peak.value))),\(CSV.field(item.peakText(resident: true)))\n"
                }
            }
            for step in item.compressSteps { text += "\(name),compress,\(step),,\n" }
            for mark in item.marks { text += "\(name),mark,\(mark.step),,\(CSV.field(mark.text))\n" }
        }
        return text
    }
}

