"""Record Hugging Face ``transformers`` generation as DepTrace traces.

Optional, and free of imports: it uses torch tensors and transformers caches
only through the objects a model hands it, so ``import deptrace_recorder.hf``
works without them; the rest of ``deptrace_recorder`` needs neither.

What it observes, at every forward pass of the model (a forward pre-hook and
a forward hook on the top-level model, so ``model.generate`` needs no change):

- the number of new query tokens (the length of ``input_ids`` or
  ``inputs_embeds``) and their vocabulary ids;
- after the pass, how many tokens each layer's KV cache holds (the shape of
  the layer's key tensor; ``get_seq_length()`` is not used for this, because
  a sliding-window layer reports every token it has seen there, not the ones
  it keeps).

What it infers:

- token ids are positions in the full sequence: the prompt is ids
  ``0..P-1``, each fed token the next id (one step per forward pass: the
  prompt pass is ``prefill``, later passes ``decode``);
- when a layer holds fewer tokens than were created, it kept the first
  ``sinks`` positions and the most recent ones: what a sliding-window cache
  (``sinks=0``, e.g. transformers' ``DynamicSlidingWindowLayer``, which keeps
  the last ``sliding_window - 1`` tokens between passes) and a
  StreamingLLM-style sink cache (``sinks=S``) keep. The recorder cannot see
  which positions a cache keeps, only how many: for any other policy, call
  `GenerationRecorder.prune` (per-head presses) or ``writer.visible`` yourself;
- ``generate`` never feeds its last token back through the model, yet the
  format (and Dep's closed form ``P·L + L(L+1)/2``) counts every output
  token as a query: `finish` records that token as a last decode step
  attending to the cache as the final pass left it.

Per-head eviction (kvpress-style presses, H2O, SnapKV, PyramidKV): make the
recorder with ``per_head=True`` (streams = layers × KV heads) and call
``recorder.prune(layer, indices)`` right after a press has gathered a
layer's cache with ``indices`` (``[heads, k]`` or ``[1, heads, k]``: for each
KV head, the cache slots it keeps, in their new order, as passed to
``torch.gather``). ``masked=True`` records presses that mask instead of
freeing (the cache keeps every slot, the rest is hidden).

Limits: batch size 1 (a trace is one sample); a dynamic cache (static,
preallocated caches are refused: their shape does not tell what they hold);
no beam search, assisted or speculative decoding (they roll the cache back).

Tested with transformers 5.23.0 and torch 2.15.0 (CPU); the layer-length
reader also knows the ``key_cache`` lists of transformers 4.3x-4.5x and
legacy tuple caches.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import __version__
from .intervals import IntervalSet
from .writer import TraceWriter

__all__ = ["GenerationRecorder", "RecorderError", "record_generate", "cache_layer_lengths", "kv_bytes_per_token"]


class RecorderError(RuntimeError):
    """The run cannot be recorded faithfully (batch > 1, a static cache, a cache the recorder did not follow)."""


# -- reading caches (no torch import needed: tensors are used through .shape) --------


def cache_layer_lengths(cache: Any) -> List[Optional[int]]:
    """How many tokens each layer of `cache` holds now; None for a layer that holds no keys of its own."""
    layers = getattr(cache, "layers", None)
    if layers is not None:  # transformers >= 4.54: Cache.layers
        lengths: List[Optional[int]] = []
        for layer in layers:
            if type(layer).__name__.startswith("Static"):
                raise RecorderError(
                    "%s preallocates its buffer, so its shape does not tell how many tokens it holds: "
                    "record with a dynamic cache (the default DynamicCache, with sliding layers from the config)"
                    % type(layer).__name__)
            lengths.append(_length(getattr(layer, "keys", None)))
        return lengths
    key_cache = getattr(cache, "key_cache", None)  # transformers 4.36 - 4.53
    if key_cache is not None:
        return [_length(keys) for keys in key_cache]
    if isinstance(cache, (tuple, list)):  # legacy: ((keys, values), ...)
        return [_length(layer[0]) if layer else None for layer in cache]
    raise RecorderError("cannot read the KV cache of type %s" % type(cache).__name__)


def cache_layer_heads(cache: Any) -> List[Optional[int]]:
    """KV heads of each layer's cache (dimension 1 of the key tensor)."""
    layers = getattr(cache, "layers", None)
    tensors = [getattr(layer, "keys", None) for layer in layers] if layers is not None else getattr(cache, "key_cache", None)
    if tensors is None and isinstance(cache, (tuple, list)):
        tensors = [layer[0] if layer else None for layer in cache]
    return [int(t.shape[1]) if t is not None and len(getattr(t, "shape", ())) == 4 else None for t in tensors or []]


