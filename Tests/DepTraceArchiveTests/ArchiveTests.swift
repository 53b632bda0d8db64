import DepTrace
import DepTraceArchive
import Foundation
import Testing
import _DepTraceTestSupport

#if canImport(Glibc)
import Glibc
#endif

// These tests build archives in a temporary folder, through TraceBundleWriter
// and the system tar/zip where present, and run the built `deptrace` on them.

let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The sample traces (JSON Lines and binary), relative to the repository root, sorted.
let sampleTraces: [String] = {
    let manager = FileManager.default
    let loose = (try? manager.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("Traces").path)) ?? []
    let simulated = (try? manager.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("Traces/simulated").path)) ?? []
    return (loose.filter { $0.hasSuffix(".dtrace.jsonl") }.map { "Traces/\($0)" } + simulated.filter { $0.hasSuffix(".dtrace") }.map { "Traces/simulated/\($0)" }).sorted()
}()

func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-archive-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Copies the sample traces into `directory/runs/`, returning their names there.
func copySamples(to directory: URL) throws -> [String] {
    let runs = directory.appendingPathComponent("runs")
    try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
    var names: [String] = []
    for trace in sampleTraces {
        let name = "runs/" + (trace as NSString).lastPathComponent
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent(trace), to: directory.appendingPathComponent(name))
        names.append(name)
    }
    return names.sorted()
}

func writeBundle(_ path: URL, entries: [String], in directory: URL) throws {
    let writer = try TraceBundleWriter(path: path.path)
    for entry in entries { try writer.add(entry, contentsOf: directory.appendingPathComponent(entry).path) }
    try writer.close()
}

/// `stats --group-by method --format csv`, its rows sorted (entry order in a system-made archive is the file system's).
func groupedStats(_ paths: [String], in directory: URL) throws -> (rows: [String], result: ProcessResult) {
    let result = try runDepTrace(["stats", "--group-by", "method,dataset", "--format", "csv"] + paths, currentDirectory: directory)
    return (result.stdout.split(separator: "\n").map(String.init).sorted(), result)
}

func commandExists(_ name: String) -> Bool {
    ["/usr/bin/", "/bin/", "/usr/local/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + name) }
}

func run(_ command: String, _ arguments: [String], in directory: URL) throws -> ProcessResult {
    let path = ["/usr/bin/", "/bin/", "/usr/local/bin/"].map { $0 + command }.first { FileManager.default.isExecutableFile(atPath: $0) }!
    return try runProcess(URL(fileURLWithPath: path), arguments, currentDirectory: directory)
}

@Suite struct ArchiveReadingTests {
    static let bundleKinds = ["tar", "tar.gz", "tgz", "tar.zst", "tar.xz", "tar.bz2", "zip"]

    @Test(arguments: bundleKinds)
    func bundleGivesTheStatsOfTheLooseFiles(kind: String) throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            let expected = try groupedStats(["runs"], in: directory)
            #expect(expected.result.status == 0)
            try writeBundle(directory.appendingPathComponent("bundle.\(kind)"), entries: entries, in: directory)
            let ours = try groupedStats(["bundle.\(kind)"], in: directory)
            #expect(ours.result.status == 0, "\(ours.result.stderr)")
            #expect(ours.rows == expected.rows)
            // Found by folder search too.
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("found"), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: directory.appendingPathComponent("bundle.\(kind)"), to: directory.appendingPathComponent("found/bundle.\(kind)"))
            #expect(try groupedStats(["found"], in: directory).rows == expected.rows)
        }
    }

    @Test(arguments: ["tar", "tar.gz", "tar.zst", "tar.xz", "tar.bz2", "zip"])
    func systemMadeBundleGivesTheStatsOfTheLooseFiles(kind: String) throws {
        let tools = ["tar": ["tar"], "tar.gz": ["tar", "gzip"], "tar.zst": ["tar", "zstd"], "tar.xz": ["tar", "xz"], "tar.bz2": ["tar", "bzip2"], "zip": ["zip"]]
        let missing = tools[kind, default: []].filter { !commandExists($0) }
        guard missing.isEmpty else {
            // `.ci/setup` installs them: in CI a missing tool is a failure, not a silent skip.
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("missing \(missing); run bash .ci/setup") }
            return
        }
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            let expected = try groupedStats(["runs"], in: directory)
            let flags = ["tar": "-cf", "tar.gz": "-czf", "tar.zst": "--zstd -cf", "tar.xz": "-cJf", "tar.bz2": "-cjf"]
            let made = kind == "zip"
                ? try run("zip", ["-qr", "bundle.zip", "runs"], in: directory)
                : try run("tar", flags[kind]!.split(separator: " ").map(String.init) + ["bundle.\(kind)"] + entries, in: directory)
            #expect(made.status == 0, "\(made.stderr)")
            let ours = try groupedStats(["bundle.\(kind)"], in: directory)
            #expect(ours.result.status == 0, "\(ours.result.stderr)")
            #expect(ours.rows == expected.rows)
        }
    }

    @Test(arguments: ["gz", "zst", "xz", "bz2"])
    func singleCompressedTracesGiveTheStatsOfTheLooseFiles(filter: String) throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            let expected = try groupedStats(entries, in: directory)
            var compressed: [String] = []
            for entry in entries {
                let path = entry + "." + filter
                let writer = try TraceBundleWriter(path: directory.appendingPathComponent(path).path)
                try writer.add((entry as NSString).lastPathComponent, contentsOf: directory.appendingPathComponent(entry).path)
                try writer.close()
                try FileManager.default.removeItem(at: directory.appendingPathComponent(entry))
                compressed.append(path)
            }
            let ours = try groupedStats(compressed, in: directory)
            #expect(ours.result.status == 0, "\(ours.result.stderr)")
            #expect(ours.rows == expected.rows)
            #expect(try groupedStats(["runs"], in: directory).rows == expected.rows)
        }
    }

    @Test func entriesAreNamedInOutputAndInArchiveOrder() throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            try writeBundle(directory.appendingPathComponent("b.tar.zst"), entries: entries, in: directory)
            let result = try runDepTrace(["stats", "--format", "csv", "--columns", "file,sample,dep", "b.tar.zst"], currentDirectory: directory)
            let files = result.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
            var seen: [String] = []
            for file in files where seen.last != file { seen.append(file) }
            #expect(seen == entries.map { "b.tar.zst:\($0)" })
        }
    }
}

