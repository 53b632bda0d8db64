import DepTraceCharts
import DepTraceXML
import Testing

@Suite struct LayoutTests {
    @Test func ticksStepByOneTwoOrFive() {
        #expect(NiceScale(minimum: 0, maximum: 14, ticks: 5, pixels: 0...100).ticks == [0, 5, 10, 15])
        #expect(NiceScale(minimum: 0, maximum: 1_003_166, ticks: 7, pixels: 0...100).ticks == [0, 200_000, 400_000, 600_000, 800_000, 1_000_000, 1_200_000])
        #expect(NiceScale(minimum: 0, maximum: 1, ticks: 5, pixels: 0...100).step == 0.2)
        #expect(NiceScale(minimum: 3, maximum: 3, ticks: 5, integral: true, pixels: 0...100).ticks == [3, 4])
        for raw in [0.013, 0.7, 3, 47, 999, 12_345.6] {
            let step = NiceScale.niceStep(raw)
            #expect(step >= raw)
            var mantissa = step
            while mantissa >= 10 { mantissa /= 10 }
            while mantissa < 1 { mantissa *= 10 }
            #expect([1, 2, 5, 10].contains(where: { abs(mantissa - $0) < 1e-9 }), "\(step)")
        }
    }

    @Test func numbersAreFormattedTheSameEveryTime() {
        #expect(NumberFormat.si(1_200_000) == "1.2M")
        #expect(NumberFormat.si(383_833.4) == "383.83k")
        #expect(NumberFormat.si(950) == "950")
        #expect(NumberFormat.si(0.25) == "0.25")
        #expect(NumberFormat.si(0) == "0")
        #expect(NumberFormat.coordinate(12.04) == "12")
        #expect(NumberFormat.coordinate(-0.04) == "0")
        #expect(NumberFormat.coordinate(-3.25) == "-3.3" || NumberFormat.coordinate(-3.25) == "-3.2")
        #expect(NumberFormat.fixed(1.05, decimals: 2) == "1.05")
        #expect(NumberFormat.exact(14) == "14")
        #expect(NumberFormat.exact(10.5) == "10.5")
    }

    @Test(arguments: [(800.0, 450.0, 1_319), (200.0, 150.0, 40), (4000.0, 4000.0, 5_000), (800.0, 450.0, 3)])
    func aLegendOfManyTracesLeavesTheChartMostOfItsHeight(width: Double, height: Double, entries: Int) {
        let key = ChartFrame.LegendEntry(name: "compress step", color: Palette.event, swatch: .tick)
        let legend = (0..<entries).map { ChartFrame.LegendEntry(name: "method-\($0) (sample \($0))", color: Palette.color($0)) } + [key]
        let frame = ChartFrame(width: width, height: height, title: "t", legend: legend)
        let plot = frame.plot
        // At least two thirds of the room between the margins (88 pixels), less one legend row.
        #expect(plot.bottom - plot.top >= (height - 88) * 2 / 3 - 16, "plot \(plot.top)...\(plot.bottom)")
        let labels = frame.header().children.flatMap(\.marks).compactMap { mark -> String? in
            if case .text(let text, _, _, let className) = mark, className == "legend-label" { return text }
            return nil
        }
        // A name wider than the legend's row is clipped to it: "compress …" at 200 pixels.
        func shows(_ label: String, _ name: String) -> Bool {
            label == name || (label.hasSuffix("…") && name.hasPrefix(String(label.dropLast())))
        }
        // The key of the event ticks is always shown, last.
        #expect(labels.last.map { shows($0, key.name) } == true, "\(labels)")
        if labels.count >= 2, case let note = labels[labels.count - 2], note.hasPrefix("… and ") {
            // The entries shown and the number left out add up to all of them.
            let left = Int(note.dropFirst("… and ".count).dropLast(" more".count)) ?? -1
            #expect(labels.count - 2 + left == entries)
            #expect(zip(labels.dropLast(2), legend.prefix(labels.count - 2).map(\.name)).allSatisfy(shows))
        } else {
            #expect(labels.count == legend.count && zip(labels, legend.map(\.name)).allSatisfy(shows))
        }
    }

    @Test func textWidthComesFromTheTable() {
        #expect(TextWidth.of("", size: 11) == 0)
        #expect(TextWidth.of("mmm", size: 10) > TextWidth.of("iii", size: 10))
        #expect(TextWidth.of("peak 14", size: 11) == TextWidth.of("peak 14", size: 11))
    }

    @Test func xmlWriterReportsLibxml2Errors() throws {
        let writer = try XMLWriter()
        // Closing an element that was never opened: libxml2 refuses, and we say which call.
        #expect(throws: XMLError.self) { try writer.end() }
        do {
            _ = try XMLDocumentParser.parse(Array("<svg><g></svg>".utf8))
            Issue.record("a malformed document parsed")
        } catch {
            #expect(error.operation == "xmlReadMemory")
            // libxml2's own words, with the line: "line 1: Premature end of data in tag svg line 1".
            #expect(error.message.hasPrefix("line 1: ") && error.message.contains("tag"), "\(error.message)")
        }
    }

    @Test func parserRefusesExternalEntitiesFromTheNetwork() throws {
        let document = #"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><svg>&x;</svg>"#
        let root = try? XMLDocumentParser.parse(Array(document.utf8))
        #expect(root?.allText.isEmpty ?? true)
    }

    @Test func writerEscapesTextAndAttributes() throws {
        let writer = try XMLWriter(indent: false)
        try writer.start("a", attributes: [("title", #"x<"y">&'z'"#)])
        try writer.text("1 < 2 & 3 > 2 — ü")
        try writer.end()
        let bytes = try writer.finish()
        let root = try XMLDocumentParser.parse(bytes)
        #expect(root.attributes["title"] == #"x<"y">&'z'"#)
        #expect(root.text == "1 < 2 & 3 > 2 — ü")
        #expect(String(decoding: bytes, as: UTF8.self).contains("&lt;"))
    }
}
