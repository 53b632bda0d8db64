import DepTrace
import DepTraceCharts
import DepTraceXML
import Foundation
import Testing
import _DepTraceTestSupport

/// Issue 27's acceptance: every chart kind on `Traces/simulated/` (seven
/// methods) and `Traces/kvpress/`, parsed back from its SVG: series tell
/// apart by (colour, dash), no two texts overlap (by the layout's own text
/// widths), and every number printed is a metric or says what it is.
@Suite struct ChartAcceptanceTests {
    static let folders = ["Traces/simulated", "Traces/kvpress"]

    /// The charts drawn from each folder.
    static let cases: [ChartCase] = folders.flatMap { folder -> [ChartCase] in
        let name = folder.split(separator: "/").last.map(String.init) ?? folder
        let mask = folder == "Traces/simulated" ? ["Traces/simulated/h2o.dtrace"] : ["Traces/kvpress/adakv-snapkv.dtrace.jsonl"]
        return [
            ChartCase(name: "timeline-\(name)", arguments: ["timeline", folder], series: 0),
            // The simulated traces have one stream each; the kvpress ones four.
            ChartCase(name: "timeline-\(name)-stream", arguments: ["timeline", folder, "--stream", folder == "Traces/simulated" ? "0" : "1"], series: 0),
            ChartCase(name: "dep-\(name)", arguments: ["dep", folder], series: 0),
            ChartCase(name: "dep-\(name)-resident", arguments: ["dep", folder, "--metric", "resident_peak_kv", "--order", "value"], series: 0),
            ChartCase(name: "hist-\(name)", arguments: ["hist", folder], series: 0),
            ChartCase(name: "hist-\(name)-cdf", arguments: ["hist", folder, "--metric", "peak", "--cdf"], series: 0),
            ChartCase(name: "hist-\(name)-events", arguments: ["hist", folder, "--per-event", "--cdf"], series: 0),
            ChartCase(name: "mask-\(name)", arguments: ["mask"] + mask, series: 0),
            ChartCase(name: "mask-\(name)-small", arguments: ["mask"] + mask + ["--width", "300", "--height", "200"], series: 0),
            // Small figures (a column of a two-column paper) keep their text apart too.
            ChartCase(name: "timeline-\(name)-small", arguments: ["timeline", folder, "--width", "3.5in", "--height", "2.5in"], series: 0),
            ChartCase(name: "dep-\(name)-small", arguments: ["dep", folder, "--width", "3.5in", "--height", "2.5in"], series: 0),
            ChartCase(name: "hist-\(name)-small", arguments: ["hist", folder, "--width", "3.5in", "--height", "2.5in"], series: 0),
        ]
    } + [
        // Neither folder's traces say whether they are correct: pareto is drawn from the hand-made ones.
        ChartCase(name: "pareto-handmade", arguments: ["pareto"] + handMadeTraces, series: 0),
        ChartCase(name: "dep-handmade-two-keys", arguments: ["dep"] + handMadeTraces + ["--group-by", "dataset,method", "--metric", "peak"], series: 0),
    ]

    @Test(arguments: cases)
    func seriesDifferInColourOrDash(_ chart: ChartCase) throws {
        let root = try XMLDocumentParser.parse(try drawChart(chart.arguments).svg)
        let series = seriesGroups(root).compactMap { group in firstShape(group).map { seriesKey($0) } }
        #expect(Set(series).count == series.count, "\(chart.name): series share a (colour, dash): \(series)")
        let swatches = legendSwatches(root)
        #expect(Set(swatches).count == swatches.count, "\(chart.name): legend swatches share a (colour, dash): \(swatches)")
    }

    @Test(arguments: cases)
    func noTwoTextsOverlap(_ chart: ChartCase) throws {
        let root = try XMLDocumentParser.parse(try drawChart(chart.arguments).svg)
        let boxes = root.elements(named: "text").map(TextBox.init)
        for (index, box) in boxes.enumerated() {
            for other in boxes[(index + 1)...] where box.overlaps(other) {
                Issue.record("\(chart.name): '\(box.text)' overlaps '\(other.text)'")
            }
        }
        let width = Double(root.attributes["width"] ?? "") ?? 0
        for box in boxes where box.corners.contains(where: { $0.x < -0.5 || $0.x > width + 0.5 }) {
            Issue.record("\(chart.name): '\(box.text)' leaves the chart")
        }
    }

