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

- token ids count a row's tokens: its real prompt tokens are ids ``0..P-1``
  (padding gets none), each fed token the next id, rejected speculative
  candidates included (one step per forward pass: the prompt pass is
  ``prefill``, later passes ``decode``; a pass that holds the end of the
  prompt and the first candidates is split in two);
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

Batches: one trace per row, each with its own id space; padding (a 2-D
``attention_mask``) is never a token; a batch row ends at its end-of-sequence
token. Speculative decoding (assisted, prompt lookup): candidate passes are
multi-query decode steps, and the candidates generate rejects (it crops the
cache) are evicted. Nothing is written before `GenerationRecorder.finish`, so
a refused run leaves the file as it was. Refused: beam search, contrastive
search, static (preallocated) caches: their shape does not tell what they hold.

Tested with transformers 5.2.0 and 5.25.0, torch 2.13.0 (CPU); the layer-length
reader also knows the ``key_cache`` lists of transformers 4.3x-4.5x and
legacy tuple caches.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import __version__
from .intervals import IntervalSet
from .writer import TraceWriter

__all__ = ["GenerationRecorder", "RecorderError", "record_generate", "check_generate_kwargs", "cache_layer_lengths",
           "kv_bytes_per_token"]


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


def _torch() -> Any:
    import torch

    return torch


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "dtype")


class _Slots:
    """The ids a stream's cache holds, in cache-slot order, as (start, end) segments, and the ids hidden among them.

    Slots that hold no token (padding, a batch row's positions after it stopped) have negative ids, unique in
    the stream, which no record names. After a `gather` with a tensor the slot ids are kept as a tensor and
    turned back into segments only when needed.
    """

    __slots__ = ("_segments", "_tensor", "count", "hidden", "_pad")

    def __init__(self) -> None:
        self._segments: Optional[List[Tuple[int, int]]] = []
        self._tensor: Any = None
        self.count = 0
        self.hidden = IntervalSet()
        self._pad = 0  # the next pad id is _pad - 1

    # -- the two representations ---------------------------------------------------

    @property
    def segments(self) -> List[Tuple[int, int]]:
        if self._segments is None:
            self._segments = _segments_of(self._tensor)
        return self._segments

    def tensor(self) -> Any:
        """The slot ids as a 1-D int64 tensor."""
        if self._tensor is None:
            self._tensor = _tensor_of(self.segments)
        return self._tensor

    def _set_segments(self, segments: List[Tuple[int, int]], count: int) -> None:
        self._segments, self._tensor, self.count = segments, None, count

    # -- changes -------------------------------------------------------------------

    def append(self, first: int, n: int) -> None:
        segments = self.segments
        if segments and segments[-1][1] == first and first >= 0:
            segments[-1] = (segments[-1][0], first + n)
        else:
            segments.append((first, first + n))
        self._tensor = None
        self.count += n

    def append_pads(self, n: int) -> None:
        """`n` slots that hold no token."""
        if n:
            self.segments.append((self._pad - n, self._pad))
            self._pad -= n
            self._tensor = None
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
            if new and new[-1][1] == segment[0] and segment[0] >= 0:
                new[-1] = (new[-1][0], segment[1])
            else:
                new.append(segment)
        self._set_segments(new, kept)
        self.hidden = self.hidden & self.resident()

    def drop_last(self, n: int) -> None:
        """The last `n` slots are gone (the cache was cropped: rejected speculative tokens)."""
        self.keep_sinks_and_recent(self.count - n, self.count - n)

    def gather(self, indices: Any) -> None:
        """The cache now holds the slots `indices` of the old one, in that order (a list, or a 1-D tensor)."""
        if _is_tensor(indices):
            torch = _torch()
            indices = indices.to(torch.long).reshape(-1)
            if int(indices.numel()) and (int(indices.min()) < 0 or int(indices.max()) >= self.count):
                raise RecorderError("prune indices must be slots in [0, %d)" % self.count)
            kept = torch.zeros(self.count, dtype=torch.bool)
            kept[indices] = True
            if int(kept.sum()) != int(indices.numel()):
                raise RecorderError("prune indices must be distinct slots in [0, %d)" % self.count)
            self._tensor = self.tensor()[indices]
            self._segments = None
            self.count = int(indices.numel())
            if self.hidden:
                self.hidden = self.hidden & self.resident()
            return
        else:
            ids = [i for start, end in self.segments for i in range(start, end)]
            if len(set(indices)) != len(indices) or any(not 0 <= i < len(ids) for i in indices):
                raise RecorderError("prune indices must be distinct slots in [0, %d)" % len(ids))
            new: List[Tuple[int, int]] = []
            for index in indices:
                token = ids[index]
                if new and new[-1][1] == token and token >= 0:
                    new[-1] = (new[-1][0], token + 1)
                else:
                    new.append((token, token + 1))
            self._set_segments(new, len(indices))
        self.hidden = self.hidden & self.resident()

    def slot_ids(self, indices: Sequence[int]) -> IntervalSet:
        """The token ids of the slots `indices` (slots holding no token left out)."""
        ids = [i for start, end in self.segments for i in range(start, end)]
        if any(not 0 <= i < len(ids) for i in indices):
            raise RecorderError("prune indices must be slots in [0, %d)" % len(ids))
        return IntervalSet.from_ids(ids[i] for i in indices if ids[i] >= 0)

    def resident(self) -> IntervalSet:
        if self._segments is None:  # straight from the tensor, sorted (segments are in slot order)
            torch = _torch()
            ids = self._tensor[self._tensor >= 0]
            return IntervalSet(_runs(torch.sort(ids).values))
        return IntervalSet(sorted(segment for segment in self._segments if segment[0] >= 0))

    def visible(self) -> IntervalSet:
        return self.resident() - self.hidden


