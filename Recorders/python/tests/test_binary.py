"""The binary encoding (.dtrace): bytes, chunking, crash safety and limits.

A small independent decoder below (bitwise CRC-32C as FORMAT.md gives it)
turns binary output back into canonical JSON Lines, so every call is checked
against the JSON Lines writer. ConformanceTests.swift and test_conformance.py
check byte identity with the Swift writer on the committed files.
"""

import io
import json
import os
import random
import signal
import struct
import subprocess
import sys

import pytest

from conftest import PACKAGE_ROOT
from deptrace_recorder import TraceRuleError, TraceWriter, encoding
from deptrace_recorder.checksum import IMPLEMENTATION, crc32c, crc32c_python
from deptrace_recorder.encoding import MAGIC, MAX_PAYLOAD, BinaryEncoder, JSONLEncoder, RecordTooLarge

PHASES = ("prefill", "decode", "compress")
KINDS = (None, "prompt", "output", "gist", "special")
RANGE_TAGS = {2: "evict", 3: "add", 4: "hide", 5: "show"}


def crc32c_bitwise(data):
    """FORMAT.md's bitwise CRC-32C."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


class Reader:
    def __init__(self, data, position=0):
        self.data, self.position = data, position

    def byte(self):
        value = self.data[self.position]
        self.position += 1
        return value

    def varint(self):
        value = shift = 0
        while True:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    def zigzag(self):
        value = self.varint()
        value = (value >> 1) ^ -(value & 1)
        return value

    def ranges(self):
        result, end = [], 0
        for _ in range(self.varint()):
            start = end + self.varint()
            end = start + self.varint()
            result.append((start, end))
        return result

    def text(self):
        length = self.varint()
        value = self.data[self.position:self.position + length].decode("utf-8")
        self.position += length
        return value


def wrap64(value):
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >> 63 else value


def decode(data):
    """Binary bytes -> (canonical JSON Lines bytes, traces: list of lists of chunks, each a list of record sizes)."""
    out = JSONLEncoder()
    lines, traces, position = [], [], 0
    while position < len(data):
        assert data[position:position + 8] == MAGIC, "no magic at byte %d" % position
        version, length, crc = struct.unpack_from("<III", data, position + 8)
        header = data[position + 20:position + 20 + length]
        assert version == 1 and crc == crc32c_bitwise(header)
        fields = json.loads(header)
        lines.append(out.header(fields))
        assert lines[-1] == header + b"\n"  # the header JSON is the canonical line
        position += 20 + length
        chunks, base, previous_time = [], 0, 0
        traces.append(chunks)
        while position < len(data) and data[position:position + 8] != MAGIC:
            length, crc = struct.unpack_from("<II", data, position)
            payload = data[position + 8:position + 8 + length]
            assert len(payload) == length and crc == crc32c_bitwise(payload)
            assert 0 < length <= MAX_PAYLOAD  # writers never write an empty chunk
            position += 8 + length
            reader, sizes = Reader(payload), []
            chunks.append(sizes)
            while reader.position < length:
                start = reader.position
                tag = reader.byte()
                if tag == 1:
                    flags = reader.byte()
                    assert flags & 0xC0 == 0
                    first = base + reader.varint()
                    n = reader.varint()
                    t = None
                    if flags & 0x20:
                        t = previous_time = wrap64(previous_time + reader.zigzag())
                    tok = None
                    if reader.position < length and payload[reader.position] == 8:
                        reader.byte()
                        tok = [reader.zigzag() for _ in range(reader.varint())]
                    base = first + n
                    lines.append(out.step(PHASES[flags & 3], first, n, KINDS[(flags >> 2) & 7], t, tok))
                elif tag in RANGE_TAGS:
                    stream = reader.varint()
                    lines.append(out.ranges(RANGE_TAGS[tag], reader.ranges(), stream - 1 if stream else None))
                elif tag == 6:
                    lines.append(out.mark(reader.text()))
                elif tag == 7:
                    stream = reader.varint()
                    has_resident = reader.byte()
                    assert has_resident in (0, 1)
                    visible = reader.ranges()
                    resident = reader.ranges() if has_resident else None
                    lines.append(out.snap(visible, resident, stream - 1 if stream else None))
                elif tag == 9:
                    claims = reader.text()
                    lines.append(b'{"end":' + claims.encode("utf-8") + b"}\n")
                else:
                    raise AssertionError("unknown tag %d" % tag)
                sizes.append(reader.position - start)
    return b"".join(lines), traces


def both(calls, chunk_bytes=65536):
    """Runs `calls(writer)` on a JSON Lines and a binary writer; returns (jsonl bytes, binary bytes)."""
    outputs = []
    for kind in ("jsonl", "binary"):
        buffer = io.BytesIO()
        with TraceWriter(buffer, encoding=kind, chunk_bytes=chunk_bytes) as w:
            calls(w)
        outputs.append(buffer.getvalue())
    return outputs


# -- CRC-32C ---------------------------------------------------------------------


def test_crc32c_check_values():
    for function in (crc32c, crc32c_python, crc32c_bitwise):
        assert function(b"123456789") == 0xE3069283
        assert function(b"") == 0
    data = bytes(random.Random(1).randrange(256) for _ in range(5000))
    assert crc32c_python(data) == crc32c_bitwise(data) == crc32c(data)
    assert crc32c_python(data[1000:], crc32c_python(data[:1000])) == crc32c_python(data)  # continuable
    assert crc32c(bytearray(data)) == crc32c(memoryview(data)) == crc32c(data)
    assert IMPLEMENTATION in ("python", "crc32c", "google_crc32c")


def test_an_optional_crc_package_is_used_only_when_it_is_right(monkeypatch):
    import types

    from deptrace_recorder import checksum

    good = types.ModuleType("crc32c")
    good.crc32c = lambda data, value=0: crc32c_python(data)
    wrong = types.ModuleType("google_crc32c")
    wrong.value = lambda data: 0x12345678  # not CRC-32C: ignored
    monkeypatch.setitem(sys.modules, "crc32c", good)
    monkeypatch.setitem(sys.modules, "google_crc32c", wrong)
    assert checksum._fast()[1] == "crc32c"
    monkeypatch.setitem(sys.modules, "crc32c", None)  # not importable
    assert checksum._fast() == (None, "python")
    right = types.ModuleType("google_crc32c")
    right.value = lambda data: crc32c_python(data)
    monkeypatch.setitem(sys.modules, "google_crc32c", right)
    assert checksum._fast()[1] == "google_crc32c"


# -- bytes -------------------------------------------------------------------------


def test_format_md_worked_example():
    buffer = io.BytesIO()
    with TraceWriter(buffer, encoding="binary") as w:
        w.begin(method="h2o", sample="17")
        w.prefill(3)
        w.decode()
        w.decode(t=1500)
        w.evict([(1, 2)])
        w.mark("thought 1")
        w.end(correct=True)
    assert buffer.getvalue() == bytes.fromhex(
        "445452430d0a1a0a010000002b000000c2465dc9") + b'{"deptrace":1,"method":"h2o","sample":"17"}' + bytes.fromhex(
        "3000000066e4b19c010000030101000101210001b8170200010101060974686f75676874203109107b22636f7272656374223a747275657d")


def test_format_md_more_record_shapes():
    buffer = io.BytesIO()
    with TraceWriter(buffer, encoding="binary") as w:
        w.begin(sample="x", layers=1, heads=2)
        w.prefill(4, first=10, t=-5, tok=[791, -1])
        w.step("compress", 1, first=20, kind="special", t=300)
        w.hide([(10, 12)], stream=1)
        w.show([(10, 11)], stream=1)
        w.evict([(11, 12), (13, 14)], stream=0)
        w.add([(11, 12)], stream=0)
        w.snap([(10, 11), (12, 14), (20, 21)], resident=[(10, 14), (20, 21)], stream=1)
        w.end()
    data = buffer.getvalue()
    header = b'{"deptrace":1,"sample":"x","layers":1,"heads":2}'
    payload = bytes.fromhex(
        "01200a0409" "0802ae0c01" "013206 01e204" "0402010a02" "0502010a01" "020102 0b01010 1"
        "0301010b01" "07020103 0a010102 0601020a 040601" "09027b7d".replace(" ", ""))
    assert crc32c(payload) == 0xD86E0782
    assert data == MAGIC + struct.pack("<III", 1, len(header), crc32c(header)) + header + \
        struct.pack("<II", 57, 0xD86E0782) + payload


def every_call(w):
    w.begin(method="all", model="m", dataset="d", sample=3, layers=2, heads=2, budget=4, kv_bytes_per_token=8,
            meta={"x": [1, 2.5, None], "é": "😀"})
    w.prefill(5, tok=[1, -2, 2 ** 62, -(2 ** 63) + 1], t=0)
    w.step("prefill", 2, kind="prompt", t=-(2 ** 63) + 1)          # a time delta that wraps at 64 bits
    w.decode(t=2 ** 63 - 1, tok=[])                                # an empty tok list is a record
    w.decode(first=100, kind="output")
    w.compress(3, kind="gist")
    w.step("compress", 1, kind="special")
    w.step("decode", 1, kind="gist", first=2 ** 53 - 1)             # the last id
    for index, kind in enumerate(("evict", "hide")):
        getattr(w, kind)([(0, 1), (3, 4)], stream=index)
    w.show([(3, 4)], stream=1)
    w.add([(0, 1)], stream=0)
    w.hide(ids=[100, 2, 4], stream=3)
    w.evict([])
    w.evict([(1, 2)])
    w.visible([0, 2, 3, 4, 100], stream=3, masked=True)
    w.visible(range(0, 5), stream=2)
    w.mark("")
    w.mark("ünïcødé 😀 \x00\n\"\\")
    w.snap(stream=0)
    w.snap(stream=1, resident=True)
    w.snap([(0, 1), (2, 5), (100, 101)], resident=w.resident_ids(3), stream=3)
    w.end(correct=False, peak=9, score=0.25, note="ok", nested={"a": [True, None]})
    w.begin()
    w.prefill(1)
    w.decode(t=7)                                                  # bases restart at each trace
    w.end()
    w.begin(method="open")
    w.prefill(2, first=40)


@pytest.mark.parametrize("chunk_bytes", [1, 2, 7, 16, 100, 65536, 8 << 20])
def test_every_call_reads_back_as_its_jsonl(chunk_bytes):
    jsonl, binary = both(every_call, chunk_bytes)
    lines, traces = decode(binary)
    assert lines == jsonl
    assert len(traces) == 3
    for chunks in traces:
        for position, sizes in enumerate(chunks):
            # A chunk closes once its payload reaches chunk_bytes, so only its last record may reach past it,
            # and only the last chunk of a trace (closed by begin/close) may stay below.
            assert sum(sizes[:-1]) < chunk_bytes
            if position < len(chunks) - 1:
                assert sum(sizes) >= chunk_bytes


def test_random_sessions_match_jsonl_and_refuse_alike():
    rng = random.Random(7)
    for _ in range(40):
        seed = rng.randrange(1 << 30)

        def calls(w, seed=seed):
            local = random.Random(seed)
            outcomes = []
            for sample in range(local.randint(1, 4)):
                w.begin(sample=str(sample), layers=local.randint(1, 2), heads=local.randint(1, 2))
                for _ in range(local.randint(0, 60)):
                    action = local.choice(["step", "step", "evict", "add", "hide", "show", "visible", "mark", "snap"])
                    try:
                        if action == "step":
                            w.step(local.choice(PHASES), local.choice([0, 1, 1, 2, 300]),
                                   t=local.choice([None, local.randrange(-10 ** 12, 10 ** 12)]),
                                   tok=local.choice([None, [local.randrange(-99, 99)]]),
                                   kind=local.choice(KINDS))
                        elif action == "visible":
                            ids = {local.randrange(0, w.next_id + 1) for _ in range(local.randrange(0, 6))}
                            w.visible(ids, stream=local.randrange(0, w.streams), masked=local.random() < 0.5)
                        elif action == "mark":
                            w.mark("m" * local.randrange(0, 200))
                        elif action == "snap":
                            w.snap(stream=local.randrange(0, w.streams), resident=local.random() < 0.5)
                        else:
                            start = local.randrange(0, w.next_id + 2)
                            getattr(w, action)([(start, start + local.randint(0, 3))],
                                               stream=local.choice([None, 0, w.streams - 1]))
                        outcomes.append(True)
                    except TraceRuleError:
                        outcomes.append(False)
                if local.random() < 0.7:
                    w.end(correct=local.random() < 0.5)
            w.outcomes = outcomes

        chunk_bytes = rng.choice([1, 5, 33, 200, 65536])
        jsonl, binary = both(calls, chunk_bytes)
        assert decode(binary)[0] == jsonl


# -- chunks, flushing and crashes ------------------------------------------------------


def test_names_choose_the_encoding(tmp_path):
    with TraceWriter(tmp_path / "a.dtrace") as w:
        assert w.encoding == "binary" and w.chunk_bytes == 65536
        w.begin()
    assert (tmp_path / "a.dtrace").read_bytes().startswith(MAGIC)
    with TraceWriter(tmp_path / "b.dtrace.jsonl") as w:
        assert w.encoding == "jsonl" and w.chunk_bytes is None
    with TraceWriter(tmp_path / "c.dtrace", encoding="jsonl") as w:   # an explicit encoding wins, as in Swift
        w.begin()
    assert (tmp_path / "c.dtrace").read_bytes() == b'{"deptrace":1}\n'
    with open(tmp_path / "d.dtrace", "wb") as handle:                 # a file object's name counts too
        with TraceWriter(handle) as w:
            assert w.encoding == "binary"
    with TraceWriter(io.BytesIO(), encoding="binary", chunk_bytes=3) as w:
        assert w.chunk_bytes == 3


def test_refused_settings(tmp_path):
    for name in ("run.dtrace.gz", "RUN.DTRACE.GZ"):
        with pytest.raises(ValueError, match="not gzipped"):
            TraceWriter(tmp_path / name)
        assert not (tmp_path / name).exists()
    with pytest.raises(ValueError, match="not gzipped"):
        TraceWriter(tmp_path / "x.dtrace", gzip=True)
    with pytest.raises(ValueError, match="not gzipped"):
        TraceWriter(io.BytesIO(), encoding="binary", gzip=True)
    with pytest.raises(ValueError, match="binary file object"):
        TraceWriter(io.StringIO(), encoding="binary")
    with pytest.raises(ValueError, match="unknown encoding"):
        TraceWriter(io.BytesIO(), encoding="protobuf")
    for bad in (0, -1, (8 << 20) + 1, 1.5, True, "64"):
        with pytest.raises(ValueError, match="chunk_bytes"):
            TraceWriter(io.BytesIO(), encoding="binary", chunk_bytes=bad)
    assert not (tmp_path / "x.dtrace").exists()


def test_chunks_reach_the_file_when_closed(tmp_path):
    path = tmp_path / "run.dtrace"
    w = TraceWriter(path, chunk_bytes=40)
    w.begin(sample="0")
    start = path.stat().st_size
    assert start > 20                               # the trace start is written at once
    w.prefill(4)                                    # 4 bytes: 01 00 00 04
    for _ in range(8):
        w.decode()                                  # 4 bytes each
    assert w.pending_bytes == 36 and path.stat().st_size == start
    w.decode()                                      # 40 bytes: the chunk closes and goes to the OS
    assert w.pending_bytes == 0 and path.stat().st_size == start + 8 + 40
    w.decode()
    w.flush()                                       # flush() closes the open chunk
    assert w.pending_bytes == 0 and path.stat().st_size == start + 8 + 40 + 8 + 4
    w.flush()                                       # nothing open: no empty chunk
    assert path.stat().st_size == start + 8 + 40 + 8 + 4
    w.decode()
    w.end()                                         # end() does not close a chunk (as in Swift)...
    assert w.pending_bytes == 8
    w.begin(sample="1")                             # ...the next trace's start does
    assert w.pending_bytes == 0
    w.prefill(2)
    with w:                                         # and so does the end of a with block
        pass
    lines, traces = decode(path.read_bytes())
    assert [[len(sizes) for sizes in chunks] for chunks in traces] == [[10, 1, 2], [1]]


def test_a_writer_dropped_without_close_keeps_its_open_chunk(tmp_path):
    path = tmp_path / "dropped.dtrace"
    w = TraceWriter(path)
    w.begin()
    w.prefill(3)
    del w
    lines, traces = decode(path.read_bytes())
    assert lines == b'{"deptrace":1}\n{"step":"prefill","q":[0,3]}\n'


CRASH = """
import os, signal, sys
sys.path.insert(0, %(package)r)
from deptrace_recorder import TraceWriter
w = TraceWriter(%(path)r, chunk_bytes=40)
w.begin(method="first", sample="0")
w.prefill(4)
for _ in range(6):
    w.decode()
