@testable import DepTrace
import Testing

/// The binary decoder's fast paths (``BinaryRecordDecoder/fastStep(_:)`` and
/// ``BinaryRecordDecoder/fastRangeRecord(_:)``) against its checked paths, on
/// random records of every shape, valid or not, at every distance from the
/// chunk's end: whenever a fast path reads a record, the checked path reads
/// the same fields and ends at the same byte; whenever it declines, the
/// checked path's result, or error, is what the reader gets.
@Suite struct BinaryFastPathTests {
    /// A varint of `value`, padded to `length` bytes when longer than needed
    /// (decoders accept non-minimal encodings), with no more than 10 bytes.
    static func varint(_ value: UInt64, length: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        repeat {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        } while rest != 0
        while bytes.count < min(length, 10) { bytes.append(0x80) }
        bytes[bytes.count - 1] &= 0x7F
        return bytes
    }

    /// A random value whose varint takes one to ten bytes, now and then beyond the 2^53 id limit.
    static func value(_ random: inout SeededRandom) -> UInt64 {
        switch random.uniform(0...9) {
        case 0...4: UInt64(random.uniform(0...127))
        case 5...7: UInt64(random.uniform(128...(1 << 28)))
        case 8: UInt64(random.uniform(0...(1 << 53))) + UInt64(random.uniform(0...2))
        default: random.next()
        }
    }

    static func field(_ random: inout SeededRandom) -> [UInt8] {
        varint(value(&random), length: random.uniform(0...9) == 0 ? random.uniform(1...11) : 0)
    }

    /// A step record after its tag: flags mostly valid, fields of every length, tokens or none.
    static func stepBody(_ random: inout SeededRandom) -> [UInt8] {
        var flags = UInt8(random.uniform(0...2)) | UInt8(random.uniform(0...4)) << 2
        if random.uniform(0...1) == 0 { flags |= BinaryLayout.StepFlags.hasTime }
        if random.uniform(0...19) == 0 { flags = UInt8(random.uniform(0...255)) }
        var body = [flags] + field(&random) + field(&random)
        if flags & BinaryLayout.StepFlags.hasTime != 0 { body += field(&random) }
        if random.uniform(0...2) > 0 {
            // Now and then more tokens than the record holds, or a long list running to the chunk's end.
            let count = random.uniform(0...9) == 0 ? Int(value(&random) & 0xFFFF) : random.uniform(0...3)
            body += [BinaryLayout.Tag.tokens.rawValue] + varint(UInt64(count))
            for _ in 0..<min(count, random.uniform(0...4) == 0 ? 40 : 4) { body += field(&random) }
        }
        return body
    }

    /// A range record after its tag: a stream, up to six ranges (the decoder allows four).
    static func rangeBody(_ random: inout SeededRandom) -> [UInt8] {
        let count = random.uniform(0...19) == 0 ? random.uniform(5...6) : random.uniform(0...3)
        var body = field(&random) + varint(UInt64(count), length: random.uniform(0...9) == 0 ? 2 : 0)
        for _ in 0..<count { body += field(&random) + field(&random) }
        return body
    }

    /// The outcome of one decode, comparable across paths.
    enum Outcome<Value: Equatable>: Equatable {
        case read(Value, end: Int)
        case failed(offset: Int, message: String, limit: Bool)
    }

    /// What `body`, which returns a value and where its cursor ended, gives.
    static func outcome<Value>(_ body: () throws(BinaryRecordDecoder.DecodeError) -> (Value, Int)) -> Outcome<Value> {
        do {
            let (value, end) = try body()
            return .read(value, end: end)
        } catch {
            return .failed(offset: error.offset, message: error.message, limit: error.limit != nil)
        }
    }

