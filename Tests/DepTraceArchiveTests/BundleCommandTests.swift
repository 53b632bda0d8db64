@testable import DepTraceArchive
import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

// `deptrace bundle`, ARCHIVE:ENTRY references, and the commands that follow
// one trace (timeline, chart, convert) reading archives in place.

/// Simulates a trace file of several MiB (more than the read-ahead threshold) in `directory`.
func writeLargeTrace(_ name: String, in directory: URL) throws {
    let made = try runDepTrace(
        ["simulate", "h2o", "--samples", "3", "--prompt", "200", "--output", "4000", "--layers", "2", "--heads", "4", "--seed", "7", "--out", name],
        currentDirectory: directory)
    #expect(made.status == 0, "\(made.stderr)")
}

@Suite struct BundleCommandTests {
    @Test(arguments: ["tar", "tar.gz", "tgz", "tar.zst", "tar.xz", "tar.bz2", "zip"])
    func bundleCommandMakesABundleWithTheStatsOfTheLooseFiles(kind: String) throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            let expected = try groupedStats(["runs"], in: directory)
            let made = try runDepTrace(["bundle", "out.\(kind)", "runs"], currentDirectory: directory)
            #expect(made.status == 0, "\(made.stderr)")
            let ours = try groupedStats(["out.\(kind)"], in: directory)
            #expect(ours.result.status == 0, "\(ours.result.stderr)")
            #expect(ours.rows == expected.rows)
            #expect(try ArchiveAnalyzer.traceEntries(path: directory.appendingPathComponent("out.\(kind)").path).names == entries)
            // The same traces make the same bytes.
            let again = try runDepTrace(["bundle", "again.\(kind)", "runs"], currentDirectory: directory)
            #expect(again.status == 0)
            #expect(try Data(contentsOf: directory.appendingPathComponent("out.\(kind)")) == Data(contentsOf: directory.appendingPathComponent("again.\(kind)")))
        }
    }

    @Test func bundleRefusesWhatItCannotStoreAndNeverOverwritesSilently() throws {
        try withTemporaryDirectory { directory in
            _ = try copySamples(to: directory)
            try Data("not a trace".utf8).write(to: directory.appendingPathComponent("notes.txt"))
            let unknown = try runDepTrace(["bundle", "out.rar", "runs"], currentDirectory: directory)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains(".tar.zst"))
            let notTrace = try runDepTrace(["bundle", "out.tar", "notes.txt"], currentDirectory: directory)
            #expect(notTrace.status == 1)
            #expect(notTrace.stderr.contains("notes.txt: not a trace file"), "\(notTrace.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out.tar").path))
            let missing = try runDepTrace(["bundle", "out.tar", "runs", "nowhere"], currentDirectory: directory)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("nowhere: no such file or directory"))
            #expect(try runDepTrace(["bundle", "out.tar", "runs"], currentDirectory: directory).status == 0)
            let exists = try runDepTrace(["bundle", "out.tar", "runs"], currentDirectory: directory)
            #expect(exists.status == 1)
            #expect(exists.stderr.contains("--force"))
            #expect(try runDepTrace(["bundle", "--force", "out.tar", "runs"], currentDirectory: directory).status == 0)
            let single = try runDepTrace(["bundle", "one.zst", "runs"], currentDirectory: directory)
            #expect(single.status == 1)
            #expect(single.stderr.contains("a single compressed file holds one trace file"), "\(single.stderr)")
        }
    }

    @Test func entryNamesAreThePathsGivenWithoutLeadingSlashesOrDots() {
        #expect(BundleEntry.entryName("./runs/a.dtrace") == "runs/a.dtrace")
        #expect(BundleEntry.entryName("/tmp/x/a.dtrace") == "tmp/x/a.dtrace")
        #expect(BundleEntry.entryName("../up/a.dtrace") == "a.dtrace")
        #expect(BundleEntry.entryName("runs//a.dtrace") == "runs/a.dtrace")
    }
}

