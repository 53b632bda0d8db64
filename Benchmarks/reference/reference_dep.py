#!/usr/bin/env python3
"""Benchmark reference: Dep and peak of every trace, as a plain Python script would compute them.

    python3 reference_dep.py [--json json|orjson] FILE.dtrace.jsonl... (or - for standard input)

One `json.loads` (or `orjson.loads`) per line, per-stream counts of visible
tokens, the default Dep phases (decode only). This is the baseline of
Benchmarks/run.py: what a user would write in a notebook instead of running
DepTrace. It trusts the trace's validity (it checks no rule of FORMAT.md) and
does not know `hide` / `show` (counts alone cannot tell whether an evicted id
was hidden): a trace using them is refused. Tests/Reference/deptrace_reference.py
is the checked, complete oracle; this script is not.

Prints CSV to standard output: trace,sample,dep,peak (trace = index in its
file; dep is the mean over streams, an integer when whole).
"""
import argparse
import csv
import sys


def analyse(lines, loads, emit):
    """Feeds every line of one file through the count-based engine; calls emit(trace, sample, dep, peak)."""
    trace = -1
    sample = None
    streams = 1
    vis = [0]     # visible count per stream, minus `base`
    base = 0      # added to every stream by steps and stream-less evict / add records
    total = 0     # sum over streams of the counted n·|V| + n(n+1)/2
    peak = 0
    top = 0       # max(vis) when not `stale`
    stale = False
    for line in lines:
        if line.isspace():
            continue
        record = loads(line)
        if "step" in record:
            n = record["q"][1]
            if stale:
                top = max(vis)
                stale = False
            if top + base + n > peak:
                peak = top + base + n
            if record["step"] == "decode":
                total += n * (sum(vis) + base * streams) + streams * (n * (n + 1) // 2)
            base += n
        elif "evict" in record or "add" in record:
            ranges = record["evict"] if "evict" in record else record["add"]
            count = 0
            for start, end in ranges:
                count += end - start
            if "evict" in record:
                count = -count
            s = record.get("s")
            if s is None:
                base += count
            else:
                vis[s] += count
                stale = True
        elif "deptrace" in record:
            if trace >= 0:
                emit(trace, sample, total, streams, peak)
            trace += 1
            sample = record.get("sample")
            streams = (record.get("layers") or 1) * (record.get("heads") or 1)
            vis = [0] * streams
            base = total = peak = top = 0
            stale = False
        elif "hide" in record or "show" in record:
            raise SystemExit("reference_dep.py: hide/show records are not supported by this count-based reference")
        # mark, snap, end and unknown record types change no count.
    if trace >= 0:
        emit(trace, sample, total, streams, peak)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", choices=("json", "orjson"), default="json")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    if args.json == "orjson":
        import orjson
        loads, mode = orjson.loads, "rb"
    else:
        import json
        loads, mode = json.loads, "r"
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("trace", "sample", "dep", "peak"))

    def emit(trace, sample, total, streams, peak):
        dep = total // streams if total % streams == 0 else total / streams
        writer.writerow((trace, "" if sample is None else sample, dep, peak))

    for path in args.paths:
        if path == "-":
            source = sys.stdin.buffer if mode == "rb" else sys.stdin
            analyse(source, loads, emit)
        else:
            with open(path, mode) as source:
                analyse(source, loads, emit)


if __name__ == "__main__":
    main()