def _runs(sorted_ids: Any) -> List[Tuple[int, int]]:
    """The maximal runs of consecutive values of a sorted 1-D tensor, as (start, end) pairs."""
    torch = _torch()
    if int(sorted_ids.numel()) == 0:
        return []
    breaks = torch.nonzero(sorted_ids[1:] != sorted_ids[:-1] + 1).reshape(-1) + 1
    starts = torch.cat([sorted_ids[:1], sorted_ids[breaks]]).tolist()
    ends = torch.cat([sorted_ids[breaks - 1] + 1, sorted_ids[-1:] + 1]).tolist()
    return list(zip(starts, ends))


def _segments_of(ids: Any) -> List[Tuple[int, int]]:
    """Slot-order segments of a 1-D id tensor: maximal runs of consecutive non-negative ids (pads each their own run)."""
    torch = _torch()
    if int(ids.numel()) == 0:
        return []
    step = ids[1:] != ids[:-1] + 1
    step |= (ids[1:] < 0) | (ids[:-1] < 0)
    breaks = torch.nonzero(step).reshape(-1) + 1
    starts = torch.cat([ids[:1], ids[breaks]]).tolist()
    ends = torch.cat([ids[breaks - 1] + 1, ids[-1:] + 1]).tolist()
    return list(zip(starts, ends))


def _tensor_of(segments: List[Tuple[int, int]]) -> Any:
    torch = _torch()
    if not segments:
        return torch.zeros(0, dtype=torch.long)
    bounds = torch.tensor(segments, dtype=torch.long)
    lengths = bounds[:, 1] - bounds[:, 0]
    offsets = torch.cumsum(lengths, 0) - lengths
    return torch.repeat_interleave(bounds[:, 0] - offsets, lengths) + torch.arange(int(lengths.sum()))


