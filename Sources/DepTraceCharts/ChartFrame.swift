/// The parts every chart shares: title, axes with nice ticks and labels, grid, legend.
public struct ChartFrame: Sendable {
    /// One legend entry: a swatch and its name.
    public struct LegendEntry: Sendable, Hashable {
        /// How the swatch looks: like the series it names. `area`: a filled
        /// box (bars, cells); `line`: a line sample with the series' dash;
        /// `marker`: the series' point shape; `tick`: an event tick; `none`:
        /// the name alone (the note that entries were left out).
        public enum Swatch: Sendable, Hashable { case area, line, marker, tick, none }
        public var name: String
        public var color: String
        public var swatch: Swatch
        /// The series' dash pattern (`line`, and the outline of `area`).
        public var dash: String?
        /// The series' point shape (`marker`, and drawn on a `line` when set).
        public var marker: SeriesStyle.Marker?
        /// Whether a `marker` swatch is filled (pareto: non-dominated).
        public var filled: Bool

        /// An entry drawn with `swatch` in `color` (and `dash`, `marker` where the swatch shows them).
        public init(name: String, color: String, swatch: Swatch = .area, dash: String? = nil, marker: SeriesStyle.Marker? = nil, filled: Bool = true) {
            self.name = name
            self.color = color
            self.swatch = swatch
            self.dash = dash
            self.marker = marker
            self.filled = filled
        }

        /// An entry whose swatch is `style`'s.
        public init(name: String, style: SeriesStyle, swatch: Swatch, filled: Bool = true) {
            self.init(name: name, color: style.color, swatch: swatch, dash: style.dash,
                      marker: swatch == .marker ? style.marker : nil, filled: filled)
        }
    }

    public var width: Double
    public var height: Double
    public var title: String
    /// A second line under the title (what is binned, counted or left out), or nil.
    public var subtitle: String?
    public var legend: [LegendEntry]
    /// Extra room under the x axis (rotated category labels).
    public var bottomExtra: Double

    static let titleSize = 15.0
    static let labelSize = 11.0
    static let legendSize = 11.0
    static let subtitleSize = 11.0
    /// Width of a legend swatch and the gap after it.
    static let swatchWidth = 22.0

    public init(width: Double, height: Double, title: String, subtitle: String? = nil, legend: [LegendEntry], bottomExtra: Double = 0) {
        self.width = width
        self.height = height
        self.title = title
        self.subtitle = subtitle
        self.legend = legend
        self.bottomExtra = bottomExtra
    }

    /// Room the subtitle takes under the title.
    var subtitleRoom: Double { subtitle == nil ? 0 : 15 }

    /// The most legend rows: a third of the room between the margins, so that
    /// a legend of hundreds of traces never squeezes the plot away.
    var maxLegendRows: Int { Swift.max(1, Int((height - 88 - bottomExtra - subtitleRoom) / 3 / 16)) }

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

    /// `entries` in rows from the left margin, wrapping at the right; a name
    /// wider than a whole row is clipped to it.
    private func place(_ entries: [LegendEntry]) -> [(LegendEntry, Double, Int)] {
        var placed: [(LegendEntry, Double, Int)] = []
        var x = 64.0, row = 0
        for var entry in entries {
            let room = width - 12 - 64 - (entry.swatch == .none ? 0 : Self.swatchWidth + 6) - 18
            entry.name = Self.fit(entry.name, size: Self.legendSize, smallest: Self.legendSize, room: room).0
            let entryWidth = Self.legendWidth(entry)
            if x + entryWidth > width - 12, x > 64 { row += 1; x = 64 }
            placed.append((entry, x, row))
            x += entryWidth
        }
        return placed
    }

    private static func legendWidth(_ entry: LegendEntry) -> Double {
        (entry.swatch == .none ? 0 : swatchWidth + 6) + TextWidth.of(entry.name, size: legendSize) + 18
    }

    var legendRows: Int { legend.isEmpty ? 0 : (legendPlacement.last?.2 ?? 0) + 1 }

    /// The plot area in pixels.
    public var plot: (left: Double, top: Double, right: Double, bottom: Double) {
        (64, 36 + subtitleRoom + Double(legendRows) * 16 + 6, width - 20, height - 46 - bottomExtra)
    }