    @Test(arguments: cases)
    func everyNumberIsAMetricOrSaysWhatItIs(_ chart: ChartCase) throws {
        let drawn = try drawChart(chart.arguments)
        let root = try XMLDocumentParser.parse(drawn.svg)
        // Axis ticks are read against their axis; bar labels are checked against the CSV below.
        for text in root.elements(named: "text") where !["x-tick", "y-tick", "value-label"].contains(text.attributes["class"] ?? "") {
            for number in numbers(in: text.text) where !explained(number, in: text.text) {
                Issue.record("\(chart.name): '\(number.text)' in '\(text.text)' does not say what it is")
            }
        }
        // Bar labels are the groups' means, as the CSV (and stats --group-by) has them.
        let csvMeans = Set(drawn.csv.split(separator: "\n").dropFirst().compactMap { line -> String? in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return fields.count >= 4 ? Double(fields[fields.count - 3]).map(NumberFormat.si) : nil
        })
        for label in root.elements(named: "text") where label.attributes["class"] == "value-label" {
            #expect(csvMeans.contains(label.text), "\(chart.name): bar label \(label.text) is no group's mean")
        }
    }

    /// The timeline's peaks are the metrics of `stats`, or say that they are a mean over streams.
    @Test(arguments: folders)
    func timelinePeaksAreTheEnginesMetrics(_ folder: String) throws {
        let root = try XMLDocumentParser.parse(try drawChart(["timeline", folder]).svg)
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent(folder).path).sorted().map { "\(folder)/\($0)" }
        var checked = 0
        for file in files {
            let (outcome, _) = try engineOutcome(file)
            let metrics = try #require(outcome.metrics)
            let method = outcome.header?.method ?? file
            let entries = legendLabels(root).filter { $0.hasPrefix(method + ":") || $0.hasPrefix(method + " (same as") || $0.hasPrefix(method + " held:") }
            #expect(!entries.isEmpty, "\(method): no legend entry in \(legendLabels(root))")
            for entry in entries {
                let resident = entry.hasPrefix(method + " held:")
                let (single, total) = resident ? (metrics.residentPeak, metrics.residentPeakKV) : (metrics.peak, metrics.peakKV)
                let expected = metrics.streams == 1
                    ? "\(resident ? "resident peak" : "peak") \(single)"
                    : "\(resident ? "resident peak" : "peak") \(NumberFormat.exact(MetricValue.quotient(total, metrics.streams).doubleValue ?? 0)) (mean over \(metrics.streams) streams)"
                #expect(entry.hasSuffix(": " + expected), "\(entry) should end in \(expected)")
                checked += 1
            }
        }
        #expect(checked >= files.count)
    }

    @Test(arguments: folders)
    func paretoRefusesTracesThatSayNothingOfCorrectness(_ folder: String) throws {
        let result = try runDepTrace(["chart", "pareto", folder, "-o", "/dev/null"], currentDirectory: repositoryRoot)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no analysed trace whose end record says correct"))
    }

    /// Mask cells are shaded by the share of their pairs in each state: the
    /// CSV's shares across the last row of cells give its steps' mean |V|
    /// (where any id visible at any step would fill about 80% of the row).
    @Test func binnedMaskSharesAreTheVisibleFractions() throws {
        let file = "Traces/simulated/h2o.dtrace"
        let drawn = try drawChart(["mask", file])
        let (_, rows) = try engineOutcome(file, stream: 0)
        let root = try XMLDocumentParser.parse(drawn.svg)
        // "binned: a cell is 3 steps × 2 ids, …": the subtitle says how many steps a row of cells holds.
        let subtitle = try #require(root.elements(named: "text").first { $0.attributes["class"] == "subtitle" }?.text)
        let rowSteps = try #require(Int(subtitle.split(separator: " ").dropFirst(4).first ?? ""), "\(subtitle)")
        let lastRow = (rows.count - 1) / rowSteps * rowSteps
        var visible = 0.0, ids = 0.0
        for line in drawn.csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").compactMap { Int($0) }
            guard f.count == 8, f[0] <= lastRow, f[1] > lastRow else { continue }
            visible += Double(f[3] - f[2]) * Double(f[4]) / 100
            ids += Double(f[3] - f[2])
        }
        let steps = lastRow..<rows.count
        let engineVisible = steps.map { rows[$0].visibleBefore.doubleValue ?? 0 }.reduce(0, +) / Double(steps.count)
        // Shares are rounded to 5% per cell: the mean visible count is within 2.5% of the ids drawn.
        #expect(abs(visible - engineVisible) <= ids * 0.025 + 1, "drawn \(visible) visible ids on the last row, engine \(engineVisible)")
        #expect(ids > engineVisible * 1.5, "the last row holds freed ids too")
    }
}

/// The first shape drawn in a group (depth first).
func firstShape(_ group: XMLNode) -> XMLNode? {
    group.allElements.dropFirst().first { ["path", "rect", "line", "circle"].contains($0.name) }
}

/// A shape's colour (stroke, else fill) and dash.
func seriesKey(_ shape: XMLNode) -> String {
    let stroke = shape.attributes["stroke"].flatMap { $0 == "none" || $0 == Palette.ink ? nil : $0 }
    let color = stroke ?? shape.attributes["fill"] ?? "none"
    return "\(color) \(shape.attributes["stroke-dasharray"] ?? "solid")"
}

