"""Print `aiwatch eval`'s report as tables."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from aiwatch.taxonomy import CATEGORIES


def _row(name: str, s: dict[str, Any]) -> list[str]:
    return [name, f"{s['relevance']['precision']:.3f}", f"{s['relevance']['recall']:.3f}",
            f"{s['relevance']['f1']:.3f}", f"{s['macro_f1']:.3f}",
            *(f"{s['per_class'][c]['f1']:.3f}" for c in CATEGORIES)]


def _table(title: str) -> Table:
    table = Table(title=title)
    for col in ("model", "rel P", "rel R", "rel F1", "macro F1", *(f"{c[:5]} F1" for c in CATEGORIES)):
        table.add_column(col, justify="left" if col == "model" else "right")
    return table


def print_report(report: dict[str, Any], console: Console) -> None:
    v = _table(f"validation: held-apart incidents and stories ({report['sizes']['validation']:,} examples)")
    for name, s in report["validation"].items():
        v.add_row(*_row(name, s))
    console.print(v)
    st = _table("stream: hand-labelled AI news, 5-fold CV by story (the number to push)")
    for name, s in report["stream"].items():
        st.add_row(*_row(name, s["articles"]))
    console.print(st)
    h = Table("model", "headline recall", "articles + headlines rel F1",
              title="stream: held-apart AIID report headlines")
    for name, s in report["stream"].items():
        h.add_row(name, f"{s['headlines_recall']:.3f}", f"{s['combined']['relevance']['f1']:.3f}")
    console.print(h)
    if all("headline_only" in s for s in report["stream"].values()):
        t = _table("stream: the same hand-labelled articles from their headline alone (a feed's teaser), 5-fold CV")
        for name, s in report["stream"].items():
            t.add_row(*_row(name, s["headline_only"]))
        console.print(t)
    if all("teaser" in s for s in report["stream"].values()):
        t = _table("stream: the same articles from their headline and opening sentences (a feed's summary), 5-fold CV")
        for name, s in report["stream"].items():
            t.add_row(*_row(name, s["teaser"]))
        console.print(t)
    if all(s.get("articles_by_confidence") for s in report["stream"].values()):
        t = Table("model", *(f"{c}-confidence labels: rel P / R / F1" for c in ("high", "low")),
                  title="stream: the same 5-fold CV, by the annotator's confidence in each label")
        for name, s in report["stream"].items():
            by = s["articles_by_confidence"]
            t.add_row(name, *(f"{by[c]['precision']:.3f} / {by[c]['recall']:.3f} / {by[c]['f1']:.3f}"
                              if c in by else "-" for c in ("high", "low")))
        console.print(t)
    if all(s.get("articles_by_draw") for s in report["stream"].values()):
        t = Table("model", "draw", "n", "relevant: gold / predicted", "rel P / R / F1",
                  title="stream: the same 5-fold CV, by how each article was drawn (random: the stream's base rate)")
        for name, s in report["stream"].items():
            for draw, v in s["articles_by_draw"].items():
                t.add_row(name, draw or "-", str(v["n"]), f"{v['relevant_share']:.1%} / {v['predicted_share']:.1%}",
                          f"{v['precision']:.3f} / {v['recall']:.3f} / {v['f1']:.3f}")
        console.print(t)
    sc = report["screen"]
    cv = f" ({sc['recall_stream_relevant_cv']:.3f} out of fold)" if sc.get("recall_stream_relevant_cv") else ""
    console.print(f"screen: threshold {sc['threshold']}, recall on relevant stream articles "
                  f"{sc['recall_stream_relevant']:.3f} in sample{cv}, passes {sc['pass_share_ai_news']:.1%} of "
                  "AI/tech news")
    g = Table("model", "lower-cased rel F1 (gap)", "boilerplate-stripped rel F1 (gap)", "share on unlabelled AI news",
              title="shortcut guards (validation)")
    for name, s in report["guards"].items():
        low, strip = s["lowercased"], s["boilerplate_stripped"]
        g.add_row(name, f"{low['relevance_f1']:.3f} ({s['lowercased_gap']['relevance_f1']:+.3f})",
                  f"{strip['relevance_f1']:.3f} ({s['boilerplate_stripped_gap']['relevance_f1']:+.3f})",
                  ", ".join(f"{c} {v:.1%}" for c, v in s["share_on_unlabelled_ai_news"].items()))
    console.print(g)
    if report.get("severity"):
        t = Table("rule", *(f"{part}: P / R / F1 (serious of incidents)" for part in ("validation", "all")),
                  title="severity: serious incident or not, against CSET's annotations of harmed AIID incidents")
        for name, by in report["severity"].items():
            t.add_row(name, *(f"{by[p]['precision']:.3f} / {by[p]['recall']:.3f} / {by[p]['f1']:.3f} "
                              f"({by[p]['serious']} of {by[p]['incidents']})" for p in ("validation", "all")))
        console.print(t)
    t = Table("field", "micro P", "micro R", "micro F1", "fast: F1", "examples",
              title="OECD tags (validation incidents/hazards; fast: TF-IDF alone)")
    fast = report.get("tags_fast", report["tags"])
    for field, s in report["tags"].items():
        t.add_row(field, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}",
                  f"{fast[field]['f1']:.3f}" if field in fast else "", str(s["examples"]))
    console.print(t)
