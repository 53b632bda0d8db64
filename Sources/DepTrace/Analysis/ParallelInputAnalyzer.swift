import Dispatch

/// Analyses many inputs on several cores and hands back their results in
/// input order, so output is the same whatever the scheduling.
///
/// Inputs are taken in windows of a few per core. A large file holding many
/// traces is cut at trace headers (``InputSplitter``) and its pieces are read
/// by different workers; their results are put back together, so what is
/// delivered is exactly what reading the file whole gives. A window's results
/// are delivered before the next window starts: memory is one window of
/// results (metrics, not traces) and each worker's read buffer.
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
    /// - Parameters:
    ///   - workers: threads to use; 0 means one per core.
    ///   - minimumPiece: files are cut into pieces of at least this many bytes
    ///     (``InputSplitter/defaultMinimumPiece``); `Int.max` never cuts.
    public static func analyze(
        _ inputs: [TraceInput], options: AnalysisOptions, workers: Int = 0,
        minimumPiece: Int = InputSplitter.defaultMinimumPiece, deliver: (InputResult) -> Void
    ) {
        let threads = workers > 0 ? workers : ProcessorCount.active
        // Standard input is read on the calling thread: only one reader can own it.
        guard threads > 1, !inputs.contains(where: { $0.location == .standardInput }) else {
            for input in inputs { deliver(analyze(input, options: options)) }
            return
        }
        var units: [WorkUnit] = []
        for (index, input) in inputs.enumerated() {
            let pieces: [Range<Int>]?
            if case .file(let path) = input.location, minimumPiece < Int.max, isLargeFile(path, minimumPiece: minimumPiece) {
                pieces = InputSplitter.pieces(of: path, count: 2 * threads, minimumPiece: minimumPiece, limits: options.limits)
            } else {
                pieces = nil
            }
            if let pieces {
                for (number, piece) in pieces.enumerated() {
                    units.append(WorkUnit(input: index, piece: piece, isLastPiece: number == pieces.count - 1))
                }
            } else {
                units.append(WorkUnit(input: index, piece: nil, isLastPiece: true))
            }
        }
        guard units.count > 1 else {
            for input in inputs { deliver(analyze(input, options: options)) }
            return
        }
        let window = threads * 4
        var start = 0
        var merging: PieceMerger?
        while start < units.count {
            let batch = Array(units[start..<Swift.min(start + window, units.count)])
            let slots = ResultSlots(count: batch.count)
            DispatchQueue.concurrentPerform(iterations: batch.count) { index in
                let unit = batch[index]
                let input = inputs[unit.input]
                if let piece = unit.piece, case .file(let path) = input.location {
                    slots.store(.piece(analyzePiece(path: path, name: input.displayName, range: piece, options: options)), at: index)
                } else {
                    slots.store(.whole(analyze(input, options: options)), at: index)
                }
            }
            for (unit, result) in zip(batch, slots.results) {
                switch result {
                case .whole(let whole):
                    deliver(whole)
                case .piece(let piece):
                    var merger = merging ?? PieceMerger(input: inputs[unit.input])
                    merger.add(piece, startingAt: unit.piece?.lowerBound ?? 0)
                    if unit.isLastPiece {
                        deliver(merger.finish())
                        merging = nil
                    } else {
                        merging = merger
                    }
                }
            }
            start += batch.count
        }
    }

    /// Whether `path` is a regular file large enough to be worth cutting (one `stat`, no open).
    private static func isLargeFile(_ path: String, minimumPiece: Int) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return false }
        return Int(status.st_size) >= 2 * minimumPiece
    }

    /// One input, or one piece of a file.
    private struct WorkUnit {
        var input: Int
        var piece: Range<Int>?
        var isLastPiece: Bool
    }

    fileprivate enum UnitResult: Sendable {
        case whole(InputResult)
        case piece(PieceResult)
    }

    /// What one piece of a file gave, with locations relative to the piece.
    fileprivate struct PieceResult: Sendable {
        var outcomes: [TraceOutcome]
        var diagnostics: [Diagnostic]
        var summary: InputAnalyzer.Summary
        var lines: Int
        /// Reading stopped on an input error (reported among the diagnostics).
        var failed: Bool
    }

    private static func analyzePiece(path: String, name: String, range: Range<Int>, options: AnalysisOptions) -> PieceResult {
        var collector = Collector()
        let source: FileRangeByteSource
        do {
            source = try FileRangeByteSource(path: path, range: range)
        } catch {
            return PieceResult(outcomes: [], diagnostics: [error.diagnostic], summary: InputAnalyzer.Summary(errors: 1), lines: 0, failed: true)
        }
        let read = InputAnalyzer.readTraces(source, name: name, options: options, observer: &collector)
        var summary = read.summary
        if let inputError = read.inputError {
            collector.diagnostics.append(inputError.diagnostic)
            summary.errors += 1
        }
        return PieceResult(outcomes: collector.outcomes, diagnostics: collector.diagnostics, summary: summary, lines: read.lines,
                           failed: read.inputError != nil)
    }

    /// Puts the pieces of one file back together: trace indices, lines and
    /// offsets become the file's, and an input error ends the file, as it
    /// does when the file is read whole.
    private struct PieceMerger {
        var result: InputResult
        var linesBefore = 0
        var stopped = false

        init(input: TraceInput) { result = InputResult(input: input) }

        mutating func add(_ piece: PieceResult, startingAt offset: Int) {
            guard !stopped else { return }
            let tracesBefore = result.summary.traces
            for var outcome in piece.outcomes {
                outcome.index += tracesBefore
                outcome.headerLine = outcome.headerLine.map { $0 + linesBefore }
                outcome.headerOffset = outcome.headerOffset.map { $0 + offset }
                result.outcomes.append(outcome)
            }
            for var diagnostic in piece.diagnostics {
                diagnostic.trace = diagnostic.trace.map { $0 + tracesBefore }
                diagnostic.line = diagnostic.line.map { $0 + linesBefore }
                diagnostic.offset = diagnostic.offset.map { $0 + offset }
                result.diagnostics.append(diagnostic)
            }
            result.summary.add(piece.summary)
            linesBefore += piece.lines
            stopped = piece.failed
        }

        mutating func finish() -> InputResult {
            if !stopped, result.summary.traces == 0 {
                result.diagnostics.append(InputAnalyzer.emptyInputWarning(result.input.displayName))
                result.summary.warnings += 1
            }
            return result
        }
    }
}

/// Results written by workers at distinct indices, read after they all finished.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [ParallelInputAnalyzer.UnitResult?]
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ result: ParallelInputAnalyzer.UnitResult, at index: Int) {
        lock.wait()
        slots[index] = result
        lock.signal()
    }

    var results: [ParallelInputAnalyzer.UnitResult] { slots.compactMap { $0 } }
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
