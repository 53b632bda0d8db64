import DepTrace

/// The `mask` chart: one trace's memory map, the attention-mask figure drawn
/// from data. Rows are steps (top to bottom), columns token ids. Each (step,
/// id) pair is in one state: created by the step, visible to it, hidden but
/// still held in memory, freed, or not yet created (white). When the map is
/// binned, a cell is shaded by the share of its pairs in each state (its
/// colour is the states' colours mixed in those shares, rounded to 5%), so a
/// cell half visible and half freed reads half way between the two.
public enum MaskChart {
    /// The drawn states, in legend order.
    public enum State: Int, Sendable, Hashable, CaseIterable {
        case visible, created, hidden, freed

        /// The legend's name.
        public var name: String {
            switch self {
            case .visible: "visible to the step"
            case .created: "created by the step"
            case .hidden: "hidden, still held in memory"
            case .freed: "freed"
            }
        }

        /// The CSV column.
        public var column: String {
            switch self {
            case .visible: "visible"
            case .created: "created"
            case .hidden: "hidden"
            case .freed: "freed"
            }
        }

        /// Okabe–Ito blue, orange and reddish purple; freed a light grey, lighter than any of them.
        public var color: (r: Double, g: Double, b: Double) {
            switch self {
            case .visible: (0x00, 0x72, 0xB2)
            case .created: (0xE6, 0x9F, 0x00)
            case .hidden: (0xCC, 0x79, 0xA7)
            case .freed: (0xBB, 0xBB, 0xBB)
            }
        }

        var hex: String { MaskChart.hex(color) }
    }

    /// Shares are drawn in steps of 1 / `shareSteps` (5%).
    public static let shareSteps = 20

    /// One filled rectangle: steps `steps`, ids `ids`, and the share of its
    /// pairs in each state, in twentieths (the rest is not yet created).
    public struct Cell: Sendable, Hashable {
        public var steps: Range<Int>
        public var ids: Range<Int>
        /// Indexed by ``State/rawValue``; each 0...``shareSteps``.
        public var shares: [Int]
    }

    /// The map, binned to at most one row per pixel and one column per pixel.
    public struct Map: Sendable {
        public var name: String
        public var header: TraceHeader?
        public var stream: Int
        public var steps: Int
        public var idEnd: Int
        public var rowsPerBin: Int
        public var idsPerBin: Int
        public var cells: [Cell]
        /// The states some pair is in.
        public var present: Set<State>
    }

    static func legend(_ states: Set<State>) -> [ChartFrame.LegendEntry] {
        State.allCases.filter(states.contains).map { ChartFrame.LegendEntry(name: $0.name, color: $0.hex, swatch: .area) }
    }

    /// The plot area a chart of this size has, for binning.
    public static func plotSize(width: Double, height: Double) -> (columns: Int, rows: Int) {
        let plot = ChartFrame(width: width, height: height, title: "", subtitle: "", legend: legend(Set(State.allCases))).plot
        return (Swift.max(1, Int(plot.right - plot.left)), Swift.max(1, Int(plot.bottom - plot.top)))
    }

    /// Reads `input` twice (extent, then states) and builds the map of trace `traceIndex`.
    /// - Returns: nil when the file has no such analysable trace or stream.
    public static func collect(_ input: any TraceReadable, traceIndex: Int, stream: Int, options: AnalysisOptions, width: Double, height: Double, report: (Diagnostic) -> Void) -> Map? {
        var extent = TraceExtentCollector(traceIndex: traceIndex)
        _ = input.analyze(options: options, observer: &extent)
        extent.diagnostics.forEach(report)
        guard extent.found, stream < extent.streamCount, extent.steps > 0 else { return nil }
        let size = plotSize(width: width, height: height)
        let rowsPerBin = (extent.steps + size.rows - 1) / size.rows
        // Rounded up without adding first: ids reach up to Int.max.
        let idsPerBin = Swift.max(1, extent.idEnd / size.columns + (extent.idEnd % size.columns == 0 ? 0 : 1))
        var collector = MaskCollector(traceIndex: traceIndex, stream: stream, rowsPerBin: rowsPerBin, idsPerBin: idsPerBin, idEnd: extent.idEnd)
        _ = input.analyze(options: options, observer: &collector)
        let name = collector.header?.method ?? input.displayName
        return map(collector, name: name, steps: extent.steps, idEnd: extent.idEnd)
    }

