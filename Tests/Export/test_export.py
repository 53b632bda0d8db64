"""Checks of `deptrace export` with Python's own tools.

- the notebooks validate against the nbformat schema (and are laid out as nbformat writes them);
- where Jupyter's nbclient, an IPython kernel, pandas and matplotlib are installed, the committed
  notebook runs without error, and its tables come out as saved;
- the Perfetto export is trace-event JSON whose counters are the rows of `deptrace timeline`, and,
  where the `perfetto` package's trace processor can start, it loads there.

Run from this folder: python3 -m pytest -q -rs
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess

import pytest

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMMITTED = os.path.join(REPOSITORY, "Notebooks-export")
HAND_MADE = [f"Traces/{name}.dtrace.jsonl" for name in ("h2o-two-heads", "lightthinker", "recompute-add", "vanilla")]

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (.ci/test installs it with pip)")


def find_deptrace():
    """The deptrace binary: $DEPTRACE, else the repository's debug or release build, else PATH."""
    candidates = [os.environ.get("DEPTRACE")]
    candidates += [os.path.join(REPOSITORY, ".build", kind, "deptrace") for kind in ("debug", "release")]
    candidates.append(shutil.which("deptrace"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def deptrace():
    path = find_deptrace()
    if path is None:
        pytest.skip("no deptrace binary (set DEPTRACE, build with `swift build`, or put it on PATH)")

    def run(*arguments, expect=0):
        result = subprocess.run([path, *arguments], cwd=REPOSITORY, capture_output=True, text=True, timeout=600)
        assert result.returncode == expect, f"deptrace {' '.join(arguments)} exited {result.returncode}: {result.stderr}"
        return result

    return run


def check_notebook(path):
    """Validates the notebook at `path` and checks that nbformat would write the same bytes."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)  # raises ValidationError on any schema error
    assert notebook.nbformat == 4 and notebook.nbformat_minor >= 5
    assert nbformat.writes(notebook) + "\n" == text, "the notebook is not laid out as nbformat writes it"
    return notebook


def test_committed_notebook_is_valid_nbformat():
    notebook = check_notebook(os.path.join(COMMITTED, "study.ipynb"))
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    for cell in code[1:]:
        assert cell.outputs, f"cell {cell.id} has no saved output"
        data = cell.outputs[0]["data"]
        assert "text/html" in data or "image/svg+xml" in data, cell.id
        # Code reads the CSV files beside the notebook, nothing else.
        for name in re.findall(r"read(?:_csv)?\(\"([^\"]+)\"\)", cell.source):
            assert os.path.exists(os.path.join(COMMITTED, name)), f"cell {cell.id} reads {name}, which is not in the folder"


def test_fresh_exports_are_valid_nbformat(deptrace, tmp_path):
    """Other options than the committed export's: two keys, a baseline, a title to escape, one trace per group."""
    title = 'Dep <b>&</b> "peak" | `tick` \u2028 line'
    deptrace("export", "notebook", *HAND_MADE, "--baseline", "Traces/vanilla.dtrace.jsonl", "--group-by", "dataset,method",
             "--title", title, "--timeline-points", "4", "-o", str(tmp_path / "two-keys"))
    notebook = check_notebook(tmp_path / "two-keys" / "study.ipynb")
    assert notebook.metadata["deptrace"]["command"].startswith("deptrace export notebook Traces/h2o-two-heads.dtrace.jsonl")
    assert "KEYS = [\"dataset\", \"method\"]" in notebook.cells[2].source
    deptrace("export", "notebook", "Traces/recompute-add.dtrace.jsonl", "--stamp", "-o", str(tmp_path / "one"))
    notebook = check_notebook(tmp_path / "one" / "study.ipynb")
    assert "stamp" in notebook.metadata["deptrace"]


def missing_for_execution():
    """Why the notebook cannot be executed here, or None when it can."""
    for module in ("nbclient", "ipykernel", "pandas", "matplotlib"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed: pip install nbclient ipykernel pandas matplotlib to run the notebook"
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return "no python3 Jupyter kernel is installed (python3 -m ipykernel install --user)"
    return None


@pytest.mark.skipif(missing_for_execution() is not None, reason=str(missing_for_execution()))
def test_committed_notebook_executes(tmp_path):
    from nbclient import NotebookClient

    folder = tmp_path / "run"
    shutil.copytree(COMMITTED, folder)
    saved = nbformat.read(folder / "study.ipynb", as_version=4)
    notebook = nbformat.read(folder / "study.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    for ran, kept in zip(notebook.cells, saved.cells):
        if ran.cell_type != "code":
            continue
        errors = [output for output in ran.outputs if output.output_type == "error" or output.get("name") == "stderr"]
        assert not errors, f"cell {ran.id}: {errors}"
        if kept.outputs and "text/html" in kept.outputs[0]["data"]:
            # pandas shows the CSV as DepTrace saved it (its own style block aside).
            html = re.sub(r"<style scoped>.*?</style>\n", "", ran.outputs[0]["data"]["text/html"], flags=re.S)
            assert html == kept.outputs[0]["data"]["text/html"], f"cell {ran.id}: the table reruns differently"
        elif kept.outputs:
            assert any("image/png" in output.get("data", {}) or "image/svg+xml" in output.get("data", {}) for output in ran.outputs), \
                f"cell {ran.id} drew no figure"


def timeline_rows(deptrace, path, stream=None):
    arguments = ["timeline", path, "--format", "json"] + (["--stream", str(stream)] if stream is not None else [])
    return json.loads(deptrace(*arguments).stdout)


def perfetto_counters(events, pid):
    counters = {}
    for event in events:
        if event.get("pid") == pid and event["ph"] == "C":
            (key, value), = event["args"].items()
            counters.setdefault(f"{event['name']} {key}", {})[event["ts"]] = value
    return counters


def check_perfetto(deptrace, events, pid, path, stream=None):
    rows = timeline_rows(deptrace, path, stream)
    counters = perfetto_counters(events, pid)
    assert set(counters) == {"visible tokens", "resident tokens", "Dep cumulative"}
    assert counters["visible tokens"][0] == rows[0]["visible_before"]
    assert counters["Dep cumulative"][0] == 0
    for row in rows:
        end = row["step"] + 1
        assert counters["visible tokens"][end] == row["visible_after"], (path, row)
        assert counters["resident tokens"][end] == row["resident_after"], (path, row)
        assert counters["Dep cumulative"][end] == row["dep"], (path, row)
    slices = [event for event in events if event.get("pid") == pid and event["ph"] == "X"]
    assert [(event["ts"], event["name"]) for event in slices] == [(row["step"], row["phase"]) for row in rows]


def test_perfetto_export_is_trace_event_json(deptrace, tmp_path):
    output = tmp_path / "trace.json"
    deptrace("export", "perfetto", *HAND_MADE, "-o", str(output))
    with open(output, encoding="utf-8") as handle:
        document = json.load(handle)
    assert set(document) == {"traceEvents", "displayTimeUnit", "otherData"}
    assert document["displayTimeUnit"] in ("ms", "ns")
    events = document["traceEvents"]
    for event in events:
        assert {"name", "ph", "pid", "tid"} <= set(event), event
        assert event["ph"] in {"M", "X", "C", "i"}, event
        if event["ph"] != "M":
            assert isinstance(event["ts"], int) and event["ts"] >= 0, event
        if event["ph"] == "C":
            assert all(isinstance(value, (int, float)) for value in event["args"].values()), event
    processes = {event["pid"]: event["args"]["name"] for event in events if event["name"] == "process_name"}
    assert sorted(processes) == [1, 2, 3, 4]
    for pid, path in enumerate(HAND_MADE, start=1):
        assert path in processes[pid]
        check_perfetto(deptrace, events, pid, path)
    stream = tmp_path / "stream.json"
    deptrace("export", "perfetto", "Traces/h2o-two-heads.dtrace.jsonl", "--stream", "1", "-o", str(stream))
    with open(stream, encoding="utf-8") as handle:
        check_perfetto(deptrace, json.load(handle)["traceEvents"], 1, "Traces/h2o-two-heads.dtrace.jsonl", stream=1)


def start_trace_processor(path):
    """A TraceProcessor on `path`, or the reason it cannot start here."""
    if importlib.util.find_spec("perfetto") is None:
        return None, "the perfetto package is not installed (pip install perfetto)"
    from perfetto.trace_processor import TraceProcessor, TraceProcessorConfig

    try:
        return TraceProcessor(trace=str(path), config=TraceProcessorConfig(load_timeout=30)), None
    except Exception as error:  # the package downloads its binary on first use: offline, that fails
        return None, f"perfetto's trace processor could not start ({type(error).__name__}: {str(error)[:200]})"


@pytest.mark.network
def test_perfetto_export_loads_in_trace_processor(deptrace, tmp_path):
    """Needs the network: the perfetto package downloads its trace processor on first use, which this
    project's machines cannot, so CI deselects it (-m "not network"); the test above checks the same
    file offline, event by event, against `deptrace timeline`."""
    output = tmp_path / "trace.json"
    deptrace("export", "perfetto", "Traces/lightthinker.dtrace.jsonl", "Traces/vanilla.dtrace.jsonl", "-o", str(output))
    processor, reason = start_trace_processor(output)
    if processor is None:
        pytest.skip(reason)
    try:
        names = {row.name for row in processor.query("select name from process where name is not null")}
        assert any("lightthinker-thought sample 0" in name for name in names), names
        dep = [row.value for row in processor.query(
            "select c.value from counter c join process_counter_track t on c.track_id = t.id "
            "join process p using(upid) where t.name = 'Dep cumulative' and p.name like 'lightthinker%' order by c.ts")]
        assert dep[-1] == 79  # the hand-made LightThinker trace's Dep (Traces/README.md)
        slices = processor.query("select count(*) as n from slice where category = 'step'").as_pandas_dataframe()
        assert int(slices["n"][0]) == 12 + 6  # steps of the two traces
    finally:
        processor.close()
