"""deptrace_recorder.kvpress without kvpress: press descriptions, entry matching, and the recorder driven by
hand-written presses that act on the cache as kvpress presses do (forward hooks on the attention layers).

The description tests need nothing; the rest skip, with the reason shown, where torch or transformers are missing.
The same recorder under kvpress itself: test_kvpress_integration.py.
"""

import dataclasses
import io
import json
import subprocess

import pytest

from deptrace_recorder import TraceWriter
from deptrace_recorder.kvpress import (RecorderError, declared_compression_ratio, masked_slots, press_name,
                                       press_parameters)


# -- describing a press (no torch) ------------------------------------------------------------


@dataclasses.dataclass
class FakeScorer:
    compression_ratio: float = 0.25
    window: int = 4

    def __call__(self, model):  # a press is used as ``with press(model):``
        raise NotImplementedError


@dataclasses.dataclass
class FakeWrapper:
    press: FakeScorer
    alpha: float = 0.2
    buffer: dict = dataclasses.field(default_factory=dict, init=False)

    @property
    def compression_ratio(self):
        return self.press.compression_ratio

    def __call__(self, model):
        raise NotImplementedError


@dataclasses.dataclass
class FakeComposed:
    presses: list
    weights: object = None

    def __call__(self, model):
        raise NotImplementedError


@dataclasses.dataclass
class FakeUnrun:
    @property
    def compression_ratio(self):
        raise AssertionError("Forward pass must be run to compute the compression ratio")

    def __call__(self, model):
        raise NotImplementedError


def test_press_names_nest_the_presses_they_wrap():
    assert press_name(None) == "full"
    assert press_name(FakeScorer()) == "FakeScorer"
    assert press_name(FakeWrapper(FakeScorer())) == "FakeWrapper(FakeScorer)"
    assert press_name(FakeComposed([FakeScorer(), FakeWrapper(FakeScorer())])) == "FakeComposed(FakeScorer,FakeWrapper(FakeScorer))"


def test_press_parameters_are_the_constructor_arguments_as_json():
    composed = FakeComposed([FakeScorer(0.5, 8), FakeWrapper(FakeScorer())], weights=object())
    parameters = press_parameters(composed)
    assert parameters == {
        "name": "FakeComposed",
        "presses": [{"name": "FakeScorer", "compression_ratio": 0.5, "window": 8},
                    {"name": "FakeWrapper", "press": {"name": "FakeScorer", "compression_ratio": 0.25, "window": 4},
                     "alpha": 0.2}],
        "weights": "<object>",  # named, not dumped; init=False fields (buffers) are left out
    }
    json.dumps(parameters)


def test_declared_compression_ratio():
    assert declared_compression_ratio(None) is None
    assert declared_compression_ratio(FakeScorer(0.5)) == 0.5
    assert declared_compression_ratio(FakeWrapper(FakeScorer(0.3))) == 0.3
    assert declared_compression_ratio(FakeComposed([])) is None  # no such attribute
    assert declared_compression_ratio(FakeUnrun()) is None  # computed only after a run


def test_masked_slots_split_by_head():
    assert masked_slots(None, 2) == [[[], []]]
    assert masked_slots(([0, 0, 0], [1, 0, 1], [5, 2, 3]), 2) == [[[2], [5, 3]]]
    assert masked_slots(([1, 0], [0, 1], [4, 1]), 2, batch=2) == [[[], [1]], [[4], []]]
    with pytest.raises(RecorderError, match="batch row 1 of 1"):
        masked_slots(([1], [0], [0]), 2)
    with pytest.raises(RecorderError, match="KV head 2 of 2"):
        masked_slots(([0], [2], [0]), 2)


# -- matching entries (torch) ---------------------------------------------------------------


def _torch():
    return pytest.importorskip("torch", reason="torch is not installed: the entry matching compares tensors")


