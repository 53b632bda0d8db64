@testable import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

/// The JSONL splitter finds header lines by a vectorised pattern search, and
/// cuts at the header nearest each even cut point, behind it or ahead.
@Suite struct HeaderLineSearchTests {
    /// Every offset below `limit` where `\n{"deptrace"` starts, one offset at a time.
    private func naive(_ bytes: [UInt8], below limit: Int) -> [Int] {
        let pattern = Array("\n{\"deptrace\"".utf8)
        guard bytes.count >= pattern.count else { return [] }
        return (0...(bytes.count - pattern.count)).filter { $0 < limit && Array(bytes[$0..<($0 + pattern.count)]) == pattern }
    }

    @Test(arguments: 0..<40)
    func findsWhatAByteByByteSearchFinds(seed: Int) {
        var random = SeededRandom(seed: UInt64(91_000 + seed))
        // Pieces of the pattern and near-misses, so that partial matches abound at every alignment.
        let pieces = ["\n{\"deptrace\"", "\n{\"d", "\n{\"deptrac", "\n{\"step\"", "d", "\n", "{\"deptrace\"", "xyz", "\n\n{\"deptrace\"\"", "\n{\"dEptrace\""]
        var bytes: [UInt8] = []
        let length = random.uniform(0...400)
        while bytes.count < length {
            bytes += Array(pieces[random.index(below: pieces.count)].utf8)
        }
        for limit in [0, 1, bytes.count / 2, bytes.count - 12, bytes.count, bytes.count + 5] {
            let found = bytes.withUnsafeBytes { InputSplitter.headerLineStarts(in: $0, below: limit) }
            #expect(found == naive(bytes, below: limit), "seed \(seed), limit \(limit), \(bytes.count) bytes")
        }
    }

    @Test func findsThePatternAtTheVeryEndAndAcrossEveryAlignment() {
        let pattern = Array("\n{\"deptrace\"".utf8)
        for position in 0..<80 {
            let bytes = [UInt8](repeating: UInt8(ascii: "d"), count: position) + pattern
            let found = bytes.withUnsafeBytes { InputSplitter.headerLineStarts(in: $0, below: bytes.count) }
            #expect(found == [position])
            let cut = bytes.withUnsafeBytes { InputSplitter.headerLineStarts(in: UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
            #expect(cut.isEmpty)
        }
    }

    /// Four equal traces and blank lines at the end, or at the start: every
    /// even cut point lies just past a header (found behind it) or just before
    /// one (found ahead). A search ahead only finds the next header a whole
    /// trace later in the first case, or none within reach, as with the four
    /// 16 MB traces of the benchmark's H2O file.
    @Test(arguments: [false, true])
    func equalTracesAreCutAtTheirOwnHeaders(blanksFirst: Bool) throws {
        var generator = RandomTraceGenerator(seed: 92_000)
        let trace = generator.trace(sample: "x", maxSteps: 400).jsonl
        let blanks = String(repeating: "\n", count: 40)
        let text = blanksFirst ? blanks + String(repeating: trace, count: 4) : String(repeating: trace, count: 4) + blanks
        let bytes = Array(text.utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-equal-\(UUID().uuidString).dtrace.jsonl").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let pieces = try #require(InputSplitter.pieces(of: path, count: 4, minimumPiece: bytes.count / 8))
        let length = trace.utf8.count
        let first = blanksFirst ? 40 : 0
        #expect(pieces.map(\.lowerBound) == [0, first + length, first + 2 * length, first + 3 * length])
    }
}

@Suite struct SplitterEdgeTests {
    /// With no minimum piece size, cuts still go forward: no piece is empty
    /// and no cut is made twice (the search behind a point once found the cut before it).
    @Test func aZeroMinimumPieceGivesNoEmptyPiece() throws {
        var generator = RandomTraceGenerator(seed: 93_000)
        let text = (0..<6).map { generator.trace(sample: "s\($0)", maxSteps: 20).jsonl }.joined()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-zero-\(UUID().uuidString).dtrace.jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        for count in 2...8 {
            guard let pieces = InputSplitter.pieces(of: path, count: count, minimumPiece: 0) else { continue }
            #expect(pieces.allSatisfy { !$0.isEmpty }, "\(count): \(pieces)")
            #expect(pieces.first?.lowerBound == 0 && pieces.last?.upperBound == text.utf8.count)
        }
    }
}

extension InputSplitter {
    /// The search over a whole buffer.
    fileprivate static func headerLineStarts(in bytes: UnsafeRawBufferPointer) -> [Int] {
        headerLineStarts(in: bytes, below: bytes.count)
    }
}
