#!/usr/bin/env python3
"""DepTrace reference reader: a naive, obviously-correct oracle.

Reads DepTrace JSON Lines traces (FORMAT.md) and prints the per-trace
metrics of METRICS.md as a JSON array, for differential testing against
the Swift engine. Deliberately simple: one Python set of ids per stream
for the resident set R_s and the visible set V_s, exact integer /
Fraction arithmetic, no cleverness.

    python3 deptrace_reference.py [--phases decode[,prefill,compress]] FILE...
    python3 deptrace_reference.py --self-test

stdout: a JSON array, one object per valid trace (files in argument
order, traces in file order).  stderr: one line per invalid trace,
`FILE:LINE: trace N: message`.  Exit 1 if any trace is invalid or a file
is damaged, 2 on usage / I/O errors, 0 otherwise.

Choices where the design documents leave room (see also the report):
- an optional key whose value is JSON null counts as absent
  (`s`, `kind`, `t`, `resident`, header `layers`/`heads`/`sample`...);
- a line with duplicate object keys is an error (not "last one wins");
- NaN / Infinity literals are not JSON: such a line is invalid JSON;
- after `end`, any non-blank line other than a header is an error,
  including a record with no known type key;
- a record with no known type key is otherwise skipped silently;
- `mark`'s and `end`'s values are not checked; `tok` is not checked;
  `t` must be a JSON integer when present;
- records before the first header: one error per file (first such line),
  printed as `FILE:LINE: no trace: message`;
- an unknown header version counts as an invalid trace (exit 1);
- metrics with no step (peak, peak_kv, ...) are 0; time_ns is then null;
- every numeric metric prints as an int when it is a whole number
  (including self_ratio and kv_bytes_peak), else as a float;
- a damaged (truncated, unterminated, unparsable) last line keeps the
  trace it belongs to: complete stays whatever it was (true only if an
  `end` came before the damaged line);
- files ending in `.gz` are decompressed (`.zst` is not in the stdlib).
"""

import gzip
import json
import os
import sys
import tempfile
from fractions import Fraction

TYPE_KEYS = ("step", "evict", "add", "hide", "show", "mark", "snap", "end")
PHASES = ("prefill", "decode", "compress")
KINDS = ("prompt", "output", "gist", "special")
DEFAULT_KIND = {"prefill": "prompt", "decode": "output", "compress": "gist"}
ID_LIMIT = 2 ** 53  # ids are in [0, 2^53)

OUTPUT_KEYS = (
    "file", "trace", "method", "model", "dataset", "sample",
    "dep", "dep_min", "dep_max", "peak", "peak_kv", "resident_peak",
    "resident_peak_kv", "full_dep", "self_ratio", "prompt_tokens",
    "output_tokens", "gist_tokens", "special_tokens", "steps",
    "decode_steps", "compressions", "evict_events", "evicted_tokens",
    "hidden_tokens", "final_visible", "final_resident", "time_ns",
    "kv_bytes_peak", "complete", "correct", "streams",
)


class TraceError(Exception):
    """A rule violation: the trace is invalid."""


class BadLine(Exception):
    """A line that is valid JSON syntax but still unacceptable (dup keys)."""


def is_int(x):
    return type(x) is int  # excludes bool, and 1.0 is a float


def number(x):
    """Int when whole, else float (exact Fraction in, rounded once)."""
    x = Fraction(x)
    return int(x) if x.denominator == 1 else float(x)


def parse_line(text):
    def pairs(items):
        obj = {}
        for k, v in items:
            if k in obj:
                raise BadLine("duplicate key %r" % k)
            obj[k] = v
        return obj

    def constant(name):
        raise ValueError("%s is not JSON" % name)

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


