import DepTrace

/// The body the JSONL and binary targets share: read the input whole and in
/// small pieces (the readings must be identical), check the reading is
/// consistent, convert it to `other` and check the conversion, then run the
/// commands' observers over it and check them against the metrics.
public enum ReaderTarget {
    public static func run(_ data: UnsafePointer<UInt8>, _ size: Int, options: AnalysisOptions, other: TraceWriter.Encoding) {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        let whole = Reading.read(bytes, name: "fuzz", options: options, pieceSize: 1 << 16)
        whole.checkConsistent(inputSize: size)
        // A piece size from 1 to 13 bytes, chosen by the input so every split gets tried.
        let pieces = Reading.read(bytes, name: "fuzz", options: options, pieceSize: 1 + size % 13)
        if pieces != whole {
            Invariant.fail("reading in pieces of \(1 + size % 13) bytes differs:\n  whole: \(whole.outcomes) \(whole.diagnostics)\n  pieces: \(pieces.outcomes) \(pieces.diagnostics)")
        }
        RoundTrip.check(bytes, original: whole, options: options, to: other)
        ObserverChecks.run(bytes, options: options)
    }
}
