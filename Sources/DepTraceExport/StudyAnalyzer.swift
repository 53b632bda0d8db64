import DepTrace

/// Reads inputs for an export: every trace's metrics and timeline in one
/// pass per input, inputs on several threads, results in input order.
public enum StudyAnalyzer {
    /// What one input gave.
    public struct InputResult: Sendable {
        public var input: any TraceReadable
        public var traces: [StudyTrace] = []
        public var diagnostics: [Diagnostic] = []
    }

    /// Reads one input.
    /// - Parameter points: the most timeline points kept per trace (two per downsampling bucket).
    public static func analyze(_ input: any TraceReadable, options: AnalysisOptions, points: Int) -> InputResult {
        var collector = StudyCollector(capacity: Swift.max(1, points / 2))
        _ = input.analyze(options: options, observer: &collector)
        return InputResult(input: input, traces: collector.traces, diagnostics: collector.diagnostics)
    }

    /// Reads `inputs` with up to `workers` threads (0: one per core).
    ///
    /// Results are kept until all inputs are read: they are metrics and
    /// downsampled timelines, small whatever the traces' lengths.
    /// - Returns: one result per input, in input order.
    public static func analyze(_ inputs: [any TraceReadable], options: AnalysisOptions, points: Int, workers: Int = 0) -> [InputResult] {
        let threads = Swift.min(workers > 0 ? workers : ProcessorCount.active, inputs.count)
        // Standard input and named pipes are read on the calling thread: only one reader can own them.
        guard threads > 1, !inputs.contains(where: { ($0 as? TraceInput)?.isStream == true }) else {
            return inputs.map { analyze($0, options: options, points: points) }
        }
        return ConcurrentMap.map(count: inputs.count, threads: threads) { index in
            analyze(inputs[index], options: options, points: points)
        }
    }
}

