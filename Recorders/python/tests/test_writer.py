"""Every writer call writes exactly the line the format (and the Swift writer) gives it; outputs and flushing."""

import gzip
import io
import json
import os
import subprocess
import sys
import zlib

import pytest

from deptrace_recorder import IntervalSet, TraceRuleError, TraceWriter


def lines_of(buffer):
    # split("\n"), not splitlines(): U+2028 inside a string is not a line break of the format.
    text = buffer.getvalue().decode("utf-8")
    assert text.endswith("\n")
    return text[:-1].split("\n")


def written(calls, **header):
    """The lines after the header that `calls(writer)` writes."""
    buffer = io.BytesIO()
    with TraceWriter(buffer) as w:
        w.begin(**(header or {"method": "m"}))
        calls(w)
        return lines_of(buffer)[1:]


# -- headers -------------------------------------------------------------------


def test_header_is_deptrace_then_the_keyword_arguments_in_order():
    buffer = io.BytesIO()
    with TraceWriter(buffer) as w:
        w.begin(sample="17", method="h2o", layers=1, heads=1, budget=1024, zeta=None, meta={"b": 1, "a": [1.5, None]})
    assert lines_of(buffer) == [
        '{"deptrace":1,"sample":"17","method":"h2o","layers":1,"heads":1,"budget":1024,"meta":{"b":1,"a":[1.5,null]}}'
    ]


def test_header_version_may_be_given_and_is_always_first():
    buffer = io.BytesIO()
    with TraceWriter(buffer) as w:
        w.begin(method="m", deptrace=1)
    assert lines_of(buffer) == ['{"deptrace":1,"method":"m"}']


def test_header_numbers_from_numpy_like_objects_are_plain_integers():
    class Index:
        def __init__(self, value):
            self.value = value

        def __index__(self):
            return self.value

    buffer = io.BytesIO()
    with TraceWriter(buffer) as w:
        w.begin(layers=Index(2), heads=Index(3), kv_bytes_per_token=Index(0), sample=2.5)
        assert w.streams == 6
    assert lines_of(buffer) == ['{"deptrace":1,"layers":2,"heads":3,"kv_bytes_per_token":0,"sample":2.5}']


# -- steps ---------------------------------------------------------------------


def test_steps_write_phase_q_kind_t_tok_and_return_their_ids():
    results = []

    def calls(w):
        results.append(w.prefill(150))
        results.append(w.decode())
        results.append(w.decode(2, tok=[791, 792], t=81234567))
        results.append(w.compress(10, kind="gist"))
        results.append(w.step("decode", 1, first=500, kind="special"))
        results.append(w.step("prefill", 3, tok=(1, 2)))  # tok need not have n entries

    assert written(calls) == [
        '{"step":"prefill","q":[0,150]}',
        '{"step":"decode","q":[150,1]}',
        '{"step":"decode","q":[151,2],"t":81234567,"tok":[791,792]}',
        '{"step":"compress","q":[153,10],"kind":"gist"}',
        '{"step":"decode","q":[500,1],"kind":"special"}',
        '{"step":"prefill","q":[501,3],"tok":[1,2]}',
    ]
    assert results == [range(0, 150), range(150, 151), range(151, 153), range(153, 163), range(500, 501),
                       range(501, 504)]


def test_timestamps_stamp_steps_without_t():
    buffer = io.BytesIO()
    with TraceWriter(buffer, timestamps=True) as w:
        w.begin()
        w.prefill(2)
        w.decode(t=5)
    records = [json.loads(line) for line in lines_of(buffer)[1:]]
    assert isinstance(records[0]["t"], int) and records[0]["t"] >= 0
    assert records[1]["t"] == 5


# -- id ranges -----------------------------------------------------------------


def test_evict_add_hide_show_in_every_spelling():
    def calls(w):
        w.prefill(20)
        w.evict([(3, 4)])
        w.evict([[5, 7], range(8, 9)], stream=1)
        w.evict(ids=[12, 10, 11, 10])
        w.evict(range(14, 15))
        w.evict([])
        w.add([(3, 4)])
        w.add(ids={5}, stream=1)
        w.hide(IntervalSet([(0, 2)]), stream=0)
        w.hide(ids=range(15, 17))
        w.show([(0, 1)], stream=0)
        w.show(ids=[15, 16])

    assert written(calls, layers=1, heads=2) == [
        '{"step":"prefill","q":[0,20]}',
        '{"evict":[[3,4]]}',
        '{"evict":[[5,7],[8,9]],"s":1}',
        '{"evict":[[10,13]]}',
        '{"evict":[[14,15]]}',
        '{"evict":[]}',
        '{"add":[[3,4]]}',
        '{"add":[[5,6]],"s":1}',
        '{"hide":[[0,2]],"s":0}',
        '{"hide":[[15,17]]}',
        '{"show":[[0,1]],"s":0}',
        '{"show":[[15,17]]}',
    ]


