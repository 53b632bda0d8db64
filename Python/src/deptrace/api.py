"""The Python API: each function runs the bundled ``deptrace`` binary once and reads its output.

Nothing is computed in Python: the numbers are the binary's, read from its
``--format json`` output (or the SVG and CSV it writes), so they are the same
as on the command line. Tables come back as pandas DataFrames when pandas is
installed, else as lists of dicts (one per row); ``as_frame`` chooses.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import tempfile
import warnings
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from ._binary import binary_path
from ._errors import DepTraceError, DepTraceUsageError, DepTraceWarning, Diagnostic, parse_diagnostics

__all__ = ["stats", "timeline", "compare", "audit", "chart", "run", "Chart", "AuditResult"]

PathLike = Union[str, "os.PathLike[str]"]
Paths = Union[PathLike, Iterable[PathLike]]

_ERROR_MODES = ("raise", "warn", "ignore")
CHART_KINDS = ("timeline", "dep", "hist", "mask", "pareto")


# ----------------------------------------------------------------------------- running the binary


def _path_list(paths: Paths, what: str = "paths") -> List[str]:
    """One path or several, as strings; refuses an empty list and non-paths."""
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        items = [paths]
    else:
        try:
            items = list(paths)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(f"{what}: expected a path or a list of paths, got {type(paths).__name__}") from None
    result = []
    for item in items:
        try:
            path = os.fspath(item)
        except TypeError:
            raise TypeError(f"{what}: expected a path, got {type(item).__name__}") from None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if path == "":
            raise ValueError(f"{what}: an empty string is not a path")
        result.append(path)
    if not result:
        raise ValueError(f"{what}: at least one path is needed")
    return result


def _keys(value: Union[None, str, Iterable[str]], flag: str) -> Optional[str]:
    """``"a,b"`` or ``["a", "b"]`` as the comma-separated text a flag takes."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{flag}: expected names (strings), got {type(item).__name__}")
    text = ",".join(item.strip() for item in items)
    if not text.strip(","):
        raise ValueError(f"{flag}: at least one name is needed")
    return text


