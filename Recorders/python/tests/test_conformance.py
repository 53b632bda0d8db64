"""The committed conformance traces (Traces/conformance/) are exactly what the Python writer writes.

Each scenario is committed in JSON Lines (``NAME.jsonl``) and in the binary
encoding (``NAME.bin``, with a per-scenario chunk threshold).
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


@pytest.mark.parametrize("name", GENERATOR.FILES)
def test_python_writer_writes_the_committed_bytes(name):
    with open(os.path.join(FOLDER, name), "rb") as committed:
        expected = committed.read()
    actual = GENERATOR.render(name)
    if actual != expected and name.endswith(".jsonl"):
        for number, (a, b) in enumerate(zip(actual.split(b"\n"), expected.split(b"\n")), 1):
            assert a == b, "%s line %d differs" % (name, number)
    if actual != expected:
        offset = next((i for i, (a, b) in enumerate(zip(actual, expected)) if a != b), min(len(actual), len(expected)))
        pytest.fail("%s differs from the Python writer's output at byte %d" % (name, offset))


def test_every_committed_file_has_a_scenario():
    names = os.listdir(FOLDER)
    assert sorted(name for name in names if name.endswith(".jsonl")) == sorted(GENERATOR.SCENARIOS)
    assert sorted(name for name in names if name.endswith(".bin")) == sorted(GENERATOR.BINARY)
    assert sorted(twin for twin, _ in GENERATOR.BINARY.values()) == sorted(GENERATOR.SCENARIOS)
    # Nothing a folder search would find (`deptrace stats Traces/` must see only the hand-made samples).
    assert not [name for name in names if name.endswith(".dtrace") or name.endswith(".dtrace.jsonl")]


@pytest.mark.parametrize("name", list(GENERATOR.BINARY))
def test_binary_files_decode_to_their_jsonl_twins(name):
    from test_binary import decode

    twin, chunk_bytes = GENERATOR.BINARY[name]
    with open(os.path.join(FOLDER, name), "rb") as committed:
        lines, traces = decode(committed.read())
    with open(os.path.join(FOLDER, twin), "rb") as committed:
        assert lines == committed.read()
    if chunk_bytes < 100:  # the small thresholds do give several chunks
        assert sum(len(chunks) for chunks in traces) > len(traces)


def test_committed_files_are_valid_for_the_reference_reader(oracle):
    for name in GENERATOR.SCENARIOS:
        with open(os.path.join(FOLDER, name), "rb") as committed:
            results, errors = oracle(committed.read())
        assert errors == [], name
        assert results, name


def test_committed_files_validate_with_deptrace(deptrace):
    import subprocess

    paths = [os.path.join(FOLDER, name) for name in GENERATOR.FILES]
    result = subprocess.run([deptrace, "validate"] + paths, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 2 warnings" in result.stdout  # the incomplete middle trace of several-traces, in both encodings


def test_binary_files_give_the_metrics_of_their_twins_with_deptrace(deptrace):
    import json
    import subprocess

    for name, (twin, _) in GENERATOR.BINARY.items():
        results = []
        for file in (name, twin):
            result = subprocess.run([deptrace, "stats", "--format", "json", "--phases", "all", os.path.join(FOLDER, file)],
                                    capture_output=True, text=True)
            assert result.returncode == 0, result.stdout + result.stderr
            rows = json.loads(result.stdout)
            for row in rows:
                del row["file"]
            results.append(rows)
        assert results[0] == results[1], name
