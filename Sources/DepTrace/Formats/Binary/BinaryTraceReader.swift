/// Reads the binary encoding (`.dtrace`) into a ``TraceAssembler``.
///
/// Damage is reported with its byte offset. Every record of every intact
/// chunk before it is delivered; after a corrupt header or chunk, reading
/// resynchronises at the next magic, so later traces in the file are read too.
public enum BinaryTraceReader {
    /// Reads every trace of `window` into `assembler`, then closes the open trace.
    ///
    /// - Throws: ``InputError`` when the source cannot be read; everything read
    ///   before the failure has been delivered and the open trace closed.
    public static func read<Observer: TraceObserver>(
        _ window: ByteWindow, into assembler: inout TraceAssembler<Observer>, progress: ((Int) -> Void)? = nil
    ) throws(InputError) {
        defer { assembler.finishInput() }
        let limits = assembler.options.limits
        // Observers that do not see records never see vocabulary ids either.
        var decoder = BinaryRecordDecoder(keepsTokens: Observer.observesRecords, maxRanges: limits.maxRangesPerRecord)
        var inTrace = false
        /// Chunks of a trace of another version are framed alike but may hold other records.
        var decoding = false
        var chunks = 0
        var seenTrace = false
        while try window.ensure(1) {
            let at = window.offset
            if try window.ensure(BinaryLayout.magic.count), isMagic(window) {
                guard try window.ensure(BinaryLayout.traceHeaderSize) else {
                    assembler.damage("truncated trace header: the input ends \(window.available) bytes after the magic", at: .offset(at))
                    window.consume(window.available)
                    break
                }
                let fields = BinaryLayout.TraceHeaderFields(window.bytes(BinaryLayout.traceHeaderSize))
                let length = fields.length
                guard length <= limits.maxHeaderBytes else {
                    assembler.damage("corrupt trace header: header length \(length) exceeds the limit of \(ResourceLimits.bytes(limits.maxHeaderBytes)) (raise it with --max-header-size)", at: .offset(at))
                    try resynchronise(window)
                    inTrace = false
                    continue
                }
                guard try window.ensure(BinaryLayout.traceHeaderSize + length) else {
                    // A cut file, or a corrupt length: a later trace may still follow.
                    assembler.damage("truncated trace header: the input holds \(window.available - BinaryLayout.traceHeaderSize) of its \(length) header bytes", at: .offset(at))
                    try resynchronise(window)
                    inTrace = false
                    continue
                }
                let json = UnsafeRawBufferPointer(rebasing: window.bytes(BinaryLayout.traceHeaderSize + length)[BinaryLayout.traceHeaderSize...])
                guard CRC32C.checksum(json) == fields.crc else {
                    assembler.damage("corrupt trace header: CRC-32C mismatch", at: .offset(at))
                    try resynchronise(window)
                    inTrace = false
                    continue
                }
                seenTrace = true
                decoding = readHeader(json, version: fields.version, at: at, into: &assembler)
                window.consume(BinaryLayout.traceHeaderSize + length)
                decoder = BinaryRecordDecoder(keepsTokens: Observer.observesRecords, maxRanges: limits.maxRangesPerRecord)
                inTrace = true
                continue
            }
            guard inTrace else {
                let what = at == 0
                    ? "neither a JSON Lines trace (which starts with '{') nor a binary trace (which starts with the DTRC magic)"
                    : "no DTRC magic where a trace should start"
                let cut = window.available < BinaryLayout.magic.count
                    && BinaryLayout.magic.starts(with: Array(window.bytes(window.available)))
                assembler.damage(cut ? "truncated: the input ends inside a trace's magic" : what, at: .offset(at))
                window.consume(1)
                // Before any trace, only so far: an input that is no trace at all (/dev/zero, random bytes,
                // a foreign file) ends here instead of being scanned to its end, which may never come.
                let found = try window.skip(to: BinaryLayout.magic, within: seenTrace ? Int.max : firstMagicSearchLimit)
                if !found, !seenTrace, try window.ensure(1) {
                    throw .unsupportedContent(assembler.file, "no trace in the first \(ResourceLimits.bytes(firstMagicSearchLimit)): neither a JSON Lines header nor the binary DTRC magic; the rest is not read")
                }
                continue
            }
            guard try window.ensure(BinaryLayout.chunkHeaderSize) else {
                assembler.damage("truncated chunk header: the input ends \(window.available) bytes into it", at: .offset(at))
                window.consume(window.available)
                break
            }
            let chunk = BinaryLayout.ChunkHeaderFields(window.bytes(BinaryLayout.chunkHeaderSize))
            let length = chunk.length
            guard length > 0 else {
                // Writers never close an empty chunk: zeros here are a padded or torn file.
                assembler.damage("empty chunk: zero bytes where a chunk should be", at: .offset(at))
                try resynchronise(window)
                inTrace = false
                continue
            }
            guard length <= limits.maxChunkBytes else {
                assembler.damage("corrupt chunk: payload length \(length) exceeds the limit of \(ResourceLimits.bytes(limits.maxChunkBytes)) (raise it with --max-chunk-size)", at: .offset(at))
                try resynchronise(window)
                inTrace = false
                continue
            }
            guard try window.ensure(BinaryLayout.chunkHeaderSize + length) else {
                // A cut file, or a corrupt length: a later trace may still follow.
                assembler.damage("truncated chunk: the input holds \(window.available - BinaryLayout.chunkHeaderSize) of its \(length) payload bytes", at: .offset(at))
                try resynchronise(window)
                inTrace = false
                continue
            }
            let payload = UnsafeRawBufferPointer(rebasing: window.bytes(BinaryLayout.chunkHeaderSize + length)[BinaryLayout.chunkHeaderSize...])
            guard CRC32C.checksum(payload) == chunk.crc else {
                assembler.damage("corrupt chunk: CRC-32C mismatch", at: .offset(at))
                try resynchronise(window)
                inTrace = false
                continue
            }
            var cursor = BinaryRecordDecoder.Cursor(bytes: payload)
            while decoding, !cursor.isAtEnd {
                let recordOffset = at + BinaryLayout.chunkHeaderSize + cursor.position
                do {
                    // Steps and evictions, most records, go to the engine without becoming a `Record`.
                    let tag = cursor.bytes[cursor.position]
                    if !Observer.observesRecords, tag == BinaryLayout.Tag.step.rawValue {
                        let start = cursor.position
                        cursor.position &+= 1
                        if let step = decoder.fastStep(&cursor) {
                            assembler.step(step, at: .offset(recordOffset))
                        } else {
                            assembler.step(try decoder.bareStep(&cursor, start: start), at: .offset(recordOffset))
                        }
                    } else if !Observer.observesRecords, tag == BinaryLayout.Tag.evict.rawValue {
                        cursor.position &+= 1
                        let stream: Int?
                        if let fast = decoder.fastRangeRecord(&cursor) { stream = fast } else { stream = try decoder.rangeRecord(&cursor) }
                        decoder.withLastRanges { assembler.evict($0, stream: stream, at: .offset(recordOffset)) }
                    } else {
                        assembler.record(try decoder.next(&cursor), at: .offset(recordOffset))
                    }
                } catch {
                    if let limit = error.limit {
                        assembler.violation(limit, at: .offset(recordOffset))
                        // The trace is invalid: its later chunks are skipped up to the next header.
                        decoding = false
                    } else {
                        assembler.damage("undecodable record: \(error.message)", at: .offset(at + BinaryLayout.chunkHeaderSize + error.offset))
                    }
                    break
                }
            }
            window.consume(BinaryLayout.chunkHeaderSize + length)
            chunks &+= 1
            if let progress, chunks & 63 == 0 { progress(window.bytesRead) }
        }
        progress?(window.bytesRead)
    }

