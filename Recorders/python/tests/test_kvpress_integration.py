"""Integration: NVIDIA kvpress presses on a tiny randomly initialised Llama (no weights downloaded), on CPU.

Runs where kvpress is installed (kvpress 0.5.5 needs transformers < 5.3: `run-kvpress-tests.sh` makes such an
environment); skipped, with the reason shown, elsewhere.

At every forward pass an oracle that knows nothing of the recorder's matching follows the cache from what the
press itself exposes — the scores its scorer computes (a kept entry is one of the top scores, as
ScorerPress.compress takes them) and the attention modules' masked_key_indices — and checks that in the trace
each stream (layer × KV head) holds as many ids as the layer's cache tensors hold entries, and the same ids;
and that its visible ids are the resident ones minus those the press masks.
"""

import json
import subprocess
from importlib import metadata

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed")
transformers = pytest.importorskip("transformers", reason="transformers is not installed")
kvpress = pytest.importorskip(
    "kvpress", reason="kvpress is not installed: run Recorders/python/run-kvpress-tests.sh (kvpress 0.5.5 needs "
                      "transformers<5.3, so it lives in its own virtualenv)")

from deptrace_recorder import TraceWriter  # noqa: E402
from deptrace_recorder.kvpress import PressRecorder, record_press  # noqa: E402

CONFIG = dict(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, max_position_embeddings=512)
LAYERS, HEADS, HEAD_DIM = 2, 2, 16
PROMPT, NEW = 40, 10
GENERATE = dict(do_sample=False, pad_token_id=0, eos_token_id=None, max_new_tokens=NEW)


def llama():
    torch.manual_seed(0)
    return transformers.LlamaForCausalLM(transformers.LlamaConfig(**CONFIG)).eval()


def prompt(distinct=False):
    generator = torch.Generator().manual_seed(1)
    if distinct:  # no token twice: equal first-layer values would make KeyRerotationPress's ids a guess
        return (torch.randperm(CONFIG["vocab_size"] - 1, generator=generator)[:PROMPT] + 1)[None]
    return torch.randint(1, CONFIG["vocab_size"], (1, PROMPT), generator=generator)


def snapkv(ratio=0.5):
    return kvpress.SnapKVPress(compression_ratio=ratio, window_size=8, kernel_size=3)


PRESSES = {
    "streamingllm": lambda: kvpress.StreamingLLMPress(compression_ratio=0.5, n_sink=4),
    "knorm": lambda: kvpress.KnormPress(compression_ratio=0.5),
    "snapkv": snapkv,
    "adakv-snapkv": lambda: kvpress.AdaKVPress(snapkv()),
    "adakv-knorm": lambda: kvpress.AdaKVPress(kvpress.KnormPress(compression_ratio=0.6)),
    "decoding-knorm": lambda: kvpress.DecodingPress(kvpress.KnormPress(), compression_interval=3, target_size=24,
                                                    hidden_states_buffer_size=0),
    "snapkv-then-decoding": lambda: kvpress.PrefillDecodingPress(
        snapkv(), kvpress.DecodingPress(kvpress.KnormPress(), compression_interval=4, target_size=16,
                                        hidden_states_buffer_size=0)),
    "dms-decoding": lambda: kvpress.DMSPress(kvpress.KnormPress(), threshold=-0.65, sliding_window_size=8,
                                             decoding=True),
    "rerotated-streamingllm": lambda: kvpress.KeyRerotationPress(kvpress.StreamingLLMPress(compression_ratio=0.5)),
}


def scorers(press):
    """Every ScorerPress inside `press` (the press itself, the ones it wraps)."""
    found = []
    if isinstance(press, kvpress.ScorerPress):
        found.append(press)
    for name in ("press", "base_press", "prefilling_press", "decoding_press"):
        inner = getattr(press, name, None)
        if inner is not None:
            found += scorers(inner)
    return found


