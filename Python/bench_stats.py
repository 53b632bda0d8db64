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
measurement is the wall time of the whole call; the sides alternate, each
input is read into the page cache just before, and the best of --repeat runs
counts (the machine is shared). The CLI's time is its process alone, its
JSON not even parsed. The goal of issue 25: API / CLI <= 1.2.
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


def cpu_seconds(children_only: bool = False, at: tuple = None) -> tuple:
    """(all CPU seconds: this process and its waited-for children, the children's alone), or one of them.

    With ``children_only``, returns the children's seconds (of ``at`` when given).
    """
    if at is not None:
        return at[1]
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = children.ru_utime + children.ru_stime
    if children_only:
        return child
    return (own.ru_utime + own.ru_stime + child, child)


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
        print(f"best of {options.repeat}, wall time of the whole call")
        print()
        print(f"{'input':<12} {'CLI --format json':>18} {'deptrace.stats':>15} {'ratio':>7}  goal <= {GOAL}")
        failed = False
        for name, path in inputs.items():
            cli_times, api_times, cli_cpu, api_cpu = [], [], [], []
            for _ in range(options.repeat):
                warm(path)
                cpu = cpu_seconds()
                begin = time.perf_counter()
                done = subprocess.run([binary, "stats", "--format", "json", "--no-progress", path],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                cli_times.append(time.perf_counter() - begin)
                cli_cpu.append(cpu_seconds(children_only=True) - cpu_seconds(children_only=True, at=cpu))
                cli_records = json.loads(done.stdout)
                if done.returncode != 0:
                    print(f"bench_stats: the CLI failed on {path}: {done.stderr.decode(errors='replace')}", file=sys.stderr)
                    return 1
                warm(path)
                cpu = cpu_seconds()
                begin = time.perf_counter()
                result = deptrace.stats(path)
                api_times.append(time.perf_counter() - begin)
                api_cpu.append(cpu_seconds()[0] - cpu[0])
            records = result.to_dict(orient="records") if hasattr(result, "to_dict") else result
            if len(records) != TRACES or [(r["sample"], r["dep"], r["peak"]) for r in records] != \
                    [(r["sample"], r["dep"], r["peak"]) for r in cli_records]:
                print(f"bench_stats: the API and the CLI disagree on {path}", file=sys.stderr)
                return 1
            cli, api = min(cli_times), min(api_times)
            ratio = api / cli
            verdict = "PASS" if ratio <= GOAL else "MISS"
            failed |= ratio > GOAL
            print(f"{name:<12} {cli:>16.3f} s {api:>13.3f} s {ratio:>7.3f}  {verdict}")
            print(f"{'':<12} CPU seconds (user + system, the binary's and this process's), medians: "
                  f"CLI {statistics.median(cli_cpu):.3f}, API {statistics.median(api_cpu):.3f}, "
                  f"ratio {statistics.median(api_cpu) / statistics.median(cli_cpu):.3f}")
            middle = statistics.median(api_times) / statistics.median(cli_times)
            print(f"{'':<12} medians: CLI {statistics.median(cli_times):.3f} s, API {statistics.median(api_times):.3f} s, ratio {middle:.3f}")
            print(f"{'':<12} runs: CLI {', '.join(f'{t:.3f}' for t in cli_times)}; API {', '.join(f'{t:.3f}' for t in api_times)}")
        return 1 if failed else 0
    finally:
        if not options.data:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
