"""The transformers recorder's logic, driven without torch: what it writes for given cache observations."""

import io

import pytest

from deptrace_recorder import TraceWriter
from deptrace_recorder.hf import GenerationRecorder, RecorderError, cache_layer_lengths, kv_bytes_per_token


class Config:
    model_type = "toy"
    _name_or_path = ""
    num_hidden_layers = 2
    num_attention_heads = 4
    num_key_value_heads = 2
    hidden_size = 32


class DType:
    itemsize = 2


class Model:
    config = Config()
    dtype = DType()


class Shape:
    def __init__(self, *shape):
        self.shape = shape


def recorder(**options):
    buffer = io.BytesIO()
    writer = TraceWriter(buffer)
    rec = GenerationRecorder(writer, Model(), **options)
    return buffer, writer, rec


def body(buffer):
    return buffer.getvalue().decode("utf-8").split("\n")[1:-1]


def test_header_defaults_fill_what_the_caller_did_not_give():
    import json

    buffer, writer, rec = recorder()
    rec.begin(method="vanilla", sample="3", model="mine")
    assert buffer.getvalue() == b""  # nothing is written before finish()
    rec.on_step(1)
    rec.on_cache([1, 1])
    rec.finish()
    header = json.loads(buffer.getvalue().decode("utf-8").split("\n")[0])
    versions = header.pop("recorder")
    assert list(header.items()) == [("deptrace", 1), ("method", "vanilla"), ("sample", "3"), ("model", "mine"),
                                    ("layers", 1), ("heads", 1), ("kv_bytes_per_token", 128)]
    assert versions["name"] == "deptrace_recorder.hf" and versions["version"] == "0.1.0"
    assert kv_bytes_per_token(Model()) == 2 * 2 * 2 * 8 * 2  # K and V × layers × KV heads × head dim × 2 bytes


def test_full_cache_prefill_decodes_and_the_last_token():
    buffer, writer, rec = recorder()
    rec.begin()
    rec.on_step(4, [1, 2, 3, 4])
    rec.on_cache([4, 4])
    rec.on_step(1, [5])
    rec.on_cache([5, 5])

    class Output:
        class sequences:  # noqa: N801  (a stand-in for a tensor)
            shape = (1, 7)

            def __class_getitem__(cls, key):
                return type("Row", (), {"tolist": staticmethod(lambda: [5, 5, 6])})

    rec.finish(Output(), correct=True)
    assert body(buffer) == [
        '{"step":"prefill","q":[0,4],"tok":[1,2,3,4]}',
        '{"step":"decode","q":[4,1],"tok":[5]}',
        '{"step":"decode","q":[5,1],"tok":[5]}',
        '{"step":"decode","q":[6,1],"tok":[6]}',
        '{"end":{"correct":true}}',
    ]


def test_sliding_window_keeps_the_most_recent():
    buffer, writer, rec = recorder(record_tokens=False)
    rec.begin()
    rec.on_step(5)
    rec.on_cache([3, 3])  # a window of 4 keeps the last 3 between passes
    rec.on_step(1)
    rec.on_cache([3, 3])
    rec.finish()
    assert body(buffer) == [
        '{"step":"prefill","q":[0,5]}',
        '{"evict":[[0,2]]}',
        '{"step":"decode","q":[5,1]}',
        '{"evict":[[2,3]]}',
        '{"end":{}}',
    ]


def test_sinks_stay():
    buffer, writer, rec = recorder(sinks=2)
    rec.begin()
    rec.prompt_length = 6
    rec.on_step(3)  # a chunked prefill: both passes are prefill steps
    rec.on_cache([3, 3])
    rec.on_step(3)
    rec.on_cache([5, 5])
    for _ in range(2):
        rec.on_step(1)
        rec.on_cache([5, 5])
    assert rec.visible_ids().ranges() == [(0, 2), (5, 8)]
    rec.finish()
    assert body(buffer)[:-1] == [
        '{"step":"prefill","q":[0,3]}',
        '{"step":"prefill","q":[3,3]}',
        '{"evict":[[2,3]]}',
        '{"step":"decode","q":[6,1]}',
        '{"evict":[[3,4]]}',
        '{"step":"decode","q":[7,1]}',
        '{"evict":[[4,5]]}',
    ]