def _option(args: List[str], flag: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        raise TypeError(f"{flag}: expected a number or text, got a bool")
    args += [flag, str(value)]


def _common(args: List[str], phases: Union[None, str, Iterable[str]], jobs: Optional[int]) -> None:
    _option(args, "--phases", _keys(phases, "phases"))
    if jobs is not None:
        if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0:
            raise ValueError("jobs: expected 0 (one per core) or more")
        _option(args, "--jobs", jobs)


def _extra(extra_args: Optional[Sequence[str]]) -> List[str]:
    if extra_args is None:
        return []
    if isinstance(extra_args, str):
        raise TypeError("extra_args: expected a list of arguments, such as ['--max-line-size', '1G']")
    return [str(item) for item in extra_args]


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the bundled binary with ``args`` and return what it printed.

    Args:
        *args: the command line after ``deptrace``, such as ``"validate", "runs/"``.
        check: raise on a non-zero exit code.

    Returns:
        The ``subprocess.CompletedProcess``, ``stdout`` and ``stderr`` as text.

    Raises:
        DepTraceError: with ``check``, the binary failed; its message, file and
            line are those of the first error it printed.
    """
    command = [binary_path(), *[str(arg) for arg in args]]
    completed = _execute(command)
    stdout = completed.stdout.decode("utf-8", "replace")
    stderr = completed.stderr.decode("utf-8", "replace")
    result = subprocess.CompletedProcess(command, completed.returncode, stdout, stderr)
    if check and completed.returncode != 0:
        raise _error(command, completed.returncode, stderr, None)
    return result


def _execute(command: List[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        raise DepTraceError(f"cannot run {command[0]}: {error.strerror or error}", command=command) from error


def _error(command: List[str], returncode: int, stderr: str, result: Any) -> DepTraceError:
    diagnostics = parse_diagnostics(stderr)
    if returncode == 2:
        kind = DepTraceUsageError
        fallback = "deptrace rejected its arguments"
    elif returncode < 0:
        kind = DepTraceError
        fallback = f"deptrace was stopped by signal {-returncode}"
    else:
        kind = DepTraceError
        fallback = f"deptrace exited with status {returncode}"
    if not any(d.severity == "error" for d in diagnostics):
        tail = stderr.strip().splitlines()[-3:]
        if tail:
            fallback += ": " + " / ".join(tail)
    return kind(fallback, diagnostics=diagnostics, returncode=returncode, command=command, stderr=stderr, result=result)


def _warn(diagnostics: List[Diagnostic], errors_too: bool) -> None:
    shown = [d for d in diagnostics if errors_too or d.severity == "warning"]
    if not shown:
        return
    more = f" (and {len(shown) - 1} more)" if len(shown) > 1 else ""
    warnings.warn(f"{shown[0].text}{more}", DepTraceWarning, stacklevel=4)


def _run_json(command: List[str], errors: str) -> Any:
    """Run a command printing JSON; map its exit code and diagnostics to Python."""
    if errors not in _ERROR_MODES:
        raise ValueError(f"errors: expected one of {', '.join(_ERROR_MODES)}, got {errors!r}")
    completed = _execute(command)
    stderr = completed.stderr.decode("utf-8", "replace")
    parsed: Any = None
    if completed.stdout.strip():
        try:
            parsed = json.loads(completed.stdout)
        except ValueError:
            if completed.returncode == 0:
                raise DepTraceError("deptrace printed output that is not JSON", command=command, stderr=stderr) from None
    if completed.returncode == 0:
        if parsed is None:
            raise DepTraceError("deptrace printed nothing", command=command, stderr=stderr)
        if errors != "ignore":
            _warn(parse_diagnostics(stderr), errors_too=False)
        return parsed
    if completed.returncode != 1 or errors == "raise" or parsed is None:
        raise _error(command, completed.returncode, stderr, parsed)
    if errors == "warn":
        _warn(parse_diagnostics(stderr), errors_too=True)
    return parsed


def _table(command: List[str], errors: str, as_frame: Optional[bool], reshape: Any = None) -> Any:
    """Run a command printing a JSON array of rows; the rows as a table, also in an error's ``result``."""

    def table(records: Any) -> Any:
        if not isinstance(records, list):
            raise DepTraceError("deptrace printed JSON that is not a list of rows", command=command)
        return _frame(reshape(records) if reshape else records, as_frame)

    try:
        records = _run_json(command, errors)
    except DepTraceError as error:
        if isinstance(error.result, list):
            error.result = table(error.result)
        raise
    return table(records)


def _frame(records: List[Dict[str, Any]], as_frame: Optional[bool]) -> Any:
    """Records as a DataFrame when pandas is there (or ``as_frame`` is True), else unchanged."""
    if as_frame is False:
        return records
    try:
        import pandas
    except ImportError:
        if as_frame:
            raise ImportError("as_frame=True needs pandas: pip install pandas") from None
        return records
    if not records:
        return pandas.DataFrame()
    # Column by column, the same frame as DataFrame(records) but faster; rows with the same
    # keys in the same order (every table the binary prints) are transposed in one pass.
    keys = tuple(records[0])
    if all(tuple(record) == keys for record in records):
        return pandas.DataFrame(dict(zip(keys, map(list, zip(*[record.values() for record in records])))))
    columns = list(keys)
    for record in records:
        columns += [key for key in record if key not in columns]
    return pandas.DataFrame({key: [record.get(key) for record in records] for key in columns})


# ----------------------------------------------------------------------------- stats, timeline, compare


def _flatten_groups(groups: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """``{"metrics": {"dep": {"mean": 1, ...}}}`` as ``{"dep_mean": 1, ...}``, as ``--format csv`` names them."""

    def spread(prefix: str, value: Any, row: Dict[str, Any]) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                spread(key if prefix in ("", "metrics") else f"{prefix}_{key}", inner, row)
        else:
            row[prefix] = value

    flat = []
    for group in groups:
        row: Dict[str, Any] = {}
        spread("", group, row)
        flat.append(row)
    return flat


def stats(
    paths: Paths,
    group_by: Union[None, str, Iterable[str]] = None,
    phases: Union[None, str, Iterable[str]] = None,
    *,
    columns: Union[None, str, Iterable[str]] = None,
    jobs: Optional[int] = None,
    errors: str = "raise",
    as_frame: Optional[bool] = None,
    extra_args: Optional[Sequence[str]] = None,
) -> Any:
    """The metrics of every trace, or statistics per group: ``deptrace stats --format json``.

    Args:
        paths: trace files, compressed traces, ``.tar``/``.zip`` bundles or
            folders (searched recursively); one or a list.
        group_by: header keys (``"method,dataset"`` or ``["method", "dataset"]``):
            one row per group with count, accuracy and ``<metric>_count``,
            ``_mean``, ``_median``, ``_p90``, ``_p99``, ``_sum`` (the columns of
            ``--format csv``).
        phases: the phases whose steps count toward ``dep`` and ``full_dep``
            (``"decode"`` by default, or ``"decode,prefill"``, ``"all"``).
        columns: only these columns (``file``, ``trace``, ``method``, ``model``,
            ``dataset``, ``sample`` and metric names); not with ``group_by``.
        jobs: threads (default: one per core); the output never depends on it.
        errors: what an invalid trace does, as the binary reports and skips it:
            ``"raise"`` (default) raises `DepTraceError` whose ``result`` holds
            the valid traces' rows; ``"warn"`` returns those rows with a
            `DepTraceWarning`; ``"ignore"`` returns them silently.
        as_frame: True for a DataFrame (needs pandas), False for a list of
            dicts, None (default) for a DataFrame when pandas is installed.
        extra_args: more command-line arguments, such as ``["--max-line-size", "1G"]``.

    Returns:
        One row per trace (per group with ``group_by``), in the binary's order:
        a ``pandas.DataFrame`` or a list of dicts.

    Raises:
        DepTraceError: an input is missing or invalid (message, file, line).
        DepTraceUsageError: the binary refused an argument (such as an unknown column).
    """
    command = [binary_path(), "stats", "--format", "json", "--no-progress"]
    _option(command, "--group-by", _keys(group_by, "group_by"))
    _option(command, "--columns", _keys(columns, "columns"))
    _common(command, phases, jobs)
    command += _extra(extra_args)
    command += ["--", *_path_list(paths)]
    return _table(command, errors, as_frame, _flatten_groups if group_by is not None else None)


def timeline(
    path: PathLike,
    stream: Optional[int] = None,
    *,
    trace: int = 0,
    phases: Union[None, str, Iterable[str]] = None,
    errors: str = "raise",
    as_frame: Optional[bool] = None,
    extra_args: Optional[Sequence[str]] = None,
) -> Any:
    """One row per step of one trace: ``deptrace timeline --format json``.

    Args:
        path: a trace file, a compressed trace, or ``ARCHIVE:ENTRY`` inside a bundle.
        stream: follow one stream (layer × heads + head) instead of the mean over streams.
        trace: which trace of the file, its 0-based index.
        phases: the phases whose steps count toward ``dep``.
        errors: as in `stats`: the file is read through, so an invalid
            trace before ``trace`` raises unless ``"warn"`` or ``"ignore"``.
        as_frame: as in `stats`.
        extra_args: more command-line arguments.

    Returns:
        Columns ``step``, ``phase``, ``first``, ``queries``, ``visible_before``,
        ``visible_after``, ``resident_after``, ``dep``, ``evicted``, ``time_ns``,
        ``marks`` (a list of labels): a DataFrame or a list of dicts.

    Raises:
        DepTraceError: the file is missing or the trace invalid, or it has no such trace or stream.
    """
    command = [binary_path(), "timeline", "--format", "json"]
    _option(command, "--trace", _count(trace, "trace"))
    if stream is not None:
        _option(command, "--stream", _count(stream, "stream"))
    _common(command, phases, None)
    command += _extra(extra_args)
    command += ["--", _one(path)]
    return _table(command, errors, as_frame)


def _count(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name}: expected an integer, 0 or more, got {value!r}")
    return value


def _one(value: Any) -> str:
    paths = _path_list(value, "path")
    if len(paths) != 1:
        raise ValueError(f"path: timeline reads one trace file, got {len(paths)} paths")
    return paths[0]


def compare(
    baseline: Paths,
    runs: Paths,
    *,
    by: Union[None, str, Iterable[str]] = None,
    group_by: Union[None, str, Iterable[str]] = None,
    seed: Optional[int] = None,
    resamples: Optional[int] = None,
    phases: Union[None, str, Iterable[str]] = None,
    jobs: Optional[int] = None,
    errors: str = "raise",
    as_frame: Optional[bool] = None,
    extra_args: Optional[Sequence[str]] = None,
) -> Any:
    """Dep and peak ratios of each method against a baseline run: ``deptrace compare --format json``.

    Args:
        baseline: the baseline run's trace files or folders.
        runs: the methods' trace files or folders (split by their header's ``method``).
        by: header keys that identify a sample (default ``sample``; ``dataset`` is always added).
        group_by: header keys that split each method into rows, such as ``"dataset"``.
        seed: seed of the bootstrap resampling (the same seed gives the same intervals).
        resamples: bootstrap resamples.
        phases, jobs, errors, as_frame, extra_args: as in `stats`.

    Returns:
        One row per method (and group): ``method``, ``baseline``, ``paired``,
        ``unpaired_method``, ``unpaired_baseline`` (lists of sample ids),
        ``ratio``, ``ratio_lo``, ``ratio_hi``, ``geo_ratio…``, ``peak_ratio…``,
        ``accuracy``, ``baseline_accuracy``, ``self_ratio``.

    Raises:
        DepTraceError: an input is missing or invalid.
    """
    command = [binary_path(), "compare", "--format", "json", "--no-progress"]
    for path in _path_list(baseline, "baseline"):
        command += ["--baseline", path]
    _option(command, "--by", _keys(by, "by"))
    _option(command, "--group-by", _keys(group_by, "group_by"))
    if seed is not None:
        _option(command, "--seed", _count(seed, "seed"))
    if resamples is not None:
        _option(command, "--resamples", _count(resamples, "resamples"))
    _common(command, phases, jobs)
    command += _extra(extra_args)
    command += ["--", *_path_list(runs, "runs")]
    return _table(command, errors, as_frame)


# ----------------------------------------------------------------------------- audit


class AuditResult:
    """What ``deptrace audit`` found: the report, and whether every trace and claim passed.

    Attributes:
        passed: True when no trace broke its budget, no claim failed and every input was valid.
        text: the report as the command prints it (a table of claims, then the failing traces).
        diagnostics: the errors and warnings printed about the inputs.
        returncode: the binary's exit code (0 passed, 1 failed).
    """

    def __init__(self, text: str, returncode: int, diagnostics: List[Diagnostic]) -> None:
        self.text = text
        self.returncode = returncode
        self.passed = returncode == 0
        self.diagnostics = diagnostics

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        summary = self.text.strip().splitlines()[-1] if self.text.strip() else ""
        return f"<AuditResult passed={self.passed} {summary!r}>"

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.text)}</pre>"


