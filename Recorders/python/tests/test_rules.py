"""Every rule of FORMAT.md the readers enforce, enforced at the offending call.

A refused call raises TraceRuleError (a ValueError), writes nothing and leaves
the trace as it was: the test goes on writing after each refusal, and the
whole output must then read as valid with the reference reader.
"""

import io
import math

import pytest

from deptrace_recorder import TraceRuleError, TraceWriter

LIMIT = 1 << 53


class Session:
    def __init__(self, **header):
        self.buffer = io.BytesIO()
        self.w = TraceWriter(self.buffer)
        if header is not None:
            self.w.begin(**header)

    def refused(self, call, match=None, record=None):
        """`call()` raises TraceRuleError (matching `match`) and writes nothing."""
        before = self.buffer.getvalue()
        with pytest.raises(TraceRuleError, match=match) as caught:
            call()
        assert self.buffer.getvalue() == before, "a refused call wrote something"
        if record is not None:
            assert caught.value.record == record
        return caught.value

    def text(self):
        return self.buffer.getvalue().decode("utf-8")


@pytest.fixture
def s():
    session = Session(method="rules", layers=2, heads=2)
    session.w.prefill(10)
    return session


def finish_and_validate(session, oracle):
    session.w.decode()  # the trace is still usable
    session.w.end()
    results, errors = oracle(session.buffer.getvalue())
    assert errors == []
    assert len(results) >= 1


# -- ranges ----------------------------------------------------------------------


@pytest.mark.parametrize("record", ["evict", "add", "hide", "show"])
@pytest.mark.parametrize("ranges, message", [
    ([(3, 3)], r"empty range \[3,3\]: ranges are half-open \[start, end\) with start < end"),
    ([(5, 4)], r"empty range \[5,4\]"),
    ([(4, 6), (1, 2)], r"range \[1,2\] overlaps or precedes the one before it"),
    ([(1, 4), (3, 6)], r"range \[3,6\] overlaps or precedes the one before it"),
    ([(-1, 2)], r"range \[-1,2\] leaves the id space \[0, 2\^53\)"),
    ([(0, LIMIT + 1)], r"range \[0,9007199254740993\] leaves the id space"),
    ([range(0, 5, 2)], r"step 1"),
    ([(1, 2, 3)], r"a range is a \[start, end\] pair"),
    ([5], r"a range is a \[start, end\] pair"),
    ("0-5", r"must be a list of \[start, end\] ranges"),
    ([(1.0, 2)], r"must be a JSON integer, found 1.0 \(a float"),
    ([(True, 2)], r"must be a JSON integer, found True \(a Boolean\)"),
    ([("1", 2)], r"must be a JSON integer, found '1'"),
])
def test_range_rules(s, oracle, record, ranges, message):
    s.refused(lambda: getattr(s.w, record)(ranges), match=message, record=record)
    finish_and_validate(s, oracle)


@pytest.mark.parametrize("record", ["evict", "add", "hide", "show"])
def test_ids_outside_the_id_space_and_of_the_wrong_type(s, record):
    s.refused(lambda: getattr(s.w, record)(ids=[-1]), match=r"range \[-1,0\] leaves the id space")
    s.refused(lambda: getattr(s.w, record)(ids=[LIMIT]), match=r"leaves the id space")
    s.refused(lambda: getattr(s.w, record)(ids=[1.5]), match=r"JSON integer")
    s.refused(lambda: getattr(s.w, record)(ids=5), match=r"iterable of integer ids")
    with pytest.raises(TypeError):
        getattr(s.w, record)()
    with pytest.raises(TypeError):
        getattr(s.w, record)([(0, 1)], ids=[0])


def test_snap_ranges_follow_the_same_rules(s, oracle):
    s.refused(lambda: s.w.snap([(0, 5), (4, 10)]), match="overlaps or precedes")
    s.refused(lambda: s.w.snap([(0, 10)], resident=[(0, 0)]), match="empty range")
    finish_and_validate(s, oracle)


# -- per-record rules ---------------------------------------------------------------


