"""`TraceWriter`: records DepTrace traces (format version 1) from any Python decoder."""

from __future__ import annotations

import gzip as _gzip
import io
import operator
import os
import sys
import time
from typing import Any, BinaryIO, Dict, Iterable, List, Optional, Tuple, Union

from .encoding import DEFAULT_CHUNK_BYTES, ENCODINGS, BinaryEncoder, RecordTooLarge
from .intervals import IntervalSet
from .state import ID_LIMIT, MAX_STREAMS, TraceState, Violation, check_ranges

__all__ = ["TraceWriter", "TraceRuleError", "FORMAT_VERSION", "PHASES", "KINDS"]

#: The format version this writer writes (the header's ``"deptrace"``).
FORMAT_VERSION = 1
PHASES = ("prefill", "decode", "compress")
KINDS = ("prompt", "output", "gist", "special")
_INT64_MIN = -(1 << 63) + 1  # the Swift reader parses integers into Int and refuses -2^63's digits
_INT64_MAX = (1 << 63) - 1
_TEXT_KEYS = ("method", "model", "dataset", "sample")
_COUNT_KEYS = {"layers": 1, "heads": 1, "budget": 0, "kv_bytes_per_token": 0}

RangesArg = Union[Iterable[Any], IntervalSet, range, None]


class TraceRuleError(ValueError):
    """A call that would write a record a DepTrace reader refuses; nothing was written for it.

    Attributes: ``record`` (the record type: ``"evict"``, ``"header"``, ...),
    ``rule`` (the rule broken, worded as the Swift reader words it), ``trace``
    (index of the trace in the output, None before any) and ``index`` (the
    record's index in its trace, counted from 0 after the header).
    """

    def __init__(self, record: str, rule: str, trace: Optional[int] = None, index: Optional[int] = None) -> None:
        self.record = record
        self.rule = rule
        self.trace = trace
        self.index = index
        where = []
        if trace is not None:
            where.append("trace %d" % trace)
        if index is not None:
            where.append("record %d" % index)
        name = "header" if record == "header" else "'%s' record" % record
        super().__init__("refused %s%s: %s" % (name, " (%s)" % ", ".join(where) if where else "", rule))


def _as_int(value: Any, what: str) -> int:
    """`value` as a Python int when it is an integer (int, numpy/torch integer); never bool or float."""
    if isinstance(value, bool) or "bool" in type(value).__name__.lower():
        raise Violation("%s must be a JSON integer, found %r (a Boolean)" % (what, value))
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        raise Violation("%s must be a JSON integer, found %r (a float: give an int)" % (what, value))
    try:
        return operator.index(value)
    except TypeError:
        raise Violation("%s must be a JSON integer, found %r (%s)" % (what, value, type(value).__name__)) from None


def _as_int64(value: Any, what: str) -> int:
    number = _as_int(value, what)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise Violation("%s must fit in 64 bits, found %d" % (what, number))
    return number


def _tolist(value: Any) -> Any:
    tolist = getattr(value, "tolist", None)
    return tolist() if callable(tolist) and not isinstance(value, (list, tuple, range)) else value


def _parse_ranges(ranges: Any, what: str) -> List[Tuple[int, int]]:
    """A record's ranges: a list of ``(start, end)`` pairs, one ``range``, or an IntervalSet.

    Only the shape is checked here (pairs of integers); the rules on ranges
    (inside the id space, non-empty, sorted, disjoint) are checked with the state.
    """
    if isinstance(ranges, IntervalSet):
        return ranges.ranges()
    if isinstance(ranges, range):
        return [_range_pair(ranges, what)]
    if isinstance(ranges, (str, bytes, dict)):
        raise Violation("%s must be a list of [start, end] ranges, found %r" % (what, ranges))
    ranges = _tolist(ranges)
    try:
        items = list(ranges)
    except TypeError:
        raise Violation("%s must be a list of [start, end] ranges, found %r" % (what, ranges)) from None
    if items and all(type(item) is tuple and len(item) == 2 and type(item[0]) is int and type(item[1]) is int
                     for item in items):
        return items  # pairs of plain ints (what recorders give): no per-value conversion
    result = []
    for item in items:
        if isinstance(item, range):
            result.append(_range_pair(item, what))
            continue
        if isinstance(item, (str, bytes, dict)):
            raise Violation("%s: a range is a [start, end] pair of integers, found %r" % (what, item))
        try:
            pair = list(item)
        except TypeError:
            raise Violation("%s: a range is a [start, end] pair of integers, found %r" % (what, item)) from None
        if len(pair) != 2:
            raise Violation("%s: a range is a [start, end] pair of integers, found %r" % (what, item))
        result.append((_as_int(pair[0], what + " range start"), _as_int(pair[1], what + " range end")))
    return result


