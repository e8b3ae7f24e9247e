"""Exports: the store's articles and incidents as JSONL or CSV, and incidents in AIID's own table shape.

CSV cells that a spreadsheet would run as a formula (starting with = + - @) are prefixed with a
quote: article titles are untrusted text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from aiwatch.store import Store, as_utc

# The stable article export: every line carries at least these keys.
ARTICLE_FIELDS = ("id", "url", "title", "published", "source", "language", "duplicate_of", "duplicate_kind",
                  "similarity", "ingested_at")
FORMATS = ("jsonl", "csv")
INCIDENT_FORMATS = ("jsonl", "csv", "aiid")
# The stable incident export: every JSONL line carries at least these keys.
INCIDENT_FIELDS = ("id", "title", "summary", "category", "severity", "tags", "entities", "amounts", "countries",
                   "articles")
# AIID's incidents.csv columns: the `aiid` format can be read back by `aiwatch ingest`.
AIID_COLUMNS = ("incident_id", "date", "reports", "alleged_deployer", "alleged_developer",
                "alleged_harmed_parties", "description", "title")


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()  # type: ignore[union-attr]
    return value


def article_records(store: Store, *, include_text: bool = True) -> Iterator[dict[str, Any]]:
    for row in store.iter_articles(include_text=include_text):
        rec = {"id": row["ext_id"], "url": row["url"], "title": row["title"], "published": _iso(row["published"]),
               "source": row["source"], "language": row["language"], "duplicate_of": row["duplicate_of"],
               "duplicate_kind": row["duplicate_kind"], "similarity": row["similarity"],
               "ingested_at": _iso(row["ingested_at"])}
        if include_text:
            rec["text"] = row["text"]
        yield rec


def export_articles(store: Store, out: TextIO, fmt: str = "jsonl", *, include_text: bool = True) -> int:
    """Write every article to `out`; returns how many."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    n = 0
    fields = list(ARTICLE_FIELDS) + (["text"] if include_text else [])
    writer = csv.DictWriter(out, fieldnames=fields) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for rec in article_records(store, include_text=include_text):
        if writer:
            writer.writerow({k: _cell(v) for k, v in rec.items()})
        else:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def _cell(value: Any) -> Any:
    """A CSV cell safe to open in a spreadsheet (no formula injection from untrusted titles)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def incident_records(store: Store, *, include_rejected: bool = False) -> Iterator[dict[str, Any]]:
    """Every incident (merged ones folded into their target), in id order, in the stable export shape; all of
    them as the store was when the first was read (``Store.snapshot``), however long the export takes."""
    from sqlalchemy import select

    from aiwatch.cluster.incident import record
    from aiwatch.store import schema as t

    statuses = ("merged",) if include_rejected else ("merged", "rejected")
    with store.snapshot() as conn:
        ids = conn.execute(select(t.incidents.c.id).where(t.incidents.c.status.not_in(statuses))
                           .order_by(t.incidents.c.id)).scalars().all()
        for inc_id in ids:
            rec = record(conn, inc_id)
            if rec is not None:
                yield rec


def _slug(name: str) -> str:
    import re

    return re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-")


def export_incidents(store: Store, out: TextIO, fmt: str = "jsonl") -> int:
    """Write every incident to `out` as JSONL, flat CSV, or AIID's incidents.csv shape; returns how many."""
    if fmt not in INCIDENT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(INCIDENT_FORMATS)}")
    n = 0
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=["id", "title", "summary", "category", "severity", "event_date",
                                                 "first_seen", "last_seen", "countries", "deployers", "developers",
                                                 "harmed_parties", "systems", "amounts", "tags", "article_ids",
                                                 "article_urls"])
    elif fmt == "aiid":
        writer = csv.DictWriter(out, fieldnames=list(AIID_COLUMNS))
    if writer:
        writer.writeheader()
    for rec in incident_records(store):
        n += 1
        by_role: dict[str, list[str]] = {}
        for e in rec["entities"]:
            by_role.setdefault(e["role"], []).append(e["name"])
        originals = [a for a in rec["articles"] if not a["duplicate_of"]]
        if fmt == "jsonl":
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer.writerow({k: _cell(v) for k, v in {
                "id": rec["id"], "title": rec["title"], "summary": rec["summary"], "category": rec["category"],
                "severity": rec["severity"], "event_date": rec["event_date"], "first_seen": rec["first_seen"],
                "last_seen": rec["last_seen"], "countries": "; ".join(rec["countries"]),
                "deployers": "; ".join(by_role.get("deployer", [])),
                "developers": "; ".join(by_role.get("developer", [])),
                "harmed_parties": "; ".join(by_role.get("harmed_party", [])),
                "systems": "; ".join(by_role.get("implicated_system", [])),
                "amounts": "; ".join(f"{a['value']:.0f} {a['currency']}" + (f" ({a['party']})" if a["party"] else "")
                                     for a in rec["amounts"]),
                "tags": json.dumps(rec["tags"], ensure_ascii=False),
                "article_ids": " ".join(a["id"] for a in originals),
                "article_urls": " ".join(a["url"] or "" for a in originals)}.items()})
        else:
            writer.writerow({k: _cell(v) for k, v in {
                "incident_id": rec["id"], "date": rec["event_date"],
                "reports": json.dumps([a["id"] for a in originals]),
                "alleged_deployer": json.dumps([_slug(x) for x in by_role.get("deployer", [])]),
                "alleged_developer": json.dumps([_slug(x) for x in by_role.get("developer", [])]),
                "alleged_harmed_parties": json.dumps([_slug(x) for x in by_role.get("harmed_party", [])]),
                "description": rec["summary"] or "", "title": rec["title"]}.items()})
    return n