def test_evict_only_resident_ids(s, oracle):
    s.w.evict([(0, 2)])
    s.refused(lambda: s.w.evict([(1, 3)]), match="evict may only free resident ids: id 1 is not resident in stream 0")
    s.w.evict([(2, 3)], stream=3)
    s.refused(lambda: s.w.evict([(2, 4)]), match="id 2 is not resident in stream 3")
    s.refused(lambda: s.w.evict([(20, 21)], stream=1), match="id 20 is not resident in stream 1")
    s.w.hide([(5, 6)], stream=2)
    s.w.evict([(5, 6)], stream=2)  # hidden ids are resident: evict may free them
    finish_and_validate(s, oracle)


def test_add_only_created_and_not_resident(s, oracle):
    s.refused(lambda: s.w.add([(10, 11)]), match="add may only bring back ids created earlier: id 10 was never created")
    s.refused(lambda: s.w.add([(0, 1)]), match="add may only bring back ids that are not resident: id 0 is resident in stream 0")
    s.w.evict([(0, 4)], stream=1)
    s.refused(lambda: s.w.add([(0, 1)]), match="id 0 is resident in stream 0")  # resident in the other streams
    s.w.add([(0, 1)], stream=1)
    s.w.hide([(6, 7)], stream=1)
    s.refused(lambda: s.w.add([(6, 7)], stream=1), match="id 6 is resident in stream 1")  # hidden is resident
    s.w.decode(first=20)
    s.refused(lambda: s.w.add([(15, 16)], stream=1), match="id 15 was never created")  # a gap
    finish_and_validate(s, oracle)


def test_hide_only_visible(s, oracle):
    s.w.hide([(0, 2)], stream=0)
    s.refused(lambda: s.w.hide([(1, 3)], stream=0), match="hide may only mask visible ids: id 1 is not visible in stream 0")
    s.refused(lambda: s.w.hide([(0, 1)]), match="id 0 is not visible in stream 0")
    s.w.evict([(8, 10)], stream=2)
    s.refused(lambda: s.w.hide([(9, 10)], stream=2), match="id 9 is not visible in stream 2")
    s.refused(lambda: s.w.hide([(10, 11)]), match="id 10 is not visible")
    finish_and_validate(s, oracle)


def test_show_only_hidden_resident(s, oracle):
    s.refused(lambda: s.w.show([(0, 1)]), match="show may only unmask hidden resident ids: id 0 in stream 0 is visible or not resident")
    s.w.hide([(0, 3)], stream=1)
    s.refused(lambda: s.w.show([(2, 4)], stream=1), match="id 3 in stream 1 is visible or not resident")
    s.w.evict([(1, 2)], stream=1)
    s.refused(lambda: s.w.show([(0, 3)], stream=1), match="id 1 in stream 1 is visible or not resident")
    s.refused(lambda: s.w.show([(0, 1)]), match="id 0 in stream 0")
    s.w.show([(0, 1), (2, 3)], stream=1)
    finish_and_validate(s, oracle)


def test_step_rules(s, oracle):
    s.refused(lambda: s.w.decode(0), match="step has n=0 queries: a step needs n ≥ 1")
    s.refused(lambda: s.w.decode(-2), match="n=-2")
    s.refused(lambda: s.w.decode(first=9), match="step ids must be greater than every id created before: first id 9, but id 9 already exists")
    s.refused(lambda: s.w.decode(first=3), match="first id 3")
    s.refused(lambda: s.w.decode(first=-1), match=r"step ids -1 ..< -1 \+ 1 leave the id space")
    s.refused(lambda: s.w.decode(2, first=LIMIT - 1), match="leave the id space")
    s.w.decode(first=LIMIT - 1)  # the very last id
    s.refused(lambda: s.w.decode(), match="leave the id space")
    s.refused(lambda: s.w.decode(1.0), match="n must be a JSON integer")
    s.refused(lambda: s.w.decode(True), match="Boolean")
    s.refused(lambda: s.w.step("generate"), match="phase name")
    s.refused(lambda: s.w.decode(kind="thought"), match=r"'kind' must be one of")
    s.refused(lambda: s.w.decode(t=1.5), match="'t' must be a JSON integer")
    s.refused(lambda: s.w.decode(t=1 << 63), match="64 bits")
    s.refused(lambda: s.w.decode(tok=[1, 2.0]), match="'tok' entry must be a JSON integer")
    s.refused(lambda: s.w.decode(tok=[[1]]), match="'tok' entry must be a JSON integer")
    s.refused(lambda: s.w.decode(tok=5), match="'tok' must be a list of integers")
    s.refused(lambda: s.w.decode(tok="ab"), match="'tok' must be a list of integers")
    s.refused(lambda: s.w.decode(first=1.5), match="first must be a JSON integer")
    s.w.end()
    results, errors = oracle(s.buffer.getvalue())
    assert errors == [] and results[0]["output_tokens"] == 1