def _range_pair(value: range, what: str) -> Tuple[int, int]:
    if value.step != 1:
        raise Violation("%s: a range object must have step 1, found %r" % (what, value))
    return (value.start, value.stop)


def _parse_ids(ids: Any, what: str) -> List[Tuple[int, int]]:
    """Ids in any order (repeats allowed) as sorted, merged ranges."""
    if isinstance(ids, IntervalSet):
        return ids.ranges()
    if isinstance(ids, range) and ids.step == 1:
        return [(ids.start, ids.stop)] if ids.start < ids.stop else []
    if isinstance(ids, (str, bytes, dict)):
        raise Violation("%s must be an iterable of integer ids, found %r" % (what, ids))
    ids = _tolist(ids)
    try:
        values = [_as_int(value, what) for value in ids]
    except TypeError:
        raise Violation("%s must be an iterable of integer ids, found %r" % (what, ids)) from None
    for value in values:
        if not 0 <= value < ID_LIMIT:
            raise Violation("range [%d,%d] leaves the id space [0, 2^53)" % (value, value + 1))
    return IntervalSet.from_ids(values).ranges()


def _parse_tokens(tok: Any) -> List[int]:
    if isinstance(tok, (str, bytes, dict)):
        raise Violation("'tok' must be a list of integers, found %r" % (tok,))
    tok = _tolist(tok)
    try:
        values = list(tok)
    except TypeError:
        raise Violation("'tok' must be a list of integers, found %r" % (tok,)) from None
    if values and all(type(value) is int for value in values) and \
            _INT64_MIN <= min(values) and max(values) <= _INT64_MAX:
        return values  # plain ints in range (what tolist() gives): no per-value conversion
    return [_as_int64(value, "'tok' entry") for value in values]


def _choose(ranges: Any, ids: Any, record: str) -> List[Tuple[int, int]]:
    if ranges is None and ids is None:
        raise TypeError("%s() needs ranges (a list of (start, end) pairs) or ids=" % record)
    if ranges is not None and ids is not None:
        raise TypeError("%s() takes ranges or ids=, not both" % record)
    return _parse_ranges(ranges, "'%s'" % record) if ids is None else _parse_ids(ids, "'%s' ids" % record)


