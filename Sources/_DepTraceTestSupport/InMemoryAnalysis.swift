import DepTrace

/// A byte source over bytes in memory, served in small pieces so readers
/// meet lines split across reads.
public final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private let pieceSize: Int

    public init(_ bytes: [UInt8], pieceSize: Int = 4096) {
        self.bytes = bytes
        self.pieceSize = Swift.max(1, pieceSize)
    }

    public convenience init(_ text: String, pieceSize: Int = 4096) {
        self.init(Array(text.utf8), pieceSize: pieceSize)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let count = Swift.min(buffer.count, pieceSize, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count)]))
        }
        position += count
        return count
    }
}

/// What reading an input in memory gave.
public struct AnalysisResult {
    public init(outcomes: [TraceOutcome] = [], diagnostics: [Diagnostic] = []) {
        self.outcomes = outcomes
        self.diagnostics = diagnostics
    }

    public var outcomes: [TraceOutcome] = []
    public var diagnostics: [Diagnostic] = []

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
}

/// Reads `text` as a JSONL input named `name` and collects outcomes and diagnostics.
public func analyzeJSONL(
    _ text: String, name: String = "test.dtrace.jsonl", options: AnalysisOptions = AnalysisOptions(), pieceSize: Int = 4096
) -> AnalysisResult {
    var result = AnalysisResult()
    var outcomes: [TraceOutcome] = []
    var diagnostics: [Diagnostic] = []
    var observer = CallbackObserver(onTrace: { outcomes.append($0) }, onDiagnostic: { diagnostics.append($0) })
    _ = InputAnalyzer.analyze(MemoryByteSource(text, pieceSize: pieceSize), name: name, options: options, observer: &observer)
    result.outcomes = outcomes
    result.diagnostics = diagnostics
    return result
}

/// Reads `bytes` (either encoding) and collects outcomes and diagnostics.
public func analyzeBytes(
    _ bytes: [UInt8], name: String = "test.dtrace", options: AnalysisOptions = AnalysisOptions(), pieceSize: Int = 4096
) -> AnalysisResult {
    var outcomes: [TraceOutcome] = []
    var diagnostics: [Diagnostic] = []
    var observer = CallbackObserver(onTrace: { outcomes.append($0) }, onDiagnostic: { diagnostics.append($0) })
    _ = InputAnalyzer.analyze(MemoryByteSource(bytes, pieceSize: pieceSize), name: name, options: options, observer: &observer)
    return AnalysisResult(outcomes: outcomes, diagnostics: diagnostics)
}

/// Writes traces through a ``TraceWriter`` in `encoding` and returns the bytes.
public func encode(_ traces: [RandomTraceGenerator.Trace], as encoding: TraceWriter.Encoding, flushThreshold: Int = 64 << 10) throws -> [UInt8] {
    let sink = MemoryTraceSink()
    let writer = TraceWriter(sink: sink, encoding: encoding, flushThreshold: flushThreshold)
    for trace in traces {
        try writer.begin(trace.header)
        for record in trace.records { try writer.write(record) }
    }
    try writer.close()
    return sink.bytes
}

/// Records every record applied, per trace index.
public struct RecordingObserver: TraceObserver {
    public static var observesRecords: Bool { true }
    public var records: [Int: [Record]] = [:]
    public var outcomes: [TraceOutcome] = []
    public var diagnostics: [Diagnostic] = []
    private var current = -1

    public init() {}

    public mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) { current = index }
    public mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer) { records[current, default: []].append(record) }
    public mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) { outcomes.append(outcome) }
    public mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}
