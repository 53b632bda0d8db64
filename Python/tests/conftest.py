"""Fixtures for the API tests, which run against the installed `deptrace` package.

Run them from the environment the wheel is installed in (``.ci/test-wheel``
does), or from a checkout with ``PYTHONPATH=Python/src`` and
``DEPTRACE_BINARY`` naming a built binary. Under ``CI=true`` a missing
optional piece (pandas) fails the test that needs it instead of skipping it.
"""

from __future__ import annotations

import os
import pathlib

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
TRACES = REPOSITORY / "Traces"


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(module: str):
    """Import an optional module, or skip (fail under CI) the test that needs it."""
    try:
        return __import__(module)
    except ImportError:
        if under_ci():
            pytest.fail(f"{module} is not installed: under CI every API test runs (pip install {module})")
        pytest.skip(f"{module} is not installed")


@pytest.fixture
def traces() -> pathlib.Path:
    if not TRACES.is_dir():
        pytest.fail(f"the repository's Traces/ folder is missing ({TRACES})")
    return TRACES


@pytest.fixture
def no_pandas(monkeypatch):
    """Make ``import pandas`` fail, as on a machine without it."""
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
