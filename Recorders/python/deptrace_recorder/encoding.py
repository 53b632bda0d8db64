"""Encodings of the trace format: how a checked record becomes bytes.

`TraceWriter` checks every call against the rules of the format, then hands
the record to an encoder, which turns it into bytes. Only the JSON Lines
encoding (normative, ``.dtrace.jsonl``) exists today.

Hook for the binary encoding (``.dtrace``, see FORMAT.md "Binary encoding"):
it is not implemented. It plugs in as another class with the methods of
`JSONLEncoder` below, registered in `ENCODINGS` under ``"binary"``; a binary
encoder returns ``b""`` from the record methods while it fills a chunk and the
whole chunk (length, CRC-32C, payload) once it reaches about 64 KiB, and the
rest from `finish()`. Until then `TraceWriter` refuses ``encoding="binary"``
and paths ending in ``.dtrace`` with a ValueError instead of writing JSONL
under a binary name.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

__all__ = ["JSONLEncoder", "ENCODINGS", "json_text"]

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

    def finish(self) -> bytes:
        """Bytes still held at close (a binary encoder's open chunk); JSONL holds none."""
        return b""


#: The encodings `TraceWriter(encoding=...)` accepts. The binary one goes here when it is written.
ENCODINGS = {"jsonl": JSONLEncoder}
