/// Recognises the few line shapes that make up almost every JSONL trace,
/// exactly as writers emit them, and reads them in one pass over raw bytes:
///
///     {"step":"decode","q":[812,1]}                 optional ,"t":N and ,"tok":[...], in this order
///     {"evict":[[387,388],[400,410]],"s":109}        also add, hide, show; "s" optional
///     {"mark":"thought 3 compressed"}               printable ASCII, no escapes
///
/// Anything else, or anything unusual inside these shapes (whitespace, other
/// keys or key orders, numbers with a sign, 19 or more digits, ids beyond
/// 2^53, empty, unsorted or overlapping ranges), gives `nil`, and the line
/// goes to ``JSONLLineParser``, which reads every line the format allows and
/// words every error. So a line read here gives exactly the record the
/// parser would give, and an error is always worded by the parser.
struct JSONLFastScanner {
    /// A line read here.
    enum Shape {
        case step(BareStep)
        /// A range record; its ranges are in the scratch list.
        case evict(stream: Int?)
        case add(stream: Int?)
        case hide(stream: Int?)
        case show(stream: Int?)
        /// A mark; its text is not kept (for observers that do not see records).
        case mark
    }

    private let start: UnsafePointer<UInt8>
    private let end: UnsafePointer<UInt8>
    private var position: UnsafePointer<UInt8>
    private let maxRanges: Int

    private init(_ line: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, maxRanges: Int) {
        self.maxRanges = maxRanges
        start = base
        end = base + line.count
        position = base
    }

    /// Reads `line` (without its newline) when it has one of the shapes above.
    ///
    /// - Parameters:
    ///   - ranges: receives the ranges of a range record (emptied first).
    ///   - maxRanges: more ranges than this leave the line to the parser, which reports the limit.
    @inline(__always)
    static func scan(_ line: UnsafeBufferPointer<UInt8>, ranges: inout [Range<Int>], maxRanges: Int = ResourceLimits.defaultMaxRangesPerRecord) -> Shape? {
        // The closing brace is the sentinel every loop below stops at, so
        // digit loops need no bounds check of their own.
        guard let base = line.baseAddress, line.count >= 12, line[0] == UInt8(ascii: "{"),
            line[line.count &- 1] == UInt8(ascii: "}")
        else { return nil }
        var scanner = JSONLFastScanner(line, base: base, maxRanges: maxRanges)
        return scanner.scanObject(ranges: &ranges)
    }

    // MARK: - Bytes

    @inline(__always)
    private var remaining: Int { end - position }

    /// Consumes `literal` if the bytes at the position are exactly it.
    @inline(__always)
    private mutating func take(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard remaining >= count else { return false }
        let bytes = literal.utf8Start
        for index in 0..<count where position[index] != bytes[index] { return false }
        position += count
        return true
    }