def test_ranges_may_touch():
    assert written(lambda w: (w.prefill(9), w.evict([(0, 5), (5, 9)]))) == [
        '{"step":"prefill","q":[0,9]}', '{"evict":[[0,5],[5,9]]}']


def test_mark_and_end():
    def calls(w):
        w.prefill(1)
        w.mark("thought 1 compressed")
        w.mark('quote " backslash \\ newline \n tab \t nul \x00 é 😀 \u2028')
        w.end(correct=True, peak=676, dep=None, note={"k": [1, 2]})

    assert written(calls) == [
        '{"step":"prefill","q":[0,1]}',
        '{"mark":"thought 1 compressed"}',
        '{"mark":"quote \\" backslash \\\\ newline \\n tab \\t nul \\u0000 é 😀 \u2028"}',
        '{"end":{"correct":true,"peak":676,"note":{"k":[1,2]}}}',
    ]


def test_end_without_claims():
    assert written(lambda w: w.end()) == ['{"end":{}}']


def test_snap_computed_given_and_with_resident():
    def calls(w):
        w.prefill(10)
        w.hide([(2, 4)], stream=1)
        w.evict([(8, 10)], stream=1)
        w.snap(stream=1)
        w.snap(stream=1, resident=True)
        w.snap([(0, 2), (4, 5), (5, 8)], resident=[(0, 8)], stream=1)  # compared as sets
        w.snap(stream=0, resident=True)
        w.evict([(0, 10)], stream=0)
        w.evict([(0, 2), (4, 8)], stream=1)
        w.show([(2, 4)], stream=1)
        w.evict([(2, 4)], stream=1)
        w.snap()  # every stream empty now
        w.snap([], resident=[])

    assert written(calls, layers=2, heads=1) == [
        '{"step":"prefill","q":[0,10]}',
        '{"hide":[[2,4]],"s":1}',
        '{"evict":[[8,10]],"s":1}',
        '{"snap":[[0,2],[4,8]],"s":1}',
        '{"snap":[[0,2],[4,8]],"resident":[[0,8]],"s":1}',
        '{"snap":[[0,2],[4,5],[5,8]],"resident":[[0,8]],"s":1}',
        '{"snap":[[0,10]],"resident":[[0,10]],"s":0}',
        '{"evict":[[0,10]],"s":0}',
        '{"evict":[[0,2],[4,8]],"s":1}',
        '{"show":[[2,4]],"s":1}',
        '{"evict":[[2,4]],"s":1}',
        '{"snap":[]}',
        '{"snap":[],"resident":[]}',
    ]


# -- visible(): the delta --------------------------------------------------------


def test_visible_writes_the_delta_like_the_swift_set_visible():
    # The same calls as TraceWriterTests.setVisibleWritesTheDelta in the Swift suite.
    def calls(w):
        w.prefill(10)
        w.visible(ranges=[(0, 3), (8, 10)], stream=1)
        w.visible(ranges=[(0, 2), (8, 10)], stream=0, masked=True)
        w.visible(range(0, 10), stream=0)
        w.visible(ranges=[(0, 5), (8, 10)], stream=1)
        w.snap(stream=1, resident=True)
        w.end()

    assert written(calls, layers=1, heads=2) == [
        '{"step":"prefill","q":[0,10]}',
        '{"evict":[[3,8]],"s":1}',
        '{"hide":[[2,8]],"s":0}',
        '{"show":[[2,8]],"s":0}',
        '{"add":[[3,5]],"s":1}',
        '{"snap":[[0,5],[8,10]],"resident":[[0,5],[8,10]],"s":1}',
        '{"end":{}}',
    ]


