#!/usr/bin/env python3
"""deptrace.stats against `deptrace stats --format json` on the 1,319-trace benchmark data, in one run.

    python Python/bench_stats.py                  # with the Python that has the wheel installed
    python Python/bench_stats.py --repeat 7 --data /tmp/gsm8k   # keep the data for another run

The data are Benchmarks/run.py's GSM8K-sized run, made by the same generator
with the same seed (make_large_traces.write_lightthinker, random.Random(3)):
1,319 LightThinker-style single-stream traces, about 64 MB of JSON Lines, as
one file and as 1,319 files in a folder. Both sides run the same binary, the
one the wheel installed: the CLI as a process whose JSON is read off its
standard output, the API as `deptrace.stats(path)` in this process (a pandas
DataFrame when pandas is installed; the time includes building it). Each
measurement is the wall time of the whole call, the input read into the page
cache just before; the CLI's time is its process alone, its JSON not even
parsed. A round runs both sides back to back, the first side alternating; the
verdict is the median over the rounds of each round's API/CLI ratio, which a
machine shared with other builds (as this one is) disturbs far less than the
best or the median of either side alone, both printed too, with the CPU
seconds of each side. The goal of issue 25: API / CLI <= 1.2.
Exit code 1 when it is missed or when the two disagree.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
GOAL = 1.2
TRACES = 1319


def generate(folder: str) -> dict:
    """Writes the GSM8K-sized run exactly as Benchmarks/run.py does; returns the two inputs."""
    sys.path.insert(0, os.path.join(REPOSITORY, "Benchmarks"))
    import make_large_traces  # the benchmark's own generators

    whole = os.path.join(folder, "gsm8k.dtrace.jsonl")
    files = os.path.join(folder, "gsm8k-files")
    if os.path.exists(whole) and os.path.isdir(files) and len(os.listdir(files)) == TRACES:
        return {"one file": whole, "1,319 files": files}
    os.makedirs(files, exist_ok=True)
    rng = random.Random(3)
    width = len(str(TRACES - 1))
    with open(whole, "w") as out:
        for i in range(TRACES):
            text = io.StringIO()
            make_large_traces.write_lightthinker(
                text, rng, str(i), origin="simulated by Benchmarks/run.py (make_large_traces.write_lightthinker), seed 3")
            out.write(text.getvalue())
            with open(os.path.join(files, "gsm8k-%0*d.dtrace.jsonl" % (width, i)), "w") as one:
                one.write(text.getvalue())
    return {"one file": whole, "1,319 files": files}


def cpu_seconds() -> float:
    """User + system seconds of this process and of the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def warm(path: str) -> None:
    """Reads a file, or every file of a folder, into the page cache."""
    paths = [path] if os.path.isfile(path) else [os.path.join(path, name) for name in sorted(os.listdir(path))]
    for item in paths:
        with open(item, "rb") as file:
            while file.read(1 << 20):
                pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15, help="runs of each side (default 15); the best counts")
    parser.add_argument("--data", help="folder for the generated traces, kept afterwards (default: a temporary folder)")
    options = parser.parse_args()
    if options.repeat < 1:
        parser.error("--repeat must be 1 or more")

    try:
        import deptrace
    except ImportError:
        print("bench_stats: this Python has no deptrace package; pip install the wheel (bash Python/build-wheel.sh) first",
              file=sys.stderr)
        return 2
    try:
        import pandas  # noqa: F401  (imported here so that neither side pays for it)
        returns = "pandas DataFrame"
    except ImportError:
        returns = "list of dicts (pandas is not installed)"
    binary = deptrace.binary_path()

    folder = options.data or tempfile.mkdtemp(prefix="deptrace-bench-")
    try:
        started = time.perf_counter()
        inputs = generate(folder)
        size = os.path.getsize(inputs["one file"])
        print(f"data: {TRACES} traces, {size / 1e6:.1f} MB of JSON Lines, in {folder} ({time.perf_counter() - started:.1f} s to make)")
        print(f"binary: {binary} (deptrace {deptrace.__version__}); the API returns a {returns}")
        print(f"{options.repeat} rounds per input; a round runs both sides back to back (which goes first alternates)")
        print("wall time of the whole call; CPU: user + system seconds of the binary and of this process")
        print()
        print(f"{'input':<12} {'':<8} {'CLI --format json':>18} {'deptrace.stats':>15} {'ratio':>7}")
        failed = False
        for name, path in inputs.items():
            times: dict = {"cli": [], "api": []}
            cpus: dict = {"cli": [], "api": []}
            cli_records: list = []
            result = None

            def run_cli() -> None:
                nonlocal cli_records
                done = subprocess.run([binary, "stats", "--format", "json", "--no-progress", path],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                if done.returncode != 0:
                    raise SystemExit(f"bench_stats: the CLI failed on {path}: {done.stderr.decode(errors='replace')}")
                cli_records = done.stdout  # parsed after the round, outside the timing

            def run_api() -> None:
                nonlocal result
                result = deptrace.stats(path)

            for round_index in range(options.repeat):
                sides = [("cli", run_cli), ("api", run_api)]
                for side, call in sides if round_index % 2 == 0 else sides[::-1]:
                    warm(path)
                    cpu = cpu_seconds()
                    begin = time.perf_counter()
                    call()
                    times[side].append(time.perf_counter() - begin)
                    cpus[side].append(cpu_seconds() - cpu)
            rows = json.loads(cli_records)
            records = result.to_dict(orient="records") if hasattr(result, "to_dict") else result
            if len(records) != TRACES or [(r["sample"], r["dep"], r["peak"]) for r in records] != \
                    [(r["sample"], r["dep"], r["peak"]) for r in rows]:
                print(f"bench_stats: the API and the CLI disagree on {path}", file=sys.stderr)
                return 1
            paired = statistics.median(a / c for a, c in zip(times["api"], times["cli"]))
            verdict = "PASS" if paired <= GOAL else "MISS"
            failed |= paired > GOAL
            median = statistics.median
            print(f"{name:<12} {'paired':<8} {'':>18} {'':>15} {paired:>7.3f}  median of the rounds' API/CLI: {verdict} (goal <= {GOAL})")
            print(f"{'':<12} {'best':<8} {min(times['cli']):>16.3f} s {min(times['api']):>13.3f} s {min(times['api']) / min(times['cli']):>7.3f}")
            print(f"{'':<12} {'median':<8} {median(times['cli']):>16.3f} s {median(times['api']):>13.3f} s {median(times['api']) / median(times['cli']):>7.3f}")
            print(f"{'':<12} {'CPU':<8} {median(cpus['cli']):>16.3f} s {median(cpus['api']):>13.3f} s {median(cpus['api']) / median(cpus['cli']):>7.3f}")
            print(f"{'':<12} runs: CLI {', '.join(f'{t:.3f}' for t in times['cli'])}")
            print(f"{'':<12}       API {', '.join(f'{t:.3f}' for t in times['api'])}")
        return 1 if failed else 0
    finally:
        if not options.data:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
