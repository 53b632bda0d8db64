/// Decodes the records of one chunk payload, keeping the delta bases across
/// chunks of a trace.
struct BinaryRecordDecoder {
    private var nextStepBase = 0
    private var previousTime = 0
    /// Storage reused by successive range records once their records are released.
    private var scratch: [Range<Int>] = []
    /// Whether steps carry their vocabulary ids; when false they are checked and skipped.
    private let keepsTokens: Bool
    /// The most ranges one record may list (``ResourceLimits/maxRangesPerRecord``).
    private let maxRanges: Int

    init(keepsTokens: Bool = true, maxRanges: Int = ResourceLimits.defaultMaxRangesPerRecord) {
        self.keepsTokens = keepsTokens
        self.maxRanges = maxRanges
    }

    /// A payload that does not decode: a writer bug or undetected corruption.
    struct DecodeError: Error {
        let offset: Int
        let message: String
        /// Set when the record is well formed but exceeds a bound of ``ResourceLimits``.
        var limit: RuleViolation?
    }

    /// Reads varints and bytes from a payload.
    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        var isAtEnd: Bool { position >= bytes.count }

        @inline(__always)
        mutating func byte() throws(DecodeError) -> UInt8 {
            guard position < bytes.count else { throw DecodeError(offset: position, message: "record cut short by the end of its chunk") }
            let value = bytes[position]
            position &+= 1
            return value
        }

        @inline(__always)
        mutating func varint() throws(DecodeError) -> UInt64 {
            let start = position
            let available = bytes.count &- start
            if available > 0 {
                // Most varints are one byte (counts, deltas); the rest rarely come within 10 bytes of a chunk's end.
                let first = bytes[start]
                if first < 0x80 {
                    position = start &+ 1
                    return UInt64(first)
                }
                if available >= 10 { return try unboundedVarint(first: first, at: start) }
            }
            return try boundedVarint()
        }

        /// The varint at `start`, whose first byte is `first`, with at least 10 bytes left: no end checks.
        @inline(__always)
        private mutating func unboundedVarint(first: UInt8, at start: Int) throws(DecodeError) -> UInt64 {
            var result = UInt64(first & 0x7F)
            var index = 1
            while index < 10 {
                let byte = bytes[start &+ index]
                if index == 9 && byte > 1 { throw DecodeError(offset: start &+ 9, message: "varint longer than 64 bits") }
                result |= UInt64(byte & 0x7F) << UInt64(7 &* index)
                index &+= 1
                if byte < 0x80 {
                    position = start &+ index
                    return result
                }
            }
            // Unreachable: the tenth byte either ends the varint or is above 1.
            throw DecodeError(offset: start &+ 9, message: "varint longer than 64 bits")
        }

        /// A varint read byte by byte, each checked against the end of the chunk.
        private mutating func boundedVarint() throws(DecodeError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = try byte()
                if shift == 63 && byte > 1 { throw DecodeError(offset: position - 1, message: "varint longer than 64 bits") }
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }

        /// A varint that must fit a non-negative `Int` below the id limit (ids, counts, lengths).
        @inline(__always)
        mutating func count() throws(DecodeError) -> Int {
            let start = position
            let value = try varint()
            guard value <= UInt64(RangeList.idLimit) else { throw DecodeError(offset: start, message: "value \(value) beyond 2^53") }
            return Int(value)
        }

        @inline(__always)
        mutating func zigzag() throws(DecodeError) -> Int {
            Self.zigzag(try varint())
        }

