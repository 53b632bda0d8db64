import Dispatch

/// Analyses many inputs on several cores and hands back their results in
/// input order, so output is the same whatever the scheduling.
///
/// Each input is read whole by one worker, except a large file holding many
/// traces: it is cut at trace headers (``InputSplitter``) and its pieces are
/// read by different workers, then put back together, so what is delivered is
/// exactly what reading the file whole gives. Workers take the next input or
/// piece as soon as they are free; at most four per core are computing or
/// waiting for delivery, so memory is that many results (metrics, not traces)
/// and each worker's read buffer.
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
        let units = plan(inputs, threads: threads, minimumPiece: minimumPiece, limits: options.limits)
        guard units.count > 1 else {
            for input in inputs { deliver(analyze(input, options: options)) }
            return
        }
        // Workers take the next unit as soon as they are free; results are delivered in order.
        let pipeline = OrderedPipeline<UnitResult>(maxInFlight: threads * 4)
        var merging: PieceMerger?
        func deliverUnit(_ result: UnitResult) {
            switch result {
            case .whole(let results):
                for result in results { deliver(result) }
            case let .piece(piece, input, range, isLast):
                var merger = merging ?? PieceMerger(input: inputs[input])
                merger.add(piece, startingAt: range.lowerBound)
                if isLast {
                    deliver(merger.finish())
                    merging = nil
                } else {
                    merging = merger
                }
            }
        }
        for unit in units {
            switch unit {
            case .whole(let range):
                let batch = Array(inputs[range])
                pipeline.submit(delivering: deliverUnit) { .whole(batch.map { analyze($0, options: options) }) }
            case let .piece(index, path, range, isLast):
                let name = inputs[index].displayName
                pipeline.submit(delivering: deliverUnit) {
                    .piece(analyzePiece(path: path, name: name, range: range, options: options), input: index, range: range, isLast: isLast)
                }
            }
        }
        pipeline.drain(deliverUnit)
    }

    /// The work: runs of small inputs read whole by one worker (so that a
    /// thousand small files do not cost a thousand hand-overs between threads),
    /// and the pieces of large files.
    private static func plan(_ inputs: [TraceInput], threads: Int, minimumPiece: Int, limits: ResourceLimits) -> [WorkUnit] {
        // One `stat` per input, no open: sizes, and which files are worth cutting.
        let sizes = inputs.map { input -> Int in
            guard case .file(let path) = input.location, let status = FileStatus(path: path), status.kind == .regularFile else { return 0 }
            return Int(status.size)
        }
        // Runs small enough to spread the inputs over every core several times.
        let runBytes = Swift.max(64 << 10, Swift.min(1 << 20, sizes.reduce(0, +) / (threads * 16)))
        var units: [WorkUnit] = []
        var runStart = 0
        var bytesInRun = 0
        func closeRun(before end: Int) {
            if runStart < end { units.append(.whole(runStart..<end)) }
            runStart = end
            bytesInRun = 0
        }
        for (index, input) in inputs.enumerated() {
            if case .file(let path) = input.location, minimumPiece < Int.max, sizes[index] >= 2 * minimumPiece,
               let pieces = InputSplitter.pieces(of: path, count: pieceCount(size: sizes[index], threads: threads, minimumPiece: minimumPiece), limits: limits) {
                closeRun(before: index)
                for (number, piece) in pieces.enumerated() {
                    units.append(.piece(input: index, path: path, range: piece, isLast: number == pieces.count - 1))
                }
                runStart = index + 1
                continue
            }
            bytesInRun += sizes[index]
            if bytesInRun >= runBytes || index + 1 - runStart >= 256 { closeRun(before: index + 1) }
        }
        closeRun(before: inputs.count)
        return units
    }

    /// How many pieces to cut a file of `size` bytes into: two per thread when
    /// they are large enough, else one per thread, else as many as fit. A
    /// multiple of the threads keeps every core busy to the end: three equal
    /// pieces on two cores take as long as four.
    public static func pieceCount(size: Int, threads: Int, minimumPiece: Int) -> Int {
        let fit = size / Swift.max(minimumPiece, 1)
        if fit >= 2 * threads { return 2 * threads }
        return fit >= threads ? threads : fit
    }

    /// Inputs read whole, one after another, or one piece of a file.
    private enum WorkUnit {
        case whole(Range<Int>)
        case piece(input: Int, path: String, range: Range<Int>, isLast: Bool)
    }

    private enum UnitResult: Sendable {
        case whole([InputResult])
        case piece(PieceResult, input: Int, range: Range<Int>, isLast: Bool)
    }

    /// What one piece of a file gave, with locations relative to the piece.
    private struct PieceResult: Sendable {
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
        return PieceResult(outcomes: collector.outcomes, diagnostics: collector.diagnostics, summary: read.summary, lines: read.lines,
                           failed: read.failed)
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
