import DepTrace
@testable import DepTraceArchive
import Foundation
import Testing

/// Archives the FuzzArchive target (Fuzz/) stopped on, kept in
/// FuzzRegressions/FuzzArchive/ (they also seed the fuzzer).
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions/FuzzArchive")

    /// A 2 KB zip whose damaged entries make liblzma reserve a 3.7 GB
    /// dictionary (libFuzzer's limit on one allocation stopped here). The
    /// reservation is virtual: pages are touched only as data is decoded, which
    /// the archive limits bound, and the decoding fails at once. Each entry is
    /// named with libarchive's message; with `keepGoing` all three are reported
    /// and nothing is analysed.
    @Test func zipWithAHugeLZMADictionaryIsReportedEntryByEntry() {
        let path = Self.folder.appendingPathComponent("lzma-dictionary-3.7GB.zip").path
        var results: [ArchiveAnalyzer.EntryResult] = []
        ArchiveAnalyzer.analyze(path: path, options: AnalysisOptions(), keepGoing: true, workers: 1) { results.append($0) }
        let names = results.map(\.name)
        #expect(names == ["run/lightthinker.dtrace.jsonl", "run/vanilla.dtrace.jsonl", "run/h2o-two-heads.dtrace.jsonl"].map { "\(path):\($0)" })
        #expect(results.allSatisfy { $0.outcomes.isEmpty })
        #expect(results.allSatisfy { $0.diagnostics.contains { $0.severity == .error && $0.message.contains("read failed") } }, "\(results.map(\.diagnostics))")
    }

    /// The same with a 4 GiB dictionary, the most LZMA can ask for; a damaged
    /// entry header too. The damaged entry is reported, the intact one analysed.
    @Test func zipWithTheLargestLZMADictionaryIsReported() {
        let path = Self.folder.appendingPathComponent("lzma-dictionary-4GiB.zip").path
        var results: [ArchiveAnalyzer.EntryResult] = []
        ArchiveAnalyzer.analyze(path: path, options: AnalysisOptions(), keepGoing: false, workers: 1) { results.append($0) }
        #expect(results.first?.name == "\(path):run/lightthinker.dtrace.jsonl")
        #expect(results.first?.outcomes.map(\.status) == [.complete])
        #expect(results.contains { $0.name == "\(path):run/vanilla.dtrace.jsonl" && $0.diagnostics.contains { $0.message.contains("lzma data error") } },
                "\(results.map(\.diagnostics))")
    }

    /// A zip whose damaged entry inflates part way, then fails. libarchive's
    /// zip reader drops what it decoded in a call that fails, so what the
    /// entry gives before its error depends on the size of each read. Small
    /// entries were read into reused blocks, each read as large as the block:
    /// the result depended on which block came, and so on timing (one fuzz
    /// run in three). Reads now ask for the entry's stated size, whatever block.
    @Test func whatADamagedEntryGivesDoesNotDependOnTheBlockItIsReadInto() {
        let path = Self.folder.appendingPathComponent("zip-inflate-error-drops-a-read.zip").path
        /// Each entry's bytes read and error, read into a fresh block or a large reused one.
        func readEntries(reusedBlock: Int?) -> [String] {
            var results: [String] = []
            let pool = ByteBlockPool(limit: 1)
            let walker = ArchiveEntryWalker(path: path, limits: ArchiveLimits(), keepGoing: true) { _ in }
            walker.walk { entry in
                guard let size = entry.size else { return }
                if let reusedBlock { pool.give(ByteBlock(capacity: reusedBlock)) }
                let (_, count, failure) = ArchiveAnalyzer.readWhole(entry.source, expected: size, pool: pool)
                results.append("\(entry.name): \(count) bytes, \(failure.map { "\($0)" } ?? "no error")")
            }
            return results
        }
        let fresh = readEntries(reusedBlock: nil)
        #expect(fresh.contains { $0.contains("vanilla.dtrace.jsonl") && $0.contains("read") && !$0.contains(": 0 bytes") }, "\(fresh)")
        #expect(readEntries(reusedBlock: 1 << 20) == fresh)
    }
}
