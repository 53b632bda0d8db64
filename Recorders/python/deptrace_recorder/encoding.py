"""Encodings of the trace format: how a checked record becomes bytes.

`TraceWriter` checks every call against the rules of the format, then hands
the record to an encoder in two phases:

1. a record method (`header`, `step`, `ranges`, `mark`, `snap`, `end`)
   *encodes* the record without changing the encoder. It may raise
   (`RecordTooLarge`, `UnicodeEncodeError`, `TypeError`/`ValueError` for
   values that are not JSON), and then nothing happened;
2. `emit` takes what a record method returned and gives the bytes to write
   now (possibly none). Only `emit` changes the encoder.

So a refused call writes nothing and leaves the encoder as it was, and
`visible()` can encode all its records before emitting any of them.

Two encodings exist (FORMAT.md):

- `JSONLEncoder` (``"jsonl"``, ``.dtrace.jsonl``): one line per record; `emit`
  returns the line.
- `BinaryEncoder` (``"binary"``, ``.dtrace``): records go into an open chunk
  payload; `emit` returns ``b""`` while the chunk fills and the whole chunk
  (length, CRC-32C, payload) once the payload reaches ``chunk_bytes``
  (65,536 by default, as the Swift `TraceWriter`'s ``flushThreshold``), a
  trace start closes the open chunk first, and `flush` / `finish` close it.
  A record never spans chunks; a record (a step with its ``tok``) over
  16 MiB, or a header over 16 MiB, is refused with `RecordTooLarge`.
"""

from __future__ import annotations

import json
import struct
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from .checksum import crc32c

__all__ = ["JSONLEncoder", "BinaryEncoder", "RecordTooLarge", "ENCODINGS", "json_text", "MAGIC",
           "MAX_PAYLOAD", "MAX_HEADER", "DEFAULT_CHUNK_BYTES", "MAX_CHUNK_BYTES"]

Ranges = Sequence[Tuple[int, int]]


