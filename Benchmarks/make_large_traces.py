#!/usr/bin/env python3
"""Writes large seeded synthetic traces for measuring DepTrace (not test fixtures).

  window.dtrace.jsonl  one stream, 200,000 decode steps, StreamingLLM-style
                       window: 4 sink tokens + the most recent 4,092 tokens.
  h2o112.dtrace.jsonl  28 layers x 4 KV heads = 112 streams, 10,000 decode
                       steps appended to every stream, and every stream
                       evicting its own token at every step once past a
                       1,024-token budget (1.12 M per-stream evict records).

Usage: make_large_traces.py OUTDIR [--steps N] [--h2o-steps N]
"""
import argparse
import json
import os
import random


def window(path, steps, prompt=500, sinks=4, budget=4096):
    with open(path, "w") as out:
        out.write(json.dumps({"deptrace": 1, "method": "window", "model": "synthetic", "dataset": "synthetic",
                              "sample": "0", "budget": budget,
                              "meta": {"origin": "simulated by Benchmarks/make_large_traces.py, seed-free"}}) + "\n")
        out.write('{"step":"prefill","q":[0,%d]}\n' % prompt)
        oldest = sinks
        size = prompt
        for i in range(steps):
            token = prompt + i
            if size + 1 > budget:
                out.write('{"evict":[[%d,%d]]}\n' % (oldest, oldest + 1))
                oldest += 1
                size -= 1
            out.write('{"step":"decode","q":[%d,1]}\n' % token)
            size += 1
        out.write('{"end":{"correct":true}}\n')


def h2o(path, steps, layers=28, heads=4, prompt=1000, budget=1024, seed=1):
    rng = random.Random(seed)
    streams = layers * heads
    visible = [list(range(prompt)) for _ in range(streams)]
    with open(path, "w") as out:
        out.write(json.dumps({"deptrace": 1, "method": "h2o", "model": "Qwen2.5-7B", "dataset": "synthetic",
                              "sample": "0", "layers": layers, "heads": heads, "budget": budget,
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
            out.write('{"step":"decode","q":[%d,1]}\n' % token)
            for s in range(streams):
                visible[s].append(token)
        out.write('{"end":{"correct":true}}\n')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--h2o-steps", type=int, default=10_000)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    window(os.path.join(args.outdir, "window.dtrace.jsonl"), args.steps)
    h2o(os.path.join(args.outdir, "h2o112.dtrace.jsonl"), args.h2o_steps)


if __name__ == "__main__":
    main()