def parse_ranges(value, what):
    """[[start, end), ...] of JSON ints: non-empty, ascending, disjoint."""
    if not isinstance(value, list):
        raise TraceError("%s: ranges must be a list of [start, end] pairs" % what)
    ranges = []
    for r in value:
        if not (isinstance(r, list) and len(r) == 2
                and is_int(r[0]) and is_int(r[1])):
            raise TraceError("%s: range %s is not a pair of integers"
                             % (what, json.dumps(r)))
        a, b = r
        if a >= b:
            raise TraceError("%s: empty range [%d, %d)" % (what, a, b))
        if ranges and a < ranges[-1][1]:
            raise TraceError("%s: range [%d, %d) is not after [%d, %d)"
                             % (what, a, b, ranges[-1][0], ranges[-1][1]))
        ranges.append((a, b))
    return ranges


def range_count(ranges):
    return sum(b - a for a, b in ranges)


def range_ids(ranges):
    for a, b in ranges:
        yield from range(a, b)


class Trace:
    def __init__(self, header, index, phases):
        version = header.get("deptrace")
        if not is_int(version) or version != 1:
            raise TraceError("unsupported deptrace version %s" % json.dumps(version))
        layers = header.get("layers")
        heads = header.get("heads")
        layers = 1 if layers is None else layers
        heads = 1 if heads is None else heads
        for name, v in (("layers", layers), ("heads", heads)):
            if not is_int(v) or v < 1:
                raise TraceError("header %s must be a positive integer, got %s"
                                 % (name, json.dumps(v)))
        self.index = index
        self.header = header
        self.phases = phases
        self.streams = S = layers * heads
        kvb = header.get("kv_bytes_per_token")
        self.kv_bytes_per_token = kvb if is_int(kvb) else None
        # state
        self.R = [set() for _ in range(S)]
        self.V = [set() for _ in range(S)]
        self.created = set()
        self.max_id = -1
        self.ended = False
        self.correct = None
        # per-stream counters
        self.dep = [0] * S
        self.peak = [0] * S
        self.rpeak = [0] * S
        self.evict_events = [0] * S
        self.evicted = [0] * S
        self.hidden = [0] * S
        # trace counters
        self.peak_kv = 0
        self.rpeak_kv = 0
        self.full_dep = 0
        self.tokens = {k: 0 for k in KINDS}
        self.steps = 0
        self.decode_steps = 0
        self.compressions = 0
        self.time_ns = None

    def targets(self, rec):
        s = rec.get("s")
        if s is None:
            return range(self.streams)
        if not is_int(s) or not 0 <= s < self.streams:
            raise TraceError("s must be an integer in [0, %d), got %s"
                             % (self.streams, json.dumps(s)))
        return [s]

    def apply(self, rec):
        if self.ended:
            raise TraceError("record after end (only a new header may follow)")
        keys = [k for k in TYPE_KEYS if k in rec]
        if len(keys) > 1:
            raise TraceError("record has several type keys: %s" % ", ".join(keys))
        if not keys:
            return  # unknown record type: skipped (forward compatibility)
        key = keys[0]
        getattr(self, "do_" + key)(rec)

    def do_step(self, rec):
        phase = rec["step"]
        if not isinstance(phase, str) or phase not in PHASES:
            raise TraceError("step phase must be prefill, decode or compress, got %s"
                             % json.dumps(phase))
        q = rec.get("q")
        if not (isinstance(q, list) and len(q) == 2 and is_int(q[0]) and is_int(q[1])):
            raise TraceError("step q must be [first_id, n] integers, got %s" % json.dumps(q))
        first, n = q
        if n < 1:
            raise TraceError("step n must be >= 1, got %d" % n)
        if first < 0 or first + n > ID_LIMIT:
            raise TraceError("step ids [%d, %d) outside [0, 2^53)" % (first, first + n))
        if first <= self.max_id:
            raise TraceError("step first id %d is not greater than every id created before (max %d)"
                             % (first, self.max_id))
        kind = rec.get("kind")
        if kind is None:
            kind = DEFAULT_KIND[phase]
        elif not isinstance(kind, str) or kind not in KINDS:
            raise TraceError("step kind must be prompt, output, gist or special, got %s"
                             % json.dumps(kind))
        t = rec.get("t")
        if t is not None and not is_int(t):
            raise TraceError("step t must be an integer, got %s" % json.dumps(t))

        triangle = n * (n + 1) // 2
        counted = phase in self.phases
        sum_v = sum_r = 0
        for s in range(self.streams):
            v, r = len(self.V[s]), len(self.R[s])
            if counted:
                self.dep[s] += n * v + triangle
            self.peak[s] = max(self.peak[s], v + n)
            self.rpeak[s] = max(self.rpeak[s], r + n)
            sum_v += v + n
            sum_r += r + n
        self.peak_kv = max(self.peak_kv, sum_v)
        self.rpeak_kv = max(self.rpeak_kv, sum_r)
        if counted:
            self.full_dep += n * len(self.created) + triangle

        new = range(first, first + n)
        self.created.update(new)
        self.max_id = first + n - 1
        for s in range(self.streams):
            self.R[s].update(new)
            self.V[s].update(new)
        self.tokens[kind] += n
        self.steps += 1
        self.decode_steps += phase == "decode"
        self.compressions += phase == "compress"
        if t is not None:
            self.time_ns = t

    def do_evict(self, rec):
        ranges = parse_ranges(rec["evict"], "evict")
        count = range_count(ranges)
        for s in self.targets(rec):
            R, V = self.R[s], self.V[s]
            if count > len(R):
                raise TraceError("evict of %d ids but stream %d holds %d" % (count, s, len(R)))
            for i in range_ids(ranges):
                if i not in R:
                    raise TraceError("evict of non-resident id %d in stream %d" % (i, s))
            for i in range_ids(ranges):
                R.discard(i)
                V.discard(i)
            self.evict_events[s] += 1
            self.evicted[s] += count

    def do_add(self, rec):
        ranges = parse_ranges(rec["add"], "add")
        count = range_count(ranges)
        for s in self.targets(rec):
            R, V = self.R[s], self.V[s]
            if count > len(self.created):
                raise TraceError("add of %d ids but only %d created" % (count, len(self.created)))
            for i in range_ids(ranges):
                if i not in self.created:
                    raise TraceError("add of id %d that was never created" % i)
                if i in R:
                    raise TraceError("add of id %d already resident in stream %d" % (i, s))
            for i in range_ids(ranges):
                R.add(i)
                V.add(i)

    def do_hide(self, rec):
        ranges = parse_ranges(rec["hide"], "hide")
        count = range_count(ranges)
        for s in self.targets(rec):
            V = self.V[s]
            if count > len(V):
                raise TraceError("hide of %d ids but stream %d shows %d" % (count, s, len(V)))
            for i in range_ids(ranges):
                if i not in V:
                    raise TraceError("hide of non-visible id %d in stream %d" % (i, s))
            for i in range_ids(ranges):
                V.discard(i)
            self.hidden[s] += count

    def do_show(self, rec):
        ranges = parse_ranges(rec["show"], "show")
        count = range_count(ranges)
        for s in self.targets(rec):
            R, V = self.R[s], self.V[s]
            if count > len(R):
                raise TraceError("show of %d ids but stream %d holds %d" % (count, s, len(R)))
            for i in range_ids(ranges):
                if i not in R or i in V:
                    raise TraceError("show of id %d that is not hidden and resident in stream %d"
                                     % (i, s))
            for i in range_ids(ranges):
                V.add(i)

    def do_mark(self, rec):
        pass  # a free label: no effect on state or metrics

    def do_snap(self, rec):
        visible = parse_ranges(rec["snap"], "snap")
        resident = rec.get("resident")
        if resident is not None:
            resident = parse_ranges(resident, "snap resident")
        for s in self.targets(rec):
            for what, ranges, actual in (("visible", visible, self.V[s]),
                                         ("resident", resident, self.R[s])):
                if ranges is None:
                    continue
                if range_count(ranges) != len(actual) or set(range_ids(ranges)) != actual:
                    raise TraceError("snap: %s set of stream %d is not as asserted (%d ids, snap says %d)"
                                     % (what, s, len(actual), range_count(ranges)))

    def do_end(self, rec):
        self.ended = True
        claims = rec["end"]
        if isinstance(claims, dict) and isinstance(claims.get("correct"), bool):
            self.correct = claims["correct"]

    def result(self, path):
        h = self.header
        S = self.streams
        sample = h.get("sample")
        if isinstance(sample, (int, float)) and not isinstance(sample, bool):
            sample = str(sample)
        dep = Fraction(sum(self.dep), S)
        out = {
            "file": path,
            "trace": self.index,
            "method": h.get("method"),
            "model": h.get("model"),
            "dataset": h.get("dataset"),
            "sample": sample,
            "dep": number(dep),
            "dep_min": min(self.dep),
            "dep_max": max(self.dep),
            "peak": max(self.peak),
            "peak_kv": self.peak_kv,
            "resident_peak": max(self.rpeak),
            "resident_peak_kv": self.rpeak_kv,
            "full_dep": self.full_dep,
            "self_ratio": None if dep == 0 else number(Fraction(self.full_dep) / dep),
            "prompt_tokens": self.tokens["prompt"],
            "output_tokens": self.tokens["output"],
            "gist_tokens": self.tokens["gist"],
            "special_tokens": self.tokens["special"],
            "steps": self.steps,
            "decode_steps": self.decode_steps,
            "compressions": self.compressions,
            "evict_events": number(Fraction(sum(self.evict_events), S)),
            "evicted_tokens": number(Fraction(sum(self.evicted), S)),
            "hidden_tokens": number(Fraction(sum(self.hidden), S)),
            "final_visible": number(Fraction(sum(len(v) for v in self.V), S)),
            "final_resident": number(Fraction(sum(len(r) for r in self.R), S)),
            "time_ns": self.time_ns,
            "kv_bytes_peak": (None if self.kv_bytes_per_token is None else
                              number(Fraction(self.rpeak_kv, S) * self.kv_bytes_per_token)),
            "complete": self.ended,
            "correct": self.correct,
            "streams": S,
        }
        assert tuple(out) == OUTPUT_KEYS
        return out


