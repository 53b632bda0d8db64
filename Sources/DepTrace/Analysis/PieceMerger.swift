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
        let placed = place(piece, startingAt: offset)
        merged.outcomes += placed.outcomes
        merged.diagnostics += placed.diagnostics
    }

    /// The next piece, which starts `offset` bytes into the input, with its
    /// trace indices, lines and offsets made the input's; counted into the
    /// input's summary but not kept, so that a caller can hand it on at once.
    /// Empty once an earlier piece stopped on an input error.
    package mutating func place(_ piece: Piece, startingAt offset: Int) -> Piece {
        guard !stopped else { return Piece() }
        let tracesBefore = merged.summary.traces
        let linesBefore = merged.lines
        var placed = piece
        for index in placed.outcomes.indices {
            placed.outcomes[index].index += tracesBefore
            placed.outcomes[index].headerLine = placed.outcomes[index].headerLine.map { $0 + linesBefore }
            placed.outcomes[index].headerOffset = placed.outcomes[index].headerOffset.map { $0 + offset }
        }
        for index in placed.diagnostics.indices {
            placed.diagnostics[index].trace = placed.diagnostics[index].trace.map { $0 + tracesBefore }
            placed.diagnostics[index].line = placed.diagnostics[index].line.map { $0 + linesBefore }
            placed.diagnostics[index].offset = placed.diagnostics[index].offset.map { $0 + offset }
        }
        merged.summary.add(piece.summary)
        merged.lines += piece.lines
        stopped = piece.failed
        merged.failed = piece.failed
        return placed
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
