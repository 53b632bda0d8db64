/// What reading one trace gave: its header, its metrics when it could be
/// analysed, and how it ended.
public struct TraceOutcome: Sendable {
    public enum Status: Sendable, Hashable {
        /// Read to its `end` record.
        case complete
        /// Valid, but the input ended (or the next header came) before an `end` record.
        case incomplete
        /// Cut short by damage (a torn or corrupt record): analysed up to the damage.
        case damaged
        /// Broke a rule of the format: not analysed.
        case invalid
        /// A format version this reader does not know: skipped.
        case unsupported
    }

    /// The input's display path.
    public var file: String
    /// 0-based index of the trace in its file.
    public var index: Int
    /// Where the header is: a line (JSONL) or byte offset (binary).
    public var headerLine: Int?
    public var headerOffset: Int?
    /// The header, when it could be read.
    public var header: TraceHeader?
    /// The metrics, for complete, incomplete and damaged traces.
    public var metrics: TraceMetrics?
    public var status: Status

    public init(file: String, index: Int, headerLine: Int? = nil, headerOffset: Int? = nil, header: TraceHeader?, metrics: TraceMetrics?, status: Status) {
        self.file = file
        self.index = index
        self.headerLine = headerLine
        self.headerOffset = headerOffset
        self.header = header
        self.metrics = metrics
        self.status = status
    }

    /// Whether the trace has metrics to report.
    public var isAnalysed: Bool { metrics != nil }
}
