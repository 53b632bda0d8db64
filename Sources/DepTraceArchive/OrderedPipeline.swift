import Dispatch
import Foundation

/// Results computed on other threads, handed back in submission order on the calling thread.
final class OrderedPipeline: @unchecked Sendable {
    private let lock = NSLock()
    private var ready: [Int: ArchiveAnalyzer.EntryResult] = [:]
    private var nextIndex = 0
    private var nextToDeliver = 0
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()

    init(maxInFlight: Int) { slots = DispatchSemaphore(value: maxInFlight) }

    /// Whether anything was submitted.
    var hasResults: Bool { nextIndex > 0 }

    /// Runs `work` on another thread; waits first while too many are in flight.
    func submit(_ work: @escaping @Sendable () -> ArchiveAnalyzer.EntryResult) {
        slots.wait()
        let index = nextIndex
        nextIndex += 1
        DispatchQueue.global().async(group: group) {
            let result = work()
            self.lock.lock()
            self.ready[index] = result
            self.lock.unlock()
            self.slots.signal()
        }
    }

    /// Queues a result that is already known.
    func submitReady(_ result: ArchiveAnalyzer.EntryResult) {
        lock.lock()
        ready[nextIndex] = result
        lock.unlock()
        nextIndex += 1
    }

    /// Delivers the results ready in order, stopping at the first still being computed.
    func deliverReady(_ deliver: (ArchiveAnalyzer.EntryResult) -> Void) {
        while true {
            lock.lock()
            let result = ready.removeValue(forKey: nextToDeliver)
            lock.unlock()
            guard let result else { return }
            nextToDeliver += 1
            deliver(result)
        }
    }

    /// Waits for every result and delivers them all.
    func drain(_ deliver: (ArchiveAnalyzer.EntryResult) -> Void) {
        group.wait()
        deliverReady(deliver)
    }
}
