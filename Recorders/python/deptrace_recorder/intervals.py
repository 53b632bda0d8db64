"""Sets of token ids kept as sorted lists of disjoint half-open intervals.

A trace can hold millions of tokens, so the writer never keeps one Python
object per id: a set is two parallel sorted lists, interval starts and ends,
with touching intervals merged. Appending ids past the end (what every step
does) costs O(1); removing or testing a range costs a binary search plus the
intervals it touches.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Iterable, Iterator, List, Optional, Tuple

__all__ = ["IntervalSet"]


class IntervalSet:
    """A set of non-negative integers stored as sorted, disjoint, non-touching ``[start, end)`` intervals."""

    __slots__ = ("_starts", "_ends", "_count")

    def __init__(self, ranges: Iterable[Tuple[int, int]] = ()) -> None:
        self._starts: List[int] = []
        self._ends: List[int] = []
        self._count = 0
        for start, end in ranges:
            self.insert(start, end)

    @classmethod
    def from_ids(cls, ids: Iterable[int]) -> "IntervalSet":
        """The set of `ids`, given in any order, repeats allowed."""
        result = cls()
        starts, ends = result._starts, result._ends
        for value in sorted(set(ids)):
            if ends and ends[-1] == value:
                ends[-1] = value + 1
            else:
                starts.append(value)
                ends.append(value + 1)
        result._count = sum(e - s for s, e in zip(starts, ends))
        return result

    def copy(self) -> "IntervalSet":
        result = IntervalSet()
        result._starts = self._starts[:]
        result._ends = self._ends[:]
        result._count = self._count
        return result

    # -- reading ---------------------------------------------------------------

    def __len__(self) -> int:
        """The number of ids in the set."""
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IntervalSet):
            return NotImplemented
        return self._starts == other._starts and self._ends == other._ends

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        index = bisect_right(self._starts, value) - 1
        return index >= 0 and value < self._ends[index]

    def __iter__(self) -> Iterator[int]:
        """Every id, ascending (one object per id: for small sets and tests)."""
        for start, end in zip(self._starts, self._ends):
            yield from range(start, end)

    def ranges(self) -> List[Tuple[int, int]]:
        """The intervals as ``(start, end)`` pairs, ascending, merged."""
        return list(zip(self._starts, self._ends))

    @property
    def interval_count(self) -> int:
        return len(self._starts)

    @property
    def last(self) -> Optional[int]:
        """The largest id, or None when empty."""
        return self._ends[-1] - 1 if self._ends else None

    def first_missing(self, start: int, end: int) -> Optional[int]:
        """The smallest id of ``[start, end)`` not in the set, or None when all are."""
        index = bisect_right(self._starts, start) - 1
        if index >= 0 and self._ends[index] > start:
            candidate = self._ends[index]  # merged intervals: the end is never in the set
            return candidate if candidate < end else None
        return start if start < end else None

    def first_present(self, start: int, end: int) -> Optional[int]:
        """The smallest id of ``[start, end)`` in the set, or None when none is."""
        if start >= end:
            return None
        index = bisect_right(self._ends, start)
        if index < len(self._starts) and self._starts[index] < end:
            return max(self._starts[index], start)
        return None

    def __repr__(self) -> str:
        return "IntervalSet(%r)" % (self.ranges(),)

    def describe(self, limit: int = 8) -> str:
        """``[[a,b],[c,d]]``, shortened in the middle when there are many intervals (as DepTrace prints sets)."""
        return describe_ranges(self.ranges(), limit)

    # -- changing --------------------------------------------------------------

    def insert(self, start: int, end: int) -> None:
        """Adds ``[start, end)``; an empty range does nothing."""
        if start >= end:
            return
        starts, ends = self._starts, self._ends
        if not ends or start > ends[-1]:  # the common case: past the end
            starts.append(start)
            ends.append(end)
            self._count += end - start
            return
        if start == ends[-1]:
            ends[-1] = end
            self._count += end - start
            return
        low = bisect_left(ends, start)  # first interval that ends at or after start (touching merges)
        high = bisect_right(starts, end)  # intervals that start at or before end
        if low == high:
            starts.insert(low, start)
            ends.insert(low, end)
            self._count += end - start
            return
        removed = sum(ends[i] - starts[i] for i in range(low, high))
        new_start = min(start, starts[low])
        new_end = max(end, ends[high - 1])
        starts[low:high] = [new_start]
        ends[low:high] = [new_end]
        self._count += (new_end - new_start) - removed

    def remove(self, start: int, end: int) -> None:
        """Removes ``[start, end)``; ids not in the set are ignored."""
        if start >= end:
            return
        starts, ends = self._starts, self._ends
        low = bisect_right(ends, start)  # first interval ending after start
        high = bisect_left(starts, end)  # intervals starting before end
        if low >= high:
            return
        removed = sum(ends[i] - starts[i] for i in range(low, high))
        new_starts: List[int] = []
        new_ends: List[int] = []
        if starts[low] < start:
            new_starts.append(starts[low])
            new_ends.append(start)
        if ends[high - 1] > end:
            new_starts.append(end)
            new_ends.append(ends[high - 1])
        kept = sum(e - s for s, e in zip(new_starts, new_ends))
        starts[low:high] = new_starts
        ends[low:high] = new_ends
        self._count -= removed - kept

    def remove_ranges(self, ranges: List[Tuple[int, int]]) -> None:
        """Removes sorted, disjoint ``[start, end)`` ranges in one merge pass: O(len(self) + len(ranges)),
        where one `remove` per range would shift the lists each time (quadratic for many scattered holes)."""
        if len(ranges) < 16:
            for start, end in ranges:
                self.remove(start, end)
            return
        new_starts: List[int] = []
        new_ends: List[int] = []
        j, m = 0, len(ranges)
        for start, end in zip(self._starts, self._ends):
            while j < m and ranges[j][1] <= start:
                j += 1
            current = start
            k = j
            while k < m and ranges[k][0] < end:
                low, high = ranges[k]
                if low > current:
                    new_starts.append(current)
                    new_ends.append(low)
                if high > current:
                    current = high
                if high > end:
                    break
                k += 1
            if current < end:
                new_starts.append(current)
                new_ends.append(end)
            j = k
        self._starts, self._ends = new_starts, new_ends
        self._count = sum(e - s for s, e in zip(new_starts, new_ends))

    # -- algebra ---------------------------------------------------------------

    def union(self, other: "IntervalSet") -> "IntervalSet":
        result = self.copy()
        for start, end in other.ranges():
            result.insert(start, end)
        return result

    def difference(self, other: "IntervalSet") -> "IntervalSet":
        """The ids of this set not in `other`, in one merge pass."""
        result = IntervalSet()
        out_starts, out_ends = result._starts, result._ends
        other_starts, other_ends = other._starts, other._ends
        j = 0
        for start, end in zip(self._starts, self._ends):
            while j < len(other_ends) and other_ends[j] <= start:
                j += 1
            cursor = start
            k = j
            while k < len(other_starts) and other_starts[k] < end:
                if other_starts[k] > cursor:
                    out_starts.append(cursor)
                    out_ends.append(other_starts[k])
                cursor = max(cursor, other_ends[k])
                k += 1
            if cursor < end:
                out_starts.append(cursor)
                out_ends.append(end)
        result._count = sum(e - s for s, e in zip(out_starts, out_ends))
        return result

    def intersection(self, other: "IntervalSet") -> "IntervalSet":
        """The ids in both sets, in one merge pass."""
        result = IntervalSet()
        out_starts, out_ends = result._starts, result._ends
        a_starts, a_ends, b_starts, b_ends = self._starts, self._ends, other._starts, other._ends
        i = j = 0
        while i < len(a_starts) and j < len(b_starts):
            start = max(a_starts[i], b_starts[j])
            end = min(a_ends[i], b_ends[j])
            if start < end:
                out_starts.append(start)
                out_ends.append(end)
            if a_ends[i] < b_ends[j]:
                i += 1
            else:
                j += 1
        result._count = sum(e - s for s, e in zip(out_starts, out_ends))
        return result

    __or__ = union
    __sub__ = difference
    __and__ = intersection


def describe_ranges(ranges: List[Tuple[int, int]], limit: int = 8) -> str:
    """``[[a,b],[c,d]]``, shortened in the middle when there are more than `limit` ranges."""

    def pair(item: Tuple[int, int]) -> str:
        return "[%d,%d]" % item

    if len(ranges) <= limit:
        return "[" + ",".join(pair(r) for r in ranges) + "]"
    head = ",".join(pair(r) for r in ranges[: limit // 2])
    tail = ",".join(pair(r) for r in ranges[-(limit // 2):])
    return "[%s,…(%d more)…,%s]" % (head, len(ranges) - limit, tail)
