import DepTrace

/// Renders ``RunComparison``s: a terminal table, CSV, the JSON of issue 7, Markdown and LaTeX.
public enum CompareReport {
    /// The JSON keys, in order (group keys come after `baseline` when grouping).
    public static let jsonKeys = [
        "method", "baseline", "paired", "unpaired_method", "unpaired_baseline", "ratio", "ratio_lo", "ratio_hi",
        "geo_ratio", "geo_ratio_lo", "geo_ratio_hi", "peak_ratio", "peak_ratio_lo", "peak_ratio_hi",
        "resident_peak_ratio", "resident_peak_ratio_lo", "resident_peak_ratio_hi", "kv_bytes_ratio", "kv_bytes_ratio_lo", "kv_bytes_ratio_hi",
        "accuracy", "baseline_accuracy", "self_ratio",
    ]

    /// The estimates of a comparison with their JSON names, in column order.
    static func estimates(_ comparison: RunComparison) -> [(name: String, estimate: RunComparison.Estimate)] {
        [("ratio", comparison.ratio), ("geo_ratio", comparison.geoRatio), ("peak_ratio", comparison.peakRatio),
         ("resident_peak_ratio", comparison.residentPeakRatio), ("kv_bytes_ratio", comparison.kvBytesRatio)]
    }

    private static func json(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return JSONEncoding.number(value)
    }

    private static func csv(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return "\(value)"
    }

    private static func fixed(_ value: Double?, _ decimals: Int = 2) -> String {
        guard let value else { return "-" }
        return MetricFormatting.fixed(value, decimals: decimals, trimmingZeros: false)
    }


    private static func interval(_ estimate: RunComparison.Estimate) -> String {
        guard let low = estimate.low, let high = estimate.high else { return "-" }
        return "[\(fixed(low)), \(fixed(high))]"
    }

    private static func title(_ comparison: RunComparison, groupBy: [String]) -> String {
        let group = zip(groupBy, comparison.group).map { "\($0)=\($1)" }.joined(separator: " ")
        return comparison.method + (group.isEmpty ? "" : " (\(group))")
    }

