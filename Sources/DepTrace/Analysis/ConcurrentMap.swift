import Dispatch

/// Maps indices to results on several threads, each taking the next index
/// as soon as it is free; the results come back in index order.
package enum ConcurrentMap {
    /// `(0..<count).map(transform)`, on up to `threads` threads (one when `threads` ≤ 1).
    package static func map<Result: Sendable>(count: Int, threads: Int, _ transform: @Sendable (Int) -> Result) -> [Result] {
        let threads = Swift.min(threads, count)
        guard threads > 1 else { return (0..<count).map(transform) }
        let slots = Slots<Result>(count: count)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let index = slots.claim() {
                slots.store(transform(index), at: index)
            }
        }
        return slots.results
    }
}

/// Hands out indices to threads and keeps their results.
private final class Slots<Result: Sendable>: @unchecked Sendable {
    // Guards both fields.
    private let lock = DispatchSemaphore(value: 1)
    private var stored: [Result?]
    private var next = 0

    init(count: Int) { stored = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.wait()
        defer { lock.signal() }
        guard next < stored.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ result: Result, at index: Int) {
        lock.wait()
        stored[index] = result
        lock.signal()
    }

    /// Every result, once every index was claimed and stored.
    var results: [Result] { stored.compactMap { $0 } }
}