def test_layers_that_differ_need_per_layer():
    buffer, writer, rec = recorder()
    rec.begin()
    rec.on_step(6)
    with pytest.raises(RecorderError, match="per_layer=True"):
        rec.on_cache([6, 4])
    buffer, writer, rec = recorder(per_layer=True)
    rec.begin()
    rec.on_step(6)
    rec.on_cache([6, 4, None][:2])
    rec.finish()
    assert body(buffer)[1:-1] == ['{"evict":[[0,2]],"s":1}']


def test_a_cache_holding_more_than_was_created_is_refused():
    buffer, writer, rec = recorder()
    rec.begin()
    rec.on_step(2)
    with pytest.raises(RecorderError, match="cannot follow"):
        rec.on_cache([5, 5])


def test_per_head_prune_follows_slot_order():
    buffer, writer, rec = recorder(per_head=True)
    rec.begin()
    assert rec.stream_count == 4
    rec.on_step(6)
    rec.on_cache([6, 6])
    # layer 0: head 0 keeps slots 5, 0, 2 (in that order), head 1 keeps 1, 2, 3; the shape of a kvpress top-k
    rec.prune(0, [[[5, 0, 2], [1, 2, 3]]])
    rec.on_step(1)
    rec.on_cache([4, 7])
    # The cache of head 0 is now ids [5, 0, 2, 6]: slots 0 and 3 are ids 5 and 6.
    rec.prune(0, [[0, 3], [0, 1]])
    rec.prune(1, [[0, 1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0]], masked=True)  # nothing hidden
    rec.prune(1, [[6], [0, 1]], masked=True)
    rec.on_step(1)
    rec.on_cache([3, 8])
    assert rec.visible_ids(0).ranges() == [(5, 8)]
    assert rec.resident_ids(2).ranges() == [(0, 8)] and rec.visible_ids(2).ranges() == [(6, 8)]
    with pytest.raises(RecorderError, match="one row of indices per KV head"):
        rec.prune(0, [[0]])
    with pytest.raises(RecorderError, match="distinct slots"):
        rec.prune(0, [[0, 0], [0, 1]])
    rec.finish()
    assert body(buffer)[:-1] == [
        '{"step":"prefill","q":[0,6]}',
        '{"evict":[[1,2],[3,5]],"s":0}',
        '{"evict":[[0,1],[4,6]],"s":1}',
        '{"step":"decode","q":[6,1]}',
        '{"evict":[[0,1],[2,3]],"s":0}',
        '{"evict":[[3,4],[6,7]],"s":1}',
        '{"hide":[[0,6]],"s":2}',
        '{"hide":[[2,7]],"s":3}',
        '{"step":"decode","q":[7,1]}',
    ]


def test_prune_needs_per_head():
    buffer, writer, rec = recorder()
    rec.begin()
    rec.on_step(2)
    with pytest.raises(RecorderError, match="per_head=True"):
        rec.prune(0, [[0]])


def test_cache_layer_lengths_of_each_cache_shape():
    class Layer:
        def __init__(self, keys):
            self.keys = keys

    class NewCache:
        layers = [Layer(Shape(1, 2, 7, 8)), Layer(None), Layer(Shape(0))]

    class OldCache:
        key_cache = [Shape(1, 2, 5, 8)]

    assert cache_layer_lengths(NewCache()) == [7, None, 0]
    assert cache_layer_lengths(OldCache()) == [5]
    assert cache_layer_lengths(((Shape(1, 2, 4, 8), Shape(1, 2, 4, 8)),)) == [4]

    class StaticLayer(Layer):
        pass

    class StaticCache:
        layers = [StaticLayer(Shape(1, 2, 64, 8))]

    with pytest.raises(RecorderError, match="preallocates"):
        cache_layer_lengths(StaticCache())
    with pytest.raises(RecorderError, match="cannot read"):
        cache_layer_lengths(object())
