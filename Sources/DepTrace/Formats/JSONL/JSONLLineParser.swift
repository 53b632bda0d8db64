/// What one line of a JSONL trace holds.
public enum JSONLLine: Sendable, Equatable {
    /// An empty or whitespace-only line.
    case blank
    /// A header: the start of a trace.
    case header(TraceHeader)
    /// A record of a known type.
    case record(Record)
    /// An object with no known type key: skipped and counted as a warning.
    case unknown(keys: [String])
}

/// Why a line could not be read.
public enum JSONLLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not one JSON object: damage (a torn write, a corrupt file).
    case syntax(String)
    /// Well-formed JSON that breaks a rule of the format.
    case violation(RuleViolation)
    /// A header (it has the `deptrace` key) whose fields break the format.
    case badHeader(RuleViolation)

    public var description: String {
        switch self {
        case .syntax(let message): "invalid JSON: \(message)"
        case .violation(let violation), .badHeader(let violation): violation.description
        }
    }
}

/// Parses lines of the JSON Lines encoding into headers and records.
///
/// Each line is checked once for JSON syntax while the spans of the keys the
/// format knows are noted; then only those spans are read into typed values.
public struct JSONLLineParser: Sendable {
    /// The most ranges a record may list (``ResourceLimits/maxRangesPerRecord``);
    /// reading stops there, so a huge list costs no more memory than the limit.
    public let maxRangesPerRecord: Int

    public init(maxRangesPerRecord: Int = ResourceLimits.defaultMaxRangesPerRecord) {
        self.maxRangesPerRecord = maxRangesPerRecord
    }

    /// The keys the format gives meaning to.
    enum Key: Int, CaseIterable {
        case deptrace, step, evict, add, hide, show, mark, snap, end, q, kind, t, tok, s, resident

        static let typeKeys: [Key] = [.step, .evict, .add, .hide, .show, .mark, .snap, .end]

        var name: String { String(describing: self) }

        /// The key whose UTF-8 name is `bytes`, without building a `String`.
        @inline(__always)
        static func identify(_ bytes: UnsafeBufferPointer<UInt8>) -> Key? {
            @inline(__always) func equals(_ literal: StaticString) -> Bool {
                literal.utf8CodeUnitCount == bytes.count
                    && memcmpBytes(bytes.baseAddress, literal.utf8Start, bytes.count)
            }
            switch bytes.count {
            case 1:
                switch bytes[0] {
                case UInt8(ascii: "q"): return .q
                case UInt8(ascii: "t"): return .t
                case UInt8(ascii: "s"): return .s
                default: return nil
                }
            case 3:
                if equals("add") { return .add }
                if equals("end") { return .end }
                if equals("tok") { return .tok }
            case 4:
                if equals("step") { return .step }
                if equals("hide") { return .hide }
                if equals("show") { return .show }
                if equals("mark") { return .mark }
                if equals("snap") { return .snap }
                if equals("kind") { return .kind }
            case 5:
                if equals("evict") { return .evict }
            case 8:
                if equals("deptrace") { return .deptrace }
                if equals("resident") { return .resident }
            default: break
            }
            return nil
        }
    }

    /// Parses one line (without its newline).
    ///
    /// - Throws: ``JSONLLineError/syntax(_:)`` when the bytes are not a JSON
    ///   object, ``JSONLLineError/violation(_:)`` when the object breaks the format.
    public func parse(_ line: UnsafeBufferPointer<UInt8>) throws(JSONLLineError) -> JSONLLine {
        var scratch: [Range<Int>] = []
        return try parse(line, reusing: &scratch)
    }

