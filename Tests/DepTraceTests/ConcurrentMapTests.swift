@testable import DepTrace
import Foundation
import Testing

@Suite struct ConcurrentMapTests {
    /// Every index is mapped once, the results come back in index order
    /// whatever order the threads finish in, and more threads than indices
    /// (or none) change nothing.
    @Test(arguments: [0, 1, 2, 4, 64])
    func mapsEveryIndexOnceInOrder(threads: Int) {
        for count in [0, 1, 2, 3, 100] {
            let calls = Counter()
            let results = ConcurrentMap.map(count: count, threads: threads) { index -> String in
                calls.increment()
                // Early indices finish last.
                if index < 3 { usleep(UInt32(2_000 * (3 - index))) }
                return "r\(index)"
            }
            #expect(results == (0..<count).map { "r\($0)" })
            #expect(calls.value == count)
        }
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
