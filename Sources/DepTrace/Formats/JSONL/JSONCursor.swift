/// A byte-level JSON scanner over one line of a JSONL trace.
///
/// It reads exactly the shapes the format uses (objects, integer pairs,
/// range lists, strings) without building intermediate values, and skips
/// everything else after checking its syntax. The buffer must outlive the cursor.
struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// A syntax error at a byte offset within the line.
    struct SyntaxError: Error, CustomStringConvertible {
        let offset: Int
        let message: String
        var description: String { "\(message) at column \(offset + 1)" }
    }

    var isAtEnd: Bool { position >= bytes.count }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position &+= 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed; nil at the end.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    func error(_ message: String) -> SyntaxError { SyntaxError(offset: position, message: message) }

    private func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "end of line" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16)
    }

    /// Consumes `byte` after optional whitespace.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(SyntaxError) {
        guard peek() == byte else { throw error("expected \(what), found \(describe(peek()))") }
        position &+= 1
    }

    /// Consumes `byte` if it comes next (after whitespace).
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        if peek() == byte {
            position &+= 1
            return true
        }
        return false
    }

    /// Reads a JSON integer (`-?(0|[1-9][0-9]*)`, no fraction or exponent).
    mutating func parseInteger() throws(SyntaxError) -> Int {
        skipWhitespace()
        let start = position
        var negative = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
            negative = true
            position &+= 1
        }
        guard position < bytes.count, bytes[position] &- 0x30 < 10 else {
            throw error("expected an integer, found \(describe(position < bytes.count ? bytes[position] : nil))")
        }
        var value = 0
        if bytes[position] == 0x30 {
            position &+= 1
        } else {
            while position < bytes.count {
                let digit = bytes[position] &- 0x30
                if digit >= 10 { break }
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                // Negative numbers accumulate downwards: -2^63 has no positive twin in 64 bits.
                let (next, o2) = negative ? times10.subtractingReportingOverflow(Int(digit)) : times10.addingReportingOverflow(Int(digit))
                if o1 || o2 { throw SyntaxError(offset: start, message: "integer too large for 64 bits") }
                value = next
                position &+= 1
            }
        }
        if position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                throw SyntaxError(offset: start, message: "expected an integer, found a number with a fraction or exponent")
            case 0x30...0x39:
                throw SyntaxError(offset: start, message: "invalid number: leading zero")
            default: break
            }
        }
        return value
    }

    /// Skips a JSON number of any form, checking its syntax; returns its byte span.
    mutating func skipNumber() throws(SyntaxError) -> Range<Int> {
        skipWhitespace()
        let start = position
        func digits(_ cursor: inout JSONCursor) -> Int {
            var count = 0
            while cursor.position < cursor.bytes.count, cursor.bytes[cursor.position] &- 0x30 < 10 {
                cursor.position &+= 1
                count &+= 1
            }
            return count
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position &+= 1 }
        let intStart = position
        let intDigits = digits(&self)
        guard intDigits > 0 else { throw error("invalid number") }
        if intDigits > 1, bytes[intStart] == 0x30 { throw SyntaxError(offset: start, message: "invalid number: leading zero") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position &+= 1
            guard digits(&self) > 0 else { throw error("invalid number: digits expected after '.'") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position &+= 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position &+= 1
            }
            guard digits(&self) > 0 else { throw error("invalid number: digits expected in exponent") }
        }
        return start..<position
    }

    /// Reads a string's raw bytes between its quotes; `escaped` tells whether
    /// it holds backslash escapes (then ``decodeString(_:)`` must decode it).
    mutating func scanString() throws(SyntaxError) -> (span: Range<Int>, escaped: Bool) {
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = position
        var escaped = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let span = start..<position
                position &+= 1
                return (span, escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position &+= 2
                continue
            }
            if byte < 0x20 { throw error("control character in string") }
            position &+= 1
        }
        throw SyntaxError(offset: start &- 1, message: "unterminated string")
    }

    /// Reads a string and decodes its escapes.
    mutating func parseString() throws(SyntaxError) -> String {
        let (span, escaped) = try scanString()
        if !escaped { return String(decoding: UnsafeBufferPointer(rebasing: bytes[span]), as: UTF8.self) }
        return try decodeString(span)
    }

    /// Decodes the escapes of a string whose raw bytes are `span`.
    func decodeString(_ span: Range<Int>) throws(SyntaxError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(span.count)
        var index = span.lowerBound
        func fail(_ message: String) -> SyntaxError { SyntaxError(offset: index, message: message) }
        func hex4(_ at: Int) throws(SyntaxError) -> UInt32 {
            guard at + 4 <= span.upperBound else { throw fail("truncated \\u escape") }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = bytes[at + offset]
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: throw fail("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < span.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < span.upperBound else { throw fail("unterminated escape") }
            let code = bytes[index + 1]
            index += 2
            switch code {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(index)
                index += 4
                if scalar >= 0xD800 && scalar < 0xDC00,
                    index + 6 <= span.upperBound, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                {
                    let low = try hex4(index + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                // A lone surrogate cannot be encoded; it becomes U+FFFD as in lenient decoders.
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                output.append(contentsOf: Array(String(character).utf8))
            default:
                index -= 1
                throw fail("invalid escape '\\\(Character(Unicode.Scalar(code)))'")
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Skips any JSON value after checking its syntax; returns its byte span.
    mutating func skipValue(depth: Int = 0) throws(SyntaxError) -> Range<Int> {
        guard depth < 512 else { throw error("JSON nested too deeply") }
        guard let byte = peek() else { throw error("expected a value, found end of line") }
        let start = position
        switch byte {
        case UInt8(ascii: "{"):
            position &+= 1
            if consume(UInt8(ascii: "}")) { return start..<position }
            repeat {
                _ = try scanString()
                try expect(UInt8(ascii: ":"), "':'")
                _ = try skipValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"), "',' or '}'")
        case UInt8(ascii: "["):
            position &+= 1
            if consume(UInt8(ascii: "]")) { return start..<position }
            repeat { _ = try skipValue(depth: depth + 1) } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"), "',' or ']'")
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "-"), 0x30...0x39:
            return try skipNumber()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            throw error("expected a value, found \(describe(byte))")
        }
        return start..<position
    }

    private mutating func literal(_ word: StaticString) throws(SyntaxError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("invalid literal") }
        let pointer = word.utf8Start
        for offset in 0..<count where bytes[position + offset] != pointer[offset] {
            throw error("invalid literal")
        }
        position &+= count
    }

    /// Reads any JSON value into a ``JSONValue`` (headers and `end` objects).
    mutating func parseValue(depth: Int = 0) throws(SyntaxError) -> JSONValue {
        guard depth < 512 else { throw error("JSON nested too deeply") }
        guard let byte = peek() else { throw error("expected a value, found end of line") }
        switch byte {
        case UInt8(ascii: "{"):
            return .object(try parseObjectMembers(depth: depth))
        case UInt8(ascii: "["):
            position &+= 1
            var items: [JSONValue] = []
            if consume(UInt8(ascii: "]")) { return .array(items) }
            repeat { items.append(try parseValue(depth: depth + 1)) } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return .array(items)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), 0x30...0x39:
            let span = try skipNumber()
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[span]), as: UTF8.self))
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            throw error("expected a value, found \(describe(byte))")
        }
    }

    /// Reads an object's members in order.
    mutating func parseObjectMembers(depth: Int = 0) throws(SyntaxError) -> [(key: String, value: JSONValue)] {
        try expect(UInt8(ascii: "{"), "'{'")
        var members: [(key: String, value: JSONValue)] = []
        if consume(UInt8(ascii: "}")) { return members }
        repeat {
            let key = try parseString()
            try expect(UInt8(ascii: ":"), "':'")
            members.append((key, try parseValue(depth: depth + 1)))
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), "',' or '}'")
        return members
    }
}