    /// Decodes the records of `payload` with and without the fast path, up to
    /// the first failure; returns how many records were compared, how many the
    /// fast path read, and whether a failure (the same on both sides) ended it.
    static func compare<Value: Equatable>(
        _ payload: [UInt8], maxRanges: Int,
        fast: (inout BinaryRecordDecoder, inout BinaryRecordDecoder.Cursor) -> Value?,
        checked: (inout BinaryRecordDecoder, inout BinaryRecordDecoder.Cursor, Int) throws(BinaryRecordDecoder.DecodeError) -> Value
    ) -> (compared: Int, fast: Int, failed: Int) {
        payload.withUnsafeBytes { bytes in
            var withFast = BinaryRecordDecoder(keepsTokens: false, maxRanges: maxRanges)
            var checkedOnly = BinaryRecordDecoder(keepsTokens: false, maxRanges: maxRanges)
            var fastCursor = BinaryRecordDecoder.Cursor(bytes: bytes)
            var checkedCursor = BinaryRecordDecoder.Cursor(bytes: bytes)
            var fastReads = 0
            var compared = 0
            while !checkedCursor.isAtEnd {
                compared += 1
                let start = checkedCursor.position
                fastCursor.position += 1
                checkedCursor.position += 1
                let expected = outcome { () throws(BinaryRecordDecoder.DecodeError) in
                    (try checked(&checkedOnly, &checkedCursor, start), checkedCursor.position)
                }
                let actual: Outcome<Value>
                let before = fastCursor.position
                if let value = fast(&withFast, &fastCursor) {
                    fastReads += 1
                    actual = .read(value, end: fastCursor.position)
                } else {
                    #expect(fastCursor.position == before, "a declining fast path moved the cursor")
                    actual = outcome { () throws(BinaryRecordDecoder.DecodeError) in
                        (try checked(&withFast, &fastCursor, start), fastCursor.position)
                    }
                }
                #expect(actual == expected, "record at \(start) of \(payload)")
                guard actual == expected, case .read = expected else { return (compared, fastReads, expected == actual ? 1 : 0) }
            }
            return (compared, fastReads, 0)
        }
    }

    /// Compares the two paths on 3,000 random payloads of up to 12 records
    /// of `tag`, each after its tag byte made by `body`, a quarter of the
    /// payloads cut short so that records end at every distance from the chunk's end.
    static func compareOnRandomPayloads<Value: Equatable>(
        seed: UInt64, tag: BinaryLayout.Tag, body: (inout SeededRandom) -> [UInt8],
        fast: (inout BinaryRecordDecoder, inout BinaryRecordDecoder.Cursor) -> Value?,
        checked: (inout BinaryRecordDecoder, inout BinaryRecordDecoder.Cursor, Int) throws(BinaryRecordDecoder.DecodeError) -> Value,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var random = SeededRandom(seed: seed)
        var totals = (compared: 0, fast: 0, failed: 0)
        for _ in 0..<3000 {
            var payload: [UInt8] = []
            for _ in 0..<random.uniform(1...12) { payload += [tag.rawValue] + body(&random) }
            if random.uniform(0...3) == 0 { payload.removeLast(random.uniform(0...min(payload.count - 1, 40))) }
            let result = compare(payload, maxRanges: 4, fast: fast, checked: checked)
            totals.compared += result.compared
            totals.fast += result.fast
            totals.failed += result.failed
        }
        // Both sides of the comparison are exercised.
        #expect(totals.fast > totals.compared / 3, "\(totals.fast) of \(totals.compared)", sourceLocation: sourceLocation)
        #expect(totals.failed > 100, "\(totals.failed)", sourceLocation: sourceLocation)
    }

    @Test func fastStepAgreesWithTheCheckedDecoder() {
        Self.compareOnRandomPayloads(seed: 0x5EED_0001, tag: .step, body: Self.stepBody) { decoder, cursor in
            decoder.fastStep(&cursor)
        } checked: { (decoder, cursor, start) throws(BinaryRecordDecoder.DecodeError) in
            try decoder.bareStep(&cursor, start: start)
        }
    }

    struct RangeRecord: Equatable {
        var stream: Int?
        var ranges: [Range<Int>]
    }

    @Test func fastRangeRecordAgreesWithTheCheckedDecoder() {
        Self.compareOnRandomPayloads(seed: 0x5EED_0002, tag: .evict, body: Self.rangeBody) { decoder, cursor -> RangeRecord? in
            guard let stream = decoder.fastRangeRecord(&cursor) else { return nil }
            return RangeRecord(stream: stream, ranges: decoder.withLastRanges { Array($0) })
        } checked: { (decoder, cursor, _) throws(BinaryRecordDecoder.DecodeError) in
            let stream = try decoder.rangeRecord(&cursor)
            return RangeRecord(stream: stream, ranges: decoder.withLastRanges { Array($0) })
        }
    }
}
