import DepTrace

/// The body the JSONL and binary targets share: read the input whole, in
/// small pieces, and as a file cut at trace headers and read on several
/// threads (the readings must be identical); check the reading is
/// consistent, convert it to `other` and check the conversion, then run the
/// commands' observers over it and check them against the metrics.
public enum ReaderTarget {
    nonisolated(unsafe) private static let scratch = ScratchFile(stem: "deptrace-fuzz-reader")

    public static func run(_ data: UnsafePointer<UInt8>, _ size: Int, options: AnalysisOptions, other: TraceWriter.Encoding) {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        let whole = Reading.read(bytes, name: "fuzz", options: options, pieceSize: 1 << 16)
        whole.checkConsistent(inputSize: size)
        // A piece size from 1 to 13 bytes, chosen by the input so every split gets tried.
        let pieces = Reading.read(bytes, name: "fuzz", options: options, pieceSize: 1 + size % 13)
        if pieces != whole {
            Invariant.fail("reading in pieces of \(1 + size % 13) bytes differs:\n  whole: \(whole.outcomes) \(whole.diagnostics)\n  pieces: \(pieces.outcomes) \(pieces.diagnostics)")
        }
        checkCutFile(data, size, whole: whole, options: options)
        checkCutStream(bytes, whole: whole, options: options)
        checkPipe(bytes, whole: whole, options: options)
        RoundTrip.check(bytes, original: whole, options: options, to: other)
        ObserverChecks.run(bytes, options: options)
    }

    /// The input as a stream cut as it arrives into pieces of about a seventh
    /// of it, parsed on three threads; one input in four, as for files.
    private static func checkCutStream(_ bytes: [UInt8], whole: Reading, options: AnalysisOptions) {
        guard bytes.count >= 2, bytes.count % 4 == 1 else { return }
        let merged = StreamAnalyzer.analyze(
            MemoryByteSource(bytes, pieceSize: 1 + bytes.count % 5), name: "fuzz", options: options, workers: 3, pieceSize: Swift.max(1, bytes.count / 7))
        var cut = Reading(summary: merged.summary)
        cut.outcomes = merged.outcomes.map(OutcomeRecord.init)
        cut.diagnostics = merged.diagnostics
        if cut != whole {
            Invariant.fail("reading the stream cut at trace headers differs:\n  whole: \(whole.outcomes) \(whole.diagnostics)\n  cut: \(cut.outcomes) \(cut.diagnostics)")
        }
    }

    /// The input as a file cut into pieces of at least a seventh of it, read on three threads.
    /// One input in four (by size, so a finding reproduces): the file and the threads cost more than the reading.
    private static func checkCutFile(_ data: UnsafePointer<UInt8>, _ size: Int, whole: Reading, options: AnalysisOptions) {
        guard size >= 2, size % 4 == 0 else { return }
        scratch.write(data, size)
        var results: [ParallelInputAnalyzer.InputResult] = []
        ParallelInputAnalyzer.analyze([TraceInput(location: .file(scratch.path))], options: options, workers: 3, minimumPiece: size / 7) {
            results.append($0)
        }
        let cut = joined(results, what: "the file cut at trace headers")
        if cut != whole {
            Invariant.fail("reading the file cut at trace headers differs:\n  whole: \(whole.outcomes) \(whole.diagnostics)\n  cut: \(cut.outcomes) \(cut.diagnostics)")
        }
    }

    /// The input written into a real pipe in short writes of 1 to 7 bytes and read
    /// as a named stream (`/dev/fd/N`), opened once, by the parallel analyser; one
    /// input in four (by size), as for files.
    private static func checkPipe(_ bytes: [UInt8], whole: Reading, options: AnalysisOptions) {
        guard bytes.count % 4 == 2 else { return }
        guard let pipe = PipeFeeder(bytes, writeSize: 1 + bytes.count % 7) else { return }
        var results: [ParallelInputAnalyzer.InputResult] = []
        ParallelInputAnalyzer.analyze([TraceInput(location: .stream(pipe.readPath))], options: options, workers: 3) { results.append($0) }
        pipe.finish()
        let read = joined(results, what: "the pipe")
        if read != whole {
            Invariant.fail("reading through a pipe differs:\n  whole: \(whole.outcomes) \(whole.diagnostics)\n  pipe: \(read.outcomes) \(read.diagnostics)")
        }
    }

    /// One input's results, delivered in parts, put back together as one reading
    /// (diagnostics named as the whole reading names them); the parts must come in order.
    private static func joined(_ results: [ParallelInputAnalyzer.InputResult], what: String) -> Reading {
        guard let last = results.last, last.isLastPart, results.dropLast().allSatisfy({ !$0.isLastPart }) else {
            Invariant.fail("\(what): one input gave \(results.count) results, not ending with its last part")
        }
        var summary = last.summary
        var reading = Reading(summary: summary)
        for result in results.dropLast() { summary.add(result.summary) }
        for result in results {
            reading.outcomes += result.outcomes.map(OutcomeRecord.init)
            reading.diagnostics += result.diagnostics.map { diagnostic in
                var renamed = diagnostic
                renamed.file = "fuzz"
                return renamed
            }
        }
        reading.summary = summary
        return reading
    }
}
