"""Web latency: p50/p95 of the list, incident and search pages at 10k and 100k incidents.

    python bench/web.py [--sizes 10000 100000] [--requests 300] [--db-dir /tmp/aiwatch-bench]

The stores are built by recombining real data: the AIID incidents of ../shared/data (titles,
descriptions, dates, entities) and the tags, countries and roles the pipeline gave the bundled
sample, shuffled into N incidents with one article each (the text of a real description). The
server (`aiwatch serve`, uvicorn, one process) runs in its own process on 127.0.0.1; the load comes
from this process with 4 concurrent clients. The baseline, in the same run and server, is a static
file (the stylesheet): what the server and the network path cost before any query.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiwatch.classify.data import shared_dir  # noqa: E402
from aiwatch.store import Store  # noqa: E402
from aiwatch.store import schema as t  # noqa: E402
from aiwatch.taxonomy import FIELDS  # noqa: E402

WORDS = ["tesla", "facial recognition", "chatbot", "deepfake", "police", "autopilot", "lawsuit", "hiring",
         "children", "privacy", "openai", "algorithm bias", "crash", "scam", "surveillance"]


def build(url: str, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    with (shared_dir() / "aiid" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        real = [r for r in csv.DictReader(f) if r["description"]]
    store = Store(url)
    stamp = datetime.now(UTC)
    orgs = ["OpenAI", "Google", "Tesla", "Meta", "Microsoft", "Amazon", "Clearview AI", "Uber", "xAI", "Apple",
            "TikTok", "U.S. Immigration and Customs Enforcement", "Metropolitan Police Service", "Waymo"]
    with store.transaction() as conn:
        ent_ids = [conn.execute(t.entities.insert().values(name=o, norm_name=o.lower(), kind="organisation",
                                                           created_at=stamp).returning(t.entities.c.id)).scalar_one()
                   for o in orgs]
    batch = 5000
    for start in range(0, n, batch):
        inc_rows, art_rows, links, labels, roles, cls = [], [], [], [], [], []
        for k in range(start, min(n, start + batch)):
            a, b = rng.choice(real), rng.choice(real)
            when = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(0, 4000))
            cat = rng.choices(["incident", "hazard", "complementary"], [0.8, 0.15, 0.05])[0]
            tags = {f: [{"label": x, "score": 0.8}] for f in ("harm_types", "industries", "ai_tasks")
                    for x in [rng.choice(FIELDS[f][:8])]}
            inc_rows.append({"id": k + 1, "title": a["title"], "summary": b["description"], "summary_machine": True,
                             "category": cat, "severity": "incident" if cat == "incident" else "hazard",
                             "event_date": when.date(), "first_seen": when, "last_seen": when, "tags": tags,
                             "countries": ["United States"], "status": "open", "n_articles": 1,
                             "created_at": stamp, "updated_at": stamp})
            art_rows.append({"id": k + 1, "ext_id": f"bench:{k}", "title": a["title"], "text": a["description"] +
                             " " + b["description"], "content_hash": f"{k:040d}", "published": when,
                             "ingested_at": stamp, "updated_at": stamp, "source": "bench.example",
                             "url": f"https://bench.example/{k}"})
            links.append({"incident_id": k + 1, "article_id": k + 1, "score": 1.0, "added_by": "machine"})
            cls.append({"article_id": k + 1, "decided_by": "machine", "category": cat,
                        "scores": {cat: 0.9}, "severity": None, "tags": tags, "evidence": [a["description"][:200]],
                        "model": "bench", "created_at": stamp})
            for f, items in tags.items():
                labels.append({"incident_id": k + 1, "field": f, "label": items[0]["label"]})
            labels.append({"incident_id": k + 1, "field": "country", "label": "United States"})
            for role, e in (("deployer", rng.choice(ent_ids)), ("developer", rng.choice(ent_ids))):
                roles.append({"incident_id": k + 1, "entity_id": e, "role": role, "evidence": a["title"],
                              "article_id": k + 1, "decided_by": "machine"})
        with store.transaction() as conn:
            conn.execute(t.incidents.insert(), inc_rows)
            conn.execute(t.articles.insert(), art_rows)
            conn.execute(t.incident_articles.insert(), links)
            conn.execute(t.classifications.insert(), cls)
            conn.execute(t.incident_labels.insert(), labels)
            conn.execute(t.entity_roles.insert(), [dict(r) for r in {(r["incident_id"], r["entity_id"], r["role"]): r
                                                                      for r in roles}.values()])
    store.close()


def pctl(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def load(base: str, paths: list[str], concurrency: int = 4) -> list[float]:
    def one(path: str) -> float:
        t0 = time.perf_counter()
        r = client.get(path)
        r.raise_for_status()
        return (time.perf_counter() - t0) * 1000

    with httpx.Client(base_url=base, timeout=60) as client, ThreadPoolExecutor(concurrency) as pool:
        for p in paths[:10]:  # warm-up
            one(p)
        return list(pool.map(one, paths))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--db-dir", default=None)
    args = ap.parse_args()
    rng = random.Random(1)
    out_dir = Path(args.db_dir or tempfile.mkdtemp(prefix="aiwatch-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.sizes:
        db = out_dir / f"web-{n}.db"
        if not db.exists():
            t0 = time.time()
            build(f"sqlite:///{db}", n)
            print(f"built {n:,} incidents in {time.time() - t0:.0f} s ({db.stat().st_size / 1e6:.0f} MB)", flush=True)
        port = 8700 + len(results)
        env = {**os.environ, "AIWATCH_DB": f"sqlite:///{db}", "AIWATCH_SEARCH_SIMILAR": "0"}
        server = subprocess.Popen([sys.executable, "-m", "aiwatch", "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/static/app.css", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            k = args.requests
            pages = {
                "baseline (static file)": ["/static/app.css"] * k,
                "list /incidents": [f"/incidents?page={rng.randint(1, 50)}" for _ in range(k)],
                "list, filtered": [f"/incidents?harm_type={rng.choice(FIELDS['harm_types'][:8])}&category=incident"
                                   f"&page={rng.randint(1, 5)}" for _ in range(k)],
                "incident page": [f"/incidents/{rng.randint(1, n)}" for _ in range(k)],
                "search": [f"/search?q={rng.choice(WORDS)}" for _ in range(k)],
            }
            for name, paths in pages.items():
                ms = load(base, paths)
                results.append({"incidents": n, "page": name, "p50_ms": round(statistics.median(ms), 1),
                                "p95_ms": round(pctl(ms, 0.95), 1), "requests": len(ms)})
                print(f"{n:>8,} {name:<24} p50 {results[-1]['p50_ms']:>8.1f} ms  p95 {results[-1]['p95_ms']:>8.1f} ms",
                      flush=True)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("\n| incidents | page | p50 ms | p95 ms |\n|---|---|---|---|")
    for r in results:
        print(f"| {r['incidents']:,} | {r['page']} | {r['p50_ms']} | {r['p95_ms']} |")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
