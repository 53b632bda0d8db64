"""Record generation under an NVIDIA kvpress press: what it freed, what it only masked, per layer and KV head.

Optional, like `deptrace_recorder.hf`, on which it builds: it never imports
kvpress or transformers, and imports torch only when it compares cache
tensors. A press is any object used as kvpress presses are (``with
press(model):``); ``press=None`` records the full cache with the same streams,
the baseline a press is compared with.

What it observes, per attention layer, from the cache itself:

- right after the layer's attention has appended the new tokens, and before
  any press hook runs (a forward hook registered with ``prepend=True``), the
  layer's key and value tensors;
- once the press hooks have run (at the next layer's hook, or at the end of
  the forward pass), the layer's tensors again, and the attention module's
  ``masked_key_indices`` (the entries kvpress's attention patch masks out:
  AdaKV, CriticalAdaKV, DMS, DuoAttention, ...);
- before each forward pass, whether the cache changed between passes.

What it infers:

- which entries a press kept, and in which order, by finding each entry of
  the new tensors among the entries it was given, per KV head: pruning presses
  copy entries (``gather``), so each kept (key, value) pair is found bit for
  bit. A press that rewrites keys while it prunes (KeyRerotationPress) is
  followed through the values alone. Entries with equal values (the same
  token twice, in the first layer) are then placed between the entries
  matched around them, since such presses keep entries in order; where
  several equal entries fit, the earliest is taken and a ``mark`` record says
  how many. A press that writes entries it was not given (merging, quantised
  caches) is refused with `RecorderError`;
- token ids are positions in the never-compressed sequence (the prompt is
  ``0..P-1``, each generated token the next id), remapped through every
  earlier compression: each stream (layer × KV head) keeps the ids its cache
  slots hold, in slot order;
- entries freed become ``evict`` records of their stream; entries kept but
  masked become ``hide`` records (and ``show`` when a mask is lifted), so the
  resident set of each stream is exactly the cache tensor's length.

A press compresses after the attention of the pass that fills the cache, so a
step's records follow it: the prefill step attends to the whole prompt, and
the evictions and masks it caused apply from the next step on.

Limits: those of `deptrace_recorder.hf.GenerationRecorder` (dynamic caches,
no beam search); every layer must hold a cache of its own (no sliding-window
or quantised layers); presses that change the entries they keep (merging:
CAMPress, MergingPress) are refused, naming the press.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import __version__
from .hf import GenerationRecorder, RecorderError, _cache_argument, check_generate_kwargs, generation_eos
from .intervals import IntervalSet
from .writer import TraceWriter

__all__ = ["PressRecorder", "record_press", "press_name", "press_parameters", "declared_compression_ratio",
           "match_entries", "RecorderError"]


# -- describing a press -----------------------------------------------------------------


def _is_press(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type) and callable(value)


def press_name(press: Any) -> str:
    """The press's class name, with the presses it wraps in parentheses: ``AdaKVPress(SnapKVPress)``; ``full`` for None."""
    if press is None:
        return "full"
    inner: List[str] = []
    if dataclasses.is_dataclass(press):
        for field in dataclasses.fields(press):
            if not field.init:
                continue
            value = getattr(press, field.name, None)
            if _is_press(value):
                inner.append(press_name(value))
            elif isinstance(value, (list, tuple)) and value and all(_is_press(v) for v in value):
                inner.extend(press_name(v) for v in value)
    name = type(press).__name__
    return "%s(%s)" % (name, ",".join(inner)) if inner else name


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if _is_press(value):
        return press_parameters(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_value(v) for k, v in value.items()}
    return "<%s>" % type(value).__name__  # tensors, models: named, not dumped


def press_parameters(press: Any) -> Dict[str, Any]:
    """``{"name": class name, <each constructor parameter>: its value}``, wrapped presses nested the same way."""
    parameters: Dict[str, Any] = {"name": type(press).__name__}
    if dataclasses.is_dataclass(press):
        for field in dataclasses.fields(press):
            if field.init:
                parameters[field.name] = _json_value(getattr(press, field.name, None))
    return parameters