def test_visible_hides_shows_and_adds_in_one_call_and_writes_nothing_when_unchanged():
    def calls(w):
        w.prefill(10)
        w.evict([(0, 2)])
        w.hide([(2, 4)])
        # 0 returns (freed: add), 2 returns (hidden: show), 9 leaves (masked: hide)
        w.visible([0, 2, 4, 5, 6, 7, 8], masked=True)
        w.visible([0, 2, 4, 5, 6, 7, 8])

    assert written(calls) == [
        '{"step":"prefill","q":[0,10]}',
        '{"evict":[[0,2]]}',
        '{"hide":[[2,4]]}',
        '{"hide":[[9,10]]}',
        '{"show":[[2,3]]}',
        '{"add":[[0,1]]}',
    ]


def test_visible_accepts_ids_from_array_like_objects():
    class ArrayLike:
        def tolist(self):
            return [4, 0, 1]

    assert written(lambda w: (w.prefill(5), w.visible(ArrayLike()))) == [
        '{"step":"prefill","q":[0,5]}', '{"evict":[[2,4]]}']


def test_state_accessors():
    buffer = io.BytesIO()
    with TraceWriter(buffer) as w:
        assert w.trace_index is None and not w.in_trace
        with pytest.raises(ValueError):
            w.next_id
        w.begin(layers=1, heads=2)
        assert w.trace_index == 0 and w.in_trace and w.streams == 2 and w.next_id == 0
        w.prefill(6)
        w.hide([(0, 2)], stream=1)
        w.evict([(4, 5)], stream=1)
        assert w.next_id == 6
        assert w.visible_ids(1).ranges() == [(2, 4), (5, 6)]
        assert w.resident_ids(1).ranges() == [(0, 4), (5, 6)]
        assert w.visible_ids(0).ranges() == [(0, 6)]
        assert w.created_ids().ranges() == [(0, 6)]
        copy = w.visible_ids(0)
        copy.remove(0, 6)
        assert w.visible_ids(0).ranges() == [(0, 6)]  # a copy
        with pytest.raises(ValueError):
            w.visible_ids(2)
        w.end()
        assert not w.in_trace
        w.begin()
        assert w.trace_index == 1 and w.next_id == 0


# -- several traces, outputs, flushing --------------------------------------------


def test_several_traces_in_one_file(tmp_path):
    path = tmp_path / "run.dtrace.jsonl"
    with TraceWriter(path) as w:
        for sample in range(3):
            w.begin(method="vanilla", sample=str(sample))
            w.prefill(2 + sample)
            w.decode()
            if sample != 1:
                w.end(correct=sample == 0)
    text = path.read_text(encoding="utf-8")
    assert text == (
        '{"deptrace":1,"method":"vanilla","sample":"0"}\n{"step":"prefill","q":[0,2]}\n{"step":"decode","q":[2,1]}\n'
        '{"end":{"correct":true}}\n'
        '{"deptrace":1,"method":"vanilla","sample":"1"}\n{"step":"prefill","q":[0,3]}\n{"step":"decode","q":[3,1]}\n'
        '{"deptrace":1,"method":"vanilla","sample":"2"}\n{"step":"prefill","q":[0,4]}\n{"step":"decode","q":[4,1]}\n'
        '{"end":{"correct":false}}\n')


def test_each_call_is_flushed_to_the_file(tmp_path):
    path = tmp_path / "live.dtrace.jsonl"
    w = TraceWriter(str(path))
    w.begin(method="m")
    w.prefill(4)
    # Another reader sees every record so far while the writer is still open.
    assert path.read_bytes() == b'{"deptrace":1,"method":"m"}\n{"step":"prefill","q":[0,4]}\n'
    w.decode()
    assert path.read_bytes().endswith(b'{"step":"decode","q":[4,1]}\n')
    w.close()
    w.close()  # idempotent
    assert w.closed
    with pytest.raises(ValueError):
        w.decode()


def test_flush_per_trace_holds_records_until_end(tmp_path):
    path = tmp_path / "batched.dtrace.jsonl"
    with TraceWriter(path, flush="trace") as w:
        w.begin()
        w.prefill(4)
        w.end()
        assert path.read_bytes().endswith(b'{"end":{}}\n')
    with pytest.raises(ValueError):
        TraceWriter(tmp_path / "x.dtrace.jsonl", flush="sometimes")


