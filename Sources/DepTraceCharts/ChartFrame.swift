/// The parts every chart shares: title, axes with nice ticks and labels, grid, legend.
public struct ChartFrame: Sendable {
    /// One legend entry: a swatch and its name.
    public struct LegendEntry: Sendable, Hashable {
        /// `none`: the name alone (the note that entries were left out).
        public enum Swatch: Sendable, Hashable { case area, line, tick, none }
        public var name: String
        public var color: String
        public var swatch: Swatch
        public init(name: String, color: String, swatch: Swatch = .area) {
            self.name = name
            self.color = color
            self.swatch = swatch
        }
    }

    public var width: Double
    public var height: Double
    public var title: String
    public var legend: [LegendEntry]
    /// Extra room under the x axis (rotated category labels).
    public var bottomExtra: Double

    static let titleSize = 15.0
    static let labelSize = 11.0
    static let legendSize = 11.0

    public init(width: Double, height: Double, title: String, legend: [LegendEntry], bottomExtra: Double = 0) {
        self.width = width
        self.height = height
        self.title = title
        self.legend = legend
        self.bottomExtra = bottomExtra
    }

    /// The most legend rows: a third of the room between the margins, so that
    /// a legend of hundreds of traces never squeezes the plot away.
    var maxLegendRows: Int { Swift.max(1, Int((height - 88 - bottomExtra) / 3 / 16)) }

    /// Legend entries placed in rows under the title: (entry, x, row). When
    /// they need more than ``maxLegendRows`` rows, the series entries that do
    /// not fit give way to "… and N more"; keys of event ticks stay.
    var legendPlacement: [(LegendEntry, Double, Int)] {
        let all = place(legend)
        guard let last = all.last, last.2 >= maxLegendRows else { return all }
        let keys = legend.filter { $0.swatch == .tick }
        let items = legend.filter { $0.swatch != .tick }
        var shown = Swift.min(items.count, all.prefix { $0.2 < maxLegendRows }.count)
        while true {
            let note = LegendEntry(name: "… and \(items.count - shown) more", color: Palette.axis, swatch: .none)
            let placed = place(Array(items.prefix(shown)) + [note] + keys)
            if shown == 0 || (placed.last?.2 ?? 0) < maxLegendRows { return placed }
            shown -= 1
        }
    }

    /// `entries` in rows from the left margin, wrapping at the right.
    private func place(_ entries: [LegendEntry]) -> [(LegendEntry, Double, Int)] {
        var placed: [(LegendEntry, Double, Int)] = []
        var x = 64.0, row = 0
        for entry in entries {
            let entryWidth = Self.legendWidth(entry)
            if x + entryWidth > width - 12, x > 64 { row += 1; x = 64 }
            placed.append((entry, x, row))
            x += entryWidth
        }
        return placed
    }

    private static func legendWidth(_ entry: LegendEntry) -> Double {
        (entry.swatch == .none ? 0 : 18) + TextWidth.of(entry.name, size: legendSize) + 20
    }

    var legendRows: Int { legend.isEmpty ? 0 : (legendPlacement.last?.2 ?? 0) + 1 }

    /// The plot area in pixels.
    public var plot: (left: Double, top: Double, right: Double, bottom: Double) {
        (64, 36 + Double(legendRows) * 16 + 6, width - 20, height - 46 - bottomExtra)
    }

    /// Title and legend.
    public func header() -> MarkGroup {
        var legendGroup = MarkGroup(className: "legend")
        for (entry, x, row) in legendPlacement {
            let y = 44 + Double(row) * 16
            switch entry.swatch {
            case .area: legendGroup.marks.append(.rect(x: x, y: y - 9, width: 12, height: 10, Style(fill: entry.color, fillOpacity: 0.35, stroke: entry.color, strokeWidth: 1.5)))
            case .line: legendGroup.marks.append(.line(from: Point(x, y - 4), to: Point(x + 12, y - 4), Style(stroke: entry.color, strokeWidth: 2)))
            case .tick: legendGroup.marks.append(.line(from: Point(x + 6, y - 9), to: Point(x + 6, y + 1), Style(stroke: entry.color, strokeWidth: 1.5)))
            case .none: break
            }
            let textX = entry.swatch == .none ? x : x + 18
            legendGroup.marks.append(.text(entry.name, at: Point(textX, y), TextStyle(size: Self.legendSize, fill: entry.swatch == .none ? entry.color : Palette.ink), className: "legend-label"))
        }
        let titleGroup = MarkGroup(className: "chart-title", marks: [
            .text(title, at: Point(width / 2, 22), TextStyle(size: Self.titleSize, anchor: .middle, bold: true), className: "title"),
        ])
        return MarkGroup(className: "header", children: legend.count > 1 ? [titleGroup, legendGroup] : [titleGroup])
    }

    /// Axes, grid lines and tick labels for a numeric y scale and, when given, a numeric x scale.
    public func axes(x: NiceScale?, y: NiceScale, xLabel: String, yLabel: String, yFormat: (Double) -> String = NumberFormat.si) -> MarkGroup {
        let p = plot
        var grid = MarkGroup(className: "grid")
        var axis = MarkGroup(className: "axes")
        let tickStyle = TextStyle(size: Self.labelSize, anchor: .end, fill: Palette.axis)
        for value in y.ticks {
            let py = y.position(value)
            grid.marks.append(.line(from: Point(p.left, py), to: Point(p.right, py), Style(stroke: Palette.grid, strokeWidth: 1)))
            axis.marks.append(.text(yFormat(value), at: Point(p.left - 6, py + 4), tickStyle, className: "y-tick"))
        }
        if let x {
            for value in x.ticks {
                let px = x.position(value)
                axis.marks.append(.line(from: Point(px, p.bottom), to: Point(px, p.bottom + 4), Style(stroke: Palette.axis, strokeWidth: 1)))
                axis.marks.append(.text(NumberFormat.si(value), at: Point(px, p.bottom + 16), TextStyle(size: Self.labelSize, anchor: .middle, fill: Palette.axis), className: "x-tick"))
            }
        }
        axis.marks.append(.line(from: Point(p.left, p.bottom), to: Point(p.right, p.bottom), Style(stroke: Palette.axis, strokeWidth: 1)))
        axis.marks.append(.line(from: Point(p.left, p.top), to: Point(p.left, p.bottom), Style(stroke: Palette.axis, strokeWidth: 1)))
        axis.marks.append(.text(xLabel, at: Point((p.left + p.right) / 2, height - 10), TextStyle(size: Self.labelSize + 1, anchor: .middle), className: "x-label"))
        let middle = (p.top + p.bottom) / 2
        axis.marks.append(.text(yLabel, at: Point(16, middle), TextStyle(size: Self.labelSize + 1, anchor: .middle, rotation: -90), className: "y-label"))
        return MarkGroup(className: "frame", children: [grid, axis])
    }
}
