"""The store behaves the same on SQLite and PostgreSQL (each test runs on both)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from aiwatch.ingest import ingest, write_items
from aiwatch.records import RawItem, Skipped
from aiwatch.store import Store, insert_rows, now, resolve_url
from aiwatch.store import schema as t
from tests.conftest import ROOT, STORY, new_pg_db


def distinct_text(seed: int, n_words: int = 200) -> str:
    """A text sharing no run of three words with another seed's: a different story."""
    rng = random.Random(seed)
    vocab = STORY.split()
    return " ".join(rng.choice(vocab) for _ in range(n_words))


def _items(n: int, prefix: str = "a") -> list[RawItem]:
    return [RawItem(ref=f"test:{i}", ext_id=f"{prefix}{i}", title=f"Story number {i}", text=distinct_text(i),
                    url=f"https://news.example.com/{prefix}/{i}", published="2024-05-01T10:00:00Z")
            for i in range(n)]


@pytest.fixture
def new_store_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a store nobody has opened yet: a new SQLite file, or a new PostgreSQL database."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    with new_pg_db() as url:
        yield url


def test_commands_started_together_on_a_new_store_all_open_it(new_store_url: str) -> None:
    # `aiwatch serve` and `aiwatch watch` started side by side: each finds no schema and builds it. Without
    # a lock the later ones died with "table ... already exists" (most tries, on both stores).
    code = "import sys; from aiwatch.store import Store; Store(sys.argv[1]); print('opened')"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, new_store_url], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], "\n".join(outputs)
    store = Store(new_store_url)
    assert store.revision() is not None and store.stats()["articles"] == 0
    store.close()


def _aiwatch(db: str, *args: str, log: Path | None = None) -> subprocess.Popen:
    out = log.open("w") if log else subprocess.PIPE
    return subprocess.Popen([sys.executable, "-m", "aiwatch", *args], stdout=out, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "AIWATCH_DB": db, "PYTHONPATH": str(ROOT)})


def test_two_ingests_of_the_same_articles_at_once_store_each_once(db_url: str) -> None:
    # A feed polled by `aiwatch watch` while someone ingests it by hand: both found an article new, and the
    # later insert died on the unique key (every try, on both stores). Now the later one finds them there.
    Store(db_url).close()
    procs = [_aiwatch(db_url, "ingest", "--sample", "--no-process") for _ in range(2)]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(outputs)
    assert sorted(o.split("ingested: ")[1].split(" new")[0] for o in outputs) == ["0", "300"], outputs
    store = Store(db_url)
    assert store.stats()["articles"] == 300 and len(store.sources()) == 1
    store.close()


def test_a_second_process_run_waits_for_the_first(db_url: str, tmp_path: Path) -> None:
    # Two runs at once (a cron job overlapping the last one) took the same pending articles, and the later
    # commit died on the stage marks' unique key. The second now waits, then finds nothing left to do.
    store = Store(db_url)
    write_items(store, _items(5), store.source_id("file", "test"))
    log = tmp_path / "second.log"
    with store.pipeline_lock():
        # A cron job that may overlap the last run can say not to wait: it does nothing and exits 0.
        skip = _aiwatch(db_url, "process", "--json", "--no-wait")
        out = skip.communicate(timeout=120)[0]
        assert skip.returncode == 0 and '"busy": true' in out and "nothing done (--no-wait)" in out, out
        assert store.count_pending("dedup.minhash.v1") == 5
        proc = _aiwatch(db_url, "process", "--json", log=log)
        try:
            deadline = time.monotonic() + 120
            while "waiting" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "another aiwatch run is processing this store: waiting" in log.read_text(), log.read_text()
            assert store.count_pending("dedup.minhash.v1") == 5  # it did wait
        except BaseException:
            proc.kill()
            raise
    assert proc.wait(timeout=300) == 0, log.read_text()
    assert store.count_pending("dedup.minhash.v1") == 0 and store.count_pending("classify.cascade.v1") == 0
    store.close()


