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


def test_a_long_stage_keeps_postgresqls_statistics_up_with_the_growing_store(store: Store, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # PostgreSQL plans by its statistics, and autovacuum may be slow or off: a stage refreshes them when it
    # starts (when it has at least STATS_BATCHES batches to do) and each time its committed batches double.
    from sqlalchemy import text

    lines = [f'{{"id": "s{i}", "title": "Story {i}", "text": "Report number {i} about a city council vote on '
             f'the budget for road number {i}, with quotes from {i} residents and the mayor."}}' for i in range(50)]
    (tmp_path / "s.jsonl").write_text("\n".join(lines) + "\n")
    ingest(store, [str(tmp_path / "s.jsonl")])
    refreshed: list[int] = []
    real = store.refresh_statistics
    monkeypatch.setattr(store, "refresh_statistics", lambda: (refreshed.append(store.table_counts()
                                                                               ["dedup_signatures"]), real()))
    pipeline.process(store, ["dedup.minhash.v1"], batch_size=5)
    assert refreshed == [0, 20, 40]  # before the first batch, after the 4th and after the 8th (of 10)
    if store.dialect == "postgresql":  # and the planner saw the table as it was then
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'dedup_signatures'")
                                ).scalar() == 40