    /// Renders `comparisons`.
    /// - Parameters:
    ///   - groupBy: the grouping keys the comparisons were made with.
    ///   - highlight: Markdown and LaTeX: the best ratio in bold, the second underlined.
    ///   - resamples: shown in the captions.
    public static func render(
        _ comparisons: [RunComparison], groupBy: [String] = [], format: ReportFormat, highlight: Bool = false,
        resamples: Int = Bootstrap.defaultResamples, width: Int = Int.max
    ) -> String {
        switch format {
        case .table:
            if comparisons.isEmpty { return "no method trace analysed\n" }
            var output = ""
            for comparison in comparisons {
                output += "\(title(comparison, groupBy: groupBy)) vs \(comparison.baseline): \(comparison.paired) paired sample\(comparison.paired == 1 ? "" : "s")\n"
                var table = TextTable(headers: ["  metric", "value", "95% interval"], alignments: [.left, .right, .left])
                table.append(["  ratio (of means)", fixed(comparison.ratio.value), interval(comparison.ratio)])
                table.append(["  geo_ratio", fixed(comparison.geoRatio.value), interval(comparison.geoRatio)])
                table.append(["  peak_ratio", fixed(comparison.peakRatio.value), interval(comparison.peakRatio)])
                table.append(["  resident_peak_ratio", fixed(comparison.residentPeakRatio.value), interval(comparison.residentPeakRatio)])
                if comparison.kvBytesRatio.value != nil {
                    table.append(["  kv_bytes_ratio", fixed(comparison.kvBytesRatio.value), interval(comparison.kvBytesRatio)])
                }
                table.append(["  accuracy", MetricFormatting.accuracyText(comparison.accuracy), ""])
                table.append(["  baseline_accuracy", MetricFormatting.accuracyText(comparison.baselineAccuracy), ""])
                table.append(["  self_ratio", fixed(comparison.selfRatio), ""])
                output += table.render(width: width) + "\n"
                output += unpairedLines(comparison).map { "  " + $0 + "\n" }.joined()
                output += "\n"
            }
            return output
        case .csv:
            var output = CSVWriter.row(["method", "baseline"] + groupBy + jsonKeys.dropFirst(2))
            for comparison in comparisons {
                let e = estimates(comparison).flatMap { [csv($0.estimate.value), csv($0.estimate.low), csv($0.estimate.high)] }
                output += CSVWriter.row(
                    [comparison.method, comparison.baseline] + comparison.group
                        + [comparison.pairedSamples.joined(separator: ";"), comparison.unpairedMethod.joined(separator: ";"), comparison.unpairedBaseline.joined(separator: ";")]
                        + e + [csv(MetricFormatting.accuracyPercent(comparison.accuracy)), csv(MetricFormatting.accuracyPercent(comparison.baselineAccuracy)),
                               csv(comparison.selfRatio)])
            }
            return output
        case .json:
            var output = "["
            for (offset, comparison) in comparisons.enumerated() {
                func list(_ ids: [String]) -> String { "[" + ids.map(JSONEncoding.string).joined(separator: ",") + "]" }
                var members = [("method", JSONEncoding.string(comparison.method)), ("baseline", JSONEncoding.string(comparison.baseline))]
                members += zip(groupBy, comparison.group).map { ($0, JSONEncoding.string($1)) }
                members += [("paired", list(comparison.pairedSamples)), ("unpaired_method", list(comparison.unpairedMethod)),
                            ("unpaired_baseline", list(comparison.unpairedBaseline))]
                for (name, estimate) in estimates(comparison) {
                    members += [(name, json(estimate.value)), (name + "_lo", json(estimate.low)), (name + "_hi", json(estimate.high))]
                }
                members += [("accuracy", json(MetricFormatting.accuracyPercent(comparison.accuracy))),
                            ("baseline_accuracy", json(MetricFormatting.accuracyPercent(comparison.baselineAccuracy))), ("self_ratio", json(comparison.selfRatio))]
                output += (offset == 0 ? "\n{" : ",\n{") + members.map { JSONEncoding.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
            }
            return output + (comparisons.isEmpty ? "]\n" : "\n]\n")
        case .markdown, .latex:
            let table = paperTable(comparisons, groupBy: groupBy, resamples: resamples)
            var output = format == .latex ? table.latex(highlight: highlight) : table.markdown(highlight: highlight)
            let notes = comparisons.flatMap { comparison in unpairedLines(comparison).map { "\(title(comparison, groupBy: groupBy)): \($0)" } }
            if !notes.isEmpty {
                output += notes.map { format == .latex ? "% " + $0 + "\n" : "\n" + TextEscaping.markdown($0) + "\n" }.joined()
            }
            return output
        }
    }

    /// The unpaired and duplicate samples, listed by id.
    static func unpairedLines(_ comparison: RunComparison) -> [String] {
        var lines: [String] = []
        if !comparison.unpairedMethod.isEmpty {
            lines.append("unpaired in \(comparison.method) (not in the baseline): \(comparison.unpairedMethod.joined(separator: ", "))")
        }
        if !comparison.unpairedBaseline.isEmpty {
            lines.append("unpaired in the baseline \(comparison.baseline) (not in \(comparison.method)): \(comparison.unpairedBaseline.joined(separator: ", "))")
        }
        if comparison.paired == 0 {
            lines.append(pairingExplanation(comparison))
        }
        if !comparison.duplicateSamples.isEmpty {
            lines.append("samples seen twice in one run (the first trace used): \(comparison.duplicateSamples.joined(separator: ", "))")
        }
        return lines
    }

    /// Why nothing is paired: the keys whose values the two sides never share.
    public static func pairingExplanation(_ comparison: RunComparison) -> String {
        guard !comparison.pairingKeys.isEmpty else {
            return "nothing paired: the baseline has no trace" + (comparison.group.isEmpty ? "" : " in this group")
        }
        let keys = comparison.pairingKeys.filter(\.disagrees)
        guard !keys.isEmpty else {
            let names = comparison.pairingKeys.map(\.key).joined(separator: ", ")
            return "nothing paired: no trace of \(comparison.method) agrees with a baseline trace on all of \(names) at once"
        }
        return "nothing paired: " + keys.map { key in
            "\(key.key) is \(RunComparison.sampleOf(key.method)) in \(comparison.method) but \(RunComparison.sampleOf(key.baseline)) in the baseline"
        }.joined(separator: "; ")
    }

    /// The comparison as a table for papers: one row per method (and group).
    public static func paperTable(_ comparisons: [RunComparison], groupBy: [String] = [], resamples: Int = Bootstrap.defaultResamples) -> PaperTable {
        let baselines = Array(Set(comparisons.map(\.baseline))).sorted().joined(separator: ", ")
        let columns: [PaperTable.Column] = [
            .init("Paired"), .init("Ratio", better: .higher), .init("95% CI"), .init("Geo. ratio", better: .higher), .init("95% CI"),
            .init("Peak ratio", better: .higher), .init("95% CI"), .init("Resident ratio", better: .higher), .init("95% CI"),
            .init("Acc (%)", better: .higher), .init("Baseline Acc (%)"),
            .init("Self ratio"),
        ]
        var table = PaperTable(
            caption: "Dep, peak (memory read) and resident peak (memory held) compression against \(baselines): ratio of means and geometric mean of per-sample ratios, 95% percentile-bootstrap intervals (\(resamples) resamples).",
            rowHeader: "Method", groups: [(title: "", columns: columns)])
        func ratio(_ estimate: RunComparison.Estimate) -> [PaperTable.Cell] {
            [PaperTable.Cell(estimate.value, estimate.value.map { MetricFormatting.fixed($0, decimals: 2, trimmingZeros: false) } ?? ""),
             PaperTable.Cell(nil, estimate.low.flatMap { low in estimate.high.map { "[\(fixed(low)), \(fixed($0))]" } } ?? "")]
        }
        for comparison in comparisons {
            var cells = [PaperTable.Cell(Double(comparison.paired), String(comparison.paired))]
            cells += ratio(comparison.ratio) + ratio(comparison.geoRatio) + ratio(comparison.peakRatio) + ratio(comparison.residentPeakRatio)
            let accuracy = MetricFormatting.accuracyPercent(comparison.accuracy)
            cells.append(PaperTable.Cell(accuracy, accuracy.map(MetricFormatting.accuracyNumber) ?? ""))
            cells.append(PaperTable.Cell(nil, MetricFormatting.accuracyPercent(comparison.baselineAccuracy).map(MetricFormatting.accuracyNumber) ?? ""))
            cells.append(PaperTable.Cell(comparison.selfRatio, comparison.selfRatio.map { MetricFormatting.fixed($0, decimals: 2, trimmingZeros: false) } ?? ""))
            table.rows.append((title(comparison, groupBy: groupBy), cells))
        }
        return table
    }
}
