import DepTrace
import DepTraceCharts

/// The Python of the notebook's code cells: pandas reads the CSV files of
/// the folder, matplotlib draws. Each cell reads only those files and what
/// the cells above it defined, so the notebook reruns from the CSVs alone.
enum StudyCode {
    /// `text` as a Python string literal (JSON's escapes are Python's too).
    static func literal(_ text: String) -> String { JSONEncoding.string(text) }

    static func list(_ items: [String]) -> String { "[" + items.map(literal).joined(separator: ", ") + "]" }

    /// `items` as a Python list that fits lines of `width` characters:
    /// on one line when it can, else one indented line per few items.
    static func list(_ items: [String], width: Int, used: Int) -> String {
        let single = list(items)
        guard used + single.count > width else { return single }
        var lines: [String] = []
        var line = "   "
        for item in items.map(literal) {
            if line.count + item.count + 2 > width, line.count > 3 {
                lines.append(line)
                line = "   "
            }
            line += " " + item + ","
        }
        lines.append(line)
        return "[\n" + lines.joined(separator: "\n") + "\n]"
    }

    static func setup(keys: [String]) -> String {
        """
        # The tables and charts below read only the CSV files beside this notebook,
        # written by `deptrace export notebook`: rerun it after exporting again.
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd

        KEYS = \(list(keys))  # the --group-by keys: a group is one combination of their values
        pd.options.display.precision = 2


        def read(name):
            \"\"\"One of the CSV files of this folder, the grouping keys read as text.\"\"\"
            return pd.read_csv(name, dtype={key: str for key in KEYS})


        def group_name(row):
            \"\"\"A group's name as DepTrace's charts write it: its key values, (none) where missing.\"\"\"
            return ", ".join("(none)" if pd.isna(row[key]) else row[key] for key in KEYS)


        traces = read("traces.csv")
        traces["group"] = [group_name(row) for _, row in traces.iterrows()]

        # DepTrace's chart styles: the Okabe-Ito colours (yellow left out, too faint on
        # white), and a dash pattern of its own for each round of seven, so no two
        # groups share colour and dash however many there are.
        OKABE_ITO = \(list(Palette.series))
        DASHES = [(), (7, 3), (2, 2), (9, 3, 2, 3), (4, 2, 1, 2)]


        def style(index):
            \"\"\"The colour and dash of group number index, as in DepTrace's SVG charts.\"\"\"
            cycle = index // len(OKABE_ITO)
            dash = DASHES[cycle] if cycle < len(DASHES) else (cycle + 6, 3, 2, 3)
            return {"color": OKABE_ITO[index % len(OKABE_ITO)], "dashes": dash}
        """
    }

    /// Reads `file` into `variable` and shows `columns` of it.
    static func table(_ variable: String, file: String, columns: [String]) -> String {
        "\(variable) = read(\(literal(file)))\n" + show(variable, columns: columns)
    }

    /// Shows `columns` of the frame `variable`.
    static func show(_ variable: String, columns: [String]) -> String {
        let single = "\(variable)[\(list(columns))]"
        guard single.count > 88 else { return single }
        return "columns = \(list(columns, width: 88, used: 10))\n\(variable)[columns]"
    }

    static func timeline(title: String) -> String {
        """
        timelines = pd.read_csv("timelines.csv")
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for index, group in enumerate(traces["group"].unique()):
            # The group's trace of median Dep (the lower of the two middle ones).
            members = traces[traces["group"] == group].sort_values("dep", kind="stable")
            chosen = members.iloc[(len(members) - 1) // 2]
            points = timelines[(timelines["file"] == chosen["file"]) & (timelines["trace"] == chosen["trace"])]
            peak = points.loc[points["tokens"].idxmax()]
            # Lines only (fills would stack); the peak is marked on the line and its value named in the legend.
            (line,) = ax.plot(points["step"], points["tokens"], linewidth=1.5, label=f"{group}: peak {peak['tokens']:.10g}",
                              **style(index))
            ax.plot([peak["step"]], [peak["tokens"]], marker="o", markerfacecolor="white", color=line.get_color())
        ax.set(xlabel="generation step (forward pass)", ylabel="tokens in context, |V| + n (mean over streams)",
               title=\(literal(title)))
        ax.set_ylim(bottom=0)
        # The legend beside the plot, never over the data.
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
        plt.show()
        """
    }

