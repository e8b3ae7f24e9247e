"""Exports: the store's articles and incidents as JSONL or CSV, and incidents in AIID's own table shape.

CSV cells that a spreadsheet would run as a formula (starting with = + - @) are prefixed with a
quote: article titles are untrusted text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from aiwatch.store import Store, iso

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


def article_records(store: Store, *, include_text: bool = True) -> Iterator[dict[str, Any]]:
    for row in store.iter_articles(include_text=include_text):
        rec = {"id": row["ext_id"], "url": row["url"], "title": row["title"], "published": iso(row["published"]),
               "source": row["source"], "language": row["language"], "duplicate_of": row["duplicate_of"],
               "duplicate_kind": row["duplicate_kind"], "similarity": row["similarity"],
               "ingested_at": iso(row["ingested_at"])}
        if include_text:
            rec["text"] = row["text"]
        yield rec


def article_lines(store: Store, fmt: str = "jsonl", *, include_text: bool = True) -> Iterator[str]:
    """The article export as text, one record at a time (a CSV's header first): the web streams it."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    records = article_records(store, include_text=include_text)
    if fmt == "jsonl":
        yield from (json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
    else:
        yield from _csv_lines(list(ARTICLE_FIELDS) + (["text"] if include_text else []), records)


def export_articles(store: Store, out: TextIO, fmt: str = "jsonl", *, include_text: bool = True) -> int:
    """Write every article to `out`; returns how many."""
    return _write(out, article_lines(store, fmt, include_text=include_text), header=fmt == "csv")


def _write(out: TextIO, lines: Iterator[str], *, header: bool) -> int:
    """Write the lines; the number of records among them."""
    n = 0
    for line in lines:
        out.write(line)
        n += 1
    return max(0, n - header)


def _csv_lines(fields: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header, then each row, as CSV text (a row's quoted cells may hold line breaks)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields)
    writer.writeheader()
    yield _taken(buf)
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
        yield _taken(buf)


def _taken(buf: io.StringIO) -> str:
    """What the buffer holds, leaving it empty."""
    text = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return text


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


INCIDENT_CSV_FIELDS = ("id", "title", "summary", "category", "severity", "event_date", "first_seen", "last_seen",
                       "countries", "deployers", "developers", "harmed_parties", "systems", "responders", "amounts",
                       "tags",
                       "article_ids", "article_urls")


def incident_lines(store: Store, fmt: str = "jsonl") -> Iterator[str]:
    """The incident export as text, one incident at a time (a CSV's header first): the web streams it."""
    if fmt not in INCIDENT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(INCIDENT_FORMATS)}")
    records = incident_records(store)
    if fmt == "jsonl":
        yield from (json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
    elif fmt == "csv":
        yield from _csv_lines(list(INCIDENT_CSV_FIELDS), (_flat_row(rec) for rec in records))
    else:
        yield from _csv_lines(list(AIID_COLUMNS), (_aiid_row(rec) for rec in records))


def export_incidents(store: Store, out: TextIO, fmt: str = "jsonl") -> int:
    """Write every incident to `out` as JSONL, flat CSV, or AIID's incidents.csv shape; returns how many."""
    return _write(out, incident_lines(store, fmt), header=fmt != "jsonl")


def _by_role(rec: dict[str, Any]) -> dict[str, list[str]]:
    by_role: dict[str, list[str]] = {}
    for e in rec["entities"]:
        by_role.setdefault(e["role"], []).append(e["name"])
    return by_role


def _originals(rec: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in rec["articles"] if not a["duplicate_of"]]


def _flat_row(rec: dict[str, Any]) -> dict[str, Any]:
    by_role, originals = _by_role(rec), _originals(rec)
    return {
        "id": rec["id"], "title": rec["title"], "summary": rec["summary"], "category": rec["category"],
        "severity": rec["severity"], "event_date": rec["event_date"], "first_seen": rec["first_seen"],
        "last_seen": rec["last_seen"], "countries": "; ".join(rec["countries"]),
        "deployers": "; ".join(by_role.get("deployer", [])),
        "developers": "; ".join(by_role.get("developer", [])),
        "harmed_parties": "; ".join(by_role.get("harmed_party", [])),
        "systems": "; ".join(by_role.get("implicated_system", [])),
        "responders": "; ".join(by_role.get("responder", [])),
        "amounts": "; ".join(f"{a['value']:.0f} {a['currency']}" + (f" ({a['party']})" if a["party"] else "")
                             for a in rec["amounts"]),
        "tags": json.dumps(rec["tags"], ensure_ascii=False),
        "article_ids": " ".join(a["id"] for a in originals),
        "article_urls": " ".join(a["url"] or "" for a in originals)}


def _aiid_row(rec: dict[str, Any]) -> dict[str, Any]:
    by_role, originals = _by_role(rec), _originals(rec)
    return {
        "incident_id": rec["id"], "date": rec["event_date"],
        "reports": json.dumps([a["id"] for a in originals]),
        "alleged_deployer": json.dumps([_slug(x) for x in by_role.get("deployer", [])]),
        "alleged_developer": json.dumps([_slug(x) for x in by_role.get("developer", [])]),
        "alleged_harmed_parties": json.dumps([_slug(x) for x in by_role.get("harmed_party", [])]),
        "description": rec["summary"] or "", "title": rec["title"]}
