import Dispatch

/// Analyses many inputs on several cores and hands back their results in
/// input order, so output is the same whatever the scheduling.
///
/// Inputs are taken in windows of a few per core; each input is read whole
/// by one worker, and a window's results are delivered before the next
/// window starts. Memory is one window of results (metrics, not traces).
public enum ParallelInputAnalyzer {
    /// What one input gave.
    public struct InputResult: Sendable {
        public var input: TraceInput
        public var outcomes: [TraceOutcome] = []
        public var diagnostics: [Diagnostic] = []
        public var summary = InputAnalyzer.Summary()
    }

    /// Collects one input's outcomes and diagnostics.
    private struct Collector: TraceObserver {
        var outcomes: [TraceOutcome] = []
        var diagnostics: [Diagnostic] = []
        mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) { outcomes.append(outcome) }
        mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
    }

    /// The results of one input.
    public static func analyze(_ input: TraceInput, options: AnalysisOptions) -> InputResult {
        var collector = Collector()
        let summary = InputAnalyzer.analyze(input, options: options, observer: &collector)
        return InputResult(input: input, outcomes: collector.outcomes, diagnostics: collector.diagnostics, summary: summary)
    }

    /// Analyses `inputs` with up to `workers` threads, calling `deliver` on the
    /// calling thread with each input's result, in input order.
    ///
    /// - Parameter workers: threads to use; 0 means one per core.
    public static func analyze(
        _ inputs: [TraceInput], options: AnalysisOptions, workers: Int = 0, deliver: (InputResult) -> Void
    ) {
        let threads = workers > 0 ? workers : ProcessorCount.active
        // Standard input is read on the calling thread: only one reader can own it.
        guard threads > 1, inputs.count > 1, !inputs.contains(where: { $0.location == .standardInput }) else {
            for input in inputs { deliver(analyze(input, options: options)) }
            return
        }
        let window = threads * 4
        var start = 0
        while start < inputs.count {
            let batch = Array(inputs[start..<Swift.min(start + window, inputs.count)])
            let slots = ResultSlots(count: batch.count)
            DispatchQueue.concurrentPerform(iterations: batch.count) { index in
                slots.store(analyze(batch[index], options: options), at: index)
            }
            for result in slots.results { deliver(result) }
            start += batch.count
        }
    }
}

/// Results written by workers at distinct indices, read after they all finished.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [ParallelInputAnalyzer.InputResult?]
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ result: ParallelInputAnalyzer.InputResult, at index: Int) {
        lock.wait()
        slots[index] = result
        lock.signal()
    }

    var results: [ParallelInputAnalyzer.InputResult] { slots.compactMap { $0 } }
}

/// The number of cores this process may use.
public enum ProcessorCount {
    public static var active: Int {
        #if canImport(Glibc)
        return Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return Swift.max(1, sysconfCount())
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
private func sysconfCount() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#endif