class _Row:
    """One batch row: its own trace (in a writer spawned from the caller's), its streams, where it stands."""

    __slots__ = ("writer", "slots", "outputs_fed", "ended", "index")

    def __init__(self, writer: TraceWriter, streams: int, index: int) -> None:
        self.writer = writer
        self.slots = [_Slots() for _ in range(streams)]
        self.outputs_fed = 0  # generated tokens fed back as queries (and not rolled back)
        self.ended = False  # fed its end-of-sequence token: the batch's later passes are not its steps
        self.index = index


def _cache_argument(kwargs: Dict[str, Any]) -> Any:
    """The cache a forward call was given: ``past_key_values=`` (transformers < 5.3) or ``cache=`` (5.3 and later)."""
    cache = kwargs.get("past_key_values")
    return kwargs.get("cache") if cache is None else cache


def _eos_ids(value: Any) -> Tuple[int, ...]:
    if value is None:
        return ()
    if _is_tensor(value):
        value = value.reshape(-1).tolist()
    if isinstance(value, int):
        return (value,)
    return tuple(int(v) for v in value)


class GenerationRecorder:
    """Follows a transformers model's KV cache through its forward passes and writes one trace per batch row.

    Use `record_generate` for the common case; or::

        recorder = GenerationRecorder(writer, model, sinks=4)
        recorder.begin(method="streamingllm", sample="17")   # samples=[...]: one sample id per batch row
        with recorder:                       # installs the hooks, removes them on exit
            out = model.generate(input_ids, attention_mask=mask, max_new_tokens=64)
        recorder.finish(out, correct=True)   # the last tokens' steps, then every row's trace, all at once

    Nothing reaches the writer before `finish`: each row's trace is written to memory (`TraceWriter.spawn`)
    and appended when the run is complete, so a run the recorder refuses (`RecorderError`, at any pass)
    leaves the file as it was.
    """

    def __init__(self, writer: TraceWriter, model: Any, *, sinks: int = 0, per_layer: bool = False,
                 per_head: bool = False, masked: bool = False, record_tokens: bool = True,
                 eos_token_id: Any = "config") -> None:
        if per_layer and per_head:
            raise ValueError("per_layer and per_head exclude each other (per_head already has a stream per layer)")
        self.writer = writer
        self.model = model
        self.sinks = sinks
        self.per_layer = per_layer
        self.per_head = per_head
        self.masked = masked
        self.record_tokens = record_tokens
        if isinstance(eos_token_id, str) and eos_token_id == "config":
            eos_token_id = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
        self.eos_token_ids = _eos_ids(eos_token_id)  # where a batch row stops (a batch of one: where generate stops)
        config = _text_config(model)
        self.layers = int(_config_value(config, "num_hidden_layers", "n_layer", "num_layers") or 1)
        heads = _config_value(config, "num_key_value_heads") or _config_value(config, "num_attention_heads", "n_head")
        self.kv_heads = int(heads or 1)
        self.prompt_length: Optional[int] = None  # positions (pads included) of the prompt; None: the first pass
        self.samples: Optional[List[Any]] = None
        self.rows: List[_Row] = []
        self._fields: Dict[str, Any] = {}
        self._positions = 0  # cache slots of every row (pads included) the recorder followed
        self._prompt_positions: Optional[int] = None
        self._embeds_prompt = False
        self._last_cache: Any = None  # the cache the last pass left, to see it cut back after the last pass
        self._handles: List[Any] = []
        self._began = False

    # -- the trace -----------------------------------------------------------------

    @property
    def stream_count(self) -> int:
        if self.per_head:
            return self.layers * self.kv_heads
        return self.layers if self.per_layer else 1

    def begin(self, samples: Optional[Sequence[Any]] = None, **header: Any) -> None:
        """Prepares the traces; the header keys not given are filled in: ``model``, ``layers`` and ``heads`` (the
        streams recorded), ``kv_bytes_per_token``, and ``recorder`` (this module's and the libraries' versions).

        `samples`: one sample id per batch row (default: the ``sample`` given, for a batch of one; else the row
        index, after the ``sample`` given and a ``/`` when there is one). The header is checked here; nothing is
        written before `finish`.
        """
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
        probe = self.writer.spawn()  # refuses a bad header now, as begin() would
        probe.begin(**fields)
        if probe.streams != self.stream_count:
            raise RecorderError("the header declares %d streams, but this recorder follows %d"
                                % (probe.streams, self.stream_count))
        generation = getattr(self.model, "generation_config", None)
        beams = getattr(generation, "num_beams", None)
        if isinstance(beams, int) and beams > 1:
            raise RecorderError("the model's generation_config sets num_beams=%d: beam search reorders the cache "
                                "between beams, which the recorder does not follow; record with num_beams=1" % beams)
        self._fields = fields
        self.samples = None if samples is None else list(samples)
        self.rows = []
        self._positions = 0
        self._prompt_positions = None
        self._embeds_prompt = False
        self._began = True

    def _make_rows(self, batch: int) -> None:
        if self.samples is not None and len(self.samples) != batch:
            raise RecorderError("%d sample ids were given for a batch of %d rows" % (len(self.samples), batch))
        for row in range(batch):
            fields = dict(self._fields)
            if self.samples is not None:
                fields["sample"] = str(self.samples[row])
            elif batch > 1:
                given = fields.get("sample")
                fields["sample"] = str(row) if given is None else "%s/%d" % (given, row)
            writer = self.writer.spawn()
            writer.begin(**fields)
            self.rows.append(_Row(writer, self.stream_count, row))

    def finish(self, output: Any = None, row_claims: Optional[Sequence[Dict[str, Any]]] = None, **claims: Any) -> None:
        """Records the generated tokens never fed back (the last one of each row) as decode steps, ends every
        row's trace with `claims` (and ``row_claims[row]``), and writes them all, in row order.

        `output` is what ``generate`` returned (a tensor, or an output object with ``sequences``); None skips
        those steps. A row's output ends at its first end-of-sequence token (``eos_token_id``, else the model's
        generation config): what generate wrote after it is padding, not the row's.
        """
        if not self._began:
            raise RecorderError("call begin() first")
        if not self.rows:
            raise RecorderError("no forward pass was recorded")
        if row_claims is not None and len(row_claims) != len(self.rows):
            raise RecorderError("row_claims has %d entries for %d rows" % (len(row_claims), len(self.rows)))
        if self._last_cache is not None:  # speculative decoding crops the candidates of its last pass too
            self._rolled_back(self._last_cache)
            self._last_cache = None
        if output is not None:
            sequences = getattr(output, "sequences", output)
            if int(sequences.shape[0]) != len(self.rows):
                raise RecorderError("the output has %d rows, the recorded batch %d (beam search or "
                                    "num_return_sequences expanded it inside generate?)"
                                    % (int(sequences.shape[0]), len(self.rows)))
            offset = 0 if self._embeds_prompt else (self._prompt_positions or 0)
            for row in self.rows:
                generated = sequences[row.index, offset:].tolist() if int(sequences.shape[-1]) > offset else []
                # A batch of one stops where generate stopped; in a batch, a row stops at its first end token.
                for position, token in enumerate(generated if len(self.rows) > 1 else ()):
                    if token in self.eos_token_ids:
                        generated = generated[:position + 1]
                        break
                if row.ended:
                    continue
                for token in generated[row.outputs_fed:]:
                    self._row_step(row, 1, [token] if self.record_tokens else None, "decode")
                    row.outputs_fed += 1
        for row in self.rows:
            fields = dict(claims)
            if row_claims is not None:
                fields.update(row_claims[row.index])
            row.writer.end(**fields)
        self.writer.hold()
        try:
            for row in self.rows:
                self.writer.adopt(row.writer)
        except BaseException:
            self.writer.rollback()
            raise
        self.writer.commit()
        self._began = False

    # -- reading what was recorded (before finish) -----------------------------------

    def visible_ids(self, stream: int = 0, row: int = 0) -> IntervalSet:
        """The visible ids of `stream` in `row`'s trace now."""
        return self.rows[row].writer.visible_ids(stream)

    def resident_ids(self, stream: int = 0, row: int = 0) -> IntervalSet:
        return self.rows[row].writer.resident_ids(stream)

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
        batch, n = int(source.shape[0]), int(source.shape[1])
        mask = kwargs.get("attention_mask")
        new_mask: Optional[List[List[int]]] = None
        if mask is not None and not isinstance(mask, dict):
            if len(mask.shape) != 2:
                raise RecorderError("the attention_mask has shape %s: the recorder reads padding from a 2-D "
                                    "[batch, length] mask only" % (tuple(mask.shape),))
            new_mask = (mask[:, -n:] != 0).tolist()
        cache = _cache_argument(kwargs)
        if cache is not None and self.rows:
            self._rolled_back(cache)
        if not self.rows and input_ids is None:
            self._embeds_prompt = True
        tokens = input_ids.tolist() if (self.record_tokens and input_ids is not None) else None
        self.on_pass(batch, n, tokens, new_mask)

    def _after_forward(self, module: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any], output: Any) -> None:
        cache = getattr(output, "past_key_values", None)
        if cache is None:
            cache = getattr(output, "cache", None)
        if cache is None:
            cache = _cache_argument(kwargs)
        if cache is None:
            raise RecorderError("the model returned no KV cache: record with use_cache=True")
        self.on_cache(cache_layer_lengths(cache))
        self._last_cache = cache

    def _rolled_back(self, cache: Any) -> None:
        """Before a pass: a cache shorter than what the last pass left was cropped (assisted or prompt-lookup
        decoding drops the candidates it rejected): the last slots are freed."""
        lengths = cache_layer_lengths(cache)
        slots = self.rows[0].slots
        cut = set()
        for layer, length in enumerate(lengths):
            if length is None:
                continue
            stream = 0 if self.stream_count == 1 else self._streams_of(layer).start
            if length > slots[stream].count:
                raise RecorderError("layer %d: the cache holds %d positions before this pass, the recorder followed "
                                    "%d: it was filled where the recorder could not see it" % (layer, length,
                                                                                             slots[stream].count))
            cut.add(slots[stream].count - length)
        if cut and max(cut) > 0:
            if len(cut) != 1:
                raise RecorderError("the cache was cut back between passes by different amounts per layer (%s): "
                                    "the recorder cannot follow that" % sorted(cut))
            self.on_rollback(cut.pop())

    # -- the logic, free of torch (tests drive it directly) ------------------------------------

    def on_step(self, n: int, tokens: Optional[List[int]] = None, mask: Optional[List[int]] = None) -> None:
        """A forward pass over `n` new tokens of a batch of one starts (`mask`: 1 for a token, 0 for padding)."""
        self.on_pass(1, n, None if tokens is None else [tokens], None if mask is None else [mask])

    def on_pass(self, batch: int, n: int, tokens: Optional[List[List[int]]] = None,
                masks: Optional[List[List[int]]] = None) -> None:
        """A forward pass over `n` new positions of each of `batch` rows starts; `masks[row][i]` is 0 for padding."""
        if not self._began:
            raise RecorderError("call begin() before recording")
        if not self.rows:
            self._make_rows(batch)
            self._prompt_positions = self.prompt_length if self.prompt_length is not None else n
        elif batch != len(self.rows):
            raise RecorderError("the batch changed from %d rows to %d between passes (beam search?)"
                                % (len(self.rows), batch))
        prompt_end = self._prompt_positions or 0
        forced = self._pass_phase(n)
        for row in self.rows:
            if row.ended:
                for slots in row.slots:
                    slots.append_pads(n)
                continue
            mask = masks[row.index] if masks is not None else None
            row_tokens = tokens[row.index] if tokens is not None else None
            # A pass is split where the prompt ends: prompt positions are a prefill step, the rest a decode step.
            split = min(max(prompt_end - self._positions, 0), n)
            if forced is not None:
                split = n if forced == "prefill" else 0
            for phase, lo, hi in (("prefill", 0, split), ("decode", split, n)):
                if lo == hi:
                    continue
                self._row_positions(row, phase, lo, hi, mask, row_tokens)
            if forced is None and batch > 1 and split < n and row_tokens is not None and self.eos_token_ids and \
                    row_tokens[n - 1] in self.eos_token_ids and (mask is None or mask[n - 1]):
                row.ended = True
        self._positions += n

    def _pass_phase(self, n: int) -> Optional[str]:
        """The phase of a whole pass when it is not told by the prompt's length (None: it is)."""
        return None

    def _row_positions(self, row: _Row, phase: str, lo: int, hi: int, mask: Optional[List[int]],
                       tokens: Optional[List[int]]) -> None:
        """Positions ``lo..hi-1`` of this pass, in `row`: the tokens a step, the padding no token at all."""
        real = [i for i in range(lo, hi) if mask is None or mask[i]]
        if real:
            ids = row.writer.step(phase, len(real), tok=None if tokens is None else [tokens[i] for i in real])
            if phase == "decode":
                row.outputs_fed += len(real)
        next_id = ids.start if real else 0
        i = lo
        while i < hi:  # runs of tokens and of padding, in slot order
            j = i
            is_real = mask is None or bool(mask[i])
            while j < hi and (mask is None or bool(mask[j])) == is_real:
                j += 1
            for slots in row.slots:
                if is_real:
                    slots.append(next_id, j - i)
                else:
                    slots.append_pads(j - i)
            if is_real:
                next_id += j - i
            i = j

    def _row_step(self, row: _Row, n: int, tokens: Optional[List[int]], phase: str) -> None:
        ids = row.writer.step(phase, n, tok=tokens)
        for slots in row.slots:
            slots.append(ids.start, n)

    def on_rollback(self, n: int) -> None:
        """The cache lost its last `n` positions between passes (candidates a speculative decoder rejected)."""
        for row in self.rows:
            for stream, slots in enumerate(row.slots):
                before = slots.resident()
                slots.drop_last(n)
                dropped = before - slots.resident()
                if stream == 0 and not row.ended:
                    row.outputs_fed -= len(dropped)
                if dropped and not row.ended:
                    row.writer.evict(dropped, stream=None if self.stream_count == 1 else stream)
        self._positions -= n

    def on_cache(self, lengths: Sequence[Optional[int]]) -> None:
        """After a forward pass: each layer holds `lengths[layer]` positions (None: no cache of its own)."""
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
        for row in self.rows:
            slots = row.slots[stream]
            if length > slots.count:
                raise RecorderError(
                    "stream %d: the cache holds %d positions but only %d were created and kept: the recorder cannot "
                    "follow this cache (it was filled before recording began, or it preallocates)"
                    % (stream, length, slots.count))
            if length < slots.count:
                before = slots.resident()
                slots.keep_sinks_and_recent(length, self.sinks)
                if not row.ended:
                    row.writer.evict(before - slots.resident(), stream=None if self.stream_count == 1 else stream)

    # -- per-head presses -------------------------------------------------------------

    def prune(self, layer: int, indices: Any, masked: Optional[bool] = None) -> None:
        """A press kept, for each KV head of `layer`, the cache slots `indices` (``[heads, k]``, or
        ``[batch, heads, k]`` with a row per batch row).

        Call it right after the press has gathered the layer's keys and values with these indices (or, with
        ``masked=True``, decided to mask all other slots while keeping them in memory).
        """
        if not self.per_head:
            raise RecorderError("prune() needs a recorder made with per_head=True")
        rows = indices.tolist() if hasattr(indices, "tolist") else [list(row) for row in indices]
        if rows and isinstance(rows[0], list) and rows[0] and isinstance(rows[0][0], list):
            batches = rows  # [batch, heads, k]
        else:
            batches = [rows]
        if len(batches) != len(self.rows):
            raise RecorderError("prune() got indices for %d batch rows, the batch has %d" % (len(batches), len(self.rows)))
        masked = self.masked if masked is None else masked
        for row, heads in zip(self.rows, batches):
            if len(heads) != self.kv_heads:
                raise RecorderError("prune() needs one row of indices per KV head (%d), got %d"
                                    % (self.kv_heads, len(heads)))
            for head, kept in enumerate(heads):
                self._prune_stream(row, layer * self.kv_heads + head, kept, masked)

    def _prune_heads(self, row: _Row, layer: int, kept: Any) -> None:
        """All KV heads of `layer` in `row` kept the slots ``kept[head]`` (a ``[heads, k]`` tensor), in that order:
        one set of tensor operations for the layer, then one ``evict`` record per head."""
        torch = _torch()
        streams = range(layer * self.kv_heads, (layer + 1) * self.kv_heads)
        slots = [row.slots[stream] for stream in streams]
        counts = {s.count for s in slots}
        if len(counts) != 1 or int(kept.shape[0]) != len(slots):
            for stream, head_kept in zip(streams, kept):
                self._prune_stream(row, stream, head_kept, False)
            return
        n, k = counts.pop(), int(kept.shape[1])
        kept = kept.to(torch.long)
        if k and (int(kept.min()) < 0 or int(kept.max()) >= n):
            raise RecorderError("prune indices must be slots in [0, %d)" % n)
        ids = torch.stack([s.tensor() for s in slots])  # [heads, n]
        keep = torch.zeros((len(slots), n), dtype=torch.bool)
        keep.scatter_(1, kept, True)
        if int(keep.sum()) != len(slots) * k:
            raise RecorderError("prune indices must be distinct slots in [0, %d)" % n)
        new_ids = ids.gather(1, kept)
        gone = ~keep & (ids >= 0)
        if n < 2 or bool((ids[:, 1:] > ids[:, :-1]).all()):  # ids in slot order (no compression yet): no sort
            parts = torch.split(ids[gone], gone.sum(1).tolist())
        else:
            never = torch.iinfo(torch.int64).max
            ordered = torch.sort(torch.where(gone, ids, torch.full_like(ids, never)), dim=1).values
            parts = [ordered[head, :count] for head, count in enumerate(gone.sum(1).tolist())]
        for head, (stream, s) in enumerate(zip(streams, slots)):
            s._tensor, s._segments, s.count = new_ids[head], None, k
            if s.hidden:
                s.hidden = s.hidden & s.resident()
            if int(parts[head].numel()) and not row.ended:
                row.writer.evict(_runs(parts[head]), stream=stream)

    def _prune_stream(self, row: _Row, stream: int, kept: Any, masked: bool) -> None:
        slots = row.slots[stream]
        if masked:
            slots.hidden = slots.resident() - slots.slot_ids(kept)
            if not row.ended:
                row.writer.visible(slots.visible(), stream=stream, masked=True)
        elif _is_tensor(kept):  # vectorised: the ids of the slots not kept, as sorted runs
            torch = _torch()
            ids = slots.tensor()
            slots.gather(kept)  # checks the indices
            keep = torch.zeros(int(ids.numel()), dtype=torch.bool)
            keep[kept.to(torch.long)] = True
            dropped_ids = ids[~keep]
            dropped_ids = torch.sort(dropped_ids[dropped_ids >= 0]).values
            if int(dropped_ids.numel()) and not row.ended:
                row.writer.evict(_runs(dropped_ids), stream=stream)
        else:
            before = slots.resident()
            slots.gather(kept)
            dropped = before - slots.resident()
            if dropped and not row.ended:
                row.writer.evict(dropped, stream=stream)


