import DepTrace
import DepTraceCharts
import DepTraceReports

/// One file of an export: its name in the folder and its bytes.
public struct ExportFile: Sendable, Hashable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    init(_ name: String, _ text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }
}

/// Writes a study folder: per-trace, per-group, timeline and comparison
/// CSV files, SVG charts, and `study.ipynb`, a Jupyter notebook whose code
/// cells read those CSV files with pandas and whose saved outputs are the
/// tables and charts DepTrace drew.
///
/// The same traces and options give the same bytes: nothing depends on the
/// time, the machine or the folder written to, unless a stamp is given.
public enum NotebookExporter {
    /// What the export is made with.
    public struct Options: Sendable {
        /// The notebook's heading.
        public var title: String
        /// Header keys that group traces (one or two: the charts draw two at most).
        public var groupBy: [String]
        /// The command that made the export, shown in the notebook (without its output folder).
        public var command: String
        /// The DepTrace version.
        public var version: String
        /// A date to print in the notebook, or nil for none.
        public var stamp: String?
        /// The paths read, and the baseline's, as given.
        public var inputPaths: [String]
        public var baselinePaths: [String]
        /// The phases whose steps count toward Dep, as given (`decode`).
        public var phases: String
        /// The most points each trace keeps in `timelines.csv`.
        public var timelinePoints: Int
        /// Seed of the charts' bootstrap whiskers (DepChart) and of the comparison's.
        public var chartSeed: UInt64 = 1
        public var compareSeed: UInt64 = 0
        public var resamples = Bootstrap.defaultResamples

        public init(
            title: String, groupBy: [String], command: String, version: String, stamp: String? = nil,
            inputPaths: [String], baselinePaths: [String] = [], phases: String = "decode", timelinePoints: Int = defaultTimelinePoints
        ) {
            self.title = title
            self.groupBy = groupBy
            self.command = command
            self.version = version
            self.stamp = stamp
            self.inputPaths = inputPaths
            self.baselinePaths = baselinePaths
            self.phases = phases
            self.timelinePoints = timelinePoints
        }
    }

    /// Points per trace in `timelines.csv` unless told otherwise.
    public static let defaultTimelinePoints = 200

    /// Every name an export may write; a new export into the same folder
    /// removes those it did not write this time (a chart with nothing to draw).
    public static let fileNames = [
        "traces.csv", "groups.csv", "timelines.csv", "compare.csv",
        "timeline.svg", "dep.svg", "peak.svg", "dep-cdf.svg", "peak-cdf.svg", "pareto.svg", "study.ipynb",
    ]