def test_gzip_by_name(tmp_path):
    path = tmp_path / "run.dtrace.jsonl.gz"
    with TraceWriter(path) as w:
        w.begin(method="m", note="é")
        w.prefill(3)
        w.end(correct=True)
    assert gzip.decompress(path.read_bytes()) == (
        '{"deptrace":1,"method":"m","note":"é"}\n{"step":"prefill","q":[0,3]}\n{"end":{"correct":true}}\n'
    ).encode("utf-8")


def test_gzip_crash_loses_at_most_the_call_in_progress(tmp_path):
    path = tmp_path / "crash.dtrace.jsonl.gz"
    w = TraceWriter(path)
    w.begin(method="m")
    w.prefill(3)
    w.decode()
    # No close(): the file has no gzip trailer, as after a crash; every record is still there.
    partial = zlib.decompressobj(wbits=31).decompress(path.read_bytes())
    assert partial == b'{"deptrace":1,"method":"m"}\n{"step":"prefill","q":[0,3]}\n{"step":"decode","q":[3,1]}\n'
    w.close()


def test_gzip_on_a_file_object_only_when_asked():
    buffer = io.BytesIO()
    with TraceWriter(buffer, gzip=True) as w:
        w.begin()
    assert gzip.decompress(buffer.getvalue()) == b'{"deptrace":1}\n'
    assert not buffer.closed  # a file object given to the writer is not closed by it
    plain = io.BytesIO()
    with TraceWriter(plain) as w:
        w.begin()
    assert plain.getvalue() == b'{"deptrace":1}\n'


def test_text_file_objects(tmp_path):
    text = io.StringIO()
    with TraceWriter(text) as w:
        w.begin(method="é")
        w.prefill(1)
    assert text.getvalue() == '{"deptrace":1,"method":"é"}\n{"step":"prefill","q":[0,1]}\n'
    with open(tmp_path / "t.dtrace.jsonl", "w", encoding="utf-8") as handle:
        with TraceWriter(handle) as w:
            w.begin()
    assert (tmp_path / "t.dtrace.jsonl").read_text(encoding="utf-8") == '{"deptrace":1}\n'
    with open(tmp_path / "latin.dtrace.jsonl", "w", encoding="latin-1") as handle:
        with pytest.raises(ValueError, match="UTF-8"):
            TraceWriter(handle)
    with pytest.raises(ValueError, match="binary"):
        TraceWriter(io.StringIO(), gzip=True)


def test_standard_output():
    script = ("import sys; sys.path.insert(0, %r)\n"
              "from deptrace_recorder import TraceWriter\n"
              "with TraceWriter('-') as w:\n"
              "    w.begin(method='m')\n"
              "    w.prefill(2)\n") % os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    assert result.stdout == b'{"deptrace":1,"method":"m"}\n{"step":"prefill","q":[0,2]}\n'


def test_gzipped_binary_and_zstd_are_refused_not_faked(tmp_path):
    # .dtrace writes the binary encoding (test_binary.py); gzip is for JSON Lines only.
    for name in ("run.dtrace.gz", "RUN.DTRACE.GZ"):
        with pytest.raises(ValueError, match="binary encoding"):
            TraceWriter(tmp_path / name)
        assert not (tmp_path / name).exists()
    with pytest.raises(ValueError, match="zstd"):
        TraceWriter(tmp_path / "run.dtrace.jsonl.zst")


def test_exception_in_the_with_block_leaves_the_trace_incomplete(tmp_path):
    path = tmp_path / "crash.dtrace.jsonl"
    with pytest.raises(RuntimeError):
        with TraceWriter(path) as w:
            w.begin()
            w.prefill(2)
            raise RuntimeError("decoder crashed")
    assert path.read_bytes() == b'{"deptrace":1}\n{"step":"prefill","q":[0,2]}\n'


def test_trace_rule_error_is_a_value_error_with_details():
    buffer = io.BytesIO()
    with TraceWriter(buffer) as w:
        w.begin(sample="17")
        w.prefill(4)
        with pytest.raises(TraceRuleError) as caught:
            w.evict([(12, 13)])
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.record, error.trace, error.index) == ("evict", 0, 1)
    assert error.rule == "evict may only free resident ids: id 12 is not resident in stream 0"
    assert str(error) == ("refused 'evict' record (trace 0, record 1): "
                          "evict may only free resident ids: id 12 is not resident in stream 0")
