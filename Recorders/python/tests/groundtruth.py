"""Ground truth from the model itself, and a plain replay of recorded traces, for the integration tests.

`Truth` hooks a model (eager attention) and keeps, for every forward pass: the real (unpadded) tokens each
batch row fed, the number of positions each layer's cache held before the pass, and, for each layer and
attention head, how many keys the row's last query of the pass attended with a weight > 0.

`replay` reads a JSON Lines trace file into one `Trace` per trace: its steps, with each stream's visible
and resident ids just before the step, and the final sets. The tests then hold one against the other.
"""

import json


class Truth:
    def __init__(self, model):
        self.model = model
        self.active = False  # inside a pass of the outer model (kvpress's pipeline prefills with model.model alone)
        self.passes = []  # dicts: n, masks [rows][n], tokens, cache_before [layer], attended [layer] -> [rows][heads]
        self.handles = []

    def __enter__(self):
        self.handles.append(self.model.register_forward_pre_hook(self._before, with_kwargs=True))
        self.handles.append(self.model.register_forward_hook(self._after))
        inner = getattr(self.model, "model", self.model)
        for layer, block in enumerate(inner.layers):
            self.handles.append(block.self_attn.register_forward_hook(
                lambda module, args, kwargs, output, layer=layer: self._attention(layer, output), with_kwargs=True))
        return self

    def __exit__(self, *exc):
        for handle in self.handles:
            handle.remove()

    def _after(self, module, args, output):
        self.active = False

    def _before(self, module, args, kwargs):
        self.active = True
        ids = kwargs.get("input_ids")
        source = ids if ids is not None else kwargs["inputs_embeds"]
        rows, n = int(source.shape[0]), int(source.shape[1])
        mask = kwargs.get("attention_mask")
        cache = kwargs.get("past_key_values", kwargs.get("cache"))
        lengths = []
        if cache is not None and getattr(cache, "layers", None):
            for layer in cache.layers:
                keys = getattr(layer, "keys", None)
                lengths.append(int(keys.shape[-2]) if keys is not None and keys.dim() == 4 else 0)
        self.passes.append({
            "n": n,
            "masks": [[1] * n for _ in range(rows)] if mask is None else (mask[:, -n:] != 0).int().tolist(),
            "pads_before": [0] * rows if mask is None else (mask[:, :-n] == 0).sum(-1).tolist(),
            "tokens": None if ids is None else ids.tolist(),
            "cache_before": lengths,
            "attended": {},
        })

    def _attention(self, layer, output):
        if not self.active:
            return
        weights = output[1]
        assert weights is not None, "record the ground truth with attn_implementation='eager'"
        current = self.passes[-1]
        masks = current["masks"]
        rows = []
        for row in range(int(weights.shape[0])):
            real = [i for i, m in enumerate(masks[row]) if m]
            last = real[-1] if real else int(weights.shape[2]) - 1
            rows.append((weights[row, :, last] > 0).sum(-1).tolist())  # per attention head
        current["attended"][layer] = rows


class Step:
    def __init__(self, record, visible, resident):
        self.phase = record["step"]
        self.first, self.queries = record["q"]
        self.tok = record.get("tok")
        self.visible_before = visible
        self.resident_before = resident


class Trace:
    def __init__(self, header):
        self.header = header
        self.streams = header.get("layers", 1) * header.get("heads", 1)
        self.steps = []
        self.visible = [set() for _ in range(self.streams)]
        self.resident = [set() for _ in range(self.streams)]
        self.tokens = {}
        self.end = None

    def ids(self, ranges):
        return {i for start, end in ranges for i in range(start, end)}

    def apply(self, record):
        if "step" in record:
            self.steps.append(Step(record, [set(v) for v in self.visible], [set(r) for r in self.resident]))
            first, n = record["q"]
            for stream in range(self.streams):
                self.visible[stream].update(range(first, first + n))
                self.resident[stream].update(range(first, first + n))
            for offset, token in enumerate(record.get("tok") or []):
                self.tokens[first + offset] = token
            return
        if "end" in record:
            self.end = record["end"]
            return
        for kind in ("evict", "hide", "show", "add"):
            if kind in record:
                streams = [record["s"]] if "s" in record else range(self.streams)
                ids = self.ids(record[kind])
                for stream in streams:
                    if kind == "evict":
                        self.visible[stream] -= ids
                        self.resident[stream] -= ids
                    elif kind == "hide":
                        self.visible[stream] -= ids
                    elif kind == "show":
                        self.visible[stream] |= ids
                    else:
                        self.visible[stream] |= ids
                        self.resident[stream] |= ids

    def final_tokens(self, stream=0):
        return [self.tokens[i] for i in sorted(self.resident[stream])]


def replay(path):
    traces = []
    for line in open(path, encoding="utf-8"):
        record = json.loads(line)
        if "deptrace" in record:
            traces.append(Trace(record))
        else:
            traces[-1].apply(record)
    return traces


def steps_of_passes(trace, truth, row, passes=None):
    """Pairs each pass the row took part in with the steps that recorded it (a pass may be split in two where
    the prompt ends); returns [(pass, [steps])], and the steps left over (the tokens never fed back)."""
    pairs = []
    steps = list(trace.steps)
    for current in truth.passes if passes is None else passes:
        real = sum(current["masks"][row])
        taken, count = [], 0
        while steps and count < real:
            taken.append(steps.pop(0))
            count += taken[-1].queries
        if count != real:
            break  # the row ended before this pass
        pairs.append((current, taken))
    return pairs, steps


def check_against_truth(trace, truth, row, streams_per_layer=1, kv_groups=1, passes=None):
    """Every pass: each stream's resident ids before it are as many as its layer's cache held (minus padding),
    and the row's last query attended (weight > 0) exactly the visible ids plus the queries of its pass."""
    pairs, rest = steps_of_passes(trace, truth, row, passes)
    assert pairs, "no pass of row %d was recorded" % row
    for index, (current, steps) in enumerate(pairs):
        first = steps[0]
        queries = sum(step.queries for step in steps)
        for layer, per_row in current["attended"].items():
            for head, attended in enumerate(per_row[row]):
                stream = layer * streams_per_layer + (head // kv_groups if streams_per_layer > 1 else 0)
                if trace.streams == 1:
                    stream = 0
                assert len(first.visible_before[stream]) + queries == attended, (
                    "pass %d, layer %d, head %d: the trace has %d visible + %d queries, the model attended %d keys"
                    % (index, layer, head, len(first.visible_before[stream]), queries, attended))
            if current["cache_before"]:
                held = current["cache_before"][layer] - current["pads_before"][row]
                for stream in range(layer * streams_per_layer, (layer + 1) * streams_per_layer):
                    if trace.streams == 1:
                        stream = 0
                    assert len(first.resident_before[stream]) == held, (
                        "pass %d, layer %d: the trace holds %d ids, the cache %d positions"
                        % (index, layer, len(first.resident_before[stream]), held))
    return pairs, rest
