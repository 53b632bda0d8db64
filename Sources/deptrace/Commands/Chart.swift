import ArgumentParser
import DepTrace
import DepTraceCharts
import DepTraceReports
import Foundation

struct Chart: ParsableCommand {
    static let configuration: CommandConfiguration = {
        CommandConfiguration(
            commandName: "chart",
            abstract: "Draw traces as an SVG chart: timeline, dep, hist, mask or pareto.",
            discussion: """
                Kinds:
                  timeline  tokens in context (|V| + n) per step of trace --trace of every
                            file, one line each (a single trace: the shaded area is Dep);
                            where the tokens held (|R| + n) differ, a dotted line beside it.
                            Peaks are marked and their values named in the legend; compress
                            steps and marks are ticks on the step axis. Long traces keep each
                            pixel column's minimum and maximum, so the peak drawn is exact.
                  dep       mean of --metric (default dep) per --group-by group (default
                            method), with 95% bootstrap interval whiskers (seeded by --seed);
                            a second group-by key gives grouped bars with a legend.
                  hist      distribution of --metric per --group-by group (default method;
                            --ungrouped for all traces together), or with --per-event of the
                            tokens each eviction frees; outlines, or --cdf.
                  mask      the memory map of trace --trace of one file: steps down, token
                            ids across (stream --stream, default 0); each step-id pair is
                            created by the step, visible to it, hidden but still held, or
                            freed. Large traces are binned to one cell per pixel, a cell
                            shaded by the share of its pairs in each state.
                  pareto    accuracy (share of end records with correct: true) against the
                            mean of --metric per --group-by group (default method), both over
                            the traces that say correct or not; the non-dominated groups are
                            filled and joined.

                Groups are drawn baseline first (vanilla, full, baseline or dense, or
                --baseline-group), then by name (--order value: by the value drawn). Series
                differ in colour (Okabe-Ito) and dash. Text from trace metadata is escaped by
                libxml2; the same inputs and options give the same bytes. --csv writes the
                exact numbers drawn. The output is SVG, or PDF when its name ends in .pdf and
                rsvg-convert (Debian: librsvg2-bin) is installed; for PNG, convert the SVG:
                rsvg-convert -w 1200 chart.svg -o chart.png.

                Examples:
                  deptrace chart timeline Traces/lightthinker.dtrace.jsonl -o lt.svg
                  deptrace chart timeline Traces/kvpress/ --width 6.5in -o kvpress.svg
                  deptrace chart dep Traces/simulated/ --metric peak --seed 7 -o peak.svg
                  deptrace chart hist Traces/simulated/ --per-event --cdf -o freed.svg
                  deptrace chart mask Traces/kvpress/adakv-snapkv.dtrace.jsonl -o adakv.svg
                  deptrace chart pareto Traces/ -o tradeoff.svg
                """
        )
    }()

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case timeline, dep, hist, mask, pareto
    }

    @Argument(help: ArgumentHelp("The chart: timeline, dep, hist, mask or pareto.", valueName: "kind"))
    var kind: Kind

    @OptionGroup var input: InputOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The SVG file to write (or .pdf, through rsvg-convert).", valueName: "file.svg"))
    var output: String

    @Option(help: ArgumentHelp("Also write the numbers drawn to this CSV file.", valueName: "file.csv"))
    var csv: String?

    @Option(help: ArgumentHelp("The chart's title (default: one naming what is drawn).", valueName: "text"))
    var title: String?

    @Option(help: ArgumentHelp("Width in pixels or inches: 800, 800px, 6.5in (200 to 4000 pixels; 96 pixels an inch).", valueName: "w"))
    var width: ChartLength = ChartLength(pixels: 800)

    @Option(help: ArgumentHelp("Height in pixels or inches: 450, 3in (150 to 4000 pixels).", valueName: "h"))
    var height: ChartLength = ChartLength(pixels: 450)

    @Option(help: ArgumentHelp("timeline, mask: which trace of each file, its 0-based index.", valueName: "n"))
    var trace: Int = 0

    @Option(help: ArgumentHelp("timeline, mask: one stream (layer × heads + head); timeline default: the mean over streams, mask: 0.", valueName: "s"))
    var stream: Int?

    @Option(help: ArgumentHelp("dep, hist, pareto: the per-trace metric drawn (default dep); see 'deptrace stats --help'.", valueName: "name"))
    var metric: String = "dep"

    @Option(name: .customLong("group-by"), help: ArgumentHelp("dep, hist, pareto: comma-separated header keys to group traces by (dep, pareto: default method; two keys at most).", valueName: "keys"))
    var groupBy: String?

    @Option(help: ArgumentHelp("dep: the seed of the bootstrap resampling.", valueName: "n"))
    var seed: UInt64 = 1

    @Flag(help: "hist: draw the cumulative distribution instead of a histogram.")
    var cdf = false

    @Flag(name: .customLong("per-event"), help: "hist: the tokens freed by each eviction event (the evictions after one step) instead of a per-trace metric.")
    var perEvent = false

    @Flag(help: "hist: one distribution of all traces together instead of one per group.")
    var ungrouped = false

    @Option(help: ArgumentHelp("dep, hist, pareto: the order of the groups after the baseline: name or value.", valueName: "order"))
    var order: GroupOrder.Sort = .name

    @Option(name: .customLong("baseline-group"), help: ArgumentHelp("dep, hist, pareto: the group drawn first (default: vanilla, full, baseline or dense, when present).", valueName: "name"))
    var baselineGroup: String?

    /// The output's format, from its name.
    enum OutputFormat { case svg, pdf }

    var outputFormat: OutputFormat? {
        let lower = output.lowercased()
        return lower.hasSuffix(".svg") || output == "-" || output.hasPrefix("/dev/") ? .svg : lower.hasSuffix(".pdf") ? .pdf : nil
    }

    func validate() throws {
        if !(200...4000).contains(width.pixels) { throw ValidationError("'--width' must be between 200 and 4000 pixels (\(NumberFormat.fixed(200 / ChartLength.pixelsPerInch, decimals: 2)) to \(NumberFormat.fixed(4000 / ChartLength.pixelsPerInch, decimals: 2)) in); '\(width)' is \(NumberFormat.fixed(width.pixels, decimals: 0)) pixels.") }
        if !(150...4000).contains(height.pixels) { throw ValidationError("'--height' must be between 150 and 4000 pixels (\(NumberFormat.fixed(150 / ChartLength.pixelsPerInch, decimals: 2)) to \(NumberFormat.fixed(4000 / ChartLength.pixelsPerInch, decimals: 2)) in); '\(height)' is \(NumberFormat.fixed(height.pixels, decimals: 0)) pixels.") }
        switch outputFormat {
        case .svg: break
        case .pdf:
            if Self.rsvgConvert == nil {
                throw ValidationError("'--output' \(output): PDF is made by rsvg-convert, which is not installed (Debian: apt-get install librsvg2-bin); write an .svg instead.")
            }
        case nil:
            throw ValidationError("'--output' \(output): chart writes SVG, so the name must end in .svg (or .pdf, made by rsvg-convert when installed). For PNG, write an SVG and convert it: rsvg-convert -w 1200 chart.svg -o chart.png.")
        }
        if kind != .hist, ungrouped { throw ValidationError("'--ungrouped' applies to 'hist' only.") }
        if ungrouped, groupBy != nil { throw ValidationError("'--ungrouped' and '--group-by' are mutually exclusive.") }
        if kind == .mask, order != .name || baselineGroup != nil { throw ValidationError("'--order' and '--baseline-group' apply to 'timeline', 'dep', 'hist' and 'pareto' only.") }
        if trace < 0 { throw ValidationError("'--trace' must be 0 or more.") }
        if let stream, stream < 0 { throw ValidationError("'--stream' must be 0 or more.") }
        if kind != .timeline, kind != .mask, stream != nil || trace != 0 { throw ValidationError("'--stream' and '--trace' apply to 'timeline' and 'mask' only.") }
        if kind == .timeline || kind == .mask, groupBy != nil || metric != "dep" { throw ValidationError("'--group-by' and '--metric' apply to 'dep', 'hist' and 'pareto' only.") }
        if kind != .hist, cdf || perEvent { throw ValidationError("'--cdf' and '--per-event' apply to 'hist' only.") }
        if !MetricCatalog.isMetric(metric) || ["complete", "correct"].contains(metric) {
            throw ValidationError("'--metric': unknown or non-numeric metric '\(metric)'; see 'deptrace stats --help' for the metric names.")
        }
        if kind == .mask, input.paths.contains("-") {
            throw ValidationError("'mask' reads its trace twice (its size, then its cells) and cannot take '-'; write standard input to a file first.")
        }
        if let groupBy {
            let keys = Stats.list(groupBy)
            if keys.isEmpty { throw ValidationError("'--group-by' needs at least one header key.") }
            if keys.count > 2 { throw ValidationError("'--group-by' takes at most two keys in a chart.") }
        }
    }

    func run() throws {
        let progress = ProgressReporter(enabled: input.noProgress ? false : nil)
        let log = DiagnosticLog(progress: progress)
        let size = (width: width.pixels, height: height.pixels)
        let groupOrder = GroupOrder(baseline: baselineGroup, sort: order)
        let drawn: (scene: Scene, csv: String)?
        switch kind {
        case .timeline:
            drawn = timeline(size: size, order: groupOrder, log: log)
        case .dep:
            let outcomes = analysed(log: log, progress: progress)
            let keys = groupBy.map(Stats.list) ?? ["method"]
            let groups = DepChart.groups(outcomes, keys: keys, metric: metric, seed: seed, order: groupOrder)
            drawn = groups.isEmpty ? nil : (
                DepChart.layout(groups, keys: keys, metric: metric, title: title ?? DepChart.defaultTitle(metric: metric, keys: keys, bars: groups), width: size.width, height: size.height, order: groupOrder),
                DepChart.csv(groups, keys: keys))
        case .hist:
            // Grouped by method by default, as dep and pareto are.
            let keys = ungrouped ? [] : groupBy.map(Stats.list) ?? ["method"]
            let series: [HistogramChart.Series]
            if perEvent {
                // Partial traces are left out of the groups, counted and named, as in every aggregate.
                var partial = PartialTraceTally()
                series = HistogramChart.eventSeries(input.inputs(reportingTo: log), keys: keys, options: input.analysisOptions, order: groupOrder,
                                                    includeIncomplete: input.includeIncomplete, leftOut: { partial.add($0) }) { log.report($0) }
                if let warning = partial.warning { log.report(warning) }
            } else {
                series = HistogramChart.metricSeries(analysed(log: log, progress: progress), keys: keys, metric: metric, order: groupOrder)
            }
            let quantity = perEvent ? "tokens freed per eviction event (mean over streams)" : MetricUnit.label(metric)
            let titleQuantity = perEvent ? "tokens freed per eviction event" : MetricUnit.name(metric)
            drawn = series.allSatisfy(\.values.isEmpty) ? nil : (
                HistogramChart.layout(series, quantity: quantity, cdf: cdf, title: title ?? HistogramChart.defaultTitle(quantity: titleQuantity, cdf: cdf, keys: keys, series: series), width: size.width, height: size.height, keys: keys),
                HistogramChart.csv(series, cdf: cdf))
        case .mask:
            drawn = mask(size: size, log: log)
        case .pareto:
            let keys = groupBy.map(Stats.list) ?? ["method"]
            let (entries, unjudged) = ParetoChart.entries(analysed(log: log, progress: progress), keys: keys, metric: metric, order: groupOrder)
            drawn = entries.isEmpty ? nil : (
                ParetoChart.layout(entries, unjudged: unjudged, metric: metric, title: title ?? ParetoChart.defaultTitle(metric: metric, keys: keys, entries: entries), width: size.width, height: size.height),
                ParetoChart.csv(entries, metric: metric))
        }
        guard let drawn else {
            if !log.hasErrors { log.report(Diagnostic(.error, file: input.paths.joined(separator: " "), message: "nothing to draw: no analysed trace\(kind == .hist && perEvent ? " with evictions" : kind == .pareto ? " whose end record says correct" : "")")) }
            throw ExitCode(1)
        }
        let svg = try SVGRenderer.render(drawn.scene)
        switch outputFormat {
        case .pdf: try writePDF(svg, to: output)
        default: try write(svg, to: output)
        }
        if let csv { try write(Array(drawn.csv.utf8), to: csv) }
        if log.hasErrors { throw ExitCode(1) }
    }

    private func timeline(size: (width: Double, height: Double), order: GroupOrder, log: DiagnosticLog) -> (Scene, String)? {
        var series: [TimelineSeries] = []
        // One collector per trace file; an archive is read once, not once per entry.
        for readable in input.archive.readables(input.paths, perEntry: false, log: log) {
            readable.analyzeEachFile(
                options: input.analysisOptions,
                makeObserver: { TimelineCollector(traceIndex: trace, stream: stream, capacity: TimelineChart.capacity(width: size.width)) },
                report: log.report
            ) { name, collector, summary in
                for diagnostic in collector.diagnostics { log.report(diagnostic) }
                if collector.streamOutOfRange {
                    log.report(Diagnostic(.error, file: name, trace: trace, message: "--stream \(stream ?? 0) is out of range: the trace has fewer streams"))
                } else if !collector.finished, summary.traces > 0 || summary.errors == 0 {
                    // (An entry that failed before its first trace has its error reported already.)
                    log.report(Diagnostic(.error, file: name, message: "no trace \(trace): the input holds \(summary.traces) trace\(summary.traces == 1 ? "" : "s")"))
                }
                if let item = collector.series { series.append(item) }
            }
        }
        guard !series.isEmpty else { return nil }
        TimelineChart.disambiguate(&series)
        series = TimelineChart.ordered(series, order)
        let streamLabel = stream.map { "stream \($0)" } ?? "mean over streams"
        let scene = TimelineChart.layout(series, title: title ?? TimelineChart.defaultTitle(series, trace: trace), width: size.width, height: size.height, streamLabel: streamLabel)
        return (scene, TimelineChart.csv(series))
    }

    private func mask(size: (width: Double, height: Double), log: DiagnosticLog) -> (Scene, String)? {
        let inputs = input.archive.readables(input.paths, perEntry: true, log: log)
        guard inputs.count == 1, let traceInput = inputs.first else {
            if !log.hasErrors {
                let names = inputs.prefix(3).map(\.displayName).joined(separator: ", ")
                log.report(Diagnostic(.error, file: input.paths.joined(separator: " "), message: "a mask reads one trace file; these paths hold \(inputs.count)\(inputs.isEmpty ? "" : " (\(names)\(inputs.count > 3 ? ", ..." : ""))"); name one, as ARCHIVE:ENTRY inside a bundle"))
            }
            return nil
        }
        let chosen = stream ?? 0
        guard let map = MaskChart.collect(traceInput, traceIndex: trace, stream: chosen, options: input.analysisOptions, width: size.width, height: size.height, report: { log.report($0) }) else {
            if !log.hasErrors {
                log.report(Diagnostic(.error, file: traceInput.displayName, trace: trace, message: "no trace \(trace) with steps and a stream \(chosen) to draw"))
            }
            return nil
        }
        let scene = MaskChart.layout(map, title: title ?? MaskChart.defaultTitle(map, trace: trace), width: size.width, height: size.height)
        return (scene, MaskChart.csv(map))
    }

    /// The traces that enter the chart's groups: complete ones (partial ones too with
    /// `--include-incomplete`); those left out are counted and named in a warning.
    private func analysed(log: DiagnosticLog, progress: ProgressReporter) -> [TraceOutcome] {
        var outcomes: [TraceOutcome] = []
        input.analyzeForAggregates(input.inputs(reportingTo: log), log: log, progress: progress) { outcomes.append($0) }
        return outcomes
    }

    /// rsvg-convert's path, when installed in a usual place or on `PATH`.
    static var rsvgConvert: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return folders.map { $0 + "/rsvg-convert" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes `svg` as a PDF through rsvg-convert (from a temporary SVG beside nothing of the user's).
    private func writePDF(_ svg: [UInt8], to path: String) throws {
        guard let converter = Self.rsvgConvert else {
            throw ChartWriteError(description: "\(path): PDF is made by rsvg-convert, which is not installed (Debian: apt-get install librsvg2-bin)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-chart-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ChartWriteError(description: "cannot make a temporary folder for rsvg-convert: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("chart.svg").path
        try write(svg, to: source)
        // rsvg-convert writes beside the target; the PDF is renamed into place only once it is whole.
        let target: AtomicFile
        do {
            target = try AtomicFile(path: path)
        } catch {
            throw ChartWriteError(description: error.description)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: converter)
        process.arguments = ["-f", "pdf", "-o", target.temporaryPath, source]
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw ChartWriteError(description: "cannot run \(converter): \(error.localizedDescription)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ChartWriteError(description: "\(path): rsvg-convert failed (exit \(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        do {
            try target.commit()
        } catch {
            throw ChartWriteError(description: error.description)
        }
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try FileSystem.write(bytes, to: path)
        } catch {
            throw ChartWriteError(description: error.description)
        }
    }
}

struct ChartWriteError: Error, CustomStringConvertible {
    let description: String
}

extension ChartLength: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension GroupOrder.Sort: ExpressibleByArgument {}
