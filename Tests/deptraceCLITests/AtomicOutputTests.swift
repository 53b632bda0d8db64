import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

/// Outputs never destroy an input and never appear half-written: a file or an
/// export folder holds the old result or the whole new one, whatever stops the run.
@Suite struct AtomicOutputTests {
    @Test func anOutputThatIsAnInputIsRefusedAndTheInputKept() throws {
        try withTemporaryDirectory { directory in
            let trace = try sampleTrace("vanilla")
            let input = directory.appendingPathComponent("b.dtrace.jsonl")
            try trace.write(to: input, creatingFolders: false)
            try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("link.dtrace.jsonl").path, withDestinationPath: input.path)
            try FileManager.default.linkItem(atPath: input.path, toPath: directory.appendingPathComponent("hard.dtrace.jsonl").path)
            let cases: [[String]] = [
                ["convert", "b.dtrace.jsonl", "-o", "./b.dtrace.jsonl"],
                ["convert", "b.dtrace.jsonl", "-o", "link.dtrace.jsonl"],
                ["convert", "b.dtrace.jsonl", "-o", "hard.dtrace.jsonl"],
                ["convert", "b.dtrace.jsonl", "-o", "b.dtrace"],
                ["export", "perfetto", "b.dtrace.jsonl", "-o", "b.dtrace.jsonl"],
                ["export", "perfetto", "b.dtrace.jsonl", "-o", "./hard.dtrace.jsonl"],
            ]
            for arguments in cases {
                let result = try runDepTrace(arguments, currentDirectory: directory)
                let kept = try String(contentsOf: input, encoding: .utf8)
                if arguments.last == "b.dtrace" {
                    #expect(result.status == 0, "a different file converts: \(result.stderr)")
                    continue
                }
                #expect(result.status == 1, "\(arguments)")
                #expect(result.stderr.contains("not written"), "\(arguments): \(result.stderr)")
                #expect(kept == trace, "\(arguments) changed its input")
            }
        }
    }

    @Test func anOutputInsideASearchedFolderIsRefused() throws {
        try withTemporaryDirectory { directory in
            try sampleTrace("vanilla").write(to: directory.appendingPathComponent("d/a.dtrace.jsonl"), creatingFolders: true)
            let result = try runDepTrace(["convert", "d", "-o", "d/x.dtrace.jsonl"], currentDirectory: directory)
            #expect(result.status == 1)
            #expect(result.stderr.contains("inside d, which is searched"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("d/x.dtrace.jsonl").path))
        }
    }

    /// A device or pipe cannot be replaced by a rename: it is written in place. A link
    /// to a file is replaced where it leads, and stays a link.
    @Test func devicesArewrittenInPlaceAndLinksStayLinks() throws {
        let piped = try shell("\"$D\" convert Traces/vanilla.dtrace.jsonl -o /dev/stdout | head -1")
        #expect(piped.stdout.hasPrefix("{\"deptrace\":1"), "\(piped.stdout) \(piped.stderr)")
        let chart = try shell("\"$D\" chart dep Traces/vanilla.dtrace.jsonl -o - | head -c 5")
        #expect(chart.stdout == "<?xml", "\(chart.stdout) \(chart.stderr)")
        #expect(FileStatus(path: "/dev/stdout", followingLinks: false)?.kind == .symbolicLink)
        try withTemporaryDirectory { directory in
            let real = directory.appendingPathComponent("charts/v3.dtrace")
            try FileManager.default.createDirectory(at: real.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "old".write(to: real, atomically: true, encoding: .utf8)
            let link = directory.appendingPathComponent("latest.dtrace")
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: real.path)
            let result = try runDepTrace(["convert", repositoryRoot.appendingPathComponent("Traces/vanilla.dtrace.jsonl").path, "-o", link.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(FileStatus(path: link.path, followingLinks: false)?.kind == .symbolicLink, "the link was replaced by a file")
            #expect(try Data(contentsOf: real).starts(with: Array("DTRC".utf8)), "the file the link leads to holds the new trace")
        }
    }

    @Test func aSecondExportIntoTheSameFolderIsRefusedWhileTheFirstWrites() throws {
        try withTemporaryDirectory { directory in
            let out = directory.appendingPathComponent("study")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            // Hold the export lock as a running export would.
            let result = try shell("flock -n \(out.path) \"$D\" export notebook Traces/vanilla.dtrace.jsonl -o \(out.path)")
            #expect(result.status == 1)
            #expect(result.stderr.contains("another export is writing into this folder"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("study.ipynb").path))
        }
    }

    /// Each command is stopped with SIGINT or SIGTERM at 20 random moments; the target
    /// must then be absent (or, for the folder, the earlier export) or the complete
    /// result, byte for byte, and no temporary file may be left beside it.
    @Test(arguments: ["convert", "bundle", "notebook", "perfetto"])
    func aStoppedCommandLeavesTheOldResultOrTheWholeNewOne(_ command: String) throws {
        try withTemporaryDirectory { directory in
            let input = directory.appendingPathComponent("runs/many.dtrace.jsonl")
            try Self.manyTraces(6_000).write(to: input, creatingFolders: true)
            let name: String
            switch command {
            case "convert": name = "out.dtrace"
            case "bundle": name = "out.tar.gz"
            case "notebook": name = "study"
            default: name = "out.json"
            }
            func arguments(_ target: String) -> [String] {
                switch command {
                case "convert": ["convert", "runs", "-o", target]
                case "bundle": ["bundle", "--force", target, "runs"]
                case "notebook": ["export", "notebook", "runs", "-o", target, "--no-progress"]
                default: ["export", "perfetto", "runs", "-o", target]
                }
            }
            let reference = directory.appendingPathComponent("reference-" + name).path
            let started = Date()
            let made = try runDepTrace(arguments(reference), currentDirectory: directory)
            try #require(made.status == 0, "\(made.stderr)")
            let duration = Date().timeIntervalSince(started) + 0.05
            let expected = try Self.contents(of: reference)
            // The folder starts as an earlier export of other traces; single files start absent.
            let target = directory.appendingPathComponent(name).path
            var earlier: [String: Data]?
            if command == "notebook" {
                let small = try runDepTrace(["export", "notebook", "Traces/vanilla.dtrace.jsonl", "-o", target], currentDirectory: repositoryRoot)
                try #require(small.status == 0, "\(small.stderr)")
                earlier = try Self.contents(of: target)
            }
            var random = SystemRandomNumberGenerator()
            var stopped = 0
            for run in 0..<20 {
                let process = Process()
                // Started through Python, which unblocks and resets the stopping signals first: the test
                // runner's threads block them, and a child inherits that mask (it would never see the signal).
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", "-c", Self.withDefaultSignals, productsDirectory.appendingPathComponent("deptrace").path] + arguments(target)
                process.currentDirectoryURL = directory
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                usleep(UInt32(Double.random(in: 0...(duration * 1.1), using: &random) * 1_000_000))
                if run % 2 == 0 { process.interrupt() } else { process.terminate() }
                process.waitUntilExit()
                if process.terminationReason == .uncaughtSignal { stopped += 1 }
                let found = FileManager.default.fileExists(atPath: target) ? try Self.contents(of: target) : nil
                if let found {
                    #expect(found == expected || (earlier != nil && found == earlier), "run \(run): \(command) left a mixed or partial result")
                } else {
                    #expect(earlier == nil, "run \(run): the earlier export was removed")
                }
                let leftovers = try Self.temporaryFiles(in: directory.path) + (command == "notebook" ? Self.temporaryFiles(in: target) : [])
                #expect(leftovers.isEmpty, "run \(run): temporary files left: \(leftovers)")
                if command != "notebook", found != nil { try FileManager.default.removeItem(atPath: target) }
            }
            #expect(stopped > 0, "no run of \(command) was stopped before it ended: the test proves nothing")
        }
    }

    /// Execs its arguments with SIGINT, SIGTERM and SIGHUP unblocked and at their default action.
    static let withDefaultSignals = """
        import os, signal, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)
        os.execv(sys.argv[1], sys.argv[1:])
        """

    /// `count` small complete traces.
    static func manyTraces(_ count: Int) -> String {
        var text = ""
        for sample in 0..<count {
            text += "{\"deptrace\":1,\"method\":\"m\(sample % 3)\",\"sample\":\"\(sample)\"}\n{\"step\":\"prefill\",\"q\":[0,8]}\n{\"step\":\"decode\",\"q\":[8,1]}\n{\"mark\":\"a mark\"}\n{\"step\":\"decode\",\"q\":[9,1]}\n{\"evict\":[[0,2]]}\n{\"end\":{}}\n"
        }
        return text
    }

    /// The bytes of a file, or of every file in a folder (hidden ones aside) by name.
    static func contents(of path: String) throws -> [String: Data] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            return ["": try Data(contentsOf: URL(fileURLWithPath: path))]
        }
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) where !name.hasPrefix(".") {
            result[name] = try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))
        }
        return result
    }

    static func temporaryFiles(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".deptrace-") }
    }
}