    /// Parses one line, building its range list in `scratch`: when the caller
    /// lets go of the returned record before the next call, the array's storage
    /// is reused and a range record costs no allocation.
    public func parse(_ line: UnsafeBufferPointer<UInt8>, reusing scratch: inout [Range<Int>]) throws(JSONLLineError) -> JSONLLine {
        var cursor = JSONCursor(line)
        var spans = KeySpans()
        var fast = FastFields()
        var firstUnknownKeys: [String] = []
        do {
            guard let first = cursor.peek() else { return .blank }
            guard first == UInt8(ascii: "{") else {
                throw JSONCursor.SyntaxError(offset: cursor.position, message: "a line must hold one JSON object")
            }
            _ = cursor.consume(UInt8(ascii: "{"))
            if !cursor.consume(UInt8(ascii: "}")) {
                repeat {
                    let (keySpan, escaped) = try cursor.scanString()
                    let key: Key?
                    if escaped {
                        let name = try cursor.decodeString(keySpan)
                        key = Key.allCases.first { $0.name == name }
                        if key == nil, firstUnknownKeys.count < 3 { firstUnknownKeys.append(name) }
                    } else {
                        let raw = UnsafeBufferPointer(rebasing: line[keySpan])
                        key = Key.identify(raw)
                        if key == nil, firstUnknownKeys.count < 3 {
                            firstUnknownKeys.append(String(decoding: raw, as: UTF8.self))
                        }
                    }
                    try cursor.expect(UInt8(ascii: ":"), "':'")
                    // The keys of every hot record are read in this one pass; anything
                    // unusual falls back to a syntax check now and a typed read later.
                    var valueSpan: Range<Int>
                    if let key, let span = Self.readFast(key, &cursor, into: &fast, scratch: &scratch, maxRanges: maxRangesPerRecord) {
                        valueSpan = span
                    } else {
                        valueSpan = try cursor.skipValue()
                    }
                    if let key {
                        if spans[key] != nil, !spans.has(.deptrace) {
                            throw JSONLLineError.violation(.malformedRecord("duplicate key '\(key.name)'"))
                        }
                        spans[key] = valueSpan
                    }
                } while cursor.consume(UInt8(ascii: ","))
                try cursor.expect(UInt8(ascii: "}"), "',' or '}'")
            }
            if cursor.peek() != nil {
                throw cursor.error("unexpected data after the JSON object")
            }
        } catch let error as JSONCursor.SyntaxError {
            throw .syntax(error.description)
        } catch let error as JSONLLineError {
            throw error
        } catch {
            throw .syntax("\(error)")
        }

        if spans.has(.deptrace) {
            return .header(try parseHeader(line))
        }
        var typeKey: Key?
        for key in Key.typeKeys where spans.has(key) {
            if let other = typeKey {
                throw .violation(.malformedRecord(
                    "a record has exactly one type key, found '\(other.name)' and '\(key.name)'"))
            }
            typeKey = key
        }
        guard let typeKey else { return .unknown(keys: firstUnknownKeys) }
        do {
            return .record(try readRecord(typeKey, spans: spans, fast: fast, line: line, scratch: &scratch))
        } catch let error as FieldError {
            throw .violation(.malformedRecord(error.description))
        } catch let error as RuleViolation {
            throw .violation(error)
        } catch {
            throw .violation(.malformedRecord("\(error)"))
        }
    }

    private func parseHeader(_ line: UnsafeBufferPointer<UInt8>) throws(JSONLLineError) -> TraceHeader {
        var cursor = JSONCursor(line)
        let members: [(key: String, value: JSONValue)]
        do {
            members = try cursor.parseObjectMembers()
        } catch {
            throw .syntax(error.description)
        }
        do {
            return try TraceHeader(object: members)
        } catch {
            throw .badHeader(error)
        }
    }

    /// A key whose value has the wrong shape.
    struct FieldError: Error, CustomStringConvertible {
        let key: Key
        let expected: String
        let detail: String?
        var description: String {
            "'\(key.name)' must be \(expected)" + (detail.map { " (\($0))" } ?? "")
        }
    }

    /// Values of hot keys read during the syntax pass.
    struct FastFields {
        var phase: Phase?
        var first = 0
        var count = 0
        var hasQ = false
        var stream: Int?
        var hasStream = false
        var time: Int?
        var hasTime = false
        /// The type key whose range list is in the scratch buffer.
        var rangesKey: Key?
    }