    /// The map of what `collector` counted.
    static func map(_ collector: MaskCollector, name: String, steps: Int, idEnd: Int) -> Map {
        let k = collector.idsPerBin
        var present = Set<State>()
        var rows: [[(run: Range<Int>, shares: [Int])]] = []
        for (rowIndex, row) in collector.rows.enumerated() {
            let rowSteps = rowIndex < collector.stepsPerRow.count ? collector.stepsPerRow[rowIndex] : collector.rowsPerBin
            var runs: [(run: Range<Int>, shares: [Int])] = []
            for (column, counts) in row.enumerated() {
                let ids = Swift.max(0, Swift.min(idEnd, MaskCollector.saturated(column + 1, k)) - column * k)
                let pairs = Double(ids) * Double(rowSteps)
                let values = [counts.visible, counts.created, counts.hidden, counts.freed]
                for state in State.allCases where values[state.rawValue] > 0 { present.insert(state) }
                let shares = quantise(values, total: pairs)
                guard shares.contains(where: { $0 > 0 }) else { continue }
                if let last = runs.last, last.shares == shares, last.run.upperBound == column {
                    runs[runs.count - 1].run = last.run.lowerBound..<(column + 1)
                } else {
                    runs.append((column..<(column + 1), shares))
                }
            }
            rows.append(runs)
        }
        let cells = merge(rows, rowsPerBin: collector.rowsPerBin, idsPerBin: k, steps: steps, idEnd: idEnd)
        return Map(name: name, header: collector.header, stream: collector.stream, steps: steps, idEnd: idEnd,
                   rowsPerBin: collector.rowsPerBin, idsPerBin: k, cells: cells, present: present)
    }

    /// `values` out of `total` in steps of 1 / ``shareSteps``, by largest
    /// remainder (with the pairs not yet created as a fifth share), so the
    /// shares of a cell add up to a whole.
    static func quantise(_ values: [Double], total: Double) -> [Int] {
        guard total > 0 else { return values.map { _ in 0 } }
        let all = values + [Swift.max(0, total - values.reduce(0, +))]
        let exact = all.map { $0 * Double(shareSteps) / total }
        var shares = exact.map { Int($0.rounded(.down)) }
        var left = shareSteps - shares.reduce(0, +)
        let order = exact.indices.sorted { (exact[$0] - Double(shares[$0]), -$0) > (exact[$1] - Double(shares[$1]), -$1) }
        for index in order where left > 0 {
            shares[index] += 1
            left -= 1
        }
        return Array(shares.prefix(values.count))
    }

    /// Runs of each row, with a run that repeats (same columns, same shares) on the next rows extended down.
    static func merge(_ rows: [[(run: Range<Int>, shares: [Int])]], rowsPerBin: Int, idsPerBin: Int, steps: Int, idEnd: Int) -> [Cell] {
        struct Key: Hashable { var run: Range<Int>; var shares: [Int] }
        var done: [Cell] = []
        var open: [Key: Int] = [:]  // run → first row
        func close(_ key: Key, from first: Int, to end: Int) {
            done.append(Cell(
                steps: (first * rowsPerBin)..<Swift.min(steps, end * rowsPerBin),
                ids: (key.run.lowerBound * idsPerBin)..<Swift.min(idEnd, MaskCollector.saturated(key.run.upperBound, idsPerBin)),
                shares: key.shares))
        }
        for (row, runs) in rows.enumerated() {
            let keys = Set(runs.map { Key(run: $0.run, shares: $0.shares) })
            for (key, first) in open where !keys.contains(key) {
                close(key, from: first, to: row)
                open[key] = nil
            }
            for key in runs.map({ Key(run: $0.run, shares: $0.shares) }) where open[key] == nil { open[key] = row }
        }
        for (key, first) in open { close(key, from: first, to: rows.count) }
        return done.sorted { ($0.steps.lowerBound, $0.ids.lowerBound) < ($1.steps.lowerBound, $1.ids.lowerBound) }
    }

    /// The states' colours mixed in `shares` over white.
    static func color(_ shares: [Int]) -> String {
        var mix = (r: 0.0, g: 0.0, b: 0.0)
        var used = 0
        for state in State.allCases {
            let share = shares[state.rawValue]
            used += share
            mix.r += Double(share) * state.color.r
            mix.g += Double(share) * state.color.g
            mix.b += Double(share) * state.color.b
        }
        let white = Double(Swift.max(0, shareSteps - used)) * 255
        let total = Double(shareSteps)
        return hex(((mix.r + white) / total, (mix.g + white) / total, (mix.b + white) / total))
    }