    /// The files of the export.
    /// - Parameters:
    ///   - traces: every trace read, analysed or not, in input order.
    ///   - baseline: the baseline run's traces, or nil for no comparison.
    /// - Throws: ``ExportError`` when no trace could be analysed.
    public static func export(_ traces: [StudyTrace], baseline: [TraceOutcome]?, options: Options) throws(ExportError) -> [ExportFile] {
        let keys = options.groupBy
        let analysed = traces.filter(\.outcome.isAnalysed)
        let outcomes = analysed.map(\.outcome)
        guard !analysed.isEmpty else {
            throw ExportError(description: "nothing to export: no trace in \(options.inputPaths.joined(separator: " ")) could be analysed")
        }
        var files: [ExportFile] = []
        var cells: [Notebook.Cell] = []
        let textColumns = Set(keys)

        // Tables.
        let tracesCSV = StudyTables.traces(outcomes, keys: keys)
        files.append(ExportFile("traces.csv", tracesCSV))
        let groups = GroupSummary.group(outcomes, by: keys)
        let groupsCSV = StudyTables.groups(groups, keys: keys)
        files.append(ExportFile("groups.csv", groupsCSV))
        files.append(ExportFile("timelines.csv", StudyTables.timelines(analysed)))
        let compareKeys = keys.filter { $0 != "method" }
        var compareCSV: String?
        if let baseline {
            let comparisons = RunComparison.compare(
                baseline: baseline, runs: traces.map(\.outcome),
                options: ComparisonOptions(groupBy: compareKeys, resamples: options.resamples, seed: options.compareSeed))
            compareCSV = StudyTables.compare(comparisons, groupBy: compareKeys)
            files.append(ExportFile("compare.csv", compareCSV ?? ""))
        }

        cells.append(.markdown("introduction", StudyText.introduction(traces, groups: groups.count, options: options, compared: baseline != nil)))
        cells.append(.markdown("definitions", StudyText.definitions(keys: keys, compared: baseline != nil)))
        cells.append(.code("setup", StudyCode.setup(keys: keys)))

        let traceColumns = unique(["file", "trace", "method"] + keys + ["sample", "dep", "peak", "resident_peak", "self_ratio", "correct"])
        cells.append(.markdown("traces-heading", StudyText.tracesHeading))
        cells.append(.code("traces-table", StudyCode.show("traces", columns: traceColumns),
                           outputs: [try table(tracesCSV, columns: traceColumns, textColumns: textColumns)]))

        let groupColumns = keys + ["count", "accuracy", "dep_mean", "dep_median", "dep_p90", "peak_mean", "peak_p90", "self_ratio_mean"]
        cells.append(.markdown("groups-heading", StudyText.groupsHeading))
        cells.append(.code("groups-table", StudyCode.table("groups", file: "groups.csv", columns: groupColumns),
                           outputs: [try table(groupsCSV, columns: groupColumns, textColumns: textColumns)]))

        if let compareCSV {
            let compareColumns = ["method", "baseline"] + compareKeys
                + ["ratio", "ratio_lo", "ratio_hi", "geo_ratio", "peak_ratio", "peak_ratio_lo", "peak_ratio_hi", "accuracy", "baseline_accuracy", "self_ratio"]
            cells.append(.markdown("compare-heading", StudyText.compareHeading(baseline: options.baselinePaths)))
            cells.append(.code("compare-table", StudyCode.table("compare", file: "compare.csv", columns: compareColumns),
                               outputs: [try table(compareCSV, columns: compareColumns, textColumns: textColumns)]))
        }

        // Charts: each saved as a file and shown as the output of the code that redraws it.
        func chart(_ name: String, _ scene: Scene?, id: String, heading: String?, code: String) throws(ExportError) {
            guard let scene else { return }
            let svg = try StudyCharts.svg(scene)
            files.append(ExportFile(name: name, bytes: svg))
            if let heading { cells.append(.markdown(id + "-heading", heading)) }
            cells.append(.code(id + "-chart", code, outputs: [figure(svg, name: name)]))
        }
        try chart("timeline.svg", StudyCharts.timeline(analysed, keys: keys), id: "timeline",
                  heading: StudyText.timelineHeading(points: options.timelinePoints), code: StudyCode.timeline(title: StudyCharts.timelineTitle))
        try chart("dep.svg", StudyCharts.mean(outcomes, keys: keys, metric: "dep", seed: options.chartSeed), id: "dep",
                  heading: StudyText.meanHeading(seed: options.chartSeed),
                  code: StudyCode.meanBars(metric: "dep", title: StudyCharts.meanTitle("dep", keys: keys), defineHelper: true))
        try chart("peak.svg", StudyCharts.mean(outcomes, keys: keys, metric: "peak", seed: options.chartSeed), id: "peak",
                  heading: nil, code: StudyCode.meanBars(metric: "peak", title: StudyCharts.meanTitle("peak", keys: keys), defineHelper: false))
        try chart("dep-cdf.svg", StudyCharts.distribution(outcomes, keys: keys, metric: "dep"), id: "dep-cdf",
                  heading: StudyText.distributionHeading,
                  code: StudyCode.distribution(metric: "dep", title: StudyCharts.distributionTitle("dep"), defineHelper: true))
        try chart("peak-cdf.svg", StudyCharts.distribution(outcomes, keys: keys, metric: "peak"), id: "peak-cdf",
                  heading: nil, code: StudyCode.distribution(metric: "peak", title: StudyCharts.distributionTitle("peak"), defineHelper: false))
        try chart("pareto.svg", StudyCharts.pareto(outcomes, keys: keys), id: "pareto",
                  heading: StudyText.paretoHeading, code: StudyCode.pareto(title: StudyCharts.paretoTitle))
        cells.append(.markdown("further", StudyText.further(keys: keys)))

        let notebook = Notebook(cells: cells, deptraceMetadata: [
            ("command", .string(options.command)),
            ("version", .string(options.version)),
        ] + (options.stamp.map { [("stamp", JSONValue.string($0))] } ?? []))
        files.append(ExportFile("study.ipynb", notebook.text()))
        return files
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// A table as a cell's result: HTML, and text for front ends without HTML.
    private static func table(_ csv: String, columns: [String], textColumns: Set<String>) throws(ExportError) -> Notebook.Output {
        let frame = try FrameTable(csv: csv, columns: columns, textColumns: textColumns)
        return Notebook.Output(.executeResult, data: [("text/html", frame.html()), ("text/plain", frame.plainText())])
    }

    /// A chart as a cell's displayed figure: the SVG element without its XML
    /// declaration, which has no place inside an HTML page.
    private static func figure(_ svg: [UInt8], name: String) -> Notebook.Output {
        var bytes = svg[...]
        if bytes.starts(with: Array("<?xml".utf8)), let close = bytes.indices.first(where: { bytes[$0...].starts(with: Array("?>".utf8)) }) {
            bytes = bytes[(close + 2)...].drop { $0 == UInt8(ascii: "\n") }
        }
        return Notebook.Output(.displayData, data: [("image/svg+xml", String(decoding: bytes, as: UTF8.self)), ("text/plain", "<DepTrace chart \(name)>")])
    }
}