def test_match_entries_recovers_gather_indices_per_head():
    torch = _torch()
    from deptrace_recorder.kvpress import match_entries

    generator = torch.Generator().manual_seed(3)
    for dtype in (torch.float32, torch.float16, torch.bfloat16, torch.float64):
        keys = torch.randn(1, 3, 20, 8, generator=generator).to(dtype)
        values = torch.randn(1, 3, 20, 8, generator=generator).to(dtype)
        indices = torch.stack([torch.randperm(20, generator=generator)[:k] for k in (7, 7, 7)])[None]  # any order
        gather = indices[..., None].expand(-1, -1, -1, 8)
        rows, ambiguous = match_entries(keys, values, keys.gather(2, gather), values.gather(2, gather))
        assert rows == indices[0].tolist() and ambiguous == 0


def test_match_entries_follows_values_when_keys_are_rewritten():
    torch = _torch()
    from deptrace_recorder.kvpress import match_entries

    generator = torch.Generator().manual_seed(4)
    keys, values = torch.randn(1, 2, 12, 4, generator=generator), torch.randn(1, 2, 12, 4, generator=generator)
    kept = torch.tensor([[[0, 1, 7, 9, 11], [0, 2, 3, 10, 11]]])
    gather = kept[..., None].expand(-1, -1, -1, 4)
    rows, ambiguous = match_entries(keys, values, keys.gather(2, gather) * 2.0, values.gather(2, gather))
    assert rows == kept[0].tolist() and ambiguous == 0


@pytest.mark.parametrize("kept, expected, guessed", [
    ([0, 1, 2, 3, 9], [0, 1, 2, 3, 9], 0),  # only slot 2 fits between the matches of slots 1 and 3
    ([0, 1, 5, 6, 9], [0, 1, 5, 6, 9], 0),  # only slot 6 fits after slot 5
    ([0, 1, 6, 8, 9], [0, 1, 2, 8, 9], 1),  # 2 and 6 both fit between 1 and 8: the earliest, counted
    ([6, 0, 9], [2, 0, 9], 1),  # out of order: the earliest, counted
])
def test_equal_values_are_placed_between_their_neighbours(kept, expected, guessed):
    """The same token twice in the first layer: equal values. With keys rewritten, which copy survived is inferred."""
    torch = _torch()
    from deptrace_recorder.kvpress import match_entries

    generator = torch.Generator().manual_seed(5)
    keys, values = torch.randn(1, 1, 10, 4, generator=generator), torch.randn(1, 1, 10, 4, generator=generator)
    values[0, 0, 6] = values[0, 0, 2]  # slots 2 and 6 hold equal values
    indices = torch.tensor([[kept]])
    gather = indices[..., None].expand(-1, -1, -1, 4)
    rows, ambiguous = match_entries(keys, values, keys.gather(2, gather) + 1.0, values.gather(2, gather))
    assert rows == [expected] and ambiguous == guessed


def test_entries_the_press_did_not_get_are_refused():
    torch = _torch()
    from deptrace_recorder.kvpress import match_entries

    keys, values = torch.randn(1, 2, 6, 4), torch.randn(1, 2, 6, 4)
    merged_keys = keys[:, :, :3].clone()
    merged_values = values[:, :, :3].clone()
    merged_values[0, 1, 2] = (values[0, 1, 2] + values[0, 1, 3]) / 2  # a merging press
    with pytest.raises(RecorderError, match="KV head 1: 1 entries"):
        match_entries(keys, values, merged_keys, merged_values)
    with pytest.raises(RecorderError, match="one batch row"):
        match_entries(keys.expand(2, -1, -1, -1), values.expand(2, -1, -1, -1), keys, values)


# -- the recorder on a tiny model with hand-written presses (torch, transformers) -------------------


SMALL = dict(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, max_position_embeddings=512)
GENERATE = dict(do_sample=False, pad_token_id=0, eos_token_id=None)


