import DepTrace
import DepTraceCharts
import DepTraceXML
import Foundation
import Testing
import _DepTraceTestSupport

/// Every chart kind on the sample traces, drawn by the built `deptrace`.
@Suite struct ChartOutputTests {
    @Test(arguments: chartCases)
    func matchesGoldenFiles(_ chart: ChartCase) throws {
        let drawn = try drawChart(chart.arguments)
        assertGolden(drawn.svgText, named: "\(chart.name).svg")
        assertGolden(drawn.csv, named: "\(chart.name).csv")
    }

    @Test(arguments: chartCases)
    func isWellFormedWithTheExpectedSeries(_ chart: ChartCase) throws {
        let drawn = try drawChart(chart.arguments)
        let root = try XMLDocumentParser.parse(drawn.svg)
        #expect(root.name == "svg")
        #expect(drawn.svgText.contains(#"<svg xmlns="http://www.w3.org/2000/svg""#))
        #expect(root.children.first?.name == "title")
        #expect(root.children.dropFirst().first?.name == "desc")
        #expect(!(root.children.first?.text.isEmpty ?? true))
        #expect(seriesGroups(root).count == chart.series)
        // More than one series: a legend names each of them (a timeline always has one: it holds the peaks).
        // (Grouped histograms are small multiples: each panel is named instead.)
        let legend = root.elements(named: "g").first { $0.attributes["class"] == "legend" }
        let panels = root.elements(named: "text").filter { $0.attributes["class"] == "panel-title" }
        if chart.arguments.first == "hist", !chart.arguments.contains("--cdf"), chart.series > 1 {
            #expect(panels.count == chart.series)
        } else if chart.series > 1 || chart.arguments.first == "timeline" {
            #expect(legend != nil)
        }
        // Text is text: every label is a <text> element, no glyph paths.
        #expect(root.elements(named: "text").count > 5)
    }

    @Test(arguments: chartCases.filter { !$0.timelineFiles.isEmpty })
    func peakLabelsAreTheEnginesPeaks(_ chart: ChartCase) throws {
        let root = try XMLDocumentParser.parse(try drawChart(chart.arguments).svg)
        let labels = legendLabels(root).filter { $0.contains(": peak ") }
        #expect(labels.count == chart.timelineFiles.count)
        for file in chart.timelineFiles {
            let (outcome, rows) = try engineOutcome(file, stream: chart.stream)
            let metrics = try #require(outcome.metrics)
            let method = outcome.header?.method ?? file
            let label = try #require(labels.first { $0.hasPrefix(method + ":") || $0.hasPrefix(method + " (") }, "\(method) in \(labels)")
            let expected: String
            if let stream = chart.stream {
                // One stream: the largest |V| + n of that stream's timeline rows.
                let peak = rows.map { ($0.visibleBefore.doubleValue ?? 0) + Double($0.queries) }.max() ?? 0
                #expect(peak <= Double(metrics.peak))
                expected = metrics.streams == 1 ? "peak \(NumberFormat.exact(peak))" : "peak \(NumberFormat.exact(peak)) (stream \(stream) of \(metrics.streams))"
            } else if metrics.streams == 1 {
                // One stream: the peak drawn is the peak metric of stats.
                expected = "peak \(metrics.peak)"
            } else {
                // The mean over streams peaks at peak_kv / streams, and says so.
                expected = "peak \(NumberFormat.exact(MetricValue.quotient(metrics.peakKV, metrics.streams).doubleValue ?? 0)) (mean over \(metrics.streams) streams)"
            }
            #expect(label.hasSuffix(": " + expected), "\(file): \(label)")
        }
    }

    @Test func sameInputGivesSameBytes() throws {
        let first = try drawChart(["dep", "Traces/simulated", "--seed", "3"])
        let second = try drawChart(["dep", "Traces/simulated", "--seed", "3"])
        #expect(first.svg == second.svg)
        let other = try drawChart(["dep", "Traces/simulated", "--seed", "4"])
        #expect(other.svg != first.svg, "the seed changes the bootstrap intervals")
    }

