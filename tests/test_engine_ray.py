"""The Ray engine gives what the in-process engine gives, on a local Ray with 2 CPUs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from aiwatch import pipeline
from aiwatch.export import article_records
from aiwatch.store import Store
from aiwatch.store import schema as t

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'aiwatch[ray]')")


def snapshot(store: Store) -> dict:
    arts = sorted((r["id"], r["duplicate_of"], r["duplicate_kind"]) for r in article_records(store, include_text=False))
    with store.engine.connect() as conn:
        a = t.articles.c
        labels = sorted(conn.execute(select(a.ext_id, t.classifications.c.category, t.classifications.c.scores,
                                            t.classifications.c.tags)
                                     .join(t.classifications, t.classifications.c.article_id == a.id)).all(),
                        key=lambda r: r[0])
        labels = [(x, c, json.dumps(s, sort_keys=True), json.dumps(tg, sort_keys=True)) for x, c, s, tg in labels]
        members: dict[int, list[str]] = {}
        for inc, ext in conn.execute(select(t.incident_articles.c.incident_id, a.ext_id)
                                     .join(t.articles, a.id == t.incident_articles.c.article_id)):
            members.setdefault(inc, []).append(ext)
        facts = sorted((ext, json.dumps(e, sort_keys=True)) for ext, e in conn.execute(
            select(a.ext_id, t.article_facts.c.entities).join(t.article_facts, t.article_facts.c.article_id == a.id)))
        titles = sorted(conn.execute(select(t.incidents.c.title, t.incidents.c.category)).all())
    return {"articles": arts, "labels": labels, "incidents": sorted(sorted(m) for m in members.values()),
            "facts": facts, "titles": titles}


def corpus(path: Path) -> Path:
    """News-like articles (several about one event, a syndicated copy) besides the AIID sample."""
    from .test_cluster import EVENTS

    rows = []
    for event, reports in EVENTS.items():
        for i, (title, text) in enumerate(reports):
            rows.append({"id": f"{event}-{i}", "title": title, "text": text, "published": f"2025-03-0{i + 1}"})
    rows.append({**rows[0], "id": "copy", "url": "https://mirror.example/a"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


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
