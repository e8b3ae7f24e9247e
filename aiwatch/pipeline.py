"""Stages and how `aiwatch process` runs them. Composition only: the work is in the stages.

A stage is a small contract (after spaCy's pipeline components):

* ``name`` — registered and versioned (``dedup.minhash.v1``), so a better stage can
  sit beside the old one and the pipeline names which it runs;
* ``requires`` / ``assigns`` — Article fields it reads and writes; the pipeline
  checks at start-up that every required field is assigned by ingest or an earlier stage;
* ``prepare(batch)`` (optional) — pure, per-article work (no store, no network, no state
  shared between batches): the part the Ray engine runs on workers (``engine_ray``);
* ``compute(batch)`` — what must run in order in the driver after ``prepare`` (for most
  stages nothing; for the cluster stage, assigning articles to incidents one after another);
* ``commit(conn, store, batch)`` — writes the results, inside the transaction that
  also marks the batch done, so a kill never leaves a half-processed batch;
* ``load(store, batch)`` (optional) — reads what the stage needs from the store besides the
  articles themselves (the cluster stage: effective labels, existing incidents) before ``compute``;
* ``finish(store)`` (optional) — after the last batch, even when there was none: work a stage
  defers across batches (the cluster stage rebuilds the incident records its batches marked stale),
  in transactions of its own, so a run killed before it leaves the marks for the next run.

`process` runs each stage, in order, over the articles it has not processed yet,
oldest first, one transaction per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from sqlalchemy import Connection

from aiwatch import config
from aiwatch.records import Article
from aiwatch.store import Store

# Fields every stored article has from ingest (extract.make_article).
INGEST_FIELDS = frozenset({"ext_id", "title", "text", "url", "source", "published", "language",
                           "content_hash", "pk"})


class Stage(Protocol):
    name: ClassVar[str]
    requires: ClassVar[tuple[str, ...]]
    assigns: ClassVar[tuple[str, ...]]

    def compute(self, batch: list[Article]) -> list[Article]: ...

    def commit(self, conn: Connection, store: Store, batch: list[Article]) -> None: ...


STAGES: dict[str, Callable[[], Stage]] = {}
# The stages `aiwatch process` runs, in order. Later stages (classify, cluster) add themselves here.
DEFAULT_PIPELINE: list[str] = ["dedup.minhash.v1", "classify.cascade.v1", "cluster.online.v1"]


def register(name: str) -> Callable[[type], type]:
    """Class decorator: make a stage available to pipelines under a versioned name."""

    def deco(cls: type) -> type:
        STAGES[name] = cls
        return cls

    return deco


def _load_builtin_stages() -> None:
    from aiwatch import dedup  # noqa: F401  (registers itself)
    from aiwatch.classify import stage  # noqa: F401
    from aiwatch.cluster import stage as _cluster_stage  # noqa: F401


def build(names: Sequence[str] | None = None) -> list[Stage]:
    """Instantiate the named stages, checking that each one's inputs exist."""
    _load_builtin_stages()
    names = list(names or DEFAULT_PIPELINE)
    available = set(INGEST_FIELDS)
    stages = []
    for name in names:
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}; available: {', '.join(sorted(STAGES))}")
        stage = STAGES[name]()
        missing = set(stage.requires) - available
        if missing:
            raise ValueError(f"stage {name} needs {sorted(missing)}, which no earlier stage assigns; "
                             f"put the stage that assigns them first")
        available |= set(stage.assigns)
        stages.append(stage)
    return stages


def commit_batch(store: Store, stage: Stage, batch: list[Article]) -> None:
    """A stage's writes and its done-marks in one transaction: a kill never half-records a batch."""
    with store.transaction() as conn:
        stage.commit(conn, store, batch)
        store.mark_done(conn, stage.name, [a.pk for a in batch if a.pk is not None])


@dataclass
class ProcessReport:
    processed: dict[str, int] = field(default_factory=dict)


def process(store: Store, stages: Sequence[str] | None = None, *, batch_size: int | None = None,
            progress: Callable[[str, int, int], Any] | None = None) -> ProcessReport:
    """Run the pipeline's stages over every article each has not processed yet.

    ``progress(stage_name, done, total)`` is called after each batch (the CLI draws a bar).
    Safe to interrupt: a rerun carries on from the last committed batch.
    """
    batch_size = batch_size or config.get("batch_size")
    report = ProcessReport()
    for stage in build(stages):
        total = store.count_pending(stage.name)
        done, last = 0, 0
        if progress:
            progress(stage.name, 0, total)
        while True:
            batch = store.pending(stage.name, batch_size, after_id=last)
            if not batch:
                break
            last = batch[-1].pk or last
            if hasattr(stage, "load"):
                stage.load(store, batch)
            if hasattr(stage, "prepare"):
                batch = stage.prepare(batch)
            commit_batch(store, stage, stage.compute(batch))
            done += len(batch)
            if progress:
                progress(stage.name, done, max(total, done))
        if hasattr(stage, "finish"):
            stage.finish(store)
        report.processed[stage.name] = done
    return report
