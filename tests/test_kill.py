"""A SIGKILL at a random point of an ingest, then a rerun, gives the same store as an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aiwatch.export import article_records
from aiwatch.pipeline import DEFAULT_PIPELINE
from aiwatch.store import Store
from aiwatch.store import schema as t
from tests.conftest import ROOT, STORY

N_ARTICLES = 3000
NEUTRAL = ("the city council met on tuesday to discuss the budget for parks roads libraries and schools while local "
           "shops reported a busy weekend and the football club won its match after a late goal in the rain "
           "residents praised the new bus timetable and the market opened early for the holiday")


def _corpus(path: Path) -> None:
    """3,000 articles: distinct stories, exact copies, syndicated near-copies, and a few bad lines."""
    rng = random.Random(42)
    # Everyday local news words; one story in eight draws on an AI-incident story's words too, so the
    # classify and cluster stages have real work (and a kill can land in them) without every article
    # paying for entity extraction. (Made-up tokens alone read as an incident to the classifier: with no
    # known word, only its prior speaks.)
    plain = NEUTRAL.split()
    storyish = STORY.split() + plain
    texts: list[str] = []
    with path.open("w", encoding="utf-8") as f:
        for i in range(N_ARTICLES):
            r = rng.random()
            if texts and r < 0.05:
                text = rng.choice(texts)  # exact copy
            elif texts and r < 0.12:
                words = rng.choice(texts).split()
                words[rng.randrange(len(words))] = "edited"
                text = "Syndicated from the wire. " + " ".join(words)  # near copy
            else:
                vocab = storyish if i % 8 == 0 else plain
                text = " ".join(rng.choice(vocab) for _ in range(120))
                texts.append(text)
            f.write(json.dumps({"id": f"k{i}", "title": f"Article {i}", "text": text,
                                "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                                "url": f"https://site{i % 7}.example.com/{i}"}) + "\n")
            if i % 500 == 0:
                f.write("{broken json line\n")


def _progress(db: str) -> int:
    """Work committed so far: articles stored plus stage marks (each article passes every stage once)."""
    try:
        s = Store(db, migrate=False)
        with s.engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(t.articles)).scalar_one()
            n += conn.execute(select(func.count()).select_from(t.article_stages)).scalar_one()
        s.close()
        return n
    except Exception:  # the file or its tables are not there yet
        return 0


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for d in Path("/proc").iterdir():
        try:
            stat = (d / "stat").read_text() if d.name.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
            out.append(int(d.name))
    return out


def _run(db: str, corpus: Path, kill_at: int | None = None, *options: str) -> list[int]:
    """Run `aiwatch ingest` (which processes too); with kill_at, SIGKILL it once that much work is committed.
    Returns the processes it had started (its workers) when it was killed."""
    env = {**os.environ, "AIWATCH_DB": db, "AIWATCH_BATCH_SIZE": "100", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "aiwatch", "ingest", *options, str(corpus)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if kill_at is not None:
        while _progress(db) < kill_at and proc.poll() is None:
            time.sleep(0.005)
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return workers
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return []


def _snapshot(db: str) -> dict:
    store = Store(db)
    arts = sorted(tuple(sorted((k, str(v)) for k, v in r.items() if k != "ingested_at"))
                   for r in article_records(store))
    with store.engine.connect() as conn:
        # The band index is both tables together: which one holds a row depends on when merges ran.
        bands = sorted(row for b in t.BAND_TABLES
                       for row in conn.execute(select(b.c.key, t.articles.c.ext_id)
                                               .join(t.articles, t.articles.c.id == b.c.article_id)).all())
        stages = sorted(conn.execute(select(t.article_stages.c.stage, t.articles.c.ext_id)
                                     .join(t.articles, t.articles.c.id == t.article_stages.c.article_id)).all())
        skipped = sorted(conn.execute(select(t.skipped.c.stage, t.skipped.c.reason, t.skipped.c.ref)).all())
        labels = sorted((ext_id, cat, json.dumps(scores, sort_keys=True)) for ext_id, cat, scores in conn.execute(
            select(t.articles.c.ext_id, t.classifications.c.category, t.classifications.c.scores)
            .join(t.articles, t.articles.c.id == t.classifications.c.article_id)))
        members: dict[int, list[str]] = {}
        for inc, ext_id in conn.execute(select(t.incident_articles.c.incident_id, t.articles.c.ext_id)
                                        .join(t.articles, t.articles.c.id == t.incident_articles.c.article_id)):
            members.setdefault(inc, []).append(ext_id)
    store.close()
    incidents = sorted(sorted(m) for m in members.values())
    return {"articles": arts, "bands": bands, "stages": stages, "skipped": skipped, "labels": labels,
            "incidents": incidents}


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False


@pytest.fixture
def clean_run(tmp_path: Path, make_db) -> tuple[Path, str]:
    """The corpus, and a store that one uninterrupted run over it filled."""
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus)
    reference = make_db("reference")
    _run(reference, corpus)
    return corpus, reference


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kill_mid_ingest_then_rerun_equals_uninterrupted(clean_run: tuple[Path, str], seed: int, make_db) -> None:
    """SIGKILL at a random point of the work (ingest, dedup, classify or cluster), rerun, compare with a clean run."""
    corpus, reference = clean_run
    killed = make_db("killed")
    total = N_ARTICLES * (1 + len(DEFAULT_PIPELINE))
    # seed 1 lands in the ingest itself; the others anywhere up to 80% of the work
    point = int(random.Random(seed).uniform(0.01, 0.2 if seed == 1 else 0.8) * total)
    _run(killed, corpus, kill_at=point)
    interrupted = Store(killed)
    partial = interrupted.stats()["articles"]
    # the kill really cut the work short: articles missing, or some not yet through every stage
    assert partial < N_ARTICLES or any(interrupted.count_pending(s) > 0 for s in DEFAULT_PIPELINE)
    interrupted.close()
    _run(killed, corpus)

    ref, got = _snapshot(reference), _snapshot(killed)
    assert len(ref["articles"]) == N_ARTICLES
    print(f"seed {seed}: killed after {point} of {total} units of work, with {partial} articles stored")
    assert got == ref, f"killed after {point} of {total} units, {partial} articles stored"
    dup = Store(killed).stats()["duplicates"]
    assert dup["exact"] > 0 and dup["near"] > 0


def test_a_killed_run_with_workers_leaves_none_behind_and_a_rerun_finishes(clean_run: tuple[Path, str],
                                                                           make_db) -> None:
    """`--workers 2`: SIGKILL mid-way reaches no shutdown code, yet the worker processes leave (they watch
    their parent), and a rerun with workers gives what one uninterrupted process gives."""
    corpus, reference = clean_run
    killed = make_db("killed")
    workers = _run(killed, corpus, N_ARTICLES * (1 + len(DEFAULT_PIPELINE)) // 2, "--workers", "2")
    assert workers, "the run had started no worker process by the time it was killed"
    for _ in range(600):  # they look for their parent once a second
        alive = [p for p in workers if _running(p)]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, f"worker processes {alive} outlived their killed parent"
    _run(killed, corpus, None, "--workers", "2")
    assert _snapshot(killed) == _snapshot(reference)
