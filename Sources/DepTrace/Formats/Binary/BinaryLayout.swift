/// Constants of the binary encoding (`.dtrace`); `docs/FORMAT.md` is the reference.
public enum BinaryLayout {
    /// `DTRC\r\n\u{1A}\n`: starts every trace.
    public static let magic: [UInt8] = [0x44, 0x54, 0x52, 0x43, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Magic (8), version (4), header length (4), header CRC-32C (4).
    public static let traceHeaderSize = 20
    /// Payload length (4), payload CRC-32C (4).
    public static let chunkHeaderSize = 8
    /// Writers close a chunk once its payload reaches this size.
    public static let chunkTarget = 64 << 10
    /// No payload is larger, so a chunk length never reads as the magic's first four bytes.
    public static let maxChunkPayload = 16 << 20
    /// Headers larger than this are refused as damage.
    public static let maxHeaderSize = 16 << 20

    /// The fixed fields of a trace header: magic (0), version (8), header length (12), header CRC-32C (16).
    struct TraceHeaderFields {
        var version: UInt32
        /// Bytes of header JSON after the fixed fields.
        var length: Int
        var crc: UInt32

        /// Reads the fields from a header's first ``BinaryLayout/traceHeaderSize`` bytes.
        init(_ bytes: UnsafeRawBufferPointer) {
            version = BinaryLayout.uint32(bytes, at: 8)
            length = Int(BinaryLayout.uint32(bytes, at: 12))
            crc = BinaryLayout.uint32(bytes, at: 16)
        }
    }

    /// The fields of a chunk header: payload length (0), payload CRC-32C (4).
    struct ChunkHeaderFields {
        var length: Int
        var crc: UInt32

        /// Reads the fields from a chunk's first ``BinaryLayout/chunkHeaderSize`` bytes.
        init(_ bytes: UnsafeRawBufferPointer) {
            length = Int(BinaryLayout.uint32(bytes, at: 0))
            crc = BinaryLayout.uint32(bytes, at: 4)
        }
    }

    /// The little-endian `UInt32` at `offset` of `bytes`.
    @inline(__always)
    static func uint32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Record tags: the first byte of each record in a chunk payload.
    public enum Tag: UInt8 {
        case step = 0x01
        case evict = 0x02
        case add = 0x03
        case hide = 0x04
        case show = 0x05
        case mark = 0x06
        case snap = 0x07
        case tokens = 0x08
        case end = 0x09
    }

    /// Bits of a step record's flags byte: phase in bits 0–1, kind + 1 in bits 2–4 (0: the phase's default).
    enum StepFlags {
        static let hasTime: UInt8 = 0x20
    }
}
