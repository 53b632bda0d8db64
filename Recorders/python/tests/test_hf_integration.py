"""Integration: tiny randomly initialised decoders (no weights downloaded) run through generate with the hook.

Checked with the deptrace binary (`deptrace stats --format json`, `deptrace timeline`):
- full DynamicCache: Dep = P·L + L(L+1)/2 and peak = P + L exactly;
- sliding window (Mistral config, window W): no step attends to more than W
  tokens, and Dep is the window's closed form;
- a StreamingLLM-style sink cache: the sinks stay, the window holds;
- a kvpress-style per-head press after prefill: one stream per layer × KV head;
- recording does not change what generate produces.
Skipped, with the reason shown, where torch / transformers / the deptrace binary are missing.
"""

import json
import subprocess

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from deptrace_recorder import TraceWriter  # noqa: E402
from deptrace_recorder.hf import GenerationRecorder, record_generate  # noqa: E402

SMALL = dict(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, max_position_embeddings=512)
GENERATE = dict(do_sample=False, pad_token_id=0, eos_token_id=None)  # no EOS: exactly max_new_tokens tokens


def llama():
    torch.manual_seed(0)
    return transformers.LlamaForCausalLM(transformers.LlamaConfig(**SMALL)).eval()


def mistral(window):
    torch.manual_seed(0)
    return transformers.MistralForCausalLM(transformers.MistralConfig(sliding_window=window, **SMALL)).eval()


