/// Puts the results of the pieces of one input (a file cut at trace headers,
/// a stream cut as it arrived) back together: trace indices, lines and
/// offsets become the input's, and an input error ends the input, as it does
/// when the input is read whole.
public struct PieceMerger {
    /// What one piece gave, with locations relative to the piece.
    public struct Piece: Sendable {
        public var outcomes: [TraceOutcome] = []
        public var diagnostics: [Diagnostic] = []
        public var summary = InputAnalyzer.Summary()
        /// JSON Lines read (0 for the binary encoding).
        public var lines = 0
        /// Reading stopped on an input error (reported among the diagnostics).
        public var failed = false

        package init(
            outcomes: [TraceOutcome] = [], diagnostics: [Diagnostic] = [], summary: InputAnalyzer.Summary = InputAnalyzer.Summary(),
            lines: Int = 0, failed: Bool = false
        ) {
            self.outcomes = outcomes
            self.diagnostics = diagnostics
            self.summary = summary
            self.lines = lines
            self.failed = failed
        }
    }

    /// Reads one piece, `source`, of the input named `name`.
    static func read(_ source: any ByteSource, name: String, options: AnalysisOptions, progress: ((Int) -> Void)? = nil) -> Piece {
        collected { InputAnalyzer.readTraces(source, name: name, options: options, observer: &$0, progress: progress) }
    }

    /// Reads one piece held in memory: the first `count` bytes of `block`,
    /// then what `rest` holds (perhaps only the error that ended the input).
    package static func read(
        block: ByteBlock, count: Int, then rest: any ByteSource, name: String, options: AnalysisOptions, progress: ((Int) -> Void)? = nil
    ) -> Piece {
        collected { InputAnalyzer.readTraces(block: block, count: count, then: rest, name: name, options: options, observer: &$0, progress: progress) }
    }

    /// The piece a reading gives, its outcomes and diagnostics collected.
    private static func collected(_ reading: (inout OutcomeCollector) -> InputAnalyzer.ReadResult) -> Piece {
        var collector = OutcomeCollector()
        let read = reading(&collector)
        return Piece(outcomes: collector.outcomes, diagnostics: collector.diagnostics, summary: read.summary, lines: read.lines, failed: read.failed)
    }

    let name: String
    /// The input so far.
    private(set) var merged = Piece()
    private var stopped = false

    package init(name: String) { self.name = name }

    /// Adds the next piece, which starts `offset` bytes into the input.
    package mutating func add(_ piece: Piece, startingAt offset: Int) {
        guard !stopped else { return }
        let tracesBefore = merged.summary.traces
        let linesBefore = merged.lines
        for var outcome in piece.outcomes {
            outcome.index += tracesBefore
            outcome.headerLine = outcome.headerLine.map { $0 + linesBefore }
            outcome.headerOffset = outcome.headerOffset.map { $0 + offset }
            merged.outcomes.append(outcome)
        }
        for var diagnostic in piece.diagnostics {
            diagnostic.trace = diagnostic.trace.map { $0 + tracesBefore }
            diagnostic.line = diagnostic.line.map { $0 + linesBefore }
            diagnostic.offset = diagnostic.offset.map { $0 + offset }
            merged.diagnostics.append(diagnostic)
        }
        merged.summary.add(piece.summary)
        merged.lines += piece.lines
        stopped = piece.failed
        merged.failed = piece.failed
    }

    /// The whole input: with the warning that it holds no trace, when it read to its end without one.
    package mutating func finish() -> Piece {
        if !stopped, merged.summary.traces == 0 {
            merged.diagnostics.append(InputAnalyzer.emptyInputWarning(name))
            merged.summary.warnings += 1
        }
        return merged
    }
}
