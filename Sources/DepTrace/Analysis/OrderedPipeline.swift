import Dispatch

/// Work run on other threads whose results are handed back on the calling
/// thread in submission order, with a bounded number of results computing or
/// waiting for delivery: output never depends on scheduling, and memory is
/// that many results however slow the first one is.
///
/// Used from one thread: the one that submits also delivers.
package final class OrderedPipeline<Result: Sendable>: @unchecked Sendable {
    // Guards `ready`; the counters are only touched by the submitting thread.
    private let lock = DispatchSemaphore(value: 1)
    private var ready: [Int: Result] = [:]
    /// Signalled once per finished work item.
    private let finished = DispatchSemaphore(value: 0)
    private var nextIndex = 0
    private var nextToDeliver = 0
    private let maxInFlight: Int
    private let group = DispatchGroup()

    /// A pipeline with at most `maxInFlight` results computing or not yet delivered.
    package init(maxInFlight: Int) { self.maxInFlight = Swift.max(1, maxInFlight) }

    /// Runs `work` on another thread. While `maxInFlight` results are
    /// pending, waits, delivering each one as soon as its turn comes.
    package func submit(delivering deliver: (Result) -> Void, _ work: @escaping @Sendable () -> Result) {
        deliverReady(deliver)
        while nextIndex - nextToDeliver >= maxInFlight {
            finished.wait()
            deliverReady(deliver)
        }
        let index = nextIndex
        nextIndex += 1
        DispatchQueue.global().async(group: group) {
            let result = work()
            self.lock.wait()
            self.ready[index] = result
            self.lock.signal()
            self.finished.signal()
        }
    }

    /// Queues a result that is already known.
    package func submitReady(_ result: Result) {
        lock.wait()
        ready[nextIndex] = result
        lock.signal()
        nextIndex += 1
    }

    /// Delivers the results ready in order, stopping at the first still being computed.
    package func deliverReady(_ deliver: (Result) -> Void) {
        while true {
            lock.wait()
            let result = ready.removeValue(forKey: nextToDeliver)
            lock.signal()
            guard let result else { return }
            nextToDeliver += 1
            deliver(result)
        }
    }

    /// Waits for every result and delivers them all.
    package func drain(_ deliver: (Result) -> Void) {
        group.wait()
        deliverReady(deliver)
    }
}
