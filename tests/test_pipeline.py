"""How `aiwatch process` runs the stages: worker processes change where the work runs, not what it gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiwatch import pipeline
from aiwatch.ingest import ingest, ingest_sample
from aiwatch.store import Store

from .snapshots import corpus, snapshot


@pytest.mark.slow
def test_worker_processes_give_what_one_process_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      make_db) -> None:
    monkeypatch.setenv("AIWATCH_BATCH_SIZE", "64")  # several batches in flight at once
    src = corpus(tmp_path / "news.jsonl")
    stores = {}
    for workers in (1, 2):
        store = Store(make_db(f"w{workers}"))
        ingest_sample(store)
        ingest(store, [str(src)])
        report = pipeline.process(store, workers=workers)
        assert set(report.processed.values()) == {300 + 8}
        stores[workers] = snapshot(store)
    one, two = stores[1], stores[2]
    assert len(one["articles"]) == 300 + 8 and len(one["incidents"]) > 50
    for key in one:
        assert two[key] == one[key], key


def test_workers_are_one_per_cpu_when_asked_for_with_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert pipeline.worker_count(0) == 6
    assert pipeline.worker_count(3) == 3
