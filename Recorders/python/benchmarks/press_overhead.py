"""How much time PressRecorder adds to a kvpress prefill press, at 32 layers × 8 KV heads × 32,768 prompt tokens.

A model of that shape would take minutes per pass on a CPU, and the recorder never looks at the attention
itself: so the "model" here is a stand-in whose attention layers only append precomputed random keys and
values (head dim 16, float16) to a transformers DynamicCache, with kvpress's hooks and the recorder's on them
exactly as on a real model. It prints the press's own time (its forward hooks: scoring, top-k, gather) and
the recorder's (its hooks, and finish(): checksums, matching, the evict records) for the same pass.

    python benchmarks/press_overhead.py [--tokens 32768] [--layers 32] [--heads 8] [--press knorm|streamingllm]

Needs torch, transformers and kvpress (the kvpress environment of .ci/python-envs).
"""

import argparse
import io
import os
import sys
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
import kvpress  # noqa: E402
import logging  # noqa: E402

logging.getLogger("kvpress").setLevel(logging.ERROR)  # "model not tested": it is a stand-in
from transformers import DynamicCache, LlamaConfig  # noqa: E402

from deptrace_recorder import TraceWriter  # noqa: E402
from deptrace_recorder.kvpress import PressRecorder  # noqa: E402


class Attention(torch.nn.Module):
    def __init__(self, layer_idx, keys, values):
        super().__init__()
        self.layer_idx = layer_idx
        self.keys, self.values = keys, values
        self.head_dim = int(keys.shape[-1])

    def forward(self, hidden_states=None, past_key_values=None, cache_position=None, **kwargs):
        past_key_values.update(self.keys, self.values, self.layer_idx)
        return hidden_states, None


class Block(torch.nn.Module):
    def __init__(self, attention):
        super().__init__()
        self.self_attn = attention


class Inner(torch.nn.Module):
    def __init__(self, blocks):
        super().__init__()
        self.layers = torch.nn.ModuleList(blocks)
        self.rotary_emb = torch.nn.Identity()

    def forward(self, input_ids=None, past_key_values=None, **kwargs):
        n = int(input_ids.shape[1])
        hidden = torch.zeros(1, n, 1, dtype=torch.float16)
        position = torch.arange(n)
        for block in self.layers:
            block.self_attn(hidden_states=hidden, past_key_values=past_key_values, cache_position=position,
                            position_embeddings=None, attention_mask=None)
        return SimpleNamespace(past_key_values=past_key_values)


class StandIn(torch.nn.Module):
    def __init__(self, config, blocks):
        super().__init__()
        self.config = config
        self.model = Inner(blocks)
        self.dtype = torch.float16
        self.generation_config = SimpleNamespace(eos_token_id=None, num_beams=1)

    def forward(self, input_ids=None, past_key_values=None, **kwargs):
        out = self.model(input_ids=input_ids, past_key_values=past_key_values)
        return SimpleNamespace(past_key_values=out.past_key_values, logits=None)


def timed(function, into, key):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            into[key] = into.get(key, 0.0) + time.perf_counter() - start
    return wrapper


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=32768)
    parser.add_argument("--layers", type=int, default=32)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--head-dim", type=int, default=16)
    parser.add_argument("--press", choices=["knorm", "streamingllm"], default="knorm")
    parser.add_argument("--ratio", type=float, default=0.5)
    args = parser.parse_args()
    torch.manual_seed(0)
    config = LlamaConfig(num_hidden_layers=args.layers, num_attention_heads=args.heads,
                         num_key_value_heads=args.heads, hidden_size=args.heads * args.head_dim,
                         head_dim=args.head_dim, vocab_size=128, intermediate_size=16)
    shape = (1, args.heads, args.tokens, args.head_dim)
    blocks = [Block(Attention(i, torch.randn(shape, dtype=torch.float16), torch.randn(shape, dtype=torch.float16)))
              for i in range(args.layers)]
    model = StandIn(config, blocks).eval()
    ids = torch.zeros(1, args.tokens, dtype=torch.long)

    def make_press():
        if args.press == "knorm":
            return kvpress.KnormPress(compression_ratio=args.ratio)
        return kvpress.StreamingLLMPress(compression_ratio=args.ratio, n_sink=4)

    def run(record):
        press = make_press()
        times = {}
        press.forward_hook = timed(press.forward_hook, times, "press")
        out = io.BytesIO()
        cache = DynamicCache()
        start = time.perf_counter()
        with torch.no_grad(), TraceWriter(out, flush="trace") as writer:
            if record:
                recorder = PressRecorder(writer, model, press)
                for name in ("_before_forward", "_after_forward", "_after_attention"):
                    setattr(recorder, name, timed(getattr(recorder, name), times, "recorder"))
                recorder.begin(sample="0")
                with press(model), recorder:
                    model(input_ids=ids, past_key_values=cache)
                timed(recorder.finish, times, "recorder")()
            else:
                with press(model):
                    model(input_ids=ids, past_key_values=cache)
        times["total"] = time.perf_counter() - start
        times["bytes"] = len(out.getvalue())
        times["kept"] = int(cache.layers[0].keys.shape[-2])
        return times

    run(False)  # warm-up
    plain = run(False)
    recorded = run(True)
    print("press_overhead: %s(compression_ratio=%.2f), %d layers x %d KV heads x %d prompt tokens, head dim %d, "
          "float16, torch %s, kvpress %s, %d CPU threads" % (
              args.press, args.ratio, args.layers, args.heads, args.tokens, args.head_dim, torch.__version__,
              getattr(kvpress, "__version__", "?"), torch.get_num_threads()))
    print("  without the recorder: press %.3f s (pass %.3f s)" % (plain["press"], plain["total"]))
    print("  with the recorder:    press %.3f s, recorder %.3f s (pass %.3f s, trace %d bytes, %d of %d kept)" % (
        recorded["press"], recorded["recorder"], recorded["total"], recorded["bytes"], recorded["kept"], args.tokens))
    print("  recorder / press: %.1f%% (goal: at most 10%%)" % (100.0 * recorded["recorder"] / recorded["press"]))


if __name__ == "__main__":
    main()