class Oracle:
    """Follows each layer's cache from the press's own scores and masks; checks the trace after every pass."""

    def __init__(self, model, press, recorder):
        self.model, self.writer = model, recorder
        self.attention = [layer.self_attn for layer in model.model.layers]
        self.ids = {(layer, head): [] for layer in range(LAYERS) for head in range(HEADS)}
        self.scores = {}
        self.created = 0
        self.passes = self.pruned = self.masked_passes = 0
        for scorer in scorers(press):
            scorer.score = self._capture(scorer.score)

    def _capture(self, score):
        def wrapper(module, *args, **kwargs):
            scores = score(module, *args, **kwargs)
            self.scores[module.layer_idx] = scores.detach().clone()  # AdaKV scatters into them afterwards
            return scores
        return wrapper

    def attach(self):
        return [self.model.register_forward_pre_hook(self.before, with_kwargs=True),
                self.model.register_forward_hook(self.after, with_kwargs=True)]

    def before(self, module, args, kwargs):
        n = int(kwargs["input_ids"].shape[1])
        for ids in self.ids.values():
            ids.extend(range(self.created, self.created + n))
        self.created += n

    def after(self, module, args, kwargs, output):
        self.passes += 1
        cache = output.past_key_values
        for layer in range(LAYERS):
            held = int(cache.layers[layer].keys.shape[-2])
            scores = self.scores.pop(layer, None)
            if held < len(self.ids[(layer, 0)]):
                assert scores is not None and int(scores.shape[-1]) == len(self.ids[(layer, 0)])
                kept = scores[0].topk(held, dim=-1).indices.tolist()  # what ScorerPress.compress gathers
                for head in range(HEADS):
                    self.ids[(layer, head)] = [self.ids[(layer, head)][i] for i in kept[head]]
                self.pruned += 1
            masked = getattr(self.attention[layer], "masked_key_indices", None)
            hidden = {head: set() for head in range(HEADS)}
            if masked is not None:
                self.masked_passes += 1
                for _, head, slot in zip(*(t.tolist() for t in masked)):
                    hidden[head].add(self.ids[(layer, head)][slot])
            for head in range(HEADS):
                stream = layer * HEADS + head
                resident = self.writer.resident_ids(stream)
                assert len(resident) == held == len(self.ids[(layer, head)]), (layer, head)
                assert list(resident) == sorted(self.ids[(layer, head)]), (layer, head)
                assert list(self.writer.visible_ids(stream)) == sorted(set(self.ids[(layer, head)]) - hidden[head])