    /// Reads the value of a hot key in its expected, well-formed shape;
    /// returns its span, or nil (cursor unmoved) to take the general path.
    @inline(__always)
    static func readFast(
        _ key: Key, _ cursor: inout JSONCursor, into fast: inout FastFields, scratch: inout [Range<Int>], maxRanges: Int
    ) -> Range<Int>? {
        cursor.skipWhitespace()
        let start = cursor.position
        var ok = false
        switch key {
        case .step:
            if let name = try? cursor.parseString(), let phase = Phase(name: name) {
                fast.phase = phase
                ok = true
            }
        case .q:
            if cursor.consume(UInt8(ascii: "[")), let first = try? cursor.parseInteger(), cursor.consume(UInt8(ascii: ",")),
                let count = try? cursor.parseInteger(), cursor.consume(UInt8(ascii: "]"))
            {
                (fast.first, fast.count, fast.hasQ) = (first, count, true)
                ok = true
            }
        case .s:
            if let value = try? cursor.parseInteger() { (fast.stream, fast.hasStream, ok) = (value, true, true) }
        case .t:
            if let value = try? cursor.parseInteger() { (fast.time, fast.hasTime, ok) = (value, true, true) }
        case .evict, .add, .hide, .show:
            scratch.removeAll(keepingCapacity: true)
            if readFastRanges(&cursor, into: &scratch, maxRanges: maxRanges) {
                fast.rangesKey = key
                ok = true
            }
        default:
            break
        }
        if ok { return start..<cursor.position }
        cursor.position = start
        return nil
    }

    /// `[[a,b],...]` with `0 ≤ a < b ≤ 2^53`; false for anything else.
    @inline(__always)
    static func readFastRanges(_ cursor: inout JSONCursor, into list: inout [Range<Int>], maxRanges: Int) -> Bool {
        guard cursor.consume(UInt8(ascii: "[")) else { return false }
        if cursor.consume(UInt8(ascii: "]")) { return true }
        repeat {
            guard cursor.consume(UInt8(ascii: "[")), let start = try? cursor.parseInteger(), cursor.consume(UInt8(ascii: ",")),
                let end = try? cursor.parseInteger(), cursor.consume(UInt8(ascii: "]")),
                start >= 0, start < end, end <= RangeList.idLimit, list.count < maxRanges
            else { return false }
            list.append(start..<end)
        } while cursor.consume(UInt8(ascii: ","))
        return cursor.consume(UInt8(ascii: "]"))
    }

