/// Records traces from a Swift decoder, in the JSON Lines or the binary encoding.
///
/// Every record is checked by the same engine the readers use before it is
/// written, so the writer refuses exactly what a reader would refuse, and a
/// refused call writes nothing. Output is buffered and written at about
/// 64 KiB, on ``flush()``, and on ``close()``; in the binary encoding each
/// write ends a CRC-checked chunk, so a killed recorder loses at most the
/// records since the last one.
///
///     let writer = try TraceWriter(path: "run.dtrace.jsonl")
///     try writer.begin(TraceHeader(method: "h2o", sample: "17"))
///     try writer.step(.prefill, count: 150)
///     try writer.step(.decode)
///     try writer.evict([3..<4])
///     try writer.end(Claims(correct: true))
///     try writer.close()
public final class TraceWriter {
    /// The two encodings of the format.
    public enum Encoding: String, Sendable, CaseIterable {
        case jsonl
        case binary

        /// The encoding a file name asks for: `.dtrace` is binary, anything else JSON Lines.
        public init(path: String) {
            self = path.hasSuffix(".dtrace") ? .binary : .jsonl
        }
    }

    public let encoding: Encoding
    private let sink: any TraceSink
    /// Bytes ready for the sink: JSONL lines, or the binary trace starts and closed chunks.
    private var buffer: [UInt8] = []
    /// The open chunk's payload (binary encoding).
    private var payload: [UInt8] = []
    private var binaryEncoder = BinaryRecordEncoder()
    private let flushThreshold: Int
    private var analyzer: TraceAnalyzer?
    private var nextId = 0

    /// Writes to `sink`, flushing whenever `flushThreshold` bytes are buffered.
    public init(sink: any TraceSink, encoding: Encoding = .jsonl, flushThreshold: Int = BinaryLayout.chunkTarget) {
        self.sink = sink
        self.encoding = encoding
        self.flushThreshold = Swift.min(Swift.max(flushThreshold, 1), BinaryLayout.maxChunkPayload / 2)
    }

    /// Creates or truncates the file at `path` (`-` for standard output), in
    /// the encoding its name asks for unless `encoding` is given.
    public convenience init(path: String, encoding: Encoding? = nil) throws(InputError) {
        self.init(sink: path == "-" ? FileTraceSink(standardOutput: ()) : try FileTraceSink(path: path),
                  encoding: encoding ?? Encoding(path: path))
    }

    deinit { try? flush() }

    /// The id the next step starts at by default: one past the largest id created.
    public var nextStepId: Int { nextId }

    /// The state of the open trace, for deltas and inspection.
    public var state: TraceAnalyzer? { analyzer }

    // MARK: - Traces

