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
        let threads = workers > 0 ? workers : ProcessorCount.active
        var merger = PieceMerger(name: name)
        guard threads > 1 else {
            merger.add(PieceMerger.read(source, name: name, options: options, progress: progress), startingAt: 0)
            return merger.finish()
        }
        let pipeline = OrderedPipeline<(piece: PieceMerger.Piece, offset: Int)>(maxInFlight: threads * 2)
        let pool = ByteBlockPool(limit: threads * 2 + 1)
        let cutter = StreamCutter(source: source, limits: options.limits, pieceSize: pieceSize, pool: pool)
        // A piece that stopped on an input error (a line too long) ends the stream, as in a whole reading:
        // nothing after it counts, so the stream is read no further than the pieces already in flight.
        var stopped = false
        func deliver(_ result: (piece: PieceMerger.Piece, offset: Int)) {
            merger.add(result.piece, startingAt: result.offset)
            if result.piece.failed { stopped = true }
        }
        reading: while !stopped {
            switch cutter.next() {
            case let .piece(block, count, offset, trailingError):
                progress?(offset + count)
                pipeline.submit(delivering: deliver) {
                    let piece = PieceMerger.read(
                        block: block, count: count, then: BufferByteSource(bytes: [], trailingError: trailingError), name: name, options: options)
                    pool.give(block)
                    return (piece, offset)
                }
            case let .rest(block, count, rest, offset):
                // Read here, after the pieces before it, as a whole stream would be.
                pipeline.drain(deliver)
                let piece = PieceMerger.read(
                    block: block, count: count, then: rest, name: name, options: options, progress: progress.map { report in { report(offset + $0) } })
                merger.add(piece, startingAt: offset)
                break reading
            case .end:
                break reading
            }
        }
        pipeline.drain(deliver)
        return merger.finish()
    }
}
