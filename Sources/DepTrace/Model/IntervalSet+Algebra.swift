extension IntervalSet {
    /// The ids of this set that are not in `other`.
    ///
    /// - Complexity: O(r log r) for r ranges in both sets.
    public func subtracting(_ other: IntervalSet) -> IntervalSet {
        var result = self
        for range in other.ranges { result.remove(range) }
        return result
    }

    /// The ids in both sets.
    public func intersection(_ other: IntervalSet) -> IntervalSet {
        subtracting(subtracting(other))
    }

    /// The set of `ids`, in any order, coalesced into ranges; ids outside
    /// `[0, 2^53)` are left out (they name no token).
    public init<S: Sequence>(ids: S) where S.Element == Int {
        self.init()
        for id in ids.sorted() where id >= 0 && id < RangeList.idLimit { insert(id..<(id + 1)) }
    }
}
