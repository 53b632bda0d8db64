/// An observer that rewrites every trace it reads through a ``TraceWriter``,
/// in the writer's encoding: the converter between JSONL and binary.
///
/// Records stream through one at a time. A trace that turns out invalid has
/// been written up to the offending record and stays open (no `end`), and
/// the reader reports the violation; unknown record types and unknown keys
/// on known records are dropped, as the format allows.
public struct TraceConverter: TraceObserver {
    public static var observesRecords: Bool { true }
    public let writer: TraceWriter
    private let onDiagnostic: (Diagnostic) -> Void
    /// Traces written, and write failures (the first one).
    public private(set) var tracesWritten = 0
    public private(set) var failure: TraceWriterError?

    public init(writer: TraceWriter, onDiagnostic: @escaping (Diagnostic) -> Void) {
        self.writer = writer
        self.onDiagnostic = onDiagnostic
    }

    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
        guard failure == nil else { return }
        do {
            try writer.begin(analyzer.header)
            tracesWritten += 1
        } catch {
            failure = error
        }
    }

    public mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer) {
        guard failure == nil else { return }
        do { try writer.write(record) } catch { failure = error }
    }

    public mutating func report(_ diagnostic: Diagnostic) { onDiagnostic(diagnostic) }
}
