"""The state of one trace and the rules of the format, as the Swift reader enforces them.

Every check runs before anything changes, so a refused record leaves the
state as it was. Streams that have only received all-stream records share one
state; a per-stream record splits its stream off (copy on write), as the
Swift engine does, so a 1,000-stream trace costs one stream's work until its
streams diverge.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from .intervals import IntervalSet

__all__ = ["ID_LIMIT", "MAX_STREAMS", "Violation", "TraceState"]

#: Ids live in ``[0, 2^53)``.
ID_LIMIT = 1 << 53
#: The most streams (layers × heads) DepTrace reads by default.
MAX_STREAMS = 1 << 20

Ranges = Sequence[Tuple[int, int]]


class Violation(Exception):
    """A rule of the format broken by one record (the message names the rule, as the Swift reader words it)."""


def check_ranges(ranges: Ranges) -> None:
    """Each range inside ``[0, 2^53)``, non-empty, sorted ascending and non-overlapping (touching is allowed)."""
    previous_end = None
    for start, end in ranges:
        if start < 0 or end > ID_LIMIT:
            raise Violation("range [%d,%d] leaves the id space [0, 2^53)" % (start, end))
        if start >= end:
            raise Violation("empty range [%d,%d]: ranges are half-open [start, end) with start < end" % (start, end))
        if previous_end is not None and start < previous_end:
            raise Violation(
                "range [%d,%d] overlaps or precedes the one before it: "
                "ranges in a record must be sorted ascending and non-overlapping" % (start, end))
        previous_end = end


class _Stream:
    __slots__ = ("visible", "resident")

    def __init__(self, visible: IntervalSet, resident: IntervalSet) -> None:
        self.visible = visible
        self.resident = resident

    def copy(self) -> "_Stream":
        return _Stream(self.visible.copy(), self.resident.copy())


class TraceState:
    """Resident and visible sets of every stream of one trace, with the checks of each record type."""

    def __init__(self, streams: int) -> None:
        self.streams = streams
        self._states: List[_Stream] = [_Stream(IntervalSet(), IntervalSet())]
        self._multiplicity: List[int] = [streams]
        self._state_of_stream: Optional[List[int]] = None
        self.created = IntervalSet()
        self.ended = False

    # -- streams ---------------------------------------------------------------

    def check_stream(self, stream: Optional[int]) -> None:
        if stream is not None and not 0 <= stream < self.streams:
            raise Violation("stream s=%d out of range: the header declares %d stream%s (layers × heads)"
                            % (stream, self.streams, "" if self.streams == 1 else "s"))

    def _index(self, stream: int) -> int:
        return 0 if self._state_of_stream is None else self._state_of_stream[stream]

    def _first_stream(self, index: int) -> int:
        if self._state_of_stream is None:
            return 0
        return self._state_of_stream.index(index)

    def _checked(self, stream: Optional[int]) -> List[int]:
        """The states a record touches, for checking (no split)."""
        self.check_stream(stream)
        return list(range(len(self._states))) if stream is None else [self._index(stream)]

    def _targets(self, stream: Optional[int]) -> List[int]:
        """The states a record changes: all, or the one of `stream` after splitting it off."""
        if stream is None:
            return list(range(len(self._states)))
        shared = self._index(stream)
        if self._multiplicity[shared] == 1:
            return [shared]
        if self._state_of_stream is None:
            self._state_of_stream = [0] * self.streams
        self._states.append(self._states[shared].copy())
        self._multiplicity[shared] -= 1
        self._multiplicity.append(1)
        own = len(self._states) - 1
        self._state_of_stream[stream] = own
        return [own]

    def _name(self, stream: Optional[int], index: int) -> int:
        return stream if stream is not None else self._first_stream(index)

    # -- reading ---------------------------------------------------------------

    def visible(self, stream: int = 0) -> IntervalSet:
        """The visible set of one stream (the object itself: copy it before changing it)."""
        return self._states[self._index(stream)].visible

    def resident(self, stream: int = 0) -> IntervalSet:
        return self._states[self._index(stream)].resident

    @property
    def distinct_states(self) -> int:
        return len(self._states)

    def streams_agree(self) -> bool:
        """Whether every stream has the same resident and visible sets."""
        first = self._states[0]
        return all(s.visible == first.visible and s.resident == first.resident for s in self._states[1:])

    # -- records ---------------------------------------------------------------

    def check_not_ended(self, record: str) -> None:
        if self.ended:
            raise Violation("'%s' record after 'end': only a new header may follow the end of a trace" % record)

    def check_step(self, first: int, n: int) -> None:
        if n < 1:
            raise Violation("step has n=%d queries: a step needs n ≥ 1" % n)
        if first < 0 or n > ID_LIMIT - first:
            raise Violation("step ids %d ..< %d + %d leave the id space [0, 2^53)" % (first, first, n))
        last = self.created.last
        if last is not None and first <= last:
            raise Violation("step ids must be greater than every id created before: first id %d, but id %d already exists"
                            % (first, last))

    def apply_step(self, first: int, n: int) -> None:
        for state in self._states:
            state.visible.insert(first, first + n)
            state.resident.insert(first, first + n)
        self.created.insert(first, first + n)

    def check_evict(self, ranges: Ranges, stream: Optional[int]) -> None:
        check_ranges(ranges)
        for index in self._checked(stream):
            for start, end in ranges:
                missing = self._states[index].resident.first_missing(start, end)
                if missing is not None:
                    raise Violation("evict may only free resident ids: id %d is not resident in stream %d"
                                    % (missing, self._name(stream, index)))

    def apply_evict(self, ranges: Ranges, stream: Optional[int]) -> None:
        for index in self._targets(stream):
            state = self._states[index]
            state.resident.remove_ranges(ranges)
            state.visible.remove_ranges(ranges)

    def check_add(self, ranges: Ranges, stream: Optional[int]) -> None:
        check_ranges(ranges)
        for start, end in ranges:
            missing = self.created.first_missing(start, end)
            if missing is not None:
                raise Violation("add may only bring back ids created earlier: id %d was never created by a step" % missing)
        for index in self._checked(stream):
            for start, end in ranges:
                present = self._states[index].resident.first_present(start, end)
                if present is not None:
                    raise Violation("add may only bring back ids that are not resident: id %d is resident in stream %d"
                                    % (present, self._name(stream, index)))

    def apply_add(self, ranges: Ranges, stream: Optional[int]) -> None:
        for index in self._targets(stream):
            state = self._states[index]
            for start, end in ranges:
                state.resident.insert(start, end)
                state.visible.insert(start, end)

    def check_hide(self, ranges: Ranges, stream: Optional[int]) -> None:
        check_ranges(ranges)
        for index in self._checked(stream):
            for start, end in ranges:
                missing = self._states[index].visible.first_missing(start, end)
                if missing is not None:
                    raise Violation("hide may only mask visible ids: id %d is not visible in stream %d"
                                    % (missing, self._name(stream, index)))

    def apply_hide(self, ranges: Ranges, stream: Optional[int]) -> None:
        for index in self._targets(stream):
            for start, end in ranges:
                self._states[index].visible.remove(start, end)

    def check_show(self, ranges: Ranges, stream: Optional[int]) -> None:
        check_ranges(ranges)
        for index in self._checked(stream):
            state = self._states[index]
            for start, end in ranges:
                offender = state.resident.first_missing(start, end)
                if offender is None:
                    offender = state.visible.first_present(start, end)
                if offender is not None:
                    raise Violation("show may only unmask hidden resident ids: id %d in stream %d is visible or not resident"
                                    % (offender, self._name(stream, index)))

    def apply_show(self, ranges: Ranges, stream: Optional[int]) -> None:
        for index in self._targets(stream):
            for start, end in ranges:
                self._states[index].visible.insert(start, end)

    def check_snap(self, visible: Ranges, resident: Optional[Ranges], stream: Optional[int]) -> None:
        check_ranges(visible)
        if resident is not None:
            check_ranges(resident)
        expected_visible = IntervalSet(visible)
        expected_resident = None if resident is None else IntervalSet(resident)
        for index in self._checked(stream):
            state = self._states[index]
            if state.visible != expected_visible:
                raise Violation("snap does not match the visible set of stream %d: snap says %s, computed %s"
                                % (self._name(stream, index), expected_visible.describe(), state.visible.describe()))
            if expected_resident is not None and state.resident != expected_resident:
                raise Violation("snap does not match the resident set of stream %d: snap says %s, computed %s"
                                % (self._name(stream, index), expected_resident.describe(), state.resident.describe()))
