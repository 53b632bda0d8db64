"""The Python API against the binary it runs: same numbers, errors as exceptions, pandas optional."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import warnings

import pytest

import deptrace
from conftest import REPOSITORY, require

LIGHTTHINKER = "lightthinker.dtrace.jsonl"
VANILLA = "vanilla.dtrace.jsonl"


def cli_json(*args: str):
    return json.loads(deptrace.run(*args).stdout)


def write_broken(folder: pathlib.Path) -> pathlib.Path:
    """A file of two traces: the first evicts an id it never had (line 4), the second is valid."""
    path = folder / "broken.dtrace.jsonl"
    lines = [
        {"deptrace": 1, "method": "m", "sample": "17", "layers": 1, "heads": 1},
        {"step": "prefill", "q": [0, 4]},
        {"step": "decode", "q": [4, 1]},
        {"evict": [[12, 13]]},
        {"end": {}},
        {"deptrace": 1, "method": "m", "sample": "18", "layers": 1, "heads": 1},
        {"step": "prefill", "q": [0, 3]},
        {"step": "decode", "q": [3, 1]},
        {"end": {}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- same numbers as the CLI


def test_stats_records_are_the_cli_json(traces):
    expected = cli_json("stats", "--format", "json", str(traces))
    assert deptrace.stats(traces, as_frame=False) == expected
    assert len(expected) > 100


def test_stats_dataframe_holds_the_cli_numbers(traces):
    require("pandas")
    expected = cli_json("stats", "--format", "json", str(traces))
    frame = deptrace.stats(str(traces))
    assert list(frame.columns) == list(expected[0].keys())
    assert len(frame) == len(expected)
    for row, want in zip(frame.to_dict(orient="records"), expected):
        for key, value in want.items():
            got = row[key]
            if value is None:
                assert got is None or got != got, key  # None or NaN
            else:
                assert got == value, (key, got, value)


def test_stats_options_reach_the_binary(traces):
    path = str(traces / LIGHTTHINKER)
    rows = deptrace.stats(path, phases=["decode", "prefill"], columns="sample,dep,peak", as_frame=False)
    assert rows == cli_json("stats", "--format", "json", "--phases", "decode,prefill", "--columns", "sample,dep,peak", path)
    assert list(rows[0].keys()) == ["sample", "dep", "peak"]


def test_stats_group_by_flattens_like_csv(traces):
    rows = deptrace.stats(traces, group_by=["dataset"], as_frame=False)
    nested = cli_json("stats", "--format", "json", "--group-by", "dataset", str(traces))
    assert len(rows) == len(nested)
    handmade = next(row for row in rows if row["dataset"] == "handmade")
    source = next(group for group in nested if group["dataset"] == "handmade")
    assert handmade["dep_mean"] == source["metrics"]["dep"]["mean"]
    assert handmade["peak_p90"] == source["metrics"]["peak"]["p90"]
    assert handmade["count"] == source["count"]
    csv_header = deptrace.run("stats", "--format", "csv", "--group-by", "dataset", str(traces)).stdout.splitlines()[0]
    assert set(csv_header.split(",")) <= set(handmade)


def test_timeline(traces):
    rows = deptrace.timeline(traces / LIGHTTHINKER, as_frame=False)
    assert [row["dep"] for row in rows][-1] == 79  # Traces/README.md works it out by hand
    assert rows[4]["phase"] == "compress" and rows[4]["marks"] == ["thought 1 compressed"]
    two = traces / "h2o-two-heads.dtrace.jsonl"
    assert deptrace.timeline(two, stream=1, as_frame=False) == cli_json("timeline", "--format", "json", "--stream", "1", str(two))


def test_compare(traces):
    baseline = str(traces / "simulated" / "vanilla.dtrace")
    runs = str(traces / "simulated")
    rows = deptrace.compare(baseline, runs, seed=3, resamples=200, as_frame=False)
    assert rows == cli_json("compare", "--format", "json", "--baseline", baseline, "--seed", "3", "--resamples", "200", runs)
    assert {"method", "ratio", "ratio_lo", "ratio_hi", "paired"} <= set(rows[0])


def test_audit_failing_claim_is_a_result(tmp_path):
    trace = tmp_path / "h2o.dtrace.jsonl"
    deptrace.run("simulate", "h2o", "--budget", "1024", "--prompt", "100", "--output", "1500", "--samples", "2", "-o", str(trace))
    claims = [{"method": "h2o", "dataset": "", "metric": "peak", "value": 1000, "tolerance": 0}]
    result = deptrace.audit(trace, budget=1024, claims=claims)
    assert not result.passed and result.returncode == 1
    assert "FAIL" in result.text and "1000" in result.text
    assert "<pre>" in result._repr_html_()
    assert deptrace.audit(trace, budget=1024).passed


# ----------------------------------------------------------------------------- errors


def test_invalid_trace_raises_with_file_and_line(tmp_path):
    broken = write_broken(tmp_path)
    with pytest.raises(deptrace.DepTraceError) as caught:
        deptrace.stats(broken, as_frame=False)
    error = caught.value
    assert error.file == str(broken)
    assert error.line == 4
    assert "evict may only free resident ids" in error.message
    assert str(error).startswith(f"{broken}:4: trace 0 (sample \"17\"): ")
    assert error.returncode == 1
    assert error.diagnostics[0].trace == 0 and error.diagnostics[0].sample == "17"
    # The valid trace after the broken one is still read.
    assert [row["sample"] for row in error.result] == ["18"]


def test_invalid_trace_with_errors_warn_returns_the_valid_rows(tmp_path):
    broken = write_broken(tmp_path)
    with pytest.warns(deptrace.DepTraceWarning, match="evict may only free resident ids"):
        rows = deptrace.stats(broken, errors="warn", as_frame=False)
    assert [row["sample"] for row in rows] == ["18"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(deptrace.stats(broken, errors="ignore", as_frame=False)) == 1


def test_missing_file_raises_with_its_path(tmp_path):
    missing = tmp_path / "nope.dtrace.jsonl"
    with pytest.raises(deptrace.DepTraceError) as caught:
        deptrace.stats(missing)
    assert caught.value.file == str(missing)
    assert str(missing) in str(caught.value)


def test_usage_error_is_a_value_error(traces):
    with pytest.raises(deptrace.DepTraceUsageError, match="nope") as caught:
        deptrace.stats(traces, columns=["nope"])
    assert caught.value.returncode == 2
    assert isinstance(caught.value, ValueError)


def test_arguments_checked_before_running(traces):
    with pytest.raises(ValueError):
        deptrace.stats([])
    with pytest.raises(TypeError):
        deptrace.stats(3)
    with pytest.raises(ValueError):
        deptrace.stats(traces, errors="loud")
    with pytest.raises(ValueError):
        deptrace.chart("pie", traces)
    with pytest.raises(ValueError):
        deptrace.timeline([traces / VANILLA, traces / LIGHTTHINKER])


def test_a_path_that_looks_like_a_flag_is_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(deptrace.DepTraceError) as caught:
        deptrace.stats("--version")
    assert caught.value.file == "--version"


def test_parse_diagnostics_shapes():
    text = "\n".join(
        [
            'runs.tar:h2o/17.dtrace.jsonl:12: trace 2 (sample "a: b"): record 5: warning: incomplete trace',
            "run.dtrace: byte 4096: trace 0: checksum mismatch",
            "gone.jsonl: no such file or directory",
            "Error: '--jobs' must be 0 (one per core) or more.",
            "Usage: deptrace stats <path> ...",
            "  See 'deptrace stats --help' for more help.",
            "error: standard output: No space left on device",
            "warning: '--output 9' read as output tokens",
        ]
    )
    first, second, third, usage, error, warning = deptrace.parse_diagnostics(text)
    assert (error.file, error.severity, error.message) == (None, "error", "standard output: No space left on device")
    assert (warning.file, warning.severity) == (None, "warning")
    assert (first.file, first.line, first.trace, first.sample, first.record, first.severity) == (
        "runs.tar:h2o/17.dtrace.jsonl", 12, 2, "a: b", 5, "warning")
    assert first.message == "incomplete trace"
    assert (second.file, second.line, second.offset, second.trace, second.message) == ("run.dtrace", None, 4096, 0, "checksum mismatch")
    assert (third.file, third.message) == ("gone.jsonl", "no such file or directory")
    assert (usage.file, usage.severity, usage.message) == (None, "error", "'--jobs' must be 0 (one per core) or more.")


# ----------------------------------------------------------------------------- charts


def test_chart_shows_inline_and_saves(traces, tmp_path):
    chart = deptrace.chart("timeline", [traces / LIGHTTHINKER, traces / VANILLA], title="a < b")
    svg = chart._repr_svg_()
    assert svg.lstrip().startswith("<?xml") or svg.lstrip().startswith("<svg")
    assert "</svg>" in svg and "a &lt; b" in svg
    saved = chart.save(tmp_path / "timeline.svg")
    assert pathlib.Path(saved).read_text(encoding="utf-8") == svg
    expected = tmp_path / "cli.svg"
    deptrace.run("chart", "timeline", str(traces / LIGHTTHINKER), str(traces / VANILLA), "--title", "a < b", "-o", str(expected))
    assert expected.read_text(encoding="utf-8") == svg
    assert len(chart.data) > 0
    chart.save(tmp_path / "numbers.csv")
    assert (tmp_path / "numbers.csv").read_text(encoding="utf-8").count("\n") == len(chart.data) + 1


def test_chart_kinds_and_options(traces):
    simulated = traces / "simulated"
    dep = deptrace.chart("dep", simulated, metric="peak", seed=7, width=500, height=300)
    assert 'width="500"' in dep.svg
    hist = deptrace.chart("hist", simulated / "lightthinker-thought.dtrace", per_event=True, cdf=True)
    assert "</svg>" in hist.svg
    with pytest.raises(deptrace.DepTraceUsageError, match="--cdf"):
        deptrace.chart("dep", simulated, cdf=True)


def test_chart_of_nothing_raises(tmp_path):
    broken = tmp_path / "only-bad.dtrace.jsonl"
    broken.write_text('{"deptrace":1,"layers":1,"heads":1}\n{"evict":[[3,4]]}\n', encoding="utf-8")
    with pytest.raises(deptrace.DepTraceError) as caught:
        deptrace.chart("dep", broken)
    assert caught.value.file == str(broken) and caught.value.line == 2


# ----------------------------------------------------------------------------- without pandas


def test_without_pandas_tables_are_records(traces, no_pandas):
    rows = deptrace.stats(traces)
    assert isinstance(rows, list) and isinstance(rows[0], dict)
    assert rows == cli_json("stats", "--format", "json", str(traces))
    assert isinstance(deptrace.timeline(traces / VANILLA), list)
    chart = deptrace.chart("dep", traces / "simulated")
    assert isinstance(chart.data, list) and isinstance(chart.data[0]["mean"], float)
    with pytest.raises(ImportError, match="pip install pandas"):
        deptrace.stats(traces, as_frame=True)


def test_with_pandas_tables_are_dataframes(traces):
    pandas = require("pandas")
    assert isinstance(deptrace.stats(traces / VANILLA), pandas.DataFrame)
    assert isinstance(deptrace.timeline(traces / VANILLA), pandas.DataFrame)
    assert isinstance(deptrace.chart("dep", traces / "simulated").data, pandas.DataFrame)
    assert isinstance(deptrace.stats(traces / VANILLA, as_frame=False), list)


# ----------------------------------------------------------------------------- the installation


def test_one_version_everywhere():
    printed = deptrace.run("--version").stdout.strip()
    assert deptrace.__version__ == printed
    version_file = REPOSITORY / "VERSION"
    assert printed == version_file.read_text(encoding="utf-8").strip()
    swift = (REPOSITORY / "Sources" / "deptrace" / "DepTraceCommand.swift").read_text(encoding="utf-8")
    assert f'static let current = "{printed}"' in swift


def test_console_command_is_the_binary(traces):
    command = shutil.which("deptrace", path=os.path.dirname(sys.executable))
    if command is None:
        pytest.fail(f"no deptrace command beside {sys.executable}: is the wheel installed in this environment?")
    done = subprocess.run([command, "stats", "--format", "json", str(traces / VANILLA)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == cli_json("stats", "--format", "json", str(traces / VANILLA))
    failed = subprocess.run([command, "stats", str(traces / "missing.jsonl")], capture_output=True, text=True)
    assert failed.returncode == 1 and "missing.jsonl" in failed.stderr


def test_recorder_needs_nothing_but_python():
    code = (
        "import sys, deptrace_recorder\n"
        "loaded = {name.split('.')[0] for name in sys.modules}\n"
        "extra = loaded & {'deptrace', 'pandas', 'numpy', 'torch', 'transformers'}\n"
        "assert not extra, extra\n"
        "print(deptrace_recorder.TraceWriter.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "TraceWriter"


def test_recorder_writes_what_the_binary_reads(tmp_path):
    from deptrace_recorder import TraceWriter

    path = tmp_path / "written.dtrace.jsonl"
    with TraceWriter(str(path)) as writer:
        writer.begin(method="vanilla", sample="0")
        writer.prefill(6)
        for _ in range(5):
            writer.decode()
        writer.end(correct=True)
    rows = deptrace.stats(path, as_frame=False)
    assert (rows[0]["dep"], rows[0]["peak"]) == (45, 11)


def test_notebook_runs(monkeypatch, tmp_path):
    """Python/notebooks/deptrace-api.ipynb, its code cells in order, from a folder where ../../Traces is Traces/."""
    require("pandas")
    notebook = REPOSITORY / "Python" / "notebooks" / "deptrace-api.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    assert any("deptrace.chart(" in source for source in code) and any("deptrace.stats(" in source for source in code)
    folder = tmp_path / "Python" / "notebooks"
    folder.mkdir(parents=True)
    (tmp_path / "Traces").symlink_to(REPOSITORY / "Traces", target_is_directory=True)
    monkeypatch.chdir(folder)  # the files the notebook writes stay out of the checkout
    namespace: dict = {}
    for source in code:
        exec(compile(source, str(notebook), "exec"), namespace)
    assert namespace["mine"]["dep"].tolist() == [45]
    assert not namespace["result"].passed


def test_timeline_of_an_invalid_trace_raises_with_its_line(tmp_path):
    broken = write_broken(tmp_path)
    with pytest.raises(deptrace.DepTraceError) as caught:
        deptrace.timeline(broken)
    assert (caught.value.file, caught.value.line) == (str(broken), 4)
    assert [row["step"] for row in deptrace.timeline(broken, trace=1, errors="ignore", as_frame=False)] == [0, 1]


def test_frames_are_what_pandas_makes_of_the_records():
    pandas = require("pandas")
    from deptrace.api import _frame

    same = [{"a": 1, "b": "x", "c": None}, {"a": 2, "b": "y", "c": True}]
    assert _frame(same, None).equals(pandas.DataFrame(same))
    ragged = [{"a": 1}, {"b": 2.5, "a": 3}]
    assert _frame(ragged, None).equals(pandas.DataFrame(ragged))
    assert _frame([], None).empty
