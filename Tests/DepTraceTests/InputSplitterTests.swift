import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

/// A large file cut into pieces read on several cores gives exactly what the
/// file read whole gives: the same traces, metrics, diagnostics and locations.
@Suite struct InputSplitterTests {
    /// Writes `bytes` to a fresh temporary file and returns its path.
    private func temporaryFile(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("deptrace-splitter-\(getpid())-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The input read by one worker (whole) and by many (in pieces of at least `minimumPiece` bytes).
    private func readBothWays(_ path: String, minimumPiece: Int, options: AnalysisOptions = AnalysisOptions())
        -> (whole: ParallelInputAnalyzer.InputResult, pieces: ParallelInputAnalyzer.InputResult)
    {
        let input = TraceInput(location: .file(path))
        var whole: [ParallelInputAnalyzer.InputResult] = []
        ParallelInputAnalyzer.analyze([input], options: options, workers: 1) { whole.append($0) }
        var pieces: [ParallelInputAnalyzer.InputResult] = []
        ParallelInputAnalyzer.analyze([input], options: options, workers: 4, minimumPiece: minimumPiece) { pieces.append($0) }
        return (whole[0], Self.joined(pieces)[0])
    }

    /// Results delivered in parts put back together: one per input, parts in order.
    static func joined(_ parts: [ParallelInputAnalyzer.InputResult]) -> [ParallelInputAnalyzer.InputResult] {
        var results: [ParallelInputAnalyzer.InputResult] = []
        var open: ParallelInputAnalyzer.InputResult?
        for part in parts {
            if var current = open {
                current.outcomes += part.outcomes
                current.diagnostics += part.diagnostics
                current.summary.add(part.summary)
                current.isLastPart = part.isLastPart
                open = current
            } else {
                open = part
            }
            if part.isLastPart, let done = open {
                results.append(done)
                open = nil
            }
        }
        return results
    }

    private func expectSame(_ a: ParallelInputAnalyzer.InputResult, _ b: ParallelInputAnalyzer.InputResult) {
        expectSameReading((a.summary, a.diagnostics, a.outcomes), (b.summary, b.diagnostics, b.outcomes))
    }

    @Test(arguments: 0..<12)
    func jsonlPiecesReadAsTheWholeFile(seed: Int) throws {
        let bytes = damagedJSONL(seed: UInt64(70_000 + seed))
        let path = try temporaryFile(bytes, "jsonl-\(seed).dtrace.jsonl")
        defer { unlink(path) }
        let minimumPiece = bytes.count / 10
        let pieces = try #require(InputSplitter.pieces(of: path, count: 8, minimumPiece: minimumPiece))
        #expect(pieces.count > 2)
        #expect(pieces.first?.lowerBound == 0 && pieces.last?.upperBound == bytes.count)
        for (before, after) in zip(pieces, pieces.dropFirst()) {
            #expect(before.upperBound == after.lowerBound)
            #expect(bytes[after.lowerBound...].starts(with: Array(#"{"deptrace""#.utf8)))
        }
        let (whole, cut) = readBothWays(path, minimumPiece: minimumPiece)
        #expect(whole.outcomes.count > 40)
        #expect(!whole.diagnostics.isEmpty)
        expectSame(whole, cut)
    }

    @Test(arguments: 0..<12)
    func binaryPiecesReadAsTheWholeFile(seed: Int) throws {
        var bytes = try randomBinaryTraces(seed: UInt64(71_000 + seed), count: 60)
        // Damage three quarters in: pieces end before it; the rest is read as the whole file reads it.
        if seed % 2 == 1 { bytes[bytes.count * 3 / 4] ^= 0x5A }
        let path = try temporaryFile(bytes, "binary-\(seed).dtrace")
        defer { unlink(path) }
        let minimumPiece = bytes.count / 10
        let pieces = try #require(InputSplitter.pieces(of: path, count: 8, minimumPiece: minimumPiece))
        #expect(pieces.count > 1)
        for piece in pieces.dropFirst() {
            #expect(bytes[piece.lowerBound...].starts(with: BinaryLayout.magic))
            if seed % 2 == 1 { #expect(piece.lowerBound <= bytes.count * 3 / 4) }
        }
        let (whole, cut) = readBothWays(path, minimumPiece: minimumPiece)
        #expect(whole.outcomes.count == 60 || seed % 2 == 1)
        expectSame(whole, cut)
    }

    /// A line beyond the length limit stops the reading of the file: later pieces are dropped.
    @Test func aTooLongLineEndsTheFileInPiecesToo() throws {
        var bytes = damagedJSONL(seed: 72_000)
        let middle = bytes.count / 2
        let lineStart = (bytes[..<middle].lastIndex(of: 0x0A) ?? 0) + 1
        bytes.insert(contentsOf: Array(("{\"mark\":\"" + String(repeating: "x", count: 3000) + "\"}\n").utf8), at: lineStart)
        let path = try temporaryFile(bytes, "long-line.dtrace.jsonl")
        defer { unlink(path) }
        let options = AnalysisOptions(limits: ResourceLimits(maxLineLength: 2000))
        let (whole, cut) = readBothWays(path, minimumPiece: bytes.count / 10, options: options)
        #expect(whole.diagnostics.contains { $0.message.contains("line longer than 2000 bytes") })
        expectSame(whole, cut)
    }

    /// One long trace has no header to cut at: the file is read whole.
    @Test func filesAreCutIntoAMultipleOfTheThreadsWhenTheyCanBe() {
        let mib = 1 << 20
        // 14.5 MiB holds three 4 MiB pieces: two cores get two, not three (the third would run alone).
        #expect(ParallelInputAnalyzer.pieceCount(size: 29 * mib / 2, threads: 2, minimumPiece: 4 * mib) == 2)
        #expect(ParallelInputAnalyzer.pieceCount(size: 64 * mib, threads: 2, minimumPiece: 4 * mib) == 4)
        #expect(ParallelInputAnalyzer.pieceCount(size: 20 * mib, threads: 8, minimumPiece: 4 * mib) == 5)
        #expect(ParallelInputAnalyzer.pieceCount(size: 40 * mib, threads: 8, minimumPiece: 4 * mib) == 8)
        #expect(ParallelInputAnalyzer.pieceCount(size: 7 * mib, threads: 2, minimumPiece: 4 * mib) == 1)
        #expect(ParallelInputAnalyzer.pieceCount(size: 100, threads: 2, minimumPiece: 0) == 4)
    }

    @Test func oneLongTraceIsNotCut() throws {
        var generator = RandomTraceGenerator(seed: 73_000)
        let trace = generator.trace(sample: "long", maxSteps: 3000)
        let bytes = Array(trace.jsonl.utf8)
        let path = try temporaryFile(bytes, "one.dtrace.jsonl")
        defer { unlink(path) }
        #expect(InputSplitter.pieces(of: path, count: 8, minimumPiece: bytes.count / 10) == nil)
        let binary = try encode([trace], as: .binary)
        let binaryPath = try temporaryFile(binary, "one.dtrace")
        defer { unlink(binaryPath) }
        #expect(InputSplitter.pieces(of: binaryPath, count: 8, minimumPiece: binary.count / 10) == nil)
    }

    /// A file of many tiny traces comes in parts of about a megabyte each, never held
    /// whole: memory follows the pieces in flight, not the file's size.
    @Test func aLargeFileIsDeliveredInParts() throws {
        let trace = "{\"deptrace\":1,\"method\":\"m\"}\n{\"step\":\"prefill\",\"q\":[0,2]}\n{\"end\":{}}\n"
        let bytes = Array(String(repeating: trace, count: 6 * (1 << 20) / trace.utf8.count).utf8)
        let path = try temporaryFile(bytes, "tiny-traces.dtrace.jsonl")
        defer { unlink(path) }
        let input = TraceInput(location: .file(path))
        var whole: [ParallelInputAnalyzer.InputResult] = []
        ParallelInputAnalyzer.analyze([input], options: AnalysisOptions(), workers: 1) { whole.append($0) }
        var parts: [ParallelInputAnalyzer.InputResult] = []
        ParallelInputAnalyzer.analyze([input], options: AnalysisOptions(), workers: 2) { parts.append($0) }
        #expect(parts.count >= 5, "a 6 MiB file in parts of about 1 MiB")
        #expect(parts.dropLast().allSatisfy { !$0.isLastPart } && parts.last?.isLastPart == true)
        #expect(parts.map(\.outcomes.count).max() ?? 0 < 2 * (1 << 20) / trace.utf8.count)
        expectSame(whole[0], Self.joined(parts)[0])
    }

    /// Several files, some cut and some not, come back whole and in input order.
    @Test func mixedInputsKeepTheirOrder() throws {
        var paths: [String] = []
        defer { for path in paths { unlink(path) } }
        for seed in 0..<5 {
            let bytes = damagedJSONL(seed: UInt64(74_000 + seed))
            paths.append(try temporaryFile(seed % 2 == 0 ? bytes : Array(bytes.prefix(300)), "mixed-\(seed).dtrace.jsonl"))
        }
        let inputs = paths.map { TraceInput(location: .file($0)) }
        var whole: [ParallelInputAnalyzer.InputResult] = []
        ParallelInputAnalyzer.analyze(inputs, options: AnalysisOptions(), workers: 1) { whole.append($0) }
        var cut: [ParallelInputAnalyzer.InputResult] = []
        ParallelInputAnalyzer.analyze(inputs, options: AnalysisOptions(), workers: 3, minimumPiece: 2000) { cut.append($0) }
        cut = Self.joined(cut)
        #expect(cut.map(\.input) == inputs)
        for (a, b) in zip(whole, cut) { expectSame(a, b) }
    }
}

/// Random traces with damage of every kind the JSONL reader recovers from, between and inside traces.
func damagedJSONL(seed: UInt64) -> [UInt8] {
    var generator = RandomTraceGenerator(seed: seed)
    var text = ""
    for index in 0..<60 {
        var trace = generator.trace(sample: "s\(index)", maxSteps: 30)
        switch Int.random(in: 0..<12, using: &generator.random) {
        case 0: text += "not json at all\n"  // damage before a header
        case 1: text += "{\"step\":\"decode\",\"q\":[0,1]}\n"  // a record before any header
        case 2: trace.records.removeLast(Swift.min(2, trace.records.count))  // no end: incomplete
        case 3: text += "\n\n"
        default: break
        }
        var lines = trace.jsonl.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch Int.random(in: 0..<10, using: &generator.random) {
        case 0 where lines.count > 3: lines[2] = String(lines[2].dropLast(3))  // a torn line
        case 1 where lines.count > 3: lines[2] = "{\"evict\":[[999999,1000000]]}"  // a rule violation
        case 2: lines[0] = lines[0].replacingOccurrences(of: "\"deptrace\":1", with: "\"deptrace\":9")  // unsupported version
        case 3: lines[0] = lines[0].replacingOccurrences(of: "\"deptrace\":1,", with: "\"deptrace\":1,\"layers\":0,")  // a bad header
        case 4 where lines.count > 3: lines.insert("{\"mystery\":1}", at: 2)  // an unknown record
        default: break
        }
        text += lines.joined(separator: "\n")
    }
    return Array(text.utf8)
}

/// Two readings of one input agree in counts, diagnostics and every trace's place, status and metrics.
func expectSameReading(
    _ a: (summary: InputAnalyzer.Summary, diagnostics: [Diagnostic], outcomes: [TraceOutcome]),
    _ b: (summary: InputAnalyzer.Summary, diagnostics: [Diagnostic], outcomes: [TraceOutcome])
) {
    #expect(a.summary == b.summary)
    #expect(a.diagnostics == b.diagnostics)
    #expect(a.outcomes.count == b.outcomes.count)
    for (x, y) in zip(a.outcomes, b.outcomes) {
        #expect(x.index == y.index)
        #expect(x.headerLine == y.headerLine)
        #expect(x.headerOffset == y.headerOffset)
        #expect(x.header == y.header)
        #expect(x.status == y.status)
        #expect(x.metrics == y.metrics)
    }
}

/// `count` random traces in the binary encoding, in chunks of a random size.
func randomBinaryTraces(seed: UInt64, count: Int) throws -> [UInt8] {
    var generator = RandomTraceGenerator(seed: seed)
    let traces = (0..<count).map { generator.trace(sample: "b\($0)", maxSteps: 30) }
    return try encode(traces, as: .binary, flushThreshold: Int.random(in: 16...400, using: &generator.random))
}
