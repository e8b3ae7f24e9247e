"""Ingest + dedup throughput and peak memory, next to a plain baseline measured in the same run.

    python bench/ingest.py              # 20,000 articles, a fresh SQLite file
    python bench/ingest.py --n 5000 --db postgresql://postgres@127.0.0.1/bench

Articles are built from ../shared/data texts (AI/tech news, general news, AIID
descriptions): 15% of the stories real articles, the rest recombined from runs of their sentences
(the same mixture at every size up to ~120,000 stories), with ~5% exact copies and ~5%
syndicated near-copies so that dedup has real work. Each phase runs in its own process
so its peak RSS is its own:

* baseline — read the JSONL, parse each line, SHA-1 the text (the floor any ingest pays);
* ingest — aiwatch.ingest: parse, clean, detect language, hash, write to the store;
* dedup — the dedup.minhash.v1 stage alone: MinHash signatures, LSH lookups, links.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("AIWATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
STORY_RUN = 4  # sentences taken from each source article of a recombined story
BOILERPLATE = ("Sign up for our newsletter. Follow us on social media. ", " Copyright Example Media Group. "
               "All rights reserved.")


def source_texts() -> list[tuple[str, str]]:
    """(title, text) pairs from the shared data; raises with a clear message when it is absent."""
    out: list[tuple[str, str]] = []
    news = SHARED / "ai_tech_news_unlabeled" / "ai_tech_news.csv.gz"
    if not news.exists():
        sys.exit(f"bench needs the shared data ({news} not found); set AIWATCH_SHARED_DATA")
    with gzip.open(news, "rt", encoding="utf-8") as f:
        out += [(r["title"], r["text_head"]) for r in csv.DictReader(f)]
    csv.field_size_limit(10_000_000)
    with (SHARED / "news_negatives" / "news_negatives.csv").open(encoding="utf-8") as f:
        out += [(r["title"] or r["text"][:80], r["text"]) for r in csv.DictReader(f)]
    with (SHARED / "aiid" / "incidents.csv").open(encoding="utf-8") as f:
        out += [(r["title"], r["description"]) for r in csv.DictReader(f)]
    return [(t, x) for t, x in out if len(x) > 200]


# Of the new stories, the share that are real articles (the rest: recombined), while the real texts last
# (~124,000 stories). A fixed share keeps the corpus the same mixture at 10k and at 100k, so that their costs
# per article compare (before, the first 18,600 stories were the real texts in the data's order: a 10k corpus
# was AI/tech news alone, a 100k one mostly recombined stories, and the cost curve mixed size with content).
REAL_SHARE = 0.15


def build_corpus(n: int, path: Path, seed: int = 0) -> None:
    rng = random.Random(seed)
    pool = source_texts()
    sentences = [re.split(r"(?<=[.!?])\s+", text) for _, text in pool]
    unused = list(range(len(pool)))
    rng.shuffle(unused)
    made: list[tuple[str, str]] = []  # (title, text) of each story so far
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            r = rng.random()
            if made and r < 0.05:
                title, text = rng.choice(made)
            elif made and r < 0.10:
                title, text = rng.choice(made)
                words = text.split()
                for _ in range(5):
                    words[rng.randrange(len(words))] = "reportedly"
                text = BOILERPLATE[0] + " ".join(words) + BOILERPLATE[1]
            elif unused and (not made or rng.random() < REAL_SHARE):
                title, text = pool[unused.pop()]
                made.append((title, text))
            else:  # a new story: a run of sentences from each of four real articles, titled as the first
                # (Halves of two articles, as before, made stories sharing one long half near-copies of
                # each other: 51% of the 100k corpus and 84% of the 1M corpus came out as duplicates.)
                parts = []
                picked = rng.sample(range(len(sentences)), 4)
                for k in picked:
                    s = sentences[k]
                    start = rng.randrange(max(1, len(s) - STORY_RUN + 1))
                    parts += s[start:start + STORY_RUN]
                title, text = pool[picked[0]][0], " ".join(parts)
                made.append((title, text))
            f.write(json.dumps({"id": f"b{i}", "title": title, "text": text,
                                "url": f"https://site{i % 50}.example.com/{i}",
                                "published": f"20{10 + i % 14}-{1 + i % 12:02d}-{1 + i % 28:02d}"}) + "\n")


CHILD = r"""
import hashlib, json, sys, time
phase, corpus, db = sys.argv[1:4]
t0 = time.perf_counter()
if phase == "baseline":
    n = 0
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            hashlib.sha1(json.loads(line)["text"].encode()).hexdigest()
            n += 1
elif phase == "ingest":
    from aiwatch.ingest import ingest
    from aiwatch.store import Store
    n = ingest(Store(db), [corpus]).added
else:
    from aiwatch import pipeline
    from aiwatch.store import Store
    n = pipeline.process(Store(db), stages=["dedup.minhash.v1"]).processed["dedup.minhash.v1"]
secs = time.perf_counter() - t0
# VmHWM, not ru_maxrss: Linux carries the parent's high-water mark into ru_maxrss across exec.
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"n": n, "seconds": secs, "peak_rss_mb": hwm / 1024}))
"""


def run_phase(phase: str, corpus: Path, db: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", CHILD, phase, str(corpus), db], capture_output=True, text=True,
                          env=env)
    if proc.returncode != 0:
        sys.exit(f"{phase} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20_000, help="articles (default 20,000)")
    ap.add_argument("--db", help="store URL (default: a fresh SQLite file in a temp folder)")
    args = ap.parse_args()

    from rich.console import Console
    from rich.table import Table

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        build_corpus(args.n, corpus)
        db_path = Path(tmp) / "bench.db"
        db = args.db or f"sqlite:///{db_path}"
        results = {phase: run_phase(phase, corpus, db) for phase in ("baseline", "ingest", "dedup")}

        from aiwatch.store import Store

        stats = Store(db).stats()
        size = db_path.stat().st_size + sum(p.stat().st_size for p in Path(tmp).glob("bench.db-*")) \
            if not args.db else None

    base = results["baseline"]["n"] / results["baseline"]["seconds"]
    table = Table(title=f"aiwatch ingest bench: {args.n:,} articles ("
                        f"{'SQLite' if not args.db else args.db.split(':')[0]}, {os.cpu_count()} CPUs)")
    for col in ("phase", "articles", "seconds", "articles/s", "vs baseline", "peak RSS MB"):
        table.add_column(col, justify="right" if col != "phase" else "left")
    both = results["ingest"]["seconds"] + results["dedup"]["seconds"]
    rows = list(results.items()) + [("ingest + dedup", {"n": results["ingest"]["n"], "seconds": both,
                                                        "peak_rss_mb": max(results["ingest"]["peak_rss_mb"],
                                                                           results["dedup"]["peak_rss_mb"])})]
    for phase, r in rows:
        rate = r["n"] / r["seconds"] if r["seconds"] else float("inf")
        table.add_row(phase, f"{r['n']:,}", f"{r['seconds']:.1f}", f"{rate:,.0f}", f"{rate / base:.3f}x",
                      f"{r['peak_rss_mb']:.0f}")
    console = Console()
    console.print(table)
    dup = stats["duplicates"]
    console.print(f"duplicates found: {dup['exact']:,} exact, {dup['near']:,} near "
                  f"(the corpus has ~5% of each); unique articles {stats['unique_articles']:,}")
    if size:
        console.print(f"store size: {size / 1e6:.1f} MB, {size / max(stats['articles'], 1) / 1024:.1f} KB per article")


if __name__ == "__main__":
    main()