def _claims_file(claims: Any, folder: str) -> str:
    """A claims path as given, or a list of dicts / DataFrame written to a JSON file in ``folder``."""
    if isinstance(claims, (str, bytes)) or hasattr(claims, "__fspath__"):
        return _path_list(claims, "claims")[0]
    if hasattr(claims, "to_dict"):  # a pandas DataFrame
        claims = claims.to_dict(orient="records")
    rows = list(claims)
    for row in rows:
        if not isinstance(row, dict):
            raise TypeError("claims: expected a path, a DataFrame or a list of dicts with method, dataset, metric, value, tolerance")
    path = os.path.join(folder, "claims.json")
    with open(path, "w", encoding="utf-8") as file:
        json.dump(rows, file, default=str)
    return path


def audit(
    paths: Paths,
    budget: Optional[int] = None,
    claims: Any = None,
    *,
    phases: Union[None, str, Iterable[str]] = None,
    jobs: Optional[int] = None,
    extra_args: Optional[Sequence[str]] = None,
) -> AuditResult:
    """Check claims and budgets against traces: ``deptrace audit``.

    A failing audit is a result, not an exception: look at ``result.passed``.

    Args:
        paths: the traces audited.
        budget: the most tokens a step may attend to (overrides the traces' own budget).
        claims: a claims file (JSON or CSV with method, dataset, metric, value,
            tolerance), or the same as a list of dicts or a DataFrame.
        phases, jobs, extra_args: as in `stats`.

    Returns:
        An `AuditResult`; Jupyter shows its report.

    Raises:
        DepTraceUsageError: an argument was refused (such as an unreadable claims file).
        DepTraceError: the binary could not run or stopped abnormally.
    """
    with tempfile.TemporaryDirectory(prefix="deptrace-audit-") as folder:
        command = [binary_path(), "audit", "--no-progress"]
        if budget is not None:
            if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
                raise ValueError(f"budget: expected an integer, 1 or more, got {budget!r}")
            _option(command, "--budget", budget)
        if claims is not None:
            _option(command, "--claims", _claims_file(claims, folder))
        _common(command, phases, jobs)
        command += _extra(extra_args)
        command += ["--", *_path_list(paths)]
        completed = _execute(command)
    stderr = completed.stderr.decode("utf-8", "replace")
    if completed.returncode not in (0, 1):
        raise _error(command, completed.returncode, stderr, None)
    return AuditResult(completed.stdout.decode("utf-8", "replace"), completed.returncode, parse_diagnostics(stderr))


