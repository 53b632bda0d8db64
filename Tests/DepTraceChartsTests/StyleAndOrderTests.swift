import DepTraceCharts
import Testing

/// Series styles, group order and chart sizes: the pure parts issue 27 asks for.
@Suite struct StyleAndOrderTests {
    @Test func noTwoSeriesShareColourAndDashForAnyNumberOfSeries() {
        var seen = Set<String>()
        for index in 0..<500 {
            for style in [SeriesStyle.of(index), SeriesStyle.resident(index), SeriesStyle.repeated(index, rank: 1), SeriesStyle.repeated(index, rank: 2)] {
                #expect(seen.insert("\(style.color) \(style.dash ?? "solid")").inserted, "style \(index) repeats \(style)")
            }
        }
        // Seven colours, all of Okabe–Ito but yellow; the first seven series are solid.
        #expect(Set((0..<7).map { SeriesStyle.of($0).color }).count == 7)
        #expect(!Palette.series.contains("#F0E442"))
        #expect((0..<7).allSatisfy { SeriesStyle.of($0).dash == nil })
    }

    @Test func repeatsPointAtTheFirstEqualItem() {
        #expect(SeriesStyle.repeats([1, 2, 1, 3, 2, 1]) { $0 == $1 } == [nil, nil, 0, nil, 1, 0])
    }

    @Test func groupsComeBaselineFirstThenByNameOrValue() {
        let names = ["window", "h2o-10", "AdaKV", "vanilla", "h2o-2", "anllm"]
        #expect(GroupOrder().ordered(names) == ["vanilla", "AdaKV", "anllm", "h2o-2", "h2o-10", "window"])
        #expect(GroupOrder(baseline: "window").ordered(names) == ["window", "AdaKV", "anllm", "h2o-2", "h2o-10", "vanilla"])
        let values = ["window": 3.0, "h2o-10": 1, "AdaKV": 2, "vanilla": 9, "h2o-2": 1, "anllm": 0]
        #expect(GroupOrder(sort: .value).ordered(names) { values[$0] ?? 0 } == ["vanilla", "anllm", "h2o-2", "h2o-10", "AdaKV", "window"])
        // A baseline that is not among the groups changes nothing; the same names in any order give one order.
        #expect(GroupOrder(baseline: "full").ordered(names.reversed()) == GroupOrder(baseline: "full").ordered(names))
        #expect(GroupOrder().ordered(["b", "a", "full"]) == ["full", "a", "b"])
    }

    @Test func sizesAreReadInPixelsOrInches() {
        #expect(ChartLength("800")?.pixels == 800)
        #expect(ChartLength("800px")?.pixels == 800)
        #expect(ChartLength("6.5in")?.pixels == 624)
        #expect(ChartLength("3 in")?.pixels == 288)
        for bad in ["", "in", "12cm", "1e3", "-3in", "1.2.3", "wide", "٣٠٠"] {
            #expect(ChartLength(bad) == nil, "\(bad)")
        }
    }

    @Test func textIsShrunkThenClippedToFit() {
        let long = String(repeating: "Tokens in context ", count: 10)
        let (text, size) = ChartFrame.fit(long, size: 15, smallest: 11, room: 300, bold: true)
        #expect(size == 11 && text.hasSuffix("…"))
        #expect(TextWidth.of(text, size: size) * 1.1 <= 300)
        #expect(ChartFrame.fit("short", size: 15, smallest: 11, room: 300) == ("short", 15))
    }

    @Test func accuracyHasTwoDecimalsAsEverywhere() {
        #expect(NumberFormat.percent(2.0 / 3) == "66.67%")
        #expect(NumberFormat.percent(1) == "100.00%")
        #expect(NumberFormat.percent(0) == "0.00%")
        #expect(NumberFormat.percent(0.125) == "12.50%")
    }
}
