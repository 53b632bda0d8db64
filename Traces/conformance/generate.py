#!/usr/bin/env python3
"""Writes the conformance traces of this folder with the Python writer (deptrace_recorder).

Each scenario below is a sequence of writer calls, written twice: in JSON Lines
(``NAME.jsonl``) and in the binary encoding (``NAME.bin``, with the chunk
threshold CHUNK_BYTES gives the scenario). The Swift test
Tests/DepTraceTests/ConformanceTests.swift makes the same calls on the Swift
`TraceWriter` (binary: ``flushThreshold:`` the same threshold); both must
produce the committed files byte for byte, and the Swift test reads each file
for the metrics listed in README.md (a binary file gives the metrics of its
JSON Lines twin).

    python3 Traces/conformance/generate.py          # rewrite the files
    python3 Traces/conformance/generate.py --check  # exit 1 when a file differs

Changing a scenario here means changing the Swift twin and README.md's metrics too.
"""

from __future__ import annotations

import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Recorders", "python"))

from deptrace_recorder import TraceWriter  # noqa: E402


def vanilla(w: TraceWriter) -> None:
    """Full cache: prefill P = 6, then L = 5 decode steps; Dep = P·L + L(L+1)/2 = 45."""
    w.begin(method="vanilla", model="toy", dataset="conformance", sample="0")
    w.prefill(6, tok=[101, 102, 103, 104, 105, 106])
    for token in range(5):
        w.decode(tok=[200 + token])
    w.end(correct=True, dep=45, peak=11)


def lightthinker(w: TraceWriter) -> None:
    """Thought-level compression: compress steps, evict of each thought, marks, times, a special token."""
    w.begin(method="lightthinker-thought", model="toy", dataset="conformance", sample="1",
            meta={"gist_tokens_per_compression": 2})
    w.prefill(4, t=1000)
    w.decode(t=2000)
    w.decode(t=3000)
    w.decode(t=4000)                      # thought 1: ids 4, 5, 6
    w.compress(3, t=5000)                 # gists 7, 8, 9
    w.evict([(4, 7)])
    w.mark("thought 1 compressed")
    for _ in range(4):
        w.decode()                        # thought 2: ids 10..13
    w.compress(2)                         # gists 14, 15
    w.step("compress", 1, kind="special")  # the extra token 16
    w.evict(ids=[13, 12, 11, 10])
    w.mark("thought 2 compressed")
    w.decode(tok=[7])
    w.decode(tok=[8], t=9000)             # answer: 17, 18
    w.end(correct=True)


def h2o_streams(w: TraceWriter) -> None:
    """Per-stream eviction and masking on 2 layers × 2 heads: evict, hide, show, add, visible deltas, snaps."""
    w.begin(method="h2o", model="toy", dataset="conformance", sample="2", layers=2, heads=2, budget=5,
            kv_bytes_per_token=16)
    w.prefill(4)                                   # 0..3
    w.decode()                                     # 4
    w.evict([(1, 2)], stream=0)
    w.evict(ids=[0], stream=3)
    w.decode()                                     # 5
    w.hide([(2, 4)], stream=1)
    w.visible([0, 1, 2, 4, 5], stream=2, masked=True)   # hides 3
    w.decode()                                     # 6
    w.show([(2, 3)], stream=1)
    w.evict([(3, 4)])                              # every stream: 3 is resident everywhere
    w.add([(1, 2)], stream=0)
    w.visible([0, 2, 4, 5, 6], stream=3)           # evicts 1, adds 0 back
    w.snap(stream=0, resident=True)
    w.snap(stream=1, resident=True)
    w.snap(stream=2)
    w.snap([(0, 1), (2, 3), (4, 7)], stream=3)
    w.decode()                                     # 7
    w.end(correct=False, peak=7)


