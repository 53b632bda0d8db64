"""Integration: what the recorder writes for padded, batched, speculative and embedding-fed generation, held
against the model's own cache and eager attention weights at every forward pass (tests/groundtruth.py).

Tiny randomly initialised Llama models, no weights downloaded. Each test here failed on the recorder before
it read attention masks, recorded batch rows and followed cache cut-backs (issue 23).
"""

import io
import json
import subprocess

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed")
transformers = pytest.importorskip("transformers", reason="transformers is not installed")

from deptrace_recorder import TraceWriter  # noqa: E402
from deptrace_recorder.hf import RecorderError, record_generate  # noqa: E402
from groundtruth import Truth, check_against_truth, replay  # noqa: E402

SMALL = dict(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, max_position_embeddings=512)
PAD = 0


def llama(seed=0, **extra):
    torch.manual_seed(seed)
    config = transformers.LlamaConfig(**SMALL, **extra)
    config._attn_implementation = "eager"  # attention weights for the ground truth
    model = transformers.LlamaForCausalLM(config).eval()
    model.generation_config.pad_token_id = PAD
    return model


def tokens(length, seed=1):
    return torch.randint(3, SMALL["vocab_size"], (1, length), generator=torch.Generator().manual_seed(seed))


def left_padded(rows):
    """Rows of token ids, left-padded as a tokenizer with padding=True does: (input_ids, attention_mask)."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), PAD, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, width - len(r):] = torch.tensor(r)
        mask[i, width - len(r):] = 1
    return ids, mask


def deptrace_json(deptrace, *args):
    result = subprocess.run([deptrace] + list(args), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def validate(deptrace, path):
    result = subprocess.run([deptrace, "validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "0 errors" in result.stdout, result.stdout + result.stderr


def test_left_padding_is_never_a_token(deptrace, tmp_path):
    """12 real tokens after 8 pads, 30 new tokens: Dep 825 and peak 42 (the old recorder: 1,065 and 50)."""
    model = llama()
    real = tokens(12)[0].tolist()
    ids, mask = left_padded([[PAD] * 0 + real])
    ids = torch.cat([torch.full((1, 8), PAD), ids], dim=1)
    mask = torch.cat([torch.zeros((1, 8), dtype=torch.long), mask], dim=1)
    path = tmp_path / "pad.dtrace.jsonl"
    with TraceWriter(path) as w, Truth(model) as truth:
        out = record_generate(w, model, ids, attention_mask=mask, max_new_tokens=30, do_sample=False,
                              eos_token_id=None, header={"method": "vanilla", "sample": "0"})
    validate(deptrace, path)
    [metrics] = deptrace_json(deptrace, "stats", "--format", "json", str(path))
    assert (metrics["prompt_tokens"], metrics["output_tokens"]) == (12, 30)
    assert metrics["dep"] == 12 * 30 + 30 * 31 // 2 == 825
    assert metrics["peak"] == metrics["resident_peak"] == 42
    [trace] = replay(path)
    check_against_truth(trace, truth, 0)
    assert trace.final_tokens() == real + out[0, 20:].tolist()


def test_a_batch_of_three_rows_one_stopping_early(deptrace, tmp_path):
    """Three prompts of 5, 9 and 7 tokens, left-padded; row 1 stops at its end-of-sequence token."""
    model = llama()
    prompts = [tokens(5, seed=2)[0].tolist(), tokens(9, seed=3)[0].tolist(), tokens(7, seed=4)[0].tolist()]
    ids, mask = left_padded(prompts)
    new = 12
    free = model.generate(ids, attention_mask=mask, max_new_tokens=new, do_sample=False, eos_token_id=None)
    width = ids.shape[1]
    # An end token for row 1 at its 4th output token, one no row produces earlier.
    eos = None
    for stop in range(3, new - 2):
        candidate = int(free[1, width + stop])
        earlier = [free[r, width:width + (stop + 1 if r != 1 else stop)].tolist() for r in range(3)]
        if all(candidate not in e for e in earlier) and candidate not in free[0, width:].tolist() + \
                free[2, width:].tolist():
            eos, stops_at = candidate, stop
            break
    assert eos is not None, "no suitable end token in this random model's output"

    path = tmp_path / "batch.dtrace.jsonl"
    with TraceWriter(path) as w, Truth(model) as truth:
        out = record_generate(w, model, ids, attention_mask=mask, max_new_tokens=new, do_sample=False,
                              eos_token_id=eos, samples=["a", "b", "c"], header={"method": "vanilla"})
    validate(deptrace, path)
    traces = replay(path)
    assert [t.header["sample"] for t in traces] == ["a", "b", "c"]
    metrics = deptrace_json(deptrace, "stats", "--format", "json", str(path))
    for row, (trace, prompt, m) in enumerate(zip(traces, prompts, metrics)):
        generated = out[row, width:].tolist()
        if row == 1:
            generated = generated[:stops_at + 1]
            assert generated[-1] == eos
        L, P = len(generated), len(prompt)
        assert (m["prompt_tokens"], m["output_tokens"]) == (P, L), row
        assert m["dep"] == P * L + L * (L + 1) // 2, row
        assert trace.final_tokens() == prompt + generated, row
        pairs, rest = check_against_truth(trace, truth, row)
        assert len(pairs) == (stops_at + 2 if row == 1 else new), row  # row 1: its end token is its last step
        assert len(rest) == (0 if row == 1 else 1), row  # the last token, never fed back


@pytest.mark.parametrize("how", ["assistant", "prompt-lookup"])
def test_speculative_decoding_records_candidates_and_frees_the_rejected(deptrace, tmp_path, how):
    model = llama()
    prompt = tokens(16, seed=5)
    prompt = torch.cat([prompt, prompt[:, :8]], dim=1)  # repetition: prompt lookup finds candidates
    options = dict(max_new_tokens=20, do_sample=False, eos_token_id=None, pad_token_id=PAD)
    if how == "assistant":
        options["assistant_model"] = llama(seed=7)
    else:
        options["prompt_lookup_num_tokens"] = 4
        options["eos_token_id"] = 1  # prompt lookup needs one (transformers fails on None); the prompt has none
    plain = model.generate(prompt, **dict(options, assistant_model=None, prompt_lookup_num_tokens=None))
    path = tmp_path / "spec.dtrace.jsonl"
    with TraceWriter(path) as w, Truth(model) as truth:
        out = record_generate(w, model, prompt, header={"method": how}, **options)
    assert torch.equal(out, plain)  # speculative decoding is exact under greedy decoding
    validate(deptrace, path)
    [trace] = replay(path)
    assert trace.final_tokens() == out[0].tolist()
    check_against_truth(trace, truth, 0)
    multi = [step for step in trace.steps if step.phase == "decode" and step.queries > 1]
    evicted = sum(1 for line in open(path) if '"evict"' in line)
    assert multi and evicted, "no candidate step or no rejected candidate: the test did not exercise rollback"


def test_inputs_embeds_keeps_the_last_token(deptrace, tmp_path):
    """24 prompt embeddings, 32 new tokens: Dep 1,296 (the old recorder: 1,240)."""
    model = llama()
    ids = tokens(24, seed=6)
    embeds = model.get_input_embeddings()(ids).detach()
    path = tmp_path / "embeds.dtrace.jsonl"
    with TraceWriter(path) as w, Truth(model) as truth:
        out = record_generate(w, model, None, inputs_embeds=embeds, max_new_tokens=32, do_sample=False,
                              eos_token_id=None, pad_token_id=PAD)
    assert out.shape[-1] == 32  # generate returns only the new tokens
    validate(deptrace, path)
    [metrics] = deptrace_json(deptrace, "stats", "--format", "json", str(path))
    assert (metrics["prompt_tokens"], metrics["output_tokens"]) == (24, 32)
    assert metrics["dep"] == 24 * 32 + 32 * 33 // 2 == 1296
    [trace] = replay(path)
    check_against_truth(trace, truth, 0)
    assert [t for step in trace.steps[1:] for t in step.tok] == out[0].tolist()


def test_num_return_sequences_records_each_sequence(deptrace, tmp_path):
    model = llama()
    ids = tokens(6, seed=8)
    path = tmp_path / "nrs.dtrace.jsonl"
    with TraceWriter(path) as w, Truth(model) as truth:
        out = record_generate(w, model, ids, samples=["q"], num_return_sequences=2, do_sample=True, top_k=0,
                              max_new_tokens=8, eos_token_id=None, pad_token_id=PAD)
    validate(deptrace, path)
    traces = replay(path)
    assert [t.header["sample"] for t in traces] == ["q/0", "q/1"]
    for row, trace in enumerate(traces):
        assert trace.final_tokens() == out[row].tolist()
        check_against_truth(trace, truth, row)


def _file_with_one_trace(path):
    with TraceWriter(path) as w:
        w.begin(method="earlier")
        w.prefill(3)
        w.end()
    return path.read_bytes()


@pytest.mark.parametrize("options, named", [
    (dict(num_beams=2), "num_beams=2"),
    (dict(num_beams=3, num_beam_groups=1), "num_beams=3"),
    (dict(cache_implementation="static"), "cache_implementation='static'"),
])
def test_refused_before_anything_is_written(tmp_path, options, named):
    model = llama()
    path = tmp_path / "refused.dtrace.jsonl"
    before = _file_with_one_trace(path)
    with open(path, "ab") as raw, TraceWriter(raw) as w:
        with pytest.raises(RecorderError, match=named.replace("(", r"\(").replace("=", "=")):
            record_generate(w, model, tokens(5), max_new_tokens=3, do_sample=False, eos_token_id=None, **options)
    assert path.read_bytes() == before


def test_a_refusal_during_generation_leaves_the_file_as_it_was(tmp_path):
    """Layers of different lengths (a sliding layer beside a full one) need per_layer=True: found after the
    first pass, when the trace was begun; it is not written."""
    torch.manual_seed(0)
    config = transformers.Qwen2Config(**SMALL, use_sliding_window=True, sliding_window=4,
                                      layer_types=["full_attention", "sliding_attention"])
    model = transformers.Qwen2ForCausalLM(config).eval()
    for encoding in ("jsonl", "binary"):
        out = io.BytesIO()
        with TraceWriter(out, encoding=encoding) as w:
            w.begin(method="earlier")
            w.prefill(2)
            w.end()
            w.flush()
            before = out.getvalue()
            with pytest.raises(RecorderError, match="per_layer=True"):
                record_generate(w, model, tokens(9), max_new_tokens=3, do_sample=False, eos_token_id=None,
                                pad_token_id=PAD)
            assert out.getvalue() == before and w.trace_index == 0
            record_generate(w, model, tokens(9), per_layer=True, max_new_tokens=3, do_sample=False,
                            eos_token_id=None, pad_token_id=PAD)  # recording goes on
            assert w.trace_index == 1
