"""What a processed store holds, for tests that compare two ways of processing the same input."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from aiwatch.export import article_records
from aiwatch.store import Store
from aiwatch.store import schema as t


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
