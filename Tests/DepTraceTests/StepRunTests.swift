import DepTrace
import Testing
import _DepTraceTestSupport

/// Readers gather one-query steps that follow one another and apply them
/// together when no observer watches records. These tests hold that path to
/// the step-by-step one (taken when an observer watches records): the same
/// metrics, and the same diagnostics at the same record, whatever breaks.
@Suite struct StepRunTests {
    /// Status, metrics and diagnostics of `bytes` read with and without an observer of records.
    func bothPaths(_ bytes: [UInt8], options: AnalysisOptions = AnalysisOptions(), pieceSize: Int = 4096)
        -> (runs: [String], steps: [String])
    {
        let gathered = analyzeBytes(bytes, options: options, pieceSize: pieceSize)
        var recording = RecordingObserver()
        _ = InputAnalyzer.analyze(MemoryByteSource(bytes, pieceSize: pieceSize), name: "test.dtrace", options: options, observer: &recording)
        func describe(_ outcomes: [TraceOutcome], _ diagnostics: [Diagnostic]) -> [String] {
            outcomes.map { "\($0.index) \($0.status) \(String(describing: $0.metrics))" } + diagnostics.map(\.description)
        }
        return (describe(gathered.outcomes, gathered.diagnostics), describe(recording.outcomes, recording.diagnostics))
    }

    func jsonl(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

    let header = #"{"deptrace":1,"method":"m","layers":1,"heads":2}"#

    /// `count` decode steps of one query each from id `first`, every third with a time.
    func decodeSteps(from first: Int, count: Int) -> [String] {
        (0..<count).map { index in
            index % 3 == 0 ? #"{"step":"decode","q":[\#(first + index),1],"t":\#(index * 10)}"# : #"{"step":"decode","q":[\#(first + index),1]}"#
        }
    }

    @Test(arguments: 0..<150)
    func randomTracesGiveTheSameOnBothPaths(seed: Int) throws {
        var generator = RandomTraceGenerator(seed: UInt64(seed))
        let traces = (0..<3).map { generator.trace(sample: "s\($0)", maxSteps: 60) }
        for encoding in [TraceWriter.Encoding.jsonl, .binary] {
            let bytes = try encode(traces, as: encoding, flushThreshold: 1 + seed * 7)
            let result = bothPaths(bytes, options: AnalysisOptions(countedPhases: seed % 2 == 0 ? .decode : [.decode, .prefill, .compress]))
            #expect(result.runs == result.steps)
        }
    }

    @Test(arguments: [0, 1, 17, 4095, 4096, 4097])
    func aTokenLimitInsideARunNamesTheStepThatPassesIt(offset: Int) {
        let lines = [header, #"{"step":"prefill","q":[0,8]}"#] + decodeSteps(from: 8, count: 5000) + [#"{"end":{}}"#]
        let limits = ResourceLimits(maxTokenId: 8 + offset - 1)
        let result = bothPaths(jsonl(lines), options: AnalysisOptions(limits: limits))
        #expect(result.runs == result.steps)
        // The step at line 3 + offset carries id 8 + offset, the first beyond the limit.
        #expect(result.runs.contains { $0.contains(":\(3 + offset):") && $0.contains("--max-token-id") }, "\(result.runs)")
    }

    @Test func anOverflowInsideARunNamesTheStepThatOverflows() {
        // 2^52 ids in context: Dep passes 2^63 at the 2,048th decode step.
        let lines = [header, #"{"step":"prefill","q":[0,4503599627370496]}"#] + decodeSteps(from: 1 << 52, count: 3000)
        let result = bothPaths(jsonl(lines))
        #expect(result.runs == result.steps)
        #expect(result.runs.contains { $0.contains("overflow") }, "\(result.runs)")
    }

    @Test func theHeldRangeLimitInsideARunIsReportedAsStepByStep() {
        // Steps with gaps between their ids, and two streams that differ, hold a range
        // per step and stream; the run's first step adds three more (two streams and the created set).
        var lines = [header, #"{"step":"prefill","q":[0,1]}"#]
        lines += (1...10).map { #"{"step":"decode","q":[\#($0 * 10),1]}"# }
        lines.append(#"{"evict":[[0,1]],"stream":1}"#)
        lines += decodeSteps(from: 1000, count: 40)
        var failures = 0
        for limit in 20...40 {
            let result = bothPaths(jsonl(lines), options: AnalysisOptions(limits: ResourceLimits(maxHeldIntervals: limit)))
            #expect(result.runs == result.steps, "limit \(limit)")
            // Lines 14 onwards hold the run.
            if result.runs.contains(where: { $0.contains(":14:") && $0.contains("--max-held-intervals") }) { failures += 1 }
        }
        // Some limits are passed by the run's first step itself.
        #expect(failures > 0)
    }

    @Test func stepsAfterEndAndStepsThatAreNotNewAreReportedAtTheirLine() {
        // Lines 2-6 hold steps 0-4; line 8 a step after the end, line 7 a step reusing id 3.
        let afterEnd = [header] + decodeSteps(from: 0, count: 5) + [#"{"end":{}}"#] + decodeSteps(from: 5, count: 5)
        let notNew = [header] + decodeSteps(from: 0, count: 5) + decodeSteps(from: 3, count: 5)
        for (lines, line) in [(afterEnd, 8), (notNew, 7)] {
            for pieceSize in [1, 7, 4096] {
                let result = bothPaths(jsonl(lines), pieceSize: pieceSize)
                #expect(result.runs == result.steps)
                #expect(result.runs.contains { $0.contains(":\(line):") }, "\(result.runs)")
            }
        }
    }

    @Test func aDamagedLineEndsTheRunBeforeIt() {
        let lines = [header] + decodeSteps(from: 0, count: 10) + [#"{"step":"decode","q":[10,1"#] + decodeSteps(from: 11, count: 3)
        let result = bothPaths(jsonl(lines))
        #expect(result.runs == result.steps)
        // The ten steps before the damage are analysed.
        #expect(result.runs.contains { $0.contains("10 records") }, "\(result.runs)")
    }
}
