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
oldest first, one transaction per batch. With more than one worker (``--workers``), ``prepare``
runs in worker processes, a few batches ahead, while this process loads, computes and commits the
batches in their order: the same batches, order and writes as in one process, on every core.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
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
    processed: dict[str, int] = field(default_factory=dict)  # stage -> articles it processed
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall seconds, finish included

    def record(self, stage: str, done: int, started: float) -> None:
        self.processed[stage] = done
        self.seconds[stage] = round(time.perf_counter() - started, 1)

    def summary(self) -> str:
        return ", ".join(f"{k} {v} ({self.seconds.get(k, 0):.1f} s)" for k, v in self.processed.items())


# With workers=0 (one per CPU) a pool starts once a stage has this many batches to do: each worker
# loads the stage's models (spaCy, MiniLM, the classifier: seconds), more than a small run would save.
POOL_MIN_BATCHES = 4

_WORKER_STAGES: dict[str, Stage] = {}


def _worker_init() -> None:
    # One thread for each model in each worker: the workers share the cores between them (ONNX Runtime
    # reads this through encoders._threads; two processes with two threads each fought over 2 cores).
    os.environ["OMP_NUM_THREADS"] = "1"
    # A parent killed outright (SIGKILL, the OOM killer) never shuts its pool down, and its workers would wait
    # for work forever: each watches its parent and leaves once it is gone (it is re-parented then).
    parent = os.getppid()

    def leave_with_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=leave_with_parent, name="aiwatch-parent-watch", daemon=True).start()


def spawn_pool(n_workers: int) -> ProcessPoolExecutor:
    """Worker processes for per-article work (``process``'s ``prepare``, ingest's extraction)."""
    # spawn, not fork: a forked child would share this process's store connections and threads.
    return ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init)


def _prepare_in_worker(stage_name: str, batch: list[Article]) -> list[Article]:
    """A worker's ``prepare``: the stage (and its models) built on its first batch and kept."""
    from threadpoolctl import threadpool_limits

    if stage_name not in _WORKER_STAGES:
        _load_builtin_stages()
        _WORKER_STAGES[stage_name] = STAGES[stage_name]()
    with threadpool_limits(1):  # numpy's BLAS, loaded with the models
        return _WORKER_STAGES[stage_name].prepare(batch)


def worker_count(workers: int) -> int:
    """Worker processes for ``prepare``: ``workers``, or one per CPU for 0."""
    return workers if workers > 0 else max(1, os.cpu_count() or 1)


def pending_batches(store: Store, stage: Stage, batch_size: int) -> Iterator[list[Article]]:
    """The stage's pending articles in pk order, a batch at a time, each read only when asked for."""
    last = 0
    while batch := store.pending(stage.name, batch_size, after_id=last):
        last = batch[-1].pk or last
        yield batch


def _prepared(store: Store, stage: Stage, batch_size: int, pool: ProcessPoolExecutor | None, ahead: int
              ) -> Iterator[list[Article]]:
    """The stage's pending batches in order, loaded and prepared: in this process, or ``ahead`` batches
    at a time in the pool (``load`` reads the store before earlier batches commit, as under Ray: what it
    reads does not depend on their writes)."""
    batches = pending_batches(store, stage, batch_size)
    inflight: deque[Future[list[Article]] | list[Article]] = deque()
    while True:
        while len(inflight) < ahead and (batch := next(batches, None)) is not None:
            if hasattr(stage, "load"):
                stage.load(store, batch)
            if pool is not None and hasattr(stage, "prepare"):
                inflight.append(pool.submit(_prepare_in_worker, stage.name, batch))
            else:
                inflight.append(stage.prepare(batch) if hasattr(stage, "prepare") else batch)
        if not inflight:
            return
        item = inflight.popleft()
        yield item.result() if isinstance(item, Future) else item


# A stage with this many batches to do refreshes the store's statistics when it starts, and again each time
# the batches it has committed double (``Store.refresh_statistics``: PostgreSQL plans by them), so the plans
# follow a store that grows within the run, at a cost of log2(batches) ANALYZEs.
STATS_BATCHES = 4


def commit_all(store: Store, stage: Stage, prepared: Iterable[list[Article]], total: int,
               progress: Callable[[str, int, int], Any] | None = None, *, batch_size: int | None = None) -> int:
    """``compute`` and commit each prepared batch in turn, then the stage's ``finish``; the articles done.
    Every engine ends a stage this way; they differ in where ``prepare`` ran. ``batch_size``: the batches'
    (only to judge whether a stage is big enough for a statistics refresh before it starts)."""
    done, batches, next_stats = 0, 0, STATS_BATCHES
    if total >= STATS_BATCHES * (batch_size or config.get("batch_size")):
        store.refresh_statistics()  # ingest may just have added most of the store
    for batch in prepared:
        commit_batch(store, stage, stage.compute(batch))
        done += len(batch)
        batches += 1
        if batches == next_stats:
            store.refresh_statistics()
            next_stats *= 2
        if progress:
            progress(stage.name, done, max(total, done))
    if hasattr(stage, "finish"):
        stage.finish(store)
    return done


def process(store: Store, stages: Sequence[str] | None = None, *, batch_size: int | None = None,
            workers: int = 1, progress: Callable[[str, int, int], Any] | None = None,
            waiting: Callable[[], Any] | None = None, wait: bool = True) -> ProcessReport:
    """Run the pipeline's stages over every article each has not processed yet.

    ``workers``: processes that run ``prepare``: 1, all in this one (the default: the least memory);
    0, one per CPU for a stage with at least ``POOL_MIN_BATCHES`` batches to do; N, N. Workers are
    spawned, so a script that asks for them needs the ``if __name__ == "__main__":`` guard.
    ``progress(stage_name, done, total)`` is called after each batch (the CLI draws a bar).
    Safe to interrupt: a rerun carries on from the last committed batch. One run at a time per store:
    another one waits for it to end (calling ``waiting()`` first), or with ``wait=False`` raises PipelineBusy
    (see ``Store.pipeline_lock``).
    """
    batch_size = batch_size or config.get("batch_size")
    n_workers = worker_count(workers)
    report = ProcessReport()
    pool: ProcessPoolExecutor | None = None
    with store.pipeline_lock(waiting, wait=wait):
        try:
            for stage in build(stages):
                started = time.perf_counter()
                total = store.count_pending(stage.name)
                if progress:
                    progress(stage.name, 0, total)
                wanted = n_workers > 1 and hasattr(stage, "prepare") and total > 0 and (
                    workers > 1 or total >= POOL_MIN_BATCHES * batch_size)
                if wanted and pool is None:
                    pool = spawn_pool(n_workers)
                use = pool if wanted else None
                prepared = _prepared(store, stage, batch_size, use, ahead=2 * n_workers if use else 1)
                report.record(stage.name, commit_all(store, stage, prepared, total, progress,
                                                     batch_size=batch_size), started)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
    return report
