import DepTrace
import DepTraceCharts
import DepTraceReports

/// The CSV tables of a study folder, each what the matching `deptrace`
/// command prints, so a notebook and the command line agree to the byte.
enum StudyTables {
    /// Header keys that `traces.csv` carries beyond the columns of `deptrace stats`.
    static func extraKeys(_ keys: [String]) -> [String] {
        keys.filter { !StatsReport.isColumn($0) }
    }

    /// The columns of `traces.csv`: those of `deptrace stats --format csv`,
    /// then the grouping keys that are not among them.
    static func traceColumns(keys: [String]) -> [String] {
        StatsReport.allColumns + extraKeys(keys)
    }

    /// The value of a `traces.csv` column for `outcome`.
    static func value(_ column: String, of outcome: TraceOutcome) -> MetricValue {
        if StatsReport.isColumn(column) { return StatsReport.value(column, of: outcome) }
        return outcome.header?.text(forKey: column).map(MetricValue.string) ?? .null
    }

    /// `traces.csv`: one row per analysed trace, as `deptrace stats --format csv`
    /// prints it (plus grouping keys that are not stats columns).
    static func traces(_ outcomes: [TraceOutcome], keys: [String]) -> String {
        let extra = extraKeys(keys)
        var report = StatsReport(format: .csv)
        var text = CSVWriter.row(StatsReport.allColumns + extra)
        for outcome in outcomes {
            var row = report.add(outcome)
            if !extra.isEmpty {
                row.removeLast()  // the line break: the extra fields follow
                row += "," + extra.map { CSVWriter.quoted(MetricFormatting.csv(value($0, of: outcome))) }.joined(separator: ",") + "\n"
            }
            text += row
        }
        return text + report.end()
    }

    /// `groups.csv`: `deptrace stats --group-by KEYS --format csv`.
    static func groups(_ groups: [GroupSummary], keys: [String]) -> String {
        GroupReport.render(groups, keys: keys, format: .csv)
    }

    /// The columns of `timelines.csv`.
    static let timelineColumns = ["file", "trace", "step", "tokens"]

    /// `timelines.csv`: every analysed trace's downsampled timeline, one row
    /// per point kept; each trace's largest value is kept exactly.
    static func timelines(_ traces: [StudyTrace]) -> String {
        var text = CSVWriter.row(timelineColumns)
        for trace in traces {
            guard trace.outcome.isAnalysed, let series = trace.timeline else { continue }
            let prefix = CSVWriter.quoted(trace.outcome.file) + "," + String(trace.outcome.index) + ","
            for point in series.sampler.points {
                text += prefix + String(point.step) + "," + MetricFormatting.csv(.quotient(point.value, series.denominator)) + "\n"
            }
        }
        return text
    }

    /// `compare.csv`: `deptrace compare --baseline … --format csv`.
    static func compare(_ comparisons: [RunComparison], groupBy: [String]) -> String {
        CompareReport.render(comparisons, groupBy: groupBy, format: .csv)
    }
}