def prompt(length, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(1, SMALL["vocab_size"], (1, length), generator=generator)


def stats(deptrace, path):
    result = subprocess.run([deptrace, "stats", "--format", "json", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def timeline(deptrace, path, trace):
    result = subprocess.run([deptrace, "timeline", "--format", "json", "--trace", str(trace), str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def validate(deptrace, path):
    result = subprocess.run([deptrace, "validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "0 errors" in result.stdout, result.stdout + result.stderr


def test_versions_are_reported(tmp_path):
    print("torch %s, transformers %s" % (torch.__version__, transformers.__version__))
    path = tmp_path / "v.dtrace.jsonl"
    with TraceWriter(path) as w:
        record_generate(w, llama(), prompt(3), max_new_tokens=1, **GENERATE)
    header = json.loads(path.read_text(encoding="utf-8").split("\n")[0])
    assert header["recorder"]["transformers"] == transformers.__version__
    assert header["recorder"]["torch"] == torch.__version__


@pytest.mark.parametrize("p, new_tokens", [(7, 9), (1, 1), (12, 4)])
def test_full_cache_matches_the_closed_form(deptrace, tmp_path, p, new_tokens):
    model = llama()
    ids = prompt(p)
    path = tmp_path / "full.dtrace.jsonl"
    with TraceWriter(path) as w:
        out = record_generate(w, model, ids, header={"method": "vanilla", "sample": "0"},
                              claims={"correct": True}, max_new_tokens=new_tokens, **GENERATE)
    L = out.shape[-1] - p
    assert L == new_tokens
    validate(deptrace, path)
    [metrics] = stats(deptrace, path)
    assert metrics["dep"] == p * L + L * (L + 1) // 2
    assert metrics["peak"] == metrics["resident_peak"] == p + L
    assert (metrics["prompt_tokens"], metrics["output_tokens"], metrics["evicted_tokens"]) == (p, L, 0)
    assert metrics["self_ratio"] == 1.0 and metrics["complete"] is True and metrics["correct"] is True
    # The recorded vocabulary ids are the sequence generate returned.
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:-1]]
    assert [t for r in records for t in r["tok"]] == out[0].tolist()


def test_recording_does_not_change_generation():
    model = llama()
    ids = prompt(6)
    plain = model.generate(ids, max_new_tokens=8, **GENERATE)
    import io

    with TraceWriter(io.BytesIO()) as w:
        recorded = record_generate(w, model, ids, max_new_tokens=8, **GENERATE)
    assert torch.equal(plain, recorded)
    assert not model._forward_hooks and not model._forward_pre_hooks  # hooks removed


@pytest.mark.parametrize("p, window, new_tokens", [(5, 8, 20), (3, 4, 12)])
def test_sliding_window_never_exceeds_its_window(deptrace, tmp_path, p, window, new_tokens):
    model = mistral(window)
    path = tmp_path / "window.dtrace.jsonl"
    with TraceWriter(path) as w:
        out = record_generate(w, model, prompt(p), header={"method": "sliding-window", "budget": window},
                              max_new_tokens=new_tokens, **GENERATE)
    L = out.shape[-1] - p
    validate(deptrace, path)
    [metrics] = stats(deptrace, path)
    assert metrics["peak"] == metrics["resident_peak"] == window  # reached, never exceeded
    # Before output token k (1-based) the window holds min(P + k - 1, W - 1) tokens; the token itself makes W at most.
    assert metrics["dep"] == sum(min(p + k - 1, window - 1) + 1 for k in range(1, L + 1))
    assert metrics["evicted_tokens"] == p + L - window
    assert metrics["final_resident"] == window
    for row in timeline(deptrace, path, 0):
        assert row["visible_before"] + row["queries"] <= window


def test_prompt_longer_than_the_window(deptrace, tmp_path):
    """The prompt pass holds every prompt key at once (peak P); every decode step stays within the window."""
    p, window = 12, 6
    path = tmp_path / "long.dtrace.jsonl"
    with TraceWriter(path) as w:
        record_generate(w, mistral(window), prompt(p), max_new_tokens=5, **GENERATE)
    validate(deptrace, path)
    rows = timeline(deptrace, path, 0)
    assert rows[0]["phase"] == "prefill" and rows[0]["queries"] == p
    assert rows[0]["resident_after"] == window - 1
    assert all(row["visible_before"] + 1 <= window for row in rows[1:])
    [metrics] = stats(deptrace, path)
    assert metrics["peak"] == p


def test_sink_cache(deptrace, tmp_path):
    """A StreamingLLM-style cache written for this test: the first `sinks` tokens and the most recent ones."""
    from transformers.cache_utils import DynamicCache, DynamicLayer

    sinks, window = 2, 8

    class SinkLayer(DynamicLayer):
        def __init__(self):
            super().__init__()
            self.cumulative_length = 0

        def update(self, keys, values, *args, **kwargs):
            if not self.is_initialized:
                self.lazy_initialization(keys, values)
            self.cumulative_length += keys.shape[-2]
            all_keys = torch.cat([self.keys, keys], dim=-2)
            all_values = torch.cat([self.values, values], dim=-2)
            recent = window - 1 - sinks  # between passes: sinks + recent = window - 1
            if all_keys.shape[-2] > sinks + recent:
                self.keys = torch.cat([all_keys[:, :, :sinks], all_keys[:, :, -recent:]], dim=-2)
                self.values = torch.cat([all_values[:, :, :sinks], all_values[:, :, -recent:]], dim=-2)
            else:
                self.keys, self.values = all_keys, all_values
            return all_keys, all_values

        def get_seq_length(self):
            return self.cumulative_length

        def get_mask_sizes(self, query):  # query_length (transformers >= 5.3) or cache_position (earlier)
            query_length = query if isinstance(query, int) else int(query.shape[0])
            held = self.keys.shape[-2] if self.is_initialized and self.keys.dim() == 4 else 0
            return held + query_length, 0

    model = llama()
    cache = DynamicCache(config=model.config)
    cache.layers = [SinkLayer() for _ in range(model.config.num_hidden_layers)]
    path = tmp_path / "sink.dtrace.jsonl"
    with TraceWriter(path) as w:
        out = record_generate(w, model, prompt(6), header={"method": "streamingllm", "budget": window}, sinks=sinks,
                              past_key_values=cache, max_new_tokens=12, **GENERATE)
        kept = w.visible_ids()
    total = out.shape[-1]
    assert kept.ranges() == [(0, sinks), (total - (window - sinks), total)]
    validate(deptrace, path)
    [metrics] = stats(deptrace, path)
    assert metrics["peak"] == metrics["resident_peak"] == window


def test_per_head_press_after_prefill(deptrace, tmp_path):
    """A kvpress-style press: after the prompt pass each KV head keeps its `keep` highest-norm keys."""
    model = llama()
    p, keep = 10, 4
    ids = prompt(p)
    path = tmp_path / "press.dtrace.jsonl"
    kept_ids = {}

    def press(recorder):
        def hook(module, args, kwargs, output, layer=None):
            hidden = kwargs.get("hidden_states", args[0] if args else None)
            if hidden.shape[1] == 1:
                return  # decoding: the press acts on the prompt only
            cache = (kwargs.get("past_key_values") or kwargs.get("cache")).layers[layer]
            indices = cache.keys.norm(dim=-1).topk(keep, dim=-1).indices  # [1, heads, keep], by score
            gather = indices[..., None].expand(-1, -1, -1, cache.keys.shape[-1])
            cache.keys, cache.values = cache.keys.gather(2, gather), cache.values.gather(2, gather)
            for head, row in enumerate(indices[0].tolist()):
                kept_ids[(layer, head)] = sorted(row)
            if recorder is not None:
                recorder.prune(layer, indices)
        return [attention.self_attn.register_forward_hook(lambda *a, layer=i: hook(*a, layer=layer), with_kwargs=True)
                for i, attention in enumerate(model.model.layers)]

    handles = press(None)
    plain = model.generate(ids, max_new_tokens=6, **GENERATE)
    for handle in handles:
        handle.remove()

    with TraceWriter(path) as w:
        recorder = GenerationRecorder(w, model, per_head=True)
        recorder.prompt_length = p
        recorder.begin(method="keynorm-press", budget=keep)
        handles = press(recorder)
        with recorder:
            out = model.generate(ids, max_new_tokens=6, **GENERATE)
        for handle in handles:
            handle.remove()
        assert len(kept_ids) == 4
        for (layer, head), ids_kept in kept_ids.items():
            # The prompt ids each stream still holds are exactly the ones the press kept for that head.
            assert sorted(i for i in recorder.visible_ids(layer * 2 + head) if i < p) == ids_kept
        recorder.finish(out)
    assert torch.equal(plain, out)
    validate(deptrace, path)
    [metrics] = stats(deptrace, path)
    L = out.shape[-1] - p
    assert metrics["streams"] == 4
    assert metrics["evicted_tokens"] == p - keep
    # Every stream holds `keep` prompt tokens, then each output token: Dep = Σ_k (keep + k).
    assert metrics["dep"] == sum(keep + k for k in range(1, L + 1))
    assert metrics["peak"] == p and metrics["full_dep"] == p * L + L * (L + 1) // 2