    /// Title, subtitle and legend.
    public func header() -> MarkGroup {
        var legendGroup = MarkGroup(className: "legend")
        for (entry, x, row) in legendPlacement {
            let y = 44 + subtitleRoom + Double(row) * 16
            let w = Self.swatchWidth
            switch entry.swatch {
            case .area:
                legendGroup.marks.append(.rect(x: x, y: y - 9, width: w, height: 10, Style(fill: entry.color, stroke: entry.dash == nil ? nil : Palette.ink, strokeWidth: entry.dash == nil ? nil : 1, dash: entry.dash)))
            case .line:
                legendGroup.marks.append(.line(from: Point(x, y - 4), to: Point(x + w, y - 4), Style(stroke: entry.color, strokeWidth: 2, dash: entry.dash)))
                if let marker = entry.marker {
                    legendGroup.marks.append(Self.marker(marker, at: Point(x + w / 2, y - 4), size: 3.5, Style(fill: "#FFFFFF", stroke: entry.color, strokeWidth: 1.5)))
                }
            case .marker:
                legendGroup.marks.append(Self.marker(entry.marker ?? .circle, at: Point(x + w / 2, y - 4), size: 4.5, Style(fill: entry.filled ? entry.color : "#FFFFFF", stroke: entry.color, strokeWidth: 2)))
            case .tick:
                legendGroup.marks.append(.line(from: Point(x + w / 2, y - 9), to: Point(x + w / 2, y + 1), Style(stroke: entry.color, strokeWidth: 1.5)))
            case .none: break
            }
            let textX = entry.swatch == .none ? x : x + w + 6
            legendGroup.marks.append(.text(entry.name, at: Point(textX, y), TextStyle(size: Self.legendSize, fill: entry.swatch == .none ? entry.color : Palette.ink), className: "legend-label"))
        }
        let (titleText, titleSize) = Self.fit(title, size: Self.titleSize, smallest: 11, room: width - 16, bold: true)
        var titleGroup = MarkGroup(className: "chart-title", marks: [
            .text(titleText, at: Point(width / 2, 22), TextStyle(size: titleSize, anchor: .middle, bold: true), className: "title"),
        ])
        if let subtitle {
            let (text, size) = Self.fit(subtitle, size: Self.subtitleSize, smallest: 9, room: width - 16)
            titleGroup.marks.append(.text(text, at: Point(width / 2, 38), TextStyle(size: size, anchor: .middle, fill: Palette.axis), className: "subtitle"))
        }
        return MarkGroup(className: "header", children: legend.isEmpty ? [titleGroup] : [titleGroup, legendGroup])
    }

    /// Bold text is about this much wider than the table's regular widths.
    static let boldFactor = 1.1

    /// `text` set at `size`, or smaller (down to `smallest`) so it fits in
    /// `room` pixels, and clipped with "…" when even that is too wide.
    public static func fit(_ text: String, size: Double, smallest: Double, room: Double, bold: Bool = false) -> (String, Double) {
        let factor = bold ? boldFactor : 1
        let full = TextWidth.of(text, size: 1) * factor
        guard full * size > room else { return (text, size) }
        let fitting = (room / Swift.max(full, 0.001) * 2).rounded(.down) / 2
        if fitting >= smallest { return (text, fitting) }
        var clipped = text
        while !clipped.isEmpty, TextWidth.of(clipped + "…", size: smallest) * factor > room { clipped.removeLast() }
        // Never a number cut short: "40 traces" clipped is "…", not "4…".
        if let next = text.dropFirst(clipped.count).first, next.isNumber || next == "." {
            while let last = clipped.last, last.isNumber || last == "." { clipped.removeLast() }
        }
        return (clipped + "…", smallest)
    }

    /// A point marker of `shape` centred on `center`, `size` pixels from centre to edge.
    public static func marker(_ shape: SeriesStyle.Marker, at center: Point, size: Double, _ style: Style) -> Mark {
        let (x, y, r) = (center.x, center.y, size)
        switch shape {
        case .circle: return .circle(center: center, radius: r, style)
        case .square: return .path([Point(x - r * 0.9, y - r * 0.9), Point(x + r * 0.9, y - r * 0.9), Point(x + r * 0.9, y + r * 0.9), Point(x - r * 0.9, y + r * 0.9)], closed: true, style)
        case .triangle: return .path([Point(x, y - r * 1.15), Point(x + r, y + r * 0.75), Point(x - r, y + r * 0.75)], closed: true, style)
        case .diamond: return .path([Point(x, y - r * 1.2), Point(x + r, y), Point(x, y + r * 1.2), Point(x - r, y)], closed: true, style)
        }
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
        let center = (p.left + p.right) / 2
        let (xText, xSize) = Self.fit(xLabel, size: Self.labelSize + 1, smallest: 9, room: 2 * Swift.min(center - 4, width - 4 - center))
        axis.marks.append(.text(xText, at: Point(center, height - 10), TextStyle(size: xSize, anchor: .middle), className: "x-label"))
        let middle = (p.top + p.bottom) / 2
        // Nothing else is set at the far left: the label may run from under the title to the foot.
        let (yText, ySize) = Self.fit(yLabel, size: Self.labelSize + 1, smallest: 9, room: 2 * Swift.min(middle - 34 - subtitleRoom, height - 20 - middle))
        axis.marks.append(.text(yText, at: Point(16, middle), TextStyle(size: ySize, anchor: .middle, rotation: -90), className: "y-label"))
        return MarkGroup(className: "frame", children: [grid, axis])
    }
}