/// Records what one trace file gave: the files its traces named and their count.
struct FileRecorder: TraceObserver {
    var files: [String] = []
    var diagnostics: [Diagnostic] = []
    mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) { files.append(outcome.file) }
    mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}

@Suite struct EachEntryTests {
    /// Every trace file of `readable`, as (name, files its traces named, traces counted, diagnostics).
    func eachFile(_ readable: some TraceReadable) -> (files: [(name: String, traces: [String], count: Int)], loose: [Diagnostic], inEntries: [Diagnostic]) {
        var files: [(name: String, traces: [String], count: Int)] = []
        var loose: [Diagnostic] = []
        var inEntries: [Diagnostic] = []
        readable.analyzeEachFile(
            options: AnalysisOptions(), makeObserver: { FileRecorder() }, report: { loose.append($0) }
        ) { name, recorder, summary in
            files.append((name, recorder.files, summary.traces))
            inEntries += recorder.diagnostics
        }
        return (files, loose, inEntries)
    }

    @Test func eachEntryGetsItsOwnObserverInArchiveOrder() throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            let path = directory.appendingPathComponent("b.tar.zst").path
            try writeBundle(URL(fileURLWithPath: path), entries: entries, in: directory)
            let result = eachFile(ArchiveTraceSource(path: path))
            #expect(result.files.map(\.name) == entries.map { "\(path):\($0)" })
            for file in result.files {
                #expect(!file.traces.isEmpty)
                #expect(file.traces.allSatisfy { $0 == file.name })
                #expect(file.count == file.traces.count)
            }
            #expect(result.loose.isEmpty && result.inEntries.isEmpty)
            // The same traces, read through the per-archive path, in the same order.
            var whole = FileRecorder()
            _ = ArchiveTraceSource(path: path).analyze(options: AnalysisOptions(), observer: &whole)
            #expect(result.files.flatMap(\.traces) == whole.files)
            // A loose file is one trace file under its own name.
            let loose = eachFile(TraceInput(location: .file(directory.appendingPathComponent(entries[0]).path)))
            #expect(loose.files.map(\.name) == [directory.appendingPathComponent(entries[0]).path])
        }
    }

    @Test func aCutArchiveGivesTheEntriesBeforeTheDamageAndReportsIt() throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            let path = directory.appendingPathComponent("cut.tar.zst")
            try writeBundle(path, entries: entries, in: directory)
            let data = try Data(contentsOf: path)
            try data.prefix(data.count * 6 / 10).write(to: path)
            let result = eachFile(ArchiveTraceSource(path: path.path))
            let names = result.files.map(\.name)
            #expect(!names.isEmpty && names.count <= entries.count)
            #expect(names == Array(entries.prefix(names.count)).map { "\(path.path):\($0)" })
            // The damage is named: inside the entry it cut, or between entries.
            let errors = (result.loose + result.inEntries).filter { $0.severity == .error }
            #expect(!errors.isEmpty)
        }
    }
}