    /// How far past the start of an input that does not begin with a trace the
    /// first DTRC magic is looked for.
    static let firstMagicSearchLimit = 1 << 20

    private static func isMagic(_ window: ByteWindow) -> Bool {
        let bytes = window.bytes(BinaryLayout.magic.count)
        for index in 0..<BinaryLayout.magic.count where bytes[index] != BinaryLayout.magic[index] { return false }
        return true
    }

    /// Skips past the damage at the window's start to the next magic.
    private static func resynchronise(_ window: ByteWindow) throws(InputError) {
        window.consume(1)
        _ = try window.skip(to: BinaryLayout.magic)
    }

    /// Reads a trace's header into `assembler`; returns whether its chunks are to be decoded.
    private static func readHeader<Observer: TraceObserver>(
        _ json: UnsafeRawBufferPointer, version: UInt32, at offset: Int, into assembler: inout TraceAssembler<Observer>
    ) -> Bool {
        let members = json.withMemoryRebound(to: UInt8.self) { bytes -> [(key: String, value: JSONValue)]? in
            var cursor = JSONCursor(bytes)
            guard let members = try? cursor.parseObjectMembers(), cursor.peek() == nil else { return nil }
            return members
        }
        guard let members else {
            assembler.badHeader(.malformedRecord("the header is not one JSON object"), at: .offset(offset))
            return false
        }
        do {
            let header = try TraceHeader(object: members)
            guard header.version == Int(version) else {
                assembler.badHeader(.malformedRecord("the header says \"deptrace\":\(header.version) but its binary version field says \(version)"), at: .offset(offset))
                return false
            }
            assembler.header(header, at: .offset(offset))
            return header.isSupported
        } catch {
            assembler.badHeader(error, at: .offset(offset))
            return false
        }
    }
}