@Suite struct ArchiveEntryReferenceTests {
    @Test func timelineOfAnEntryEqualsTimelineOfTheLooseFile() throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            #expect(try runDepTrace(["bundle", "b.tar.zst", "runs"], currentDirectory: directory).status == 0)
            for entry in entries {
                let loose = try runDepTrace(["timeline", entry, "--trace", "1"], currentDirectory: directory)
                let inside = try runDepTrace(["timeline", "b.tar.zst:\(entry)", "--trace", "1"], currentDirectory: directory)
                #expect(inside.status == loose.status)
                #expect(inside.stdout == loose.stdout)
                #expect(!inside.stdout.isEmpty)
            }
            let whole = try runDepTrace(["timeline", "b.tar.zst"], currentDirectory: directory)
            #expect(whole.status == 1)
            #expect(whole.stderr.contains("holds \(entries.count)"), "\(whole.stderr)")
            #expect(whole.stderr.contains("ARCHIVE:ENTRY"))
            let wrong = try runDepTrace(["timeline", "b.tar.zst:runs/none.dtrace"], currentDirectory: directory)
            #expect(wrong.status == 1)
            #expect(wrong.stderr.contains("no trace entry named runs/none.dtrace"), "\(wrong.stderr)")
        }
    }

    @Test func statsAndChartsTakeEntries() throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            #expect(try runDepTrace(["bundle", "b.zip", "runs"], currentDirectory: directory).status == 0)
            let entry = try #require(entries.first { $0.hasSuffix("lightthinker.dtrace.jsonl") })
            let stats = try runDepTrace(["stats", "--format", "csv", "--columns", "file,trace,dep,peak", "b.zip:\(entry)"], currentDirectory: directory)
            let loose = try runDepTrace(["stats", "--format", "csv", "--columns", "file,trace,dep,peak", entry], currentDirectory: directory)
            #expect(stats.status == 0, "\(stats.stderr)")
            #expect(stats.stdout == loose.stdout.replacingOccurrences(of: "\n\(entry),", with: "\nb.zip:\(entry),"))
            for kind in ["timeline", "mask"] {
                let chart = try runDepTrace(["chart", kind, "b.zip:\(entry)", "-o", "\(kind).svg", "--csv", "\(kind)-archive.csv"], currentDirectory: directory)
                #expect(chart.status == 0, "\(chart.stderr)")
                #expect(try runDepTrace(["chart", kind, entry, "-o", "\(kind)-loose.svg", "--csv", "\(kind)-loose.csv"], currentDirectory: directory).status == 0)
                let archiveCSV = try String(contentsOf: directory.appendingPathComponent("\(kind)-archive.csv"), encoding: .utf8)
                let looseCSV = try String(contentsOf: directory.appendingPathComponent("\(kind)-loose.csv"), encoding: .utf8)
                #expect(archiveCSV.replacingOccurrences(of: "b.zip:", with: "") == looseCSV)
            }
        }
    }

    @Test func timelineChartOfABundleEqualsTheChartOfItsFolder() throws {
        try withTemporaryDirectory { directory in
            _ = try copySamples(to: directory)
            #expect(try runDepTrace(["bundle", "b.tar.zst", "runs"], currentDirectory: directory).status == 0)
            let bundle = try runDepTrace(["chart", "timeline", "b.tar.zst", "-o", "bundle.svg", "--csv", "bundle.csv"], currentDirectory: directory)
            let folder = try runDepTrace(["chart", "timeline", "runs", "-o", "folder.svg", "--csv", "folder.csv"], currentDirectory: directory)
            #expect(bundle.status == 0, "\(bundle.stderr)")
            #expect(folder.status == 0, "\(folder.stderr)")
            let bundleCSV = try String(contentsOf: directory.appendingPathComponent("bundle.csv"), encoding: .utf8)
            let folderCSV = try String(contentsOf: directory.appendingPathComponent("folder.csv"), encoding: .utf8)
            #expect(!bundleCSV.isEmpty && bundleCSV == folderCSV)
        }
    }

    @Test func convertReadsArchivesInPlace() throws {
        try withTemporaryDirectory { directory in
            _ = try copySamples(to: directory)
            #expect(try runDepTrace(["bundle", "b.tar.xz", "runs"], currentDirectory: directory).status == 0)
            for output in ["all.dtrace", "all.dtrace.jsonl"] {
                let converted = try runDepTrace(["convert", "b.tar.xz", "-o", output], currentDirectory: directory)
                #expect(converted.status == 0, "\(converted.stderr)")
                #expect(try groupedStats([output], in: directory).rows == groupedStats(["runs"], in: directory).rows)
            }
        }
    }

    @Test func entryReferencesNeedAnExistingArchive() throws {
        try withTemporaryDirectory { directory in
            _ = try copySamples(to: directory)
            #expect(try runDepTrace(["bundle", "b.tar", "runs"], currentDirectory: directory).status == 0)
            #expect(ArchiveTraceSource.entryReference(directory.appendingPathComponent("b.tar").path + ":runs/x.dtrace")?.entry == "runs/x.dtrace")
            #expect(ArchiveTraceSource.entryReference(directory.appendingPathComponent("b.tar").path) == nil)
            #expect(ArchiveTraceSource.entryReference(directory.appendingPathComponent("runs").path + ":x.dtrace") == nil)
            #expect(ArchiveTraceSource.entryReference(directory.appendingPathComponent("missing.tar").path + ":x.dtrace") == nil)
        }
    }
}

@Suite struct LargeEntryTests {
    @Test(arguments: ["tar.zst", "zip", "dtrace.jsonl.zst", "dtrace.jsonl.gz"])
    func largeEntriesReadAheadGiveTheStatsOfTheLooseFile(kind: String) throws {
        try withTemporaryDirectory { directory in
            try writeLargeTrace("large.dtrace.jsonl", in: directory)
            let size = try #require(FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("large.dtrace.jsonl").path)[.size] as? Int)
            #expect(Int64(size) > ArchiveAnalyzer.bufferedEntryLimit / 4)
            #expect(Int64(size) > ArchiveAnalyzer.readAheadThreshold)
            let expected = try groupedStats(["large.dtrace.jsonl"], in: directory)
            let name = kind.hasPrefix("dtrace") ? "large.\(kind)" : "bundle.\(kind)"
            #expect(try runDepTrace(["bundle", name, "large.dtrace.jsonl"], currentDirectory: directory).status == 0)
            let ours = try groupedStats([name], in: directory)
            #expect(ours.result.status == 0, "\(ours.result.stderr)")
            #expect(ours.rows == expected.rows)
        }
    }

