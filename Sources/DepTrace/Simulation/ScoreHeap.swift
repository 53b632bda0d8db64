/// A binary min-heap of token ids by score (ties: the older id first), for H2O's
/// "evict the lowest accumulated attention".
struct ScoreHeap {
    private var items: [(score: UInt64, id: Int)] = []

    var count: Int { items.count }

    private static func less(_ a: (score: UInt64, id: Int), _ b: (score: UInt64, id: Int)) -> Bool {
        a.score != b.score ? a.score < b.score : a.id < b.id
    }

    /// - Complexity: O(log n).
    mutating func push(_ id: Int, score: UInt64) {
        items.append((score, id))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the id with the lowest score.
    /// - Complexity: O(log n).
    mutating func pop() -> Int? {
        guard !items.isEmpty else { return nil }
        let top = items[0].id
        let last = items.removeLast()
        guard !items.isEmpty else { return top }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, Self.less(items[left], items[smallest]) { smallest = left }
            if right < items.count, Self.less(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
