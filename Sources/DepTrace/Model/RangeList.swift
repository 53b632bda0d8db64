/// Helpers for the lists of half-open id ranges that records carry.
public enum RangeList {
    /// The largest token id plus one: ids live in `[0, 2^53)`.
    public static let idLimit = 1 << 53

    /// Checks a record's ranges: each non-empty, inside `[0, 2^53)`, sorted
    /// ascending and non-overlapping (adjacent is allowed).
    ///
    /// - Throws: a ``RuleViolation`` naming the first offending range.
    public static func validate(_ ranges: [Range<Int>]) throws(RuleViolation) {
        try validate(ranges[...])
    }

    /// ``validate(_:)`` for any collection of ranges (an array's buffer in the readers' hot path).
    @inline(__always)
    static func validate(_ ranges: some Collection<Range<Int>>) throws(RuleViolation) {
        var previousEnd = Int.min
        for range in ranges {
            guard range.lowerBound >= 0, range.upperBound <= idLimit else {
                throw .idOutOfRange(start: range.lowerBound, end: range.upperBound)
            }
            guard !range.isEmpty else { throw .emptyRange(start: range.lowerBound, end: range.upperBound) }
            guard range.lowerBound >= previousEnd else { throw .unsortedRanges(range) }
            previousEnd = range.upperBound
        }
    }

    /// The total number of ids in ranges already validated as disjoint.
    public static func idCount(_ ranges: [Range<Int>]) -> Int {
        var total = 0
        for range in ranges { total &+= range.count }
        return total
    }

    /// `[[a,b],[c,d]]`, shortened in the middle when there are many ranges.
    public static func describe(_ ranges: [Range<Int>], limit: Int = 8) -> String {
        func pair(_ range: Range<Int>) -> String { "[\(range.lowerBound),\(range.upperBound)]" }
        if ranges.count <= limit { return "[" + ranges.map(pair).joined(separator: ",") + "]" }
        let head = ranges.prefix(limit / 2).map(pair).joined(separator: ",")
        let tail = ranges.suffix(limit / 2).map(pair).joined(separator: ",")
        return "[\(head),…(\(ranges.count - limit) more)…,\(tail)]"
    }
}