    private func readRecord(_ type: Key, spans: KeySpans, fast: FastFields, line: UnsafeBufferPointer<UInt8>, scratch: inout [Range<Int>]) throws -> Record {
        func cursor(_ key: Key) -> JSONCursor? {
            spans[key].map { JSONCursor(line, position: $0.lowerBound) }
        }
        /// Absent and `null` both mean "not given".
        func present(_ key: Key) -> JSONCursor? {
            guard var reader = cursor(key) else { return nil }
            if reader.peek() == UInt8(ascii: "n") { return nil }
            return reader
        }
        func integer(_ key: Key) throws -> Int? {
            guard var reader = present(key) else { return nil }
            do { return try reader.parseInteger() } catch { throw FieldError(key: key, expected: "a JSON integer", detail: error.message) }
        }
        func stream() throws -> Int? { fast.hasStream ? fast.stream : try integer(.s) }
        func ranges(_ key: Key, into list: inout [Range<Int>]) throws {
            if fast.rangesKey == key {
                // Already in `list` (the scratch buffer); only the order is left to check.
                try RangeList.validate(list)
                return
            }
            guard var reader = cursor(key) else { throw FieldError(key: key, expected: "a list of [start, end] ranges", detail: nil) }
            list.removeAll(keepingCapacity: true)
            try Self.readRanges(&reader, key: key, into: &list, maxRanges: maxRangesPerRecord)
        }
        func ranges(_ key: Key) throws -> [Range<Int>] {
            var list: [Range<Int>] = []
            try ranges(key, into: &list)
            return list
        }

        switch type {
        case .step where fast.phase != nil && fast.hasQ && !spans.has(.kind) && !spans.has(.tok):
            let time = fast.hasTime ? fast.time : try integer(.t)
            return .step(Step(phase: fast.phase ?? .decode, first: fast.first, count: fast.count, time: time))
        case .step:
            guard var reader = cursor(.step), reader.peek() == UInt8(ascii: "\"") else {
                throw FieldError(key: .step, expected: "a phase name: \"prefill\", \"decode\" or \"compress\"", detail: nil)
            }
            let name = try reader.parseString()
            guard let phase = Phase(name: name) else {
                throw FieldError(key: .step, expected: "a phase name: \"prefill\", \"decode\" or \"compress\"", detail: "found \"\(name)\"")
            }
            guard var q = cursor(.q) else {
                throw FieldError(key: .q, expected: "[first_id, n] on every step", detail: "missing")
            }
            let first: Int
            let count: Int
            do {
                try q.expect(UInt8(ascii: "["), "'['")
                first = try q.parseInteger()
                try q.expect(UInt8(ascii: ","), "','")
                count = try q.parseInteger()
                try q.expect(UInt8(ascii: "]"), "']'")
            } catch {
                throw FieldError(key: .q, expected: "[first_id, n] with two JSON integers", detail: error.message)
            }
            var kind: TokenKind?
            if var reader = present(.kind) {
                let name = reader.peek() == UInt8(ascii: "\"") ? try reader.parseString() : ""
                guard let parsed = TokenKind(name: name) else {
                    throw FieldError(key: .kind, expected: "one of \"prompt\", \"output\", \"gist\", \"special\"", detail: name.isEmpty ? nil : "found \"\(name)\"")
                }
                kind = parsed
            }
            var tokens: [Int]?
            if var reader = present(.tok) {
                var values: [Int] = []
                do {
                    try reader.expect(UInt8(ascii: "["), "'['")
                    if !reader.consume(UInt8(ascii: "]")) {
                        repeat { values.append(try reader.parseInteger()) } while reader.consume(UInt8(ascii: ","))
                        try reader.expect(UInt8(ascii: "]"), "']'")
                    }
                } catch {
                    throw FieldError(key: .tok, expected: "a list of JSON integers", detail: error.message)
                }
                tokens = values
            }
            return .step(Step(phase: phase, first: first, count: count, kind: kind, time: try integer(.t), tokens: tokens))
        case .evict:
            try ranges(.evict, into: &scratch)
            return .evict(scratch, stream: try stream())
        case .add:
            try ranges(.add, into: &scratch)
            return .add(scratch, stream: try stream())
        case .hide:
            try ranges(.hide, into: &scratch)
            return .hide(scratch, stream: try stream())
        case .show:
            try ranges(.show, into: &scratch)
            return .show(scratch, stream: try stream())
        case .mark:
            guard var reader = cursor(.mark), reader.peek() == UInt8(ascii: "\"") else {
                throw FieldError(key: .mark, expected: "a string", detail: nil)
            }
            return .mark(try reader.parseString())
        case .snap:
            let resident = present(.resident) == nil ? nil : try ranges(.resident)
            return .snap(visible: try ranges(.snap), resident: resident, stream: try stream())
        case .end:
            guard var reader = cursor(.end) else { return .end(Claims()) }
            switch reader.peek() {
            case UInt8(ascii: "n"): return .end(Claims())
            case UInt8(ascii: "{"): return .end(Claims(fields: try reader.parseObjectMembers()))
            default: throw FieldError(key: .end, expected: "an object of claims or null", detail: nil)
            }
        default:
            throw FieldError(key: type, expected: "a record type", detail: nil)
        }
    }

