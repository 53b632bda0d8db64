/// Refilling a scratch list from the front, record after record.
///
/// `removeAll(keepingCapacity: true)` is an out-of-line call into the
/// standard library (`replaceSubrange`), which cost 4% of reading an H2O
/// trace, where almost every record is a one-range eviction. Overwriting in
/// place and trimming only when the list was longer costs a store.
extension Array {
    /// Sets element `index`, appending when `index` is `count`.
    ///
    /// - Precondition: `index <= count`.
    @inline(__always)
    mutating func overwrite(_ element: Element, at index: Int) {
        if index < count { self[index] = element } else { append(element) }
    }

    /// Drops the elements from `newCount` on, if there are any.
    @inline(__always)
    mutating func trim(to newCount: Int) {
        if newCount < count { removeSubrange(newCount...) }
    }
}
