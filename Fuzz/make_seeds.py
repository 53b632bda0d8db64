#!/usr/bin/env python3
"""Writes the seed inputs of DepTrace's fuzz targets, one folder per target.

    python3 Fuzz/make_seeds.py OUT_DIR

Seeds come from the repository, never from checked-in blobs: the sample
traces in Traces/ (hand-made JSON Lines, the conformance files in both
encodings, the simulated binary runs cut into single traces), the JSON Lines
lines and multi-line literals of the Swift tests, archives and compressed
files built here from those traces, and hostile metadata strings for the
writers. Inputs kept from earlier findings (Tests/*/FuzzRegressions/TARGET/)
are added to the folder of the target that found them.
"""
import bz2
import gzip
import io
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAGIC = b"DTRC\r\n\x1a\n"
# Seeds larger than this slow every execution; libFuzzer is given the same cap.
MAX_SEED = 64 << 10


def write(folder: Path, name: str, data: bytes) -> None:
    if len(data) <= MAX_SEED:
        (folder / name).write_bytes(data)


def swift_literals(path: Path) -> list[bytes]:
    """JSON Lines text in a Swift test file: single-line raw literals that hold
    a JSON object (#"{...}"#), and multi-line literals mentioning "deptrace"."""
    text = path.read_text(encoding="utf-8")
    lines = [m.group(1) for m in re.finditer(r'#"(\{.*?\})"#', text)]
    blocks = []
    for m in re.finditer(r'"""\n(.*?)\n\s*"""', text, re.S):
        block = m.group(1)
        if "deptrace" not in block or "\\(" in block:
            continue
        body = "\n".join(line.strip() for line in block.splitlines())
        body = body.replace('\\"', '"').replace("\\\\", "\\")
        blocks.append((body + "\n").encode())
    seeds = blocks
    if lines:
        seeds.append(("\n".join(lines) + "\n").encode())
    return seeds


def single_traces(data: bytes, count: int) -> list[bytes]:
    """The first `count` traces of a binary file, each cut at the next magic."""
    starts = [m.start() for m in re.finditer(re.escape(MAGIC), data)]
    ends = starts[1:] + [len(data)]
    return [data[s:e] for s, e in list(zip(starts, ends))[:count]]


def jsonl_seeds(out: Path) -> None:
    for path in sorted((ROOT / "Traces").glob("*.dtrace.jsonl")) + sorted((ROOT / "Traces/conformance").glob("*.jsonl")):
        write(out, f"{path.parent.name}-{path.name}", path.read_bytes())
    for path in sorted((ROOT / "Tests").glob("*/*.swift")):
        for index, seed in enumerate(swift_literals(path)):
            write(out, f"test-{path.stem}-{index}.jsonl", seed)


def binary_seeds(out: Path) -> None:
    for path in sorted((ROOT / "Traces/conformance").glob("*.bin")):
        write(out, f"conformance-{path.name}", path.read_bytes())
    for path in sorted((ROOT / "Traces/simulated").glob("*.dtrace")):
        traces = single_traces(path.read_bytes(), 3)
        for index, trace in enumerate(traces):
            write(out, f"simulated-{path.stem}-{index}.dtrace", trace)
        write(out, f"simulated-{path.stem}-two.dtrace", b"".join(traces[:2]))


