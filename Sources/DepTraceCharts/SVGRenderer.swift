import DepTraceXML

/// Writes a ``Scene`` as SVG through libxml2's writer, which escapes every
/// text and attribute: titles and labels from trace metadata can hold anything.
public enum SVGRenderer {
    /// The SVG document's bytes: the same scene always gives the same bytes.
    /// - Throws: ``XMLError`` when libxml2 fails (out of memory, invalid UTF-8).
    public static func render(_ scene: Scene) throws(XMLError) -> [UInt8] {
        let writer = try XMLWriter()
        let c = NumberFormat.coordinate
        try writer.start("svg", attributes: [
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("width", c(scene.width)), ("height", c(scene.height)),
            ("viewBox", "0 0 \(c(scene.width)) \(c(scene.height))"),
            ("role", "img"), ("aria-labelledby", "chart-title chart-desc"),
            ("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif"),
        ])
        try writer.element("title", attributes: [("id", "chart-title")], text: scene.title)
        try writer.element("desc", attributes: [("id", "chart-desc")], text: scene.description)
        try writer.element("rect", attributes: [("width", "100%"), ("height", "100%"), ("fill", "#FFFFFF")])
        for group in scene.groups { try write(group, to: writer) }
        return try writer.finish()
    }

    private static func write(_ group: MarkGroup, to writer: XMLWriter) throws(XMLError) {
        var attributes = [("class", group.className)]
        if let id = group.id { attributes.append(("id", id)) }
        if group.crispEdges { attributes.append(("shape-rendering", "crispEdges")) }
        try writer.start("g", attributes: attributes)
        if let title = group.title { try writer.element("title", text: title) }
        for mark in group.marks { try write(mark, to: writer) }
        for child in group.children { try write(child, to: writer) }
        try writer.end()
    }

    private static func styleAttributes(_ style: Style) -> [(String, String)] {
        var result: [(String, String)] = [("fill", style.fill ?? "none")]
        if let opacity = style.fillOpacity { result.append(("fill-opacity", NumberFormat.fixed(opacity, decimals: 2))) }
        if let stroke = style.stroke { result.append(("stroke", stroke)) }
        if let width = style.strokeWidth { result.append(("stroke-width", NumberFormat.fixed(width, decimals: 2))) }
        if let dash = style.dash { result.append(("stroke-dasharray", dash)) }
        return result
    }

    /// `M x y L x y …`, one decimal per coordinate.
    static func pathData(_ points: [Point], closed: Bool) -> String {
        var data = ""
        data.reserveCapacity(points.count * 12)
        for (index, point) in points.enumerated() {
            data += index == 0 ? "M" : "L"
            data += NumberFormat.coordinate(point.x)
            data += " "
            data += NumberFormat.coordinate(point.y)
        }
        if closed { data += "Z" }
        return data
    }

    private static func write(_ mark: Mark, to writer: XMLWriter) throws(XMLError) {
        let c = NumberFormat.coordinate
        switch mark {
        case .rect(let x, let y, let width, let height, let style):
            try writer.element("rect", attributes: [("x", c(x)), ("y", c(y)), ("width", c(width)), ("height", c(height))] + styleAttributes(style))
        case .line(let from, let to, let style):
            try writer.element("line", attributes: [("x1", c(from.x)), ("y1", c(from.y)), ("x2", c(to.x)), ("y2", c(to.y))] + styleAttributes(style))
        case .path(let points, let closed, let style):
            guard !points.isEmpty else { return }
            try writer.element("path", attributes: [("d", pathData(points, closed: closed))] + styleAttributes(style))
        case .circle(let center, let radius, let style):
            try writer.element("circle", attributes: [("cx", c(center.x)), ("cy", c(center.y)), ("r", c(radius))] + styleAttributes(style))
        case .text(let text, let at, let style, let className):
            var attributes: [(String, String)] = []
            if let className { attributes.append(("class", className)) }
            attributes += [("x", c(at.x)), ("y", c(at.y)), ("font-size", c(style.size)), ("fill", style.fill)]
            if style.anchor != .start { attributes.append(("text-anchor", style.anchor.rawValue)) }
            if style.bold { attributes.append(("font-weight", "bold")) }
            if let rotation = style.rotation { attributes.append(("transform", "rotate(\(c(rotation)) \(c(at.x)) \(c(at.y)))")) }
            try writer.element("text", attributes: attributes, text: text)
        }
    }
}
