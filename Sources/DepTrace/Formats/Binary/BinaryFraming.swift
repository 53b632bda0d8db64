/// The framing rules of the binary encoding, for walkers that cut a file or a
/// stream at trace headers without decoding records: a unit is a trace header
/// (magic, fixed fields, header JSON) or a chunk (fields, payload), and it is
/// intact when its lengths are within the limits and its CRC-32C matches.
/// ``BinaryTraceReader`` applies the same rules when it reads.
enum BinaryFraming {
    /// What lies at the start of some bytes.
    enum Unit: Equatable {
        /// An intact trace header of this many bytes in all.
        case header(Int)
        /// An intact chunk of this many bytes in all.
        case chunk(Int)
        /// The bytes end before the unit does: at least this many are needed to judge it.
        case needs(Int)
        /// Damage: what the reader would report and resynchronise after.
        case damaged
    }

    /// The unit at the start of `bytes`: a trace header when they start with
    /// the magic, else a chunk (only valid inside a trace).
    static func unit(at bytes: UnsafeRawBufferPointer, limits: ResourceLimits) -> Unit {
        let magic = BinaryLayout.magic
        if bytes.count < magic.count, magic.starts(with: bytes) { return .needs(magic.count) }
        if bytes.count >= magic.count, magic.indices.allSatisfy({ bytes[$0] == magic[$0] }) {
            guard bytes.count >= BinaryLayout.traceHeaderSize else { return .needs(BinaryLayout.traceHeaderSize) }
            let fields = BinaryLayout.TraceHeaderFields(bytes)
            guard fields.length <= limits.maxHeaderBytes else { return .damaged }
            let size = BinaryLayout.traceHeaderSize + fields.length
            guard bytes.count >= size else { return .needs(size) }
            let json = UnsafeRawBufferPointer(rebasing: bytes[BinaryLayout.traceHeaderSize..<size])
            return CRC32C.checksum(json) == fields.crc ? .header(size) : .damaged
        }
        guard bytes.count >= BinaryLayout.chunkHeaderSize else { return .needs(BinaryLayout.chunkHeaderSize) }
        let fields = BinaryLayout.ChunkHeaderFields(bytes)
        guard fields.length > 0, fields.length <= limits.maxChunkBytes else { return .damaged }
        let size = BinaryLayout.chunkHeaderSize + fields.length
        guard bytes.count >= size else { return .needs(size) }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[BinaryLayout.chunkHeaderSize..<size])
        return CRC32C.checksum(payload) == fields.crc ? .chunk(size) : .damaged
    }
}