    /// Reads `[[start, end], ...]`, checking each range is non-empty and inside the id space.
    static func readRanges(_ reader: inout JSONCursor, key: Key, into result: inout [Range<Int>], maxRanges: Int) throws {
        do {
            try reader.expect(UInt8(ascii: "["), "'['")
            if reader.consume(UInt8(ascii: "]")) { return }
            repeat {
                try reader.expect(UInt8(ascii: "["), "'[' opening a [start, end] pair")
                let start = try reader.parseInteger()
                try reader.expect(UInt8(ascii: ","), "','")
                let end = try reader.parseInteger()
                try reader.expect(UInt8(ascii: "]"), "']' closing a [start, end] pair")
                guard start >= 0, end <= RangeList.idLimit else { throw RuleViolation.idOutOfRange(start: start, end: end) }
                guard start < end else { throw RuleViolation.emptyRange(start: start, end: end) }
                guard result.count < maxRanges else {
                    throw RuleViolation.limitExceeded(
                        "'\(key.name)' lists more than \(maxRanges) ranges, the limit per record (raise it with --max-ranges-per-record)")
                }
                result.append(start..<end)
            } while reader.consume(UInt8(ascii: ","))
            try reader.expect(UInt8(ascii: "]"), "']'")
        } catch let error as JSONCursor.SyntaxError {
            throw FieldError(key: key, expected: "a list of [start, end] pairs of JSON integers", detail: error.message)
        }
        try RangeList.validate(result)
    }
}

/// The value spans of the format's keys on one line: one packed field per
/// key and a bit mask of those present, so a line is parsed without
/// allocating and with little to initialise. Lines are shorter than 2^32 bytes.
struct KeySpans {
    private var deptrace: UInt64 = 0
    private var step: UInt64 = 0
    private var evict: UInt64 = 0
    private var add: UInt64 = 0
    private var hide: UInt64 = 0
    private var show: UInt64 = 0
    private var mark: UInt64 = 0
    private var snap: UInt64 = 0
    private var end: UInt64 = 0
    private var q: UInt64 = 0
    private var kind: UInt64 = 0
    private var t: UInt64 = 0
    private var tok: UInt64 = 0
    private var s: UInt64 = 0
    private var resident: UInt64 = 0
    private var present: UInt16 = 0

    subscript(key: JSONLLineParser.Key) -> Range<Int>? {
        get {
            guard has(key) else { return nil }
            let packed = self.packed(key)
            return Int(packed >> 32)..<Int(packed & 0xFFFF_FFFF)
        }
        set {
            guard let newValue else {
                present &= ~(1 << UInt16(key.rawValue))
                return
            }
            present |= 1 << UInt16(key.rawValue)
            store(UInt64(newValue.lowerBound) << 32 | UInt64(newValue.upperBound), for: key)
        }
    }

    @inline(__always)
    func has(_ key: JSONLLineParser.Key) -> Bool { present & (1 << UInt16(key.rawValue)) != 0 }

    private func packed(_ key: JSONLLineParser.Key) -> UInt64 {
        switch key {
        case .deptrace: deptrace
        case .step: step
        case .evict: evict
        case .add: add
        case .hide: hide
        case .show: show
        case .mark: mark
        case .snap: snap
        case .end: end
        case .q: q
        case .kind: kind
        case .t: t
        case .tok: tok
        case .s: s
        case .resident: resident
        }
    }

    private mutating func store(_ packed: UInt64, for key: JSONLLineParser.Key) {
        switch key {
        case .deptrace: deptrace = packed
        case .step: step = packed
        case .evict: evict = packed
        case .add: add = packed
        case .hide: hide = packed
        case .show: show = packed
        case .mark: mark = packed
        case .snap: snap = packed
        case .end: end = packed
        case .q: q = packed
        case .kind: kind = packed
        case .t: t = packed
        case .tok: tok = packed
        case .s: s = packed
        case .resident: resident = packed
        }
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    guard let a else { return count == 0 }
    for index in 0..<count where a[index] != b[index] { return false }
    return true
}