def _length(keys: Any) -> Optional[int]:
    shape = getattr(keys, "shape", None)
    if shape is None:
        return None
    if len(shape) < 3:  # an empty placeholder before the first update
        return 0
    return int(shape[-2])


def _config_value(config: Any, *names: str) -> Any:
    for name in names:
        value = getattr(config, name, None)
        if value is not None:
            return value
    return None


def _text_config(model: Any) -> Any:
    config = model.config
    get_text_config = getattr(config, "get_text_config", None)
    return get_text_config() if callable(get_text_config) else config


def kv_bytes_per_token(model: Any) -> Optional[int]:
    """Bytes of K and V one token takes across all layers: 2 × layers × KV heads × head dim × element size."""
    config = _text_config(model)
    layers = _config_value(config, "num_hidden_layers", "n_layer", "num_layers")
    heads = _config_value(config, "num_attention_heads", "n_head")
    kv_heads = _config_value(config, "num_key_value_heads") or heads
    hidden = _config_value(config, "hidden_size", "n_embd", "d_model")
    head_dim = _config_value(config, "head_dim") or (hidden // heads if hidden and heads else None)
    dtype = getattr(model, "dtype", None)
    element = getattr(dtype, "itemsize", None)
    if not all(isinstance(v, int) for v in (layers, kv_heads, head_dim)) or not isinstance(element, int):
        return None
    return 2 * layers * kv_heads * head_dim * element


# -- following the cache: one list of id segments per stream, in cache order -------------


class _Slots:
    """The ids a stream's cache holds, in cache-slot order, as (start, end) segments, and the ids hidden among them."""

    __slots__ = ("segments", "count", "hidden")

    def __init__(self) -> None:
        self.segments: List[Tuple[int, int]] = []
        self.count = 0
        self.hidden = IntervalSet()

    def append(self, first: int, n: int) -> None:
        if self.segments and self.segments[-1][1] == first:
            self.segments[-1] = (self.segments[-1][0], first + n)
        else:
            self.segments.append((first, first + n))
        self.count += n

    def keep_sinks_and_recent(self, kept: int, sinks: int) -> None:
        """Keeps the first `sinks` slots and the last ``kept - sinks``."""
        head = min(sinks, kept)
        tail = kept - head
        new: List[Tuple[int, int]] = []
        remaining = head
        for start, end in self.segments:
            if remaining <= 0:
                break
            take = min(remaining, end - start)
            new.append((start, start + take))
            remaining -= take
        recent: List[Tuple[int, int]] = []
        remaining = tail
        for start, end in reversed(self.segments):
            if remaining <= 0:
                break
            take = min(remaining, end - start)
            recent.append((end - take, end))
            remaining -= take
        for segment in reversed(recent):
            if new and new[-1][1] == segment[0]:
                new[-1] = (new[-1][0], segment[1])
            else:
                new.append(segment)
        self.segments = new
        self.count = kept
        self.hidden = self.hidden & self.resident()

    def gather(self, indices: Sequence[int]) -> None:
        """The cache now holds the slots `indices` of the old one, in that order."""
        ids = [i for start, end in self.segments for i in range(start, end)]
        if len(set(indices)) != len(indices) or any(not 0 <= i < len(ids) for i in indices):
            raise RecorderError("prune indices must be distinct slots in [0, %d)" % len(ids))
        new: List[Tuple[int, int]] = []
        for index in indices:
            token = ids[index]
            if new and new[-1][1] == token:
                new[-1] = (new[-1][0], token + 1)
            else:
                new.append((token, token + 1))
        self.segments = new
        self.count = len(indices)
        self.hidden = self.hidden & self.resident()

    def slot_ids(self, indices: Sequence[int]) -> IntervalSet:
        ids = [i for start, end in self.segments for i in range(start, end)]
        if any(not 0 <= i < len(ids) for i in indices):
            raise RecorderError("prune indices must be slots in [0, %d)" % len(ids))
        return IntervalSet.from_ids(ids[i] for i in indices)

    def resident(self) -> IntervalSet:
        return IntervalSet(self.segments)

    def visible(self) -> IntervalSet:
        return self.resident() - self.hidden


class GenerationRecorder:
    """Follows a transformers model's KV cache through its forward passes and writes one trace.

    Use `record_generate` for the common case; or::

        recorder = GenerationRecorder(writer, model, sinks=4)
        recorder.begin(method="streamingllm", sample="17")
        with recorder:                       # installs the hooks, removes them on exit
            out = model.generate(input_ids, max_new_tokens=64)
        recorder.finish(out, correct=True)   # the last token's step, then end
    """

    def __init__(self, writer: TraceWriter, model: Any, *, sinks: int = 0, per_layer: bool = False,
                 per_head: bool = False, masked: bool = False, record_tokens: bool = True) -> None:
        if per_layer and per_head:
            raise ValueError("per_layer and per_head exclude each other (per_head already has a stream per layer)")
        self.writer = writer
        self.model = model
        self.sinks = sinks
        self.per_layer = per_layer
        self.per_head = per_head
        self.masked = masked
        self.record_tokens = record_tokens
        config = _text_config(model)
        self.layers = int(_config_value(config, "num_hidden_layers", "n_layer", "num_layers") or 1)
        heads = _config_value(config, "num_key_value_heads") or _config_value(config, "num_attention_heads", "n_head")
        self.kv_heads = int(heads or 1)
        self.prompt_length: Optional[int] = None
        self._slots: List[_Slots] = []
        self._created = 0
        self._handles: List[Any] = []
        self._began = False

    # -- the trace -----------------------------------------------------------------

    @property
    def stream_count(self) -> int:
        if self.per_head:
            return self.layers * self.kv_heads
        return self.layers if self.per_layer else 1

    def begin(self, **header: Any) -> None:
        """Starts the trace. Header keys not given are filled in: ``model``, ``layers`` and ``heads`` (the
        streams recorded), ``kv_bytes_per_token``, and ``recorder`` (this module's and the libraries' versions)."""
        defaults: Dict[str, Any] = {}
        config = self.model.config
        name = getattr(config, "_name_or_path", None) or getattr(config, "model_type", None)
        if name:
            defaults["model"] = str(name)
        defaults["layers"] = self.layers if (self.per_layer or self.per_head) else 1
        defaults["heads"] = self.kv_heads if self.per_head else 1
        size = kv_bytes_per_token(self.model)
        if size is not None:
            defaults["kv_bytes_per_token"] = size
        defaults["recorder"] = _versions(self.sinks)
        fields = dict(header)
        for key, value in defaults.items():
            fields.setdefault(key, value)
        self.writer.begin(**fields)
        if self.writer.streams != self.stream_count:
            raise RecorderError("the header declares %d streams, but this recorder follows %d"
                                % (self.writer.streams, self.stream_count))
        self._slots = [_Slots() for _ in range(self.stream_count)]
        self._created = 0
        self._began = True

    def finish(self, output: Any = None, **claims: Any) -> None:
        """Records the generated tokens never fed back (usually the last one) as decode steps, then ``end(**claims)``.

        `output` is what ``generate`` returned (a tensor, or an output object with ``sequences``); None skips that step.
        """
        if output is not None:
            sequences = getattr(output, "sequences", output)
            total = int(sequences.shape[-1])
            if total > self._created:
                row = sequences[0, self._created:].tolist() if self.record_tokens else None
                for offset in range(total - self._created):
                    self._step(1, None if row is None else [row[offset]], "decode")
        self.writer.end(**claims)

    # -- hooks -------------------------------------------------------------------------

    def __enter__(self) -> "GenerationRecorder":
        self.attach()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.detach()

    def attach(self) -> None:
        """Installs the forward hooks on the model (torch ≥ 2.0: hooks with keyword arguments)."""
        if not self._began:
            raise RecorderError("call begin() before attaching the recorder")
        if self._handles:
            return
        self._handles.append(self.model.register_forward_pre_hook(self._before_forward, with_kwargs=True))
        self._handles.append(self.model.register_forward_hook(self._after_forward, with_kwargs=True))

    def detach(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _before_forward(self, module: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        input_ids = kwargs.get("input_ids")
        if input_ids is None and args:
            input_ids = args[0]
        source = input_ids if input_ids is not None else kwargs.get("inputs_embeds")
        if source is None:
            raise RecorderError("the forward pass has neither input_ids nor inputs_embeds")
        if int(source.shape[0]) != 1:
            raise RecorderError("a trace is one sample: record generation with batch size 1 (got %d)" % int(source.shape[0]))
        n = int(source.shape[1])
        tokens = input_ids[0].tolist() if (self.record_tokens and input_ids is not None) else None
        self.on_step(n, tokens)

    def _after_forward(self, module: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any], output: Any) -> None:
        cache = getattr(output, "past_key_values", None)
        if cache is None:
            cache = kwargs.get("past_key_values")
        if cache is None:
            raise RecorderError("the model returned no KV cache: record with use_cache=True")
        self.on_cache(cache_layer_lengths(cache))

    # -- the logic, free of torch (tests drive it directly) ------------------------------------

    def on_step(self, n: int, tokens: Optional[List[int]] = None) -> None:
        """A forward pass over `n` new tokens starts."""
        if self.prompt_length is not None:
            phase = "prefill" if self._created < self.prompt_length else "decode"
        else:
            phase = "prefill" if self._created == 0 else "decode"
        self._step(n, tokens, phase)

    def _step(self, n: int, tokens: Optional[List[int]], phase: str) -> None:
        ids = self.writer.step(phase, n, tok=tokens)
        for slots in self._slots:
            slots.append(ids.start, n)
        self._created = ids.stop

    def on_cache(self, lengths: Sequence[Optional[int]]) -> None:
        """After a forward pass: each layer holds `lengths[layer]` tokens (None: no cache of its own)."""
        held = [(layer, length) for layer, length in enumerate(lengths) if length is not None]
        if not held:
            raise RecorderError("no layer of the cache holds keys")
        if self.per_head or self.per_layer:
            if len(lengths) != self.layers:
                raise RecorderError("the cache has %d layers, the config %d" % (len(lengths), self.layers))
            for layer, length in held:
                for stream in self._streams_of(layer):
                    self._follow(stream, length)
        else:
            distinct = {length for _, length in held}
            if len(distinct) != 1:
                raise RecorderError("the layers hold different numbers of tokens (%s): record with per_layer=True"
                                    % sorted(distinct))
            self._follow(0, distinct.pop())

    def _streams_of(self, layer: int) -> range:
        if self.per_head:
            return range(layer * self.kv_heads, (layer + 1) * self.kv_heads)
        return range(layer, layer + 1)

    def _follow(self, stream: int, length: int) -> None:
        slots = self._slots[stream]
        if length > slots.count:
            raise RecorderError(
                "stream %d: the cache holds %d tokens but only %d were created and kept: the recorder cannot follow "
                "this cache (it was filled before recording began, or it preallocates)" % (stream, length, slots.count))
        if length < slots.count:
            before = slots.resident()
            slots.keep_sinks_and_recent(length, self.sinks)
            self.writer.evict(before - slots.resident(), stream=None if self.stream_count == 1 else stream)

    # -- per-head presses -------------------------------------------------------------

    def prune(self, layer: int, indices: Any, masked: Optional[bool] = None) -> None:
        """A press kept, for each KV head of `layer`, the cache slots `indices` (``[heads, k]`` or ``[1, heads, k]``).

        Call it right after the press has gathered the layer's keys and values with these indices (or, with
        ``masked=True``, decided to mask all other slots while keeping them in memory).
        """
        if not self.per_head:
            raise RecorderError("prune() needs a recorder made with per_head=True")
        rows = indices.tolist() if hasattr(indices, "tolist") else [list(row) for row in indices]
        if len(rows) == 1 and rows and isinstance(rows[0], list) and rows[0] and isinstance(rows[0][0], list):
            rows = rows[0]  # [1, heads, k]
        if len(rows) != self.kv_heads:
            raise RecorderError("prune() needs one row of indices per KV head (%d), got %d" % (self.kv_heads, len(rows)))
        masked = self.masked if masked is None else masked
        for head, row in enumerate(rows):
            stream = layer * self.kv_heads + head
            slots = self._slots[stream]
            if masked:
                slots.hidden = slots.resident() - slots.slot_ids(row)
                self.writer.visible(slots.visible(), stream=stream, masked=True)
            else:
                before = slots.resident()
                slots.gather(row)
                dropped = before - slots.resident()
                if dropped:
                    self.writer.evict(dropped, stream=stream)


def record_generate(writer: TraceWriter, model: Any, input_ids: Any, *, header: Optional[Dict[str, Any]] = None,
                    claims: Optional[Dict[str, Any]] = None, sinks: int = 0, per_layer: bool = False,
                    record_tokens: bool = True, **generate_kwargs: Any) -> Any:
    """Runs ``model.generate(input_ids, **generate_kwargs)`` and writes its trace; returns what generate returned."""
    recorder = GenerationRecorder(writer, model, sinks=sinks, per_layer=per_layer, record_tokens=record_tokens)
    recorder.prompt_length = int(input_ids.shape[-1])
    recorder.begin(**(header or {}))
    with recorder:
        output = model.generate(input_ids, **generate_kwargs)
    recorder.finish(output, **(claims or {}))
    return output


def _versions(sinks: int) -> Dict[str, Any]:
    info: Dict[str, Any] = {"name": "deptrace_recorder.hf", "version": __version__}
    for library in ("transformers", "torch"):  # already imported by whoever made the model; never imported here
        module = sys.modules.get(library)
        if module is not None:
            info[library] = str(getattr(module, "__version__", "unknown"))
    if sinks:
        info["sinks"] = sinks
    return info
