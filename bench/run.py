"""The benchmark suite's one entry point: end-to-end cost at growing sizes, stores and engines, one table.

    python bench/run.py                                   # 10k and 100k, SQLite and PostgreSQL, local engine
    python bench/run.py --sizes 10000 100000 1000000 --engines local workers ray --stores sqlite postgres

For each (store, engine, N): a fresh store; `aiwatch ingest --no-process` then `aiwatch process` (each
in its own process, so its peak RSS is its own) over N articles built by recombining ../shared/data
texts (bench/ingest.py: AI/tech and general news, AIID descriptions, with ~5% exact and ~5%
syndicated copies). Reported: end-to-end articles/s (ingest + every stage), each part's time (and
each stage's, from `aiwatch process --json`), peak RSS (of the largest process, and of the command's
processes together: the local engine's workers each hold the models; Ray's workers belong to its
raylet and are not counted), store size per article, and search p95 (the store's full-text search,
the web's code path, 100 queries). The baseline, in the same run, is reading the corpus and hashing
each text. The cost curve (seconds against N, per store and engine) is written as a PNG next to the
table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import build_corpus  # noqa: E402

PG_ADMIN = os.environ.get("AIWATCH_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
# engine -> (`aiwatch ingest` options, `aiwatch process` options). Ray runs process's stages; ingest stays local.
ENGINES = {"local": ([], ["--engine", "local"]),
           "workers": (["--workers", "0"], ["--engine", "local", "--workers", "0"]),
           "ray": ([], ["--engine", "ray"])}
QUERIES = ["facial recognition", "chatbot lawsuit", "self-driving crash", "deepfake", "police", "privacy",
           "hiring algorithm", "election", "openai", "tesla autopilot"]


def _descendants_rss_kb(root: int) -> int:
    """Resident memory of all of a process's descendants together (Linux /proc), in KiB."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            parent[int(d.name)], rss[int(d.name)] = int(fields[1]), int(fields[21]) * page_kb
        except (OSError, ValueError, IndexError):
            continue  # ended while we looked
    total, todo = 0, [c for c, p in parent.items() if p == root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(c for c, p in parent.items() if p == pid)
    return total


def child_peak(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, list[str]]:
    """Wall seconds; peak RSS of the command's largest process (exact: getrusage in a wrapper process);
    peak RSS of all its processes together (sampled twice a second; MB): a run with worker processes
    holds a copy of the models in each, which its largest process alone would hide; its stdout lines."""
    import threading

    helper = ("import resource,subprocess,sys,time,json;t=time.perf_counter();"
              "p=subprocess.run(sys.argv[1:]);w=time.perf_counter()-t;"
              "print(json.dumps([p.returncode,w,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024]))")
    proc = subprocess.Popen([sys.executable, "-c", helper, *cmd], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak_kb = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_kb
        while not stop.is_set():
            peak_kb = max(peak_kb, _descendants_rss_kb(proc.pid))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    *lines, last = out.strip().splitlines()
    rc, wall, largest = json.loads(last)
    if rc != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err[-2000:]}")
    return wall, largest, max(largest, peak_kb / 1024), lines


def baseline(corpus: Path) -> float:
    import hashlib

    t0 = time.perf_counter()
    n = 0
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            hashlib.sha1(json.loads(line)["text"].encode()).hexdigest()
            n += 1
    return n / (time.perf_counter() - t0)


def new_store(kind: str, work: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{work / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    name = f"aiwatch_bench_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _pg_admin(statement: str) -> None:
    """One statement on the server's admin database, outside a transaction (CREATE/DROP DATABASE need that)."""
    from sqlalchemy import create_engine, text

    from aiwatch.store import resolve_url

    engine = create_engine(resolve_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def drop_store(url: str) -> None:
    """A measured store is removed: a 100k one takes a gigabyte, and PostgreSQL's outlive the work folder."""
    if url.startswith("sqlite:///"):
        p = Path(url[len("sqlite:///"):])
        for f in p.parent.glob(p.name + "*"):
            f.unlink()
        return
    # FORCE: this process's own measuring connections may still be open
    _pg_admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def store_size(url: str) -> int:
    if url.startswith("sqlite:///"):
        p = Path(url[len("sqlite:///"):])
        return sum(f.stat().st_size for f in p.parent.glob(p.name + "*"))
    from sqlalchemy import text

    from aiwatch.store import Store

    with Store(url).engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def relevant_share(url: str) -> float:
    """Share of classified originals the classifier called incident, hazard or complementary: the articles
    that reach the cluster stage's entity extraction and embedding (what the cascade keeps small)."""
    from sqlalchemy import func, select

    from aiwatch.store import Store
    from aiwatch.store import schema as t

    c = t.classifications.c
    with Store(url).engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(t.classifications)).scalar_one()
        rel = conn.execute(select(func.count()).where(c.category != "unrelated")).scalar_one()
    return rel / total if total else 0.0


def search_p95(url: str) -> float:
    from aiwatch.store import Store
    from aiwatch.web import queries as Q

    store = Store(url)
    ms = []
    for q in QUERIES * 10:
        t0 = time.perf_counter()
        Q.search(store, q)
        ms.append((time.perf_counter() - t0) * 1000)
    return sorted(ms)[int(0.95 * len(ms)) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--stores", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    ap.add_argument("--engines", nargs="+", default=["local"], choices=list(ENGINES),
                    help="local: the default, one process; workers: `--workers 0` (ingest and process), a worker "
                         "process per CPU; ray: a local Ray with this machine's CPUs")
    ap.add_argument("--work", default=None, help="folder for corpora and SQLite files")
    ap.add_argument("--keep", action="store_true", help="keep the stores (removed once measured by default)")
    ap.add_argument("--png", default=str(ROOT / "artifacts" / "bench-cost-curve.png"))
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="aiwatch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        corpus = work / f"corpus-{n}.jsonl"
        if not corpus.exists():
            build_corpus(n, corpus, seed=n)
        base = baseline(corpus)
        rows.append({"n": n, "store": "-", "engine": "baseline (read + SHA-1)", "articles_s": round(base),
                     "ingest_s": None, "process_s": None, "peak_rss_mb": None, "peak_rss_all_mb": None,
                     "bytes_per_article": None,
                     "search_p95_ms": None, "relevant_pct": None, "stage_s": None})
        for kind in args.stores:
            for engine in args.engines:
                url = new_store(kind, work)
                env = {**os.environ, "AIWATCH_DB": url, "HF_HUB_OFFLINE": "1"}
                aw = [sys.executable, "-m", "aiwatch"]
                ingest_opts, process_opts = ENGINES[engine]
                t_in, rss_in, all_in, _ = child_peak([*aw, "ingest", "--no-process", *ingest_opts, str(corpus)], env)
                t_pr, rss_pr, all_pr, out = child_peak([*aw, "process", "--json", *process_opts], env)
                stage_s = json.loads(out[-1])["seconds"]
                size = store_size(url)
                p95 = search_p95(url)
                row = {"n": n, "store": kind, "engine": engine, "articles_s": round(n / (t_in + t_pr)),
                       "ingest_s": round(t_in, 1), "process_s": round(t_pr, 1),
                       "peak_rss_mb": round(max(rss_in, rss_pr)), "peak_rss_all_mb": round(max(all_in, all_pr)),
                       "bytes_per_article": round(size / n),
                       "search_p95_ms": round(p95, 1), "relevant_pct": round(100 * relevant_share(url), 1),
                       "stage_s": " / ".join(f"{v:.0f}" for v in stage_s.values())}
                rows.append(row)
                print(json.dumps(row), flush=True)
                if not args.keep:
                    drop_store(url)
    print("\n| N | store | engine | articles/s end to end | ingest s | process s | dedup / classify / cluster s |"
          " peak RSS MB, largest process | peak RSS MB, all processes | bytes/article | search p95 ms | relevant % |"
          "\n|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['store']} | {r['engine']} | {r['articles_s']:,} | {r['ingest_s'] or ''} | "
              f"{r['process_s'] or ''} | {r['stage_s'] or ''} | {r['peak_rss_mb'] or ''} | "
              f"{r['peak_rss_all_mb'] or ''} | {r['bytes_per_article'] or ''} | "
              f"{r['search_p95_ms'] or ''} | {r['relevant_pct'] if r['relevant_pct'] is not None else ''} |")
    # Linear cost means the same time per article at every size: the ratio of the largest size's to the smallest's.
    for kind in args.stores:
        for engine in args.engines:
            mine = sorted((r["n"], (r["ingest_s"] + r["process_s"]) / r["n"]) for r in rows
                          if r["store"] == kind and r["engine"] == engine)
            if len(mine) > 1:
                (n0, c0), (n1, c1) = mine[0], mine[-1]
                print(f"{kind}, {engine}: {1000 * c0:.2f} ms per article at {n0:,}, {1000 * c1:.2f} at {n1:,}: "
                      f"x{c1 / c0:.2f} per article for x{n1 / n0:.0f} articles (1.00 is linear)")
    plot(rows, Path(args.png))


def plot(rows: list[dict], png: Path) -> None:
    """Seconds against N for each store and engine: a straight line on log-log axes of slope 1 is linear cost."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    png.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    series: dict[str, list[tuple[int, float]]] = {}
    for r in rows:
        if r["ingest_s"] is None:
            continue
        series.setdefault(f"{r['store']} / {r['engine']}", []).append((r["n"], r["ingest_s"] + r["process_s"]))
    for label, pts in series.items():
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("articles")
    ax.set_ylabel("seconds, ingest + process")
    ax.set_title("aiwatch end-to-end cost")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    print(f"cost curve: {png}")


if __name__ == "__main__":
    main()