def declared_compression_ratio(press: Any) -> Optional[float]:
    """The press's own ``compression_ratio`` (what it declares, or computed after a run), None where it has none."""
    if press is None:
        return None
    try:
        ratio = getattr(press, "compression_ratio")
    except Exception:  # DMSPress, DuoAttentionPress: an assertion before any forward pass
        return None
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)):
        return None
    return float(ratio)


# -- matching cache entries -----------------------------------------------------------------


def _bits(*tensors: Any) -> Any:
    """The rows of `tensors` (each ``[..., d]``, one dtype) side by side, as integers of the same width: equal bits, equal rows."""
    import torch

    row = torch.cat(tensors, dim=-1) if len(tensors) > 1 else tensors[0]
    width = row.element_size()
    integer = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}.get(width)
    if integer is None:
        raise RecorderError("cannot compare cache entries of dtype %s" % row.dtype)
    return row.contiguous().view(integer)


_MULTIPLIERS: Dict[Tuple[int, str], Any] = {}


def row_hashes(tensor: Any, salt: int = 0) -> Any:
    """A 64-bit checksum of each row (last dimension) of `tensor`, from its bits: ``[..., d]`` -> ``[...]`` int64.

    The row's bytes as 64-bit words (or its elements as unsigned words), times fixed random odd multipliers
    (a set per `salt`), summed modulo 2^64: one integer matrix-vector product over the tensor. Equal rows give
    equal sums; different rows the same sum with a probability of about 2^-60.
    """
    import torch

    row = tensor.contiguous()
    width = int(row.shape[-1]) * row.element_size()
    if width % 8 == 0:  # the row's bytes as 64-bit words
        words = row.view(torch.int64)
    else:
        bits = _bits(row)
        words = bits.to(torch.int64)
        if bits.dtype != torch.int64:  # unsigned words, so that -1 and 65535 stay apart
            words &= (1 << (8 * bits.element_size())) - 1
    d = int(words.shape[-1])
    key = (d, str(words.device), salt)
    multipliers = _MULTIPLIERS.get(key)
    if multipliers is None:
        generator = torch.Generator().manual_seed(0x5DEECE66D + 1000003 * salt + d)
        multipliers = (torch.randint(-(2 ** 62), 2 ** 62, (d,), generator=generator, dtype=torch.int64) * 2 + 1)
        multipliers = multipliers.to(words.device)
        _MULTIPLIERS[key] = multipliers
    shape = tuple(words.shape[:-1])
    if int(words.numel()) == 0:
        return torch.zeros(shape, dtype=torch.int64, device=words.device)
    flat = words.reshape(-1, d)
    try:
        return (flat @ multipliers).reshape(shape)  # wraps modulo 2^64, as integer arithmetic does
    except RuntimeError:  # devices without integer matrix products: column by column
        total = flat[:, 0] * multipliers[0]
        for column in range(1, d):
            total.add_(flat[:, column] * multipliers[column])
        return total.reshape(shape)