# ----------------------------------------------------------------------------- chart


class Chart:
    """An SVG chart drawn by ``deptrace chart``; Jupyter shows it inline.

    Attributes:
        svg: the SVG document (text).
        kind: the chart's kind.
        data: the numbers drawn (``--csv``): a DataFrame or a list of dicts.
    """

    def __init__(self, svg: str, kind: str, data: Any) -> None:
        self.svg = svg
        self.kind = kind
        self.data = data

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<deptrace.Chart {self.kind}, {len(self.svg)} characters of SVG>"

    def save(self, path: PathLike) -> str:
        """Write the SVG to ``path``; return the path written.

        A path ending in ``.csv`` gets the numbers drawn instead.
        """
        target = os.fspath(path)
        if str(target).lower().endswith(".csv"):
            records = self.data.to_dict(orient="records") if hasattr(self.data, "to_dict") else self.data
            with open(target, "w", encoding="utf-8", newline="") as file:
                if records:
                    writer = csv.DictWriter(file, fieldnames=list(records[0].keys()))
                    writer.writeheader()
                    writer.writerows(records)
            return target
        with open(target, "w", encoding="utf-8") as file:
            file.write(self.svg)
        return target


def _csv_records(text: str) -> List[Dict[str, Any]]:
    """CSV rows with numbers as numbers and empty cells as None (what pandas would make of them)."""

    def value(cell: str) -> Any:
        if cell == "":
            return None
        for kind in (int, float):
            try:
                return kind(cell)
            except ValueError:
                pass
        return cell

    return [{key: value(cell) for key, cell in row.items()} for row in csv.DictReader(io.StringIO(text))]


