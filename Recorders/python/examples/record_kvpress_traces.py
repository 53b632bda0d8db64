#!/usr/bin/env python3
"""Re-records Traces/kvpress/: kvpress presses and the full cache on a tiny random Llama, on CPU.

Run from the repository root, in an environment with kvpress 0.5.5 (see Recorders/python/run-kvpress-tests.sh):

    $KVPRESS_VENV/bin/python Recorders/python/examples/record_kvpress_traces.py

The model is built from a config and seeded (no weights, no tokenizer, nothing downloaded); prompts are seeded
random token ids, decoded greedily. One file per press, one trace per prompt, paired by ``sample``: compare
them with ``deptrace compare --baseline Traces/kvpress/full.dtrace.jsonl Traces/kvpress/snapkv.dtrace.jsonl ...``.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # deptrace_recorder from this checkout

import kvpress  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

from deptrace_recorder import TraceWriter  # noqa: E402
from deptrace_recorder.kvpress import record_press  # noqa: E402

CONFIG = dict(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, max_position_embeddings=512)
MODEL_SEED = 0

# file name -> the press (None: the full cache, the baseline)
PRESSES = {
    "full": lambda: None,
    "snapkv": lambda: kvpress.SnapKVPress(compression_ratio=0.5, window_size=8, kernel_size=3),
    "adakv-snapkv": lambda: kvpress.AdaKVPress(kvpress.SnapKVPress(compression_ratio=0.5, window_size=8,
                                                                   kernel_size=3)),
    "decoding-knorm": lambda: kvpress.DecodingPress(kvpress.KnormPress(), compression_interval=8, target_size=24,
                                                    hidden_states_buffer_size=0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="Traces/kvpress", help="output folder (default: Traces/kvpress)")
    parser.add_argument("--samples", type=int, default=4, help="prompts, seeded 1, 2, ... (default: 4)")
    parser.add_argument("--prompt", type=int, default=32, help="prompt tokens (default: 32)")
    parser.add_argument("--new", type=int, default=48, help="tokens generated (default: 48)")
    args = parser.parse_args()

    torch.manual_seed(MODEL_SEED)
    model = transformers.LlamaForCausalLM(transformers.LlamaConfig(**CONFIG)).eval()
    prompts = [torch.randint(1, CONFIG["vocab_size"], (1, args.prompt), generator=torch.Generator().manual_seed(seed))
               for seed in range(1, args.samples + 1)]
    generate = dict(do_sample=False, pad_token_id=0, eos_token_id=None, max_new_tokens=args.new)
    os.makedirs(args.out, exist_ok=True)
    for name, make in PRESSES.items():
        path = os.path.join(args.out, name + ".dtrace.jsonl")
        with TraceWriter(path, flush="trace") as writer:
            for sample, ids in enumerate(prompts):
                meta = {"origin": "recorded by Recorders/python/examples/record_kvpress_traces.py",
                        "config": CONFIG, "model_seed": MODEL_SEED, "prompt_seed": sample + 1}
                header = {"model": "tiny-random-llama", "dataset": "random-tokens", "sample": str(sample), "meta": meta}
                record_press(writer, model, ids, make(), header=header, **generate)
        print("%s: %d traces, %d bytes" % (path, len(prompts), os.path.getsize(path)))


if __name__ == "__main__":
    main()