def _match_rows(before: Any, after: Any) -> Tuple[List[int], int, int]:
    """For each row of `after`, the index of an equal row of `before`; returns (indices, rows not found, rows ambiguous)."""
    import torch

    n = int(before.shape[0])
    if int(after.shape[0]) == 0:
        return [], 0, 0
    if before.dim() == 1:
        before, after = before[:, None], after[:, None]
    _, inverse = torch.unique(torch.cat([before, after]), dim=0, return_inverse=True)
    groups = int(inverse.max()) + 1
    of_before, of_after = inverse[:n], inverse[n:]
    owner = torch.full((groups,), -1, dtype=torch.long, device=inverse.device)
    owner[of_before] = torch.arange(n, device=inverse.device)
    counts = torch.bincount(of_before, minlength=groups)
    found = owner[of_after]
    missing = int((found < 0).sum())
    if missing:
        return [], missing, 0
    if int(torch.bincount(of_after, minlength=groups).gt(counts).sum()):
        raise RecorderError("the press's cache holds an entry more often than the cache it was given")
    ambiguous_rows = counts[of_after].gt(1)
    slots = found.tolist()
    if not bool(ambiguous_rows.any()):
        return slots, 0, 0
    # Equal entries: which of them survived cannot be read from the cache. Presses that rewrite entries
    # keep them in order (KeyRerotationPress sorts its indices), so when the unambiguous matches are in
    # order, an equal entry must lie between the matches of its neighbours: often only one candidate
    # does. Otherwise (several candidates, or matches out of order) the earliest is taken, and counted.
    candidates: Dict[int, List[int]] = {}
    for slot, group in enumerate(of_before.tolist()):
        candidates.setdefault(group, []).append(slot)
    flags = ambiguous_rows.tolist()
    groups_after = of_after.tolist()
    unique = [slot for slot, flag in zip(slots, flags) if not flag]
    in_order = all(a < b for a, b in zip(unique, unique[1:]))
    following = [n] * len(slots)  # the next unambiguous match after each row
    upper = n
    for row in range(len(slots) - 1, -1, -1):
        following[row] = upper
        if not flags[row]:
            upper = slots[row]
    used = set(unique)
    guessed = 0
    previous = -1
    for row, flag in enumerate(flags):
        if flag:
            options = [slot for slot in candidates[groups_after[row]] if slot not in used]
            feasible = [slot for slot in options if previous < slot < following[row]] if in_order else []
            slots[row] = feasible[0] if feasible else options[0]
            guessed += len(feasible) != 1
            used.add(slots[row])
        previous = slots[row]
    return slots, 0, guessed


def match_hashes(before: Any, after: Any) -> Tuple[Any, Any, Any]:
    """Per stream (row of ``[streams, n]`` / ``[streams, m]`` int64 checksums), the before-slot of each after-slot.

    Vectorised over all streams: one sort of the after-checksums (a press keeps fewer than it was given) and
    one binary search of the before-checksums in them. Returns (indices ``[streams, m]``, found ``[streams, m]``
    bool, whether the match is uncertain: equal checksums among the entries, or an entry kept twice).
    """
    import torch

    streams, n, m = int(before.shape[0]), int(before.shape[1]), int(after.shape[1])
    if m == 0:
        return torch.zeros_like(after), torch.ones_like(after, dtype=torch.bool), False
    if n == 0:
        return torch.zeros_like(after), torch.zeros_like(after, dtype=torch.bool), False
    ordered, order = torch.sort(after, dim=1)
    position = torch.searchsorted(ordered, before.contiguous()).clamp_(max=m - 1)
    hit = ordered.gather(1, position) == before  # [streams, n]: this before-entry is in the after cache
    slots = torch.where(hit, torch.arange(n).unsqueeze(0).expand(streams, n), -1)
    indices = torch.full((streams, m), -1, dtype=torch.long)
    indices.scatter_reduce_(1, order.gather(1, position), slots, reduce="amax")
    found = indices >= 0
    uncertain = bool((ordered[:, 1:] == ordered[:, :-1]).any()) if m > 1 else False
    uncertain = uncertain or int(hit.sum()) != int(found.sum())  # equal before-entries fell on one after-slot
    return indices.clamp(min=0), found, uncertain


def match_entries(before_keys: Any, before_values: Any, after_keys: Any, after_values: Any) -> Tuple[List[List[int]], int]:
    """Which entry of the cache a press was given each entry of the cache it left is, per KV head.

    - Parameters: the layer's key and value tensors before and after the press, ``[1, heads, length, head_dim]``.
    - Returns: for each KV head, the before-slot of each after-slot (what ``gather`` took), and the number of
      entries matched by their values alone whose id is a guess (several equal entries fitted; see `_match_rows`).
    - Throws: `RecorderError` when an entry is not among those the press was given.
    """
    if int(before_keys.shape[0]) != 1 or int(after_keys.shape[0]) != 1:
        raise RecorderError("match_entries compares one batch row: give [1, heads, length, head_dim] tensors")
    heads = int(before_keys.shape[1])
    kh, vh = row_hashes(before_keys)[0], row_hashes(before_values, 1)[0]
    indices, ambiguous = _match_streams(kh, vh, row_hashes(after_keys)[0], row_hashes(after_values, 1)[0],
                                        "the press", heads)
    return [row.tolist() for row in indices.reshape(heads, -1)], ambiguous


