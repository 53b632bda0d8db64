import Testing
import _DepTraceTestSupport

/// The resource limit flags reach the reader, and bad values are refused before any input is read.
@Suite struct ResourceLimitCLITests {
    @Test func maxStreamsStopsATraceWithMoreStreams() throws {
        let result = try deptrace("stats", "--no-progress", "--max-streams", "1", "Traces/h2o-two-heads.dtrace.jsonl")
        #expect(result.status == 1)
        #expect(result.stderr.contains("Traces/h2o-two-heads.dtrace.jsonl:1"))
        #expect(result.stderr.contains("the header declares layers 1 × heads 2 streams, more than the limit of 1 (raise it with --max-streams)"))
        let raised = try deptrace("stats", "--no-progress", "--max-streams", "2", "Traces/h2o-two-heads.dtrace.jsonl")
        #expect(raised.status == 0, "\(raised.stderr)")
    }

    @Test func maxLineLengthAndTokenIdReachTheReader() throws {
        let short = try deptrace("validate", "--max-line-length", "64", "Traces/vanilla.dtrace.jsonl")
        #expect(short.status == 1)
        #expect((short.stdout + short.stderr).contains("vanilla.dtrace.jsonl:1: line longer than 64 bytes"))
        let ids = try deptrace("stats", "--no-progress", "--max-token-id", "3", "Traces/vanilla.dtrace.jsonl")
        #expect(ids.status == 1)
        #expect(ids.stderr.contains("the largest token id allowed, 3 (raise it with --max-token-id)"))
    }

    @Test(arguments: [["--max-ranges-per-record", "0"], ["--max-chunk-size", "2G"], ["--max-header-size", "lots"]])
    func badValuesAreRefused(flags: [String]) throws {
        let result = try deptrace(["stats"] + flags + ["Traces/vanilla.dtrace.jsonl"])
        #expect(result.status != 0)
        // The flag is named ('--max-chunk-size' from validation, '--max-header-size <size>' from parsing).
        #expect(result.stderr.contains("'\(flags[0])"), "\(result.stderr)")
    }
}
