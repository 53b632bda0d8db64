"""The writer refuses exactly what the reference reader refuses, on random calls.

Random sessions of writer calls, many of them invalid. For every call the
record it stands for is also encoded directly (no checks); then:
- an accepted call wrote exactly that line, and the output so far reads with no error;
- a refused call wrote nothing, and the output so far plus that line reads with an error.
The reader is the repository's independent plain-Python implementation of the
format (Tests/Reference/deptrace_reference.py).
"""

import io
import random

import pytest

from deptrace_recorder import TraceRuleError, TraceWriter
from deptrace_recorder.encoding import JSONLEncoder

ENCODER = JSONLEncoder()


def random_ranges(rng, limit):
    ranges = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        start = rng.randrange(-1, limit + 3) if rng.random() < 0.1 else rng.randrange(0, limit + 2)
        ranges.append((start, start + rng.choice([-1, 0, 1, 1, 2, 3, 5])))
    if rng.random() < 0.8:
        ranges.sort()
    return ranges


def random_stream(rng, streams):
    if rng.random() < 0.4:
        return None
    return rng.randrange(-1, streams + 1) if rng.random() < 0.1 else rng.randrange(0, streams)


def session(rng, oracle):
    buffer = io.BytesIO()
    w = TraceWriter(buffer)
    layers, heads = rng.randint(1, 2), rng.randint(1, 3)
    w.begin(method="random", layers=layers, heads=heads)
    streams = layers * heads
    accepted = refused = 0
    for _ in range(70):
        limit = w.next_id
        action = rng.choice(["step"] * 4 + ["evict"] * 3 + ["add", "hide", "hide", "show", "show", "snap", "mark", "end",
                                                             "visible"])
        if action == "end" and rng.random() < 0.5:
            action = "begin"
        before = buffer.getvalue()
        if action == "step":
            phase = rng.choice(["prefill", "decode", "decode", "compress"])
            n = rng.choice([-1, 0, 1, 1, 1, 2, 3])
            first = None if rng.random() < 0.8 else rng.randrange(0, limit + 3)
            line = ENCODER.step(phase, limit if first is None else first, n, None, None, None)
            call = lambda: w.step(phase, n, first=first)  # noqa: E731
        elif action in ("evict", "add", "hide", "show"):
            ranges, stream = random_ranges(rng, limit), random_stream(rng, streams)
            line = ENCODER.ranges(action, ranges, stream)
            call = lambda: getattr(w, action)(ranges, stream=stream)  # noqa: E731
        elif action == "snap":
            stream = random_stream(rng, streams)
            if rng.random() < 0.5 and w.in_trace and (stream is None or 0 <= stream < streams):
                reference = 0 if stream is None else stream
                ranges = w.visible_ids(reference).ranges()
            else:
                ranges = random_ranges(rng, limit)
            line = ENCODER.snap(ranges, None, stream)
            call = lambda: w.snap(ranges, stream=stream)  # noqa: E731
        elif action == "mark":
            line = ENCODER.mark("m")
            call = lambda: w.mark("m")  # noqa: E731
        elif action == "end":
            line = ENCODER.end({"correct": True})
            call = lambda: w.end(correct=True)  # noqa: E731
        elif action == "begin":
            layers, heads = rng.randint(1, 2), rng.randint(1, 3)
            line = ENCODER.header({"deptrace": 1, "layers": layers, "heads": heads})
            call = lambda: w.begin(layers=layers, heads=heads)  # noqa: E731
        else:  # visible(): several records at once; only the outcome is compared
            if not w.in_trace:
                continue
            stream = rng.randrange(0, streams) if rng.random() < 0.7 else None
            ids = {rng.randrange(0, max(1, limit + 1)) for _ in range(rng.randrange(0, 8))}
            masked = rng.random() < 0.5
            try:
                w.visible(ids, stream=stream, masked=masked)
            except TraceRuleError:
                assert buffer.getvalue() == before
                refused += 1
                continue
            assert set(w.visible_ids(0 if stream is None else stream)) == ids
            results, errors = oracle(buffer.getvalue())
            assert errors == []
            accepted += 1
            continue
        try:
            call()
        except TraceRuleError as error:
            assert buffer.getvalue() == before, "a refused call wrote something"
            results, errors = oracle(before + line)
            assert errors, "the writer refused a record the reader accepts: %s (%s)" % (line, error)
            refused += 1
            continue
        if action == "begin":
            streams = layers * heads
        assert buffer.getvalue() == before + line
        results, errors = oracle(buffer.getvalue())
        assert errors == [], "the writer wrote a record the reader refuses: %s: %s" % (line, errors)
        accepted += 1
    return accepted, refused


def test_refuses_exactly_what_the_reference_reader_refuses(oracle):
    rng = random.Random(20251123)
    totals = [0, 0]
    for _ in range(120):
        accepted, refused = session(rng, oracle)
        totals[0] += accepted
        totals[1] += refused
    # Both outcomes are well represented.
    assert totals[0] > 2000 and totals[1] > 1000, totals


@pytest.mark.parametrize("seed", range(3))
def test_random_sessions_read_with_deptrace(deptrace, tmp_path, oracle, seed):
    """The same kind of output, checked by the Swift reader: valid, and the same metrics as the reference."""
    import json
    import subprocess

    rng = random.Random(seed)
    path = tmp_path / "random.dtrace.jsonl"
    with TraceWriter(path) as w:
        for sample in range(10):
            w.begin(method="random", sample=str(sample), layers=rng.randint(1, 2), heads=rng.randint(1, 3))
            streams = w.streams
            for _ in range(60):
                action = rng.choice(["step", "step", "evict", "add", "hide", "show", "visible"])
                try:
                    if action == "step":
                        w.step(rng.choice(["prefill", "decode", "compress"]), rng.randint(1, 3))
                    elif action == "visible":
                        ids = {rng.randrange(0, w.next_id + 1) for _ in range(rng.randrange(0, 8))}
                        w.visible(ids, stream=rng.randrange(0, streams), masked=rng.random() < 0.5)
                    else:
                        getattr(w, action)(random_ranges(rng, w.next_id), stream=random_stream(rng, streams))
                except TraceRuleError:
                    pass
            if sample % 3:
                w.end(correct=sample % 2 == 0)
    result = subprocess.run([deptrace, "stats", "--format", "json", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    tool = json.loads(result.stdout)
    reference, errors = oracle(path.read_bytes())
    assert errors == []
    assert len(tool) == len(reference) == 10
    for ours, theirs in zip(tool, reference):
        for key in ("dep", "peak", "peak_kv", "resident_peak_kv", "full_dep", "evicted_tokens", "hidden_tokens",
                    "final_visible", "final_resident", "complete"):
            assert ours[key] == pytest.approx(theirs[key]), key