    /// Starts a trace (closing none: a trace without `end` is left incomplete).
    public func begin(_ header: TraceHeader) throws(TraceWriterError) {
        guard header.isSupported else {
            throw .refused(.badHeaderField("deptrace", "\(TraceHeader.currentVersion), the version this writer writes"), record: "header")
        }
        do {
            // What is written is the header's JSON: check that, exactly as a reader will.
            try JSONEncoding.checkNumbers(in: .object(header.fields))
            analyzer = try TraceAnalyzer(header: try TraceHeader(object: header.fields))
        } catch {
            throw .refused(error, record: "header")
        }
        nextId = 0
        switch encoding {
        case .jsonl:
            buffer.append(contentsOf: JSONLRecordEncoder.line(for: header).utf8)
        case .binary:
            let start = BinaryRecordEncoder.traceStart(header)
            guard start.count - BinaryLayout.traceHeaderSize <= BinaryLayout.maxHeaderSize else {
                analyzer = nil
                throw .recordTooLarge("header", bytes: start.count - BinaryLayout.traceHeaderSize)
            }
            closeChunk()
            binaryEncoder = BinaryRecordEncoder()
            buffer.append(contentsOf: start)
        }
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes any record after checking it.
    public func write(_ record: Record) throws(TraceWriterError) {
        guard analyzer != nil else { throw .noTrace(record.typeName) }
        var encoded: [UInt8] = []
        var encoder = binaryEncoder
        if encoding == .binary {
            // Encoded before it is applied: a record that cannot be written leaves the state as it was.
            encoder.append(record, to: &encoded)
            guard encoded.count <= BinaryLayout.maxChunkPayload else {
                throw .recordTooLarge(record.typeName, bytes: encoded.count)
            }
        }
        do {
            if case .end(let claims) = record { try JSONEncoding.checkNumbers(in: .object(claims.fields)) }
            try analyzer?.apply(record)
        } catch {
            throw .refused(error, record: record.typeName)
        }
        if case .step(let step) = record { nextId = step.first + step.count }
        switch encoding {
        case .jsonl:
            buffer.append(contentsOf: JSONLRecordEncoder.line(for: record).utf8)
            if buffer.count >= flushThreshold { try flush() }
        case .binary:
            binaryEncoder = encoder
            if payload.count + encoded.count > BinaryLayout.maxChunkPayload { closeChunk() }
            payload.append(contentsOf: encoded)
            if payload.count >= flushThreshold { try flush() }
        }
    }

    /// A forward pass over `count` new queries, by default right after the last created id.
    ///
    /// - Returns: the ids the step created.
    @discardableResult
    public func step(_ phase: Phase, count: Int = 1, first: Int? = nil, kind: TokenKind? = nil, time: Int? = nil, tokens: [Int]? = nil) throws(TraceWriterError) -> Range<Int> {
        let start = first ?? nextId
        try write(.step(Step(phase: phase, first: start, count: count, kind: kind, time: time, tokens: tokens)))
        return start..<(start + count)
    }

    /// Frees `ranges` (sorted, disjoint) in one stream or all.
    public func evict(_ ranges: [Range<Int>], stream: Int? = nil) throws(TraceWriterError) {
        try write(.evict(ranges, stream: stream))
    }

    /// Frees the given ids, in any order.
    public func evict(ids: some Sequence<Int>, stream: Int? = nil) throws(TraceWriterError) {
        if let bad = ids.first(where: { $0 < 0 || $0 >= RangeList.idLimit }) {
            throw .refused(.idOutOfRange(start: bad, end: bad &+ 1), record: "evict")
        }
        try evict(IntervalSet(ids: ids).ranges, stream: stream)
    }

    /// Brings earlier-created, non-resident ids back.
    public func add(_ ranges: [Range<Int>], stream: Int? = nil) throws(TraceWriterError) {
        try write(.add(ranges, stream: stream))
    }

    /// Masks visible ids.
    public func hide(_ ranges: [Range<Int>], stream: Int? = nil) throws(TraceWriterError) {
        try write(.hide(ranges, stream: stream))
    }

    /// Unmasks hidden resident ids.
    public func show(_ ranges: [Range<Int>], stream: Int? = nil) throws(TraceWriterError) {
        try write(.show(ranges, stream: stream))
    }

    /// A label on the timeline.
    public func mark(_ label: String) throws(TraceWriterError) {
        try write(.mark(label))
    }

    /// Asserts the current visible set (and resident set) of one stream or all, as computed.
    public func snap(stream: Int? = nil, includeResident: Bool = false) throws(TraceWriterError) {
        guard let analyzer else { throw .noTrace("snap") }
        let reference = stream ?? 0
        try write(.snap(
            visible: analyzer.visibleSet(stream: reference).ranges,
            resident: includeResident ? analyzer.residentSet(stream: reference).ranges : nil, stream: stream))
    }

    /// How ids that leave the visible set are recorded by ``setVisible(_:stream:removal:)``.
    public enum Removal: Sendable {
        /// Freed from memory (`evict`): eviction methods.
        case evict
        /// Kept in memory but masked (`hide`): masking methods.
        case hide
    }

    /// Makes the visible set of `stream` (or of every stream, which must then
    /// agree) equal `visible`, writing the records that get there: ids that
    /// leave are evicted or hidden, ids that return are shown when hidden and
    /// added back when freed.
    ///
    /// All or nothing: when any of those records would be refused, none is written.
    public func setVisible(_ visible: IntervalSet, stream: Int? = nil, removal: Removal = .evict) throws(TraceWriterError) {
        guard let analyzer else { throw .noTrace("setVisible") }
        if stream == nil, analyzer.distinctStates > 1 {
            throw .refused(.malformedRecord("the streams' visible sets differ: give the stream whose set to change"), record: "setVisible")
        }
        let reference = stream ?? 0
        let current = analyzer.visibleSet(stream: reference)
        let leaving = current.subtracting(visible)
        let arriving = visible.subtracting(current)
        let hiddenResident = analyzer.residentSet(stream: reference).subtracting(current)
        let toShow = arriving.intersection(hiddenResident)
        let toAdd = arriving.subtracting(toShow)
        var records: [Record] = []
        if !leaving.isEmpty {
            records.append(removal == .evict ? .evict(leaving.ranges, stream: stream) : .hide(leaving.ranges, stream: stream))
        }
        if !toShow.isEmpty { records.append(.show(toShow.ranges, stream: stream)) }
        if !toAdd.isEmpty { records.append(.add(toAdd.ranges, stream: stream)) }
        var trial = analyzer
        var trialEncoder = binaryEncoder
        for record in records {
            do { try trial.apply(record) } catch { throw .refused(error, record: record.typeName) }
            if encoding == .binary {
                var encoded: [UInt8] = []
                trialEncoder.append(record, to: &encoded)
                if encoded.count > BinaryLayout.maxChunkPayload { throw .recordTooLarge(record.typeName, bytes: encoded.count) }
            }
        }
        for record in records { try write(record) }
    }

    /// Closes the trace with its claims and outcome.
    public func end(_ claims: Claims = Claims()) throws(TraceWriterError) {
        try write(.end(claims))
    }

    // MARK: - Output

    /// Moves the open chunk's payload, framed, into the buffer.
    private func closeChunk() {
        guard !payload.isEmpty else { return }
        buffer.append(contentsOf: BinaryRecordEncoder.chunk(payload))
        payload.removeAll(keepingCapacity: true)
    }

    /// Writes out everything buffered (in the binary encoding, closing the open chunk).
    public func flush() throws(TraceWriterError) {
        closeChunk()
        guard !buffer.isEmpty else { return }
        var failure: InputError?
        buffer.withUnsafeBytes { bytes in
            do throws(InputError) { try sink.write(bytes) } catch { failure = error }
        }
        if let failure { throw .output(failure) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes; the sink closes when the writer is released.
    public func close() throws(TraceWriterError) {
        try flush()
        analyzer = nil
    }
}