def _default(value: Any) -> Any:
    # numpy / torch scalars and arrays: their Python values.
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def json_text(value: Any) -> str:
    """Compact JSON of `value` with strings as the Swift `JSONEncoding` writes them.

    ``ensure_ascii=False``: only ``"``, ``\\`` and the controls U+0000-U+001F
    are escaped (``\\n \\r \\t \\b \\f`` by name, others as lowercase
    ``\\u00XX``). NaN and infinities are refused (not JSON).
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_default)


def _ranges_text(key: str, ranges: Ranges) -> str:
    return '"%s":[%s]' % (key, ",".join("[%d,%d]" % (start, end) for start, end in ranges))


class JSONLEncoder:
    """The JSON Lines encoding: one compact JSON object per line, keys in the order the Swift writer uses."""

    name = "jsonl"

    def header(self, fields: Dict[str, Any]) -> bytes:
        """``{"deptrace":1,...}``: `fields` in their order, ``deptrace`` first."""
        return (json_text(fields) + "\n").encode("utf-8")

    def step(self, phase: str, first: int, n: int, kind: Optional[str], t: Optional[int], tok: Optional[List[int]]) -> bytes:
        text = '{"step":"%s","q":[%d,%d]' % (phase, first, n)
        if kind is not None:
            text += ',"kind":"%s"' % kind
        if t is not None:
            text += ',"t":%d' % t
        if tok is not None:
            text += ',"tok":[%s]' % ",".join("%d" % value for value in tok)
        return (text + "}\n").encode("utf-8")

    def ranges(self, record: str, ranges: Ranges, stream: Optional[int]) -> bytes:
        """An ``evict``, ``add``, ``hide`` or ``show`` record."""
        text = "{" + _ranges_text(record, ranges)
        if stream is not None:
            text += ',"s":%d' % stream
        return (text + "}\n").encode("utf-8")

    def mark(self, label: str) -> bytes:
        return ('{"mark":' + json_text(label) + "}\n").encode("utf-8")

    def snap(self, visible: Ranges, resident: Optional[Ranges], stream: Optional[int]) -> bytes:
        text = "{" + _ranges_text("snap", visible)
        if resident is not None:
            text += "," + _ranges_text("resident", resident)
        if stream is not None:
            text += ',"s":%d' % stream
        return (text + "}\n").encode("utf-8")

    def end(self, claims: Dict[str, Any]) -> bytes:
        return ('{"end":' + json_text(claims) + "}\n").encode("utf-8")

    def emit(self, encoded: bytes) -> bytes:
        """The bytes to write for an encoded record: its line."""
        return encoded

    def flush(self) -> bytes:
        """Bytes held back (a binary encoder's open chunk); JSONL holds none."""
        return b""

    def finish(self) -> bytes:
        """Bytes still held at close; JSONL holds none."""
        return b""


# -- the binary encoding -------------------------------------------------------------

#: ``DTRC\r\n\x1a\n``: starts every trace.
MAGIC = b"DTRC\r\n\x1a\n"
#: No chunk payload, and no single record, is larger (16 MiB).
MAX_PAYLOAD = 16 << 20
#: No trace header JSON is larger (16 MiB).
MAX_HEADER = 16 << 20
#: Chunks close once their payload reaches this many bytes (the Swift writer's default ``flushThreshold``).
DEFAULT_CHUNK_BYTES = 64 << 10
#: The largest ``chunk_bytes`` (the Swift writer clamps ``flushThreshold`` to 1 ... 8 MiB).
MAX_CHUNK_BYTES = MAX_PAYLOAD // 2
_MASK64 = (1 << 64) - 1
_PHASE_CODES = {"prefill": 0, "decode": 1, "compress": 2}
_KIND_CODES = {"prompt": 1, "output": 2, "gist": 3, "special": 4}  # kind + 1; 0 is "the phase's default"
_RANGE_TAGS = {"evict": 0x02, "add": 0x03, "hide": 0x04, "show": 0x05}
_TAG_STEP, _TAG_MARK, _TAG_SNAP, _TAG_TOKENS, _TAG_END = 0x01, 0x06, 0x07, 0x08, 0x09
_HAS_TIME = 0x20


class RecordTooLarge(ValueError):
    """A record or header whose binary encoding exceeds 16 MiB: no chunk can hold it, so it is refused."""


def _varint(value: int, out: bytearray) -> None:
    """Appends `value` (0 ... 2^64 - 1) as an unsigned LEB128 varint, shortest form."""
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _zigzag(value: int, out: bytearray) -> None:
    """Appends a signed 64-bit `value` zigzag-encoded (wrapping at 64 bits, as Swift's ``&-``)."""
    value &= _MASK64
    if value >> 63:
        value -= 1 << 64
    _varint(((value << 1) ^ (value >> 63)) & _MASK64, out)


def _range_list(ranges: Ranges, out: bytearray) -> None:
    _varint(len(ranges), out)
    previous_end = 0
    for start, end in ranges:
        _varint(start - previous_end, out)
        _varint(end - start, out)
        previous_end = end


def _text(text: str, out: bytearray) -> None:
    data = text.encode("utf-8")
    _varint(len(data), out)
    out += data


def _stream(stream: Optional[int], out: bytearray) -> None:
    _varint(0 if stream is None else stream + 1, out)


def chunk(payload: bytes) -> bytes:
    """A chunk around `payload`: ``u32le`` length, ``u32le`` CRC-32C, payload."""
    return struct.pack("<II", len(payload), crc32c(payload)) + bytes(payload)


class _Encoded(NamedTuple):
    """A binary record (or trace start) encoded but not yet emitted."""
    data: bytes
    trace_start: bool = False
    step_base: Optional[int] = None  # after a step: one past its last id
    time: Optional[int] = None  # after a timed step: its t


class BinaryEncoder:
    """The binary encoding (``.dtrace``, FORMAT.md "Binary encoding"), byte for byte as the Swift `TraceWriter` writes it.

    `chunk_bytes` (1 ... 8 MiB) is the payload size at which a chunk closes,
    the Swift writer's ``flushThreshold``: the same records with the same
    value give the same bytes in both writers.
    """

    name = "binary"

    def __init__(self, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        if isinstance(chunk_bytes, bool) or not isinstance(chunk_bytes, int) or \
                not 1 <= chunk_bytes <= MAX_CHUNK_BYTES:
            raise ValueError("chunk_bytes must be an integer from 1 to %d (8 MiB), not %r" % (MAX_CHUNK_BYTES, chunk_bytes))
        self.chunk_bytes = chunk_bytes
        self._payload = bytearray()
        self._step_base = 0  # one past the previous step's last id: the next step's delta base
        self._time = 0  # the previous timed step's t

    @property
    def pending(self) -> int:
        """Payload bytes in the open chunk: what a crash now would lose."""
        return len(self._payload)

    # -- encoding (changes nothing) ----------------------------------------------

    @staticmethod
    def _checked(data: bytearray, record: str) -> bytes:
        if len(data) > MAX_PAYLOAD:
            raise RecordTooLarge("the %s takes %d bytes in the binary encoding, more than the 16 MiB (%d bytes) "
                                 "a chunk can hold" % (record, len(data), MAX_PAYLOAD))
        return bytes(data)

    def header(self, fields: Dict[str, Any]) -> _Encoded:
        """Magic, version, header length, header CRC-32C, header JSON."""
        text = json_text(fields).encode("utf-8")
        if len(text) > MAX_HEADER:
            raise RecordTooLarge("the header takes %d bytes of JSON, more than the 16 MiB (%d bytes) readers accept"
                                 % (len(text), MAX_HEADER))
        start = MAGIC + struct.pack("<III", fields["deptrace"], len(text), crc32c(text)) + text
        return _Encoded(start, trace_start=True)

    def step(self, phase: str, first: int, n: int, kind: Optional[str], t: Optional[int], tok: Optional[List[int]]) -> _Encoded:
        """A step record, then its tokens record (tag 0x08) when `tok` is given: one unit, never split."""
        flags = _PHASE_CODES[phase]
        if kind is not None:
            flags |= _KIND_CODES[kind] << 2
        if t is not None:
            flags |= _HAS_TIME
        data = bytearray((_TAG_STEP, flags))
        _varint(first - self._step_base, data)
        _varint(n, data)
        if t is not None:
            _zigzag(t - self._time, data)
        if tok is not None:
            data.append(_TAG_TOKENS)
            _varint(len(tok), data)
            for value in tok:
                _zigzag(value, data)
        return _Encoded(self._checked(data, "'step' record"), step_base=first + n, time=t)

    def ranges(self, record: str, ranges: Ranges, stream: Optional[int]) -> _Encoded:
        """An ``evict``, ``add``, ``hide`` or ``show`` record: stream field, range list."""
        data = bytearray((_RANGE_TAGS[record],))
        _stream(stream, data)
        _range_list(ranges, data)
        return _Encoded(self._checked(data, "'%s' record" % record))

    def mark(self, label: str) -> _Encoded:
        data = bytearray((_TAG_MARK,))
        _text(label, data)
        return _Encoded(self._checked(data, "'mark' record"))

    def snap(self, visible: Ranges, resident: Optional[Ranges], stream: Optional[int]) -> _Encoded:
        data = bytearray((_TAG_SNAP,))
        _stream(stream, data)
        data.append(0 if resident is None else 1)
        _range_list(visible, data)
        if resident is not None:
            _range_list(resident, data)
        return _Encoded(self._checked(data, "'snap' record"))

    def end(self, claims: Dict[str, Any]) -> _Encoded:
        """The claims as one JSON object (``{}`` when there are none)."""
        data = bytearray((_TAG_END,))
        _text(json_text(claims), data)
        return _Encoded(self._checked(data, "'end' record"))

    # -- emitting (the only state changes) -------------------------------------------

    def emit(self, encoded: _Encoded) -> bytes:
        """Adds an encoded record to the open chunk; returns the chunk once it is closed, else ``b""``.

        A trace start closes the open chunk and resets the delta bases; it is
        returned at once (after that chunk).
        """
        if encoded.trace_start:
            out = self.flush()
            self._step_base = 0
            self._time = 0
            return out + encoded.data
        out = b""
        if len(self._payload) + len(encoded.data) > MAX_PAYLOAD:
            out = self.flush()
        self._payload += encoded.data
        if encoded.step_base is not None:
            self._step_base = encoded.step_base
        if encoded.time is not None:
            self._time = encoded.time
        if len(self._payload) >= self.chunk_bytes:
            out += self.flush()
        return out

    def flush(self) -> bytes:
        """Closes the open chunk: returns it framed (``b""`` when it holds nothing: no empty chunks)."""
        if not self._payload:
            return b""
        framed = chunk(self._payload)
        self._payload = bytearray()
        return framed

    def finish(self) -> bytes:
        """The open chunk, closed (at the writer's close)."""
        return self.flush()


#: The encodings `TraceWriter(encoding=...)` accepts.
ENCODINGS = {"jsonl": JSONLEncoder, "binary": BinaryEncoder}
