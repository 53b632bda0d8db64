/// Appends records in the binary encoding's payload format.
///
/// Ids are written as deltas: a step's first id from one past the previous
/// step's last id, a range's start from the previous range's end in the same
/// record, so typical records take a few bytes.
public struct BinaryRecordEncoder: Sendable {
    /// One past the last id of the previous step (the delta base of the next step).
    private var nextStepBase = 0
    /// The previous step's `t` (the delta base of the next one).
    private var previousTime = 0

    public init() {}

    /// Appends `value` as an unsigned LEB128 varint.
    @inline(__always)
    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Appends a non-negative `Int` as a varint.
    @inline(__always)
    static func appendVarint(_ value: Int, to bytes: inout [UInt8]) {
        appendVarint(UInt64(bitPattern: Int64(value)), to: &bytes)
    }

    /// Appends a signed value zigzag-encoded.
    @inline(__always)
    static func appendZigzag(_ value: Int, to bytes: inout [UInt8]) {
        appendVarint(UInt64(bitPattern: Int64((value << 1) ^ (value >> 63))), to: &bytes)
    }

    static func appendRanges(_ ranges: [Range<Int>], to bytes: inout [UInt8]) {
        appendVarint(ranges.count, to: &bytes)
        var previousEnd = 0
        for range in ranges {
            appendVarint(range.lowerBound - previousEnd, to: &bytes)
            appendVarint(range.count, to: &bytes)
            previousEnd = range.upperBound
        }
    }

    static func appendStream(_ stream: Int?, to bytes: inout [UInt8]) {
        appendVarint(stream.map { $0 + 1 } ?? 0, to: &bytes)
    }

    static func appendBytes(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = Array(text.utf8)
        appendVarint(utf8.count, to: &bytes)
        bytes.append(contentsOf: utf8)
    }

    /// Appends `record`, which must be valid (as checked by ``TraceAnalyzer``).
    public mutating func append(_ record: Record, to bytes: inout [UInt8]) {
        switch record {
        case .step(let step):
            bytes.append(BinaryLayout.Tag.step.rawValue)
            var flags = step.phase.rawValue
            if let kind = step.explicitKind { flags |= (kind.rawValue + 1) << 2 }
            if step.time != nil { flags |= BinaryLayout.StepFlags.hasTime }
            bytes.append(flags)
            Self.appendVarint(step.first - nextStepBase, to: &bytes)
            Self.appendVarint(step.count, to: &bytes)
            if let time = step.time {
                Self.appendZigzag(time &- previousTime, to: &bytes)
                previousTime = time
            }
            nextStepBase = step.first + step.count
            if let tokens = step.tokens {
                bytes.append(BinaryLayout.Tag.tokens.rawValue)
                Self.appendVarint(tokens.count, to: &bytes)
                for token in tokens { Self.appendZigzag(token, to: &bytes) }
            }
        case let .evict(ranges, stream): appendRangeRecord(.evict, ranges, stream, to: &bytes)
        case let .add(ranges, stream): appendRangeRecord(.add, ranges, stream, to: &bytes)
        case let .hide(ranges, stream): appendRangeRecord(.hide, ranges, stream, to: &bytes)
        case let .show(ranges, stream): appendRangeRecord(.show, ranges, stream, to: &bytes)
        case .mark(let label):
            bytes.append(BinaryLayout.Tag.mark.rawValue)
            Self.appendBytes(label, to: &bytes)
        case let .snap(visible, resident, stream):
            bytes.append(BinaryLayout.Tag.snap.rawValue)
            Self.appendStream(stream, to: &bytes)
            bytes.append(resident == nil ? 0 : 1)
            Self.appendRanges(visible, to: &bytes)
            if let resident { Self.appendRanges(resident, to: &bytes) }
        case .end(let claims):
            bytes.append(BinaryLayout.Tag.end.rawValue)
            Self.appendBytes(JSONEncoding.text(of: .object(claims.fields)), to: &bytes)
        }
    }

    private func appendRangeRecord(_ tag: BinaryLayout.Tag, _ ranges: [Range<Int>], _ stream: Int?, to bytes: inout [UInt8]) {
        bytes.append(tag.rawValue)
        Self.appendStream(stream, to: &bytes)
        Self.appendRanges(ranges, to: &bytes)
    }

    /// The bytes that start a trace: magic, version, header length, header CRC-32C, header JSON.
    public static func traceStart(_ header: TraceHeader) -> [UInt8] {
        let json = Array(JSONEncoding.text(of: .object(header.fields)).utf8)
        var bytes = BinaryLayout.magic
        appendUInt32(UInt32(header.version), to: &bytes)
        appendUInt32(UInt32(json.count), to: &bytes)
        appendUInt32(CRC32C.checksum(json), to: &bytes)
        bytes.append(contentsOf: json)
        return bytes
    }

    /// A chunk around `payload`: length, CRC-32C, payload.
    public static func chunk(_ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payload.count + BinaryLayout.chunkHeaderSize)
        appendUInt32(UInt32(payload.count), to: &bytes)
        appendUInt32(CRC32C.checksum(payload), to: &bytes)
        bytes.append(contentsOf: payload)
        return bytes
    }

    static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
