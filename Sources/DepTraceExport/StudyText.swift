import DepTrace
import DepTraceCharts
import DepTraceReports

/// The notebook's markdown: what was analysed and how, what each number
/// means, and what each table and chart shows.
enum StudyText {
    private static func code(_ text: String) -> String {
        // A backtick inside would end the span early: use a longer fence.
        text.contains("`") ? "`` " + text + " ``" : "`" + text + "`"
    }

    /// Text from the user in markdown: markup characters escaped, and `&`
    /// and `<` as entities so that no HTML is read into it.
    static func markdownText(_ text: String) -> String {
        var output = ""
        for character in TextEscaping.markdown(text) {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            default: output.append(character)
            }
        }
        return output
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private static func keyList(_ keys: [String]) -> String {
        keys.map(code).joined(separator: " and ")
    }

    static func introduction(_ traces: [StudyTrace], groups: Int, options: NotebookExporter.Options, compared: Bool) -> String {
        let analysed = traces.filter(\.outcome.isAnalysed).count
        let files = Set(traces.map(\.outcome.file)).count
        var text = "# " + markdownText(options.title) + "\n\n"
        text += "Written by \(code(options.command)) with DepTrace \(options.version)"
        text += options.stamp.map { " on \($0)." } ?? " (no date, so that the same traces always give the same files; `--stamp` adds one)."
        text += "\n\n"
        text += "**What was analysed:** \(plural(analysed, "trace")) from \(plural(files, "file")) found in "
        text += options.inputPaths.map(code).joined(separator: ", ") + ", grouped by \(keyList(options.groupBy)) into \(plural(groups, "group"))"
        if compared { text += ", and compared with the baseline run " + options.baselinePaths.map(code).joined(separator: ", ") }
        text += ".\n"
        let skipped = traces.count - analysed
        if skipped > 0 {
            text += "\(plural(skipped, "trace")) could not be analysed (invalid, or of a format version this DepTrace does not read) and are left out: `deptrace validate` names each one with its file and line.\n"
        }
        text += "\n**Options:** steps of phase \(code(options.phases)) count toward Dep; "
        text += "`timelines.csv` keeps at most \(options.timelinePoints) points per trace (each trace's largest value exactly); "
        text += "the charts' 95% intervals are DepTrace's percentile bootstrap (seed \(options.chartSeed), \(DepChart.resamples) resamples)"
        if compared { text += "; the comparison's are seeded \(options.compareSeed), \(options.resamples) resamples" }
        text += ".\n\n"
        text += "| file | what it holds |\n| --- | --- |\n"
        text += "| `traces.csv` | one row per trace: the columns of `deptrace stats --format csv` |\n"
        text += "| `groups.csv` | one row per group: count, accuracy, and mean, median, p90, p99 and sum of every metric (`deptrace stats --group-by … --format csv`) |\n"
        text += "| `timelines.csv` | tokens in context at each step of each trace, downsampled |\n"
        if compared { text += "| `compare.csv` | Dep and peak ratios against the baseline, per method (`deptrace compare --format csv`) |\n" }
        text += "| `*.svg` | the charts below, as DepTrace drew them |\n\n"
        text += "Each table and chart below has a code cell that reads only these CSV files with pandas and draws with matplotlib. "
        text += "The outputs saved in this notebook are DepTrace's own (the tables as HTML, the charts as the SVG files of this folder), "
        text += "so it reads without being run; run it (Python with pandas and matplotlib) and the charts are redrawn from the CSV files.\n"
        return text
    }