/// The lines of `text` that do not start with `prefix`.
func rows(of text: String, except prefix: String) -> [String] {
    text.split(separator: "\n").map(String.init).filter { line in !line.hasPrefix(prefix) }
}

@Suite struct DamagedArchiveTests {
    @Test func truncatedTarZstNamesTheDamagedEntryAndAnalysesTheOthers() throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            let path = directory.appendingPathComponent("cut.tar.zst")
            try writeBundle(path, entries: entries, in: directory)
            let whole = try runDepTrace(["stats", "--format", "csv", "--columns", "file,sample", "cut.tar.zst"], currentDirectory: directory)
            let data = try Data(contentsOf: path)
            try data.prefix(data.count * 6 / 10).write(to: path)
            let result = try runDepTrace(["stats", "--format", "csv", "--columns", "file,sample", "cut.tar.zst"], currentDirectory: directory)
            #expect(result.status == 1)
            let rows = result.stdout.split(separator: "\n").dropFirst()
            #expect(!rows.isEmpty)
            #expect(rows.count < whole.stdout.split(separator: "\n").count - 1)
            // Every trace delivered is one the whole archive gives, in the same order.
            #expect(Array(whole.stdout.split(separator: "\n").dropFirst().prefix(rows.count)) == Array(rows))
            let damaged = result.stderr.split(separator: "\n").first { $0.hasPrefix("cut.tar.zst:runs/") }
            #expect(damaged != nil, "\(result.stderr)")
        }
    }

    @Test func zipWithOneCorruptEntryNamesItAndKeepsGoing() throws {
        try withTemporaryDirectory { directory in
            let entries = try copySamples(to: directory)
            let path = directory.appendingPathComponent("bad.zip")
            try writeBundle(path, entries: entries, in: directory)
            let whole = try runDepTrace(["stats", "--format", "csv", "--columns", "file,sample,dep", "bad.zip"], currentDirectory: directory)
            // Damage the middle of the compressed data of the largest entry.
            let victim = entries.max { (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent($0).path)[.size] as? Int) ?? 0 < (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent($1).path)[.size] as? Int) ?? 0 }!
            var data = [UInt8](try Data(contentsOf: path))
            let nameBytes = Array(victim.utf8)
            let header = (0..<(data.count - nameBytes.count)).first { data[$0] == 0x50 && data[$0 + 1] == 0x4B && data[$0 + 2] == 3 && data[$0 + 3] == 4 && Array(data[($0 + 30)..<($0 + 30 + nameBytes.count)]) == nameBytes }!
            for offset in 0..<64 { data[header + 30 + nameBytes.count + 200 + offset] ^= 0x5A }
            try Data(data).write(to: path)
            let result = try runDepTrace(["stats", "--keep-going", "--format", "csv", "--columns", "file,sample,dep", "bad.zip"], currentDirectory: directory)
            #expect(result.status == 1)
            #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("bad.zip:\(victim): ") }.count == 1, "\(result.stderr)")
            let expected = rows(of: whole.stdout, except: "bad.zip:\(victim),")
            let got = rows(of: result.stdout, except: "bad.zip:\(victim),")
            #expect(got.count == expected.count)
            #expect(got == expected)
            // Without --keep-going, the archive stops at the damaged entry and says so.
            let stopped = try runDepTrace(["stats", "--format", "csv", "--columns", "file,sample,dep", "bad.zip"], currentDirectory: directory)
            #expect(stopped.stderr.contains("--keep-going"))
        }
    }
}

