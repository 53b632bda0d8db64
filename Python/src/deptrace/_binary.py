"""Where the bundled `deptrace` executable is, and the `deptrace` console command.

The wheel carries the release binary at ``deptrace/bin/deptrace``; `auditwheel
repair` put the shared libraries it links (libarchive, libxml2 and theirs)
into ``deptrace.libs/`` beside the package and pointed the binary's RUNPATH
at them, so it needs no Swift and no ``-dev`` package. ``DEPTRACE_BINARY``
overrides the bundled binary (a development build, for instance).
"""

from __future__ import annotations

import os
import sys

__all__ = ["binary_path", "main"]

_BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "deptrace")


def binary_path() -> str:
    """Return the path of the ``deptrace`` executable the API runs.

    ``DEPTRACE_BINARY`` wins when it is set and not empty; otherwise the
    binary bundled in the wheel.

    Raises:
        deptrace.DepTraceError: neither exists or is executable.
    """
    override = os.environ.get("DEPTRACE_BINARY")
    path = override or _BUNDLED
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    from ._errors import DepTraceError

    if override:
        raise DepTraceError(f"DEPTRACE_BINARY names {override!r}, which is not an executable file")
    raise DepTraceError(
        f"the deptrace binary is missing from this installation ({path}); install the platform wheel "
        "(bash Python/build-wheel.sh builds it) or set DEPTRACE_BINARY to a deptrace executable"
    )


def main() -> None:
    """The ``deptrace`` console command: replace this process by the binary.

    Arguments, standard streams and the exit code are the binary's own.
    """
    try:
        path = binary_path()
    except Exception as error:  # DepTraceError; kept broad so the command never shows a traceback
        print(f"deptrace: {error}", file=sys.stderr)
        raise SystemExit(127)
    try:
        os.execv(path, [path, *sys.argv[1:]])
    except OSError as error:
        print(f"deptrace: cannot run {path}: {error.strerror}", file=sys.stderr)
        raise SystemExit(126)
