import Foundation
import Testing
import _DepTraceTestSupport

/// Runs a bash script with `$D` naming the built deptrace, in the repository root.
func shell(_ script: String, in directory: URL = repositoryRoot) throws -> ProcessResult {
    let executable = productsDirectory.appendingPathComponent("deptrace").path
    return try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", script], currentDirectory: directory, environment: ["D": executable])
}

/// Inputs that are not plain files, outputs that fail, and runs that read nothing:
/// each once lost data or reported success.
@Suite struct InputOutputEdgeTests {
    @Test func aFullDiskOnStandardOutputIsAnError() throws {
        for command in ["stats Traces/", "stats Traces/ --format csv", "validate Traces/", "timeline Traces/vanilla.dtrace.jsonl"] {
            let result = try shell("\"$D\" \(command) > /dev/full")
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.contains("standard output: write failed: No space left on device"), "\(command): \(result.stderr)")
        }
    }

    @Test func aClosedStandardOutputIsAnError() throws {
        let result = try shell("\"$D\" stats Traces/vanilla.dtrace.jsonl >&-")
        #expect(result.status == 1)
        #expect(result.stderr.contains("standard output: write failed"))
    }

    @Test func aReaderThatLeavesEarlyEndsTheRunQuietly() throws {
        let result = try shell("\"$D\" stats Traces/ --format csv | head -1; echo \"status ${PIPESTATUS[0]}\"")
        #expect(result.stdout.hasPrefix("file,"))
        #expect(!result.stderr.contains("error"))
    }

    /// `/dev/stdin` and process substitutions were opened twice (once to sniff their
    /// first bytes): the second reading saw what was left, here nothing.
    @Test func namedPipesAreReadOnce() throws {
        let viaFile = try deptrace("stats", "Traces/lightthinker.dtrace.jsonl", "--format", "csv")
        let viaDevStdin = try shell("cat Traces/lightthinker.dtrace.jsonl | \"$D\" stats /dev/stdin --format csv")
        #expect(viaDevStdin.status == 0)
        #expect(Self.rowsWithoutFile(viaDevStdin.stdout) == Self.rowsWithoutFile(viaFile.stdout))
        let substituted = try shell("\"$D\" validate <(cat Traces/vanilla.dtrace.jsonl Traces/lightthinker.dtrace.jsonl)")
        #expect(substituted.status == 0)
        #expect(substituted.stdout.contains("OK: 1 input, 2 traces (2 complete"), "\(substituted.stdout)")
    }

    /// CSV rows without their first column (the file name differs).
    static func rowsWithoutFile(_ csv: String) -> [String] {
        csv.split(separator: "\n").dropFirst().map { line -> String in
            let cells: [Substring] = line.split(separator: ",", omittingEmptySubsequences: false)
            return cells.dropFirst().joined(separator: ",")
        }
    }

    @Test func aFIFONamedOnTheCommandLineIsReadAndOneInAFolderIsReportedWithoutBlocking() throws {
        try withTemporaryDirectory { directory in
            let trace = try sampleTrace("vanilla")
            try trace.write(to: directory.appendingPathComponent("runs/a.dtrace.jsonl", isDirectory: false), creatingFolders: true)
            let named = try shell("mkfifo \(directory.path)/pipe.dtrace.jsonl; (cat Traces/vanilla.dtrace.jsonl > \(directory.path)/pipe.dtrace.jsonl &); timeout 20 \"$D\" stats \(directory.path)/pipe.dtrace.jsonl --format csv --columns dep")
            #expect(named.status == 0)
            #expect(named.stdout == "dep\n45\n")
            let inFolder = try shell("mkfifo \(directory.path)/runs/b.dtrace.jsonl; timeout 20 \"$D\" stats \(directory.path)/runs --format csv --columns dep")
            #expect(inFolder.status == 1, "a pipe in a searched folder is an error, not a hang (124)")
            #expect(inFolder.stdout == "dep\n45\n")
            #expect(inFolder.stderr.contains("runs/b.dtrace.jsonl: not a regular file"))
        }
    }

    @Test func endlessDevicesEndWithAnError() throws {
        for device in ["/dev/zero", "/dev/urandom"] {
            let result = try shell("timeout 20 \"$D\" stats \(device)")
            #expect(result.status == 1, "\(device): \(result.status)")
            #expect(result.stderr.contains("\(device): no trace in the first 1 MiB"))
        }
    }

    @Test func aFolderSearchReadsTracesByContentWhateverTheirNames() throws {
        let result = try deptrace("validate", "Traces/conformance/")
        #expect(result.status == 0)
        #expect(result.stdout.contains("OK: 10 inputs, 14 traces (12 complete, 2 incomplete)"), "\(result.stdout)")
    }

    @Test func aRunThatReadsNothingFailsAndNamesWhatItSkipped() throws {
        try withTemporaryDirectory { directory in
            let empty = try deptrace("validate", directory.path)
            #expect(empty.status == 1)
            #expect((empty.stdout + empty.stderr).contains("no trace read"))
            try "not a trace\n".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
            try "{\"other\":1}\n".write(to: directory.appendingPathComponent("data.jsonl"), atomically: true, encoding: .utf8)
            for command in ["validate", "stats", "timeline"] {
                let result = try deptrace([command, directory.path])
                let said = result.stdout + result.stderr
                #expect(result.status == 1, "\(command)")
                #expect(said.contains("2 files skipped"), "\(command): \(said)")
                #expect(said.contains("notes.txt"), "\(command)")
            }
        }
    }

    @Test func aMissingArchiveEntryListsTheEntriesThereAreAndPrintsNothing() throws {
        try withTemporaryDirectory { directory in
            try sampleTrace("vanilla").write(to: directory.appendingPathComponent("runs/h2o/17.dtrace.jsonl"), creatingFolders: true)
            let bundled = try runDepTrace(["bundle", "runs.tar.zst", "runs"], currentDirectory: directory)
            try #require(bundled.status == 0, "\(bundled.stderr)")
            let result = try runDepTrace(["timeline", "runs.tar.zst:h2o/17.dtrace.jsonl"], currentDirectory: directory)
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty, "no table header before the error: \(result.stdout)")
            #expect(result.stderr.contains("no trace entry named h2o/17.dtrace.jsonl in runs.tar.zst; its trace entries: runs/h2o/17.dtrace.jsonl"), "\(result.stderr)")
        }
    }

    /// The error of a run that read nothing names the run that was empty: the baseline, not the runs.
    @Test func anEmptyBaselineIsNamedAsSuch() throws {
        try withTemporaryDirectory { directory in
            let base = directory.appendingPathComponent("vanilla")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            for command in ["compare", "check"] {
                let result = try deptrace([command, "--baseline", base.path, "Traces/vanilla.dtrace.jsonl"] + (command == "check" ? ["--min-ratio", "1"] : []))
                #expect(result.status == 1, "\(command)")
                #expect(result.stderr.contains("\(base.path): no trace read"), "\(command): \(result.stderr)")
                #expect(!result.stderr.contains("Traces/vanilla.dtrace.jsonl: no trace read"), "\(command)")
            }
        }
    }

    /// Root reads any folder: the walk is checked as an unprivileged user where the test runs as root.
    @Test func anUnreadableFolderIsAnError() throws {
        try withTemporaryDirectory { directory in
            let trace = try sampleTrace("vanilla")
            try trace.write(to: directory.appendingPathComponent("runs/a.dtrace.jsonl"), creatingFolders: true)
            try trace.write(to: directory.appendingPathComponent("runs/locked/b.dtrace.jsonl"), creatingFolders: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: directory.appendingPathComponent("runs/locked").path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.appendingPathComponent("runs/locked").path) }
            let asUser = getuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : ""
            let result = try shell("\(asUser)\"$D\" stats \(directory.path)/runs --format csv --columns dep")
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stdout == "dep\n45\n")
            #expect(result.stderr.contains("runs/locked: cannot"), "\(result.stderr)")
        }
    }
}

extension String {
    /// Writes the string as UTF-8 to `url`, creating its folder first when asked.
    func write(to url: URL, creatingFolders: Bool) throws {
        if creatingFolders { try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true) }
        try write(to: url, atomically: false, encoding: .utf8)
    }
}