@pytest.mark.parametrize("stream", [4, -1, 100])
def test_stream_in_range(s, oracle, stream):
    message = r"stream s=%d out of range: the header declares 4 streams \(layers × heads\)" % stream
    s.refused(lambda: s.w.evict([(0, 1)], stream=stream), match=message)
    s.refused(lambda: s.w.add([(0, 1)], stream=stream), match=message)
    s.refused(lambda: s.w.hide([(0, 1)], stream=stream), match=message)
    s.refused(lambda: s.w.show([(0, 1)], stream=stream), match=message)
    s.refused(lambda: s.w.snap(stream=stream), match=message)
    s.refused(lambda: s.w.visible([0], stream=stream), match=message)
    finish_and_validate(s, oracle)


def test_stream_is_an_integer(s):
    s.refused(lambda: s.w.evict([(0, 1)], stream=1.0), match="'s' must be a JSON integer")
    s.refused(lambda: s.w.evict([(0, 1)], stream=True), match="Boolean")
    s.refused(lambda: s.w.snap(stream="0"), match="'s' must be a JSON integer")


def test_one_stream_is_named_in_the_message():
    session = Session(heads=1)
    session.w.prefill(1)
    session.refused(lambda: session.w.evict([(0, 1)], stream=1), match=r"declares 1 stream \(layers")


def test_snap_must_equal_the_state(s, oracle):
    s.w.hide([(0, 2)], stream=1)
    s.refused(lambda: s.w.snap([(0, 10)], stream=1),
              match=r"snap does not match the visible set of stream 1: snap says \[\[0,10\]\], computed \[\[2,10\]\]")
    s.refused(lambda: s.w.snap([(2, 10)], resident=[(2, 10)], stream=1),
              match=r"snap does not match the resident set of stream 1: snap says \[\[2,10\]\], computed \[\[0,10\]\]")
    # Without a stream, every stream must hold the snap: stream 1 differs.
    s.refused(lambda: s.w.snap([(0, 10)]), match="visible set of stream 1")
    s.refused(lambda: s.w.snap(), match="visible set of stream 1")  # computed from stream 0
    s.w.snap([(0, 10)], resident=[(0, 3), (3, 10)], stream=0)
    s.w.snap([(2, 5), (5, 10)], resident=True, stream=1)
    finish_and_validate(s, oracle)


def test_mark_is_text(s, oracle):
    s.refused(lambda: s.w.mark(3), match="'mark' must be a string")
    s.refused(lambda: s.w.mark(b"bytes"), match="'mark' must be a string")
    s.refused(lambda: s.w.mark("lone \udc80 surrogate"), match="valid Unicode")
    finish_and_validate(s, oracle)


def test_end_claims_are_json(s, oracle):
    s.refused(lambda: s.w.end(peak=math.nan), match="not representable as JSON")
    s.refused(lambda: s.w.end(detail=object()), match="not representable as JSON")
    s.refused(lambda: s.w.end(note="\ud800"), match="valid Unicode")
    s.w.end(peak=3)
    results, errors = oracle(s.buffer.getvalue())
    assert errors == []


# -- trace structure -----------------------------------------------------------------


