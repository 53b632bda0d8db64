"""DepTrace from Python: the ``deptrace`` binary's commands as functions returning DataFrames.

    import deptrace
    df = deptrace.stats("runs/", group_by="method")      # a pandas DataFrame (records without pandas)
    deptrace.chart("timeline", "runs/lightthinker.dtrace.jsonl")   # shown inline in Jupyter

Every function runs the release binary bundled in this wheel once (``deptrace``
on the command line is the same binary), so the numbers are exactly the
command's. Errors the binary reports are raised as `DepTraceError` with the
message, file and line it printed. pandas is optional; ``deptrace_recorder``,
which writes traces, is installed alongside and needs nothing but Python.
"""

from ._binary import binary_path
from ._errors import DepTraceError, DepTraceUsageError, DepTraceWarning, Diagnostic, parse_diagnostics
from .api import AuditResult, Chart, audit, chart, compare, run, stats, timeline

try:
    from ._version import __version__
except ImportError:  # a source checkout, not an installed wheel: the repository's VERSION file
    def _checkout_version() -> str:
        import os

        path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "VERSION")
        try:
            with open(path, encoding="utf-8") as file:
                return file.read().strip()
        except OSError:
            return "0+unknown"

    __version__ = _checkout_version()

__all__ = [
    "stats",
    "timeline",
    "compare",
    "audit",
    "chart",
    "run",
    "binary_path",
    "Chart",
    "AuditResult",
    "Diagnostic",
    "DepTraceError",
    "DepTraceUsageError",
    "DepTraceWarning",
    "parse_diagnostics",
    "__version__",
]
