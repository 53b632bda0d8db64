import Foundation
import Testing
import _DepTraceTestSupport

@Suite("deptrace export")
struct ExportCLITests {
    /// The arguments of the export command in Notebooks-export/README.md (the words after
    /// `deptrace` on the line of its sh block that runs `deptrace export notebook`).
    func documentedExport() throws -> (command: String, arguments: [String]) {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("Notebooks-export/README.md"), encoding: .utf8)
        let line = try #require(readme.split(separator: "\n").first { $0.contains("deptrace export notebook ") },
                                "Notebooks-export/README.md names no 'deptrace export notebook' command")
        let words = line.split(separator: " ").map(String.init)
        let start = try #require(words.firstIndex(of: "deptrace"))
        return (String(line), Array(words[(start + 1)...]))
    }

    /// Every file of `folder` (not in subfolders), by name.
    func files(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            result[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return result
    }

    @Test("Notebooks-export is a fresh export of Traces/, byte for byte")
    func notebooksExportIsFresh() throws {
        let (command, arguments) = try documentedExport()
        let output = try #require(arguments.firstIndex(of: "-o").map { $0 + 1 }, "the documented command has no '-o'")
        #expect(arguments[output] == "Notebooks-export")
        try withTemporaryDirectory { folder in
            var fresh = arguments
            fresh[output] = folder.path
            let result = try deptrace(fresh)
            #expect(result.status == 0, "\(result.stderr)")
            let expected = try files(folder)
            var committed = try files(repositoryRoot.appendingPathComponent("Notebooks-export"))
            committed["README.md"] = nil
            let regenerate = "Notebooks-export/ is stale: regenerate it in the repository root with\n    \(command)\nand commit the result."
            #expect(Set(committed.keys) == Set(expected.keys), "\(regenerate)\nFiles differ: committed \(committed.keys.sorted()), fresh \(expected.keys.sorted())")
            for (name, data) in expected.sorted(by: { $0.key < $1.key }) {
                #expect(committed[name] == data, "\(regenerate)\n\(name) differs from a fresh export.")
            }
        }
    }

    @Test("traces.csv, groups.csv and compare.csv are what stats and compare print")
    func tablesMatchTheCommands() throws {
        try withTemporaryDirectory { folder in
            let result = try deptrace(["export", "notebook"] + handMadeTraces + ["--baseline", "Traces/vanilla.dtrace.jsonl", "--group-by", "dataset,method", "-o", folder.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "\(folder.path): 11 files from 4 traces; open study.ipynb\n")
            func read(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }
            #expect(try read("traces.csv") == deptrace(["stats"] + handMadeTraces + ["--format", "csv"]).stdout)
            #expect(try read("groups.csv") == deptrace(["stats"] + handMadeTraces + ["--group-by", "dataset,method", "--format", "csv"]).stdout)
            // compare splits by method itself: the other grouping keys are its --group-by.
            #expect(try read("compare.csv") == deptrace(["compare", "--baseline", "Traces/vanilla.dtrace.jsonl"] + handMadeTraces + ["--group-by", "dataset", "--format", "csv"]).stdout)
            let notebook = try read("study.ipynb")
            #expect(notebook.contains("deptrace export notebook Traces/h2o-two-heads.dtrace.jsonl"))
            #expect(notebook.contains("--baseline Traces/vanilla.dtrace.jsonl --group-by dataset,method"))
            #expect(!notebook.contains(folder.path), "the output folder must not change the notebook")
        }
    }

    @Test("an export into the same folder removes its stale files and keeps the others")
    func staleFilesRemoved() throws {
        try withTemporaryDirectory { folder in
            #expect(try deptrace(["export", "notebook"] + handMadeTraces + ["--baseline", "Traces/vanilla.dtrace.jsonl", "-o", folder.path]).status == 0)
            try "notes".write(to: folder.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("compare.csv").path))
            // No baseline, and no trace that says correct: no compare.csv, no pareto.svg.
            #expect(try deptrace("export", "notebook", "Traces/recompute-add.dtrace.jsonl", "-o", folder.path).status == 0)
            let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
            #expect(names == ["traces.csv", "groups.csv", "timelines.csv", "timeline.svg", "dep.svg", "peak.svg", "dep-cdf.svg", "peak-cdf.svg", "study.ipynb", "notes.md"])
        }
    }

    @Test("usage errors exit 2 and name the flag", arguments: [
        (["--group-by", "method,dataset,model"], "'--group-by' takes at most two keys"),
        (["--group-by", "dep"], "'--group-by': 'dep' is a column of every trace"),
        (["--timeline-points", "1"], "'--timeline-points' must be between 2 and 100000"),
        (["--baseline", "-"], "'--baseline' takes files or folders, not '-'"),
    ])
    func usageErrors(arguments: [String], message: String) throws {
        let result = try deptrace(["export", "notebook", "Traces/vanilla.dtrace.jsonl", "-o", "/nonexistent/out"] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("a damaged archive is reported and the other inputs exported; nothing analysable is an error")
    func dataErrors() throws {
        try withTemporaryDirectory { folder in
            let archive = folder.appendingPathComponent("runs.tar.gz")
            try Data([0x1F, 0x8B, 0x08, 0x00]).write(to: archive)
            let result = try deptrace("export", "notebook", "Traces/vanilla.dtrace.jsonl", archive.path, "-o", folder.appendingPathComponent("out").path)
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(archive.path): "), "\(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/study.ipynb").path), "the readable input is still exported")
            let broken = folder.appendingPathComponent("broken.dtrace.jsonl")
            try brokenTrace.write(to: broken, atomically: true, encoding: .utf8)
            let empty = try deptrace("export", "notebook", broken.path, "-o", folder.appendingPathComponent("empty").path)
            #expect(empty.status == 1)
            #expect(empty.stderr.contains("broken.dtrace.jsonl:3:"))
            #expect(empty.stderr.contains("error: nothing to export: no trace in \(broken.path) could be analysed"))
            let perfetto = try deptrace("export", "perfetto", archive.path, "-o", folder.appendingPathComponent("p.json").path)
            #expect(perfetto.status == 1)
            #expect(perfetto.stderr.contains("\(archive.path): "))
        }
    }

    @Test("bundles are exported in place, like their loose files")
    func bundles() throws {
        try withTemporaryDirectory { folder in
            let bundle = folder.appendingPathComponent("b.tar.zst").path
            let traces = ["Traces/lightthinker.dtrace.jsonl", "Traces/vanilla.dtrace.jsonl"]
            #expect(try deptrace(["bundle", bundle] + traces).status == 0)
            let loose = try deptrace(["export", "perfetto"] + traces + ["-o", folder.appendingPathComponent("loose.json").path])
            let packed = try deptrace("export", "perfetto", bundle, "-o", folder.appendingPathComponent("packed.json").path)
            #expect(loose.status == 0)
            #expect(packed.status == 0, "\(packed.stderr)")
            let looseText = try String(contentsOf: folder.appendingPathComponent("loose.json"), encoding: .utf8)
            let packedText = try String(contentsOf: folder.appendingPathComponent("packed.json"), encoding: .utf8)
            #expect(packedText.replacingOccurrences(of: bundle + ":", with: "") == looseText)
            let notebook = try deptrace("export", "notebook", bundle, "-o", folder.appendingPathComponent("study").path)
            #expect(notebook.status == 0, "\(notebook.stderr)")
            let csv = try String(contentsOf: folder.appendingPathComponent("study/traces.csv"), encoding: .utf8)
            #expect(csv.contains(bundle + ":Traces/vanilla.dtrace.jsonl,"))
        }
    }

    @Test("export perfetto writes trace-event JSON, one process per trace")
    func perfetto() throws {
        try withTemporaryDirectory { folder in
            let output = folder.appendingPathComponent("trace.json")
            let result = try deptrace(["export", "perfetto"] + handMadeTraces + ["-o", output.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty && result.stderr.isEmpty)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
            let events = try #require(document["traceEvents"] as? [[String: Any]])
            let names = events.filter { $0["name"] as? String == "process_name" }.compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
            #expect(names == [
                "h2o sample 0 (Traces/h2o-two-heads.dtrace.jsonl #0)", "lightthinker-thought sample 0 (Traces/lightthinker.dtrace.jsonl #0)",
                "recompute-add sample 0 (Traces/recompute-add.dtrace.jsonl #0)", "vanilla sample 0 (Traces/vanilla.dtrace.jsonl #0)",
            ])
            let bad = try deptrace("export", "perfetto", "Traces/vanilla.dtrace.jsonl", "--stream", "3", "-o", output.path)
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("--stream 3 is out of range"))
            let unwritable = try deptrace("export", "perfetto", "Traces/vanilla.dtrace.jsonl", "-o", "/nonexistent/trace.json")
            #expect(unwritable.status == 1)
            #expect(unwritable.stderr.contains("error: /nonexistent/trace.json: cannot open"))
        }
    }

    @Test("help texts", arguments: [["export"], ["export", "notebook"], ["export", "perfetto"]])
    func help(arguments: [String]) throws {
        let result = try deptrace(arguments + ["--help"])
        #expect(result.status == 0)
        assertGolden(result.stdout, named: "help-\(arguments.joined(separator: "-")).txt")
    }
}