    @inline(__always)
    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < end, position.pointee == byte else { return false }
        position += 1
        return true
    }

    /// `0|[1-9][0-9]{0,17}`: a non-negative integer that cannot overflow, as the parser reads it.
    @inline(__always)
    private mutating func unsigned() -> Int? {
        guard let count = integerDigits() else { return nil }
        let value = JSONLFastScanner.value(of: position, digits: count)
        position += count
        return followedByNumberEnd() ? value : nil
    }

    /// An integer of either sign, as ``unsigned()``.
    @inline(__always)
    private mutating func signed() -> Int? {
        // One call of `unsigned()`, not one per sign: with two, the optimizer did not inline this.
        let negative = position.pointee == UInt8(ascii: "-")
        if negative { position += 1 }
        guard let magnitude = unsigned() else { return nil }
        return negative ? 0 &- magnitude : magnitude
    }

    /// Skips an integer of either sign that ``signed()`` would read, without its value.
    @inline(__always)
    private mutating func skipSigned() -> Bool {
        if position.pointee == UInt8(ascii: "-") { position += 1 }
        guard let count = integerDigits() else { return false }
        position += count
        return followedByNumberEnd()
    }

    /// The digits of an integer at the position: 1 to 18 (below 2^63), and no
    /// leading zero, which JSON forbids (the parser words that error); nil otherwise.
    @inline(__always)
    private func integerDigits() -> Int? {
        let count = JSONLFastScanner.digitCount(at: position, available: remaining)
        guard count >= 1, count <= 18, count == 1 || position.pointee != 0x30 else { return nil }
        return count
    }

    /// Whether the number just read ends here: a fraction or exponent goes to the parser.
    @inline(__always)
    private func followedByNumberEnd() -> Bool {
        switch position.pointee {
        case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): false
        default: true
        }
    }

    // MARK: - Digits, eight at a time

    /// The number of ASCII digits at `start`; `available` bytes are readable
    /// there, and a non-digit follows the digits within them.
    @inline(__always)
    static func digitCount(at start: UnsafePointer<UInt8>, available: Int) -> Int {
        var count = 0
        while available &- count >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(start + count).loadUnaligned(as: UInt64.self))
            // A digit byte is 0x3_ and stays 0x3_ when 6 is added. A carry out of
            // a byte starts at a non-digit, so the bytes before the first one are exact.
            let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
            let threes: UInt64 = 0x3030_3030_3030_3030
            let nonDigits = ((word & high) ^ threes) | (((word &+ 0x0606_0606_0606_0606) & high) ^ threes)
            if nonDigits != 0 { return count &+ nonDigits.trailingZeroBitCount >> 3 }
            count &+= 8
        }
        while count < available, start[count] &- 0x30 < 10 { count &+= 1 }
        return count
    }

    /// The value of `digits` (at most 18) ASCII digits at `start`.
    @inline(__always)
    static func value(of start: UnsafePointer<UInt8>, digits: Int) -> Int {
        var value = 0
        var index = 0
        while digits &- index >= 8 {
            value = value &* 100_000_000 &+ eightDigits(start + index)
            index &+= 8
        }
        while index < digits {
            value = value &* 10 &+ Int(start[index] &- 0x30)
            index &+= 1
        }
        return value
    }

    /// The value of the eight ASCII digits at `start`, first digit most
    /// significant: pairs, then quads, then the whole, by multiply-and-shift.
    @inline(__always)
    static func eightDigits(_ start: UnsafePointer<UInt8>) -> Int {
        var word = UInt64(littleEndian: UnsafeRawPointer(start).loadUnaligned(as: UInt64.self)) & 0x0F0F_0F0F_0F0F_0F0F
        word = (word &* (10 << 8 + 1)) >> 8
        word = ((word & 0x00FF_00FF_00FF_00FF) &* (100 << 16 + 1)) >> 16
        word = ((word & 0x0000_FFFF_0000_FFFF) &* (10_000 << 32 + 1)) >> 32
        return Int(truncatingIfNeeded: word)
    }

    // MARK: - Shapes

    @inline(__always)
    private mutating func scanObject(ranges: inout [Range<Int>]) -> Shape? {
        position += 1
        guard take(UInt8(ascii: "\"")) else { return nil }
        switch position.pointee {
        case UInt8(ascii: "s"):
            if take("step\":\"") { return scanStep() }
            if take("show\":") { return scanRanges(&ranges).map { .show(stream: $0) } ?? nil }
        case UInt8(ascii: "e"):
            if take("evict\":") { return scanRanges(&ranges).map { .evict(stream: $0) } ?? nil }
        case UInt8(ascii: "a"):
            if take("add\":") { return scanRanges(&ranges).map { .add(stream: $0) } ?? nil }
        case UInt8(ascii: "h"):
            if take("hide\":") { return scanRanges(&ranges).map { .hide(stream: $0) } ?? nil }
        case UInt8(ascii: "m"):
            if take("mark\":\"") { return scanMark() }
        default: break
        }
        return nil
    }

    /// After `{"step":"`.
    @inline(__always)
    private mutating func scanStep() -> Shape? {
        let phase: Phase
        if take("decode\"") {
            phase = .decode
        } else if take("prefill\"") {
            phase = .prefill
        } else if take("compress\"") {
            phase = .compress
        } else {
            return nil
        }
        guard take(",\"q\":["), let first = unsigned(), take(UInt8(ascii: ",")), let count = unsigned(),
            take(UInt8(ascii: "]"))
        else { return nil }
        var time: Int?
        if take(",\"t\":") {
            guard let value = signed() else { return nil }
            time = value
        }
        if take(",\"tok\":[") {
            // Vocabulary ids are checked for syntax only: metrics do not use them.
            if !take(UInt8(ascii: "]")) {
                repeat {
                    guard skipSigned() else { return nil }
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "]")) else { return nil }
            }
        }
        guard take(UInt8(ascii: "}")), position == end else { return nil }
        return .step(BareStep(phase: phase, first: first, count: count, time: time))
    }

    /// After `{"mark":"`: text of printable ASCII without `"` or `\`, which
    /// the parser reads as it is, then `"}`. Anything else (escapes, other
    /// bytes, which may not be valid UTF-8) is left to the parser.
    @inline(__always)
    private mutating func scanMark() -> Shape? {
        // Bounded by the end: a brace is text here, so the line's closing one is no sentinel.
        while position < end, position.pointee &- 0x20 < 0x5F, position.pointee != UInt8(ascii: "\""),
            position.pointee != UInt8(ascii: "\\")
        {
            position += 1
        }
        guard take(UInt8(ascii: "\"")), take(UInt8(ascii: "}")), position == end else { return nil }
        return .mark
    }

    /// After `{"evict":` (or another range key): the ranges and the optional
    /// stream; `.some(nil)` for a record without `"s"`, nil for another shape.
    private mutating func scanRanges(_ ranges: inout [Range<Int>]) -> Int?? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var previousEnd = 0
        var listed = 0
        repeat {
            guard take(UInt8(ascii: "[")), let lower = unsigned(), take(UInt8(ascii: ",")), let upper = unsigned(),
                take(UInt8(ascii: "]")), lower >= previousEnd, lower < upper, upper <= RangeList.idLimit,
                listed < maxRanges
            else { return nil }
            ranges.overwrite(lower..<upper, at: listed)
            listed &+= 1
            previousEnd = upper
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")) else { return nil }
        ranges.trim(to: listed)
        var stream: Int?
        if take(",\"s\":") {
            guard let value = unsigned() else { return nil }
            stream = value
        }
        guard take(UInt8(ascii: "}")), position == end else { return nil }
        return .some(stream)
    }
}