    @Test(.enabled(if: rsvgConvert != nil, "rsvg-convert is not installed (Debian: librsvg2-bin)"), arguments: chartCases)
    func rendersToANonBlankImage(_ chart: ChartCase) throws {
        let converter = try #require(rsvgConvert)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let drawn = try drawChart(chart.arguments)
        let root = try XMLDocumentParser.parse(drawn.svg)
        let width = root.attributes["width"] ?? "800", height = root.attributes["height"] ?? "450"
        // A white page of the same size: what a blank rendering compresses to.
        let blankWriter = try XMLWriter()
        try blankWriter.start("svg", attributes: [("xmlns", "http://www.w3.org/2000/svg"), ("width", width), ("height", height)])
        try blankWriter.element("rect", attributes: [("width", "100%"), ("height", "100%"), ("fill", "#FFFFFF")])
        let blank = try blankWriter.finish()
        var sizes: [Int] = []
        for (name, bytes) in [("blank", blank), ("chart", drawn.svg)] {
            let svg = folder.appendingPathComponent("\(name).svg"), png = folder.appendingPathComponent("\(name).png")
            try Data(bytes).write(to: svg)
            let result = try runProcess(converter, [svg.path, "-o", png.path])
            #expect(result.status == 0, "rsvg-convert: \(result.stderr)")
            #expect(result.stderr.isEmpty, "rsvg-convert warned: \(result.stderr)")
            let image = Array(try Data(contentsOf: png))
            #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
            // The IHDR chunk holds the pixel size, big-endian, at bytes 16 and 20.
            let pixels = { (offset: Int) in image[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
            #expect(String(pixels(16)) == width && String(pixels(20)) == height)
            sizes.append(image.count)
        }
        // Axes, text and series make the image compress far worse than a blank page.
        #expect(sizes[1] > sizes[0] * 4 + 4000, "\(chart.name): PNG of \(sizes[1]) bytes against \(sizes[0]) blank")
    }
}

/// The mask is the engine's visible sets, cell for cell, when nothing is binned.
@Suite struct MaskTests {
    @Test(arguments: [("Traces/lightthinker.dtrace.jsonl", 0), ("Traces/h2o-two-heads.dtrace.jsonl", 1), ("Traces/recompute-add.dtrace.jsonl", 0)])
    func visibleCellsAreTheVisibleSets(_ file: String, _ stream: Int) throws {
        let drawn = try drawChart(["mask", file, "--stream", String(stream)])
        let (_, rows) = try engineOutcome(file, stream: stream)
        var visiblePerStep = Array(repeating: 0, count: rows.count)
        var createdPerStep = Array(repeating: 0, count: rows.count)
        for line in drawn.csv.split(separator: "\n").dropFirst() {
            // first_step,end_step,first_id,end_id,visible,created,hidden,freed (percent): unbinned, each cell is in one state.
            let fields = line.split(separator: ",").compactMap { Int($0) }
            try #require(fields.count == 8)
            #expect(fields[4...].filter { $0 != 0 } == [100], "\(line)")
            let width = fields[3] - fields[2]
            for step in fields[0]..<fields[1] {
                if fields[4] == 100 { visiblePerStep[step] += width }
                if fields[5] == 100 { createdPerStep[step] += width }
            }
        }
        #expect(visiblePerStep == rows.map { Int($0.visibleBefore.doubleValue ?? -1) })
        #expect(createdPerStep == rows.map(\.queries))
    }
}

@Suite struct ParetoTests {
    @Test func nonDominatedGroupsAreTheFront() throws {
        let drawn = try drawChart(["pareto"] + handMadeTraces)
        // h2o: 0% at dep 27; vanilla: 100% at 45; lightthinker: 100% at 79, dominated by vanilla;
        // recompute-add says nothing about correctness and is left out.
        #expect(drawn.csv == """
            group,traces,judged,accuracy,mean_dep_judged,non_dominated
            vanilla,1,1,1,45,true
            h2o,1,1,0,27,true
            lightthinker-thought,1,1,1,79,false

            """)
        let root = try XMLDocumentParser.parse(drawn.svg)
        #expect(root.children[1].text.contains("not drawn: recompute-add"))
    }

    @Test func tracesWithoutClaimsGiveAnError() throws {
        let result = try runDepTrace(["chart", "pareto", "Traces/simulated/h2o.dtrace", "-o", "/dev/null"], currentDirectory: repositoryRoot)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no analysed trace whose end record says correct"))
    }
}