@Suite struct ArchiveLimitTests {
    /// A source of `count` bytes of `a`, without a newline.
    final class Filler: ByteSource {
        var remaining: Int
        init(count: Int) { remaining = count }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            let count = Swift.min(buffer.count, remaining)
            if count > 0 { memset(buffer.baseAddress!, 0x61, count) }
            remaining -= count
            return count
        }
    }

    /// Runs deptrace under GNU time: its result, and its own peak resident size in bytes.
    ///
    /// Not getrusage(RUSAGE_CHILDREN): a child spawned with vfork is charged the
    /// test process's own peak, which other tests in this process may have raised.
    func runMeasured(_ arguments: [String], in directory: URL) throws -> (ProcessResult, Int?) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            return (try runDepTrace(arguments, currentDirectory: directory), nil)
        }
        let result = try runProcess(
            URL(fileURLWithPath: "/usr/bin/time"), ["-f", "peak-rss-kb %M", productsDirectory.appendingPathComponent("deptrace").path] + arguments,
            currentDirectory: directory)
        let line = result.stderr.split(separator: "\n").last { $0.hasPrefix("peak-rss-kb ") }
        return (result, line.flatMap { Int($0.dropFirst("peak-rss-kb ".count)) }.map { $0 * 1024 })
    }

    @Test(arguments: ["bomb.tar.zst", "bomb.zip"])
    func bombStopsAtTheRatioLimit(name: String) throws {
        try withTemporaryDirectory { directory in
            let size = 1 << 30
            let writer = try TraceBundleWriter(path: directory.appendingPathComponent(name).path)
            try writer.add("x/huge.dtrace.jsonl", size: Int64(size), from: Filler(count: size))
            try writer.close()
            let archiveSize = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)[.size] as! Int
            #expect(archiveSize < size / 500)
            let (result, peak) = try runMeasured(["stats", name], in: directory)
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(name):x/huge.dtrace.jsonl: "), "\(result.stderr)")
            #expect(result.stderr.contains("compression ratio"), "\(result.stderr)")
            #expect(result.stderr.contains("--max-ratio"))
            // Under .ci/sanitize, the sanitizer's shadow memory and quarantine of freed blocks count too.
            let bound = ProcessInfo.processInfo.environment["DEPTRACE_SANITIZER"] == nil ? 256 << 20 : 512 << 20
            if let peak { #expect(peak < bound, "peak RSS \(peak >> 20) MiB") } else { Issue.record("no /usr/bin/time: peak memory not measured (.ci/setup installs it)") }
        }
    }

    @Test func entryLimitStopsAClaimedHugeEntryUnread() throws {
        try withTemporaryDirectory { directory in
            let size = 64 << 20
            let writer = try TraceBundleWriter(path: directory.appendingPathComponent("big.tar.gz").path)
            try writer.add("big.dtrace.jsonl", size: Int64(size), from: Filler(count: size))
            try writer.close()
            let result = try runDepTrace(["stats", "--max-entry-bytes", "16M", "big.tar.gz"], currentDirectory: directory)
            #expect(result.status == 1)
            #expect(result.stderr.contains("big.tar.gz:big.dtrace.jsonl: the archive states 64 MiB uncompressed"), "\(result.stderr)")
            #expect(result.stderr.contains("--max-entry-bytes"))
            // A single compressed file states no size: the limit stops it while reading.
            let single = try TraceBundleWriter(path: directory.appendingPathComponent("big.dtrace.jsonl.zst").path)
            try single.add("big.dtrace.jsonl", size: Int64(size), from: Filler(count: size))
            try single.close()
            let streamed = try runDepTrace(["stats", "--max-entry-bytes", "16M", "big.dtrace.jsonl.zst"], currentDirectory: directory)
            #expect(streamed.status == 1)
            #expect(streamed.stderr.contains("big.dtrace.jsonl.zst: more than 16 MiB uncompressed"), "\(streamed.stderr)")
        }
    }

    @Test func byteCountsParse() {
        #expect(ByteSize("64G")?.bytes == 64 << 30)
        #expect(ByteSize("16MiB")?.bytes == 16 << 20)
        #expect(ByteSize("16mb")?.bytes == 16 << 20)
        #expect(ByteSize("512")?.bytes == 512)
        #expect(ByteSize("0") == nil)
        #expect(ByteSize("lots") == nil)
        #expect(ByteSize("-3K") == nil)
        #expect(ByteSize("9999999T") == nil)
        // Written back in the largest unit that divides it, as `--help` shows defaults.
        #expect(ByteSize(bytes: 256 << 20).description == "256M")
        #expect(ByteSize(bytes: 64 << 30).description == "64G")
        #expect(ByteSize(bytes: 1000).description == "1000")
        #expect(ByteSize(bytes: 3 << 10).description == "3K")
    }
}