def check_generate_kwargs(model: Any, kwargs: Dict[str, Any]) -> int:
    """Refuses generate options the recorder cannot follow, by name, before anything is recorded; returns
    how many sequences each input row becomes (``num_return_sequences``)."""
    generation = getattr(model, "generation_config", None)
    config = kwargs.get("generation_config", generation)

    def option(name: str, default: Any) -> Any:
        if name in kwargs:
            return kwargs[name]
        return getattr(config, name, default)

    beams = option("num_beams", 1) or 1
    if beams > 1:
        raise RecorderError("num_beams=%d: beam search reorders and prunes the cache between beams, which the "
                            "recorder does not follow; record with num_beams=1" % beams)
    groups = option("num_beam_groups", 1) or 1
    if groups > 1:
        raise RecorderError("num_beam_groups=%d: group beam search is beam search; record with num_beams=1" % groups)
    if option("penalty_alpha", None) and (option("top_k", 0) or 0) > 1:
        raise RecorderError("penalty_alpha with top_k: contrastive search runs top_k candidates per step and "
                            "reorders the cache; the recorder does not follow it")
    cache = kwargs.get("past_key_values", kwargs.get("cache"))
    if option("cache_implementation", None) in ("static", "offloaded_static", "sliding_window", "hybrid",
                                                  "mamba", "quantized"):
        raise RecorderError("cache_implementation=%r preallocates or quantises the cache, so its shape does not "
                            "tell what it holds: record with the default dynamic cache"
                            % option("cache_implementation", None))
    if cache is not None:
        cache_layer_lengths(cache)  # refuses static caches by name
    sequences = option("num_return_sequences", 1) or 1
    return int(sequences)


