"""Classifier throughput and peak memory on article-length texts, per option, with a baseline in the same run.

    python bench/classify.py            # 10,000 articles
    python bench/classify.py --n 2000

Texts: real AI/tech articles (first 3,000 characters of each page) and general news from
../shared/data, in file order. Options, each in its own process (so peak RSS is its own):

* baseline   — read the texts and TF-IDF-transform them (the floor of any model here);
* fast       — TF-IDF screen + TF-IDF 4-class head + tags + evidence on every article;
* cascade    — as fast, plus the MiniLM head on the screen's candidates only (the default; MiniLM with 8-bit
  weights on ONNX Runtime, ``minilm-q8``);
* cascade-float — the same with MiniLM's float weights on ONNX Runtime (the encoder before 8 bits);
* cascade-torch — the float weights on PyTorch (sentence-transformers), the runtime before ONNX;
* minilm-all — the MiniLM head on every article (no screen): what the cascade saves.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("AIWATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))

CHILD = r"""
import json, sys, time
option, path = sys.argv[1:3]
rows = [json.loads(l) for l in open(path, encoding="utf-8")]
from aiwatch.classify import model as M
model = M.default()
if option != "baseline" and option != "fast":
    from aiwatch.classify import encoders
    if option.endswith("-torch") or option.endswith("-float"):  # the float encoder in the 8-bit one's place
        encoders._LOADED[model.encoder] = encoders.MiniLM("torch" if option.endswith("-torch") else "onnx")
    encoders.get(model.encoder)  # load outside the timed part, as a long-running process would
t0 = time.perf_counter()
titles, texts = [r["title"] for r in rows], [r["text"] for r in rows]
passed = None
if option == "baseline":
    from aiwatch.classify.text import classifier_text
    model.vectorizer.transform([classifier_text(a, b) for a, b in zip(titles, texts)])
else:
    if option == "minilm-all":
        model.screen_threshold = -1.0
    preds = []
    for i in range(0, len(rows), 500):
        preds += model.predict(titles[i:i + 500], texts[i:i + 500], "fast" if option == "fast" else "cascade")
    passed = sum(not p.screened_out for p in preds) / len(preds) if option != "fast" else None
secs = time.perf_counter() - t0
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"n": len(rows), "seconds": secs, "peak_rss_mb": hwm / 1024, "passed": passed}))
"""


def corpus(n: int, path: Path) -> None:
    rows = []
    news = SHARED / "ai_tech_news_unlabeled" / "ai_tech_news.csv.gz"
    if not news.exists():
        sys.exit(f"bench needs the shared data ({news} not found); set AIWATCH_SHARED_DATA")
    with gzip.open(news, "rt", encoding="utf-8") as f:
        rows += [{"title": r["title"], "text": r["text_head"]} for r in csv.DictReader(f)]
    csv.field_size_limit(10_000_000)
    with (SHARED / "news_negatives" / "news_negatives.csv").open(encoding="utf-8") as f:
        rows += [{"title": r["title"], "text": r["text"][:3000]} for r in csv.DictReader(f)]
    rows = (rows * (n // len(rows) + 1))[:n]
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--options", default="baseline,fast,cascade,cascade-float,cascade-torch,minilm-all")
    args = ap.parse_args()
    from rich.console import Console
    from rich.table import Table

    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        corpus(args.n, path)
        for option in args.options.split(","):
            proc = subprocess.run([sys.executable, "-c", CHILD, option, str(path)], capture_output=True, text=True,
                                  env=env)
            if proc.returncode != 0:
                sys.exit(f"{option} failed:\n{proc.stderr[-2000:]}")
            results[option] = json.loads(proc.stdout.strip().splitlines()[-1])
    table = Table(title=f"aiwatch classify bench: {args.n:,} article-length texts, {os.cpu_count()} CPUs")
    for col in ("option", "articles/s", "seconds", "vs baseline", "peak RSS MB", "sent to MiniLM"):
        table.add_column(col, justify="left" if col == "option" else "right")
    base = results.get("baseline")
    for option, r in results.items():
        rate = r["n"] / r["seconds"]
        rel = f"{rate / (base['n'] / base['seconds']):.3f}x" if base else "-"
        table.add_row(option, f"{rate:,.0f}", f"{r['seconds']:.1f}", rel, f"{r['peak_rss_mb']:.0f}",
                      "-" if r["passed"] is None else f"{r['passed']:.1%}")
    Console().print(table)


if __name__ == "__main__":
    main()
