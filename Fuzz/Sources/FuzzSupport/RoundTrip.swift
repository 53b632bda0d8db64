import DepTrace

/// The conversion invariant: a trace read from one encoding and rewritten by
/// ``TraceConverter`` in the other reads back without any error and with the
/// same header, status and metrics.
public enum RoundTrip {
    /// Reads `bytes`, converts every trace it starts into `encoding`, reads the
    /// conversion back and checks it against `original` (a reading of `bytes` with `options`).
    public static func check(_ bytes: [UInt8], original: Reading, options: AnalysisOptions, to encoding: TraceWriter.Encoding) {
        let sink = MemoryTraceSink()
        var observer = ConvertingObserver(converter: TraceConverter(writer: TraceWriter(sink: sink, encoding: encoding), onDiagnostic: { _ in }))
        _ = InputAnalyzer.analyze(MemoryByteSource(bytes, pieceSize: 1 << 16), name: "original", options: options, observer: &observer)
        do {
            try observer.converter.writer.close()
        } catch {
            Invariant.fail("closing the converted output failed: \(error)")
        }
        if let failure = observer.converter.failure {
            if case .recordTooLarge = failure { return }
            Invariant.fail("the converter refused what the reader accepted: \(failure)")
        }
        let converted = Reading.read(sink.bytes, name: "converted", options: options, pieceSize: 1 << 16)
        converted.checkConsistent(inputSize: sink.bytes.count)
        Invariant.check(converted.outcomes.count == observer.started.count,
                        "\(observer.started.count) traces converted, \(converted.outcomes.count) read back")
        let originals = Dictionary(original.outcomes.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        // What the converter writes reads back without error, unless the original
        // trace was invalid for a reason only its end shows (a sum over streams that
        // overflows): the copy holds the same records and is refused the same way.
        for error in converted.diagnostics where error.severity == .error {
            let original = error.trace.flatMap { $0 < observer.started.count ? originals[observer.started[$0]] : nil }
            Invariant.check(original?.status == .invalid, "the converter wrote what its reader refuses: \(error)")
        }
        for (position, index) in observer.started.enumerated() where position < converted.outcomes.count {
            guard let before = originals[index] else { Invariant.fail("trace \(index) was converted but never reported") }
            let after = converted.outcomes[position]
            Invariant.check(before.header == after.header, "trace \(index): header \(String(describing: before.header)) became \(String(describing: after.header))")
            switch before.status {
            case .complete, .incomplete, .damaged:
                let expected: TraceOutcome.Status = before.status == .complete ? .complete : .incomplete
                Invariant.check(after.status == expected, "trace \(index): \(before.status) became \(after.status)")
                Invariant.check(before.metrics == after.metrics, "trace \(index): metrics changed in conversion:\n  \(String(describing: before.metrics))\n  \(String(describing: after.metrics))")
            case .invalid:
                // Written up to the record that broke a rule and left open, closed
                // already when the rule broken was "nothing after end", or invalid
                // again when the rule broken shows only at the end (see above).
                Invariant.check(after.status != .damaged && after.status != .unsupported, "invalid trace \(index) converted to a \(after.status) one")
            case .unsupported:
                Invariant.fail("unsupported trace \(index) was converted")
            }
        }
    }

    /// Passes records to a ``TraceConverter`` and notes which traces it started.
    struct ConvertingObserver: TraceObserver {
        static var observesRecords: Bool { true }
        var converter: TraceConverter
        /// The index of each trace the converter started, in order.
        var started: [Int] = []

        mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
            let before = converter.tracesWritten
            converter.traceStarted(analyzer, file: file, index: index)
            if converter.tracesWritten > before { started.append(index) }
        }

        mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer) {
            converter.didApply(record, to: analyzer)
        }
    }
}
