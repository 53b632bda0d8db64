/// How one series is drawn: a colour, a dash pattern and a marker. No two
/// indices share the pair (colour, dash), for any number of series: the
/// colour cycles through ``Palette/series`` and each cycle has a dash pattern
/// of its own.
public struct SeriesStyle: Sendable, Hashable {
    /// The point shapes, in the order cycles take them.
    public enum Marker: String, Sendable, Hashable, CaseIterable { case circle, square, triangle, diamond }

    public var color: String
    /// An SVG `stroke-dasharray`, nil for a solid line.
    public var dash: String?
    public var marker: Marker

    public init(color: String, dash: String?, marker: Marker) {
        self.color = color
        self.dash = dash
        self.marker = marker
    }

    /// The dash patterns of the first cycles; later cycles get ``dash(cycle:)``'s generated ones.
    static let dashes: [String?] = [nil, "7 3", "2 2", "9 3 2 3", "4 2 1 2"]

    /// The dash of colour cycle `cycle`: distinct for every cycle, and never a
    /// pattern starting with `1.5 ` (kept for ``resident(_:)``) or `4 ` and more
    /// with a gap of 8 or more (kept for ``repeated(_:rank:)``).
    static func dash(cycle: Int) -> String? {
        cycle < dashes.count ? dashes[cycle] : "\(cycle + 6) 3 2 3"
    }

    /// The style of series `index` (0-based).
    public static func of(_ index: Int) -> SeriesStyle {
        let index = Swift.max(0, index)
        let cycle = index / Palette.series.count
        let markers = Marker.allCases
        return SeriesStyle(color: Palette.color(index), dash: dash(cycle: cycle), marker: markers[(index + cycle) % markers.count])
    }

    /// The companion line of series `index` (its resident tokens beside the
    /// visible ones): the same colour, dotted, a dot length no other style uses.
    public static func resident(_ index: Int) -> SeriesStyle {
        let base = of(index)
        let cycle = Swift.max(0, index) / Palette.series.count
        return SeriesStyle(color: base.color, dash: "1.5 \(cycle + 2)", marker: base.marker)
    }

    /// The style of series `index` that draws the same as an earlier series:
    /// its colour, and a sparse dash (the `rank`-th repeat of that series,
    /// from 1) so the line under it shows through. No series style has it.
    public static func repeated(_ index: Int, rank: Int) -> SeriesStyle {
        var style = of(index)
        let cycle = Swift.max(0, index) / Palette.series.count
        style.dash = "\(4 + cycle) \(4 * Swift.max(1, rank) + 4)"
        return style
    }

    /// For each item, the index of the first earlier item equal to it (by `same`), or nil.
    public static func repeats<T>(_ items: [T], same: (T, T) -> Bool) -> [Int?] {
        items.indices.map { index in items[..<index].indices.first { same(items[$0], items[index]) } }
    }

    /// The styles of items whose repeats (see ``repeats(_:same:)``) get ``repeated(_:rank:)``.
    public static func styles(repeats: [Int?]) -> [SeriesStyle] {
        var rank: [Int: Int] = [:]
        return repeats.enumerated().map { index, original in
            guard let original else { return of(index) }
            rank[original, default: 0] += 1
            return repeated(index, rank: rank[original] ?? 1)
        }
    }

    /// A stroke in this style.
    public func stroke(width: Double) -> Style {
        Style(stroke: color, strokeWidth: width, dash: dash)
    }
}