def _model():
    torch = _torch()
    transformers = pytest.importorskip("transformers", reason="transformers is not installed")
    torch.manual_seed(0)
    return torch, transformers.LlamaForCausalLM(transformers.LlamaConfig(**SMALL)).eval()


class HandPress:
    """Acts as a kvpress press: forward hooks on every attention layer, after the layer's attention.

    After the prompt pass, each KV head keeps its `keep` highest-norm keys (gathered, freed) and, with `mask`,
    masks its lowest-norm kept key through ``masked_key_indices`` instead of freeing it.
    """

    def __init__(self, keep, mask=False):
        self.keep, self.mask = keep, mask
        self.kept = {}  # (layer, head) -> prompt slots kept
        self.masked = {}

    def hook(self, module, args, kwargs, output):
        if kwargs["hidden_states"].shape[1] == 1:
            return output
        layer = module.layer_idx
        cache = (kwargs.get("past_key_values") or kwargs.get("cache")).layers[layer]
        indices = cache.keys.norm(dim=-1).topk(self.keep, dim=-1).indices
        gather = indices[..., None].expand(-1, -1, -1, cache.keys.shape[-1])
        cache.keys, cache.values = cache.keys.gather(2, gather), cache.values.gather(2, gather)
        for head, row in enumerate(indices[0].tolist()):
            self.kept[(layer, head)] = sorted(row)
        if self.mask:
            import torch

            last = torch.full((cache.keys.shape[1],), self.keep - 1)  # topk order: the last slot has the lowest norm
            module.masked_key_indices = (torch.zeros_like(last), torch.arange(cache.keys.shape[1]), last)
            for head, row in enumerate(indices[0].tolist()):
                self.masked[(layer, head)] = row[-1]
        return output

    def attach(self, model):
        return [layer.self_attn.register_forward_hook(self.hook, with_kwargs=True) for layer in model.model.layers]


