/// An axis-aligned rectangle in pixels: a text's room, for placing labels clear of each other and of lines.
struct Box: Sendable, Hashable {
    var left: Double
    var right: Double
    var top: Double
    var bottom: Double

    /// Whether the two boxes share more than an edge.
    func intersects(_ other: Box) -> Bool {
        left < other.right && other.left < right && top < other.bottom && other.top < bottom
    }

    func contains(_ point: Point) -> Bool {
        point.x > left && point.x < right && point.y > top && point.y < bottom
    }

    /// Whether the segment from `a` to `b` passes through the box.
    func crossed(from a: Point, to b: Point) -> Bool {
        if contains(a) || contains(b) { return true }
        let corners = [Point(left, top), Point(right, top), Point(right, bottom), Point(left, bottom)]
        return (0..<4).contains { index in
            Self.segmentsCross(a, b, corners[index], corners[(index + 1) % 4])
        }
    }

    /// Whether segments `p1 p2` and `q1 q2` cross (touching counts).
    static func segmentsCross(_ p1: Point, _ p2: Point, _ q1: Point, _ q2: Point) -> Bool {
        func side(_ a: Point, _ b: Point, _ c: Point) -> Double { (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x) }
        let (d1, d2) = (side(q1, q2, p1), side(q1, q2, p2))
        let (d3, d4) = (side(p1, p2, q1), side(p1, p2, q2))
        return ((d1 > 0) != (d2 > 0) || d1 == 0 || d2 == 0) && ((d3 > 0) != (d4 > 0) || d3 == 0 || d4 == 0)
            && Swift.min(p1.x, p2.x) <= Swift.max(q1.x, q2.x) && Swift.min(q1.x, q2.x) <= Swift.max(p1.x, p2.x)
            && Swift.min(p1.y, p2.y) <= Swift.max(q1.y, q2.y) && Swift.min(q1.y, q2.y) <= Swift.max(p1.y, p2.y)
    }
}
