#!/usr/bin/env python3
"""DepTrace's throughput benchmark (issue 3), in one command.

    python3 Benchmarks/run.py [--quick] [--out DIR] [--repeat N] [--keep-data]

Builds deptrace in release, generates seeded synthetic traces (a GSM8K-sized
run of 1,319 LightThinker-style single-stream traces, as one JSONL file and as
1,319 files in a folder; a set of 112-stream H2O-style traces), converts them
to the binary encoding, compresses both encodings with `zstd -3`, then times on
the same bytes, each command `--repeat` times (round robin; the best time
counts):

  deptrace stats   on JSONL, binary, `zstd -dc F.zst | deptrace stats -` for both,
                   and (GSM8K) on the folder of 1,319 files and on the same files as
                   one .tar.zst bundle read in place (`deptrace bundle`, issue 5);
  reference        Benchmarks/reference/reference_dep.py with json.loads, and with
                   orjson when importable (installed with pip when it is not);
  zstd -dc F.zst > /dev/null   decompression alone;
  deptrace stats   on Traces/vanilla.dtrace.jsonl (one tiny trace): process start-up alone.

Goals are judged on wall time with process start-up included; each goal line
also shows, in brackets, the ratio with deptrace's start-up time subtracted
from deptrace's runs (other tools keep theirs), for throughput on large inputs.

Every deptrace and reference run must agree on Dep and peak of every trace, or
the script says so and exits 1. Prints a table and the goals of issue 3 with
PASS / MISS, and writes DIR/summary.json. Generated data lives in DIR/data (or
a temporary folder) and is removed at the end unless --keep-data.
Python 3 standard library only; needs swift, zstd and /usr/bin/time.
"""
import argparse
import csv
import io
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TIME = "/usr/bin/time"
REFERENCE = os.path.join(HERE, "reference", "reference_dep.py")
sys.dont_write_bytecode = True  # no __pycache__ beside the sources
sys.path.insert(0, HERE)
import make_large_traces  # noqa: E402  (the generators live beside this script)

MB = 1e6  # MB/s are decimal megabytes of input per second

# (name, goal, what) — the goals of issue 3.
GOAL_JSONL_VS_PYTHON = 50.0
GOAL_BINARY_VS_JSONL = 4.0
GOAL_ZSTD = 0.8
GOAL_FILES = 0.8

FULL = {"gsm8k_traces": 1319, "h2o_traces": 4, "h2o_steps": 5000}
QUICK = {"gsm8k_traces": 150, "h2o_traces": 1, "h2o_steps": 1000}


def log(message=""):
    print(message, flush=True)


