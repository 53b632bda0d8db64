"""IntervalSet against a plain Python set on random operations."""

import random

from deptrace_recorder import IntervalSet


def check(interval_set, model):
    assert set(interval_set) == model
    assert len(interval_set) == len(model)
    ranges = interval_set.ranges()
    for (a, b), (c, d) in zip(ranges, ranges[1:]):
        assert a < b < c < d  # sorted, non-empty, never touching
    assert interval_set.last == (max(model) if model else None)


def test_random_operations_match_a_set():
    rng = random.Random(8)
    for _ in range(300):
        interval_set, model = IntervalSet(), set()
        for _ in range(40):
            start = rng.randrange(0, 60)
            end = start + rng.randrange(0, 12)
            if rng.random() < 0.55:
                interval_set.insert(start, end)
                model |= set(range(start, end))
            else:
                interval_set.remove(start, end)
                model -= set(range(start, end))
            check(interval_set, model)
            a, b = sorted((rng.randrange(0, 70), rng.randrange(0, 70)))
            span = set(range(a, b))
            missing = sorted(span - model)
            present = sorted(span & model)
            assert interval_set.first_missing(a, b) == (missing[0] if missing else None)
            assert interval_set.first_present(a, b) == (present[0] if present else None)
            other_ids = {rng.randrange(0, 60) for _ in range(rng.randrange(0, 30))}
            other = IntervalSet.from_ids(other_ids)
            check(other, other_ids)
            check(interval_set - other, model - other_ids)
            check(interval_set & other, model & other_ids)
            check(interval_set | other, model | other_ids)
            assert (interval_set == IntervalSet.from_ids(model)) and not (interval_set != IntervalSet.from_ids(model))
            assert all((value in interval_set) == (value in model) for value in range(-1, 62))


def test_appending_past_the_end_merges():
    ids = IntervalSet()
    for first in range(0, 1_000_000, 1000):
        ids.insert(first, first + 1000)
    assert ids.ranges() == [(0, 1_000_000)] and len(ids) == 1_000_000


def test_describe_shortens_long_lists():
    ids = IntervalSet.from_ids(range(0, 40, 2))
    assert ids.describe() == "[[0,1],[2,3],[4,5],[6,7],…(12 more)…,[32,33],[34,35],[36,37],[38,39]]"
    assert IntervalSet([(0, 3)]).describe() == "[[0,3]]"
