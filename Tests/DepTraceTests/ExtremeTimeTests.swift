import DepTrace
import Testing
import _DepTraceTestSupport

/// Step times span all of Int64 in both encodings, and convert between them.
@Suite struct ExtremeTimeTests {
    @Test(arguments: [Int.min, Int.min + 1, -1, Int.max])
    func aStepTimeRoundTripsThroughBothEncodings(_ time: Int) throws {
        for encoding in TraceWriter.Encoding.allCases {
            let sink = MemoryTraceSink()
            let writer = TraceWriter(sink: sink, encoding: encoding)
            try writer.begin(TraceHeader(method: "m", sample: "0"))
            _ = try writer.step(.prefill, count: 2, time: time)
            try writer.end(Claims())
            try writer.close()
            var observer = RecordingObserver()
            _ = InputAnalyzer.analyze(MemoryByteSource(sink.bytes, pieceSize: 4096), name: "t", options: AnalysisOptions(), observer: &observer)
            #expect(observer.diagnostics.isEmpty, "\(encoding): \(observer.diagnostics)")
            guard case .step(let step)? = observer.records[0]?.first else {
                Issue.record("\(encoding): no step read")
                continue
            }
            #expect(step.time == time, "\(encoding)")
        }
    }

    @Test func theSmallestIntegerParsesAndOneBelowIsRefused() {
        let fits = analyzeJSONL("{\"deptrace\":1}\n{\"step\":\"prefill\",\"q\":[0,1],\"t\":-9223372036854775808}\n{\"end\":{}}\n")
        #expect(fits.errors.isEmpty, "\(fits.errors)")
        let below = analyzeJSONL("{\"deptrace\":1}\n{\"step\":\"prefill\",\"q\":[0,1],\"t\":-9223372036854775809}\n{\"end\":{}}\n")
        #expect(below.errors.contains { $0.message.contains("too large for 64 bits") })
    }
}