w.end()                     # 32 bytes in the open chunk: closed by the next begin()
w.begin(method="killed", sample="1")
w.prefill(10)
for _ in range(24):
    w.decode()              # 25 records of 4 bytes: chunks of 10, 10, then 5 open
print(w.pending_bytes, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def crash(tmp_path):
    path = str(tmp_path / "killed.dtrace")
    result = subprocess.run([sys.executable, "-c", CRASH % {"package": PACKAGE_ROOT, "path": path}],
                            capture_output=True, text=True)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert result.stdout.strip() == "20"            # the open chunk: 5 records, lost
    return path


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_recorder_loses_only_the_open_chunk(tmp_path):
    path = crash(tmp_path)
    with open(path, "rb") as handle:
        lines, traces = decode(handle.read())
    assert [[len(sizes) for sizes in chunks] for chunks in traces] == [[8], [10, 10]]
    text = lines.decode("utf-8").splitlines()
    assert text[8] == '{"end":{}}'
    assert text[-1] == '{"step":"decode","q":[28,1]}'   # ids 0..9 prefill, 10..28 decodes: 19 of 23 kept


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_recorder_reads_back_with_deptrace(tmp_path, deptrace):
    path = crash(tmp_path)
    result = subprocess.run([deptrace, "stats", "--format", "json", path], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    first, killed = json.loads(result.stdout)
    assert (first["steps"], first["decode_steps"], first["complete"]) == (7, 6, True)
    assert first["dep"] == sum(range(5, 11))
    # Every record of the two closed chunks: the prefill and 19 decodes; the trace is incomplete, not damaged.
    assert (killed["steps"], killed["decode_steps"], killed["complete"]) == (20, 19, False)
    assert killed["full_dep"] == sum(range(11, 30))
    assert "incomplete" in result.stderr and "damage" not in result.stderr.lower()


# -- limits ------------------------------------------------------------------------


def test_a_record_over_16_mib_is_refused(tmp_path):
    path = tmp_path / "big.dtrace"
    with TraceWriter(path) as w:
        w.begin()
        w.prefill(2)
        before = path.stat().st_size
        with pytest.raises(TraceRuleError, match="16 MiB") as caught:
            w.mark("x" * (16 << 20))
        assert caught.value.record == "mark" and caught.value.index == 1
        with pytest.raises(TraceRuleError, match="16 MiB"):
            w.end(blob="y" * (16 << 20))
        with pytest.raises(TraceRuleError, match="16 MiB"):
            w.decode(tok=[1 << 62] * ((16 << 20) // 9))   # 9 bytes each: the step with its tokens is one record
        assert w.pending_bytes == 4 and path.stat().st_size == before and w.in_trace
        w.decode(t=5)                                      # recording goes on, with the delta bases untouched
        w.end()
    assert decode(path.read_bytes())[0] == (b'{"deptrace":1}\n{"step":"prefill","q":[0,2]}\n'
                                            b'{"step":"decode","q":[2,1],"t":5}\n{"end":{}}\n')
    with TraceWriter(io.BytesIO(), encoding="binary") as w:
        with pytest.raises(TraceRuleError, match="16 MiB") as caught:
            w.begin(meta="z" * (16 << 20))
        assert caught.value.record == "header" and w.trace_index is None


def test_the_16_mib_limit_is_exact():
    encoder = BinaryEncoder()
    label = "x" * (MAX_PAYLOAD - 5)                     # tag, a 4-byte length, the text: exactly 16 MiB
    assert len(encoder.mark(label).data) == MAX_PAYLOAD
    with pytest.raises(RecordTooLarge):
        encoder.mark(label + "x")


def test_a_record_that_would_overflow_the_chunk_closes_it_first(monkeypatch):
    monkeypatch.setattr(encoding, "MAX_PAYLOAD", 100)
    encoder = BinaryEncoder(chunk_bytes=50)
    assert encoder.emit(encoder.mark("a" * 40)) == b""          # 42 bytes, below 50
    out = encoder.emit(encoder.mark("b" * 70))                   # 42 + 72 > 100: the open chunk closes first
    first_length = struct.unpack_from("<I", out)[0]
    assert first_length == 42
    assert struct.unpack_from("<I", out, 8 + 42)[0] == 72        # then the new record's chunk (72 >= 50)
    assert encoder.pending == 0