def analyse(path, data, phases):
    """Read one file's bytes. Returns (results, error lines)."""
    results, errors = [], []
    lines = data.split(b"\n")
    unterminated = data != b"" and not data.endswith(b"\n")
    trace = None          # the valid trace being read, if any
    state = "none"        # none: before any header; ok: reading; skip: invalid trace
    index = -1            # header lines seen so far, minus one
    reported_preheader = False

    def where(lineno):
        return "%s:%d: %s" % (path, lineno, "no trace" if index < 0 else "trace %d" % index)

    def fail(lineno, message):
        nonlocal state, trace, reported_preheader
        if state == "ok":
            errors.append("%s: %s" % (where(lineno), message))
            state, trace = "skip", None
        elif state == "none" and not reported_preheader:
            errors.append("%s: %s" % (where(lineno), message))
            reported_preheader = True

    for lineno, raw in enumerate(lines, 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and text.strip(" \t\r\n") == "":
            continue  # blank line
        try:
            if text is None:
                raise ValueError("not UTF-8")
            rec = parse_line(text)
        except ValueError as e:
            if lineno == len(lines) and unterminated:
                errors.append("%s: damaged last line (truncated write): %s" % (where(lineno), e))
                continue  # the trace keeps what it read before
            fail(lineno, "not valid JSON: %s" % e)
            continue
        except BadLine as e:
            fail(lineno, str(e))
            continue
        if not isinstance(rec, dict):
            fail(lineno, "not a JSON object")
            continue
        if "deptrace" in rec:  # a header starts a new trace
            if state == "ok":
                results.append(trace.result(path))
            index += 1
            try:
                trace, state = Trace(rec, index, phases), "ok"
            except TraceError as e:
                errors.append("%s: %s" % (where(lineno), e))
                trace, state = None, "skip"
            continue
        if state == "none":
            fail(lineno, "record before any header")
        elif state == "ok":
            try:
                trace.apply(rec)
            except TraceError as e:
                fail(lineno, str(e))
    if state == "ok":
        results.append(trace.result(path))
    return results, errors


def read_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data


# ---------------------------------------------------------------- self-test

def self_test():
    failures = []

    def check(name, got, want):
        if got != want:
            failures.append("%s: got %r, want %r" % (name, got, want))

    def run(text, phases=("decode",)):
        return analyse("t", text.encode("utf-8"), phases)

    def lines(*recs):
        return "".join(json.dumps(r) + "\n" for r in recs)

    # 1. vanilla: P prompt tokens, L decode steps.
    for P, L in ((1, 1), (6, 5), (37, 20)):
        text = lines({"deptrace": 1, "method": "vanilla", "sample": 17},
                     {"step": "prefill", "q": [0, P]},
                     *[{"step": "decode", "q": [P + i, 1]} for i in range(L)],
                     {"end": {"correct": True}})
        res, err = run(text)
        check("vanilla errors", err, [])
        r = res[0]
        check("vanilla dep", r["dep"], P * L + L * (L + 1) // 2)
        check("vanilla peak", r["peak"], P + L)
        check("vanilla resident_peak", r["resident_peak"], P + L)
        check("vanilla full_dep", r["full_dep"], r["dep"])
        check("vanilla self_ratio", r["self_ratio"], 1)
        check("vanilla tokens", (r["prompt_tokens"], r["output_tokens"]), (P, L))
        check("vanilla steps", (r["steps"], r["decode_steps"]), (L + 1, L))
        check("vanilla final", (r["final_visible"], r["final_resident"]), (P + L, P + L))
        check("vanilla sample", r["sample"], "17")
        check("vanilla end", (r["complete"], r["correct"]), (True, True))
        # counting prefill too adds P(P+1)/2
        res, _ = run(text, ("decode", "prefill"))
        check("vanilla dep+prefill", res[0]["dep"], P * L + L * (L + 1) // 2 + P * (P + 1) // 2)

    # 2. LightThinker anchor-thought closed form (METRICS.md): per output
    # token P + thought-so-far + cache, cache = (g+1)*m after m compressions.
    P, g, thoughts = 7, 2, [3, 5, 1, 4]
    recs = [{"deptrace": 1}, {"step": "prefill", "q": [0, P]}]
    nid, dep, peak, cache = P, 0, 0, 0
    for k, T in enumerate(thoughts):
        start = nid
        for j in range(1, T + 1):
            recs.append({"step": "decode", "q": [nid, 1]})
            nid += 1
            dep += P + j + cache
        if k < len(thoughts) - 1:
            peak = max(peak, T + g + P + cache + 1)
            recs.append({"step": "compress", "q": [nid, g + 1]})
            nid += g + 1
            recs.append({"evict": [[start, start + T]]})
            cache += g + 1
        else:
            peak = max(peak, T + P + cache)
    res, err = run(lines(*recs))
    check("anchor errors", err, [])
    check("anchor dep", res[0]["dep"], dep)
    check("anchor peak", res[0]["peak"], peak)
    check("anchor gist", res[0]["gist_tokens"], (g + 1) * (len(thoughts) - 1))
    check("anchor complete", (res[0]["complete"], res[0]["correct"]), (False, None))

    # 3. two streams (one layer, two heads), worked by hand.
    text = lines(
        {"deptrace": 1, "heads": 2, "kv_bytes_per_token": 10},
        {"step": "prefill", "q": [0, 4]},          # R=V={0..3} both; peak 4, kv 8
        {"evict": [[0, 2]], "s": 1},               # s1: {2,3}
        {"step": "decode", "q": [4, 1], "t": 5},   # dep s0 5, s1 3; kv 8; full 5
        {"hide": [[0, 1]], "s": 0},                # s0: V={1..4}, R={0..4}
        {"step": "decode", "q": [10, 1]},          # dep s0 5, s1 4; V kv 9, R kv 10 (s0 6); full 6
        {"show": [[0, 1]], "s": 0},                # s0: V={0..4,10}
        {"evict": [[3, 4]]},                       # s0 V=R={0,1,2,4,10}; s1 {2,4,10}
        {"snap": [[0, 3], [4, 5], [10, 11]], "s": 0, "resident": [[0, 3], [4, 5], [10, 11]]},
        {"snap": [[2, 3], [4, 5], [10, 11]], "s": 1},
        {"mark": "done"},
        {"end": {"correct": "yes"}})
    res, err = run(text)
    check("two errors", err, [])
    r = res[0]
    want = {"dep": 17 / 2, "dep_min": 7, "dep_max": 10, "peak": 5, "peak_kv": 9,
            "resident_peak": 6, "resident_peak_kv": 10, "full_dep": 11,
            "self_ratio": 22 / 17, "evict_events": 3 / 2, "evicted_tokens": 2,
            "hidden_tokens": 1 / 2, "final_visible": 4, "final_resident": 4,
            "time_ns": 5, "kv_bytes_peak": 50, "streams": 2, "complete": True,
            "correct": None, "steps": 3, "decode_steps": 2}
    for k, v in want.items():
        check("two " + k, r[k], v)
    check("two int types", [type(r[k]) for k in ("evicted_tokens", "final_visible")], [int, int])

    # 4. invalid traces: each is reported, the good trace after it is kept.
    good = lines({"deptrace": 1, "sample": "ok"}, {"step": "decode", "q": [0, 2]})
    bad = [
        ({"step": "decode", "q": [0, 0]},),
        ({"step": "decode", "q": [0, 1]}, {"step": "decode", "q": [0, 1]}),
        ({"step": "decode", "q": [0, 1.0]},),
        ({"step": "decode", "q": [True, 1]},),
        ({"step": "decode", "q": [2 ** 53 - 1, 2]},),
        ({"step": "think", "q": [0, 1]},),
        ({"step": "decode", "q": [0, 1], "kind": "thought"},),
        ({"step": "decode", "q": [0, 2]}, {"evict": [[1, 1]]}),
        ({"step": "decode", "q": [0, 4]}, {"evict": [[2, 3], [0, 1]]}),
        ({"step": "decode", "q": [0, 4]}, {"evict": [[0, 2], [1, 3]]}),
        ({"step": "decode", "q": [0, 2]}, {"evict": [[0, 3]]}),
        ({"step": "decode", "q": [0, 2]}, {"evict": [[0, 1]], "s": 1}),
        ({"step": "decode", "q": [0, 2]}, {"evict": [[0, 1]], "s": True}),
        ({"step": "decode", "q": [0, 2]}, {"add": [[0, 1]]}),
        ({"step": "decode", "q": [0, 2]}, {"evict": [[0, 1]]}, {"add": [[0, 3]]}),
        ({"step": "decode", "q": [0, 2]}, {"hide": [[0, 1]]}, {"hide": [[0, 1]]}),
        ({"step": "decode", "q": [0, 2]}, {"show": [[0, 1]]}),
        ({"step": "decode", "q": [0, 2]}, {"snap": [[0, 1]]}),
        ({"step": "decode", "q": [0, 2]}, {"snap": [[0, 2]], "resident": [[0, 3]]}),
        ({"step": "decode", "q": [0, 2]}, {"mark": "x", "end": {}}),
        ({"end": {}}, {"mark": "late"}),
        ({"end": {}}, {"unknown": 1}),
    ]
    for i, recs in enumerate(bad):
        res, err = run(lines({"deptrace": 1}, *recs) + good)
        check("bad %d results" % i, [(r["trace"], r["sample"]) for r in res], [(1, "ok")])
        check("bad %d errors" % i, len(err), 1)
    for i, head in enumerate(['{"deptrace":2}', '{"deptrace":1,"heads":0}',
                              '{"deptrace":1,"layers":1.0}', '{"deptrace":true}']):
        res, err = run(head + "\n" + good)
        check("bad header %d" % i, ([r["trace"] for r in res], len(err)), ([1], 1))
    for i, line in enumerate(['{"step":"decode",', '[1]', '{"mark":NaN}',
                              '{"mark":1,"mark":2}']):
        res, err = run(lines({"deptrace": 1}) + line + "\n" + good)
        check("bad line %d" % i, ([r["trace"] for r in res], len(err)), ([1], 1))
    res, err = run(lines({"step": "decode", "q": [0, 1]}, {"mark": 1}) + good)
    check("before header", ([r["trace"] for r in res], len(err)), ([0], 1))

    # 5. accepted oddities: unknown record skipped, blank lines, adjacent ranges.
    res, err = run(lines({"deptrace": 1, "layers": 2}, {"step": "prefill", "q": [5, 9]},
                         {"future": 1}) + "\n  \t\n" +
                   lines({"evict": [[5, 7], [7, 9]], "s": 1}, {"evict": []}))
    check("odd errors", err, [])
    check("odd", (res[0]["evicted_tokens"], res[0]["evict_events"], res[0]["final_resident"]),
          (2, 3 / 2, 7))  # s0 keeps 9 ids, s1 keeps 5

    # 6. damage: a truncated final line keeps the trace read so far.
    res, err = run(lines({"deptrace": 1}, {"step": "decode", "q": [0, 3]}) + '{"step":"dec')
    check("damage", ([(r["dep"], r["complete"]) for r in res], len(err)), ([(6, False)], 1))
    # the same line with a newline after it is an ordinary error.
    res, err = run(lines({"deptrace": 1}, {"step": "decode", "q": [0, 3]}) + '{"step":"dec\n')
    check("not damage", (res, len(err)), ([], 1))

    # 7. the file route and the CLI-level reading.
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "x.dtrace.jsonl.gz")
        with open(p, "wb") as f:
            f.write(gzip.compress(good.encode()))
        res, err = analyse(p, read_bytes(p), ("decode",))
        check("gz", (len(res), res[0]["dep"], err), (1, 3, []))

    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    print("self-test: %d failure(s)" % len(failures), file=sys.stderr)
    return 1 if failures else 0


# ---------------------------------------------------------------- main

def usage(message):
    print("deptrace_reference.py: %s" % message, file=sys.stderr)
    print("usage: deptrace_reference.py [--phases decode[,prefill,compress]] FILE...\n"
          "       deptrace_reference.py --self-test", file=sys.stderr)
    return 2


def main(argv):
    phases = ("decode",)
    files = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--self-test":
            return self_test()
        if a == "--phases" or a.startswith("--phases="):
            if a == "--phases":
                if not args:
                    return usage("--phases needs a value")
                value = args.pop(0)
            else:
                value = a[len("--phases="):]
            phases = tuple(p for p in value.split(",") if p)
            if not phases or any(p not in PHASES for p in phases):
                return usage("bad --phases %r (use prefill, decode, compress)" % value)
        elif a == "--":
            files.extend(args)
            break
        elif a.startswith("--"):
            return usage("unknown option %s" % a)
        else:
            files.append(a)
    if not files:
        return usage("no input file")
    all_results, status = [], 0
    for path in files:
        try:
            data = read_bytes(path)
        except (OSError, EOFError) as e:
            print("%s: cannot read: %s" % (path, e), file=sys.stderr)
            status = 2
            continue
        results, errors = analyse(path, data, phases)
        all_results.extend(results)
        for e in errors:
            print(e, file=sys.stderr)
        if errors and status == 0:
            status = 1
    sys.stdout.write("[\n" + ",\n".join(json.dumps(r) for r in all_results) + "\n]\n"
                     if all_results else "[]\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