def archive_seeds(out: Path) -> None:
    small = [ROOT / "Traces" / name for name in ("lightthinker.dtrace.jsonl", "vanilla.dtrace.jsonl", "h2o-two-heads.dtrace.jsonl")]
    binary = single_traces((ROOT / "Traces/simulated/h2o.dtrace").read_bytes(), 1)[0]
    members = [(f"run/{p.name}", p.read_bytes()) for p in small] + [("run/h2o.dtrace", binary), ("run/notes.txt", b"not a trace\n"),
                                                                     ("__MACOSX/run/._vanilla.dtrace.jsonl", b"\x00\x05\x16\x07")]

    def tar(mode: str, fmt: int = tarfile.PAX_FORMAT) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode=mode, format=fmt) as archive:
            folder = tarfile.TarInfo("run")
            folder.type = tarfile.DIRTYPE
            archive.addfile(folder)
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return buffer.getvalue()

    plain = tar("w")
    write(out, "bundle.tar", plain)
    write(out, "bundle-gnu.tar", tar("w", tarfile.GNU_FORMAT))
    write(out, "bundle-v7.tar", tar("w", tarfile.USTAR_FORMAT))
    write(out, "bundle.tar.gz", gzip.compress(plain, mtime=0))
    write(out, "bundle.tar.bz2", bz2.compress(plain))
    write(out, "bundle.tar.xz", lzma.compress(plain))
    for method, name in ((zipfile.ZIP_DEFLATED, "deflate"), (zipfile.ZIP_STORED, "stored"), (zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "lzma")):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=method) as archive:
            for member, data in members:
                archive.writestr(zipfile.ZipInfo(member, date_time=(2025, 1, 1, 0, 0, 0)), data, compress_type=method)
        write(out, f"bundle-{name}.zip", buffer.getvalue())
    trace = small[0].read_bytes()
    write(out, "single.dtrace.jsonl.gz", gzip.compress(trace, mtime=0))
    write(out, "single.dtrace.jsonl.bz2", bz2.compress(trace))
    write(out, "single.dtrace.jsonl.xz", lzma.compress(trace))
    write(out, "single.dtrace.gz", gzip.compress(binary, mtime=0))
    zstd = shutil.which("zstd")
    if zstd:
        for name, data in (("bundle.tar.zst", plain), ("single.dtrace.jsonl.zst", trace)):
            write(out, name, subprocess.run([zstd, "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout)
    else:
        print("make_seeds: zstd not found; no zstd seeds", file=sys.stderr)


def writer_seeds(out: Path) -> None:
    # Fields in the order FuzzWriters reads them, separated by 0xFF: title, then
    # per trace method, model, dataset, sample, mark, meta key, meta value, claim key and value.
    seeds = {
        "plain": ["Dep per method", "lightthinker", "Qwen2.5-7B", "gsm8k", "17", "thought 1", "note", "x", "peak", "676"],
        "markup": ["<b>Title</b> & \"quotes\"", "<script>alert(1)</script>", "a<b", "]]>", "&amp;", "</text>", "<!--", "-->", "a&b", "'q'"],
        "latex": ["h2o_budget#1 & more", "50% {x} $y$", "\\textbf{x}", "~^", "a\\", "\\\\", "%comment", "&&", "#1", "}{"],
        "markdown": ["a|b", "*x*", "`code`", "_u_", "|", "\\|", "<u>x</u>", "a\nb", "a\r\nb", "a\rb"],
        "csv": ["a,b", "\"q\"", " leading", "trailing ", "a\nb", "\r", "\"", ",", "x,\"y\"", ""],
        "control": ["\x00", "\x01\x02\x1f", "\x7f", "\t", "\x0c", "\x0b", "\x1b[31mred", "a\x00b", "\x08", "\r\n"],
        "unicode": ["café ≥ 漢字", "\u2028\u2029", "\u0085", "\ufeffbom", "\ufffe\uffff", "e\u0301", "👩‍💻", "\U0010ffff", "\u202eevil", "ß"],
        "empty": ["", "", "", "", "", "", "", "", "", ""],
    }
    for name, fields in seeds.items():
        write(out, f"{name}.bin", b"\xff".join(field.encode("utf-8") for field in fields))
    write(out, "bad-utf8.bin", b"\xff".join([b"\xc3", b"\xed\xa0\x80", b"\xf5\x80", b"\x80abc", b"\xe2\x82", b"ok"]))


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: make_seeds.py OUT_DIR")
    out = Path(sys.argv[1])
    makers = {"FuzzJSONL": jsonl_seeds, "FuzzBinary": binary_seeds, "FuzzArchive": archive_seeds, "FuzzWriters": writer_seeds}
    for target, make in makers.items():
        folder = out / target
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        make(folder)
        for path in sorted(ROOT.glob(f"Tests/*/FuzzRegressions/{target}/*")):
            shutil.copy(path, folder / f"regression-{path.parent.parent.parent.name}-{path.name}")
        print(f"make_seeds: {target}: {len(list(folder.iterdir()))} seeds")


if __name__ == "__main__":
    main()