def fail(message):
    print("run.py: error: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


# ---------------------------------------------------------------------------------------------- set-up

def build(repo):
    started = time.perf_counter()
    # As the README builds it: the Swift runtime linked in (about 2 ms less start-up per run).
    command = ["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "deptrace", "--package-path", repo]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-6000:])
        fail("'%s' failed (exit %d); if another build holds the lock or a file you are not editing does not "
             "compile, wait a minute and run again" % (" ".join(command), result.returncode))
    bin_path = subprocess.run(command + ["--show-bin-path"], stdout=subprocess.PIPE, text=True, check=True).stdout
    binary = os.path.join(bin_path.strip(), "deptrace")
    if not os.access(binary, os.X_OK):
        fail("no deptrace binary at " + binary)
    return binary, time.perf_counter() - started


def orjson_status():
    """Returns (usable, note). Installs orjson with pip when it is not importable."""
    probe = [sys.executable, "-c", "import orjson; print(orjson.__version__)"]
    found = subprocess.run(probe, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if found.returncode == 0:
        return True, "orjson " + found.stdout.strip()
    log("orjson is not importable: pip install orjson ...")
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "orjson"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = subprocess.run(probe, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if found.returncode == 0:
        return True, "orjson " + found.stdout.strip() + " (installed by run.py)"
    log("SKIPPED: the orjson reference (pip install orjson failed: %s)" % pip.stdout.strip().splitlines()[-1:])
    return False, "orjson unavailable: pip install failed"


def git_state(repo):
    try:
        head = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        return head + ("+uncommitted changes" if dirty else "")
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------------------------------- data

def generate(data, scale, deptrace):
    """Writes every input; returns {dataset: description} with paths, sizes and record counts."""
    started = time.perf_counter()
    datasets = {}

    # (a) GSM8K-sized run: one JSONL file and the same traces one file each.
    gsm8k = os.path.join(data, "gsm8k.dtrace.jsonl")
    folder = os.path.join(data, "gsm8k-files")
    os.makedirs(folder)
    records = 0
    rng = random.Random(3)
    width = len(str(scale["gsm8k_traces"] - 1))
    with open(gsm8k, "w") as whole:
        for i in range(scale["gsm8k_traces"]):
            text = io.StringIO()
            records += make_large_traces.write_lightthinker(
                text, rng, str(i), origin="simulated by Benchmarks/run.py (make_large_traces.write_lightthinker), seed 3")
            whole.write(text.getvalue())
            with open(os.path.join(folder, "gsm8k-%0*d.dtrace.jsonl" % (width, i)), "w") as one:
                one.write(text.getvalue())
    datasets["gsm8k"] = {"jsonl": gsm8k, "folder": folder, "traces": scale["gsm8k_traces"], "records": records,
                         "about": "LightThinker-style, 1 stream, prompt 100-300, output 200-2000 tokens"}

    # (b) 112-stream H2O-style traces, back to back in one file.
    h2o = os.path.join(data, "h2o112.dtrace.jsonl")
    records = 0
    with open(h2o, "w") as out:
        for i in range(scale["h2o_traces"]):
            prompt = random.Random(100 + i).randint(150, 300)
            records += make_large_traces.write_h2o(out, scale["h2o_steps"], prompt=prompt, budget=640, seed=100 + i,
                                                   sample="h2o-%d" % i, dataset="gsm8k")
    datasets["h2o112"] = {"jsonl": h2o, "traces": scale["h2o_traces"], "records": records,
                          "about": "H2O-style, 28 layers x 4 heads, %d steps each, budget 640" % scale["h2o_steps"]}

    for name, d in datasets.items():
        d["binary"] = d["jsonl"][: -len(".jsonl")]
        run_checked([deptrace, "convert", d["jsonl"], "-o", d["binary"]], "convert " + name)
        for kind in ("jsonl", "binary"):
            run_checked(["zstd", "-3", "-q", "-f", d[kind], "-o", d[kind] + ".zst"], "zstd " + name)
            d[kind + ".zst"] = d[kind] + ".zst"
        d["bytes"] = {kind: os.path.getsize(d[kind]) for kind in ("jsonl", "binary", "jsonl.zst", "binary.zst")}
        if "folder" in d:
            d["bytes"]["folder"] = sum(os.path.getsize(os.path.join(d["folder"], f)) for f in os.listdir(d["folder"]))
            d["files"] = len(os.listdir(d["folder"]))
            # The same files as one bundle (issue 5), written by deptrace bundle (zstd level 3, like zstd -3).
            d["tar.zst"] = os.path.join(data, name + ".tar.zst")
            run_checked([deptrace, "bundle", d["tar.zst"], d["folder"]], "bundle " + name)
            d["bytes"]["tar.zst"] = os.path.getsize(d["tar.zst"])
        d["records"] = count_records(d["jsonl"], d["records"])
    return datasets, time.perf_counter() - started


def count_records(path, expected):
    """Records = non-blank, non-header lines of the JSONL (checked against what the generator wrote)."""
    count = 0
    with open(path, "rb") as f:
        for line in f:
            if line.strip() and not line.startswith(b'{"deptrace"'):
                count += 1
    if count != expected:
        fail("%s: %d records counted, %d written" % (path, count, expected))
    return count


def run_checked(command, what):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        fail("%s failed (exit %d): %s\n%s" % (what, result.returncode, " ".join(command), result.stderr[-3000:]))


# ---------------------------------------------------------------------------------------------- measuring

def warm(path):
    """Reads a file, or every file of a folder, into the page cache."""
    if os.path.isdir(path):
        for name in sorted(os.listdir(path)):
            warm(os.path.join(path, name))
        return
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


class Measurement:
    def __init__(self, dataset, label, tool, input_kind, input_bytes, records, command, stdin_command=None,
                 checks=True):
        self.dataset, self.label, self.tool = dataset, label, tool
        self.input_kind, self.input_bytes, self.records = input_kind, input_bytes, records
        self.command, self.stdin_command, self.checks = command, stdin_command, checks
        self.times, self.rss_kib = [], []

    def inputs(self):
        """The files and folders the commands read (their arguments that exist), programs aside."""
        args = self.command[1:] + (self.stdin_command[1:] if self.stdin_command else [])
        return [a for a in args if os.path.isabs(a) and os.path.exists(a)]

    def run(self, scratch):
        """One timed run: wall time of every process, peak RSS of the measured one, its standard output."""
        # Hot cache for every command alike: this machine reclaims file pages left cold for a few
        # seconds (a fifth of a 64 MB file within 20 s), so a run would otherwise time the disk.
        for path in self.inputs():
            warm(path)
        out = subprocess.PIPE if self.checks else subprocess.DEVNULL
        # Standard error to a file, so that reading standard output alone cannot block; no
        # wrapper process (/usr/bin/time cost 3 ms a run here; the RSS has a run of its own).
        with tempfile.TemporaryFile(dir=scratch) as errors:
            started = time.perf_counter()
            if self.stdin_command:
                feeder = subprocess.Popen(self.stdin_command, stdout=subprocess.PIPE)
                measured = subprocess.Popen(self.command, stdin=feeder.stdout, stdout=out, stderr=errors)
                feeder.stdout.close()
            else:
                feeder = None
                measured = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=out, stderr=errors)
            stdout = measured.stdout.read() if self.checks else b""
            _, status, _ = os.wait4(measured.pid, 0)
            feeder_code = feeder.wait() if feeder else 0
            elapsed = time.perf_counter() - started
            measured.returncode = os.waitstatus_to_exitcode(status)
            if measured.stdout:
                measured.stdout.close()
            errors.seek(0)
            stderr = errors.read()
        if measured.returncode != 0 or feeder_code != 0:
            fail("%s / %s failed (exit %d, feeder exit %d): %s\n%s" % (
                self.dataset, self.label, measured.returncode, feeder_code, self.describe(),
                stderr.decode(errors="replace")[-3000:]))
        self.times.append(elapsed)
        return stdout.decode() if self.checks else None

    def measure_rss(self, scratch):
        """The peak RSS of the measured process, from one more run, untimed, under /usr/bin/time.

        Not from wait4 in the timed runs: a child's ru_maxrss counts the memory of the process
        it was forked from (here Python's 18 MiB); /usr/bin/time forks it from a small process."""
        for path in self.inputs():
            warm(path)
        rss_file = os.path.join(scratch, "rss")
        timed = [TIME, "-f", "%M", "-o", rss_file] + self.command
        feeder = subprocess.Popen(self.stdin_command, stdout=subprocess.PIPE) if self.stdin_command else None
        subprocess.run(timed, stdin=feeder.stdout if feeder else subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if feeder:
            feeder.stdout.close()
            feeder.wait()
        try:
            with open(rss_file) as f:
                self.rss_kib.append(int(f.read().split()[-1]))
        except (OSError, ValueError, IndexError):
            pass

    def describe(self):
        command = " ".join(self.command)
        return (" ".join(self.stdin_command) + " | " + command) if self.stdin_command else command

    @property
    def best(self):
        return min(self.times)

    @property
    def mb_per_s(self):
        return self.input_bytes / MB / self.best

    @property
    def records_per_s(self):
        return self.records / self.best


def parse_results(text, source):
    """{sample: (dep, peak)} from deptrace's or the reference's CSV."""
    rows = {}
    for row in csv.DictReader(io.StringIO(text)):
        sample = row["sample"]
        if sample in rows:
            fail("%s: sample %r twice" % (source, sample))
        rows[sample] = (row["dep"], row["peak"])
    return rows


def same_number(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-12 * max(1.0, abs(x), abs(y))


def disagreements(expected, got):
    problems = []
    for sample in sorted(set(expected) | set(got)):
        if sample not in got:
            problems.append("sample %s: missing" % sample)
        elif sample not in expected:
            problems.append("sample %s: not in the reference" % sample)
        else:
            (dep_e, peak_e), (dep_g, peak_g) = expected[sample], got[sample]
            if not same_number(dep_e, dep_g) or peak_e != peak_g:
                problems.append("sample %s: reference dep %s peak %s, got dep %s peak %s"
                                % (sample, dep_e, peak_e, dep_g, peak_g))
    return problems


def plan(datasets, deptrace, with_orjson):
    stats = [deptrace, "stats", "--format", "csv", "--columns", "sample,dep,peak", "--no-progress"]
    python = [sys.executable, REFERENCE]
    measurements = []
    # Process start-up alone: a one-trace file, as small as a trace gets.
    tiny = os.path.join(REPO, "Traces", "vanilla.dtrace.jsonl")
    measurements.append(Measurement("start", "deptrace start-up (1 tiny trace)", "deptrace", "jsonl",
                                     os.path.getsize(tiny), 1, stats + [tiny], checks=False))
    for name, d in datasets.items():
        b, r = d["bytes"], d["records"]
        add = lambda *args, **kw: measurements.append(Measurement(name, *args, **kw))  # noqa: E731
        add("reference, json.loads", "python", "jsonl", b["jsonl"], r, python + [d["jsonl"]])
        if with_orjson:
            add("reference, orjson", "python", "jsonl", b["jsonl"], r, python + ["--json", "orjson", d["jsonl"]])
        add("deptrace JSONL", "deptrace", "jsonl", b["jsonl"], r, stats + [d["jsonl"]])
        add("deptrace binary", "deptrace", "binary", b["binary"], r, stats + [d["binary"]])
        add("zstd -dc JSONL.zst >/dev/null", "zstd", "jsonl.zst", b["jsonl.zst"], r,
            ["zstd", "-dc", d["jsonl.zst"]], checks=False)
        add("zstd -dc JSONL.zst | deptrace", "deptrace", "jsonl.zst", b["jsonl.zst"], r, stats + ["-"],
            stdin_command=["zstd", "-dc", d["jsonl.zst"]])
        add("zstd -dc binary.zst >/dev/null", "zstd", "binary.zst", b["binary.zst"], r,
            ["zstd", "-dc", d["binary.zst"]], checks=False)
        add("zstd -dc binary.zst | deptrace", "deptrace", "binary.zst", b["binary.zst"], r, stats + ["-"],
            stdin_command=["zstd", "-dc", d["binary.zst"]])
        if "folder" in d:
            add("deptrace %d JSONL files" % d["files"], "deptrace", "folder", b["folder"], r, stats + [d["folder"]])
            add("zstd -dc %d-file tar.zst >/dev/null" % d["files"], "zstd", "tar.zst", b["tar.zst"], r,
                ["zstd", "-dc", d["tar.zst"]], checks=False)
            add("deptrace %d-file tar.zst in place" % d["files"], "deptrace", "tar.zst", b["tar.zst"], r, stats + [d["tar.zst"]])
    return measurements


# ---------------------------------------------------------------------------------------------- report

def find(measurements, dataset, label):
    for m in measurements:
        if m.dataset == dataset and m.label == label:
            return m
    return None


def goals(measurements, datasets):
    rows = []

    start = find(measurements, "start", "deptrace start-up (1 tiny trace)")
    startup = start.best if start else 0.0

    def net(m):
        """Best time of `m` without deptrace's process start-up (other tools' start-up stays in)."""
        return max(m.best - startup, 1e-6) if m.tool == "deptrace" else m.best

    def goal(dataset, what, value, target, numerator, denominator, without_startup):
        rows.append({"dataset": dataset, "goal": what, "value": value, "target": target,
                     "pass": value >= target, "numerator": numerator, "denominator": denominator,
                     "value_without_deptrace_startup": without_startup})

    for name, d in datasets.items():
        jsonl = find(measurements, name, "deptrace JSONL")
        reference = find(measurements, name, "reference, json.loads")
        goal(name, "JSONL parse+metrics vs Python json.loads reference (MB/s)",
             jsonl.mb_per_s / reference.mb_per_s, GOAL_JSONL_VS_PYTHON, jsonl.label, reference.label,
             net(reference) / net(jsonl))
        binary = find(measurements, name, "deptrace binary")
        goal(name, "binary vs deptrace's own JSONL (records/s)",
             binary.records_per_s / jsonl.records_per_s, GOAL_BINARY_VS_JSONL, binary.label, jsonl.label,
             net(jsonl) / net(binary))
        for kind, label in (("JSONL", "jsonl"), ("binary", "binary")):
            piped = find(measurements, name, "zstd -dc %s.zst | deptrace" % kind)
            alone = find(measurements, name, "zstd -dc %s.zst >/dev/null" % kind)
            goal(name, "%s.zst input vs zstd -dc alone on the same file (throughput)" % kind,
                 alone.best / piped.best, GOAL_ZSTD, piped.label, alone.label, net(alone) / net(piped))
        if "folder" in d:
            files = find(measurements, name, "deptrace %d JSONL files" % d["files"])
            goal(name, "%d files vs the same records in one file (throughput)" % d["files"],
                 jsonl.best / files.best, GOAL_FILES, files.label, jsonl.label, net(jsonl) / net(files))
            bundle = find(measurements, name, "deptrace %d-file tar.zst in place" % d["files"])
            alone = find(measurements, name, "zstd -dc %d-file tar.zst >/dev/null" % d["files"])
            goal(name, "%d-file tar.zst read in place vs zstd -dc alone (issue 5)" % d["files"],
                 alone.best / bundle.best, GOAL_ZSTD, bundle.label, alone.label, net(alone) / net(bundle))
    return rows


def mib(kib):
    return "%.1f" % (kib / 1024.0) if kib else "n/a"


def report(measurements, goal_rows, datasets, largest):
    log()
    header = "%-8s %-32s %-10s %9s %8s %9s %9s %8s  %s" % (
        "data", "run", "input", "MB", "best s", "MB/s", "Mrec/s", "RSS MiB", "runs s")
    log(header)
    log("-" * (len(header) + 10))
    for m in measurements:
        log("%-8s %-32s %-10s %9.2f %8.3f %9.1f %9.3f %8s  %s" % (
            m.dataset, m.label, m.input_kind, m.input_bytes / MB, m.best, m.mb_per_s, m.records_per_s / 1e6,
            mib(max(m.rss_kib)) if m.rss_kib else "n/a", "/".join("%.2f" % t for t in m.times)))
    log("MB/s: input bytes (JSONL, binary or compressed, as read) per second of wall time, process start included;")
    log("Mrec/s: records (non-header JSONL lines) per second; RSS MiB: peak of the measured process (of deptrace")
    log("in a pipe); best s: the best of the runs listed.")
    log()
    start = find(measurements, "start", "deptrace start-up (1 tiny trace)")
    log("Goals of issue 3 (wall time, process start included; in brackets: without deptrace's start-up of %.3f s)"
        % (start.best if start else 0.0))
    for g in goal_rows:
        log("  %-8s %-66s %7.2fx  goal >= %-4g  %s  [%.2fx]" % (
            g["dataset"], g["goal"], g["value"], g["target"], "PASS" if g["pass"] else "MISS",
            g["value_without_deptrace_startup"]))
    if largest is not None:
        log("  %-8s peak RSS of deptrace on the largest input (%s, %.1f MB): %s MiB" % (
            largest.dataset, largest.label, largest.input_bytes / MB, mib(max(largest.rss_kib or [0]))))
    log()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: %d GSM8K traces, %d H2O trace of %d steps" % (
                            QUICK["gsm8k_traces"], QUICK["h2o_traces"], QUICK["h2o_steps"]))
    parser.add_argument("--out", help="folder for summary.json and (while running) the data; outside the repository")
    parser.add_argument("--repeat", type=int, default=5, help="runs of every command; the best counts (default 5)")
    parser.add_argument("--keep-data", action="store_true", help="keep the generated traces")
    parser.add_argument("--repo", default=REPO, help="the DepTrace package to build (default: this checkout)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("'--repeat' must be at least 1")
    for tool in ("swift", "zstd"):
        if shutil.which(tool) is None:
            fail("'%s' is not on PATH (bash .ci/setup installs zstd)" % tool)

    repo = os.path.abspath(args.repo)
    if args.out:
        out = os.path.abspath(args.out)
        if os.path.commonpath([out, repo]) == repo:
            fail("--out %s is inside the repository; generated data must stay out of git" % args.out)
        os.makedirs(out, exist_ok=True)
    else:
        out = tempfile.mkdtemp(prefix="deptrace-bench-")
    data = os.path.join(out, "data")
    if os.path.exists(data):
        shutil.rmtree(data)
    os.makedirs(data)
    scale = QUICK if args.quick else FULL
    started = time.perf_counter()

    log("DepTrace benchmark (issue 3)%s: %d runs of every command, best counts" % (
        " --quick" if args.quick else "", args.repeat))
    log("machine: %s, %d cores, Python %s; DepTrace at %s" % (
        platform.machine(), os.cpu_count() or 0, platform.python_version(), git_state(repo)))
    deptrace, build_s = build(repo)
    log("build: swift build -c release --static-swift-stdlib --product deptrace: %.1f s" % build_s)
    with_orjson, orjson_note = orjson_status()
    log("reference: %s; %s" % (os.path.relpath(REFERENCE, repo), orjson_note))
    try:
        datasets, generate_s = generate(data, scale, deptrace)
        log("data in %s (%.1f s to generate, convert and compress):" % (data, generate_s))
        for name, d in datasets.items():
            b = d["bytes"]
            log("  %-7s %s traces, %s records (%s); JSONL %.1f MB (.zst %.1f MB), binary %.1f MB (.zst %.1f MB)%s" % (
                name, format(d["traces"], ","), format(d["records"], ","), d["about"], b["jsonl"] / MB,
                b["jsonl.zst"] / MB, b["binary"] / MB, b["binary.zst"] / MB,
                "; also as %s files" % format(d["files"], ",") if "files" in d else ""))

        if not os.access(TIME, os.X_OK):
            fail(TIME + " is missing (Debian package 'time')")
        measurements = plan(datasets, deptrace, with_orjson)
        scratch = tempfile.mkdtemp(prefix="deptrace-bench-scratch-")
        expected, problems = {}, []
        try:
            log("peak memory, one run of every command under %s ..." % TIME)
            for m in measurements:
                m.measure_rss(scratch)
            for repetition in range(args.repeat):
                log("run %d of %d ..." % (repetition + 1, args.repeat))
                for m in measurements:
                    text = m.run(scratch)
                    if text is None:
                        continue
                    rows = parse_results(text, m.label)
                    if m.label == "reference, json.loads":
                        expected.setdefault(m.dataset, rows)
                    elif m.dataset not in expected:
                        fail("the json.loads reference must run first")
                    problems += ["%s / %s: %s" % (m.dataset, m.label, p) for p in disagreements(expected[m.dataset], rows)]
                    if problems:
                        break
                if problems:
                    break
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if problems:
            print("\nFAILED: DepTrace and the reference disagree on Dep or peak:", file=sys.stderr)
            for p in problems[:20]:
                print("  " + p, file=sys.stderr)
            if len(problems) > 20:
                print("  ... and %d more" % (len(problems) - 20), file=sys.stderr)
            sys.exit(1)
        traces = sum(len(rows) for rows in expected.values())
        log("agreement: every deptrace and reference run gives the same dep and peak for all %s traces" % format(traces, ","))

        goal_rows = goals(measurements, datasets)
        deptrace_runs = [m for m in measurements if m.tool == "deptrace" and m.stdin_command is None]
        largest = max(deptrace_runs, key=lambda m: m.input_bytes) if deptrace_runs else None
        report(measurements, goal_rows, datasets, largest)

        summary = {
            "benchmark": "DepTrace issue 3", "quick": args.quick, "repeat": args.repeat,
            "machine": {"arch": platform.machine(), "cores": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "deptrace": {"binary": deptrace, "revision": git_state(repo), "build_seconds": round(build_s, 2)},
            "reference": {"script": os.path.relpath(REFERENCE, repo), "orjson": orjson_note},
            "data": {name: {"traces": d["traces"], "records": d["records"], "about": d["about"],
                            "bytes": d["bytes"], **({"files": d["files"]} if "files" in d else {})}
                     for name, d in datasets.items()},
            "agreement": {"traces": traces, "dep_and_peak_agree": True},
            "measurements": [{
                "dataset": m.dataset, "run": m.label, "tool": m.tool, "input": m.input_kind,
                "command": m.describe(), "input_bytes": m.input_bytes, "records": m.records,
                "seconds": [round(t, 4) for t in m.times], "best_seconds": round(m.best, 4),
                "mb_per_s": round(m.mb_per_s, 2), "records_per_s": round(m.records_per_s),
                "peak_rss_kib": max(m.rss_kib) if m.rss_kib else None} for m in measurements],
            "goals": [dict(g, value=round(g["value"], 3),
                           value_without_deptrace_startup=round(g["value_without_deptrace_startup"], 3))
                      for g in goal_rows],
            "largest_input_peak_rss_kib": {
                "dataset": largest.dataset, "run": largest.label, "input_bytes": largest.input_bytes,
                "peak_rss_kib": max(largest.rss_kib) if largest.rss_kib else None} if largest else None,
            "total_seconds": None,
        }
    finally:
        if not args.keep_data:
            shutil.rmtree(data, ignore_errors=True)
    summary["total_seconds"] = round(time.perf_counter() - started, 1)
    path = os.path.join(out, "summary.json")
    with open(path, "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    log("summary: %s%s; total %.0f s" % (path, "" if args.keep_data else " (data removed)", summary["total_seconds"]))


if __name__ == "__main__":
    main()
