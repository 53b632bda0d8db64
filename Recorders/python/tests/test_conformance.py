"""The committed conformance traces (Traces/conformance/) are exactly what the Python writer writes.

ConformanceTests.swift checks that the Swift writer writes the same bytes, and
that the files read back with the metrics Traces/conformance/README.md lists.
"""

import importlib.util
import os

import pytest

from conftest import REPOSITORY_ROOT

FOLDER = os.path.join(REPOSITORY_ROOT, "Traces", "conformance")


def load_generator():
    path = os.path.join(FOLDER, "generate.py")
    if not os.path.isfile(path):
        pytest.skip("Traces/conformance/generate.py is not in this checkout")
    spec = importlib.util.spec_from_file_location("conformance_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = load_generator()


@pytest.mark.parametrize("name", list(GENERATOR.SCENARIOS))
def test_python_writer_writes_the_committed_bytes(name):
    with open(os.path.join(FOLDER, name), "rb") as committed:
        expected = committed.read()
    actual = GENERATOR.render(name)
    if actual != expected:
        for number, (a, b) in enumerate(zip(actual.split(b"\n"), expected.split(b"\n")), 1):
            assert a == b, "%s line %d differs" % (name, number)
    assert actual == expected


def test_every_committed_file_has_a_scenario():
    committed = sorted(name for name in os.listdir(FOLDER) if name.endswith(".jsonl"))
    assert committed == sorted(GENERATOR.SCENARIOS)


def test_committed_files_are_valid_for_the_reference_reader(oracle):
    for name in GENERATOR.SCENARIOS:
        with open(os.path.join(FOLDER, name), "rb") as committed:
            results, errors = oracle(committed.read())
        assert errors == [], name
        assert results, name


def test_committed_files_validate_with_deptrace(deptrace):
    import subprocess

    paths = [os.path.join(FOLDER, name) for name in GENERATOR.SCENARIOS]
    result = subprocess.run([deptrace, "validate"] + paths, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 1 warning" in result.stdout  # the incomplete middle trace of several-traces.jsonl
