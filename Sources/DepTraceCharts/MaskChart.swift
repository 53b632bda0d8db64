import DepTrace

/// The `mask` chart: one trace's visibility map, the attention-mask figure
/// drawn from data. Rows are steps (top to bottom), columns token ids; a
/// cell is filled where the id is visible to the step, in a second colour
/// where the step itself creates the id. Cells are merged into runs, and
/// runs repeated on consecutive rows into one rectangle.
public enum MaskChart {
    /// One filled rectangle: steps `steps`, ids `ids`.
    public struct Cell: Sendable, Hashable {
        public var own: Bool
        public var steps: Range<Int>
        public var ids: Range<Int>
    }

    /// The map, binned to at most one row per pixel and one column per pixel.
    public struct Map: Sendable {
        public var name: String
        public var stream: Int
        public var steps: Int
        public var idEnd: Int
        public var rowsPerBin: Int
        public var idsPerBin: Int
        public var cells: [Cell]
    }

    static let legend = [
        ChartFrame.LegendEntry(name: "visible to the step", color: Palette.color(0)),
        ChartFrame.LegendEntry(name: "created by the step", color: Palette.color(1)),
    ]

    /// The plot area a chart of this size has, for binning.
    public static func plotSize(width: Double, height: Double) -> (columns: Int, rows: Int) {
        let plot = ChartFrame(width: width, height: height, title: "", legend: legend).plot
        return (Swift.max(1, Int(plot.right - plot.left)), Swift.max(1, Int(plot.bottom - plot.top)))
    }

    /// Reads `input` twice (extent, then visibility) and builds the map of trace `traceIndex`.
    /// - Returns: nil when the file has no such analysable trace or stream.
    public static func collect(_ input: any TraceReadable, traceIndex: Int, stream: Int, options: AnalysisOptions, width: Double, height: Double, report: (Diagnostic) -> Void) -> Map? {
        var extent = TraceExtentCollector(traceIndex: traceIndex)
        _ = input.analyze(options: options, observer: &extent)
        extent.diagnostics.forEach(report)
        guard extent.found, stream < extent.streamCount, extent.steps > 0 else { return nil }
        let size = plotSize(width: width, height: height)
        let rowsPerBin = (extent.steps + size.rows - 1) / size.rows
        let idsPerBin = Swift.max(1, (extent.idEnd + size.columns - 1) / size.columns)
        var collector = MaskCollector(traceIndex: traceIndex, stream: stream, rowsPerBin: rowsPerBin, idsPerBin: idsPerBin)
        _ = input.analyze(options: options, observer: &collector)
        var cells: [Cell] = []
        for (own, rows) in [(false, collector.visibleRows), (true, collector.ownRows)] {
            cells += merge(rows, own: own, rowsPerBin: rowsPerBin, idsPerBin: idsPerBin, steps: extent.steps, idEnd: extent.idEnd)
        }
        let name = collector.header?.method ?? input.displayName
        return Map(name: name, stream: stream, steps: extent.steps, idEnd: extent.idEnd, rowsPerBin: rowsPerBin, idsPerBin: idsPerBin, cells: cells)
    }

    /// Runs of each row, with a run that repeats on the next rows extended down.
    static func merge(_ rows: [IntervalSet], own: Bool, rowsPerBin: Int, idsPerBin: Int, steps: Int, idEnd: Int) -> [Cell] {
        var done: [Cell] = []
        var open: [Range<Int>: Int] = [:]  // column run → first row
        func close(_ run: Range<Int>, from first: Int, to end: Int) {
            done.append(Cell(
                own: own, steps: (first * rowsPerBin)..<Swift.min(steps, end * rowsPerBin),
                ids: (run.lowerBound * idsPerBin)..<Swift.min(idEnd, run.upperBound * idsPerBin)))
        }
        for (row, set) in rows.enumerated() {
            let runs = Set(set.ranges)
            for (run, first) in open where !runs.contains(run) {
                close(run, from: first, to: row)
                open[run] = nil
            }
            for run in set.ranges where open[run] == nil { open[run] = row }
        }
        for (run, first) in open { close(run, from: first, to: rows.count) }
        return done.sorted { ($0.steps.lowerBound, $0.ids.lowerBound) < ($1.steps.lowerBound, $1.ids.lowerBound) }
    }

    public static func layout(_ map: Map, title: String, width: Double, height: Double) -> Scene {
        let frame = ChartFrame(width: width, height: height, title: title, legend: legend)
        let p = frame.plot
        let x = NiceScale(minimum: 0, maximum: Double(map.idEnd), ticks: Swift.max(2, Int(width / 110)), integral: true, pixels: p.left...p.right)
        let y = NiceScale(minimum: 0, maximum: Double(map.steps), ticks: Swift.max(2, Int(height / 60)), integral: true, pixels: p.top...p.bottom)
        var axes = frame.axes(x: x, y: y, xLabel: "token id", yLabel: "generation step (stream \(map.stream))")
        // The grid would show through the gaps between cells as stripes: drop it.
        axes.children[0].marks = []
        var groups: [MarkGroup] = []
        for own in [false, true] {
            let color = Palette.color(own ? 1 : 0)
            var group = MarkGroup(className: "series", id: own ? "created" : "visible", title: own ? "created by the step" : "visible to the step", crispEdges: true)
            for cell in map.cells where cell.own == own {
                let left = x.position(Double(cell.ids.lowerBound)), right = x.position(Double(cell.ids.upperBound))
                let top = y.position(Double(cell.steps.lowerBound)), bottom = y.position(Double(cell.steps.upperBound))
                // Half a pixel into the next row, so rows of about a pixel never leave a gap.
                let overlap = cell.steps.upperBound < map.steps ? 0.5 : 0
                group.marks.append(.rect(x: left, y: top, width: right - left, height: bottom - top + overlap, Style(fill: color)))
            }
            groups.append(group)
        }
        let binning = map.rowsPerBin == 1 && map.idsPerBin == 1
            ? "one cell per step and id"
            : "binned: a cell is \(map.rowsPerBin) step\(map.rowsPerBin == 1 ? "" : "s") × \(map.idsPerBin) id\(map.idsPerBin == 1 ? "" : "s"), filled when any of its ids is visible to any of its steps"
        let description = "Visibility map of \(map.name), stream \(map.stream): \(map.steps) steps, ids 0 to \(map.idEnd - 1); \(binning); \(map.cells.count) rectangles."
        return Scene(width: width, height: height, title: title, description: description,
                     groups: [frame.header(), axes, MarkGroup(className: "plot", children: groups)])
    }

    /// The rectangles drawn: steps and ids as half-open ranges.
    public static func csv(_ map: Map) -> String {
        var text = "kind,first_step,end_step,first_id,end_id\n"
        for cell in map.cells {
            text += "\(cell.own ? "created" : "visible"),\(cell.steps.lowerBound),\(cell.steps.upperBound),\(cell.ids.lowerBound),\(cell.ids.upperBound)\n"
        }
        return text
    }
}
