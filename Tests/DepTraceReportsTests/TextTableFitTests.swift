import DepTrace
import DepTraceReports
import Testing

@Suite("TextTable: shortened only to fit a terminal, never into two equal cells")
struct TextTableFitTests {
    static func table(_ names: [String]) -> TextTable {
        var table = TextTable(headers: ["method", "dep"], alignments: [.left, .right])
        for (index, name) in names.enumerated() { table.append([name, String(index)]) }
        return table
    }

    @Test("the default width shortens nothing")
    func unlimited() {
        let name = String(repeating: "x", count: 300)
        #expect(Self.table([name]).render().contains(name))
    }

    @Test("two values that share their first characters stay distinct when the table is shortened")
    func distinctPrefixes() {
        let names = ["lightthinker-thought-with-a-long-suffix", "lightthinker-token-with-a-long-suffix", "vanilla"]
        let text = Self.table(names).render(width: 20)
        let cells = text.split(separator: "\n").dropFirst().map { String($0.split(separator: " ").first ?? "") }
        #expect(Set(cells).count == 3, "\(text)")
    }

    @Test("paths shortened at their start stay distinct too")
    func distinctSuffixes() {
        var table = TextTable(headers: ["file", "dep"], alignments: [.left, .right], shortenedAtStart: [0])
        table.append(["runs/anchor-thought/0001.dtrace.jsonl", "1"])
        table.append(["runs/anchor-token/0001.dtrace.jsonl", "2"])
        let text = table.render(width: 16)
        let cells = text.split(separator: "\n").dropFirst().map { String($0.split(separator: " ").first ?? "") }
        #expect(cells[0] != cells[1], "\(text)")
    }
}

@Suite("GroupKeys: a key no trace has is refused")
struct GroupKeysTests {
    static func outcome(_ fields: [(String, JSONValue)]) throws -> TraceOutcome {
        let header = try TraceHeader(object: [("deptrace", .number("1"))] + fields.map { (key: $0.0, value: $0.1) })
        return TraceOutcome(file: "a", index: 0, header: header, metrics: TraceMetrics(streams: 1), status: .complete)
    }

    @Test func unknownKeyNamesTheKnownOnes() throws {
        let outcomes = [try Self.outcome([("method", .string("h2o")), ("model", .string("toy"))]), try Self.outcome([("dataset", .string("gsm8k"))])]
        #expect(GroupKeys.available(in: outcomes) == ["deptrace", "method", "model", "dataset"])
        #expect(throws: GroupKeyError(unknown: ["modle"], available: ["deptrace", "method", "model", "dataset"])) {
            try GroupKeys.check(["method", "modle"], in: outcomes)
        }
        try GroupKeys.check(["method", "dataset"], in: outcomes)
        try GroupKeys.check(["anything"], in: [])
    }
}

@Suite("MetricBound: METRIC=VALUE")
struct MetricBoundTests {
    @Test func parses() throws {
        #expect(try MetricBound(parsing: "resident_peak=70", kind: .maximum) == MetricBound(metric: "resident_peak", kind: .maximum, limit: 70))
        #expect(try MetricBound(parsing: "kv_bytes_peak=2GiB", kind: .maximum).limit == 2_147_483_648)
        #expect(try MetricBound(parsing: "dep=5e6", kind: .minimum).limit == 5e6)
        #expect(throws: MetricBoundError.self) { try MetricBound(parsing: "peak", kind: .maximum) }
        #expect(throws: MetricBoundError.self) { try MetricBound(parsing: "peak=2GiB", kind: .maximum) }
        #expect(throws: MetricBoundError.self) { try MetricBound(parsing: "correct=1", kind: .maximum) }
    }
}
