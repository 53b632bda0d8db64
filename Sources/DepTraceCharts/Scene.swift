/// A point in SVG user units (pixels), y pointing down.
public struct Point: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// How a shape is painted; nil leaves an attribute out.
public struct Style: Sendable, Hashable {
    public var fill: String?
    public var fillOpacity: Double?
    public var stroke: String?
    public var strokeWidth: Double?
    public var dash: String?

    public init(fill: String? = nil, fillOpacity: Double? = nil, stroke: String? = nil, strokeWidth: Double? = nil, dash: String? = nil) {
        self.fill = fill
        self.fillOpacity = fillOpacity
        self.stroke = stroke
        self.strokeWidth = strokeWidth
        self.dash = dash
    }
}

/// How a text is set.
public struct TextStyle: Sendable, Hashable {
    public enum Anchor: String, Sendable { case start, middle, end }
    public var size: Double
    public var anchor: Anchor
    public var bold: Bool
    /// Degrees, around the text's anchor point.
    public var rotation: Double?
    public var fill: String

    public init(size: Double = 11, anchor: Anchor = .start, bold: Bool = false, rotation: Double? = nil, fill: String = Palette.ink) {
        self.size = size
        self.anchor = anchor
        self.bold = bold
        self.rotation = rotation
        self.fill = fill
    }
}

/// One drawable shape of a chart.
public enum Mark: Sendable, Hashable {
    case rect(x: Double, y: Double, width: Double, height: Double, Style)
    case line(from: Point, to: Point, Style)
    /// A polyline, or a polygon when `closed`.
    case path([Point], closed: Bool, Style)
    case circle(center: Point, radius: Double, Style)
    /// Text as text, so it stays selectable and searchable in a paper.
    case text(String, at: Point, TextStyle, className: String?)
}

/// A `<g>` of marks: one series, an axis, the legend.
public struct MarkGroup: Sendable, Hashable {
    public var className: String
    public var id: String?
    /// A `<title>` child: a tooltip and an accessible name.
    public var title: String?
    public var marks: [Mark]
    public var children: [MarkGroup]
    /// Draw edges on whole pixels: adjacent cells then meet without anti-aliased seams.
    public var crispEdges = false

    public init(className: String, id: String? = nil, title: String? = nil, marks: [Mark] = [], children: [MarkGroup] = [], crispEdges: Bool = false) {
        self.className = className
        self.id = id
        self.title = title
        self.crispEdges = crispEdges
        self.marks = marks
        self.children = children
    }
}

/// A whole chart, laid out in pixels: what the SVG renderer draws.
public struct Scene: Sendable, Hashable {
    public var width: Double
    public var height: Double
    public var title: String
    /// The `<desc>`: what the chart shows, in words.
    public var description: String
    public var groups: [MarkGroup]

    public init(width: Double, height: Double, title: String, description: String, groups: [MarkGroup] = []) {
        self.width = width
        self.height = height
        self.title = title
        self.description = description
        self.groups = groups
    }
}
