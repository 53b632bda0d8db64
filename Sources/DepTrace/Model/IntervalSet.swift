/// A set of token ids stored as sorted, disjoint, non-adjacent half-open ranges.
///
/// A run of a million contiguous ids costs one range, so the memory of a
/// trace analysis follows the shape of its visible sets, not their size.
/// Adjacent ranges are always merged, which makes equality of two sets the
/// equality of their range arrays.
public struct IntervalSet: Sendable, Hashable {
    /// The ranges, sorted ascending, disjoint and never adjacent.
    public private(set) var ranges: [Range<Int>]
    /// The number of ids in the set.
    ///
    /// - Complexity: O(1).
    public private(set) var count: Int

    /// Creates an empty set.
    public init() {
        ranges = []
        count = 0
    }

    /// Creates a set holding the union of `ranges`, in any order, overlapping or not.
    public init<S: Sequence>(_ ranges: S) where S.Element == Range<Int> {
        self.init()
        for range in ranges { insert(range) }
    }

    /// Whether the set holds no id.
    public var isEmpty: Bool { count == 0 }

    /// The largest id in the set, if any.
    public var last: Int? { ranges.last.map { $0.upperBound - 1 } }

    /// Index of the first stored range whose upper bound is greater than `id`:
    /// the only range that can contain `id`, or where a range starting at `id` goes.
    ///
    /// - Complexity: O(log r) for r stored ranges.
    @inline(__always)
    func firstIndex(endingAfter id: Int) -> Int {
        // Branch-free lower bound: the comparison feeds a conditional move, so
        // the search costs no mispredictions on fragmented (H2O-style) sets.
        ranges.withUnsafeBufferPointer { buffer in
            var count = buffer.count
            guard count > 0, let base = buffer.baseAddress else { return 0 }
            var low = 0
            while count > 1 {
                let half = count >> 1
                low = base[low &+ half &- 1].upperBound <= id ? low &+ half : low
                count &-= half
            }
            return base[low].upperBound <= id ? low &+ 1 : low
        }
    }

    /// Whether every id of `range` is in the set.
    public func contains(_ range: Range<Int>) -> Bool {
        if range.isEmpty { return true }
        let index = firstIndex(endingAfter: range.lowerBound)
        guard index < ranges.count else { return false }
        let stored = ranges[index]
        return stored.lowerBound <= range.lowerBound && range.upperBound <= stored.upperBound
    }

    /// Whether `id` is in the set.
    public func contains(_ id: Int) -> Bool {
        let index = firstIndex(endingAfter: id)
        return index < ranges.count && ranges[index].lowerBound <= id
    }

    /// Whether some id of `range` is in the set.
    public func intersects(_ range: Range<Int>) -> Bool {
        if range.isEmpty { return false }
        let index = firstIndex(endingAfter: range.lowerBound)
        return index < ranges.count && ranges[index].lowerBound < range.upperBound
    }

    /// The smallest id of `range` that is not in the set, or nil when all are.
    public func firstMissing(in range: Range<Int>) -> Int? {
        if range.isEmpty { return nil }
        let index = firstIndex(endingAfter: range.lowerBound)
        guard index < ranges.count, ranges[index].lowerBound <= range.lowerBound else {
            return range.lowerBound
        }
        let end = ranges[index].upperBound
        return end < range.upperBound ? end : nil
    }

    /// The smallest id of `range` that is in the set, or nil when none is.
    public func firstPresent(in range: Range<Int>) -> Int? {
        if range.isEmpty { return nil }
        let index = firstIndex(endingAfter: range.lowerBound)
        guard index < ranges.count, ranges[index].lowerBound < range.upperBound else { return nil }
        return Swift.max(ranges[index].lowerBound, range.lowerBound)
    }

    /// Adds the ids of `range`.
    ///
    /// - Complexity: O(1) amortized when `range` starts at or after the largest
    ///   id (the common case: a step's new queries); O(r) otherwise.
    @inline(__always)
    public mutating func insert(_ range: Range<Int>) {
        if range.isEmpty { return }
        // The usual case, new ids after every stored one, stays inline.
        if let lastRange = ranges.last, lastRange.upperBound <= range.lowerBound {
            if lastRange.upperBound == range.lowerBound {
                ranges[ranges.count &- 1] = lastRange.lowerBound..<range.upperBound
            } else {
                ranges.append(range)
            }
            count &+= range.count
            return
        }
        insertBeforeEnd(range)
    }

    /// `insert(range)` for a range that does not lie after every stored range.
    private mutating func insertBeforeEnd(_ range: Range<Int>) {
        if ranges.isEmpty {
            ranges.append(range)
            count = range.count
            return
        }
        // Every stored range that overlaps or touches `range` merges into it.
        // Upper bound ≥ lower bound: the first range that overlaps or touches on the left.
        let first = firstIndex(endingAfter: range.lowerBound &- 1)
        var last = first
        var merged = range
        var removed = 0
        while last < ranges.count, ranges[last].lowerBound <= range.upperBound {
            let stored = ranges[last]
            merged = Swift.min(merged.lowerBound, stored.lowerBound)..<Swift.max(merged.upperBound, stored.upperBound)
            removed &+= stored.count
            last &+= 1
        }
        switch last &- first {
        case 0: ranges.insert(merged, at: first)
        case 1: ranges[first] = merged
        default: ranges.replaceSubrange(first..<last, with: CollectionOfOne(merged))
        }
        count = count &- removed &+ merged.count
    }

    /// Removes the ids of `range` that are in the set.
    ///
    /// - Returns: how many ids were removed.
    /// - Complexity: O(log r) plus the ranges moved.
    @discardableResult
    public mutating func remove(_ range: Range<Int>) -> Int {
        if range.isEmpty { return 0 }
        let first = firstIndex(endingAfter: range.lowerBound)
        var last = first
        var removed = 0
        while last < ranges.count, ranges[last].lowerBound < range.upperBound {
            let stored = ranges[last]
            removed &+= Swift.min(stored.upperBound, range.upperBound) &- Swift.max(stored.lowerBound, range.lowerBound)
            last &+= 1
        }
        if first == last { return 0 }
        let head = ranges[first].lowerBound < range.lowerBound ? ranges[first].lowerBound..<range.lowerBound : nil
        let tail = ranges[last &- 1].upperBound > range.upperBound ? range.upperBound..<ranges[last &- 1].upperBound : nil
        if last == first &+ 1 {
            // One stored range is touched (the usual eviction): edit it in place.
            switch (head, tail) {
            case (nil, nil): ranges.remove(at: first)
            case let (head?, nil): ranges[first] = head
            case let (nil, tail?): ranges[first] = tail
            case let (head?, tail?):
                ranges[first] = head
                ranges.insert(tail, at: first &+ 1)
            }
        } else {
            switch (head, tail) {
            case (nil, nil): ranges.removeSubrange(first..<last)
            case let (head?, nil): ranges.replaceSubrange(first..<last, with: CollectionOfOne(head))
            case let (nil, tail?): ranges.replaceSubrange(first..<last, with: CollectionOfOne(tail))
            case let (head?, tail?): ranges.replaceSubrange(first..<last, with: [head, tail])
            }
        }
        count &-= removed
        return removed
    }

    /// Removes every id.
    public mutating func removeAll() {
        ranges.removeAll(keepingCapacity: true)
        count = 0
    }
}

extension IntervalSet: CustomStringConvertible {
    /// The ranges as JSON-style pairs, `[[0,150],[412,422]]`.
    public var description: String { RangeList.describe(ranges) }
}
