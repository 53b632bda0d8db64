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
/// and each worker's read buffer. A large file's pieces are at most
/// ``InputSplitter/defaultMaximumPiece`` and each is delivered as soon as it
/// is placed, so a file of millions of tiny traces is never held whole.
public enum ParallelInputAnalyzer {
    /// What one input gave.
    public struct InputResult: Sendable {
        public var input: TraceInput
        public var outcomes: [TraceOutcome] = []
        public var diagnostics: [Diagnostic] = []
        /// The counts of this result: of the whole input, or of this part of it.
        public var summary = InputAnalyzer.Summary()
        /// Whether this result ends its input. A large file is delivered in
        /// parts, in order, its traces numbered as in the whole file; only its
        /// last part has this set.
        public var isLastPart = true

        init(
            input: TraceInput, outcomes: [TraceOutcome] = [], diagnostics: [Diagnostic] = [], summary: InputAnalyzer.Summary = InputAnalyzer.Summary(),
            isLastPart: Bool = true
        ) {
            self.input = input
            self.outcomes = outcomes
            self.diagnostics = diagnostics
            self.summary = summary
            self.isLastPart = isLastPart
        }

        init(input: TraceInput, _ merged: PieceMerger.Piece, isLastPart: Bool = true) {
            self.init(input: input, outcomes: merged.outcomes, diagnostics: merged.diagnostics, summary: merged.summary, isLastPart: isLastPart)
        }
    }

    /// The results of one input.
    public static func analyze(_ input: TraceInput, options: AnalysisOptions) -> InputResult {
        var collector = OutcomeCollector()
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
        guard threads > 1 else {
            for input in inputs { deliver(analyze(input, options: options)) }
            return
        }
        // Standard input and other streams are read on the calling thread (only one reader can own
        // it) and parsed on the others; the inputs around it are read as usual.
        if let index = inputs.firstIndex(where: \.isStream) {
            analyze(Array(inputs[..<index]), options: options, workers: threads, minimumPiece: minimumPiece, deliver: deliver)
            let input = inputs[index]
            do {
                StreamAnalyzer.analyze(try input.open(), name: input.displayName, options: options, workers: threads) { part, isLast in
                    deliver(InputResult(input: input, part, isLastPart: isLast))
                }
            } catch {
                deliver(InputResult(input: input, diagnostics: [error.diagnostic], summary: InputAnalyzer.Summary(errors: 1)))
            }
            analyze(Array(inputs[(index + 1)...]), options: options, workers: threads, minimumPiece: minimumPiece, deliver: deliver)
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
                var merger = merging ?? PieceMerger(name: inputs[input].displayName)
                var placed = merger.place(piece, startingAt: range.lowerBound)
                if isLast {
                    // The last part carries what only the whole input tells (that it held no trace).
                    let ending = merger.finish().diagnostics
                    placed.diagnostics += ending
                    placed.summary.warnings += ending.count
                    merging = nil
                } else {
                    merging = merger
                }
                deliver(InputResult(input: inputs[input], placed, isLastPart: isLast))
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
        // One `stat` per input, no open, on every core: sizes, and which files are worth cutting.
        let sizes = ConcurrentMap.map(count: inputs.count, threads: threads) { index -> Int in
            guard case .file(let path) = inputs[index].location, let status = FileStatus(path: path), status.kind == .regularFile else { return 0 }
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
            if case .file(let path) = input.location, minimumPiece < Int.max,
               sizes[index] >= 2 * Swift.min(minimumPiece, InputSplitter.defaultMaximumPiece),
               let pieces = InputSplitter.pieces(
                   of: path, count: Swift.max(pieceCount(size: sizes[index], threads: threads, minimumPiece: minimumPiece), sizes[index] / InputSplitter.defaultMaximumPiece),
                   minimumPiece: Swift.min(minimumPiece, InputSplitter.defaultMaximumPiece), limits: limits) {
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
        case piece(PieceMerger.Piece, input: Int, range: Range<Int>, isLast: Bool)
    }

    private static func analyzePiece(path: String, name: String, range: Range<Int>, options: AnalysisOptions) -> PieceMerger.Piece {
        do {
            return PieceMerger.read(try FileRangeByteSource(path: path, range: range), name: name, options: options)
        } catch {
            return PieceMerger.Piece(diagnostics: [error.diagnostic], summary: InputAnalyzer.Summary(errors: 1), failed: true)
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