def several_traces(w: TraceWriter) -> None:
    """Three traces in one file: an end without claims, an incomplete one with id gaps, then a complete one."""
    w.begin(method="vanilla", model="toy", dataset="conformance", sample="a")
    w.step("prefill", 3, kind="prompt")
    w.evict([])                                    # an empty range list is a record (one evict event)
    w.decode()
    w.end()
    w.begin(method="gaps", model="toy", dataset="conformance", sample=17)   # a numeric sample
    w.prefill(2)
    w.decode(first=10)                             # ids 2..9 are never created
    w.decode(2, first=20)
    w.begin(method="window", model="toy", dataset="conformance", sample="c", budget=3)
    w.prefill(3)
    for _ in range(3):
        w.decode()
        w.visible(range(w.next_id - 3, w.next_id))  # keep the 3 most recent
    w.end(correct=True, note="window of 3")


def unicode_text(w: TraceWriter) -> None:
    """Quotes, backslashes, control characters, non-ASCII and astral text in header metadata, marks and claims."""
    w.begin(method='naïve "quoted" \\ back/slash', model="模型-😀", dataset="conformance", sample="x\ny",
            meta={"note": "tab\t cr\r bs\b ff\f nul\x00 us\x1f del\x7f nbsp\xa0 ls\u2028 ps\u2029 emoji 😀 clef 𝄞",
                  "nested": {"list": [1, -2, 3.5, True, False, None, "s"], "empty": {}, "none": []},
                  "float": 0.1, "big": 12345678901234567890, "neg": -7},
            **{"clé": "valeur", 'k"ey\\': "v"})
    w.prefill(2)
    w.mark('quote " backslash \\ slash / newline \n end')
    w.mark("\x00\x01\x1f\x7f")
    w.mark("é 日本語 😀 𝄞")
    w.mark("")
    w.mark("\u2028\u2029")
    w.decode()
    w.end(note="fin ✓", correct=None, score=0.5)


#: JSON Lines file name → scenario, in the order README.md lists them.
SCENARIOS = {
    "vanilla.jsonl": vanilla,
    "lightthinker.jsonl": lightthinker,
    "h2o-streams.jsonl": h2o_streams,
    "several-traces.jsonl": several_traces,
    "unicode.jsonl": unicode_text,
}

#: Binary file name → (its JSON Lines twin, the chunk threshold: `chunk_bytes` here, `flushThreshold` in Swift).
#: Small thresholds make several chunks (and put chunk boundaries between the records of one
#: `visible()` call, and between a step and the next record); vanilla keeps the default 64 KiB.
#: The files end in .bin, not .dtrace, so that `deptrace stats Traces/` does not find them (see README.md).
BINARY = {
    "vanilla.bin": ("vanilla.jsonl", 65536),
    "lightthinker.bin": ("lightthinker.jsonl", 16),
    "h2o-streams.bin": ("h2o-streams.jsonl", 24),
    "several-traces.bin": ("several-traces.jsonl", 1),
    "unicode.bin": ("unicode.jsonl", 64),
}

#: Every committed file, JSON Lines then binary.
FILES = list(SCENARIOS) + list(BINARY)


def render(name: str) -> bytes:
    """The bytes the Python writer produces for one file (a scenario in JSON Lines, or in binary)."""
    buffer = io.BytesIO()
    if name in BINARY:
        twin, chunk_bytes = BINARY[name]
        writer = TraceWriter(buffer, encoding="binary", chunk_bytes=chunk_bytes)
    else:
        twin = name
        writer = TraceWriter(buffer)
    with writer:
        SCENARIOS[twin](writer)
    return buffer.getvalue()  # after close: a binary writer holds its open chunk until then


def main(argv: list) -> int:
    check = "--check" in argv
    differing = []
    for name in FILES:
        path = os.path.join(HERE, name)
        data = render(name)
        if check:
            try:
                with open(path, "rb") as existing:
                    if existing.read() != data:
                        differing.append(name)
            except FileNotFoundError:
                differing.append(name)
        else:
            with open(path, "wb") as out:
                out.write(data)
    for name in differing:
        print("differs from the Python writer: Traces/conformance/%s" % name, file=sys.stderr)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
