/// Reads one stream (standard input, a decompressed file) on the calling
/// thread and parses it on other cores: the ``StreamCutter`` cuts it at trace
/// headers as it arrives, workers read the pieces, and their results are put
/// back together in order, exactly as reading the stream whole gives them.
public enum StreamAnalyzer {
    /// Pieces of about this size go to the workers.
    public static let defaultPieceSize = 1 << 20

    /// Every outcome and diagnostic of `source`, named `name`, with its counts.
    ///
    /// - Parameters:
    ///   - workers: threads that parse (0: one per core); with 1, the stream is read whole here.
    ///   - progress: called on the calling thread with the bytes read so far.
    public static func analyze(
        _ source: any ByteSource, name: String, options: AnalysisOptions, workers: Int = 0,
        pieceSize: Int = defaultPieceSize, progress: ((Int) -> Void)? = nil
    ) -> PieceMerger.Piece {
        var whole = PieceMerger.Piece()
        analyze(source, name: name, options: options, workers: workers, pieceSize: pieceSize, progress: progress) { part, _ in
            whole.outcomes += part.outcomes
            whole.diagnostics += part.diagnostics
            whole.summary.add(part.summary)
            whole.lines += part.lines
            whole.failed = whole.failed || part.failed
        }
        return whole
    }

    /// Reads `source` like ``analyze(_:name:options:workers:pieceSize:progress:)``
    /// and hands its results to `deliver` part by part, in order, as they are
    /// placed (trace numbers, lines and offsets those of the whole stream), so
    /// that a long stream is never held whole; the last part is flagged.
    public static func analyze(
        _ source: any ByteSource, name: String, options: AnalysisOptions, workers: Int = 0,
        pieceSize: Int = defaultPieceSize, progress: ((Int) -> Void)? = nil, deliver: (_ part: PieceMerger.Piece, _ isLast: Bool) -> Void
    ) {
        let threads = workers > 0 ? workers : ProcessorCount.active
        var merger = PieceMerger(name: name)
        func finish() {
            var ending = PieceMerger.Piece()
            ending.diagnostics = merger.finish().diagnostics
            ending.summary.warnings = ending.diagnostics.count
            deliver(ending, true)
        }
        guard threads > 1 else {
            deliver(merger.place(PieceMerger.read(source, name: name, options: options, progress: progress), startingAt: 0), false)
            finish()
            return
        }
        let pipeline = OrderedPipeline<(piece: PieceMerger.Piece, offset: Int)>(maxInFlight: threads * 2)
        let pool = ByteBlockPool(limit: threads * 2 + 1)
        let cutter = StreamCutter(source: source, limits: options.limits, pieceSize: pieceSize, pool: pool)
        // A piece that stopped on an input error (a line too long) ends the stream, as in a whole reading:
        // nothing after it counts, so the stream is read no further than the pieces already in flight.
        var stopped = false
        func deliverPiece(_ result: (piece: PieceMerger.Piece, offset: Int)) {
            deliver(merger.place(result.piece, startingAt: result.offset), false)
            if result.piece.failed { stopped = true }
        }
        reading: while !stopped {
            switch cutter.next() {
            case let .piece(block, count, offset, trailingError):
                progress?(offset + count)
                pipeline.submit(delivering: deliverPiece) {
                    let piece = PieceMerger.read(
                        block: block, count: count, then: BufferByteSource(bytes: [], trailingError: trailingError), name: name, options: options)
                    pool.give(block)
                    return (piece, offset)
                }
            case let .rest(block, count, rest, offset):
                // Read here, after the pieces before it, as a whole stream would be.
                pipeline.drain(deliverPiece)
                let piece = PieceMerger.read(
                    block: block, count: count, then: rest, name: name, options: options, progress: progress.map { report in { report(offset + $0) } })
                deliver(merger.place(piece, startingAt: offset), false)
                break reading
            case .end:
                break reading
            }
        }
        pipeline.drain(deliverPiece)
        finish()
    }
}