        /// The signed integer that the zigzag encoding turned into `value`.
        @inline(__always)
        static func zigzag(_ value: UInt64) -> Int {
            Int(truncatingIfNeeded: Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1))))
        }

        /// The longest varint ``uncheckedVarint()`` reads.
        static let maxUncheckedVarintLength = 8

        /// The varint at the cursor, read without end checks: the caller has
        /// checked that ``maxUncheckedVarintLength`` bytes remain. Nil, the
        /// cursor unchanged, when the varint is longer.
        ///
        /// Byte by byte on purpose: a varint's length decides where the next
        /// one starts, and a branch per byte lets the processor guess it and
        /// read on, where computing it from a whole word (tried) made every
        /// read wait for the one before it and was slower.
        @inline(__always)
        mutating func uncheckedVarint() -> UInt64? {
            var value: UInt64 = 0
            var index = 0
            while index < Self.maxUncheckedVarintLength {
                let byte = bytes[position &+ index]
                value |= UInt64(byte & 0x7F) &<< UInt64(7 &* index)
                index &+= 1
                if byte < 0x80 {
                    position &+= index
                    return value
                }
            }
            return nil
        }

        mutating func text() throws(DecodeError) -> String {
            let length = try count()
            guard length <= bytes.count - position else { throw DecodeError(offset: position, message: "text of \(length) bytes runs past its chunk") }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)]), as: UTF8.self)
            position += length
            return text
        }
    }

    /// Decodes the next record at `cursor`.
    mutating func next(_ cursor: inout Cursor) throws(DecodeError) -> Record {
        let start = cursor.position
        let tagByte = try cursor.byte()
        guard let tag = BinaryLayout.Tag(rawValue: tagByte) else {
            throw DecodeError(offset: start, message: "unknown record tag 0x\(String(tagByte, radix: 16))")
        }
        switch tag {
        case .step:
            return .step(try step(&cursor, start: start))
        case .evict, .add, .hide, .show:
            let stream = try rangeRecord(&cursor)
            let ranges = scratch
            switch tag {
            case .evict: return .evict(ranges, stream: stream)
            case .add: return .add(ranges, stream: stream)
            case .hide: return .hide(ranges, stream: stream)
            default: return .show(ranges, stream: stream)
            }
        case .mark: return .mark(try cursor.text())
        case .snap:
            let stream = try Self.stream(&cursor)
            let hasResident = try cursor.byte()
            guard hasResident <= 1 else { throw DecodeError(offset: start, message: "invalid snap flags") }
            var visible: [Range<Int>] = []
            try Self.ranges(&cursor, into: &visible, maxRanges: maxRanges)
            var resident: [Range<Int>]?
            if hasResident == 1 {
                var list: [Range<Int>] = []
                try Self.ranges(&cursor, into: &list, maxRanges: maxRanges)
                resident = list
            }
            return .snap(visible: visible, resident: resident, stream: stream)
        case .tokens:
            throw DecodeError(offset: start, message: "token list without a step before it")
        case .end:
            let json = try cursor.text()
            var bytes = Array(json.utf8)
            let members = bytes.withUnsafeMutableBufferPointer { buffer -> [(key: String, value: JSONValue)]? in
                var reader = JSONCursor(UnsafeBufferPointer(buffer))
                guard let members = try? reader.parseObjectMembers(), reader.peek() == nil else { return nil }
                return members
            }
            guard let members else { throw DecodeError(offset: start, message: "end claims are not a JSON object") }
            return .end(Claims(fields: members))
        }
    }

    /// Decodes the body of a range record (evict, add, hide, show) whose tag
    /// byte was just read: its ranges into ``withLastRanges(_:)``; returns its stream.
    mutating func rangeRecord(_ cursor: inout Cursor) throws(DecodeError) -> Int? {
        let stream = try Self.stream(&cursor)
        // Static, with the bound passed in: an instance method would copy `self`,
        // and with it retain `scratch`, so every append would reallocate it.
        try Self.ranges(&cursor, into: &scratch, maxRanges: maxRanges)
        return stream
    }

    /// ``rangeRecord(_:)`` without end checks, for a record far enough from
    /// its chunk's end for every read, whose fields are all valid and at most
    /// ``Cursor/maxUncheckedVarintLength`` bytes long: returns its stream
    /// (itself optional), its ranges in ``withLastRanges(_:)``. Nil otherwise,
    /// the cursor unchanged: ``rangeRecord(_:)`` then decodes the record and
    /// words any error (the two agree: `BinaryFastPathTests`).
    @inline(__always)
    mutating func fastRangeRecord(_ cursor: inout Cursor) -> Int?? {
        var reader = cursor
        let width = Cursor.maxUncheckedVarintLength
        guard reader.bytes.count &- reader.position >= 2 &* width,
              let streamField = reader.uncheckedVarint(), let count = reader.uncheckedVarint(),
              count <= UInt64(maxRanges)
        else { return nil }
        let limit = RangeList.idLimit
        var previousEnd = 0
        for index in 0..<Int(count) {
            guard reader.bytes.count &- reader.position >= 2 &* width,
                  let delta = reader.uncheckedVarint(), let length = reader.uncheckedVarint()
            else { return nil }
            // Below 2^56 (8 bytes at most): no overflow before the check.
            let start = previousEnd &+ Int(delta)
            guard start <= limit, Int(length) <= limit &- start else { return nil }
            previousEnd = start &+ Int(length)
            scratch.overwrite(start..<previousEnd, at: index)
        }
        guard streamField <= UInt64(limit) else { return nil }
        scratch.trim(to: Int(count))
        cursor = reader
        return .some(streamField == 0 ? nil : Int(streamField) &- 1)
    }

    /// Calls `body` with the ranges of the range record decoded last, without copying them.
    func withLastRanges<Result>(_ body: (UnsafeBufferPointer<Range<Int>>) -> Result) -> Result {
        scratch.withUnsafeBufferPointer(body)
    }

    /// Decodes a step record whose tag byte, at `start`, was just read, with
    /// its vocabulary ids when the decoder keeps them.
    mutating func step(_ cursor: inout Cursor, start: Int) throws(DecodeError) -> Step {
        guard keepsTokens else { return Step(try bareStep(&cursor, start: start)) }
        var step = Step(try stepFields(&cursor, start: start))
        step.tokens = try tokenList(&cursor, start: start)
        return step
    }

    /// Bytes a step must have before its chunk's end for
    /// ``fastStep(_:)``: its flags, three fields, its token tag and count.
    static let fastStepMargin = 2 &+ 4 &* Cursor.maxUncheckedVarintLength

    /// The step whose tag byte was just read, without its vocabulary ids,
    /// decoded without end checks: the readers' hot path. Nil, having
    /// changed nothing, unless the step lies far enough from its chunk's
    /// end for every read, every field is valid and every varint at most
    /// ``Cursor/maxUncheckedVarintLength`` bytes long; ``bareStep(_:start:)``
    /// then decodes it and words any error. The two agree on every step
    /// this one reads (`BinaryFastPathTests`).
    @inline(__always)
    mutating func fastStep(_ cursor: inout Cursor) -> BareStep? {
        var reader = cursor
        guard reader.bytes.count &- reader.position >= Self.fastStepMargin else { return nil }
        let flags = reader.bytes[reader.position]
        guard case .success(let (phase, kind)) = Self.stepFlags(flags, start: reader.position &- 1) else { return nil }
        reader.position &+= 1
        guard let delta = reader.uncheckedVarint(), let count = reader.uncheckedVarint() else { return nil }
        var time: Int?
        if flags & BinaryLayout.StepFlags.hasTime != 0 {
            guard let change = reader.uncheckedVarint() else { return nil }
            time = previousTime &+ Cursor.zigzag(change)
        }
        // Deltas and counts of at most 8 bytes are below 2^56: no overflow here.
        let first = nextStepBase &+ Int(delta)
        guard first <= RangeList.idLimit, Int(count) <= RangeList.idLimit &- first else { return nil }
        if reader.bytes[reader.position] == BinaryLayout.Tag.tokens.rawValue {
            reader.position &+= 1
            // Each token takes at least a byte: the end check stops a false count within the chunk.
            guard let tokens = reader.uncheckedVarint() else { return nil }
            for _ in 0..<tokens {
                guard reader.bytes.count &- reader.position >= Cursor.maxUncheckedVarintLength,
                      reader.uncheckedVarint() != nil
                else { return nil }
            }
        }
        cursor = reader
        nextStepBase = first &+ Int(count)
        if let time { previousTime = time }
        return BareStep(phase: phase, first: first, count: Int(count), explicitKind: kind, time: time)
    }

    /// Decodes a step record whose tag byte, at `start`, was just read,
    /// checking and skipping its vocabulary ids, every byte checked against
    /// the chunk's end.
    @inline(never)
    mutating func bareStep(_ cursor: inout Cursor, start: Int) throws(DecodeError) -> BareStep {
        let step = try stepFields(&cursor, start: start)
        if !cursor.isAtEnd, cursor.bytes[cursor.position] == BinaryLayout.Tag.tokens.rawValue {
            cursor.position &+= 1
            let tokenCount = try cursor.count()
            guard tokenCount <= cursor.bytes.count &- cursor.position else {
                throw DecodeError(offset: start, message: "token list runs past its chunk")
            }
            for _ in 0..<tokenCount { _ = try cursor.varint() }
        }
        return step
    }

    /// The phase and explicit kind that the flags byte of the step at
    /// `start` gives, or the error that words what in it is invalid.
    @inline(__always)
    private static func stepFlags(_ flags: UInt8, start: Int) -> Result<(phase: Phase, kind: TokenKind?), DecodeError> {
        guard let phase = Phase(rawValue: flags & 0x03) else { return .failure(DecodeError(offset: start, message: "invalid step phase")) }
        let kindBits = (flags &>> 2) & 0x07
        var kind: TokenKind?
        if kindBits != 0 {
            guard let explicit = TokenKind(rawValue: kindBits &- 1) else { return .failure(DecodeError(offset: start, message: "invalid token kind")) }
            kind = explicit
        }
        guard flags & ~(0x1F | BinaryLayout.StepFlags.hasTime) == 0 else { return .failure(DecodeError(offset: start, message: "invalid step flags")) }
        return .success((phase, kind))
    }

    /// The fields of a step record after its tag byte, at `start`.
    @inline(__always)
    private mutating func stepFields(_ cursor: inout Cursor, start: Int) throws(DecodeError) -> BareStep {
        let flags = try cursor.byte()
        let (phase, kind) = try Self.stepFlags(flags, start: start).get()
        let first = nextStepBase + (try cursor.count())
        let count = try cursor.count()
        var time: Int?
        if flags & BinaryLayout.StepFlags.hasTime != 0 {
            previousTime = previousTime &+ (try cursor.zigzag())
            time = previousTime
        }
        guard first <= RangeList.idLimit, count <= RangeList.idLimit - first else {
            throw DecodeError(offset: start, message: "step ids beyond 2^53")
        }
        nextStepBase = first + count
        return BareStep(phase: phase, first: first, count: count, explicitKind: kind, time: time)
    }

    /// The vocabulary ids that may follow the step at `start`, or nil.
    private func tokenList(_ cursor: inout Cursor, start: Int) throws(DecodeError) -> [Int]? {
        guard !cursor.isAtEnd, cursor.bytes[cursor.position] == BinaryLayout.Tag.tokens.rawValue else { return nil }
        cursor.position += 1
        let tokenCount = try cursor.count()
        guard tokenCount <= cursor.bytes.count - cursor.position else {
            throw DecodeError(offset: start, message: "token list runs past its chunk")
        }
        var tokens: [Int] = []
        tokens.reserveCapacity(tokenCount)
        for _ in 0..<tokenCount { tokens.append(try cursor.zigzag()) }
        return tokens
    }

    @inline(__always)
    private static func ranges(_ cursor: inout Cursor, into result: inout [Range<Int>], maxRanges: Int) throws(DecodeError) {
        let countOffset = cursor.position
        let count = try cursor.count()
        guard count <= cursor.bytes.count - cursor.position else { throw DecodeError(offset: cursor.position, message: "range list runs past its chunk") }
        guard count <= maxRanges else {
            let message = "the record lists \(count) ranges, more than the limit of \(maxRanges) (raise it with --max-ranges-per-record)"
            throw DecodeError(offset: countOffset, message: message, limit: .limitExceeded(message))
        }
        var previousEnd = 0
        for index in 0..<count {
            let start = previousEnd + (try cursor.count())
            let length = try cursor.count()
            guard start <= RangeList.idLimit, length <= RangeList.idLimit - start else {
                throw DecodeError(offset: cursor.position, message: "range beyond 2^53")
            }
            result.overwrite(start..<(start + length), at: index)
            previousEnd = start + length
        }
        result.trim(to: count)
    }

    @inline(__always)
    private static func stream(_ cursor: inout Cursor) throws(DecodeError) -> Int? {
        let value = try cursor.count()
        return value == 0 ? nil : value - 1
    }
}