class TraceWriter:
    """Writes DepTrace traces in the JSON Lines or the binary encoding, refusing any record a reader would refuse.

    `target` is a path or an open file object. A path ending in ``.dtrace``
    writes the binary encoding, any other the JSON Lines encoding (``.gz`` at
    the end: gzip; ``"-"`` is standard output); ``encoding="binary"`` or
    ``"jsonl"`` overrides the name, as in the Swift `TraceWriter`. A file
    object gets JSON Lines unless ``encoding="binary"`` is given or its name
    ends in ``.dtrace`` (binary needs a binary file object; gzip only with
    ``gzip=True``, and only for JSON Lines). Each call is checked against the
    rules of the format before anything is written: a refused call raises
    `TraceRuleError`, writes nothing, and leaves the trace as it was, so
    recording can go on.

    JSON Lines output is flushed after every call (``flush="record"``, the
    default), so a crash loses at most the call in progress;
    ``flush="trace"`` flushes at each ``end()`` and at close only (faster,
    and much smaller gzip output, since each gzip flush ends a deflate block).

    Binary output is written in CRC-checked chunks: records fill an open
    chunk, which is closed, written and flushed to the operating system once
    its payload reaches ``chunk_bytes`` (65,536 by default, the Swift
    writer's ``flushThreshold``), at ``flush()``, at ``close()`` (and the end
    of a ``with`` block), and before the next trace's start, so a crash
    loses at most the records of the open chunk. ``flush=`` does not apply
    to it. A record over 16 MiB is refused (no chunk can hold it).

    With ``timestamps=True`` every step without ``t=`` gets the nanoseconds
    since its trace's ``begin()`` (monotonic clock).
    """

    def __init__(self, target: Union[str, "os.PathLike[str]", BinaryIO, Any], *, gzip: Optional[bool] = None,
                 compresslevel: int = 6, flush: str = "record", timestamps: bool = False,
                 encoding: Optional[str] = None, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        if flush not in ("record", "trace"):
            raise ValueError("flush must be 'record' or 'trace', not %r" % (flush,))
        if encoding is not None and encoding not in ENCODINGS:
            raise ValueError("unknown encoding %r: this writer has %s" % (encoding, ", ".join(sorted(ENCODINGS))))
        if isinstance(target, (str, os.PathLike)):
            name: Any = os.fspath(target)
        else:
            name = getattr(target, "name", None)
        named_binary = isinstance(name, str) and name.endswith(".dtrace")
        if encoding is None:
            encoding = "binary" if named_binary else "jsonl"
        self.encoding = encoding
        self._binary = encoding == "binary"
        if self._binary:
            self._encoder: Any = BinaryEncoder(chunk_bytes)
        else:
            BinaryEncoder(chunk_bytes)  # the same check on chunk_bytes, which JSON Lines does not use
            self._encoder = ENCODINGS[encoding]()
        self._flush_each = flush == "record"
        self._timestamps = timestamps
        self._text = False
        self._owns_raw = False
        self.name: Optional[str] = None
        if isinstance(target, (str, os.PathLike)):
            path = os.fspath(target)
            self.name = path
            use_gzip = path.endswith(".gz") if gzip is None else gzip
            if self._binary and use_gzip:
                raise ValueError("%s: the binary encoding is not gzipped by this writer (it is compact and "
                                 "checksummed already): name it .dtrace, or write JSON Lines as .dtrace.jsonl.gz" % path)
            if path == "-":
                raw: Any = sys.stdout.buffer
            else:
                _refuse_unsupported_name(path)
                raw = open(path, "wb")
                self._owns_raw = True
        else:
            raw = target
            self.name = name if isinstance(name, str) else None
            use_gzip = bool(gzip)
            if self._binary and use_gzip:
                raise ValueError("the binary encoding is not gzipped by this writer: leave gzip off")
            mode = getattr(target, "mode", None)
            self._text = isinstance(target, io.TextIOBase) or (isinstance(mode, str) and "b" not in mode)
            if self._text and self._binary:
                raise ValueError("the binary encoding needs a binary file object (opened with 'wb'), not a text one")
            if self._text:
                if use_gzip:
                    raise ValueError("gzip output needs a binary file object, not a text one")
                encoding_name = getattr(target, "encoding", None)
                if encoding_name and encoding_name.replace("-", "").replace("_", "").lower() not in ("utf8", "utf8sig"):
                    raise ValueError("a text file object must be UTF-8 (this one is %s): open it with "
                                     "encoding='utf-8', or pass a binary file" % encoding_name)
        self._raw = raw
        self._gzip: Optional[_gzip.GzipFile] = None
        if use_gzip:
            self._gzip = _gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=compresslevel, mtime=0)
        self._sink = self._gzip if self._gzip is not None else raw
        self._closed = False
        self._state: Optional[TraceState] = None
        self._trace = -1  # index of the open trace in the output
        self._records = 0  # records written in the open trace
        self._start_ns = 0
        self._held: Optional[bytearray] = None  # while holding: what would have been written
        self._hold_point: Optional[Tuple[Any, int, int, int]] = None

    # -- holding: all or nothing ---------------------------------------------------

    def hold(self) -> None:
        """From now on, keeps what it would write in memory, until `commit` writes it or `rollback` forgets it.

        For recorders that can only tell at the end whether a recording is faithful: a rolled-back trace
        leaves the output exactly as it was before ``hold()`` (the writer's state included), so a refused
        recording writes nothing. Holds across any number of traces; a trace open at ``hold()`` must be
        ended first (``hold`` refuses to split one).
        """
        self._check_open()
        if self._held is not None:
            raise ValueError("the writer is already holding its output: commit() or rollback() first")
        if self.in_trace:
            raise ValueError("hold() needs no trace open: end() the open trace first")
        self._write(self._encoder.flush())  # the previous trace's open chunk belongs to what was written
        if self._binary or self._flush_each:
            self._sink.flush()
        self._hold_point = (self._state, self._trace, self._records, self._start_ns)
        self._held = bytearray()

    @property
    def holding(self) -> bool:
        """Whether output is being held (`hold` was called, `commit` or `rollback` not yet)."""
        return self._held is not None

    def commit(self) -> None:
        """Writes what was held since `hold` and writes directly again."""
        self._check_open()
        if self._held is None:
            raise ValueError("commit() without hold()")
        data, self._held, self._hold_point = bytes(self._held), None, None
        self._write(data, flush=True)

    def rollback(self) -> None:
        """Forgets every record since `hold` (a trace begun since is gone: the output is as it was before)."""
        if self._held is None:
            raise ValueError("rollback() without hold()")
        assert self._hold_point is not None
        self._state, self._trace, self._records, self._start_ns = self._hold_point
        self._held, self._hold_point = None, None
        self._encoder.flush()  # the open chunk holds only held records: dropped (the next begin resets the deltas)

    # -- traces written elsewhere first ---------------------------------------------

    def spawn(self) -> "TraceWriter":
        """A writer configured as this one (encoding, chunk size, timestamps) that writes to memory.

        Its traces are appended to this writer's output by `adopt`, or forgotten with it: recorders that
        follow several traces at once (a batch of rows) write each to its own spawned writer.
        """
        self._check_open()
        child = TraceWriter(io.BytesIO(), encoding=self.encoding, flush="trace", timestamps=self._timestamps,
                            chunk_bytes=self._encoder.chunk_bytes if self._binary else DEFAULT_CHUNK_BYTES)
        return child

    def adopt(self, child: "TraceWriter") -> None:
        """Appends the traces `child` (from `spawn`, every trace ended) wrote, byte for byte as if written here.

        The trace index counts them, and the state read by `visible_ids` & co. is that of the last one.
        """
        self._check_open()
        if child.in_trace:
            raise ValueError("adopt() needs every trace of the spawned writer ended")
        if child._trace < 0:
            return
        if self.in_trace:
            raise ValueError("adopt() needs no trace open here: end() it first")
        child._write(child._encoder.finish())
        data = child._raw.getvalue()
        self._write(self._encoder.flush())  # as begin() would: the previous trace's open chunk closes
        self._write(data, flush=True)
        self._trace += child._trace + 1
        self._state = child._state
        self._records = child._records

    # -- output ----------------------------------------------------------------

    def _write(self, data: bytes, flush: bool = False) -> None:
        if self._held is not None:
            self._held += data
            return
        if self._binary:
            # Only whole chunks (and trace starts) arrive here: each goes to the OS at once.
            if data:
                self._sink.write(data)
                self._sink.flush()
            return
        if self._text:
            self._sink.write(data.decode("utf-8"))
        else:
            self._sink.write(data)
        if self._flush_each or flush:
            self._sink.flush()  # GzipFile.flush() also flushes the file under it

    def _emit(self, encoded: Any, flush: bool = False) -> None:
        """Hands an encoded record to the encoder and writes what it gives back."""
        self._write(self._encoder.emit(encoded), flush)

    @property
    def chunk_bytes(self) -> Optional[int]:
        """The payload size at which a binary chunk closes (None for JSON Lines)."""
        return self._encoder.chunk_bytes if self._binary else None

    @property
    def pending_bytes(self) -> int:
        """Binary: payload bytes of the open chunk, which a crash now would lose (0 for JSON Lines)."""
        return self._encoder.pending if self._binary else 0

    def flush(self) -> None:
        """Pushes everything written so far to the file (binary: closes the open chunk; gzip: a sync flush)."""
        self._check_open()
        self._write(self._encoder.flush())
        self._sink.flush()
        if self._gzip is not None:
            self._raw.flush()

    def close(self) -> None:
        """Flushes and closes what the writer opened (a file object given to it is flushed, not closed).

        An open trace without ``end()`` stays incomplete, which readers report as such. Output held
        (`hold`) and not committed is dropped.
        """
        if self._closed:
            return
        if self._held is not None:  # never committed: as if never written
            self.rollback()
        self._closed = True
        try:
            tail = self._encoder.finish()
            if tail:
                self._write(tail)
            if self._gzip is not None:
                self._gzip.close()  # writes the gzip trailer; leaves the file under it open
            if self._owns_raw:
                self._raw.close()
            else:
                self._raw.flush()
        finally:
            self._state = None

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "TraceWriter":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # A binary writer dropped without close(): keep its open chunk if the file can still take it
        # (as the Swift writer's deinit flushes). Never raises; close() is the reliable way.
        try:
            if not self._closed and self._binary and self._encoder.pending:
                self._write(self._encoder.flush())
        except Exception:
            pass

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("I/O operation on a closed TraceWriter")

    # -- state -----------------------------------------------------------------

    @property
    def trace_index(self) -> Optional[int]:
        """The index of the current trace in the output (0 for the first), None before any."""
        return None if self._trace < 0 else self._trace

    def _current(self) -> TraceState:
        self._check_open()
        if self._state is None:
            raise ValueError("no trace open: call begin() first")
        return self._state

    @property
    def in_trace(self) -> bool:
        """Whether a trace is open and not ended (records may be written)."""
        return self._state is not None and not self._state.ended

    @property
    def streams(self) -> int:
        """``layers × heads`` of the current trace."""
        return self._current().streams

    @property
    def next_id(self) -> int:
        """The id the next step starts at by default: one past the largest id created (0 at first)."""
        last = self._current().created.last
        return 0 if last is None else last + 1

    def visible_ids(self, stream: int = 0) -> IntervalSet:
        """A copy of the visible set of `stream` now."""
        state = self._current()
        return state.visible(self._stream_index(state, stream)).copy()

    def resident_ids(self, stream: int = 0) -> IntervalSet:
        """A copy of the resident set of `stream` now."""
        state = self._current()
        return state.resident(self._stream_index(state, stream)).copy()

    def created_ids(self) -> IntervalSet:
        """A copy of the set of ids every step so far created."""
        return self._current().created.copy()

    def _stream_index(self, state: TraceState, stream: Any) -> int:
        try:
            number = _as_int(stream, "'s'")
            state.check_stream(number)
        except Violation as error:
            raise ValueError(str(error)) from None
        return number

    def _require(self, what: str) -> TraceState:
        self._check_open()
        if self._state is None:
            raise TraceRuleError(what, "no trace open: call begin() first", self.trace_index)
        return self._state

    def _error(self, record: str, violation: Violation) -> TraceRuleError:
        return TraceRuleError(record, str(violation), self.trace_index, self._records)

    def _open_state(self, record: str) -> TraceState:
        state = self._require(record)
        if state.ended:
            raise self._error(record, Violation(
                "'%s' record after 'end': only a new header may follow the end of a trace" % record))
        return state

    def _encode(self, record: str, make: Any, *args: Any) -> bytes:
        try:
            return make(*args)
        except RecordTooLarge as error:
            raise self._error(record, Violation(str(error))) from None
        except UnicodeEncodeError as error:
            raise self._error(record, Violation("text must be valid Unicode (UTF-8 cannot encode %r)"
                                                % error.object[error.start:error.end])) from None
        except (TypeError, ValueError) as error:
            raise self._error(record, Violation("not representable as JSON: %s" % error)) from None

    # -- traces ----------------------------------------------------------------

    def begin(self, **header: Any) -> None:
        """Starts a trace; its header is ``{"deptrace":1}`` then the keyword arguments in the order given.

        Known keys are checked as readers check them: ``method``, ``model``,
        ``dataset``, ``sample`` are strings (numbers are kept as their JSON
        text); ``layers``, ``heads`` positive integers; ``budget``,
        ``kv_bytes_per_token`` non-negative integers; ``layers × heads`` at
        most 2^20. Other keys (``meta={...}``, anything JSON) are kept as
        metadata. Arguments set to None are left out (null means absent).

        Call it again for the next trace in the same file; a trace left open
        without ``end()`` stays incomplete.
        """
        self._check_open()
        trace = self._trace + 1
        try:
            fields = self._header_fields(header)
        except Violation as error:
            raise TraceRuleError("header", str(error), trace) from None
        try:
            data = self._encoder.header(fields)
        except RecordTooLarge as error:
            raise TraceRuleError("header", str(error), trace) from None
        except UnicodeEncodeError as error:
            raise TraceRuleError("header", "text must be valid Unicode (UTF-8 cannot encode %r)"
                                 % error.object[error.start:error.end], trace) from None
        except (TypeError, ValueError) as error:
            raise TraceRuleError("header", "not representable as JSON: %s" % error, trace) from None
        self._state = TraceState(fields.get("layers", 1) * fields.get("heads", 1))
        self._trace = trace
        self._records = 0
        self._start_ns = time.monotonic_ns()
        self._emit(data)

    @staticmethod
    def _header_fields(header: Dict[str, Any]) -> Dict[str, Any]:
        fields: Dict[str, Any] = {"deptrace": FORMAT_VERSION}
        if "deptrace" in header and header["deptrace"] is not None:
            version = header["deptrace"]
            if isinstance(version, bool) or version != FORMAT_VERSION:
                raise Violation("header key 'deptrace' must be %d: this writer writes format version %d"
                                % (FORMAT_VERSION, FORMAT_VERSION))
        for key, value in header.items():
            if key == "deptrace" or value is None:
                continue
            if key in _TEXT_KEYS:
                if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                    raise Violation("header key '%s' must be a string" % key)
            elif key in _COUNT_KEYS:
                minimum = _COUNT_KEYS[key]
                expected = "a positive integer" if minimum > 0 else "a non-negative integer"
                try:
                    value = _as_int64(value, key)
                except Violation:
                    raise Violation("header key '%s' must be %s" % (key, expected)) from None
                if value < minimum:
                    raise Violation("header key '%s' must be %s" % (key, expected))
            fields[key] = value
        layers, heads = fields.get("layers", 1), fields.get("heads", 1)
        if layers * heads > MAX_STREAMS:
            raise Violation("the header declares layers %d × heads %d streams, more than the limit of %d"
                            % (layers, heads, MAX_STREAMS))
        return fields

    def end(self, **claims: Any) -> None:
        """Closes the trace with its claims and outcome (``correct``, ``peak``, ``dep``, ``budget``, any JSON), in the order given.

        Arguments set to None are left out. After ``end()`` only ``begin()`` may follow.
        """
        state = self._open_state("end")
        kept = {key: value for key, value in claims.items() if value is not None}
        data = self._encode("end", self._encoder.end, kept)
        state.ended = True
        self._records += 1
        self._emit(data, flush=True)

    # -- steps -----------------------------------------------------------------

    def step(self, phase: str, n: Any = 1, *, first: Any = None, kind: Optional[str] = None, t: Any = None,
             tok: Any = None) -> range:
        """A forward pass over `n` new query tokens in `phase`; returns the ids it created.

        `first` defaults to one past the largest id created; `kind` (prompt,
        output, gist, special) defaults to the phase's; `t` is the step's end
        time in integer nanoseconds since the trace started; `tok` the
        vocabulary ids of the queries.
        """
        state = self._open_state("step")
        try:
            if phase not in PHASES:
                raise Violation("'step' must be a phase name: \"prefill\", \"decode\" or \"compress\", found %r" % (phase,))
            count = _as_int(n, "n")
            start = (0 if state.created.last is None else state.created.last + 1) if first is None else _as_int(first, "first")
            if kind is not None and kind not in KINDS:
                raise Violation("'kind' must be one of \"prompt\", \"output\", \"gist\", \"special\", found %r" % (kind,))
            if t is None and self._timestamps:
                t = time.monotonic_ns() - self._start_ns
            time_ns = None if t is None else _as_int64(t, "'t'")
            tokens = None if tok is None else _parse_tokens(tok)
            state.check_step(start, count)
        except Violation as error:
            raise self._error("step", error) from None
        data = self._encode("step", self._encoder.step, phase, start, count, kind, time_ns, tokens)
        state.apply_step(start, count)
        self._records += 1
        self._emit(data)
        return range(start, start + count)

    def prefill(self, n: Any, **options: Any) -> range:
        """A prefill step over `n` prompt tokens (see `step` for the options)."""
        return self.step("prefill", n, **options)

    def decode(self, n: Any = 1, **options: Any) -> range:
        """A decode step, by default over one output token."""
        return self.step("decode", n, **options)

    def compress(self, n: Any, **options: Any) -> range:
        """A compress step over `n` gist tokens."""
        return self.step("compress", n, **options)

    # -- id ranges ---------------------------------------------------------------

    def _ranges_record(self, record: str, ranges: Any, ids: Any, stream: Any) -> None:
        state = self._open_state(record)
        try:
            parsed = _choose(ranges, ids, record)
            s = None if stream is None else _as_int(stream, "'s'")
            getattr(state, "check_" + record)(parsed, s)
        except Violation as error:
            raise self._error(record, error) from None
        data = self._encode(record, self._encoder.ranges, record, parsed, s)
        getattr(state, "apply_" + record)(parsed, s)
        self._records += 1
        self._emit(data)

    def evict(self, ranges: RangesArg = None, *, ids: Any = None, stream: Any = None) -> None:
        """Frees id ranges (sorted, disjoint ``(start, end)`` pairs, half-open) or ``ids=`` (any order) from memory, in `stream` or all."""
        self._ranges_record("evict", ranges, ids, stream)

    def add(self, ranges: RangesArg = None, *, ids: Any = None, stream: Any = None) -> None:
        """Brings earlier-created, non-resident ids back into memory and view (recompute, reload)."""
        self._ranges_record("add", ranges, ids, stream)

    def hide(self, ranges: RangesArg = None, *, ids: Any = None, stream: Any = None) -> None:
        """Masks visible ids: out of view, still in memory."""
        self._ranges_record("hide", ranges, ids, stream)

    def show(self, ranges: RangesArg = None, *, ids: Any = None, stream: Any = None) -> None:
        """Unmasks hidden resident ids."""
        self._ranges_record("show", ranges, ids, stream)

    def mark(self, text: str) -> None:
        """A free text label at this point of the timeline."""
        self._open_state("mark")
        if not isinstance(text, str):
            raise self._error("mark", Violation("'mark' must be a string, found %r" % (text,)))
        data = self._encode("mark", self._encoder.mark, text)
        self._records += 1
        self._emit(data)

    def snap(self, visible: RangesArg = None, *, resident: Union[bool, RangesArg] = False, stream: Any = None) -> None:
        """Asserts the visible set (and with `resident`, the resident set) of `stream`, or of every stream.

        `visible` None writes the computed set (of stream 0 when `stream` is
        None: every stream must then hold it); given ranges are checked
        against the state. `resident`: False leaves it out, True writes the
        computed set, ranges are checked.
        """
        state = self._open_state("snap")
        try:
            s = None if stream is None else _as_int(stream, "'s'")
            state.check_stream(s)
            reference = 0 if s is None else s
            visible_ranges = state.visible(reference).ranges() if visible is None else _parse_ranges(visible, "'snap'")
            if resident is True:
                resident_ranges: Optional[List[Tuple[int, int]]] = state.resident(reference).ranges()
            elif resident is False or resident is None:
                resident_ranges = None
            else:
                resident_ranges = _parse_ranges(resident, "'resident'")
            state.check_snap(visible_ranges, resident_ranges, s)
        except Violation as error:
            raise self._error("snap", error) from None
        data = self._encode("snap", self._encoder.snap, visible_ranges, resident_ranges, s)
        self._records += 1
        self._emit(data)

    def visible(self, ids: Any = None, stream: Any = None, *, ranges: RangesArg = None, masked: bool = False) -> None:
        """Makes the visible set of `stream` (or of every stream) exactly `ids` (or ``ranges=``), writing the delta.

        Ids that leave the visible set are evicted (``masked=True``: hidden,
        they stay in memory); ids that return are shown when they are hidden
        and resident, added back when they were freed. Writes nothing when
        nothing changes. Without `stream` every stream must hold the same
        sets. All or nothing: when any of the records would be refused, none
        is written.
        """
        state = self._open_state("visible")
        try:
            wanted = _choose(ranges, ids, "visible")
            if ids is None:
                check_ranges(wanted)
            target = IntervalSet(wanted)
            s = None if stream is None else _as_int(stream, "'s'")
            state.check_stream(s)
            if s is None and not state.streams_agree():
                raise Violation("visible() without stream= needs every stream to hold the same sets, and they differ: "
                                "give stream=")
        except Violation as error:
            raise self._error("visible", error) from None
        reference = 0 if s is None else s
        current = state.visible(reference)
        arriving = target - current
        leaving = current - target
        hidden_resident = state.resident(reference) - current
        to_show = arriving & hidden_resident
        to_add = arriving - to_show
        planned: List[Tuple[str, List[Tuple[int, int]]]] = []
        if leaving:
            planned.append(("hide" if masked else "evict", leaving.ranges()))
        if to_show:
            planned.append(("show", to_show.ranges()))
        if to_add:
            planned.append(("add", to_add.ranges()))
        # Each record only touches ids the others leave alone, so checking them all
        # against the current state is checking them in sequence.
        chunks = []
        for offset, (record, parsed) in enumerate(planned):
            try:
                getattr(state, "check_" + record)(parsed, s)
            except Violation as error:
                raise TraceRuleError(record, str(error) + " (from visible())", self.trace_index,
                                     self._records + offset) from None
            chunks.append(self._encode(record, self._encoder.ranges, record, parsed, s))
        for record, parsed in planned:
            getattr(state, "apply_" + record)(parsed, s)
        self._records += len(planned)
        if chunks:
            self._write(b"".join(self._encoder.emit(encoded) for encoded in chunks))


def _refuse_unsupported_name(path: str) -> None:
    lowered = path.lower()
    if lowered.endswith(".dtrace.gz"):
        raise ValueError("%s: the binary encoding (.dtrace) is not gzipped by this writer: name it .dtrace, "
                         "or write JSON Lines as .dtrace.jsonl.gz" % path)
    if lowered.endswith(".zst"):
        raise ValueError("%s: zstd needs a package outside the standard library; write .dtrace.jsonl.gz, "
                         "or pipe the output through zstd" % path)
