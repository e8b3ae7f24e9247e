"""Plain records passed between pipeline stages.

Stages exchange these dataclasses, never ORM objects, so that every stage can be
used (and tested) on its own, and so that a batch can cross a process boundary
(the Ray engine) as plain data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class RawItem:
    """One document as a source gave it, before cleaning.

    `ref` says where it came from (``feed.xml#entry-3``, ``data.jsonl:17``) so that a
    skipped item can be found again by a person.
    """

    ref: str
    title: str | None = None
    text: str | None = None
    html: str | None = None
    url: str | None = None
    published: Any = None
    source: str | None = None
    ext_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Article:
    """A cleaned article: the unit every later stage works on.

    ``ext_id`` is the identifier the article was given at ingest (or derived from its
    URL or content when none was given); it is the id shown in every export.
    ``pk`` is the store's internal key, set once the article is stored.
    """

    ext_id: str
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published: datetime | None = None
    language: str | None = None
    language_score: float | None = None
    content_hash: str = ""
    ref: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    pk: int | None = None
    duplicate_of: int | None = None
    duplicate_kind: str | None = None  # "exact" | "near"
    similarity: float | None = None
    minhash: bytes | None = None
    assessment: dict[str, Any] | None = None  # set by the classify stage: category, scores, tags, ...
    category: str | None = None  # the effective category (an editor's label wins), read for the cluster stage
    incident: Any = None  # the incident the cluster stage put the article in (id, or a new incident's label)
    # The encoder's vector of title + lead (float32 bytes), where the classifier computed one: the cluster
    # stage reuses it rather than encoding the article twice.
    embedding: bytes | None = None
    facts: dict[str, Any] | None = None  # cluster stage: entities with roles, amounts, countries, vectors

    def replace(self, **changes: Any) -> Article:
        return dataclasses.replace(self, **changes)

    @property
    def published_precision(self) -> str | None:
        """"year" or "month" when the source gave no more of the date than that (``extract.parse_dated``);
        None for a day or finer, and for no date."""
        return (self.meta or {}).get("published_precision")


@dataclass
class Skipped:
    """An item a stage dropped (or a field it had to drop), and why.

    ``reason`` is a short stable code (``malformed_feed``, ``too_large``, ...);
    ``detail`` is the one-line message a person reads; ``ref`` locates the input.
    """

    stage: str
    reason: str
    detail: str
    ref: str


@dataclass
class IngestReport:
    """What one ingest call did. Counts are of articles, not of input files."""

    seen: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def merge(self, other: IngestReport) -> None:
        self.seen += other.seen
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped.extend(other.skipped)
