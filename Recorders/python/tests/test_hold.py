"""TraceWriter.hold / commit / rollback: a recording refused at its end leaves the output as it was."""

import io

import pytest

from deptrace_recorder import TraceWriter


def first_trace(w):
    w.begin(method="a", sample="0")
    w.prefill(3)
    w.decode(tok=[5])
    w.end(correct=True)


@pytest.mark.parametrize("encoding", ["jsonl", "binary"])
def test_rollback_leaves_the_output_as_it_was(encoding):
    out = io.BytesIO()
    w = TraceWriter(out, encoding=encoding, chunk_bytes=8)
    first_trace(w)
    w.hold()
    before = out.getvalue()
    w.begin(method="b", sample="1")
    w.prefill(100)
    w.evict([(0, 50)])
    assert out.getvalue() == before
    w.rollback()
    assert out.getvalue() == before and w.trace_index == 0 and not w.in_trace
    first_trace(w)  # recording goes on as if the held trace never was
    w.close()
    reference = io.BytesIO()
    with TraceWriter(reference, encoding=encoding, chunk_bytes=8) as r:
        first_trace(r)
        first_trace(r)
    assert out.getvalue() == reference.getvalue()


@pytest.mark.parametrize("encoding", ["jsonl", "binary"])
def test_commit_writes_what_was_held(encoding):
    out, reference = io.BytesIO(), io.BytesIO()
    with TraceWriter(out, encoding=encoding) as w:
        first_trace(w)
        w.hold()
        first_trace(w)
        first_trace(w)
        w.commit()
        first_trace(w)
    with TraceWriter(reference, encoding=encoding) as r:
        for _ in range(4):
            first_trace(r)
    assert out.getvalue() == reference.getvalue()


def test_close_while_holding_drops_the_held_output(tmp_path):
    path = tmp_path / "t.dtrace.jsonl"
    w = TraceWriter(path)
    first_trace(w)
    w.hold()
    w.begin(method="never")
    w.close()
    assert path.read_text(encoding="utf-8").count("\n") == 4


def test_hold_refuses_to_split_an_open_trace():
    w = TraceWriter(io.BytesIO())
    w.begin()
    with pytest.raises(ValueError, match="end"):
        w.hold()
    with pytest.raises(ValueError, match="without hold"):
        w.commit()
