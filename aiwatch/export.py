"""Exports: the store's articles as JSONL or CSV. (Incidents join when the cluster stage exists.)"""

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
            writer.writerow(rec)
        else:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n