    @Test func truncatedLargeCompressedTraceKeepsEveryTraceBeforeTheDamage() throws {
        try withTemporaryDirectory { directory in
            try writeLargeTrace("large.dtrace.jsonl", in: directory)
            #expect(try runDepTrace(["bundle", "large.dtrace.jsonl.zst", "large.dtrace.jsonl"], currentDirectory: directory).status == 0)
            let path = directory.appendingPathComponent("large.dtrace.jsonl.zst")
            let data = try Data(contentsOf: path)
            try data.prefix(data.count * 8 / 10).write(to: path)
            let columns = ["stats", "--format", "csv", "--columns", "trace,dep,peak,complete"]
            let loose = try runDepTrace(columns + ["large.dtrace.jsonl"], currentDirectory: directory)
            let cut = try runDepTrace(columns + ["large.dtrace.jsonl.zst"], currentDirectory: directory)
            #expect(cut.status == 1)
            #expect(cut.stderr.contains("large.dtrace.jsonl.zst"), "\(cut.stderr)")
            let looseRows = Array(loose.stdout.split(separator: "\n").dropFirst())
            let cutRows = Array(cut.stdout.split(separator: "\n").dropFirst())
            // The first trace ends well before the cut: read whole. Every complete
            // trace equals the loose file's; the one cut short says so.
            #expect(cutRows.count >= 1 && cutRows.count <= looseRows.count)
            let complete = cutRows.filter { $0.hasSuffix(",true") }
            #expect(!complete.isEmpty)
            #expect(complete == Array(looseRows.prefix(complete.count)))
            #expect(cutRows.count == complete.count || cutRows.last?.hasSuffix(",false") == true, "\(cutRows)")
        }
    }
}

@Suite struct ReadAheadSourceTests {
    /// Bytes 0, 1, 2, ... (mod 251), handed out in reads of at most `step`; then perhaps an error.
    final class Counting: ByteSource {
        let total: Int
        let step: Int
        let failure: InputError?
        var position = 0
        init(total: Int, step: Int, failure: InputError? = nil) {
            self.total = total
            self.step = step
            self.failure = failure
        }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            let count = Swift.min(buffer.count, step, total - position)
            if count == 0 {
                if let failure { throw failure }
                return 0
            }
            for index in 0..<count { buffer[index] = UInt8((position + index) % 251) }
            position += count
            return count
        }
    }

    func drain(_ source: ByteSource, readSize: Int) -> (bytes: [UInt8], error: InputError?) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: readSize)
        while true {
            do {
                let read = try buffer.withUnsafeMutableBytes { pointer throws(InputError) in try source.read(into: pointer) }
                if read == 0 { return (bytes, nil) }
                bytes += buffer[0..<read]
            } catch let error as InputError {
                return (bytes, error)
            } catch {
                return (bytes, nil)
            }
        }
    }

    @Test(arguments: [(0, 1, 7), (1, 1, 1), (100_000, 4096, 333), (3 << 20, 70_000, 65_536), (1 << 20, 1 << 20, 1 << 20)])
    func deliversEveryByteInOrder(total: Int, step: Int, readSize: Int) {
        let ahead = ReadAheadSource(Counting(total: total, step: step), blockSize: 64 << 10, buffers: 3)
        let (bytes, error) = drain(ahead, readSize: readSize)
        ahead.finish()
        #expect(error == nil)
        #expect(bytes.count == total)
        #expect(bytes.enumerated().allSatisfy { $0.element == UInt8($0.offset % 251) })
    }

    @Test func deliversEveryByteBeforeTheUpstreamError() {
        let failure = InputError.readFailed("x.zst", "truncated")
        let ahead = ReadAheadSource(Counting(total: 200_001, step: 5000, failure: failure), blockSize: 4096, buffers: 2)
        let (bytes, error) = drain(ahead, readSize: 1000)
        ahead.finish()
        #expect(bytes.count == 200_001)
        #expect(error == failure)
        // The error stays: reading again throws it again.
        #expect(drain(ahead, readSize: 10).error == failure)
    }

    @Test func finishStopsAnEndlessUpstreamWhenTheReaderStopsEarly() throws {
        let ahead = ReadAheadSource(Counting(total: Int.max, step: 1 << 16), blockSize: 1 << 16, buffers: 2)
        var buffer = [UInt8](repeating: 0, count: 10)
        let read = try buffer.withUnsafeMutableBytes { pointer throws(InputError) in try ahead.read(into: pointer) }
        #expect(read == 10)
        ahead.finish()
        ahead.finish()
    }
}