def generation_eos(model: Any, kwargs: Dict[str, Any]) -> Any:
    """The end-of-sequence token ids generate will stop a row at, given its keyword arguments (None: none)."""
    if "eos_token_id" in kwargs:
        return kwargs["eos_token_id"]
    config = kwargs.get("generation_config") or getattr(model, "generation_config", None)
    return getattr(config, "eos_token_id", None)


def record_generate(writer: TraceWriter, model: Any, input_ids: Any = None, *,
                    header: Optional[Dict[str, Any]] = None, claims: Optional[Dict[str, Any]] = None,
                    samples: Optional[Sequence[Any]] = None, sinks: int = 0, per_layer: bool = False,
                    record_tokens: bool = True, **generate_kwargs: Any) -> Any:
    """Runs ``model.generate(input_ids, **generate_kwargs)`` and writes one trace per batch row (per returned
    sequence with ``num_return_sequences``); returns what generate returned.

    Padding (``attention_mask``) is never a token. Speculative decoding (``assistant_model``,
    ``prompt_lookup_num_tokens``) is recorded as it runs: each candidate pass a decode step of several
    queries, the candidates rejected freed. Refused before anything is written: beam search (``num_beams``),
    contrastive search, static caches. `samples`: a sample id per input row.
    """
    per_input = check_generate_kwargs(model, generate_kwargs)
    rows_in = None
    source = input_ids if input_ids is not None else generate_kwargs.get("inputs_embeds")
    if source is not None:
        rows_in = int(source.shape[0])
    row_samples = None
    if samples is not None:
        if rows_in is not None and len(samples) != rows_in:
            raise RecorderError("%d sample ids for %d input rows" % (len(samples), rows_in))
        row_samples = [s if per_input == 1 else "%s/%d" % (s, k) for s in samples for k in range(per_input)]
    recorder = GenerationRecorder(writer, model, sinks=sinks, per_layer=per_layer, record_tokens=record_tokens,
                                  eos_token_id=generation_eos(model, generate_kwargs))
    if source is not None:
        recorder.prompt_length = int(source.shape[1])
    recorder.begin(samples=row_samples, **(header or {}))
    with recorder:
        if input_ids is None:
            output = model.generate(**generate_kwargs)
        else:
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