    static func definitions(keys: [String], compared: Bool) -> String {
        var text = "## What the numbers mean\n\n"
        text += "A trace records, for every forward pass (a *step*) of a generation, which token ids each layer/head (*stream*) "
        text += "holds in its KV cache and which of those it can attend to (the visible set V). "
        text += "Per-stream quantities are means over the streams.\n\n"
        text += "**`traces.csv`**, one row per trace:\n\n| column | meaning |\n| --- | --- |\n"
        text += "| `file`, `trace` | the input and the 0-based index of the trace in it |\n"
        text += "| `method`, `model`, `dataset`, `sample` | the trace header's metadata |\n"
        for entry in MetricCatalog.entries {
            text += "| `\(entry.name)` | \(TextEscaping.markdown(entry.summary)) |\n"
        }
        for key in StudyTables.extraKeys(keys) {
            text += "| \(code(key)) | the header's \(code(key)), a grouping key |\n"
        }
        text += "\n**`groups.csv`**, one row per group: the grouping keys (\(keyList(keys))), `count` (traces), "
        text += "`accuracy` (share of traces whose end record says `correct: true`, among those that say either; empty when none does), "
        text += "and for every numeric metric `<metric>_mean`, `_median`, `_p90`, `_p99` (quantiles interpolated linearly, as numpy and pandas do) and `_sum`.\n\n"
        text += "**`timelines.csv`**: `file` and `trace` as in `traces.csv`, `step` (0-based step index), and `tokens`, "
        text += "the tokens the step attends to, \\|V\\| + n (mean over streams): the curve whose area is Dep. "
        text += "Long traces are downsampled to the smallest and largest value of consecutive runs of steps, so each trace's largest `tokens` is exact: "
        text += "it equals `peak_kv / streams` (`peak` for one stream).\n"
        if compared {
            text += "\n**`compare.csv`**, one row per method: traces are paired with the baseline's by `sample` and `dataset`; "
            text += "`paired`, `unpaired_method` and `unpaired_baseline` list sample ids (`;`-separated); "
            text += "`ratio` = mean Dep(baseline) / mean Dep(method) over the paired samples (the paper's reading), `geo_ratio` the geometric mean of per-sample ratios, "
            text += "`peak_ratio` as `ratio` for peak, each with its 95% bootstrap interval (`_lo`, `_hi`); "
            text += "`accuracy` and `baseline_accuracy` of the paired traces, and the mean `self_ratio`.\n"
        }
        return text
    }

    static let tracesHeading = "## Per-trace metrics\n\nEvery analysed trace, a few of the columns of `traces.csv`; `traces` holds them all."

    static let groupsHeading = "## Per group\n\nStatistics of the main metrics over each group; `groups` holds every metric's."

    static func compareHeading(baseline: [String]) -> String {
        "## Against the baseline\n\nEach method's Dep and peak against the baseline run " + baseline.map(code).joined(separator: ", ")
            + ": ratios above 1 mean less memory than the baseline. Rows with no paired sample have no ratio."
    }

    static func timelineHeading(points: Int) -> String {
        "## Tokens in context per step\n\nFor each group, its trace of median Dep: the tokens each step attends to, \\|V\\| + n (mean over streams). "
            + "The shaded area under a curve is the trace's Dep (counting only the counted phases' steps); the peak is marked. "
            + "The saved chart also marks compress steps (below the axis) and marks (above it); the redrawn one draws only the curves, from at most \(points) points per trace in `timelines.csv`."
    }

    static func meanHeading(seed: UInt64) -> String {
        "## Dep and peak per group\n\nThe mean per group, with a 95% percentile-bootstrap interval. "
            + "The saved charts use DepTrace's seeded bootstrap (seed \(seed)); the code draws its own resamples with numpy, "
            + "so a rerun gives the same means and slightly different whiskers."
    }

    static let distributionHeading = "## Distributions\n\nThe share of traces at or below each value of Dep and of peak, one line per group."

    static let paretoHeading = "## Accuracy against Dep\n\nGroups whose end records say `correct`: accuracy against mean Dep. "
        + "Filled points are non-dominated (no other group has less Dep and more accuracy) and joined by the dashed line."

    static func further(keys: [String]) -> String {
        """
        ## Going further

        `traces`, `groups` and `timelines` are ordinary data frames. A few starting points:

        ```python
        traces.groupby(KEYS)[["dep", "peak", "self_ratio"]].describe()  # more statistics per group
        traces.nlargest(10, "dep")[["file", "trace", "sample", "dep"]]  # the traces with the most Dep
        traces.plot.scatter(x="output_tokens", y="dep")                 # Dep against output length
        ```

        One trace in full detail, every step: `deptrace timeline FILE --trace N` (CSV), or `deptrace export perfetto FILE -o trace.json` to scrub through it in Perfetto.
        """
    }
}