def _run(deptrace, args, path):
    result = subprocess.run([deptrace] + args + [str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("press_first", [True, False])
def test_hand_press_is_followed_whichever_hooks_come_first(deptrace, tmp_path, press_first):
    torch, model = _model()
    from deptrace_recorder.kvpress import PressRecorder

    p, keep, new = 10, 4, 5
    ids = torch.randint(1, SMALL["vocab_size"], (1, p), generator=torch.Generator().manual_seed(1))
    press = HandPress(keep, mask=True)
    path = tmp_path / "hand.dtrace.jsonl"
    with TraceWriter(path) as w:
        recorder = PressRecorder(w, model)
        recorder.prompt_length = p
        recorder.begin(method="hand", sample="0")
        handles = press.attach(model) if press_first else []
        with recorder:
            handles += [] if press_first else press.attach(model)
            out = model.generate(ids, max_new_tokens=new, **GENERATE)
        for handle in handles:
            handle.remove()
        for (layer, head), kept in press.kept.items():
            stream = layer * 2 + head
            assert sorted(i for i in recorder.resident_ids(stream) if i < p) == kept
            assert sorted(i for i in recorder.visible_ids(stream) if i < p) == sorted(set(kept) - {press.masked[(layer, head)]})
        recorder.finish(out)
    for module in model.model.layers:
        module.self_attn.masked_key_indices = None
    assert not any(m._forward_hooks for m in model.modules()) and not model._forward_pre_hooks
    header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert (header["layers"], header["heads"], header["kv_bytes_per_token"]) == (2, 2, 2 * 2 * 2 * 8 * 4)
    [metrics] = json.loads(_run(deptrace, ["stats", "--format", "json"], path))
    L = out.shape[-1] - p
    assert metrics["evicted_tokens"] == p - keep and metrics["hidden_tokens"] == 1
    assert metrics["resident_peak"] == p and metrics["peak"] == p  # the prompt pass holds and reads all p
    assert metrics["final_resident"] == keep + L and metrics["final_visible"] == keep - 1 + L
    assert metrics["dep"] == sum(keep - 1 + k for k in range(1, L + 1))


def test_a_cache_changed_between_passes_is_followed(tmp_path):
    """Between passes the caller cuts every layer back to its first slots (as kvpress's pipeline drops an answer)."""
    torch, model = _model()
    from transformers import DynamicCache

    from deptrace_recorder.kvpress import PressRecorder

    w = TraceWriter(io.BytesIO())
    recorder = PressRecorder(w, model)
    recorder.begin()
    cache = DynamicCache(config=model.config)
    with recorder:
        model(input_ids=torch.arange(1, 9)[None], past_key_values=cache)
        for layer in cache.layers:
            layer.keys, layer.values = layer.keys[:, :, :5], layer.values[:, :, :5]
        model(input_ids=torch.tensor([[3]]), past_key_values=cache)
    for stream in range(4):
        assert recorder.resident_ids(stream).ranges() == [(0, 5), (8, 9)]
    recorder.finish()


def test_a_press_that_merges_entries_is_refused():
    torch, model = _model()
    from deptrace_recorder.kvpress import PressRecorder

    def merge(module, args, kwargs, output):
        cache = (kwargs.get("past_key_values") or kwargs.get("cache")).layers[module.layer_idx]
        cache.keys, cache.values = cache.keys[:, :, :-1].clone(), cache.values[:, :, :-1].clone()
        cache.values[:, :, -1] = (cache.values[:, :, -1] + cache.values[:, :, -2]) / 2
        return output

    w = TraceWriter(io.BytesIO())
    recorder = PressRecorder(w, model)
    recorder.prompt_length = 6
    recorder.begin()
    handles = [layer.self_attn.register_forward_hook(merge, with_kwargs=True) for layer in model.model.layers]
    try:
        with recorder, pytest.raises(RecorderError, match="not entries it was given"):
            model.generate(torch.arange(1, 7)[None], max_new_tokens=2, **GENERATE)
    finally:
        for handle in handles:
            handle.remove()


def test_without_a_press_the_full_cache_has_the_same_streams(deptrace, tmp_path):
    torch, model = _model()
    from deptrace_recorder.kvpress import record_press

    p, new = 7, 6
    path = tmp_path / "full.dtrace.jsonl"
    with TraceWriter(path) as w:
        record_press(w, model, torch.arange(1, p + 1)[None], None, header={"sample": "0"}, max_new_tokens=new,
                     **GENERATE)
    lines = path.read_text(encoding="utf-8").splitlines()
    header, end = json.loads(lines[0]), json.loads(lines[-1])
    assert header["method"] == "full" and "press" not in header and (header["layers"], header["heads"]) == (2, 2)
    assert header["recorder"]["name"] == "deptrace_recorder.kvpress" and end == {"end": {}}
    [metrics] = json.loads(_run(deptrace, ["stats", "--format", "json"], path))
    assert metrics["streams"] == 4 and metrics["evicted_tokens"] == 0
    assert metrics["dep"] == p * new + new * (new + 1) // 2


def test_a_mask_beyond_the_cache_is_refused():
    torch, model = _model()
    from deptrace_recorder.kvpress import PressRecorder

    def mask(module, args, kwargs, output):
        module.masked_key_indices = (torch.tensor([0]), torch.tensor([1]), torch.tensor([99]))
        return output

    w = TraceWriter(io.BytesIO())
    recorder = PressRecorder(w, model)
    recorder.begin()
    handles = [layer.self_attn.register_forward_hook(mask, with_kwargs=True) for layer in model.model.layers]
    try:
        with recorder, pytest.raises(RecorderError, match="beyond the 5 the cache holds"):
            model(input_ids=torch.arange(1, 6)[None])
    finally:
        for handle in handles:
            handle.remove()
        for layer in model.model.layers:
            layer.self_attn.masked_key_indices = None
