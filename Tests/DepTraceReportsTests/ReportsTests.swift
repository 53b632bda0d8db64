import DepTrace
import DepTraceReports
import Testing

@Suite struct CSVWriterTests {
    @Test func quotesOnlyWhenNeeded() {
        #expect(CSVWriter.row(["a", "b c", "1.5"]) == "a,b c,1.5\n")
        #expect(CSVWriter.row(["x,y", "say \"hi\"", "two\nlines", " padded"]) == "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\"\n")
    }
}

@Suite struct MetricFormattingTests {
    @Test func tableNumbers() {
        #expect(MetricFormatting.table(.int(812_736_190)) == "812736190")
        #expect(MetricFormatting.table(.double(1.2962962962962963)) == "1.30")
        #expect(MetricFormatting.table(.double(4.5)) == "4.50")
        #expect(MetricFormatting.table(.double(-0.004)) == "0.00")
        #expect(MetricFormatting.table(.null) == "-")
        #expect(MetricFormatting.fixed(66.666666, decimals: 2) == "66.67")
        #expect(MetricFormatting.fixed(100, decimals: 2) == "100")
    }

    @Test func jsonAndCSVKeepFullPrecision() {
        #expect(MetricFormatting.json(.double(1.0 / 3.0)) == "0.3333333333333333")
        #expect(MetricFormatting.json(.double(.infinity)) == "null")
        #expect(MetricFormatting.csv(.bool(true)) == "true")
        #expect(MetricFormatting.csv(.null) == "")
        #expect(MetricFormatting.json(.string("a\"b")) == "\"a\\\"b\"")
    }
}

@Suite struct TextTableTests {
    @Test func alignsAndFits() {
        var table = TextTable(headers: ["name", "value"], alignments: [.left, .right], shortenedAtStart: [0])
        table.append(["runs/very/long/path/to/a/trace/file", "12"])
        table.append(["short", "123456"])
        let lines = table.render(width: 24).split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.count <= 24 })
        #expect(lines[1].hasPrefix("…"))
        #expect(lines[2].hasSuffix("123456"))
        #expect(lines[1].hasSuffix("    12"))
    }
}

@Suite struct StatisticsTests {
    /// Values checked against numpy.percentile(values, q) (linear interpolation).
    @Test func quantilesMatchNumpy() {
        let values = [1.0, 2, 3, 4, 10].sorted()
        #expect(Statistics.quantile(sorted: values, 0.5) == 3)
        #expect(Statistics.quantile(sorted: values, 0.9) == 7.6000000000000005)
        #expect(Statistics.quantile(sorted: values, 0.99) == 9.76)
        #expect(Statistics.quantile(sorted: [5], 0.9) == 5)
        #expect(Statistics.quantile(sorted: [], 0.5) == nil)
        #expect(Statistics.mean([1, 2, 4]) == 7.0 / 3.0)
    }

    @Test func groupsByHeaderKeys() {
        func outcome(_ method: String, dep: Int, correct: Bool?) -> TraceOutcome {
            var metrics = TraceMetrics(streams: 1)
            metrics.depTotal = dep
            metrics.correct = correct
            return TraceOutcome(file: "f", index: 0, header: TraceHeader(method: method), metrics: metrics, status: .complete)
        }
        let groups = GroupSummary.group(
            [outcome("a", dep: 10, correct: true), outcome("b", dep: 5, correct: nil), outcome("a", dep: 30, correct: false)],
            by: ["method"])
        #expect(groups.map { $0.key[0].value } == ["a", "b"])
        #expect(groups[0].count == 2)
        #expect(groups[0].accuracy == 0.5)
        #expect(groups[1].accuracy == nil)
        let dep = groups[0].columns.first { $0.metric == "dep" }
        #expect(dep?.mean == 20)
        #expect(dep?.median == 20)
        #expect(dep?.p90 == 28)
        #expect(dep?.sum == 40)
    }
}