def deptrace_json(deptrace, *args):
    result = subprocess.run([deptrace] + list(args), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def record(press_name, path, ids, with_oracle=True):
    model = llama()
    press = PRESSES[press_name]()
    with TraceWriter(path) as w:
        recorder = PressRecorder(w, model, press)  # as in the README's example
        recorder.begin(sample="0", dataset="random")
        oracle = Oracle(model, press, recorder)
        with press(model), recorder:
            handles = oracle.attach() if with_oracle else []  # after the recorder's: they run after it
            out = model.generate(ids, **GENERATE)
        for handle in handles:
            handle.remove()
        recorder.finish(out)
    return model, press, out, oracle, recorder


def test_versions(capsys):
    with capsys.disabled():
        print("\nkvpress %s, transformers %s, torch %s" % (
            metadata.version("kvpress"), transformers.__version__, torch.__version__))


@pytest.mark.parametrize("name", sorted(PRESSES))
def test_every_pass_matches_the_cache(deptrace, tmp_path, name):
    ids = prompt(distinct=name.startswith("rerotated"))
    path = tmp_path / (name + ".dtrace.jsonl")
    model, press, out, oracle, recorder = record(name, path, ids)
    assert oracle.passes == NEW  # generate feeds back all but the last token
    assert recorder.ambiguous == 0

    # Recording changes nothing: the same press without the recorder generates the same tokens.
    plain_model, plain_press = llama(), PRESSES[name]()
    with plain_press(plain_model):
        assert torch.equal(plain_model.generate(ids, **GENERATE), out)

    lines = path.read_text(encoding="utf-8").splitlines()
    header, end = json.loads(lines[0]), json.loads(lines[-1])["end"]
    assert (header["layers"], header["heads"]) == (LAYERS, HEADS)
    assert header["kv_bytes_per_token"] == 2 * LAYERS * HEADS * HEAD_DIM * 4  # K and V, float32
    assert header["press"]["name"] == type(press).__name__
    assert header["recorder"]["kvpress"] == metadata.version("kvpress")
    ratio = getattr(press, "compression_ratio", None) if not isinstance(press, kvpress.DecodingPress) else None
    assert end.get("compression_ratio") == (float(ratio) if isinstance(ratio, (int, float)) else None)

    result = subprocess.run([deptrace, "validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "0 errors" in result.stdout, result.stdout + result.stderr
    [metrics] = deptrace_json(deptrace, "stats", "--format", "json", str(path))
    assert metrics["streams"] == LAYERS * HEADS
    final = [len(oracle.ids[(layer, head)]) for layer in range(LAYERS) for head in range(HEADS)]
    assert metrics["final_resident"] == sum(final) / len(final) + 1  # + the last token, never fed back


def test_pruning_presses_free_what_they_drop(deptrace, tmp_path):
    for name, kept in (("streamingllm", 20), ("knorm", 20), ("snapkv", 20)):
        path = tmp_path / (name + ".dtrace.jsonl")
        record(name, path, prompt(), with_oracle=False)
        [metrics] = deptrace_json(deptrace, "stats", "--format", "json", str(path))
        assert metrics["evicted_tokens"] == PROMPT - kept and metrics["hidden_tokens"] == 0
        assert metrics["peak"] == metrics["resident_peak"] == PROMPT  # the prompt pass reads every prompt token
        assert metrics["dep"] == sum(kept + k for k in range(1, NEW + 1))


def test_streamingllm_keeps_the_sinks_and_the_most_recent_prompt_tokens(tmp_path):
    _, _, _, oracle, _ = record("streamingllm", tmp_path / "s.dtrace.jsonl", prompt())
    for ids in oracle.ids.values():  # the oracle checked these are the trace's ids
        assert sorted(ids) == list(range(4)) + list(range(PROMPT - 16, PROMPT + NEW - 1))


def test_adakv_holds_more_than_attention_reads(deptrace, tmp_path):
    """kvpress issue #7: head-wise presses mask keys and do not reduce peak memory."""
    for name in ("adakv-snapkv", "adakv-knorm"):
        path = tmp_path / (name + ".dtrace.jsonl")
        _, press, _, oracle, _ = record(name, path, prompt())
        assert oracle.pruned == 0 and oracle.masked_passes > 0
        [metrics] = deptrace_json(deptrace, "stats", "--format", "json", str(path))
        assert metrics["evicted_tokens"] == 0 and metrics["hidden_tokens"] > 0
        assert metrics["resident_peak"] == PROMPT + NEW  # everything stays in memory
        assert metrics["resident_peak"] > metrics["peak"]
        assert metrics["resident_peak_kv"] > metrics["peak_kv"]
        # AdaKV masks n_pruned = heads × (P − kept) entries per layer, spread over the heads unevenly.
        kept = int(PROMPT * (1 - press.compression_ratio))
        assert metrics["hidden_tokens"] == PROMPT - kept
        assert metrics["dep_min"] < metrics["dep_max"]


def test_decoding_presses_act_during_generation(deptrace, tmp_path):
    for name in ("decoding-knorm", "snapkv-then-decoding", "dms-decoding"):
        path = tmp_path / (name + ".dtrace.jsonl")
        record(name, path, prompt())
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:-1]]
        first_decode = next(i for i, r in enumerate(records) if r.get("step") == "decode")
        kinds = {key for r in records[first_decode:] for key in r if key in ("evict", "hide")}
        assert kinds == ({"hide"} if name.startswith("dms") else {"evict"}), name
    rows = subprocess.run([deptrace, "timeline", "--format", "json", str(tmp_path / "decoding-knorm.dtrace.jsonl")],
                          capture_output=True, text=True)
    steps = json.loads(rows.stdout)
    # DecodingPress(target 24, every 3 steps): the cache grows from 24 to 27, then back to 24.
    assert max(row["resident_after"] for row in steps[4:]) <= 27
    assert min(row["resident_after"] for row in steps[3:]) == 24


# -- kvpress's pipeline, CAMPress (issue 23) ----------------------------------------------------------


def word_tokenizer():
    """A word-level tokenizer made in code (no download): "w3" is token 3; <s> 1, </s> 2, <unk> 0."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    vocab.update({"w%d" % i: i for i in range(3, CONFIG["vocab_size"])})
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    return transformers.PreTrainedTokenizerFast(tokenizer_object=core, bos_token="<s>", eos_token="</s>",
                                                unk_token="<unk>")


def eager_llama():
    torch.manual_seed(0)
    config = transformers.LlamaConfig(**CONFIG)
    config._attn_implementation = "eager"
    model = transformers.LlamaForCausalLM(config).eval()
    model.generation_config.eos_token_id = 2
    return model


def test_pipeline_with_two_questions(deptrace, tmp_path):
    """Context as the prefill, each question a prompt step, every answer token a decode step, the answer and
    question removed from the cache between questions: checked against the cache and attention weights."""
    from groundtruth import Truth, check_against_truth, replay

    model, tokenizer = eager_llama(), word_tokenizer()
    pipe = transformers.pipeline("kv-press-text-generation", model=model, tokenizer=tokenizer, device="cpu")
    context = " ".join("w%d" % (3 + (7 * i) % 120) for i in range(PROMPT - 1))  # 39 words + <s>: 40 tokens
    questions = ["w5 w9 w11 w20 w30", "w40 w41 w42"]
    press = kvpress.KnormPress(compression_ratio=0.5)
    plain = pipe(context, questions=questions, press=PRESSES["knorm"](), max_new_tokens=6)["answers"]

    path = tmp_path / "pipeline.dtrace.jsonl"
    with TraceWriter(path) as w:
        recorder = PressRecorder(w, model, press)
        recorder.begin(sample="0")
        with recorder, Truth(model) as truth:  # the truth of every pass through the outer model
            answers = pipe(context, questions=questions, press=press, max_new_tokens=6)["answers"]
        recorder.finish()
    assert answers == plain  # recording changes nothing
    validate_out = subprocess.run([deptrace, "validate", str(path)], capture_output=True, text=True)
    assert validate_out.returncode == 0 and "0 errors" in validate_out.stdout, validate_out.stdout

    [trace] = replay(path)
    phases = [(step.phase, step.queries) for step in trace.steps]
    q1, q2 = (len(tokenizer.encode(q + "\n", add_special_tokens=False)) for q in questions)
    assert phases[0] == ("prefill", PROMPT)  # the context
    assert phases[1] == ("prefill", q1)  # the first question: prompt tokens
    second = phases.index(("prefill", q2), 2)
    answer1 = [step.tok[0] for step in trace.steps[2:second]]
    answer2 = [step.tok[0] for step in trace.steps[second + 1:]]
    assert all(p == ("decode", 1) for p in phases[2:second] + phases[second + 1:])
    for answer, text in zip((answer1, answer2), answers):  # every answer token, the last one too
        assert tokenizer.decode(answer, skip_special_tokens=True) == text
        assert len(answer) == 6 or answer[-1] == 2
    # Between the questions the pipeline cut the cache back to the compressed context: the question and
    # the answer are evicted, so the second question reads the 20 context tokens the press kept.
    kept = int(PROMPT * 0.5)
    assert all(len(v) == kept for v in trace.steps[second].visible_before)
    assert all(len(r) == kept for r in trace.resident)  # after the last answer, removed too
    # Every pass through the outer model (questions and answer tokens): the trace against the model.
    steps = trace.steps[1:]
    skipped = 0
    for current in truth.passes:
        real = sum(current["masks"][0])
        step = steps.pop(0)
        while not (step.queries == real and (step.phase == "prefill") == (real > 1)):
            step = steps.pop(0)  # the last answer token of a question: a step without a pass
            skipped += 1
        for layer, per_row in current["attended"].items():
            for head, attended in enumerate(per_row[0]):
                stream = layer * HEADS + head // 2
                assert len(step.visible_before[stream]) + step.queries == attended
            for stream in range(layer * HEADS, (layer + 1) * HEADS):
                assert len(step.resident_before[stream]) == current["cache_before"][layer]
    assert skipped == 1 and len(steps) == 1  # the last token of each answer


def test_campress_is_refused_naming_it_and_leaves_the_file_as_it_was(tmp_path):
    """CAMPress merges evicted values into kept ones in place: the kept entries' checksums change."""
    from deptrace_recorder.hf import RecorderError

    model = llama()
    press = kvpress.CAMPress(base_press=kvpress.KnormPress(), compression_interval=3, target_size=24,
                             hidden_states_buffer_size=0, merge_budget=4)
    path = tmp_path / "cam.dtrace.jsonl"
    with TraceWriter(path) as w:
        w.begin(method="earlier")
        w.prefill(1)
        w.end()
        w.flush()
        before = path.read_bytes()
        recorder = PressRecorder(w, model, press)
        recorder.begin(sample="0")
        with pytest.raises(RecorderError, match="CAMPress"):
            with press(model), recorder:
                model.generate(prompt(), **GENERATE)
        assert path.read_bytes() == before
    assert path.read_bytes() == before


def test_batches_one_trace_per_row_and_padding_refused_after_a_press(deptrace, tmp_path):
    """A batch of two under StreamingLLM: each row's streams hold its sinks and most recent tokens, checked
    against the model's attention; a padded batch under a press is refused (kvpress keeps the attention mask
    at full length, so after compression it masks kept tokens), leaving the file as it was; a padded batch
    without a press is recorded, padding never a token."""
    from deptrace_recorder.hf import RecorderError
    from groundtruth import Truth, check_against_truth, replay

    model = eager_llama()
    ids = torch.randint(3, CONFIG["vocab_size"], (2, PROMPT), generator=torch.Generator().manual_seed(1))
    options = dict(max_new_tokens=5, do_sample=False, eos_token_id=None, pad_token_id=0)
    path = tmp_path / "batch.dtrace.jsonl"
    with TraceWriter(path) as w, Truth(model) as truth:
        record_press(w, model, ids, kvpress.StreamingLLMPress(compression_ratio=0.5, n_sink=4),
                     samples=["a", "b"], **options)
    traces = replay(path)
    assert [t.header["sample"] for t in traces] == ["a", "b"]
    for row, trace in enumerate(traces):
        assert all(sorted(r) == list(range(4)) + list(range(24, PROMPT + 5)) for r in trace.resident)
        check_against_truth(trace, truth, row, streams_per_layer=HEADS, kv_groups=2)

    mask = torch.ones_like(ids)
    mask[1, :8] = 0
    before = path.read_bytes()
    with open(path, "ab") as raw, TraceWriter(raw) as w:
        with pytest.raises(RecorderError, match="padded batch"):
            record_press(w, model, ids, kvpress.StreamingLLMPress(compression_ratio=0.5, n_sink=4),
                         attention_mask=mask, **options)
    assert path.read_bytes() == before

    padded = tmp_path / "padded.dtrace.jsonl"
    with TraceWriter(padded) as w, Truth(model) as truth:
        record_press(w, model, ids, None, attention_mask=mask, **options)
    subprocess.run([deptrace, "validate", str(padded)], check=True, capture_output=True)
    traces = replay(padded)
    for row, trace in enumerate(traces):
        assert trace.steps[0].queries == PROMPT - 8 * row
        check_against_truth(trace, truth, row, streams_per_layer=HEADS, kv_groups=2)
