"""`aiwatch process --engine ray`: the stages' batch work as Ray Data pipelines on a Ray cluster.

What runs where:

* on Ray workers — each stage's ``prepare(batch)``, the pure, per-article work: MinHash signatures
  (dedup), the classifier (classify), entity extraction, embeddings and word vectors (cluster). A
  worker is a Ray Data actor that loads its stage's models once;
* in this process (the driver) — ``load`` (what the stage reads from the store), ``compute`` (the
  sequential part: incident assignment), ``commit`` (the store, SQLite or — for a cluster — a
  PostgreSQL server every node can reach), in the same batches and order as the in-process engine.

So both engines give the same results for the same input (a test compares them). A chunk of several
batches is sent to Ray at a time; each batch is one Ray Data block, prepared by one actor call, so a
batch's articles are encoded together exactly as in-process.

    ray start --head                                  # on the head node
    ray start --address HEAD:6379                     # on every other node
    aiwatch --db postgresql://aiwatch@db/aiwatch process --engine ray --address HEAD:6379
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

import numpy as np

from aiwatch import config
from aiwatch.pipeline import ProcessReport, build, commit_all, pending_batches
from aiwatch.records import Article
from aiwatch.store import Store

# Batches sent to Ray at once. Each chunk is one Ray Data execution, whose actors load their stage's
# models (spaCy, MiniLM: seconds) when it starts: 8 batches a chunk reloaded them every 4,000 articles.
CHUNK_BATCHES = 32


class _Prepare:
    """A Ray Data actor: one stage, its models loaded once, ``prepare`` on pickled articles."""

    def __init__(self, stage_name: str, env: dict[str, str]) -> None:
        os.environ.update(env)  # the driver's AIWATCH_* settings (classifier mode, ...)
        from aiwatch.pipeline import STAGES, _load_builtin_stages

        _load_builtin_stages()
        self.stage = STAGES[stage_name]()

    def __call__(self, block: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        batch = [pickle.loads(b) for b in block["article"]]
        done = self.stage.prepare(batch)
        return {"order": block["order"], "article": np.array([pickle.dumps(a) for a in done], dtype=object)}


def _init(address: str | None, num_cpus: int | None) -> Any:
    import ray

    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"ignore_reinit_error": True, "include_dashboard": False, "log_to_driver": False,
                                  "runtime_env": {"env_vars": {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}}}
        if address:
            kwargs["address"] = address
        else:
            kwargs["num_cpus"] = num_cpus or os.cpu_count()
        ray.init(**kwargs)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    return ray


def prepare_on_ray(ray: Any, stage_name: str, batches: Sequence[list[Article]], workers: int) -> list[list[Article]]:
    """Run ``prepare`` of the named stage over the batches on Ray; one block (and one call) per batch."""
    rows = [{"order": i, "article": pickle.dumps(a)} for i, b in enumerate(batches) for a in b]
    ds = ray.data.from_items(rows, override_num_blocks=len(batches))
    env = {k: v for k, v in os.environ.items() if k.startswith("AIWATCH_")}
    sizes = [len(b) for b in batches]
    pool = ray.data.ActorPoolStrategy(min_size=1, max_size=max(1, min(workers, len(batches))))
    out_rows = ds.map_batches(_Prepare, fn_constructor_args=(stage_name, env), batch_size=None,
                              batch_format="numpy", compute=pool).take_all()
    prepared: list[list[Article]] = [[] for _ in batches]
    for r in out_rows:
        prepared[int(r["order"])].append(pickle.loads(r["article"]))
    for b, n in zip(prepared, sizes, strict=True):
        if len(b) != n:
            raise RuntimeError(f"Ray returned {len(b)} of {n} articles of a batch: stage {stage_name}")
        b.sort(key=lambda a: a.pk or 0)
    return prepared


def _prepared_on_ray(ray: Any, store: Store, stage: Any, batch_size: int, workers: int
                     ) -> Iterator[list[Article]]:
    """The stage's pending batches in order, CHUNK_BATCHES at a time: loaded here (driver-side reads first:
    they do not depend on earlier batches' writes), prepared on Ray."""
    pending = pending_batches(store, stage, batch_size)
    while batches := list(islice(pending, CHUNK_BATCHES)):
        if hasattr(stage, "load"):
            for batch in batches:
                stage.load(store, batch)
        if hasattr(stage, "prepare"):
            batches = prepare_on_ray(ray, stage.name, batches, workers)
        yield from batches


def process(store: Store, stages: Sequence[str] | None = None, *, address: str | None = None,
            batch_size: int | None = None, num_cpus: int | None = None,
            progress: Callable[[str, int, int], Any] | None = None,
            waiting: Callable[[], Any] | None = None, wait: bool = True) -> ProcessReport:
    """Like ``pipeline.process``, with every stage's ``prepare`` on Ray. Safe to interrupt the same way,
    and one run at a time per store as there (the local engine's runs included)."""
    ray = _init(address, num_cpus)
    workers = int(ray.cluster_resources().get("CPU", 1))
    batch_size = batch_size or config.get("batch_size")
    report = ProcessReport()
    with store.pipeline_lock(waiting, wait=wait):
        for stage in build(stages):
            started = time.perf_counter()
            total = store.count_pending(stage.name)
            if progress:
                progress(stage.name, 0, total)
            prepared = _prepared_on_ray(ray, store, stage, batch_size, workers)
            report.record(stage.name, commit_all(store, stage, prepared, total, progress,
                                                 batch_size=batch_size), started)
    return report
