import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

/// A file large enough to be cut at trace headers and read on several cores
/// (over twice the 4 MiB smallest piece) prints exactly what one core prints.
@Suite("large files") struct LargeFileCLITests {
    @Test("a 10 MB file with damage gives the same output, errors and exit status on 1 and 3 jobs")
    func cutFileGivesTheSameOutput() throws {
        let traces = try ["h2o-two-heads", "lightthinker", "recompute-add", "vanilla"].map(sampleTrace)
        var text = ""
        text.reserveCapacity(11 << 20)
        var copy = 0
        while text.utf8.count < 10 << 20 {
            text += traces[copy % traces.count]
            // Damage now and then: a torn line inside a trace, a line that is no JSON between traces.
            if copy % 997 == 0 { text += "{\"step\":\"decode\",\"q\":[99999,\n" }
            if copy % 1499 == 0 { text += "garbage\n" }
            copy += 1
        }
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("large.dtrace.jsonl")
            try text.write(to: file, atomically: false, encoding: .utf8)
            // The default smallest piece cuts it: the test is not about a file read whole twice.
            let pieces = try #require(InputSplitter.pieces(of: file.path, count: 6))
            #expect(pieces.count == 2)
            for command in [["stats", "--format", "csv"], ["validate"]] {
                let one = try runDepTrace(command + [file.path, "--jobs", "1"], currentDirectory: directory)
                let three = try runDepTrace(command + [file.path, "--jobs", "3"], currentDirectory: directory)
                #expect(one.status == 1)
                #expect(three.status == one.status)
                #expect(three.stdout == one.stdout)
                #expect(three.stderr == one.stderr)
                #expect((one.stdout + one.stderr).contains("large.dtrace.jsonl:"))
            }
        }
    }
}