    static func meanBars(metric: String, title: String, defineHelper: Bool) -> String {
        let call = "mean_bars(\(literal(metric)), \(literal(title)))"
        guard defineHelper else { return call }
        return """
        rng = np.random.default_rng(1)


        def mean_bars(metric, title, resamples=2000):
            \"\"\"The mean of a metric per group, with a 95% percentile-bootstrap interval.

            numpy draws other resamples than DepTrace: the means are the same, the
            interval ends differ a little from the saved chart's.
            \"\"\"
            names, means, below, above = [], [], [], []
            for group in traces["group"].unique():
                values = traces.loc[traces["group"] == group, metric].dropna().to_numpy(dtype=float)
                if len(values) == 0:
                    continue
                resampled = [rng.choice(values, len(values)).mean() for _ in range(resamples)]
                low, high = np.percentile(resampled, [2.5, 97.5])
                names.append(group)
                means.append(values.mean())
                below.append(max(0.0, values.mean() - low))
                above.append(max(0.0, high - values.mean()))
            fig, ax = plt.subplots(figsize=(8, 4.5))
            ax.bar(names, means, yerr=[below, above], capsize=4, color="#0072B2", alpha=0.85)
            ax.set(ylabel=f"mean {metric} per trace", title=title)
            ax.tick_params(axis="x", labelrotation=30)
            plt.show()


        \(call)
        """
    }

    static func distribution(metric: String, title: String, defineHelper: Bool) -> String {
        let call = "distribution(\(literal(metric)), \(literal(title)))"
        guard defineHelper else { return call }
        return """
        def distribution(metric, title):
            \"\"\"The empirical cumulative distribution of a metric, one line per group.\"\"\"
            fig, ax = plt.subplots(figsize=(8, 4.5))
            for index, group in enumerate(traces["group"].unique()):
                values = np.sort(traces.loc[traces["group"] == group, metric].dropna().to_numpy(dtype=float))
                if len(values) > 0:
                    ax.step(values, np.arange(1, len(values) + 1) / len(values), where="post", label=group, **style(index))
            ax.set(xlabel=metric, ylabel="share of traces at or below", title=title)
            ax.set_ylim(0, 1.02)
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
            plt.show()


        \(call)
        """
    }

    static func pareto(title: String) -> String {
        """
        # correct is true, false or missing (no claim in the end record); accuracy and Dep both come from
        # the judged traces, as in DepTrace's own chart.
        correct = traces["correct"].map({True: 1.0, False: 0.0, "true": 1.0, "false": 0.0, "True": 1.0, "False": 0.0})
        judged = traces.assign(correct=correct).dropna(subset=["correct"])
        points = judged.groupby("group", sort=False).agg(mean_dep=("dep", "mean"), accuracy=("correct", "mean"), judged=("correct", "size"))
        # Non-dominated: no other group has at most its Dep and at least its accuracy, one of them strictly.
        points["non_dominated"] = [
            not any(o.mean_dep <= p.mean_dep and o.accuracy >= p.accuracy and (o.mean_dep < p.mean_dep or o.accuracy > p.accuracy)
                    for o in points.itertuples())
            for p in points.itertuples()
        ]
        fig, ax = plt.subplots(figsize=(8, 4.5))
        front = points[points["non_dominated"]].sort_values("mean_dep")
        ax.plot(front["mean_dep"], front["accuracy"], linestyle="--", color="#222222", linewidth=1)
        for index, (name, point) in enumerate(points.iterrows()):
            color = style(index)["color"]
            ax.scatter(point["mean_dep"], point["accuracy"], s=40, edgecolors=color,
                       color=color if point["non_dominated"] else "white", zorder=3)
            ax.annotate(f"{name} ({point['accuracy'] * 100:.2f}%, {point['judged']:.0f} judged)", (point["mean_dep"], point["accuracy"]),
                        textcoords="offset points", xytext=(6, 4), fontsize=8)
        ax.set(xlabel="mean dep per judged trace (tokens)", ylabel="accuracy (share of correct traces)", title=\(literal(title)))
        ax.set_xlim(left=0)
        ax.set_ylim(-0.02, 1.05)
        plt.show()
        """
    }
}
