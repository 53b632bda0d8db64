import DepTrace
import DepTraceArchive
import Foundation
import Testing
import _DepTraceTestSupport

/// Damage that libarchive reads without complaint: each once gave an empty or
/// renamed archive and a success.
@Suite struct ArchiveDamageTests {
    /// A zip of two sample traces, written by DepTrace, and its bytes.
    func zipOfTwo(in directory: URL) throws -> (URL, [UInt8]) {
        let entries = try copySamples(to: directory).prefix(2).map { $0 }
        let zip = directory.appendingPathComponent("runs.zip")
        try writeBundle(zip, entries: entries, in: directory)
        return (zip, Array(try Data(contentsOf: zip)))
    }

    func u32(_ bytes: [UInt8], _ at: Int) -> Int {
        Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }

    func endRecord(_ bytes: [UInt8]) throws -> Int {
        try #require((0...(bytes.count - 22)).reversed().first { bytes[$0..<$0 + 4].elementsEqual([0x50, 0x4B, 0x05, 0x06]) })
    }

    @Test func aZeroedCentralDirectoryIsReportedAndTheEntriesStillRead() throws {
        try withTemporaryDirectory { directory in
            var (zip, bytes) = try zipOfTwo(in: directory)
            let intact = try runDepTrace(["validate", zip.path], currentDirectory: directory)
            let counts = try #require(intact.stdout.split(separator: "\n").last { $0.hasPrefix("OK: 1 input, ") })
            let traces = counts.dropFirst("OK: 1 input, ".count).prefix { $0 != ";" }
            let end = try endRecord(bytes)
            let size = u32(bytes, end + 12), offset = u32(bytes, end + 16)
            for index in offset..<offset + size { bytes[index] = 0 }
            try Data(bytes).write(to: zip)
            let result = try runDepTrace(["validate", zip.path], currentDirectory: directory)
            #expect(result.status == 1)
            #expect(result.stdout.contains("damaged zip: central directory entry 1 of 2 is not readable"), "\(result.stdout)")
            #expect(result.stdout.contains("FAILED: 1 input, \(traces);"), "the entries are read from their local headers: \(result.stdout)")
        }
    }

    @Test func aLocalNameThatDisagreesWithTheDirectoryIsReported() throws {
        try withTemporaryDirectory { directory in
            var (zip, bytes) = try zipOfTwo(in: directory)
            // The first local header's name starts at byte 30: change its first letter.
            bytes[30] = bytes[30] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
            try Data(bytes).write(to: zip)
            let result = try runDepTrace(["validate", zip.path], currentDirectory: directory)
            #expect(result.status == 1)
            #expect(result.stdout.contains("its local header names it otherwise"), "\(result.stdout)")
        }
    }

    @Test func aCompressedTraceStartingWithZeroBytesIsNoEmptyTar() throws {
        try withTemporaryDirectory { directory in
            let trace = Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Traces/vanilla.dtrace.jsonl")))
            let plain = directory.appendingPathComponent("zeros.dtrace.jsonl")
            try Data([UInt8](repeating: 0, count: 512) + trace).write(to: plain)
            let gzip = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["gzip", "-k", plain.path])
            try #require(gzip.status == 0, "\(gzip.stderr)")
            let result = try runDepTrace(["validate", plain.path + ".gz"], currentDirectory: directory)
            #expect(result.status == 1)
            #expect(!result.stdout.contains("no trace entry"), "read as an (empty) tar archive: \(result.stdout)")
            #expect(result.stdout.contains("neither a JSON Lines trace"), "\(result.stdout)")
        }
    }
}
