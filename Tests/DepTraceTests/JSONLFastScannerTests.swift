@testable import DepTrace
import Testing

/// The fast scanner reads a line exactly as the full parser does, or leaves it to the parser.
@Suite struct JSONLFastScannerTests {
    private func scan(_ line: String) -> (JSONLFastScanner.Shape?, [Range<Int>]) {
        var ranges: [Range<Int>] = [7..<9]  // stale content must be cleared
        var bytes = Array(line.utf8)
        let shape = bytes.withUnsafeMutableBufferPointer { JSONLFastScanner.scan(UnsafeBufferPointer($0), ranges: &ranges) }
        return (shape, ranges)
    }

    /// The record the full parser reads from `line`, tokens dropped (the scanner checks them only).
    private func parsed(_ line: String) -> Record? {
        var bytes = Array(line.utf8)
        let result = bytes.withUnsafeMutableBufferPointer { try? JSONLLineParser().parse(UnsafeBufferPointer($0)) }
        guard case .record(let record)? = result else { return nil }
        if case .step(var step) = record {
            step.tokens = nil
            return .step(step)
        }
        return record
    }

    /// The record of a shape; a mark's text is not kept, so it is the parser's.
    private func record(_ shape: JSONLFastScanner.Shape, _ ranges: [Range<Int>], parsed: Record?) -> Record? {
        switch shape {
        case .mark:
            guard case .mark? = parsed else { return nil }
            return parsed
        case .step(let step): return .step(Step(step))
        case .evict(let stream): return .evict(ranges, stream: stream)
        case .add(let stream): return .add(ranges, stream: stream)
        case .hide(let stream): return .hide(ranges, stream: stream)
        case .show(let stream): return .show(ranges, stream: stream)
        }
    }

    @Test(arguments: [
        #"{"step":"decode","q":[812,1]}"#,
        #"{"step":"prefill","q":[0,160],"t":26536758}"#,
        #"{"step":"compress","q":[5,2],"t":-3}"#,
        #"{"step":"decode","q":[160,1],"t":54378508,"tok":[124270]}"#,
        #"{"step":"decode","q":[160,1],"tok":[1,-2,0,999999999999999999]}"#,
        #"{"step":"decode","q":[160,1],"tok":[]}"#,
        #"{"step":"decode","q":[0,0]}"#,
        #"{"step":"decode","q":[999999999999999999,1]}"#,
        #"{"evict":[[387,388]],"s":109}"#,
        #"{"evict":[[0,1],[1,2],[5,9007199254740992]]}"#,
        #"{"add":[[3,4]],"s":0}"#,
        #"{"hide":[[3,4],[10,20]]}"#,
        #"{"show":[[3,4]],"s":7}"#,
        #"{"mark":"x"}"#,
        #"{"mark":"thought 3 compressed"}"#,
        #"{"mark":" ~!#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}"}"#,
    ])
    func readsCommonShapesAsTheParser(line: String) throws {
        let (shape, ranges) = scan(line)
        let fast = try #require(shape, "not read: \(line)")
        let expected = try #require(parsed(line), "the parser refuses \(line)")
        #expect(record(fast, ranges, parsed: expected) == expected, "\(line)")
    }

