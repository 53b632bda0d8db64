#!/usr/bin/env python3
"""Writes large seeded synthetic traces for measuring DepTrace (not test fixtures).

  window.dtrace.jsonl  one stream, 200,000 decode steps, StreamingLLM-style
                       window: 4 sink tokens + the most recent 4,092 tokens.
  h2o112.dtrace.jsonl  28 layers x 4 KV heads = 112 streams, 10,000 decode
                       steps appended to every stream, and every stream
                       evicting its own token at every step once past a
                       1,024-token budget (1.12 M per-stream evict records).

Usage: make_large_traces.py OUTDIR [--steps N] [--h2o-steps N]

The generators are also imported by Benchmarks/run.py, which adds a third
kind: a GSM8K-sized run of LightThinker-style single-stream traces
(write_lightthinker). Every function writes to an open text file, so several
traces can follow one another in one file.
"""
import argparse
import json
import math
import os
import random

VOCABULARY = 151_643  # Qwen2.5's regular vocabulary size: stand-in token ids for "tok"


def write_window(out, steps, prompt=500, sinks=4, budget=4096):
    """One StreamingLLM-style trace: attention sinks plus a sliding window. Returns the record count."""
    out.write(json.dumps({"deptrace": 1, "method": "window", "model": "synthetic", "dataset": "synthetic",
                          "sample": "0", "budget": budget,
                          "meta": {"origin": "simulated by Benchmarks/make_large_traces.py, seed-free"}}) + "\n")
    out.write('{"step":"prefill","q":[0,%d]}\n' % prompt)
    records = 2
    oldest = sinks
    size = prompt
    for i in range(steps):
        token = prompt + i
        if size + 1 > budget:
            out.write('{"evict":[[%d,%d]]}\n' % (oldest, oldest + 1))
            oldest += 1
            size -= 1
            records += 1
        out.write('{"step":"decode","q":[%d,1]}\n' % token)
        size += 1
        records += 1
    out.write('{"end":{"correct":true}}\n')
    return records


def write_h2o(out, steps, layers=28, heads=4, prompt=1000, budget=1024, seed=1, sample="0", dataset="synthetic"):
    """One H2O-style trace with layers x heads streams, each evicting its own token at every step once past
    `budget`. Returns the record count (lines after the header)."""
    rng = random.Random(seed)
    streams = layers * heads
    visible = [list(range(prompt)) for _ in range(streams)]
    records = 2
    out.write(json.dumps({"deptrace": 1, "method": "h2o", "model": "Qwen2.5-7B", "dataset": dataset,
                          "sample": sample, "layers": layers, "heads": heads, "budget": budget,
                          "kv_bytes_per_token": 57344,
                          "meta": {"origin": "simulated by Benchmarks/make_large_traces.py, seed %d" % seed}}) + "\n")
    out.write('{"step":"prefill","q":[0,%d]}\n' % prompt)
    for i in range(steps):
        token = prompt + i
        for s in range(streams):
            ids = visible[s]
            if len(ids) + 1 > budget:
                # Keep the 64 most recent; evict a random older one (a stand-in for the lowest score).
                j = rng.randrange(0, len(ids) - 64)
                victim = ids[j]
                ids[j] = ids[-65]
                del ids[-65]
                out.write('{"evict":[[%d,%d]],"s":%d}\n' % (victim, victim + 1, s))
                records += 1
        out.write('{"step":"decode","q":[%d,1]}\n' % token)
        records += 1
        for s in range(streams):
            visible[s].append(token)
    out.write('{"end":{"correct":true}}\n')
    return records


def write_lightthinker(out, rng, sample, prompt_range=(100, 300), output_range=(200, 2000),
                       thought_range=(15, 80), gist=2, dataset="gsm8k", origin=""):
    """One LightThinker-style (thought-level) single-stream trace, as a recorder with timing would write it.

    Prompt and output lengths are drawn from `prompt_range` (uniform) and `output_range` (log-uniform);
    the output is cut into thoughts of `thought_range` tokens. After every thought but the last, a
    compress step of `gist` + 1 tokens (the gist tokens plus the one extra token LightThinker keeps),
    an evict of the thought and a mark. Decode steps carry `t` (ns since start) and `tok`.
    Returns the record count (lines after the header).
    """
    prompt = rng.randint(*prompt_range)
    low, high = output_range
    output = int(math.exp(rng.uniform(math.log(low), math.log(high + 1))))
    output = min(max(output, low), high)
    header = {"deptrace": 1, "method": "lightthinker-thought", "model": "Qwen2.5-7B", "dataset": dataset,
              "sample": sample, "layers": 1, "heads": 1, "budget": None, "kv_bytes_per_token": 57344,
              "meta": {"origin": origin or "simulated by Benchmarks/make_large_traces.py",
                       "gist_tokens_per_compression": gist}}
    lines = [json.dumps(header, separators=(",", ":"))]
    t = 20_000_000 + prompt * 40_000 + rng.randrange(1_000_000)
    lines.append('{"step":"prefill","q":[0,%d],"t":%d}' % (prompt, t))
    token = prompt
    written = 0
    thoughts = 0
    while written < output:
        length = min(rng.randint(*thought_range), output - written)
        start = token
        for _ in range(length):
            t += 24_000_000 + rng.randrange(4_000_000)
            lines.append('{"step":"decode","q":[%d,1],"t":%d,"tok":[%d]}' % (token, t, rng.randrange(VOCABULARY)))
            token += 1
        written += length
        if written < output:
            thoughts += 1
            t += 30_000_000 + rng.randrange(4_000_000)
            lines.append('{"step":"compress","q":[%d,%d],"t":%d}' % (token, gist + 1, t))
            lines.append('{"evict":[[%d,%d]]}' % (start, token))
            lines.append('{"mark":"thought %d compressed"}' % thoughts)
            token += gist + 1
    lines.append('{"end":{"correct":%s}}' % ("true" if rng.random() < 0.6 else "false"))
    out.write("\n".join(lines))
    out.write("\n")
    return len(lines) - 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--h2o-steps", type=int, default=10_000)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    with open(os.path.join(args.outdir, "window.dtrace.jsonl"), "w") as out:
        write_window(out, args.steps)
    with open(os.path.join(args.outdir, "h2o112.dtrace.jsonl"), "w") as out:
        write_h2o(out, args.h2o_steps)


if __name__ == "__main__":
    main()