def test_the_pipeline_lock_is_reentrant_and_let_go_when_its_holder_dies(db_url: str) -> None:
    store = Store(db_url)
    with store.pipeline_lock(), store.pipeline_lock():  # process() inside a caller's lock: no self-deadlock
        pass
    code = ("import os, sys; from aiwatch.store import Store; s = Store(sys.argv[1]); "
            "s.pipeline_lock().__enter__(); print('held', flush=True); os._exit(0)")
    held = subprocess.run([sys.executable, "-c", code, db_url], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "held" in held.stdout, held.stderr
    waited: list[bool] = []
    with store.pipeline_lock(waiting=lambda: waited.append(True)):  # the dead holder's lock is gone
        pass
    assert waited == []
    store.close()


def test_a_run_whose_postgresql_session_ended_lets_go_of_the_pipeline_without_an_error(db_url: str) -> None:
    # A server restart in the middle of a long run ends the session that held the lock: unlocking it at the end
    # raised, and turned a finished run into a failed one.
    from sqlalchemy import text

    if not db_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL session's advisory lock")
    store, admin = Store(db_url), Store(db_url)
    with store.pipeline_lock():
        with admin.transaction() as conn:
            holders = conn.execute(text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted")).scalars()
            assert [conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": p}).scalar() for p in holders]
    with admin.pipeline_lock(waiting=lambda: pytest.fail("the ended session's lock was still held")):
        pass
    store.close()
    admin.close()


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def declared(name, type_, *_args) -> bool:  # full-text tables and indexes live outside the metadata
        return not (name or "").endswith("_fts") and "_fts_" not in (name or "")

    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": declared})
        diff = compare_metadata(ctx, t.metadata)
    assert diff == []
    assert store.revision() == "0009"


def test_rows_written_in_bulk_read_back_as_an_insert_writes_them(store: Store) -> None:
    """``insert_rows`` (COPY on PostgreSQL) stores JSON, NULLs, bytes, dates and left-out defaults as a
    plain INSERT does."""
    write_items(store, _items(2), None)
    with store.engine.connect() as conn:
        a, b = conn.execute(select(t.articles.c.id).order_by(t.articles.c.id)).scalars().all()
    row = {"decided_by": "machine", "category": "incident", "scores": {"incident": 0.9, "unrelated": 0.1},
           "severity": None, "tags": {"harm_types": [{"label": "physical", "score": 0.5}]},
           "evidence": ["A \t\n 'quoted' \\ line."],
           "model": "m", "created_at": now(), "embedding": bytes(range(256)), "editor_id": None}
    with store.engine.begin() as conn:
        conn.execute(t.classifications.insert(), [{"article_id": a, **row}])
        insert_rows(conn, t.classifications, [{"article_id": b, **row}])
        insert_rows(conn, t.classifications, [])  # nothing to write
        insert_rows(conn, t.sources, [{"kind": "feed", "location": "https://example.org/feed", "created_at": now()}])
    with store.engine.connect() as conn:
        got = [dict(r) for r in conn.execute(select(t.classifications).order_by(t.classifications.c.article_id))
               .mappings()]
        source = conn.execute(select(t.sources).where(t.sources.c.location == "https://example.org/feed")).one()
    assert len(got) == 2
    for r in got:
        del r["id"], r["article_id"]
    assert got[0] == got[1]
    assert got[1]["embedding"] == bytes(range(256)) and got[1]["severity"] is None
    assert (source.consecutive_errors, source.items_seen, source.title) == (0, 0, None)  # defaults; NULL


def test_opening_twice_migrates_once_and_keeps_data(store: Store) -> None:
    write_items(store, _items(3), None)
    again = Store(store.url)
    assert again.stats()["articles"] == 3
    again.close()


def test_same_input_twice_changes_nothing(store: Store) -> None:
    first = write_items(store, _items(5), None)
    before = [dict(r) for r in store.iter_articles()]
    second = write_items(store, _items(5), None)
    after = [dict(r) for r in store.iter_articles()]
    assert (first.added, second.added, second.unchanged, second.updated) == (5, 0, 5, 0)
    assert before == after


def test_article_keeps_the_id_it_was_given(store: Store) -> None:
    write_items(store, _items(2, prefix="reuters-"), None)
    assert store.get_article("reuters-1").title == "Story number 1"


def test_changed_article_is_updated_and_queued_for_processing_again(store: Store) -> None:
    from aiwatch import pipeline

    write_items(store, _items(2), None)
    pipeline.process(store)
    assert store.count_pending("dedup.minhash.v1") == 0
    changed = _items(2)
    changed[1].title = "Corrected headline"
    report = write_items(store, changed, None)
    assert (report.updated, report.unchanged) == (1, 1)
    assert store.get_article("a1").title == "Corrected headline"
    assert store.count_pending("dedup.minhash.v1") == 1


def test_skipped_items_are_recorded_once_per_reason_and_place(store: Store) -> None:
    s = Skipped("ingest", "binary", "x.bin: binary content", "/data/x.bin")
    store.record_skipped([s])
    store.record_skipped([s])
    rows = store.skipped()
    assert [(r["stage"], r["reason"], r["ref"]) for r in rows] == [("ingest", "binary", "/data/x.bin")]


def test_stats_count_duplicates_once(store: Store) -> None:
    from aiwatch import pipeline

    items = _items(3)
    copy = RawItem(ref="copy", ext_id="copy-1", title="Syndicated", text=items[0].text,
                   url="https://other.example.org/copy")
    write_items(store, items + [copy], None)
    pipeline.process(store)
    stats = store.stats()
    assert stats["articles"] == 4
    assert stats["unique_articles"] == 3
    assert stats["duplicates"] == {"exact": 1, "near": 0}


def test_source_health_is_queryable(store: Store) -> None:
    sid = store.source_id("feed", "https://example.org/rss")
    assert store.source_id("feed", "https://example.org/rss") == sid
    store.update_source(sid, last_error="HTTP 500", consecutive_errors=2, items_seen=7)
    (src,) = store.sources()
    assert (src["location"], src["last_error"], src["consecutive_errors"], src["items_seen"]) == (
        "https://example.org/rss", "HTTP 500", 2, 7)


def test_aiid_sample_lands_with_incidents_linked(store: Store) -> None:
    from aiwatch.ingest import ingest_sample

    report = ingest_sample(store)
    assert report.added == 300 and not report.skipped
    with store.engine.connect() as conn:
        links = conn.execute(select(t.incident_articles)).all()
        uber = conn.execute(select(t.incidents).where(t.incidents.c.ext_id == "aiid:4")).mappings().one()
    assert len(links) == 300
    assert "Uber" in uber["title"] and uber["summary_machine"] is False
    assert uber["meta"]["aiid"]["alleged_deployer"] == ["uber"]
    again = ingest_sample(store)
    assert (again.added, again.unchanged) == (0, 300)


def test_bare_path_and_postgres_scheme_are_understood(tmp_path) -> None:
    assert resolve_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_ingest_of_files_works_on_every_backend(store: Store, tmp_path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps({"id": f"j{i}", "title": f"T{i}", "text": STORY[i:]}) for i in range(4)))
    report = ingest(store, [f])
    assert report.added == 4
    assert {a["ext_id"] for a in store.iter_articles()} == {"j0", "j1", "j2", "j3"}