def _combine(keys: Any, values: Any) -> Any:
    """The checksum of a (key, value) pair: key checksums (salt 0) plus value checksums (salt 1) are the linear
    checksum of the key and value words side by side."""
    return keys + values


def _match_streams(before_keys: Any, before_values: Any, after_keys: Any, after_values: Any,
                   who: str, heads: int = 0) -> Tuple[Any, int]:
    """Checksums ``[streams, n]`` before and ``[streams, m]`` after -> the before-slot of each after-slot, ``[streams, m]``.

    Matches (key, value) pairs; where some are missing, the values alone (a press that rewrites keys, as
    KeyRerotationPress re-rotates them). Equal checksums (equal entries) are resolved as `_match_rows` does.
    """
    import torch

    if int(before_keys.shape[0]) != int(after_keys.shape[0]):
        raise RecorderError("%s changed the number of KV heads from %d to %d" % (
            who, int(before_keys.shape[0]), int(after_keys.shape[0])))
    before_pairs, after_pairs = _combine(before_keys, before_values), _combine(after_keys, after_values)
    indices, found, duplicates = match_hashes(before_pairs, after_pairs)
    ambiguous = 0
    if bool(found.all()) and not duplicates:
        return indices, 0
    rows = []
    for stream in range(int(before_keys.shape[0])):  # the rare case: per stream, with the exact resolver
        if bool(found[stream].all()) and not duplicates:
            rows.append(indices[stream])
            continue
        slots, missing, _ = _match_rows(before_pairs[stream], after_pairs[stream])
        if missing:  # keys rewritten (re-rotated): follow the values
            slots, missing, equal = _match_rows(before_values[stream], after_values[stream])
            if missing:
                where = "KV head %d" % (stream % heads) if heads else "stream %d" % stream
                if heads and int(before_keys.shape[0]) > heads:
                    where = "batch row %d, %s" % (stream // heads, where)
                raise RecorderError(
                    "%s: %s: %d entries left in the cache are not entries it was given, bit for bit (merged into, "
                    "quantised or recomputed: CAMPress and other merging presses write into the entries they keep), "
                    "so the cache does not tell which tokens they hold; the recorder refuses it" % (who, where, missing))
            ambiguous += equal
        rows.append(torch.tensor(slots, dtype=torch.long))
    return torch.stack(rows) if rows else indices, ambiguous


def masked_slots(masked: Any, heads: int, batch: int = 1) -> List[List[List[int]]]:
    """Per batch row and KV head, the cache slots listed in a ``masked_key_indices`` tuple ``(batch, head, slot)``."""
    result: List[List[List[int]]] = [[[] for _ in range(heads)] for _ in range(batch)]
    if masked is None:
        return result
    batch_index, head_index, slot_index = (t.tolist() if hasattr(t, "tolist") else list(t) for t in masked)
    for b, h, s in zip(batch_index, head_index, slot_index):
        if not 0 <= b < batch:
            raise RecorderError("masked_key_indices names batch row %d of %d" % (b, batch))
        if not 0 <= h < heads:
            raise RecorderError("masked_key_indices names KV head %d of %d" % (h, heads))
        result[b][h].append(s)
    return result


# -- the recorder -----------------------------------------------------------------------


def _language_model(model: Any) -> Any:
    inner = getattr(model, "model", model)
    return getattr(inner, "language_model", inner)


def _kvpress_version() -> Optional[str]:
    if "kvpress" not in sys.modules:
        return None
    try:
        from importlib.metadata import version

        return version("kvpress")
    except Exception:
        return str(getattr(sys.modules["kvpress"], "__version__", "unknown"))


class _Seen:
    """A layer's tensors and mask as the recorder last followed them, with the checksums of their rows.

    The checksums (``[batch × heads, length]``) are those of the entries as the recorder saw them written: a
    press that changes a kept entry in place (merging values into it) leaves an entry whose checksum is not
    among them, even though the tensor the recorder holds was changed too.
    """

    __slots__ = ("keys", "values", "masked", "key_sums", "value_sums")

    def __init__(self, keys: Any, values: Any, masked: Any, key_sums: Any, value_sums: Any) -> None:
        self.keys, self.values, self.masked = keys, values, masked
        self.key_sums, self.value_sums = key_sums, value_sums


def _stream_sums(tensor: Any, salt: int) -> Any:
    """``[batch, heads, n, d]`` -> ``[batch × heads, n]`` row checksums (salt 0 for keys, 1 for values)."""
    sums = row_hashes(tensor, salt)
    return sums.reshape(-1, int(sums.shape[-1]))


def _cat(a: Any, b: Any) -> Any:
    import torch

    return torch.cat([a, b], dim=-1)


class PressRecorder(GenerationRecorder):
    """Follows a model's KV cache, per layer and KV head, through the hooks of a kvpress press.

    Streams are layers × KV heads; one trace per batch row. Use `record_press` for ``model.generate``; or::

        recorder = PressRecorder(writer, model, press)  # press=None: the full cache, same streams
        recorder.begin(sample="17")                  # method, press, layers, heads, ... filled in
        with press(model), recorder:                 # in either order
            out = model.generate(input_ids, max_new_tokens=64)
        recorder.finish(out, correct=True)           # end, with the press's compression_ratio

    kvpress's pipeline (``pipeline("kv-press-text-generation", model=model, ...)``) works the same way, with
    ``finish()`` given no output: the context is the prefill step, each question a prompt step (prefill
    phase), every answer token a decode step (the last one, which the pipeline never feeds back, too), and
    the pipeline's removal of each answer from the cache an ``evict``.
    """

    def __init__(self, writer: TraceWriter, model: Any, press: Any = None, *, record_tokens: bool = True,
                 eos_token_id: Any = "config") -> None:
        super().__init__(writer, model, per_head=True, record_tokens=record_tokens, eos_token_id=eos_token_id)
        self.press = press
        self.inner = _language_model(model)
        self.attention = [layer.self_attn for layer in self.inner.layers]
        if len(self.attention) != self.layers:
            raise RecorderError("the model has %d attention layers, its config %d" % (len(self.attention), self.layers))
        self.ambiguous = 0
        self._seen: Dict[int, _Seen] = {}
        self._pending: Optional[Tuple[int, Any, _Seen]] = None
        self._outer_depth = 0
        self.pipeline = False  # set when a pass runs the inner model alone, as kvpress's pipeline prefills
        self._next_token: Optional[int] = None  # pipeline: the greedy token of the last pass, not yet fed back
        self._last_cache: Any = None

    def begin(self, samples: Optional[Sequence[Any]] = None, **header: Any) -> None:
        """Prepares the traces. Filled in unless given: ``method`` (`press_name`), ``press`` (`press_parameters`;
        absent for the full cache), and what `GenerationRecorder.begin` fills in (``layers``, ``heads`` = KV heads,
        ``kv_bytes_per_token``, ``model``, ``recorder`` with kvpress's version)."""
        _refuse_merging(self.press)
        fields: Dict[str, Any] = {"method": press_name(self.press)}
        if self.press is not None:
            fields["press"] = press_parameters(self.press)
        fields.update(header)
        if "recorder" not in fields:
            info: Dict[str, Any] = {"name": "deptrace_recorder.kvpress", "version": __version__}
            for library in ("kvpress", "transformers", "torch"):
                found = _kvpress_version() if library == "kvpress" else (
                    str(getattr(sys.modules[library], "__version__", "unknown")) if library in sys.modules else None)
                if found is not None:
                    info[library] = found
            fields["recorder"] = info
        self._seen = {}
        self._pending = None
        self.ambiguous = 0
        self.pipeline = False
        self._next_token = None
        self._last_cache = None
        super().begin(samples=samples, **fields)

    def finish(self, output: Any = None, row_claims: Optional[Sequence[Dict[str, Any]]] = None, **claims: Any) -> None:
        """Records the tokens never fed back, then ``end``: the press's ``compression_ratio`` (unless given; what
        the press declares, or for presses that compute it, what they computed), then `claims`."""
        fields: Dict[str, Any] = {}
        ratio = declared_compression_ratio(self.press)
        if ratio is not None:
            fields["compression_ratio"] = ratio
        fields.update(claims)
        if self.pipeline and self.rows:
            self._feed_next_token()
            if self._last_cache is not None and self._seen:
                self._between_passes(self._last_cache)  # the answer the pipeline removed after the last question
        super().finish(output, row_claims=row_claims, **fields)

    # -- hooks ---------------------------------------------------------------------

    def attach(self) -> None:
        """Installs hooks on the inner model (every pass, the pipeline's prefill too), on the outer model (which
        passes come through it, their logits) and, on every attention layer, a hook that runs before the press's."""
        if self._handles:
            return
        if not self._began:
            raise RecorderError("call begin() before attaching the recorder")
        self._handles.append(self.inner.register_forward_pre_hook(self._before_forward, with_kwargs=True))
        self._handles.append(self.inner.register_forward_hook(self._after_forward, with_kwargs=True))
        if self.inner is not self.model:
            self._handles.append(self.model.register_forward_pre_hook(self._before_outer, with_kwargs=True))
            self._handles.append(self.model.register_forward_hook(self._after_outer, with_kwargs=True))
        for layer, module in enumerate(self.attention):
            hook = (lambda module, args, kwargs, output, layer=layer: self._after_attention(layer, module, kwargs))
            self._handles.append(module.register_forward_hook(hook, with_kwargs=True, prepend=True))

    def _before_outer(self, module: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        self._outer_depth += 1

    def _after_outer(self, module: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any], output: Any) -> None:
        self._outer_depth -= 1
        if self.pipeline:
            logits = getattr(output, "logits", None)
            if logits is None or int(logits.shape[0]) != 1:
                raise RecorderError("kvpress pipeline: the model returned no logits for one row")
            self._next_token = int(logits[0, -1].argmax())  # the pipeline decodes greedily

    def _feed_next_token(self) -> None:
        """Pipeline: the answer token the last pass chose and the pipeline never fed back (its last, or the end
        of sequence) is a decode step reading the cache as that pass left it."""
        if self._next_token is None:
            return
        token, self._next_token = self._next_token, None
        self._row_step(self.rows[0], 1, [token] if self.record_tokens else None, "decode")

    def _before_forward(self, module: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        if self._outer_depth == 0 and self.inner is not self.model:
            if self.rows:
                raise RecorderError("the inner model ran alone after the first pass: only kvpress's pipeline "
                                    "does that, for its context, first")
            self.pipeline = True
        cache = _cache_argument(kwargs)
        if self.pipeline and self.rows:
            input_ids = kwargs.get("input_ids")
            n = int(input_ids.shape[1]) if input_ids is not None else 0
            fed = int(input_ids[0, 0]) if input_ids is not None and n == 1 else None
            if self._next_token is not None and not (n == 1 and fed == self._next_token):
                self._feed_next_token()
            self._next_token = None
        if cache is not None and self._seen:
            self._between_passes(cache)
        if cache is not None:
            self._last_cache = cache
        self._check_padding(kwargs)
        super()._before_forward(module, args, kwargs)

    def _check_padding(self, kwargs: Dict[str, Any]) -> None:
        """Refuses padding once a press has shortened the cache: transformers applies the attention_mask to the
        cache by slot position, and kvpress does not shorten the mask, so the mask then hides tokens the press
        kept and shows padding; what attention reads is no longer what the cache holds."""
        mask = kwargs.get("attention_mask")
        if mask is None or isinstance(mask, dict) or len(mask.shape) != 2 or not self.rows:
            return
        source = kwargs.get("input_ids")
        if source is None:
            source = kwargs.get("inputs_embeds")
        n = int(source.shape[1]) if source is not None else 0
        slots = self.rows[0].slots
        lengths = {slots[layer * self.kv_heads].count for layer in range(self.layers)}
        if lengths != {int(mask.shape[1]) - n} and bool((mask == 0).any()):
            raise RecorderError(
                "%s shortened the cache of a padded batch: transformers applies the attention_mask (%d positions) "
                "to the cache (%s entries) slot by slot, so padding and kept tokens are mixed up in attention; "
                "record padded batches without a press, or one row at a time without padding"
                % (press_name(self.press), int(mask.shape[1]) - n, "/".join(str(v) for v in sorted(lengths))))

    def _pass_phase(self, n: int) -> Optional[str]:
        if self.pipeline and self.rows:
            return "prefill" if n > 1 else "decode"  # a question: prompt tokens; an answer token: output
        return None

    def _after_forward(self, module: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any], output: Any) -> None:
        self._settle()
        super()._after_forward(module, args, kwargs, output)

    def _after_attention(self, layer: int, module: Any, kwargs: Dict[str, Any]) -> None:
        """The layer's attention has appended this pass's tokens; no press hook of this layer has run yet."""
        self._settle()
        cache = _cache_argument(kwargs)
        if cache is None:
            raise RecorderError("layer %d's attention got no KV cache: record with use_cache=True" % layer)
        cache_layer = self._cache_layer(cache, layer)
        expected = self.rows[0].slots[layer * self.kv_heads].count
        held = int(cache_layer.keys.shape[-2])
        if held != expected:
            raise RecorderError(
                "layer %d: the cache holds %d positions after this pass's attention, the recorder expected %d: it "
                "changed where the recorder could not follow it" % (layer, held, expected))
        seen = self._seen.get(layer)
        keys, values = cache_layer.keys, cache_layer.values
        old = 0 if seen is None else int(seen.key_sums.shape[-1])
        if seen is not None and 0 < old <= held:  # checksum only the entries this pass appended
            key_sums = _cat(seen.key_sums, _stream_sums(keys[:, :, old:], 0))
            value_sums = _cat(seen.value_sums, _stream_sums(values[:, :, old:], 1))
        else:
            key_sums, value_sums = _stream_sums(keys, 0), _stream_sums(values, 1)
        before = _Seen(keys, values, getattr(module, "masked_key_indices", None), key_sums, value_sums)
        self._seen[layer] = before
        self._pending = (layer, cache, before)

    def _settle(self) -> None:
        """Records what the press hooks did to the layer last seen before them."""
        if self._pending is None:
            return
        layer, cache, before = self._pending
        self._pending = None
        self._follow_layer(layer, cache, before)

    def _between_passes(self, cache: Any) -> None:
        for layer, seen in list(self._seen.items()):
            self._follow_layer(layer, cache, seen)

    def _cache_layer(self, cache: Any, layer: int) -> Any:
        layers = getattr(cache, "layers", None)
        if layers is None or layer >= len(layers):
            raise RecorderError("the recorder follows caches with per-layer tensors (transformers >= 4.54 Cache.layers)")
        cache_layer = layers[layer]
        kind = type(cache_layer).__name__
        if "Quantized" in kind or "Sliding" in kind or kind.startswith("Static"):
            raise RecorderError("layer %d is a %s: the recorder follows dynamic full-attention layers only" % (layer, kind))
        if getattr(cache_layer, "keys", None) is None or getattr(cache_layer, "values", None) is None:
            raise RecorderError("layer %d of the cache holds no keys" % layer)
        return cache_layer

    def _follow_layer(self, layer: int, cache: Any, before: _Seen) -> None:
        cache_layer = self._cache_layer(cache, layer)
        keys, values = cache_layer.keys, cache_layer.values
        masked = getattr(self.attention[layer], "masked_key_indices", None)
        changed = keys is not before.keys or values is not before.values
        if not changed and masked is before.masked:
            return
        key_sums, value_sums = before.key_sums, before.value_sums
        heads = self.kv_heads
        if changed:
            key_sums, value_sums = _stream_sums(keys, 0), _stream_sums(values, 1)
            same = tuple(key_sums.shape) == tuple(before.key_sums.shape) and bool(
                (key_sums == before.key_sums).all()) and bool((value_sums == before.value_sums).all())
            if not same:
                indices, ambiguous = _match_streams(before.key_sums, before.value_sums, key_sums, value_sums,
                                                    "%s, layer %d" % (press_name(self.press), layer), heads)
                if ambiguous:
                    self.ambiguous += ambiguous
                    for row in self.rows:
                        if not row.ended:
                            row.writer.mark("deptrace_recorder.kvpress: layer %d: %d kept entries equal other entries "
                                            "in their values (keys rewritten): their ids are inferred from cache order"
                                            % (layer, ambiguous))
                for row in self.rows:
                    self._prune_heads(row, layer, indices[row.index * heads:(row.index + 1) * heads])
        if masked is not None or before.masked is not None:
            per_row = masked_slots(masked, heads, len(self.rows))
            for row in self.rows:
                for head in range(heads):
                    stream = layer * heads + head
                    slots = row.slots[stream]
                    kept = per_row[row.index][head]
                    if any(not 0 <= slot < slots.count for slot in kept):
                        raise RecorderError("layer %d: masked_key_indices names slots beyond the %d the cache holds"
                                            % (layer, slots.count))
                    slots.hidden = slots.slot_ids(kept) if kept else IntervalSet()
                    if not row.ended:
                        row.writer.visible(slots.visible(), stream=stream, masked=True)
        self._seen[layer] = _Seen(keys, values, masked, key_sums, value_sums)

    def _follow(self, stream: int, length: int) -> None:
        for row in self.rows:
            if length != row.slots[stream].count:
                raise RecorderError("stream %d: the cache holds %d positions, the recorder followed %d"
                                    % (stream, length, row.slots[stream].count))

    def _rolled_back(self, cache: Any) -> None:
        pass  # cuts between passes are followed entry by entry (_between_passes)


def _refuse_merging(press: Any) -> None:
    """Refuses, before anything is recorded, the presses known to merge evicted entries into kept ones."""
    if press is None:
        return
    stack = [press]
    while stack:
        current = stack.pop()
        if type(current).__name__ in _MERGING_PRESSES:
            raise RecorderError("%s merges the entries it evicts into the ones it keeps, so kept entries no longer "
                                "hold one token each: the recorder cannot record it (%s)"
                                % (type(current).__name__, press_name(press)))
        if dataclasses.is_dataclass(current):
            for field in dataclasses.fields(current):
                value = getattr(current, field.name, None)
                if _is_press(value):
                    stack.append(value)
                elif isinstance(value, (list, tuple)):
                    stack.extend(v for v in value if _is_press(v))


#: Presses refused by name before recording; any other press that changes kept entries is caught by the
#: checksums of the kept entries (`_match_streams`) and refused then, naming it.
_MERGING_PRESSES = frozenset({"MergingPress"})


def record_press(writer: TraceWriter, model: Any, input_ids: Any, press: Any = None, *,
                 header: Optional[Dict[str, Any]] = None, claims: Optional[Dict[str, Any]] = None,
                 samples: Optional[Sequence[Any]] = None, record_tokens: bool = True, **generate_kwargs: Any) -> Any:
    """Runs ``model.generate(input_ids, **generate_kwargs)`` under ``press(model)`` (none for None) and writes one
    trace per batch row (padding, given as ``attention_mask``, is never a token).

    Returns what ``generate`` returned. `header` and `claims` add to (or override) what `PressRecorder` fills in;
    `samples`: a sample id per row. Refused before anything is written: what `check_generate_kwargs` refuses.
    """
    if check_generate_kwargs(model, generate_kwargs) != 1 and samples is not None:
        raise RecorderError("record_press: give samples per returned sequence with num_return_sequences")
    recorder = PressRecorder(writer, model, press, record_tokens=record_tokens,
                             eos_token_id=generation_eos(model, generate_kwargs))
    recorder.prompt_length = int(input_ids.shape[-1])
    recorder.begin(samples=samples, **(header or {}))
    with recorder:
        if press is None:
            output = model.generate(input_ids, **generate_kwargs)
        else:
            with press(model):
                output = model.generate(input_ids, **generate_kwargs)
    recorder.finish(output, **(claims or {}))
    return output
