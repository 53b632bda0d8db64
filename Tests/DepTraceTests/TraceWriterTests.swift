import DepTrace
import Testing
import _DepTraceTestSupport

@Suite struct TraceWriterTests {
    @Test func writesWhatTheReaderReadsBack() throws {
        var generator = RandomTraceGenerator(seed: 7)
        for index in 0..<50 {
            let trace = generator.trace(sample: "\(index)")
            let sink = MemoryTraceSink()
            let writer = TraceWriter(sink: sink, flushThreshold: 64)
            try writer.begin(trace.header)
            for record in trace.records { try writer.write(record) }
            try writer.close()
            #expect(sink.text == trace.jsonl)
        }
    }

    @Test func refusesWhatTheReaderRefuses() throws {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink)
        #expect(throws: TraceWriterError.noTrace("step")) { try writer.step(.decode) }
        try writer.begin(TraceHeader(layers: 1, heads: 2))
        try writer.step(.prefill, count: 4)
        #expect(throws: TraceWriterError.refused(.evictNotResident(id: 9, stream: 0), record: "evict")) {
            try writer.evict([9..<10])
        }
        #expect(throws: TraceWriterError.refused(.stepIdsNotNew(first: 2, lastCreated: 3), record: "step")) {
            try writer.step(.decode, first: 2)
        }
        #expect(throws: TraceWriterError.refused(.streamOutOfRange(2, streams: 2), record: "hide")) {
            try writer.hide([0..<1], stream: 2)
        }
        try writer.end()
        #expect(throws: TraceWriterError.refused(.recordAfterEnd("mark"), record: "mark")) { try writer.mark("late") }
        try writer.close()
        // Refused calls wrote nothing: the output is a valid trace.
        let result = analyzeJSONL(sink.text)
        #expect(result.diagnostics.isEmpty)
        #expect(result.outcomes.first?.status == .complete)
    }

    @Test func setVisibleWritesTheDelta() throws {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink)
        try writer.begin(TraceHeader(layers: 1, heads: 2))
        try writer.step(.prefill, count: 10)
        try writer.setVisible(IntervalSet([0..<3, 8..<10]), stream: 1)
        try writer.setVisible(IntervalSet([0..<2, 8..<10]), stream: 0, removal: .hide)
        try writer.setVisible(IntervalSet([0..<10]), stream: 0)
        try writer.setVisible(IntervalSet([0..<5, 8..<10]), stream: 1)
        try writer.snap(stream: 1, includeResident: true)
        try writer.end()
        try writer.close()
        let lines = sink.text.split(separator: "\n").map(String.init)
        #expect(lines.dropFirst(2) == [
            #"{"evict":[[3,8]],"s":1}"#,
            #"{"hide":[[2,8]],"s":0}"#,
            #"{"show":[[2,8]],"s":0}"#,
            #"{"add":[[3,5]],"s":1}"#,
            #"{"snap":[[0,5],[8,10]],"resident":[[0,5],[8,10]],"s":1}"#,
            #"{"end":{}}"#,
        ])
        #expect(analyzeJSONL(sink.text).diagnostics.isEmpty)
    }

    @Test func escapesMarksAndMetadata() throws {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink)
        try writer.begin(TraceHeader(method: "a\"b", sample: "x\ny", meta: [("note", .string("tab\t<&>é\u{1}"))]))
        try writer.step(.prefill)
        try writer.mark("quote \" backslash \\ newline \n")
        try writer.end()
        try writer.close()
        let result = analyzeJSONL(sink.text)
        #expect(result.diagnostics.isEmpty)
        #expect(result.outcomes.first?.header?.method == "a\"b")
        #expect(result.outcomes.first?.header?.sample == "x\ny")
        #expect(result.outcomes.first?.header?["meta"]?["note"]?.stringValue == "tab\t<&>é\u{1}")
    }
}

@Suite struct TraceWriterRefusalTests {
    @Test func setVisibleIsAllOrNothing() throws {
        let sink = MemoryTraceSink()
        let writer = TraceWriter(sink: sink)
        try writer.begin(TraceHeader())
        try writer.step(.prefill, count: 10)
        // 99 was never created: the evict of 1..<10 must not be written either.
        #expect(throws: TraceWriterError.refused(.addNeverCreated(id: 99), record: "add")) {
            try writer.setVisible(IntervalSet(ids: [0, 99]))
        }
        try writer.close()
        #expect(!sink.text.contains("evict"))
    }

    @Test func setVisibleOfAllStreamsNeedsThemToAgree() throws {
        let writer = TraceWriter(sink: MemoryTraceSink())
        try writer.begin(TraceHeader(layers: 1, heads: 2))
        try writer.step(.prefill, count: 4)
        try writer.evict([1..<2], stream: 0)
        #expect(throws: TraceWriterError.self) { try writer.setVisible(IntervalSet([2..<4])) }
        try writer.setVisible(IntervalSet([2..<4]), stream: 1)
    }

    @Test func headersAreCheckedAsReadersCheckThem() throws {
        let writer = TraceWriter(sink: MemoryTraceSink())
        var header = TraceHeader()
        header.fields.append((key: "layers", value: .integer(0)))
        #expect(throws: TraceWriterError.refused(.badHeaderField("layers", "a positive integer"), record: "header")) { try writer.begin(header) }
        #expect(throws: TraceWriterError.self) { try writer.begin(TraceHeader(meta: [("x", .number("NaN"))])) }
        try writer.begin(TraceHeader())
        try writer.step(.prefill)
        #expect(throws: TraceWriterError.refused(.malformedRecord("'1.' is not a JSON number"), record: "end")) {
            try writer.end(Claims(fields: [("peak", .number("1."))]))
        }
    }
}
