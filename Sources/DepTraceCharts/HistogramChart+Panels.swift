import DepTrace

/// Grouped histograms as small multiples: one panel per group, all on the
/// same bins and the same count scale, so no outline hides another.
extension HistogramChart {
    /// Columns of the panel grid for `count` panels: about 1.8 times as many columns as rows.
    static func panelColumns(_ count: Int) -> Int {
        count <= 3 ? Swift.max(1, count) : Swift.min(count, Int((Double(count) * 1.8).squareRoot().rounded(.up)))
    }

    /// The scene: title, subtitle, one panel per series, shared axis labels.
    static func panels(_ series: [Series], styles: [SeriesStyle], sameAs: [Int?], quantity: String, unit: String, title: String, subtitle: String?, width: Double, height: Double) -> Scene {
        let frame = ChartFrame(width: width, height: height, title: title, subtitle: subtitle, legend: [])
        let p = frame.plot
        let binScale = bins(series)
        let edges = binScale.ticks
        let counts = series.map { Self.counts($0.values, bins: binScale) }
        let top = Double(counts.flatMap { $0 }.max() ?? 1)
        let columns = panelColumns(series.count)
        let rows = (series.count + columns - 1) / columns
        let gap = 30.0, titleRoom = 16.0, tickRoom = 16.0
        let panelWidth = (p.right - p.left - gap * Double(columns - 1)) / Double(columns)
        let panelHeight = (p.bottom - p.top - Double(rows - 1) * (titleRoom + tickRoom + 4)) / Double(rows) - titleRoom
        var axes = MarkGroup(className: "axes")
        var grid = MarkGroup(className: "grid")
        var seriesGroups: [MarkGroup] = []
        let tickStyle = TextStyle(size: ChartFrame.labelSize, anchor: .end, fill: Palette.axis)
        for (index, item) in series.enumerated() {
            let (row, column) = (index / columns, index % columns)
            let left = p.left + Double(column) * (panelWidth + gap)
            let panelTop = p.top + Double(row) * (panelHeight + titleRoom + tickRoom + 4) + titleRoom
            let bottom = panelTop + panelHeight
            let x = NiceScale(minimum: binScale.lower, maximum: binScale.upper, ticks: Swift.max(2, Int(panelWidth / 75)), pixels: left...(left + panelWidth))
            let y = NiceScale(minimum: 0, maximum: top * 1.05, ticks: Swift.max(2, Int(panelHeight / 36)), integral: true, pixels: panelTop...bottom, reversed: true)
            // The panel's name and count, clipped to its width.
            let same = sameAs[index].map { " = \(series[$0].name)" } ?? ""
            let (name, size) = ChartFrame.fit("\(item.name): \(item.values.count) \(unit)\(same)", size: 11, smallest: 9, room: panelWidth)
            axes.marks.append(.text(name, at: Point(left + panelWidth / 2, panelTop - 5), TextStyle(size: size, anchor: .middle, bold: false, fill: Palette.ink), className: "panel-title"))
            for value in y.ticks {
                let py = y.position(value)
                grid.marks.append(.line(from: Point(left, py), to: Point(left + panelWidth, py), Style(stroke: Palette.grid, strokeWidth: 1)))
                if column == 0 { axes.marks.append(.text(NumberFormat.si(value), at: Point(left - 6, py + 4), tickStyle, className: "y-tick")) }
            }
            // Tick labels under the panels with no panel below them.
            let labelled = index + columns >= series.count
            for value in x.ticks {
                let px = x.position(value)
                axes.marks.append(.line(from: Point(px, bottom), to: Point(px, bottom + 3), Style(stroke: Palette.axis, strokeWidth: 1)))
                if labelled { axes.marks.append(.text(NumberFormat.si(value), at: Point(px, bottom + 14), TextStyle(size: ChartFrame.labelSize - 1, anchor: .middle, fill: Palette.axis), className: "x-tick")) }
            }
            axes.marks.append(.line(from: Point(left, bottom), to: Point(left + panelWidth, bottom), Style(stroke: Palette.axis, strokeWidth: 1)))
            axes.marks.append(.line(from: Point(left, panelTop), to: Point(left, bottom), Style(stroke: Palette.axis, strokeWidth: 1)))
            var outline = [Point(x.position(edges[0]), y.position(0))]
            for (bin, count) in counts[index].enumerated() {
                outline.append(Point(x.position(edges[bin]), y.position(Double(count))))
                outline.append(Point(x.position(edges[bin + 1]), y.position(Double(count))))
            }
            outline.append(Point(x.position(edges[edges.count - 1]), y.position(0)))
            let style = styles[index]
            seriesGroups.append(MarkGroup(className: "series", id: "series-\(index)", title: item.name, marks: [
                .path(outline, closed: true, Style(fill: style.color, fillOpacity: 0.35, stroke: style.color, strokeWidth: 1.5, dash: style.dash)),
            ]))
        }
        let center = (p.left + p.right) / 2
        let (xText, xSize) = ChartFrame.fit(quantity, size: ChartFrame.labelSize + 1, smallest: 9, room: 2 * Swift.min(center - 4, width - 4 - center))
        axes.marks.append(.text(xText, at: Point(center, height - 10), TextStyle(size: xSize, anchor: .middle), className: "x-label"))
        let yLabel = "\(unit) per bin (bin width \(NumberFormat.si(binScale.step)))"
        let (yText, ySize) = ChartFrame.fit(yLabel, size: ChartFrame.labelSize + 1, smallest: 9, room: p.bottom - p.top + 16)
        axes.marks.append(.text(yText, at: Point(16, (p.top + p.bottom) / 2), TextStyle(size: ySize, anchor: .middle, rotation: -90), className: "y-label"))
        let description = "\(defaultTitle(quantity: quantity, cdf: false)), one panel per group on the same bins (width \(NumberFormat.si(binScale.step))) and count scale: " + series.map { item in
            let sorted = item.values.sorted()
            return "\(item.name): \(item.values.count) \(unit), median \(NumberFormat.si(Statistics.quantile(sorted: sorted, 0.5) ?? 0)), max \(NumberFormat.si(sorted.last ?? 0))"
        }.joined(separator: "; ") + "."
        return Scene(width: width, height: height, title: title, description: description,
                     groups: [frame.header(), MarkGroup(className: "frame", children: [grid, axes]), MarkGroup(className: "plot", children: seriesGroups)])
    }
}