def test_nothing_after_end_but_begin(oracle):
    session = Session(method="a")
    w = session.w
    w.prefill(3)
    w.hide([(0, 1)])
    w.end(correct=True)
    for name, call in [
        ("step", lambda: w.decode()), ("step", lambda: w.prefill(2)), ("evict", lambda: w.evict([(1, 2)])),
        ("add", lambda: w.add([(1, 2)])), ("hide", lambda: w.hide([(1, 2)])), ("show", lambda: w.show([(0, 1)])),
        ("mark", lambda: w.mark("late")), ("snap", lambda: w.snap()), ("end", lambda: w.end()),
        ("visible", lambda: w.visible([0])),
    ]:
        error = session.refused(call, record=name)
        assert error.rule == "'%s' record after 'end': only a new header may follow the end of a trace" % name
    w.begin(method="b")
    w.prefill(1)
    w.end()
    results, errors = oracle(session.buffer.getvalue())
    assert errors == [] and [r["method"] for r in results] == ["a", "b"]


def test_records_before_any_begin():
    buffer = io.BytesIO()
    w = TraceWriter(buffer)
    for call in (lambda: w.decode(), lambda: w.evict([(0, 1)]), lambda: w.mark("x"), lambda: w.snap(),
                 lambda: w.end(), lambda: w.visible([0])):
        with pytest.raises(TraceRuleError, match=r"no trace open: call begin\(\) first"):
            call()
    assert buffer.getvalue() == b""


def test_a_refused_header_writes_nothing_and_keeps_the_previous_trace(oracle):
    session = Session(method="first")
    w = session.w
    w.prefill(2)
    for header, message in [
        ({"layers": 0}, "header key 'layers' must be a positive integer"),
        ({"heads": -1}, "header key 'heads' must be a positive integer"),
        ({"layers": 2.0}, "header key 'layers' must be a positive integer"),
        ({"heads": True}, "header key 'heads' must be a positive integer"),
        ({"budget": -1}, "header key 'budget' must be a non-negative integer"),
        ({"kv_bytes_per_token": "16"}, "header key 'kv_bytes_per_token' must be a non-negative integer"),
        ({"budget": 1 << 64}, "header key 'budget' must be a non-negative integer"),
        ({"method": ["h2o"]}, "header key 'method' must be a string"),
        ({"sample": True}, "header key 'sample' must be a string"),
        ({"deptrace": 2}, "header key 'deptrace' must be 1"),
        ({"layers": 1024, "heads": 1025}, "more than the limit of 1048576"),
        ({"meta": {"x": math.inf}}, "not representable as JSON"),
        ({"meta": {"x": {1, 2}}}, "not representable as JSON"),
        ({"model": "bad \udcff"}, "valid Unicode"),
    ]:
        error = session.refused(lambda: w.begin(**header), match=message, record="header")
        assert error.trace == 1
    assert w.trace_index == 0 and w.in_trace
    w.decode()  # the first trace goes on
    w.end()
    results, errors = oracle(session.buffer.getvalue())
    assert errors == [] and results[0]["steps"] == 2


def test_begin_while_a_trace_is_open_leaves_it_incomplete(oracle):
    session = Session(method="a")
    session.w.prefill(2)
    session.w.begin(method="b")
    session.w.prefill(1)
    session.w.end()
    results, errors = oracle(session.buffer.getvalue())
    assert errors == []
    assert [(r["method"], r["complete"]) for r in results] == [("a", False), ("b", True)]


# -- visible() -----------------------------------------------------------------------


def test_visible_is_all_or_nothing(s, oracle):
    s.w.evict([(0, 2)], stream=0)
    # 12 was never created: the evict of 5..9 that would come first is not written either.
    s.refused(lambda: s.w.visible([0, 1, 2, 3, 4, 12], stream=0),
              match=r"add may only bring back ids created earlier: id 12 was never created by a step \(from visible\(\)\)")
    assert s.w.visible_ids(0).ranges() == [(2, 10)]
    s.refused(lambda: s.w.visible([0]), match="every stream to hold the same sets")
    s.refused(lambda: s.w.visible([-1], stream=0), match="leaves the id space")
    s.refused(lambda: s.w.visible(ranges=[(4, 6), (0, 2)], stream=0), match="overlaps or precedes")
    s.refused(lambda: s.w.visible(ranges=[(0, 0)], stream=0), match="empty range")
    s.w.visible(ranges=[(0, 2), (4, 6)], stream=0)
    assert s.w.visible_ids(0).ranges() == [(0, 2), (4, 6)]
    finish_and_validate(s, oracle)
