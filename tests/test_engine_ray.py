"""The Ray engine gives what the in-process engine gives, on a local Ray with 2 CPUs."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiwatch import pipeline
from aiwatch.store import Store

from .snapshots import corpus, snapshot

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'aiwatch[ray]')")


@pytest.mark.slow
def test_ray_engine_equals_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_db) -> None:
    from aiwatch import engine_ray
    from aiwatch.ingest import ingest, ingest_sample

    monkeypatch.setenv("AIWATCH_BATCH_SIZE", "64")  # several batches and chunks
    src = corpus(tmp_path / "news.jsonl")
    stores = {}
    for name in ("local", "ray"):
        store = Store(make_db(name))
        ingest_sample(store)
        ingest(store, [str(src)])
        if name == "local":
            pipeline.process(store)
        else:
            engine_ray.process(store, num_cpus=2)
        stores[name] = snapshot(store)
    ray.shutdown()
    local, remote = stores["local"], stores["ray"]
    assert len(local["articles"]) == 300 + 8 and len(local["incidents"]) > 50
    for key in local:
        assert remote[key] == local[key], key