    @Test(arguments: [
        "", "{}", "   ", #"{"step":"decode","q":[812,1]} "#, #" {"step":"decode","q":[812,1]}"#,
        #"{"step": "decode","q":[812,1]}"#, #"{"q":[812,1],"step":"decode"}"#, #"{"step":"decod","q":[812,1]}"#,
        #"{"step":"decode","q":[812,1],"kind":"gist"}"#, #"{"step":"decode","q":[-1,1]}"#,
        #"{"step":"decode","q":[01,1]}"#, #"{"step":"decode","q":[1.5,1]}"#, #"{"step":"decode","q":[1e3,1]}"#,
        #"{"step":"decode","q":[0.5,1]}"#, #"{"step":"decode","q":[1000000000000000000,1]}"#,
        #"{"step":"decode","q":[1,1],"t":1.0}"#, #"{"step":"decode","q":[1,1],"tok":[1,]}"#,
        #"{"step":"decode","q":[1,1],"tok":[1"#, #"{"step":"decode","q":[1,1]"#, #"{"step":"decode","q":[1,1]}}"#,
        #"{"step":"decode","q":[1,1],"t":5,"t":6}"#, #"{"step":"decode","q":[1,1],"tok":[1],"t":5}"#,
        #"{"evict":[]}"#, #"{"evict":[[5,5]]}"#, #"{"evict":[[6,5]]}"#, #"{"evict":[[0,4],[3,9]]}"#,
        #"{"evict":[[0,9007199254740993]]}"#, #"{"evict":[[0,1]],"s":-1}"#, #"{"evict":[[0,1]],"s":null}"#,
        #"{"evict":[[0,1]],"s":1,"t":2}"#, #"{"evict":[[0,1]]"#, #"{"evict":[[0,1],]}"#, #"{"snap":[[0,1]]}"#,
        #"{"mark":"a\"b"}"#, #"{"mark":"a\\b"}"#, #"{"mark":"\u0041"}"#, #"{"mark":"é"}"#, "{\"mark\":\"a\tb\"}",
        "{\"mark\":\"a\u{7F}\"}", #"{"mark":"x","s":1}"#, #"{"mark":5}"#, #"{"mark":"x"#, #"{"mark":"x"} "#, #"{"mark":"x"}}"#,
        #"{"mark": "x"}"#, #"{"mark":"unclosed}"#, #"{"mark":"x}"#, #"{"end":null}"#, #"{"deptrace":1}"#, "{\"evict\":[[0,1]]}\r",
        #"{"evict":[[0,1]],"s":01}"#, #"{"step":"decode","q":[1,00]}"#,
    ])
    func leavesEverythingElseToTheParser(line: String) {
        #expect(scan(line).0 == nil, "\(line)")
    }

    @Test func digitsEightAtATime() {
        // Every length from 1 to 18 digits, at every alignment, followed by each kind of terminator.
        let digits = Array("918273645546372819".utf8)
        for length in 1...18 {
            for terminator in [UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: "]"), 0x2F, 0x3A, 0xFF] {
                for padding in 0..<3 {
                    let bytes = [UInt8](repeating: 0x20, count: padding) + Array(digits[0..<length]) + [terminator]
                    bytes.withUnsafeBufferPointer { buffer in
                        let start = buffer.baseAddress! + padding
                        let count = JSONLFastScanner.digitCount(at: start, available: buffer.count - padding)
                        #expect(count == length)
                        #expect(JSONLFastScanner.value(of: start, digits: count) == Int(String(decoding: digits[0..<length], as: UTF8.self)))
                    }
                }
            }
        }
        // Digits up to the end of the buffer.
        let all = Array("12345678901".utf8)
        all.withUnsafeBufferPointer { #expect(JSONLFastScanner.digitCount(at: $0.baseAddress!, available: $0.count) == 11) }
        #expect(JSONLFastScanner.eightDigits(Array("00000000".utf8)) == 0)
        #expect(JSONLFastScanner.eightDigits(Array("99999999".utf8)) == 99_999_999)
        #expect(JSONLFastScanner.eightDigits(Array("10000001".utf8)) == 10_000_001)
    }

    @Test func integerLimits() {
        // 18 digits are read; 19 go to the parser, which checks 64-bit overflow itself.
        let eighteen = #"{"step":"decode","q":[123456789012345678,1],"t":-999999999999999999}"#
        guard case .step(let step)? = scan(eighteen).0 else {
            Issue.record("18 digits not read")
            return
        }
        #expect(step.first == 123_456_789_012_345_678)
        #expect(step.time == -999_999_999_999_999_999)
        #expect(scan(#"{"step":"decode","q":[1234567890123456789,1]}"#).0 == nil)
        #expect(scan(#"{"step":"decode","q":[1,1],"tok":[1234567890123456789]}"#).0 == nil)
        #expect(scan(#"{"step":"decode","q":[1,1],"tok":[-0,0,-01]}"#).0 == nil)
        #expect(scan(#"{"step":"decode","q":[1,1],"tok":[-0,0,10]}"#).0 != nil)
    }

    @Test func clearsTheRangeListFirst() {
        let (shape, ranges) = scan(#"{"evict":[[1,2]]}"#)
        #expect(shape != nil)
        #expect(ranges == [1..<2])
    }
}
