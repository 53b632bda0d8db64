import Foundation
import Testing
import _DepTraceTestSupport

@Suite("deptrace simulate and formula")
struct SimulateCLITests {
    @Test("--help explains every method in a line or two and cites its paper")
    func help() throws {
        let result = try deptrace("simulate", "--help")
        #expect(result.status == 0)
        // Words only: the help wraps entries with a hanging indent.
        let text = result.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        for method in ["vanilla", "window", "h2o", "sepllm", "anllm", "lightthinker-thought", "lightthinker-token"] {
            #expect(result.stdout.contains("\n  \(method)\n    "), "\(method)")
        }
        for citation in ["arXiv 2309.17453", "arXiv 2306.14048", "arXiv 2412.12094", "arXiv 2402.07616", "arXiv 2502.15589"] {
            #expect(text.contains(citation), "\(citation)")
        }
    }

    @Test("the same seed writes the same bytes; stats --against-formula explains kvcache")
    func deterministicAndCompared() throws {
        try withTemporaryDirectory { directory in
            for name in ["a.dtrace", "b.dtrace"] {
                let result = try deptrace("simulate", "h2o", "--budget", "64", "--heads", "2", "--prompt-tokens", "20", "--output-tokens", "200", "--samples", "3", "--seed", "9", "-o", name, in: directory)
                #expect(result.status == 0, "\(result.stderr)")
            }
            let a = try Data(contentsOf: directory.appendingPathComponent("a.dtrace"))
            let b = try Data(contentsOf: directory.appendingPathComponent("b.dtrace"))
            #expect(a == b && !a.isEmpty)
            let stats = try deptrace("stats", "a.dtrace", "--against-formula", "--format", "csv", in: directory)
            #expect(stats.status == 0)
            let rows = stats.stdout.split(separator: "\n").dropFirst()
            #expect(rows.count == 3)
            for row in rows { #expect(row.contains(",kvcache,") && row.contains("exactly S below a cache that fills to S"), "\(row)") }
        }
    }

    @Test("simulate then formula agree for the hand-made LightThinker trace")
    func formula() throws {
        let form = try deptrace("formula", "anchor-thought", "--prompt-tokens", "4", "--output-tokens", "9", "--gist", "2", "--splits", "3,4", "--format", "csv")
        #expect(form.stdout == "form,prompt,output,gist,dep,peak,compressions\nanchor-thought,4,9,2,79,14,2\n")
        let trace = try deptrace("simulate", "lightthinker-thought", "--prompt-tokens", "4", "--output-tokens", "9", "--thoughts", "3,4", "--gist", "2", "-o", "-")
        let stats = try deptrace("stats", "-", "--columns", "dep,peak", "--format", "csv", stdin: trace.stdout)
        #expect(stats.stdout == "dep,peak\n79,14\n")
    }

    @Test("usage errors name the option", arguments: [
        (["simulate", "window", "--budget", "5", "-o", "-"], "'--budget'"),
        (["simulate", "h2o", "--budget", "10", "--recent", "10", "-o", "-"], "'--recent'"),
        (["simulate", "anllm", "--thoughts", "3", "-o", "-"], "'--thoughts'"),
        (["formula", "kvcache", "--prompt-tokens", "1", "--output-tokens", "2"], "'--cache-size'"),
        (["stats", "--against-formula", "--group-by", "method", "Traces/"], "'--group-by'"),
    ])
    func usage(arguments: [String], message: String) throws {
        let result = try runDepTrace(arguments, currentDirectory: repositoryRoot)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