def chart(
    kind: str,
    paths: Paths,
    *,
    metric: Optional[str] = None,
    group_by: Union[None, str, Iterable[str]] = None,
    title: Optional[str] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
    trace: Optional[int] = None,
    stream: Optional[int] = None,
    seed: Optional[int] = None,
    cdf: bool = False,
    per_event: bool = False,
    phases: Union[None, str, Iterable[str]] = None,
    jobs: Optional[int] = None,
    errors: str = "raise",
    as_frame: Optional[bool] = None,
    extra_args: Optional[Sequence[str]] = None,
) -> Chart:
    """Draw traces as an SVG chart: ``deptrace chart KIND``.

    Args:
        kind: ``timeline``, ``dep``, ``hist``, ``mask`` or ``pareto`` (see ``deptrace chart --help``).
        paths: the traces drawn (``mask``: one trace file).
        metric: ``dep``, ``hist``, ``pareto``: the per-trace metric drawn (default ``dep``).
        group_by: ``dep``, ``hist``, ``pareto``: header keys to group traces by (two at most).
        title: the chart's title.
        width, height: size in pixels.
        trace, stream: ``timeline``, ``mask``: which trace of each file, which stream.
        seed: ``dep``: seed of the bootstrap whiskers.
        cdf, per_event: ``hist``: cumulative distribution; tokens freed per eviction event.
        phases, jobs, as_frame, extra_args: as in `stats`.
        errors: as in `stats`; with ``"warn"`` or ``"ignore"`` a chart drawn
            from the valid traces is returned.

    Returns:
        A `Chart`: ``chart.svg``, ``chart.save("fig.svg")``, ``chart.data``.

    Raises:
        DepTraceError: an input is missing or invalid, or nothing could be drawn.
        DepTraceUsageError: an option does not apply to this kind.
    """
    if kind not in CHART_KINDS:
        raise ValueError(f"kind: expected one of {', '.join(CHART_KINDS)}, got {kind!r}")
    if errors not in _ERROR_MODES:
        raise ValueError(f"errors: expected one of {', '.join(_ERROR_MODES)}, got {errors!r}")
    with tempfile.TemporaryDirectory(prefix="deptrace-chart-") as folder:
        svg_path = os.path.join(folder, "chart.svg")
        csv_path = os.path.join(folder, "chart.csv")
        command = [binary_path(), "chart", kind, "--no-progress", "-o", svg_path, "--csv", csv_path]
        _option(command, "--metric", metric)
        _option(command, "--group-by", _keys(group_by, "group_by"))
        _option(command, "--title", title)
        for name, number in (("width", width), ("height", height), ("trace", trace), ("stream", stream), ("seed", seed)):
            if number is not None:
                _option(command, "--" + name, _count(number, name))
        if cdf:
            command.append("--cdf")
        if per_event:
            command.append("--per-event")
        _common(command, phases, jobs)
        command += _extra(extra_args)
        command += ["--", *_path_list(paths)]
        completed = _execute(command)
        stderr = completed.stderr.decode("utf-8", "replace")
        drawn = os.path.exists(svg_path) and os.path.exists(csv_path)
        if completed.returncode != 0 and (errors == "raise" or completed.returncode != 1 or not drawn):
            raise _error(command, completed.returncode, stderr, None)
        if not drawn:
            raise DepTraceError("deptrace chart wrote no SVG", command=command, stderr=stderr)
        if errors != "ignore":
            _warn(parse_diagnostics(stderr), errors_too=completed.returncode != 0)
        with open(svg_path, encoding="utf-8") as file:
            svg = file.read()
        with open(csv_path, encoding="utf-8", newline="") as file:
            data_text = file.read()
    if as_frame is not False:
        try:
            import pandas
        except ImportError:
            if as_frame:
                raise ImportError("as_frame=True needs pandas: pip install pandas") from None
        else:
            data = pandas.read_csv(io.StringIO(data_text)) if data_text.strip() else pandas.DataFrame()
            return Chart(svg, kind, data)
    return Chart(svg, kind, _csv_records(data_text))