/// The (colour, dash) of each series swatch of the legend (not event ticks).
func legendSwatches(_ root: XMLNode) -> [String] {
    guard let legend = root.elements(named: "g").first(where: { $0.attributes["class"] == "legend" }) else { return [] }
    var keys: [String] = []
    var pending: XMLNode?
    for child in legend.children {
        if child.name == "text" {
            if let shape = pending, !(shape.name == "line" && shape.attributes["x1"] == shape.attributes["x2"]) { keys.append(seriesKey(shape)) }
            pending = nil
        } else if pending == nil {
            pending = child
        }
    }
    return keys
}

/// The legend's texts.
func legendLabels(_ root: XMLNode) -> [String] {
    root.elements(named: "text").filter { $0.attributes["class"] == "legend-label" }.map(\.text)
}

/// A text's box as the layout estimates it: the table's width, from 0.8 of
/// the size above the baseline to 0.25 below, turned by its rotation.
struct TextBox {
    var text: String
    var corners: [(x: Double, y: Double)]

    init(_ node: XMLNode) {
        text = node.text
        let x = Double(node.attributes["x"] ?? "") ?? 0, y = Double(node.attributes["y"] ?? "") ?? 0
        let size = Double(node.attributes["font-size"] ?? "") ?? 11
        let bold = node.attributes["font-weight"] == "bold"
        let width = TextWidth.of(node.text, size: size) * (bold ? 1.1 : 1)
        let left: Double
        switch node.attributes["text-anchor"] {
        case "middle": left = x - width / 2
        case "end": left = x - width
        default: left = x
        }
        var points = [(left, y - size * 0.8), (left + width, y - size * 0.8), (left + width, y + size * 0.25), (left, y + size * 0.25)]
        if let transform = node.attributes["transform"], transform.hasPrefix("rotate(") {
            let values = transform.dropFirst(7).dropLast().split(separator: " ").compactMap { Double($0) }
            if values.count == 3 {
                let angle = values[0] * Double.pi / 180
                let (c, s) = (cos(angle), sin(angle))
                points = points.map { p in
                    let (dx, dy) = (p.0 - values[1], p.1 - values[2])
                    return (values[1] + dx * c - dy * s, values[2] + dx * s + dy * c)
                }
            }
        }
        corners = points.map { (x: $0.0, y: $0.1) }
    }

    /// Whether the two (convex) boxes overlap by more than half a pixel, by separating axes.
    func overlaps(_ other: TextBox) -> Bool {
        guard !text.isEmpty, !other.text.isEmpty else { return false }
        for polygon in [corners, other.corners] {
            for index in 0..<polygon.count {
                let a = polygon[index], b = polygon[(index + 1) % polygon.count]
                let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
                guard length > 0 else { continue }
                let axis = (x: -(b.y - a.y) / length, y: (b.x - a.x) / length)
                let mine = corners.map { $0.x * axis.x + $0.y * axis.y }, theirs = other.corners.map { $0.x * axis.x + $0.y * axis.y }
                if (mine.max() ?? 0) - 0.5 <= (theirs.min() ?? 0) || (theirs.max() ?? 0) - 0.5 <= (mine.min() ?? 0) { return false }
            }
        }
        return true
    }
}

/// A number in a text: its characters and where they are.
struct PrintedNumber {
    var text: String
    var range: Range<String.Index>
}

/// The numbers of `text` that stand as words (not the 2 of `h2o`).
func numbers(in text: String) -> [PrintedNumber] {
    var result: [PrintedNumber] = []
    var index = text.startIndex
    while index < text.endIndex {
        guard text[index].isASCII, text[index].isNumber else { index = text.index(after: index); continue }
        let start = index
        while index < text.endIndex, text[index].isASCII, text[index].isNumber || text[index] == "." { index = text.index(after: index) }
        if index < text.endIndex, "kMGT%".contains(text[index]) { index = text.index(after: index) }
        let before = start > text.startIndex ? text[text.index(before: start)] : " "
        let after = index < text.endIndex ? text[index] : " "
        if !before.isLetter, !after.isLetter, before != "-" || start == text.startIndex {
            result.append(PrintedNumber(text: String(text[start..<index]), range: start..<index))
        }
    }
    return result
}

/// Whether the words next to `number` say what it is: `peak 512`, `40 traces`, `accuracy 100%`, …
func explained(_ number: PrintedNumber, in text: String) -> Bool {
    let before = text[..<number.range.lowerBound].lowercased().trimmingCharacters(in: .whitespaces)
    let after = text[number.range.upperBound...].lowercased().trimmingCharacters(in: .whitespaces)
    let named = ["peak", "accuracy", "sample", "stream", "trace", "mean dep", "mean peak attended", "mean resident peak", "bin width", "(to", "over", "of", "is", "×", "to"]
    let counted = ["trace", "traces", "event", "events", "step", "steps", "id", "ids", "streams", "group", "groups", "in each", "per group", "of", "% bootstrap", "bootstrap", "to", "× ", "judged", "more"]
    return named.contains { before.hasSuffix($0) } || counted.contains { after.hasPrefix($0) }
}