    static func hex(_ color: (r: Double, g: Double, b: Double)) -> String {
        let digits = Array("0123456789ABCDEF")
        var text = "#"
        for channel in [color.r, color.g, color.b] {
            let value = Swift.min(255, Swift.max(0, Int(channel.rounded())))
            text.append(digits[value / 16])
            text.append(digits[value % 16])
        }
        return text
    }

    /// How the map is binned, in words: the subtitle.
    public static func binning(_ map: Map) -> String {
        map.rowsPerBin == 1 && map.idsPerBin == 1
            ? "one cell per step and token id"
            : "binned: a cell is \(map.rowsPerBin) step\(map.rowsPerBin == 1 ? "" : "s") × \(map.idsPerBin) id\(map.idsPerBin == 1 ? "" : "s"), its colour mixed by the share of its pairs in each state (to 5%)"
    }

    /// The default title: which trace, sample and stream.
    public static func defaultTitle(_ map: Map, trace: Int) -> String {
        let which = map.header?.sample.map { "sample \($0)" } ?? "trace \(trace)"
        return "Memory map: \(map.name), \(which), stream \(map.stream)"
    }

    /// The chart, laid out: cells coloured by their shares, the binning in the subtitle, a legend of the states present.
    public static func layout(_ map: Map, title: String, width: Double, height: Double) -> Scene {
        let subtitle = binning(map)
        let frame = ChartFrame(width: width, height: height, title: title, subtitle: subtitle, legend: legend(map.present))
        let p = frame.plot
        let x = NiceScale(minimum: 0, maximum: Double(map.idEnd), ticks: Swift.max(2, Int(width / 110)), integral: true, pixels: p.left...p.right)
        let y = NiceScale(minimum: 0, maximum: Double(map.steps), ticks: Swift.max(2, Int(height / 60)), integral: true, pixels: p.top...p.bottom)
        var axes = frame.axes(x: x, y: y, xLabel: "token id", yLabel: "generation step (stream \(map.stream))")
        // The grid would show through the gaps between cells as stripes: drop it.
        axes.children[0].marks = []
        var group = MarkGroup(className: "cells", crispEdges: true)
        for cell in map.cells {
            let left = x.position(Double(cell.ids.lowerBound)), right = x.position(Double(cell.ids.upperBound))
            let top = y.position(Double(cell.steps.lowerBound)), bottom = y.position(Double(cell.steps.upperBound))
            // Half a pixel into the next row, so rows of about a pixel never leave a gap.
            let overlap = cell.steps.upperBound < map.steps ? 0.5 : 0
            group.marks.append(.rect(x: left, y: top, width: right - left, height: bottom - top + overlap, Style(fill: color(cell.shares))))
        }
        // One (empty) series group per state, named as in the legend, so the states are listed with their colours.
        let states = State.allCases.filter(map.present.contains).map { state in
            MarkGroup(className: "series", id: state.column, title: state.name, marks: [])
        }
        let description = "Memory map of \(map.name), stream \(map.stream): \(map.steps) steps, ids 0 to \(map.idEnd - 1); \(subtitle); \(map.cells.count) rectangles. "
            + "States: " + State.allCases.map { "\($0.name) \($0.hex)" }.joined(separator: ", ") + ", not yet created white."
        return Scene(width: width, height: height, title: title, description: description,
                     groups: [frame.header(), axes, MarkGroup(className: "plot", children: [group] + states)])
    }

    /// The rectangles drawn: steps and ids as half-open ranges, and the share
    /// of their pairs in each state in percent (the rest not yet created).
    public static func csv(_ map: Map) -> String {
        var text = "first_step,end_step,first_id,end_id," + State.allCases.map { "\($0.column)_percent" }.joined(separator: ",") + "\n"
        for cell in map.cells {
            text += "\(cell.steps.lowerBound),\(cell.steps.upperBound),\(cell.ids.lowerBound),\(cell.ids.upperBound),"
                + cell.shares.map { String($0 * 100 / shareSteps) }.joined(separator: ",") + "\n"
        }
        return text
    }
}
