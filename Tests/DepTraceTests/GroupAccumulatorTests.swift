import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

/// The streaming group statistics equal those computed from every trace held in a list.
@Suite struct GroupAccumulatorTests {
    static let simulated = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Traces/simulated").path

    static func outcomes() throws -> [TraceOutcome] {
        var outcomes: [TraceOutcome] = []
        for input in try TraceInput.expand([simulated]) {
            var observer = CallbackObserver(onTrace: { outcomes.append($0) }, onDiagnostic: { _ in })
            _ = InputAnalyzer.analyze(input, options: AnalysisOptions(), observer: &observer)
        }
        return outcomes
    }

    @Test(arguments: [["method"], ["method", "dataset"], ["sample"], ["nothing"]])
    func sameAsTheListOfEveryTrace(_ keys: [String]) throws {
        let outcomes = try Self.outcomes()
        try #require(outcomes.count > 100)
        // Every trace twice, and a few repeated values, so the counts matter.
        let many = outcomes + outcomes.prefix(17)
        var accumulator = GroupAccumulator(keys: keys)
        for outcome in many { accumulator.add(outcome) }
        let expected = GroupSummary.group(many, by: keys)
        let found = accumulator.summaries()
        #expect(found.count == expected.count)
        for (a, b) in zip(found, expected) {
            #expect(a.key.map(\.value) == b.key.map(\.value))
            #expect(a.count == b.count)
            #expect(a.accuracy == b.accuracy)
            #expect(a.columns == b.columns)
        }
    }

    @Test func theKeysTheTracesHaveAreCollected() throws {
        var accumulator = GroupAccumulator(keys: ["method"])
        for outcome in try Self.outcomes() { accumulator.add(outcome) }
        #expect(accumulator.availableKeys.contains("method") && accumulator.availableKeys.contains("sample"))
        #expect(throws: GroupKeyError.self) { try GroupKeys.check(["modle"], available: accumulator.availableKeys) }
    }
}
